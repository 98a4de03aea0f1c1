//! A test purchase session's watchers and its live timeline.
//!
//! A [`Session`] owns its watcher tasks: dropping it (or [`Session::close`]) cancels them, and
//! none outlives it. Each watcher loops between its call and cancellation, reports its state
//! (starting, running, retrying with the error and the wait, stopped), and backs off
//! exponentially on errors without ever giving up. A message that does not parse is put on the
//! timeline as malformed and the watcher goes on.
//!
//! `session` owns the tasks and the timeline; `sqs`, `feed` (the sandbox's log), `entitlements`
//! and `cloudtrail` are one watcher each; `event` turns a notification into a timeline event.

mod cloudtrail;
mod entitlements;
mod event;
mod feed;
mod session;
mod sqs;

pub use entitlements::entitlement_diff;
pub use event::notification_event;
pub use session::Session;

use chrono::{SecondsFormat, Utc};
use la_aws::SdkConfig;
use la_core::purchase::{EventSource, TimelineEvent, Verdict, WatcherStatus};
use std::time::Duration;

/// Where the session's events go as they happen (the app's store and window, the CLI's stdout).
pub trait Sink: Send + Sync + 'static {
    fn event(&self, event: &TimelineEvent);
    fn watcher(&self, status: &WatcherStatus);
    fn verdicts(&self, verdicts: &[Verdict]);
}

/// Reading the environment's SQS queue.
#[derive(Debug, Clone)]
pub struct SqsWatch {
    pub queue_url: String,
    /// Delete what is read (a dedicated watcher queue); otherwise peek: make each message
    /// visible again at once so the SaaS still gets it.
    pub delete: bool,
    /// Long-poll wait, 0–20 s.
    pub wait_secs: i32,
}

#[derive(Debug, Clone)]
pub struct Intervals {
    pub entitlements: Duration,
    pub cloudtrail: Duration,
    pub feed: Duration,
    /// The longest wait between retries.
    pub backoff_max: Duration,
}

impl Default for Intervals {
    fn default() -> Self {
        Self {
            entitlements: Duration::from_secs(10),
            cloudtrail: Duration::from_secs(15),
            feed: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
        }
    }
}

#[derive(Clone)]
pub struct WatchConfig {
    pub buyer_account: String,
    /// The product code GetEntitlements and the verdicts need: the environment's, or read from
    /// the Catalog when the environment names only the product ID. Empty when neither worked.
    pub product_code: String,
    /// Why there is no product code (the Catalog lookup failed, or the environment names no
    /// product): the entitlements watcher says so on the timeline instead of never starting.
    pub product_code_problem: Option<String>,
    /// AWS (or the sandbox) for GetEntitlements and CloudTrail; no such watchers without it.
    pub sdk: Option<SdkConfig>,
    /// The SQS client's configuration when it differs from `sdk` (moto in tests).
    pub sqs_sdk: Option<SdkConfig>,
    pub sqs: Option<SqsWatch>,
    /// The sandbox's URL: its log gives the buyer's landing and EventBridge events, its clock
    /// how far CloudTrail has been read.
    pub sandbox_endpoint: Option<String>,
    /// Take SNS notifications from the sandbox's log (sandbox mode without a queue).
    pub feed_notifications: bool,
    /// Calls signed with these keys are this app's own, not the SaaS's.
    pub own_access_keys: Vec<String>,
    /// How late CloudTrail may deliver an event (AWS: typically within 15 minutes; sandbox: 0).
    pub cloudtrail_delay: Duration,
    pub intervals: Intervals,
}

fn now_str() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A new event, before the session numbers it.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub source: EventSource,
    pub kind: String,
    pub summary: la_core::checklist::Text,
    pub occurred_at: Option<String>,
    pub raw: String,
    pub malformed: bool,
}

/// 0.5 s, 1 s, 2 s… up to `max`, with ±20 % jitter so watchers do not retry in step.
pub fn backoff(attempt: u32, max: Duration) -> Duration {
    let base = Duration::from_millis(500).saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    let base = base.min(max);
    let jitter = 0.8 + rand::random::<f64>() * 0.4;
    base.mul_f64(jitter).min(max)
}

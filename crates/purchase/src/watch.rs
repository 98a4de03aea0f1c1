//! A test purchase session's watchers and its live timeline.
//!
//! A [`Session`] owns its watcher tasks: dropping it (or [`Session::close`]) cancels them, and
//! none outlives it. Each watcher loops between its call and cancellation, reports its state
//! (starting, running, retrying with the error and the wait, stopped), and backs off
//! exponentially on errors without ever giving up. A message that does not parse is put on the
//! timeline as malformed and the watcher goes on.

use crate::message::{self, Parsed};
use crate::verdict::{self, kinds, Progress};
use chrono::{DateTime, SecondsFormat, Utc};
use la_aws::SdkConfig;
use la_core::purchase::{
    EventSource, TimelineEvent, Verdict, WatcherKind, WatcherState, WatcherStatus,
};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

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
    pub product_code: String,
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

struct Shared {
    sink: Arc<dyn Sink>,
    events: Mutex<Vec<TimelineEvent>>,
    progress: Mutex<Progress>,
    statuses: Mutex<BTreeMap<u8, WatcherStatus>>,
    last_verdicts: Mutex<Vec<Verdict>>,
    ready: tokio::sync::Notify,
}

fn now_str() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A new event, before the session numbers it.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub source: EventSource,
    pub kind: String,
    pub summary: String,
    pub occurred_at: Option<String>,
    pub raw: String,
    pub malformed: bool,
}

impl Shared {
    fn push_many(&self, new: Vec<NewEvent>) -> Vec<TimelineEvent> {
        if new.is_empty() {
            return Vec::new();
        }
        let added: Vec<TimelineEvent> = {
            let mut events = self.events.lock().unwrap_or_else(|p| p.into_inner());
            new.into_iter()
                .map(|n| {
                    let e = TimelineEvent {
                        seq: events.len() as u32 + 1,
                        observed_at: now_str(),
                        occurred_at: n.occurred_at,
                        source: n.source,
                        kind: n.kind,
                        summary: n.summary,
                        malformed: n.malformed,
                        raw: n.raw,
                    };
                    events.push(e.clone());
                    e
                })
                .collect()
        };
        for e in &added {
            self.sink.event(e);
        }
        self.recompute();
        added
    }

    fn last_seq(&self) -> u32 {
        self.events.lock().unwrap_or_else(|p| p.into_inner()).len() as u32
    }

    fn recompute(&self) {
        let v = {
            let events = self.events.lock().unwrap_or_else(|p| p.into_inner());
            let progress = self.progress.lock().unwrap_or_else(|p| p.into_inner());
            verdict::verdicts(&events, &progress)
        };
        let mut last = self.last_verdicts.lock().unwrap_or_else(|p| p.into_inner());
        if *last != v {
            *last = v.clone();
            drop(last);
            self.sink.verdicts(&v);
        }
    }

    fn status(&self, kind: WatcherKind, f: impl FnOnce(&mut WatcherStatus)) {
        let s = {
            let mut all = self.statuses.lock().unwrap_or_else(|p| p.into_inner());
            let Some(s) = all.get_mut(&(kind as u8)) else {
                return;
            };
            f(s);
            s.updated_at = now_str();
            s.clone()
        };
        self.sink.watcher(&s);
        self.ready.notify_waiters();
    }
}

/// Counts live watcher tasks; the guard lives inside the task, so an aborted task counts down.
struct Live(Arc<AtomicUsize>);
impl Drop for Live {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One test purchase session's watchers. Owns its tasks: dropped means stopped.
pub struct Session {
    shared: Arc<Shared>,
    cancel: CancellationToken,
    tasks: JoinSet<()>,
    live: Arc<AtomicUsize>,
}

impl Drop for Session {
    fn drop(&mut self) {
        // The JoinSet aborts the tasks as it drops; cancelling first lets a task at a select!
        // see it even before the abort lands.
        self.cancel.cancel();
    }
}

/// What a watcher does each round: `Ok(wait)` after a successful call (how long to rest),
/// `Err(message)` to back off and retry.
trait Watcher: Send + 'static {
    fn kind(&self) -> WatcherKind;
    fn poll(
        &mut self,
        shared: &Shared,
    ) -> impl Future<Output = Result<(u32, Duration), String>> + Send;
    /// Work to finish when the session is closed (not when it is dropped).
    fn finish(&mut self) -> impl Future<Output = ()> + Send {
        async {}
    }
}

impl Session {
    /// Starts the watchers the configuration allows. Must run inside a Tokio runtime.
    pub fn start(cfg: WatchConfig, sink: Arc<dyn Sink>) -> Session {
        let shared = Arc::new(Shared {
            sink,
            events: Mutex::new(Vec::new()),
            progress: Mutex::new(Progress {
                cloudtrail_through: None,
                entitlement_polls: Vec::new(),
                buyer_account: cfg.buyer_account.clone(),
            }),
            statuses: Mutex::new(BTreeMap::new()),
            last_verdicts: Mutex::new(Vec::new()),
            ready: tokio::sync::Notify::new(),
        });
        let mut s = Session {
            shared,
            cancel: CancellationToken::new(),
            tasks: JoinSet::new(),
            live: Arc::new(AtomicUsize::new(0)),
        };
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap_or_default();
        if let Some(q) = &cfg.sqs {
            if let Some(sdk) = cfg.sqs_sdk.as_ref().or(cfg.sdk.as_ref()) {
                s.spawn(
                    SqsWatcher {
                        client: aws_sdk_sqs::Client::new(sdk),
                        watch: q.clone(),
                        seen: HashSet::new(),
                        deletes: JoinSet::new(),
                        delete_errors: Arc::new(AtomicUsize::new(0)),
                    },
                    q.queue_url.clone(),
                    cfg.intervals.backoff_max,
                );
            }
        }
        if let Some(ep) = &cfg.sandbox_endpoint {
            s.spawn(
                FeedWatcher {
                    http: http.clone(),
                    endpoint: ep.trim_end_matches('/').to_string(),
                    cursor: None,
                    notifications: cfg.feed_notifications,
                    interval: cfg.intervals.feed,
                },
                format!("{ep}/_sandbox/notifications"),
                cfg.intervals.backoff_max,
            );
        }
        if let Some(sdk) = &cfg.sdk {
            if !cfg.product_code.is_empty() {
                s.spawn(
                    EntitlementWatcher {
                        client: aws_sdk_marketplaceentitlement::Client::new(sdk),
                        product_code: cfg.product_code.clone(),
                        buyer: cfg.buyer_account.clone(),
                        last: None,
                        interval: cfg.intervals.entitlements,
                    },
                    format!("{} / {}", cfg.product_code, cfg.buyer_account),
                    cfg.intervals.backoff_max,
                );
            }
            s.spawn(
                CloudTrailWatcher {
                    client: aws_sdk_cloudtrail::Client::new(sdk),
                    http,
                    sandbox: cfg.sandbox_endpoint.clone(),
                    delay: cfg.cloudtrail_delay,
                    own: cfg.own_access_keys.clone(),
                    seen: None,
                    buyer: cfg.buyer_account.clone(),
                    interval: cfg.intervals.cloudtrail,
                },
                "ResolveCustomer, BatchMeterUsage".into(),
                cfg.intervals.backoff_max,
            );
        }
        s
    }

    fn spawn<W: Watcher>(&mut self, mut w: W, target: String, backoff_max: Duration) {
        let kind = w.kind();
        let status = WatcherStatus {
            watcher: kind,
            state: WatcherState::Starting,
            target,
            error: None,
            retry_in_ms: None,
            polls: 0,
            events: 0,
            updated_at: now_str(),
        };
        self.shared
            .statuses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(kind as u8, status.clone());
        self.shared.sink.watcher(&status);
        let shared = self.shared.clone();
        let cancel = self.cancel.clone();
        self.live.fetch_add(1, Ordering::SeqCst);
        let live = Live(self.live.clone());
        self.tasks.spawn(async move {
            let _live = live;
            let mut attempt: u32 = 0;
            loop {
                let res = tokio::select! {
                    _ = cancel.cancelled() => break,
                    r = w.poll(&shared) => r,
                };
                let wait = match res {
                    Ok((n, rest)) => {
                        attempt = 0;
                        shared.status(kind, |s| {
                            s.state = WatcherState::Running;
                            s.error = None;
                            s.retry_in_ms = None;
                            s.polls += 1;
                            s.events += n;
                        });
                        rest
                    }
                    Err(e) => {
                        attempt += 1;
                        let wait = backoff(attempt, backoff_max);
                        tracing::warn!(watcher = ?kind, error = %e, attempt, "watcher call failed; retrying");
                        shared.status(kind, |s| {
                            s.state = WatcherState::Retrying;
                            s.error = Some(e);
                            s.retry_in_ms = Some(wait.as_millis() as u32);
                        });
                        wait
                    }
                };
                if !wait.is_zero() {
                    tokio::select! {
                        _ = cancel.cancelled() => break,
                        _ = tokio::time::sleep(wait) => {}
                    }
                }
            }
            // Closed, not aborted: let in-flight deletes land, so a dedicated queue does not
            // hand the same messages to the next session.
            let _ = tokio::time::timeout(Duration::from_secs(5), w.finish()).await;
            shared.status(kind, |s| {
                s.state = WatcherState::Stopped;
                s.retry_in_ms = None;
            });
        });
    }

    /// Waits until every watcher has made its first successful call (or `limit` passes), so
    /// what happens next is not mistaken for history.
    pub async fn ready(&self, limit: Duration) -> bool {
        let until = tokio::time::Instant::now() + limit;
        loop {
            let notified = self.shared.ready.notified();
            if self.statuses().iter().all(|s| s.polls > 0) {
                return true;
            }
            if tokio::time::timeout_at(until, notified).await.is_err() {
                return false;
            }
        }
    }

    /// Adds an event from outside the watchers (the tester's steps, sandbox actions).
    pub fn add(&self, e: NewEvent) -> TimelineEvent {
        self.shared
            .push_many(vec![e])
            .pop()
            .unwrap_or_else(unreachable_event)
    }

    /// The tester's own step or note.
    pub fn tester(&self, kind: &str, summary: &str) -> TimelineEvent {
        self.add(NewEvent {
            source: EventSource::Tester,
            kind: kind.to_string(),
            summary: summary.to_string(),
            occurred_at: Some(now_str()),
            raw: json!({"kind": kind, "note": summary}).to_string(),
            malformed: false,
        })
    }

    pub fn events(&self) -> Vec<TimelineEvent> {
        self.shared
            .events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn verdicts(&self) -> Vec<Verdict> {
        let events = self.events();
        let p = self
            .shared
            .progress
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        verdict::verdicts(&events, &p)
    }

    pub fn statuses(&self) -> Vec<WatcherStatus> {
        self.shared
            .statuses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// How many watcher tasks are alive (tests prove none outlives its session).
    pub fn live_counter(&self) -> Arc<AtomicUsize> {
        self.live.clone()
    }

    /// Cancels the watchers and waits for each to stop.
    pub async fn close(mut self) {
        self.cancel.cancel();
        while self.tasks.join_next().await.is_some() {}
    }
}

fn unreachable_event() -> TimelineEvent {
    TimelineEvent {
        seq: 0,
        observed_at: now_str(),
        occurred_at: None,
        source: EventSource::Tester,
        kind: String::new(),
        summary: String::new(),
        malformed: false,
        raw: String::new(),
    }
}

/// 0.5 s, 1 s, 2 s… up to `max`, with ±20 % jitter so watchers do not retry in step.
pub fn backoff(attempt: u32, max: Duration) -> Duration {
    let base = Duration::from_millis(500).saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    let base = base.min(max);
    let jitter = 0.8 + rand::random::<f64>() * 0.4;
    base.mul_f64(jitter).min(max)
}

/// A notification (SQS body or sandbox log entry) as a timeline event.
pub fn notification_event(body: &str, source: EventSource) -> NewEvent {
    match message::parse(body) {
        Parsed::Marketplace(m) => {
            let who = m
                .customer_aws_account_id
                .as_deref()
                .or(m.customer_identifier.as_deref())
                .unwrap_or("?");
            let mut summary = format!("{} for customer {who}", m.action.as_str());
            if let Some(code) = &m.product_code {
                summary.push_str(&format!(", product {code}"));
            }
            if let Some(offer) = &m.offer_identifier {
                summary.push_str(&format!(", offer {offer}"));
            }
            if m.free_trial == Some(true) {
                summary.push_str(" (free trial)");
            }
            NewEvent {
                source,
                kind: m.action.as_str().to_string(),
                summary,
                occurred_at: m.timestamp.clone(),
                raw: body.to_string(),
                malformed: false,
            }
        }
        Parsed::EventBridge(e) => {
            let mut summary = e.detail_type.clone();
            if let Some(a) = &e.agreement_id {
                summary.push_str(&format!(", agreement {a}"));
            }
            if let Some(acc) = &e.acceptor_account {
                summary.push_str(&format!(", buyer {acc}"));
            }
            if let Some(s) = &e.status {
                summary.push_str(&format!(" ({s})"));
            }
            NewEvent {
                source: EventSource::EventBridge,
                kind: e.detail_type.clone(),
                summary,
                occurred_at: e.time.clone(),
                raw: body.to_string(),
                malformed: false,
            }
        }
        Parsed::Malformed { reason } => NewEvent {
            source,
            kind: kinds::MALFORMED.into(),
            summary: format!("malformed message: {reason}"),
            occurred_at: None,
            raw: body.to_string(),
            malformed: true,
        },
    }
}

// ---- SQS --------------------------------------------------------------------------------------

struct SqsWatcher {
    client: aws_sdk_sqs::Client,
    watch: SqsWatch,
    /// Message ids already on the timeline (peeking receives the same message again).
    seen: HashSet<String>,
    /// Deletes in flight: the next receive does not wait for them.
    deletes: JoinSet<()>,
    delete_errors: Arc<AtomicUsize>,
}

/// How long a peeked message stays hidden if it is never released.
const PEEK_VISIBILITY_SECS: i32 = 3;

/// Deletes in flight at most; beyond that the watcher waits for one to finish.
const DELETES_IN_FLIGHT: usize = 8;

impl Watcher for SqsWatcher {
    fn kind(&self) -> WatcherKind {
        WatcherKind::Sqs
    }

    async fn finish(&mut self) {
        while self.deletes.join_next().await.is_some() {}
    }

    async fn poll(&mut self, shared: &Shared) -> Result<(u32, Duration), String> {
        while self.deletes.try_join_next().is_some() {}
        let mut receive = self.client.receive_message();
        if !self.watch.delete {
            // Peeking hides a message from the SaaS only briefly, even if this app stops between
            // the receive and the release.
            receive = receive.visibility_timeout(PEEK_VISIBILITY_SECS);
        }
        let out = receive
            .queue_url(&self.watch.queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(self.watch.wait_secs.clamp(0, 20))
            .message_system_attribute_names(
                aws_sdk_sqs::types::MessageSystemAttributeName::SentTimestamp,
            )
            .send()
            .await
            .map_err(|e| la_aws::marketplace::app_error("ReceiveMessage", &e).message)?;
        let mut new = Vec::new();
        let mut handles = Vec::new();
        for m in out.messages() {
            let id = m.message_id().unwrap_or_default().to_string();
            if let Some(h) = m.receipt_handle() {
                handles.push((id.clone(), h.to_string()));
            }
            if !self.seen.insert(id) {
                continue;
            }
            let mut e = notification_event(m.body().unwrap_or_default(), EventSource::Sqs);
            if e.occurred_at.is_none() {
                // EventBridge events carry their time; anything else gets the time SQS got it.
                e.occurred_at = m
                    .attributes()
                    .and_then(|a| {
                        a.get(&aws_sdk_sqs::types::MessageSystemAttributeName::SentTimestamp)
                    })
                    .and_then(|t| t.parse::<i64>().ok())
                    .and_then(DateTime::from_timestamp_millis)
                    .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true));
            }
            new.push(e);
        }
        let n = new.len() as u32;
        shared.push_many(new);
        if !handles.is_empty() {
            while self.deletes.len() >= DELETES_IN_FLIGHT {
                self.deletes.join_next().await;
            }
            let client = self.client.clone();
            let queue = self.watch.queue_url.clone();
            let errors = self.delete_errors.clone();
            let delete = self.watch.delete;
            self.deletes.spawn(async move {
                let res = if delete {
                    let mut b = client.delete_message_batch().queue_url(&queue);
                    for (i, (_, h)) in handles.iter().enumerate() {
                        if let Ok(entry) = aws_sdk_sqs::types::DeleteMessageBatchRequestEntry::builder()
                            .id(i.to_string())
                            .receipt_handle(h)
                            .build()
                        {
                            b = b.entries(entry);
                        }
                    }
                    b.send().await.map(|o| o.failed().len()).map_err(|e| e.to_string())
                } else {
                    // Peek: visible again at once, so the SaaS's own consumer gets it.
                    let mut b = client.change_message_visibility_batch().queue_url(&queue);
                    for (i, (_, h)) in handles.iter().enumerate() {
                        if let Ok(entry) = aws_sdk_sqs::types::ChangeMessageVisibilityBatchRequestEntry::builder()
                            .id(i.to_string())
                            .receipt_handle(h)
                            .visibility_timeout(0)
                            .build()
                        {
                            b = b.entries(entry);
                        }
                    }
                    b.send().await.map(|o| o.failed().len()).map_err(|e| e.to_string())
                };
                match res {
                    Ok(0) => {}
                    Ok(failed) => {
                        errors.fetch_add(failed, Ordering::Relaxed);
                    }
                    Err(e) => {
                        errors.fetch_add(handles.len(), Ordering::Relaxed);
                        tracing::warn!(error = %e, delete, "could not delete or release SQS messages");
                    }
                }
            });
        }
        // Peeking sees its own released messages again at once: rest a moment when a batch
        // brought nothing new, so the watcher does not spin against the SaaS's consumer.
        let rest = if !self.watch.delete && n == 0 && !out.messages().is_empty() {
            Duration::from_secs(2)
        } else {
            Duration::ZERO
        };
        Ok((n, rest))
    }
}

// ---- the sandbox's log ------------------------------------------------------------------------

struct FeedWatcher {
    http: reqwest::Client,
    endpoint: String,
    /// Entries of the log already read; the first poll only takes the position.
    cursor: Option<usize>,
    notifications: bool,
    interval: Duration,
}

impl Watcher for FeedWatcher {
    fn kind(&self) -> WatcherKind {
        WatcherKind::SandboxFeed
    }

    async fn poll(&mut self, shared: &Shared) -> Result<(u32, Duration), String> {
        let url = format!("{}/_sandbox/notifications", self.endpoint);
        let resp = self
            .http
            .get(&url)
            .send()
            .await
            .map_err(|e| format!("GET {url}: {}", la_aws::http_error_chain(&e)))?;
        if !resp.status().is_success() {
            return Err(format!("GET {url}: HTTP {}", resp.status()));
        }
        let log: Vec<Value> = resp
            .json()
            .await
            .map_err(|e| format!("GET {url}: not the sandbox's log ({e})"))?;
        let from = match self.cursor {
            None => {
                self.cursor = Some(log.len());
                return Ok((0, self.interval));
            }
            // The sandbox restarted with a shorter log: start over from its beginning.
            Some(c) if c > log.len() => 0,
            Some(c) => c,
        };
        self.cursor = Some(log.len());
        let mut new = Vec::new();
        for entry in &log[from..] {
            let time = entry["time"].as_str().map(str::to_string);
            if let Some(ev) = entry.get("eventbridge") {
                new.push(notification_event(
                    &ev.to_string(),
                    EventSource::EventBridge,
                ));
            } else if let Some(l) = entry.get("landing") {
                let via = l["via"].as_str().unwrap_or("direct");
                let status = l["status"]
                    .as_u64()
                    .map_or("".into(), |s| format!(", HTTP {s}"));
                new.push(NewEvent {
                    source: EventSource::Sandbox,
                    kind: kinds::LANDING.into(),
                    summary: format!(
                        "the buyer landed on {} ({}{status})",
                        l["url"].as_str().unwrap_or("?"),
                        if via == "browser" {
                            "through the browser"
                        } else {
                            "posted by the sandbox"
                        }
                    ),
                    occurred_at: time,
                    raw: entry.to_string(),
                    malformed: false,
                });
            } else if self.notifications {
                match entry["body"].as_str() {
                    Some(body) => new.push(notification_event(body, EventSource::Sns)),
                    None => new.push(NewEvent {
                        source: EventSource::Sns,
                        kind: kinds::MALFORMED.into(),
                        summary: "malformed message: a sandbox log entry without a body".into(),
                        occurred_at: time,
                        raw: entry.to_string(),
                        malformed: true,
                    }),
                }
            }
        }
        let n = new.len() as u32;
        shared.push_many(new);
        Ok((n, self.interval))
    }
}

// ---- entitlements -----------------------------------------------------------------------------

struct EntitlementWatcher {
    client: aws_sdk_marketplaceentitlement::Client,
    product_code: String,
    buyer: String,
    last: Option<BTreeMap<String, String>>,
    interval: Duration,
}

fn short_license(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

/// "seats: 1 → 25; api_calls (l-…): added" — what changed between two polls.
pub fn entitlement_diff(
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in after {
        match before.get(k) {
            None => out.push(format!("{k}: {v} (new)")),
            Some(old) if old != v => out.push(format!("{k}: {old} → {v}")),
            _ => {}
        }
    }
    for (k, v) in before {
        if !after.contains_key(k) {
            out.push(format!("{k}: {v} (removed)"));
        }
    }
    out
}

impl Watcher for EntitlementWatcher {
    fn kind(&self) -> WatcherKind {
        WatcherKind::Entitlements
    }

    async fn poll(&mut self, shared: &Shared) -> Result<(u32, Duration), String> {
        use aws_sdk_marketplaceentitlement::types::GetEntitlementFilterName as F;
        let mut now = BTreeMap::new();
        let mut token = None;
        for _ in 0..20 {
            let out = self
                .client
                .get_entitlements()
                .product_code(&self.product_code)
                .filter(F::CustomerAwsAccountId, vec![self.buyer.clone()])
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| la_aws::marketplace::app_error("GetEntitlements", &e).message)?;
            for e in out.entitlements() {
                let v = e.value().map_or(String::from("?"), |v| {
                    v.integer_value()
                        .map(|i| i.to_string())
                        .or(v.double_value().map(|d| d.to_string()))
                        .or(v.boolean_value().map(|b| b.to_string()))
                        .or(v.string_value().map(str::to_string))
                        .unwrap_or_default()
                });
                let key = format!(
                    "{} ({})",
                    e.dimension().unwrap_or("?"),
                    short_license(e.license_arn().unwrap_or("no license"))
                );
                now.insert(key, v);
            }
            token = out.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        let ev = match &self.last {
            None => Some(NewEvent {
                source: EventSource::Entitlements,
                kind: "entitlements".into(),
                summary: if now.is_empty() {
                    format!("no entitlements for {} yet", self.buyer)
                } else {
                    format!("entitlements of {}: {}", self.buyer, fmt_map(&now))
                },
                occurred_at: Some(now_str()),
                raw: json!({"entitlements": now}).to_string(),
                malformed: false,
            }),
            Some(before) => {
                let diff = entitlement_diff(before, &now);
                (!diff.is_empty()).then(|| NewEvent {
                    source: EventSource::Entitlements,
                    kind: kinds::ENTITLEMENTS_CHANGED.into(),
                    summary: diff.join("; "),
                    occurred_at: Some(now_str()),
                    raw: json!({"before": before, "after": now}).to_string(),
                    malformed: false,
                })
            }
        };
        self.last = Some(now);
        let n = ev.is_some() as u32;
        shared.push_many(ev.into_iter().collect());
        let seq = shared.last_seq();
        shared
            .progress
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entitlement_polls
            .push(seq);
        shared.recompute();
        Ok((n, self.interval))
    }
}

fn fmt_map(m: &BTreeMap<String, String>) -> String {
    m.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---- CloudTrail -------------------------------------------------------------------------------

struct CloudTrailWatcher {
    client: aws_sdk_cloudtrail::Client,
    http: reqwest::Client,
    sandbox: Option<String>,
    delay: Duration,
    own: Vec<String>,
    /// Event ids already seen; the first poll takes what exists as history.
    seen: Option<HashSet<String>>,
    buyer: String,
    interval: Duration,
}

impl CloudTrailWatcher {
    /// "Now" by the clock CloudTrail's times are in: the sandbox's, or AWS's less its delay.
    async fn clock(&self) -> Result<DateTime<Utc>, String> {
        match &self.sandbox {
            Some(ep) => {
                let url = format!("{}/_sandbox/clock", ep.trim_end_matches('/'));
                let v: Value = self
                    .http
                    .get(&url)
                    .send()
                    .await
                    .map_err(|e| format!("GET {url}: {}", la_aws::http_error_chain(&e)))?
                    .json()
                    .await
                    .map_err(|e| format!("GET {url}: {e}"))?;
                v["now"]
                    .as_str()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&Utc))
                    .ok_or_else(|| format!("GET {url}: no clock in the answer"))
            }
            None => Ok(Utc::now() - chrono::Duration::from_std(self.delay).unwrap_or_default()),
        }
    }
}

impl Watcher for CloudTrailWatcher {
    fn kind(&self) -> WatcherKind {
        WatcherKind::CloudTrail
    }

    async fn poll(&mut self, shared: &Shared) -> Result<(u32, Duration), String> {
        use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
        // Read the clock first: everything up to it is in the answer that follows.
        let through = self.clock().await?;
        let mut found: Vec<(i64, NewEvent, String)> = Vec::new();
        for name in [kinds::RESOLVE, kinds::METER] {
            let attr = LookupAttribute::builder()
                .attribute_key(LookupAttributeKey::EventName)
                .attribute_value(name)
                .build()
                .map_err(|e| e.to_string())?;
            let out = self
                .client
                .lookup_events()
                .lookup_attributes(attr)
                .max_results(50)
                .send()
                .await
                .map_err(|e| la_aws::marketplace::app_error("LookupEvents", &e).message)?;
            for e in out.events() {
                let id = e.event_id().unwrap_or_default().to_string();
                let key = e.access_key_id().unwrap_or_default();
                if self.own.iter().any(|k| k == key) {
                    continue;
                }
                let raw = e.cloud_trail_event().unwrap_or_default().to_string();
                let record: Value = serde_json::from_str(&raw).unwrap_or(Value::Null);
                let secs = e.event_time().map(|t| t.secs()).unwrap_or_default();
                let at = DateTime::from_timestamp(secs, 0)
                    .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true));
                let mut summary = format!("{name} by the SaaS (access key {key})");
                if name == kinds::METER {
                    let records = record["requestParameters"]["usageRecords"].as_array();
                    let n = records.map_or(0, Vec::len);
                    let mine = records.map_or(0, |r| {
                        r.iter()
                            .filter(|r| r["customerAWSAccountId"].as_str() == Some(&self.buyer))
                            .count()
                    });
                    summary.push_str(&format!(": {n} record(s), {mine} for {}", self.buyer));
                }
                if let Some(code) = record["errorCode"].as_str() {
                    summary.push_str(&format!(" — failed: {code}"));
                }
                found.push((
                    secs,
                    NewEvent {
                        source: EventSource::CloudTrail,
                        kind: name.to_string(),
                        summary,
                        occurred_at: at,
                        raw,
                        malformed: false,
                    },
                    id,
                ));
            }
        }
        let mut new = Vec::new();
        match &mut self.seen {
            None => self.seen = Some(found.into_iter().map(|(_, _, id)| id).collect()),
            Some(seen) => {
                found.sort_by_key(|(t, _, _)| *t);
                for (_, e, id) in found {
                    if seen.insert(id) {
                        new.push(e);
                    }
                }
            }
        }
        let n = new.len() as u32;
        {
            let mut p = shared.progress.lock().unwrap_or_else(|p| p.into_inner());
            p.cloudtrail_through = Some(through);
        }
        shared.push_many(new);
        shared.recompute();
        Ok((n, self.interval))
    }
}

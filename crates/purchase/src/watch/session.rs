//! The session: its timeline, its watcher tasks and their states, and the verdicts it
//! recomputes as events arrive.

use super::cloudtrail::CloudTrailWatcher;
use super::entitlements::EntitlementWatcher;
use super::feed::FeedWatcher;
use super::sqs::SqsWatcher;
use super::{backoff, now_str, NewEvent, Sink, WatchConfig};
use crate::party;
use crate::verdict::{self, kinds, Progress};
use la_core::purchase::{
    EventSource, TimelineEvent, Verdict, WatcherKind, WatcherState, WatcherStatus,
};
use serde_json::json;
use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub(super) struct Shared {
    sink: Arc<dyn Sink>,
    events: Mutex<Vec<TimelineEvent>>,
    pub(super) progress: Mutex<Progress>,
    statuses: Mutex<BTreeMap<u8, WatcherStatus>>,
    last_verdicts: Mutex<Vec<Verdict>>,
    ready: tokio::sync::Notify,
}

impl Shared {
    pub(super) fn push_many(&self, new: Vec<NewEvent>) -> Vec<TimelineEvent> {
        if new.is_empty() {
            return Vec::new();
        }
        let (buyer, product) = {
            let p = self.progress.lock().unwrap_or_else(|p| p.into_inner());
            (p.buyer_account.clone(), p.product_code.clone())
        };
        let added: Vec<TimelineEvent> = {
            let mut events = self.events.lock().unwrap_or_else(|p| p.into_inner());
            let first = events.len() as u32 + 1;
            let mut batch: Vec<TimelineEvent> = new
                .into_iter()
                .zip(first..)
                .map(|(n, seq)| TimelineEvent {
                    seq,
                    observed_at: now_str(),
                    occurred_at: n.occurred_at,
                    source: n.source,
                    kind: n.kind,
                    summary: n.summary,
                    malformed: n.malformed,
                    raw: n.raw,
                })
                .collect();
            // Another buyer's or product's message stays on the timeline, marked as such. The
            // whole batch is learnt first: an agreement event names its product only through
            // the license event that follows it.
            let mut id = party::identity(&events, &buyer, &product);
            id.learn(&batch);
            for e in &mut batch {
                if let Some(mark) = id.party(e).mark() {
                    e.summary = la_core::checklist::Text {
                        en: format!("{}: {}", mark.en, e.summary.en),
                        ja: format!("{}: {}", mark.ja, e.summary.ja),
                    };
                }
            }
            events.extend(batch.iter().cloned());
            batch
        };
        for e in &added {
            self.sink.event(e);
        }
        self.recompute();
        added
    }

    pub(super) fn last_seq(&self) -> u32 {
        self.events.lock().unwrap_or_else(|p| p.into_inner()).len() as u32
    }

    pub(super) fn recompute(&self) {
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

    /// A watcher's first status (starting, or unavailable), kept and told to the sink.
    fn publish(&self, kind: WatcherKind, status: WatcherStatus) {
        self.statuses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(kind as u8, status.clone());
        self.sink.watcher(&status);
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
pub(super) trait Watcher: Send + 'static {
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
                product_code: cfg.product_code.clone(),
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
            let code = match cfg.product_code.as_str() {
                "" => "no product code",
                c => c,
            };
            let target = format!("{code} / {}", cfg.buyer_account);
            if !cfg.product_code.is_empty() {
                s.spawn(
                    EntitlementWatcher::new(
                        sdk,
                        &cfg.product_code,
                        &cfg.buyer_account,
                        cfg.intervals.entitlements,
                    ),
                    target,
                    cfg.intervals.backoff_max,
                );
            } else {
                // GetEntitlements needs the product code: say why it is not read, on the
                // timeline and in the watcher's state, instead of never starting in silence.
                let reason = cfg.product_code_problem.clone().unwrap_or_else(|| {
                    "the environment names neither a product code nor a product ID".into()
                });
                s.unavailable(
                    WatcherKind::Entitlements,
                    EventSource::Entitlements,
                    target,
                    reason,
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
                    through: None,
                },
                "ResolveCustomer, BatchMeterUsage".into(),
                cfg.intervals.backoff_max,
            );
        }
        s
    }

    /// A watcher that cannot start: stopped with the reason, and an event saying so.
    fn unavailable(
        &mut self,
        kind: WatcherKind,
        source: EventSource,
        target: String,
        reason: String,
    ) {
        let status = WatcherStatus {
            watcher: kind,
            state: WatcherState::Stopped,
            target,
            error: Some(reason.clone()),
            retry_in_ms: None,
            polls: 0,
            events: 1,
            updated_at: now_str(),
        };
        self.shared.publish(kind, status);
        let name = match kind {
            WatcherKind::Sqs => "sqs",
            WatcherKind::SandboxFeed => "sandbox_feed",
            WatcherKind::Entitlements => "entitlements",
            WatcherKind::CloudTrail => "cloudtrail",
        };
        self.shared.push_many(vec![NewEvent {
            source,
            kind: kinds::WATCHER_UNAVAILABLE.into(),
            summary: la_core::text!(
                "the {name} watcher cannot start: {reason}",
                "{name} の監視を開始できません: {reason}"
            ),
            occurred_at: Some(now_str()),
            raw: json!({"watcher": name, "reason": reason}).to_string(),
            malformed: false,
        }]);
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
        self.shared.publish(kind, status);
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
            // A watcher that could not start has nothing to wait for.
            if self
                .statuses()
                .iter()
                .all(|s| s.polls > 0 || s.state == WatcherState::Stopped)
            {
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
            // The tester's own words, in whatever language they wrote them.
            summary: la_core::checklist::Text::same(summary),
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
        summary: la_core::checklist::Text::same(""),
        malformed: false,
        raw: String::new(),
    }
}

//! The live timeline of a test purchase session, as a tester feels it (issue 15, item 3).
//!
//! One process holds what the desktop holds: `la_app::App` on a fresh data folder, its built-in
//! sandbox, and a session on the Demo workspace's staging environment with all four watchers
//! (SQS, the sandbox's log, GetEntitlements, CloudTrail), the queue being moto's SQS. The sink is
//! the app's own (store, then the UI event), so "on the timeline" means stored and announced.
//!
//! 1. Latency: notifications (SNS envelopes, as Marketplace sends them) are sent to the queue one
//!    at a time, at random moments; each is timed from just before SendMessage to the host
//!    receiving its `PurchaseEvent`. Prints p50/p99/max against the 1 s target.
//! 2. Idle: the session then sits with nothing happening; this process's CPU time (the app,
//!    its four watchers and the in-process sandbox serving three of them) over the window, as a
//!    share of one core, against the 0.5 % target. moto's own CPU is AWS's side and not counted.
//!
//! Before idling, the sandbox is given a history (a purchase and `LA_BENCH_HISTORY` metering
//! calls, 1,000 by default), so the CloudTrail and log watchers read a used sandbox, not an empty
//! one. `cargo run --release -p la-app --example timeline_bench` (bench/timeline.sh);
//! `LA_BENCH_MESSAGES` (200) and `LA_BENCH_IDLE_SECS` (60) change the sizes.

use la_app::purchase::{SandboxAction, StartPurchase};
use la_app::{App, AppEvent, Host, Options};
use la_core::model::EnvKind;
use la_core::secrets::Backend;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Tells the bench when an event carrying a marker reaches the host.
#[derive(Default)]
struct Arrivals {
    seen: Mutex<Vec<(String, Instant)>>,
    notify: tokio::sync::Notify,
}

impl Host for Arrivals {
    fn emit(&self, event: AppEvent) {
        if let AppEvent::PurchaseEvent(e) = event {
            let at = Instant::now();
            self.seen
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((e.event.raw, at));
            self.notify.notify_waiters();
        }
    }
    fn open_url(&self, _: &str) -> Result<(), la_app::AppError> {
        Ok(())
    }
    fn open_file(&self, _: &Path) -> Result<(), la_app::AppError> {
        Ok(())
    }
}

impl Arrivals {
    /// When the event whose raw text holds `marker` arrived, waiting up to `limit`.
    async fn wait_for(&self, marker: &str, limit: Duration) -> Option<Instant> {
        let deadline = Instant::now() + limit;
        loop {
            let wait = self.notify.notified();
            if let Some(at) = self
                .seen
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .iter()
                .find(|(raw, _)| raw.contains(marker))
                .map(|(_, at)| *at)
            {
                return Some(at);
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            let _ = tokio::time::timeout(left.min(Duration::from_millis(100)), wait).await;
        }
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let messages = env_usize("LA_BENCH_MESSAGES", 200);
    let idle_secs = env_usize("LA_BENCH_IDLE_SECS", 60) as u64;
    let history = env_usize("LA_BENCH_HISTORY", 1000);

    let moto = la_testkit::moto();
    let (sqs, queue) = la_testkit::sqs::queue(&moto.url, "timeline-bench").await;

    let dir = tempfile::tempdir().expect("temp dir");
    let host = Arc::new(Arrivals::default());
    let app = App::open(
        &Options {
            data_dir: dir.path().to_path_buf(),
            keyring_service: "io.listingassistant.bench".into(),
            keyring: Backend::Mock,
            seed_demo_if_empty: false,
        },
        host.clone(),
    );
    la_app::sandbox::start_builtin(&app, Some("127.0.0.1:0")).await;
    let demo = la_app::workspace::by_name(&app, "Demo")
        .await
        .expect("the Demo workspace");
    let detail = la_app::workspace::detail(&app, &demo.id)
        .await
        .expect("detail");
    let env = detail
        .environments
        .iter()
        .find(|e| e.kind == EnvKind::Staging)
        .expect("staging");
    let mut settings = env.settings.clone();
    settings.sqs_queue_url = queue.clone();
    la_app::workspace::save_environment(&app, &demo.id, EnvKind::Staging, &settings)
        .await
        .expect("point staging at the queue");

    let session = la_app::purchase::start(
        &app,
        StartPurchase {
            workspace_id: demo.id.clone(),
            env: EnvKind::Staging,
            buyer_account: "444455556666".into(),
            // A dedicated watcher queue: the watcher deletes what it reads.
            delete_messages: true,
            open_product_page: false,
        },
    )
    .await
    .expect("start the session");
    // The buyer subscribes: a license, the landing, notifications; then the SaaS meters.
    la_app::purchase::sandbox(&app, &session.id, SandboxAction::Purchase)
        .await
        .expect("purchase");
    tokio::time::sleep(Duration::from_secs(3)).await;

    // 1. Latency, one notification at a time at random moments.
    let topic = "arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-demostg7ky5a0d3rqx2ub6y8m";
    let mut lat = Vec::with_capacity(messages);
    let mut lost = 0;
    for i in 0..messages {
        tokio::time::sleep(Duration::from_millis(20 + rand_ms(200))).await;
        let marker = format!("bench-{i}-{}", rand_ms(1_000_000_000));
        let msg = format!(
            "{{\n\"action\": \"subscribe-success\",\n\"customer-identifier\": \"{marker}\",\n\"product-code\": \"demostg7ky5a0d3rqx2ub6y8m\"\n}}"
        );
        let body = la_sandbox::buyer::sns_envelope(
            topic,
            &msg,
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64),
        );
        let t0 = Instant::now();
        sqs.send_message()
            .queue_url(&queue)
            .message_body(body)
            .send()
            .await
            .expect("send");
        match host.wait_for(&marker, Duration::from_secs(30)).await {
            Some(at) => lat.push(at.duration_since(t0).as_secs_f64() * 1000.0),
            None => lost += 1,
        }
    }
    lat.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));

    // A used sandbox: its CloudTrail and log hold history the watchers must not re-read.
    let license = la_app::sandbox::activity(&app)
        .await
        .expect("activity")
        .licenses
        .into_iter()
        .find(|l| l.customer_aws_account_id == "444455556666")
        .expect("the buyer's license")
        .license_arn;
    for _ in 0..history {
        let _ = la_app::sandbox::meter(&app, "444455556666", &license, "api_calls", 1).await;
    }
    // Let the watchers read that history once, then idle.
    tokio::time::sleep(Duration::from_secs(10)).await;

    // 2. Idle.
    let (c0, t0) = (la_testkit::cpu_secs("self"), Instant::now());
    tokio::time::sleep(Duration::from_secs(idle_secs)).await;
    let (c1, t1) = (la_testkit::cpu_secs("self"), Instant::now());
    let idle_pct = (c1 - c0) / t1.duration_since(t0).as_secs_f64() * 100.0;

    la_app::purchase::stop(&app, &session.id)
        .await
        .expect("stop");

    println!(
        "Live timeline: a test purchase session on the Demo workspace (sandbox, all four watchers), queue on moto's SQS"
    );
    println!(
        "notification in the queue -> stored and on the UI, {} messages ({lost} lost): p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms  (target p99 <= 1000 ms)",
        lat.len(),
        pct(&lat, 0.50),
        pct(&lat, 0.99),
        lat.last().copied().unwrap_or(f64::NAN),
    );
    println!(
        "idle session, {idle_secs} s after {history} metering calls: {:.3} % of one core  (target <= 0.5 %)",
        idle_pct
    );
    drop(moto);
}

/// A pseudo-random number of milliseconds below `max`, from the clock (no extra dependency).
fn rand_ms(max: u64) -> u64 {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0);
    (n.wrapping_mul(6364136223846793005) >> 16) % max.max(1)
}

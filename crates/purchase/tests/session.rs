//! Test purchase sessions end to end: the Marketplace sandbox delivering to moto's SQS, a SaaS
//! stub on loopback (one that resolves tokens and one that never does), and the session's
//! watchers building the timeline and its verdicts.

use la_core::model::{CredentialSource, EnvMode, EnvironmentSettings, PricingModel};
use la_core::purchase::{
    TimelineEvent, Verdict, VerdictId, VerdictState, WatcherState, WatcherStatus,
};
use la_purchase::sandbox::SandboxBuyer;
use la_purchase::watch::{Session, Sink};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const PRODUCT: &str = "prod-demostg4a7k2q";
const CODE: &str = "demostg7ky5a0d3rqx2ub6y8m";
const BUYER: &str = "444455556666";
/// The SaaS stub's own keys, so CloudTrail tells its calls from the app's.
const SAAS_KEY: &str = "AKIASAASSTUB00000001";
const SAAS_SECRET: &str = "saas-stub-secret";

#[derive(Default)]
struct Collect {
    events: Mutex<Vec<TimelineEvent>>,
    statuses: Mutex<Vec<WatcherStatus>>,
    verdicts: Mutex<Vec<Vec<Verdict>>>,
}
impl Sink for Collect {
    fn event(&self, e: &TimelineEvent) {
        self.events.lock().expect("lock").push(e.clone());
    }
    fn watcher(&self, s: &WatcherStatus) {
        self.statuses.lock().expect("lock").push(s.clone());
    }
    fn verdicts(&self, v: &[Verdict]) {
        self.verdicts.lock().expect("lock").push(v.to_vec());
    }
}

/// The SaaS's registration page: `/good` resolves the token with ResolveCustomer (as a SaaS
/// must), `/silent` greets the buyer and never calls AWS.
async fn saas_stub(sandbox_url: String) -> String {
    use axum::routing::post;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let cfg = la_aws::access::static_config(&sandbox_url, SAAS_KEY, SAAS_SECRET);
    let app = axum::Router::new()
        .route(
            "/good/register",
            post(move |body: String| {
                let cfg = cfg.clone();
                async move {
                    let token = body
                        .strip_prefix("x-amzn-marketplace-token=")
                        .map(la_sandbox::protocol::percent_decode)
                        .unwrap_or_default();
                    let r = aws_sdk_marketplacemetering::Client::new(&cfg)
                        .resolve_customer()
                        .registration_token(token)
                        .send()
                        .await;
                    if r.is_ok() {
                        "welcome"
                    } else {
                        "could not resolve"
                    }
                }
            }),
        )
        .route(
            "/silent/register",
            post(|| async { "welcome (never resolved)" }),
        );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}

/// The sandbox with its demo products, on a free loopback port.
async fn serve(config: la_sandbox::Config) -> la_sandbox::Running {
    la_sandbox::serve(
        config,
        la_sandbox::server::ServeOptions {
            addr: "127.0.0.1:0".parse().expect("addr"),
            seed_demo: true,
            allow_remote: false,
        },
    )
    .await
    .expect("sandbox")
}

struct World {
    _moto: la_testkit::Moto,
    queue_url: String,
    sqs: aws_sdk_sqs::Client,
    sandbox: la_sandbox::Running,
}

async fn world(saas_path: &str) -> World {
    let m = la_testkit::moto();
    let sqs =
        aws_sdk_sqs::Client::new(&la_aws::access::static_config(&m.url, "testing", "testing"));
    let queue_url = sqs
        .create_queue()
        .queue_name("marketplace-notifications")
        .send()
        .await
        .expect("queue")
        .queue_url()
        .expect("url")
        .to_string();
    let mut config = la_sandbox::Config {
        sqs: Some(la_sandbox::SqsTarget {
            queue_url: queue_url.clone(),
            endpoint_url: Some(m.url.clone()),
            region: "us-east-1".into(),
            credentials: Some(("testing".into(), "testing".into())),
        }),
        ..la_sandbox::Config::default()
    };
    config.credentials.insert(
        SAAS_KEY.into(),
        la_sandbox::sigv4::Credential {
            secret_access_key: SAAS_SECRET.into(),
        },
    );
    let sandbox = serve(config).await;
    let saas = saas_stub(sandbox.url.clone()).await;
    let mut p = (*sandbox
        .sandbox
        .state
        .product(PRODUCT)
        .expect("state")
        .expect("product"))
    .clone();
    p.fulfillment_url = format!("{saas}/{saas_path}/register");
    sandbox.sandbox.state.put_product(&p).expect("put");
    World {
        _moto: m,
        queue_url,
        sqs,
        sandbox,
    }
}

fn settings(w: &World) -> EnvironmentSettings {
    EnvironmentSettings {
        mode: EnvMode::Sandbox,
        credential_source: CredentialSource::DefaultChain,
        endpoint_url: w.sandbox.url.clone(),
        region: "us-east-1".into(),
        product_id: PRODUCT.into(),
        product_code: CODE.into(),
        pricing_model: PricingModel::ContractWithConsumption,
        sqs_queue_url: w.queue_url.clone(),
        test_buyer_account_ids: vec![BUYER.into()],
        ..EnvironmentSettings::default()
    }
}

async fn start(w: &World, delete: bool) -> (Session, Arc<Collect>) {
    let mut cfg = la_purchase::config::watch_config(&settings(w), None, BUYER, delete)
        .await
        .expect("config");
    cfg.intervals.entitlements = Duration::from_millis(200);
    cfg.intervals.cloudtrail = Duration::from_millis(200);
    cfg.intervals.feed = Duration::from_millis(100);
    if let Some(q) = &mut cfg.sqs {
        q.wait_secs = 1;
    }
    let sink = Arc::new(Collect::default());
    let s = Session::start(cfg, sink.clone());
    assert!(
        s.ready(Duration::from_secs(60)).await,
        "watchers never became ready: {:?}",
        s.statuses()
    );
    (s, sink)
}

fn dump(s: &Session) -> String {
    s.events()
        .iter()
        .map(|e| format!("#{} {:?} {} — {}", e.seq, e.source, e.kind, e.summary))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Waits (a cap, not a measurement) until `f` holds.
async fn until(s: &Session, what: &str, f: impl Fn(&Session) -> bool) {
    for _ in 0..600 {
        if f(s) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "never saw {what}; timeline:\n{}\nverdicts: {:?}",
        dump(s),
        s.verdicts()
    );
}

fn verdict(s: &Session, id: VerdictId) -> VerdictState {
    s.verdicts()
        .into_iter()
        .find(|v| v.id == id)
        .map(|v| v.state)
        .expect("verdict")
}

fn has(s: &Session, kind: &str, n: usize) -> bool {
    s.events().iter().filter(|e| e.kind == kind).count() >= n
}

fn first_seq(s: &Session, kind: &str) -> u32 {
    s.events()
        .iter()
        .find(|e| e.kind == kind)
        .map(|e| e.seq)
        .unwrap_or(u32::MAX)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purchase_change_cancel_with_a_saas_that_resolves_and_meters() {
    let w = world("good").await;
    let (s, sink) = start(&w, true).await;
    let buyer = SandboxBuyer::new(&w.sandbox.url);

    let p = buyer
        .purchase(&s, PRODUCT, BUYER, false)
        .await
        .expect("purchase");
    assert_eq!(p.landing_status, Some(200));
    until(
        &s,
        "subscribe-success, entitlement-updated, landing, ResolveCustomer and the entitlements",
        |s| {
            has(s, "subscribe-success", 1)
                && has(s, "entitlement-updated", 1)
                && has(s, "landing", 1)
                && has(s, "ResolveCustomer", 1)
                && has(s, "entitlements-changed", 1)
                && has(s, "Purchase Agreement Created - Proposer", 1)
        },
    )
    .await;
    until(&s, "the resolve verdict", |s| {
        verdict(s, VerdictId::ResolveWithin10s) == VerdictState::Pass
    })
    .await;
    until(&s, "the entitlement verdict", |s| {
        verdict(s, VerdictId::EntitlementAfterChange) == VerdictState::Pass
    })
    .await;

    buyer
        .change(&s, &p.license_arn, &[("seats".into(), 25)])
        .await
        .expect("change");
    until(&s, "the change", |s| {
        has(s, "entitlement-updated", 2)
            && s.events()
                .iter()
                .any(|e| e.kind == "entitlements-changed" && e.summary.contains("1 → 25"))
    })
    .await;
    assert_eq!(
        verdict(&s, VerdictId::EntitlementAfterChange),
        VerdictState::Pass
    );

    buyer.cancel(&s, &p.license_arn).await.expect("cancel");
    until(&s, "unsubscribe-pending", |s| {
        has(s, "unsubscribe-pending", 1)
    })
    .await;
    assert_eq!(
        verdict(&s, VerdictId::FinalMeteringWithin1h),
        VerdictState::Pending
    );
    // The SaaS's final metering record, signed with its own keys.
    let out = aws_sdk_marketplacemetering::Client::new(&la_aws::access::static_config(
        &w.sandbox.url,
        SAAS_KEY,
        SAAS_SECRET,
    ))
    .batch_meter_usage()
    .usage_records(
        aws_sdk_marketplacemetering::types::UsageRecord::builder()
            .timestamp(
                aws_sdk_marketplacemetering::primitives::DateTime::from_secs(
                    w.sandbox.sandbox.now(),
                ),
            )
            .customer_aws_account_id(BUYER)
            .license_arn(&p.license_arn)
            .dimension("api_calls")
            .quantity(3)
            .build()
            .expect("record"),
    )
    .send()
    .await
    .expect("meter");
    assert_eq!(
        out.results()[0].status().map(|s| s.as_str()),
        Some("Success")
    );
    until(&s, "the final metering verdict", |s| {
        verdict(s, VerdictId::FinalMeteringWithin1h) == VerdictState::Pass
    })
    .await;
    buyer.advance_clock(&s, 3601).await.expect("clock");
    until(&s, "unsubscribe-success", |s| {
        has(s, "unsubscribe-success", 1)
    })
    .await;
    until(&s, "the unsubscribe verdict", |s| {
        verdict(s, VerdictId::UnsubscribeSequence) == VerdictState::Pass
    })
    .await;

    // In order on the timeline.
    let order = [
        "purchase",
        "subscribe-success",
        "change",
        "cancel",
        "unsubscribe-pending",
        "clock",
        "unsubscribe-success",
    ];
    let seqs: Vec<u32> = order.iter().map(|k| first_seq(&s, k)).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "out of order {seqs:?}:\n{}",
        dump(&s)
    );
    let resolve = s
        .verdicts()
        .into_iter()
        .find(|v| v.id == VerdictId::ResolveWithin10s)
        .expect("verdict");
    assert!(
        resolve.detail.en.contains("after the buyer landed"),
        "{}",
        resolve.detail.en
    );
    // The tester's own step is on the timeline too, and the token never is.
    s.tester("note", "signed up as a new account");
    assert!(s
        .events()
        .iter()
        .all(|e| !e.raw.contains("browser_form_html")));
    // Delete mode: the queue is drained.
    let left = w
        .sqs
        .receive_message()
        .queue_url(&w.queue_url)
        .wait_time_seconds(0)
        .send()
        .await
        .expect("receive");
    assert!(
        left.messages().is_empty(),
        "delete mode left messages behind"
    );
    // The sink saw what the session saw.
    assert_eq!(sink.events.lock().expect("lock").len(), s.events().len());
    assert!(sink
        .statuses
        .lock()
        .expect("lock")
        .iter()
        .any(|st| st.state == WatcherState::Running));
    s.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saas_that_never_resolves_nor_meters_fails_its_verdicts() {
    let w = world("silent").await;
    let (s, _) = start(&w, true).await;
    let buyer = SandboxBuyer::new(&w.sandbox.url);
    let p = buyer
        .purchase(&s, PRODUCT, BUYER, false)
        .await
        .expect("purchase");
    until(&s, "the landing and entitlements", |s| {
        has(s, "landing", 1) && has(s, "entitlements-changed", 1)
    })
    .await;
    assert_ne!(verdict(&s, VerdictId::ResolveWithin10s), VerdictState::Pass);
    // Past the 10 s on the sandbox clock: CloudTrail read beyond the deadline decides it.
    buyer.advance_clock(&s, 60).await.expect("clock");
    until(&s, "the resolve verdict failing", |s| {
        verdict(s, VerdictId::ResolveWithin10s) == VerdictState::Fail
    })
    .await;
    assert!(!has(&s, "ResolveCustomer", 1));

    // A "change" to the same quantities: entitlement-updated, but GetEntitlements never moves.
    buyer
        .change(&s, &p.license_arn, &[("seats".into(), 1)])
        .await
        .expect("change");
    until(&s, "the entitlement verdict failing", |s| {
        verdict(s, VerdictId::EntitlementAfterChange) == VerdictState::Fail
    })
    .await;

    buyer.cancel(&s, &p.license_arn).await.expect("cancel");
    until(&s, "unsubscribe-pending", |s| {
        has(s, "unsubscribe-pending", 1)
    })
    .await;
    buyer.advance_clock(&s, 2 * 3600).await.expect("clock");
    until(&s, "the final metering verdict failing", |s| {
        verdict(s, VerdictId::FinalMeteringWithin1h) == VerdictState::Fail
    })
    .await;
    s.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peek_leaves_messages_for_the_saas_and_malformed_ones_do_not_stop_the_watcher() {
    let w = world("good").await;
    let (s, _) = start(&w, false).await;
    w.sqs
        .send_message()
        .queue_url(&w.queue_url)
        .message_body("{not json")
        .send()
        .await
        .expect("send");
    until(&s, "the malformed message", |s| {
        s.events()
            .iter()
            .any(|e| e.malformed && e.raw == "{not json")
    })
    .await;
    let buyer = SandboxBuyer::new(&w.sandbox.url);
    buyer
        .purchase(&s, PRODUCT, BUYER, false)
        .await
        .expect("purchase");
    until(&s, "subscribe-success after the malformed message", |s| {
        has(s, "subscribe-success", 1)
    })
    .await;
    // Peeked, not consumed: each message appears once on the timeline and is still in the queue.
    assert_eq!(s.events().iter().filter(|e| e.malformed).count(), 1);
    // Once the watcher is closed, the SaaS's consumer finds every message still there.
    s.close().await;
    let mut left = std::collections::HashSet::new();
    for _ in 0..20 {
        let out = w
            .sqs
            .receive_message()
            .queue_url(&w.queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("receive");
        left.extend(
            out.messages()
                .iter()
                .filter_map(|m| m.message_id().map(str::to_string)),
        );
        if left.len() >= 3 {
            break;
        }
    }
    assert!(
        left.len() >= 3,
        "peek mode consumed messages: {} left",
        left.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchers_retry_with_backoff_and_stop_when_the_session_is_dropped() {
    // Nothing listens here: every watcher fails and keeps retrying.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let dead = format!("http://127.0.0.1:{port}");
    let settings = EnvironmentSettings {
        mode: EnvMode::Sandbox,
        endpoint_url: dead.clone(),
        product_code: CODE.into(),
        sqs_queue_url: format!("{dead}/123456789012/q"),
        test_buyer_account_ids: vec![BUYER.into()],
        ..EnvironmentSettings::default()
    };
    let mut cfg = la_purchase::config::watch_config(&settings, None, BUYER, true)
        .await
        .expect("config");
    cfg.intervals.backoff_max = Duration::from_millis(300);
    if let Some(q) = &mut cfg.sqs {
        q.wait_secs = 0;
    }
    let sink = Arc::new(Collect::default());
    let s = Session::start(cfg, sink.clone());
    let live = s.live_counter();
    assert_eq!(
        live.load(Ordering::SeqCst),
        4,
        "SQS, the sandbox log, entitlements and CloudTrail"
    );
    until(&s, "every watcher retrying twice", |_| {
        let st = sink.statuses.lock().expect("lock");
        [
            la_core::purchase::WatcherKind::Sqs,
            la_core::purchase::WatcherKind::SandboxFeed,
            la_core::purchase::WatcherKind::Entitlements,
            la_core::purchase::WatcherKind::CloudTrail,
        ]
        .iter()
        .all(|k| {
            st.iter()
                .filter(|x| {
                    x.watcher == *k && x.state == WatcherState::Retrying && x.error.is_some()
                })
                .count()
                >= 2
        })
    })
    .await;
    assert!(s
        .statuses()
        .iter()
        .all(|x| x.state != WatcherState::Stopped));
    drop(s);
    for _ in 0..100 {
        if live.load(Ordering::SeqCst) == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "{} watcher task(s) outlived their session",
        live.load(Ordering::SeqCst)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_product_page_comes_from_the_catalog_entity() {
    let sandbox = serve(la_sandbox::Config::default()).await;
    let sdk = la_aws::access::static_config(
        &sandbox.url,
        la_sandbox::DEMO_ACCESS_KEY_ID,
        la_sandbox::DEMO_SECRET_ACCESS_KEY,
    );
    assert_eq!(
        la_purchase::config::product_page_url(&sdk, PRODUCT)
            .await
            .expect("page"),
        format!("https://aws.amazon.com/marketplace/pp/{PRODUCT}")
    );
    let missing = la_purchase::config::product_page_url(&sdk, "prod-doesnotexist1")
        .await
        .expect_err("unknown product");
    assert!(
        missing.message.contains("ResourceNotFound"),
        "{}",
        missing.message
    );
    assert!(la_purchase::config::product_page_url(&sdk, " ")
        .await
        .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purchase_through_the_browser_lands_once_and_is_timed() {
    let w = world("good").await;
    let (s, _) = start(&w, true).await;
    let buyer = SandboxBuyer::new(&w.sandbox.url);
    let p = buyer
        .purchase(&s, PRODUCT, BUYER, true)
        .await
        .expect("purchase");
    assert_eq!(
        p.landing_status, None,
        "the sandbox must not post it itself"
    );
    let url = p.browser_url.expect("a page for the browser");
    // What the tester's browser does: open the page, submit its form to the SaaS.
    let http = reqwest::Client::new();
    let page = http
        .get(&url)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let action = page
        .split("action=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("form action")
        .replace("&amp;", "&");
    let token = page
        .split("name=\"x-amzn-marketplace-token\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("token field");
    let posted = http
        .post(&action)
        .form(&[("x-amzn-marketplace-token", token)])
        .send()
        .await
        .expect("post");
    assert_eq!(posted.text().await.expect("body"), "welcome");
    // The page is served once, like AWS's redirect.
    assert_eq!(http.get(&url).send().await.expect("again").status(), 404);
    until(&s, "the browser landing and ResolveCustomer", |s| {
        s.events()
            .iter()
            .any(|e| e.kind == "landing" && e.summary.contains("through the browser"))
            && verdict(s, VerdictId::ResolveWithin10s) == VerdictState::Pass
    })
    .await;
    // Neither the token nor the one-time page is kept on the timeline.
    assert!(s
        .events()
        .iter()
        .all(|e| !e.raw.contains(token) && !e.raw.contains(&url)));
    s.close().await;
}

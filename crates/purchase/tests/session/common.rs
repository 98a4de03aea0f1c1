//! Shared set-up: the Marketplace sandbox delivering to moto's SQS, a SaaS stub on loopback (one
//! that resolves tokens and one that never does), and helpers to wait on a session's timeline.

#![allow(dead_code)]

use la_core::model::{CredentialSource, EnvMode, EnvironmentSettings, PricingModel};
use la_core::purchase::{TimelineEvent, Verdict, VerdictId, VerdictState, WatcherStatus};
use la_purchase::watch::{Session, Sink};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const PRODUCT: &str = "prod-demostg4a7k2q";
pub const CODE: &str = "demostg7ky5a0d3rqx2ub6y8m";
pub const BUYER: &str = "444455556666";
/// The SaaS stub's own keys, so CloudTrail tells its calls from the app's.
pub const SAAS_KEY: &str = "AKIASAASSTUB00000001";
pub const SAAS_SECRET: &str = "saas-stub-secret";

#[derive(Default)]
pub struct Collect {
    pub events: Mutex<Vec<TimelineEvent>>,
    pub statuses: Mutex<Vec<WatcherStatus>>,
    pub verdicts: Mutex<Vec<Vec<Verdict>>>,
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
pub async fn saas_stub(sandbox_url: String) -> String {
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
pub async fn serve(config: la_sandbox::Config) -> la_sandbox::Running {
    la_testkit::sandbox::seeded_with(config).await
}

pub struct World {
    pub _moto: la_testkit::Moto,
    pub queue_url: String,
    pub sqs: aws_sdk_sqs::Client,
    pub sandbox: la_sandbox::Running,
}

pub async fn world(saas_path: &str) -> World {
    let m = la_testkit::moto();
    let (sqs, queue_url) = la_testkit::sqs::queue(&m.url, "marketplace-notifications").await;
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

pub fn settings(w: &World) -> EnvironmentSettings {
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

pub async fn start(w: &World, delete: bool) -> (Session, Arc<Collect>) {
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

pub fn dump(s: &Session) -> String {
    s.events()
        .iter()
        .map(|e| format!("#{} {:?} {} — {}", e.seq, e.source, e.kind, e.summary.en))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Waits (a cap, not a measurement) until `f` holds.
pub async fn until(s: &Session, what: &str, f: impl Fn(&Session) -> bool) {
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

pub fn verdict(s: &Session, id: VerdictId) -> VerdictState {
    s.verdicts()
        .into_iter()
        .find(|v| v.id == id)
        .map(|v| v.state)
        .expect("verdict")
}

pub fn has(s: &Session, kind: &str, n: usize) -> bool {
    s.events().iter().filter(|e| e.kind == kind).count() >= n
}

pub fn first_seq(s: &Session, kind: &str) -> u32 {
    s.events()
        .iter()
        .find(|e| e.kind == kind)
        .map(|e| e.seq)
        .unwrap_or(u32::MAX)
}

//! BatchMeterUsage throughput and latency: the sandbox versus moto's server, both as separate
//! processes on loopback, driven by the same official Rust SDK client at the same concurrency in
//! one run. Run with `make bench` (release build).
//!
//! The sandbox is `listing-assistant sandbox serve` (path in LA_CLI_BIN); moto is moto_server from
//! the project's virtualenv (LA_MOTO_SERVER or .tools/venv/bin/moto_server). Each request carries
//! 25 records. On the sandbox the records are for subscribed buyers (so every record takes the
//! storage path); moto does not model subscriptions and answers CustomerNotSubscribed.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_sdk_marketplacemetering::primitives::DateTime;
use aws_sdk_marketplacemetering::types::UsageRecord;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// In-flight requests (`LA_BENCH_CONCURRENCY`, default 4: twice this machine's cores).
fn concurrency() -> usize {
    env_usize("LA_BENCH_CONCURRENCY", 4)
}
/// Requests per server (`LA_BENCH_REQUESTS`, default 4000).
fn requests() -> usize {
    env_usize("LA_BENCH_REQUESTS", 4000)
}
fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
// The official SaaSProduct@1.0 shape caps an allow-list at 100 accounts; the sandbox refuses more.
const BUYERS: usize = 100;
const PRODUCT: &str = "prod-demostg4a7k2q";
const CODE: &str = "demostg7ky5a0d3rqx2ub6y8m";

struct Proc(Child);
impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn sdk(url: &str, key: &str, secret: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(url)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            key, secret, None, None, "bench",
        )))
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(1))
        .build()
}

fn buyer(i: usize) -> String {
    format!("{:012}", 500_000_000_000u64 + i as u64)
}

async fn run(client: aws_sdk_marketplacemetering::Client) -> (f64, Vec<f64>, usize) {
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let now = chrono::Utc::now().timestamp();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency() {
        let client = client.clone();
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut failures = 0;
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= requests() {
                    break;
                }
                let mut req = client.batch_meter_usage().product_code(CODE);
                for r in 0..25 {
                    let i = n * 25 + r;
                    req = req.usage_records(
                        UsageRecord::builder()
                            .timestamp(DateTime::from_secs(
                                now - 60 - 3600 * ((i / BUYERS) % 5) as i64,
                            ))
                            .customer_aws_account_id(buyer(i % BUYERS))
                            .dimension("api_calls")
                            .quantity(1)
                            .build()
                            .expect("record"),
                    );
                }
                let t = Instant::now();
                match req.send().await {
                    Ok(_) => lat.push(t.elapsed().as_secs_f64() * 1000.0),
                    Err(_) => failures += 1,
                }
            }
            (lat, failures)
        }));
    }
    let mut all = Vec::new();
    let mut failures = 0;
    for t in tasks {
        let (l, f) = t.await.expect("task");
        all.extend(l);
        failures += f;
    }
    let secs = started.elapsed().as_secs_f64();
    all.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    (secs, all, failures)
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cli = std::env::var("LA_CLI_BIN").unwrap_or_else(|_| {
        repo.join("target/release/listing-assistant")
            .display()
            .to_string()
    });
    let moto_bin = std::env::var("LA_MOTO_SERVER").unwrap_or_else(|_| {
        repo.join(".tools/venv/bin/moto_server")
            .display()
            .to_string()
    });

    // The sandbox, as a user starts it.
    let mut child = Command::new(&cli)
        .args([
            "sandbox",
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--seed",
            "demo",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {cli}: {e}"));
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let sandbox_pid = child.id().to_string();
    let _sandbox = Proc(child);
    let first = lines.next().expect("first line").expect("utf-8");
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("url")
        .to_string();
    let control_secret = first
        .split_whitespace()
        .find_map(|w| w.strip_prefix("LA_SANDBOX_CONTROL_SECRET="))
        .expect("control secret")
        .trim_end_matches(')')
        .to_string();
    std::thread::spawn(move || for _ in lines {});

    // Allow-list the bench buyers through the Catalog API, then let each buy the product.
    let demo = sdk(
        &url,
        la_sandbox::DEMO_ACCESS_KEY_ID,
        la_sandbox::DEMO_SECRET_ACCESS_KEY,
    );
    let catalog = aws_sdk_marketplacecatalog::Client::new(&demo);
    let accounts: Vec<String> = (0..BUYERS).map(buyer).collect();
    let details = serde_json::json!({"PositiveTargeting": {"BuyerAccounts": accounts}}).to_string();
    let cs = catalog
        .start_change_set()
        .catalog("AWSMarketplace")
        .change_set(
            aws_sdk_marketplacecatalog::types::Change::builder()
                .change_type("UpdateTargeting")
                .entity(
                    aws_sdk_marketplacecatalog::types::Entity::builder()
                        .r#type("SaaSProduct@1.0")
                        .identifier(PRODUCT)
                        .build()
                        .expect("entity"),
                )
                .details(details)
                .build()
                .expect("change"),
        )
        .send()
        .await
        .expect("targeting");
    loop {
        let d = catalog
            .describe_change_set()
            .catalog("AWSMarketplace")
            .change_set_id(cs.change_set_id().unwrap_or_default())
            .send()
            .await
            .expect("describe");
        match d.status().map(|s| s.as_str()) {
            Some("SUCCEEDED") => break,
            Some(s @ ("FAILED" | "CANCELLED")) => {
                panic!("allow-listing the bench buyers {s}: {d:?}")
            }
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let http = reqwest::Client::new();
    for a in &accounts {
        let r = http
            .post(format!("{url}/_sandbox/purchase"))
            .header(la_sandbox_api::SECRET_HEADER, &control_secret)
            .json(&serde_json::json!({"product": PRODUCT, "buyer_account": a, "redirect": false}))
            .send()
            .await
            .expect("purchase");
        assert!(r.status().is_success(), "purchase for {a}: {}", r.status());
    }

    // moto, on its own port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let moto = Proc(
        Command::new(&moto_bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {moto_bin}: {e}")),
    );
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let moto_url = format!("http://127.0.0.1:{port}");

    let sb_client = aws_sdk_marketplacemetering::Client::new(&demo);
    let moto_client =
        aws_sdk_marketplacemetering::Client::new(&sdk(&moto_url, "testing", "testing"));
    // Warm both (connections, JIT-less Python imports) before timing.
    let _ = run_n(&sb_client, 20).await;
    let _ = run_n(&moto_client, 20).await;
    eprintln!("timing the sandbox (pid {sandbox_pid})");
    let (c0, s0) = (
        la_testkit::cpu_secs("self"),
        la_testkit::cpu_secs(&sandbox_pid),
    );
    let (s_secs, s_lat, s_fail) = run(sb_client).await;
    let (c1, s1) = (
        la_testkit::cpu_secs("self"),
        la_testkit::cpu_secs(&sandbox_pid),
    );
    let moto_pid = moto.0.id().to_string();
    let m0 = la_testkit::cpu_secs(&moto_pid);
    let (m_secs, m_lat, m_fail) = run(moto_client).await;
    let m1 = la_testkit::cpu_secs(&moto_pid);
    drop(moto);

    let (requests, concurrency) = (requests(), concurrency());
    let s_rps = (requests - s_fail) as f64 / s_secs;
    let m_rps = (requests - m_fail) as f64 / m_secs;
    println!("BatchMeterUsage, {requests} requests x 25 records, {concurrency} concurrent, same Rust SDK client, loopback");
    println!(
        "{:<22} {:>10} {:>12} {:>9} {:>9} {:>9}",
        "", "req/s", "records/s", "p50 ms", "p99 ms", "errors"
    );
    println!(
        "{:<22} {:>10.0} {:>12.0} {:>9.2} {:>9.2} {:>9}",
        "sandbox",
        s_rps,
        s_rps * 25.0,
        pct(&s_lat, 0.50),
        pct(&s_lat, 0.99),
        s_fail
    );
    println!(
        "{:<22} {:>10.0} {:>12.0} {:>9.2} {:>9.2} {:>9}",
        "moto_server",
        m_rps,
        m_rps * 25.0,
        pct(&m_lat, 0.50),
        pct(&m_lat, 0.99),
        m_fail
    );
    // Where the time goes: client and server share the machine's cores, so the servers are
    // compared by their own CPU time per request (issue 15: the sandbox at most 1/20 of moto's).
    let per = |cpu: f64| cpu / requests as f64 * 1e6;
    let (sb_us, moto_us) = (per(s1 - s0), per(m1 - m0));
    println!(
        "CPU per request: sandbox {sb_us:.0} us, moto {moto_us:.0} us (client {:.0} us with the sandbox)",
        per(c1 - c0)
    );
    println!(
        "sandbox CPU / moto CPU per request: 1/{:.1}  (target <= 1/20: {})",
        moto_us / sb_us,
        if moto_us / sb_us >= 20.0 {
            "meets"
        } else {
            "misses"
        }
    );
    println!(
        "sandbox p99 at {concurrency} in flight: {:.2} ms  (target <= 5 ms: {})",
        pct(&s_lat, 0.99),
        if pct(&s_lat, 0.99) <= 5.0 {
            "meets"
        } else {
            "misses"
        }
    );
    println!(
        "throughput ratio sandbox / moto: {:.1}x  (client and servers share this machine's cores)",
        s_rps / m_rps
    );
}

async fn run_n(client: &aws_sdk_marketplacemetering::Client, n: usize) -> usize {
    let mut ok = 0;
    for i in 0..n {
        let r = client
            .batch_meter_usage()
            .product_code(CODE)
            .usage_records(
                UsageRecord::builder()
                    .timestamp(DateTime::from_secs(chrono::Utc::now().timestamp() - 5))
                    .customer_aws_account_id(buyer(i))
                    .dimension("api_calls")
                    .quantity(1)
                    .build()
                    .expect("record"),
            )
            .send()
            .await;
        ok += r.is_ok() as usize;
    }
    ok
}

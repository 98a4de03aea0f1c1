//! How well the engine overlaps checks: with 200 ms of latency injected into every sandbox call,
//! the full Marketplace suite's wall time divided by its critical path (the slowest single
//! check's chain of calls), beside the sequential sum. The suite includes the calls the accuracy
//! work added (every page of offers, change sets sorted explicitly). Target (issue 15): ≤ 1.15,
//! the median of `LA_BENCH_RUNS` (5) suite runs. Run with `make bench` (bench/checks.sh).

use la_aws::access::static_config;
use la_aws::checks::{self, CheckContext};
use la_aws::engine::{self, EngineOptions};
use la_core::model::{Dimension, DimensionType, EnvMode, EnvironmentSettings, PricingModel};
use la_sandbox::buyer::PurchaseRequest;
use la_sandbox::server::ServeOptions;
use la_sandbox::{Config, Fault};
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let run = la_sandbox::serve(
        Config::default(),
        ServeOptions {
            addr: "127.0.0.1:0".parse().expect("addr"),
            seed_demo: true,
            allow_remote: false,
        },
    )
    .await
    .expect("sandbox");
    run.sandbox
        .purchase(&PurchaseRequest {
            product: "prod-demostg4a7k2q".into(),
            buyer_account: "444455556666".into(),
            redirect: true,
            ..Default::default()
        })
        .await
        .expect("purchase");
    run.sandbox.set_fault(
        "*",
        Fault {
            delay_ms: 200,
            ..Default::default()
        },
    );
    let settings = EnvironmentSettings {
        mode: EnvMode::Sandbox,
        seller_account_id: "111122223333".into(),
        endpoint_url: run.url.clone(),
        product_id: "prod-demostg4a7k2q".into(),
        product_code: "demostg7ky5a0d3rqx2ub6y8m".into(),
        pricing_model: PricingModel::ContractWithConsumption,
        dimensions: vec![
            Dimension {
                key: "seats".into(),
                name: "Seats".into(),
                kind: DimensionType::Entitled,
            },
            Dimension {
                key: "api_calls".into(),
                name: "API calls".into(),
                kind: DimensionType::ExternallyMetered,
            },
        ],
        fulfillment_url: format!("{}/_demo-saas/staging/marketplace/register", run.url),
        test_buyer_account_ids: vec!["444455556666".into()],
        ..Default::default()
    };
    let ctx = CheckContext {
        settings,
        sdk: Some(static_config(
            &run.url,
            la_sandbox::DEMO_ACCESS_KEY_ID,
            la_sandbox::DEMO_SECRET_ACCESS_KEY,
        )),
        http: CheckContext::http_client(None).expect("http"),
        response_time_limit: Duration::from_secs(5),
        own_access_keys: vec![la_sandbox::DEMO_ACCESS_KEY_ID.into()],
    };
    // The Marketplace checks (the sandbox's latency applies to them); identity needs STS.
    let selected: Vec<_> = checks::catalogue()
        .into_iter()
        .filter(|c| !c.id.starts_with("identity."))
        .collect();
    let opts = EngineOptions {
        concurrency: selected.len(),
        ..Default::default()
    };
    let runs: usize = std::env::var("LA_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let mut rows = Vec::new();
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let results = engine::run(&ctx, &selected, &opts, &|_| {}, &Default::default()).await;
        let wall = started.elapsed().as_secs_f64();
        let critical = results.iter().map(|r| r.duration_ms).max().unwrap_or(0) as f64 / 1000.0;
        let sum: f64 = results.iter().map(|r| r.duration_ms as f64 / 1000.0).sum();
        let slowest = results
            .iter()
            .max_by_key(|r| r.duration_ms)
            .map(|r| r.id.clone())
            .unwrap_or_default();
        println!(
            "{} checks: wall {wall:5.2} s, critical path {critical:5.2} s ({slowest}), sequential sum {sum:5.2} s, wall / critical {:.3}",
            results.len(),
            wall / critical
        );
        rows.push((wall / critical, wall, critical, sum));
    }
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (ratio, wall, critical, sum) = rows[rows.len() / 2];
    println!(
        "200 ms injected per sandbox call, all checks in flight at once; median of {} runs:",
        rows.len()
    );
    println!("wall time            {wall:6.2} s");
    println!("critical path        {critical:6.2} s");
    println!("sequential sum       {sum:6.2} s");
    println!(
        "wall / critical path {ratio:6.3}   (target <= 1.15: {})",
        if ratio <= 1.15 { "meets" } else { "misses" }
    );
    println!(
        "sum / wall           {:6.2}x  speed-up over running them one by one",
        sum / wall
    );
}

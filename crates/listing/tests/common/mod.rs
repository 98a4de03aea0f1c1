//! Shared by the listing tests: the Marketplace sandbox on loopback (seeded like the app's), its
//! SDK configuration, and the catalog checks of la-aws run on an environment.
#![allow(dead_code)] // each test binary uses its own share

use la_aws::access::static_config;
use la_aws::checks::{self, CheckContext};
use la_aws::engine::{self, CheckResult, CheckStatus, EngineOptions};
use la_core::model::{
    Dimension, DimensionType, EnvMode, EnvironmentSettings, IntegrationStyle, PricingModel,
};
use la_listing::flow::Follow;
use la_listing::Catalog;
use la_sandbox::{Running, DEMO_ACCESS_KEY_ID as KEY, DEMO_SECRET_ACCESS_KEY as SECRET};
use std::time::Duration;

pub const PRODUCT: &str = "prod-demostg4a7k2q";
pub const BUYER: &str = "444455556666";

pub async fn sandbox() -> Running {
    la_sandbox::serve(
        la_sandbox::Config::default(),
        la_sandbox::server::ServeOptions {
            addr: "127.0.0.1:0".parse().expect("addr"),
            seed_demo: true,
            allow_remote: false,
        },
    )
    .await
    .expect("sandbox")
}

pub fn sdk(run: &Running) -> aws_config::SdkConfig {
    static_config(&run.url, KEY, SECRET)
}

pub fn catalog(run: &Running) -> Catalog {
    Catalog::new(&sdk(run))
}

/// Change sets here finish in a few hundred milliseconds; polls are bounded, not timed.
pub fn follow() -> Follow {
    Follow {
        poll: Duration::from_millis(50),
        max_polls: 400,
    }
}

/// The environment the checks judge: the product's ids and what the seller expects of it.
pub fn settings(
    run: &Running,
    product_id: &str,
    code: &str,
    offer_id: &str,
) -> EnvironmentSettings {
    EnvironmentSettings {
        mode: EnvMode::Sandbox,
        seller_account_id: "111122223333".into(),
        region: "us-east-1".into(),
        endpoint_url: run.url.clone(),
        product_id: product_id.into(),
        product_code: code.into(),
        offer_id: offer_id.into(),
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
        test_buyer_account_ids: vec![BUYER.into()],
        integration_style: IntegrationStyle::ConcurrentAgreements,
        ..Default::default()
    }
}

pub async fn check(run: &Running, settings: &EnvironmentSettings, id: &str) -> CheckResult {
    let ctx = CheckContext {
        settings: settings.clone(),
        sdk: Some(la_aws::access::in_region(&sdk(run), &settings.region)),
        http: CheckContext::http_client(None).expect("http"),
        response_time_limit: Duration::from_secs(3),
        own_access_keys: vec![KEY.to_string()],
    };
    let def = checks::catalogue()
        .into_iter()
        .find(|c| c.id == id)
        .expect("check");
    let opts = EngineOptions {
        throttle_retries: 1,
        backoff: Duration::from_millis(10),
        ..Default::default()
    };
    engine::run(&ctx, &[def], &opts, &|_| {}, &Default::default())
        .await
        .remove(0)
}

pub async fn expect(
    run: &Running,
    settings: &EnvironmentSettings,
    id: &str,
    status: CheckStatus,
) -> CheckResult {
    let r = check(run, settings, id).await;
    assert_eq!(r.status, status, "{id}: {}", r.summary.en);
    r
}

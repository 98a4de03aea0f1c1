//! The watchers read what they need from AWS: with only the product ID in the environment, the
//! product code comes from the Catalog (DescribeEntity → DetailsDocument.Description.ProductCode).
//! When it cannot, the entitlements watcher says so on the timeline and the verdict says why.

use crate::common::*;
use la_core::model::EnvironmentSettings;
use la_core::purchase::{EventSource, VerdictId, VerdictState, WatcherKind, WatcherState};
use la_purchase::sandbox::SandboxBuyer;
use la_purchase::watch::Session;
use std::sync::Arc;
use std::time::Duration;

async fn start_with(settings: &EnvironmentSettings) -> (Session, la_purchase::WatchConfig) {
    let mut cfg = la_purchase::config::watch_config(settings, None, BUYER, true)
        .await
        .expect("config");
    cfg.intervals.entitlements = Duration::from_millis(200);
    cfg.intervals.cloudtrail = Duration::from_millis(200);
    cfg.intervals.feed = Duration::from_millis(100);
    if let Some(q) = &mut cfg.sqs {
        q.wait_secs = 1;
    }
    let s = Session::start(cfg.clone(), Arc::new(Collect::default()));
    assert!(
        s.ready(Duration::from_secs(60)).await,
        "watchers never became ready: {:?}",
        s.statuses()
    );
    (s, cfg)
}

fn entitlements_status(s: &Session) -> la_core::purchase::WatcherStatus {
    s.statuses()
        .into_iter()
        .find(|st| st.watcher == WatcherKind::Entitlements)
        .expect("an entitlements watcher status")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_product_id_set_the_code_comes_from_the_catalog() {
    let w = world("good").await;
    let settings = EnvironmentSettings {
        product_code: String::new(),
        ..settings(&w)
    };
    let (s, cfg) = start_with(&settings).await;
    assert_eq!(cfg.product_code, CODE);
    assert_eq!(cfg.product_code_problem, None);
    assert!(entitlements_status(&s).target.starts_with(CODE));
    let buyer = SandboxBuyer::new(&w.sandbox.url);
    buyer
        .purchase(&s, PRODUCT, BUYER, false)
        .await
        .expect("purchase");
    until(&s, "the entitlement verdict", |s| {
        verdict(s, VerdictId::EntitlementAfterChange) == VerdictState::Pass
    })
    .await;
    s.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_product_the_catalog_does_not_know_is_said_on_the_timeline_and_in_the_verdict() {
    let w = world("good").await;
    let settings = EnvironmentSettings {
        product_code: String::new(),
        product_id: "prod-doesnotexist1".into(),
        ..settings(&w)
    };
    let (s, cfg) = start_with(&settings).await;
    let problem = cfg.product_code_problem.clone().expect("a reason");
    assert!(problem.contains("ResourceNotFound"), "{problem}");
    // The watcher that cannot start says so, on the timeline and in its state.
    let st = entitlements_status(&s);
    assert_eq!(st.state, WatcherState::Stopped);
    assert_eq!(st.error.as_deref(), Some(problem.as_str()));
    let said = s
        .events()
        .into_iter()
        .find(|e| e.kind == "watcher-unavailable")
        .expect("a timeline event for the watcher");
    assert_eq!(said.source, EventSource::Entitlements);
    assert!(said.summary.en.contains(&problem), "{}", said.summary.en);

    // An entitlement-updated arrives: the verdict cannot be decided, and says why.
    let buyer = SandboxBuyer::new(&w.sandbox.url);
    buyer
        .purchase(&s, PRODUCT, BUYER, false)
        .await
        .expect("purchase");
    until(&s, "entitlement-updated", |s| {
        has(s, "entitlement-updated", 1)
    })
    .await;
    let v = s
        .verdicts()
        .into_iter()
        .find(|v| v.id == VerdictId::EntitlementAfterChange)
        .expect("verdict");
    assert_eq!(v.state, VerdictState::Pending);
    assert!(
        v.detail
            .en
            .contains("cannot be decided: GetEntitlements is not read")
            && v.detail.en.contains("ResourceNotFound"),
        "{}",
        v.detail.en
    );
    s.close().await;
}

/// DescribeEntity as AWS answers it (restJson1), for three entities: a SaaS product whose
/// DetailsDocument has several versions and delivery options, one whose Description has no
/// ProductCode, and one the caller may not read.
async fn canned_catalog() -> String {
    use axum::extract::Query;
    use axum::http::{HeaderMap, StatusCode};
    use axum::routing::get;
    use std::collections::HashMap;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let app = axum::Router::new().route(
        "/DescribeEntity",
        get(|Query(q): Query<HashMap<String, String>>| async move {
            let id = q.get("entityId").cloned().unwrap_or_default();
            let mut h = HeaderMap::new();
            h.insert("content-type", "application/json".parse().expect("header"));
            if id == "prod-denied0000001" {
                h.insert(
                    "x-amzn-errortype",
                    "AccessDeniedException".parse().expect("header"),
                );
                let body = serde_json::json!({"Message": "User is not authorized to perform: aws-marketplace:DescribeEntity"});
                return (StatusCode::FORBIDDEN, h, body.to_string());
            }
            let mut doc = serde_json::json!({
                "Description": {
                    "ProductTitle": "Acme Insights",
                    "ProductCode": "7x2fq9a0b1c2d3e4f5g6h7i8j",
                    "ProductState": "Active",
                    "Visibility": "Limited",
                    "ShortDescription": "Analytics for SaaS teams.",
                    "LongDescription": "Analytics for SaaS teams, sold through AWS Marketplace.",
                    "Highlights": ["Dashboards"],
                    "SearchKeywords": ["analytics"],
                    "Categories": ["Analytics"],
                    "Manufacturer": "Acme"
                },
                "PromotionalResources": {"LogoUrl": "https://example.com/logo.png", "Videos": [], "AdditionalResources": []},
                "SupportInformation": {"Description": "support@example.com"},
                "Dimensions": [{"Key": "seats", "Name": "Seats", "Description": "Users", "Unit": "Users", "Types": ["Entitled"]}],
                "Versions": [{
                    "Id": "v-1",
                    "ReleaseNotes": "First",
                    "VersionTitle": "1.0",
                    "CreationDate": "2026-05-01T10:00:00Z",
                    "Sources": [],
                    "DeliveryOptions": [
                        {"Id": "do-quicklaunch", "Type": "SaaSQuickLaunch", "Visibility": "Limited", "Title": "Quick Launch"},
                        {"Id": "do-url", "Type": "SaaSUrl", "FulfillmentUrl": "https://example.com/register", "Visibility": "Limited", "Title": "SaaS"}
                    ]
                }],
                "Targeting": {"PositiveTargeting": {"BuyerAccounts": ["444455556666"]}}
            });
            if id == "prod-nocode0000001" {
                doc["Description"]
                    .as_object_mut()
                    .expect("object")
                    .remove("ProductCode");
            }
            let body = serde_json::json!({
                "EntityType": "SaaSProduct@1.0",
                "EntityIdentifier": format!("{id}@3"),
                "EntityArn": format!("arn:aws:aws-marketplace:us-east-1:111122223333:AWSMarketplace/SaaSProduct/{id}"),
                "LastModifiedDate": "2026-05-01T10:00:00Z",
                "Details": doc.to_string(),
                "DetailsDocument": doc,
            });
            (StatusCode::OK, h, body.to_string())
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_product_code_is_read_from_describe_entity_as_aws_answers_it() {
    let url = canned_catalog().await;
    let sdk = la_aws::access::static_config(&url, "AKIAEXAMPLE000000000", "secret");
    let code = |id: &str| {
        let settings = EnvironmentSettings {
            product_id: id.into(),
            ..EnvironmentSettings::default()
        };
        let sdk = sdk.clone();
        async move { la_purchase::config::product_code(&sdk, &settings).await }
    };
    assert_eq!(
        code("prod-example000001").await.as_deref(),
        Ok("7x2fq9a0b1c2d3e4f5g6h7i8j")
    );
    let denied = code("prod-denied0000001").await.expect_err("denied");
    assert!(denied.contains("AccessDenied"), "{denied}");
    let missing = code("prod-nocode0000001").await.expect_err("no code");
    assert!(missing.contains("no Description.ProductCode"), "{missing}");
    // The environment's own product code wins, without asking the Catalog.
    let own = EnvironmentSettings {
        product_code: "owncode".into(),
        product_id: "prod-denied0000001".into(),
        ..EnvironmentSettings::default()
    };
    assert_eq!(
        la_purchase::config::product_code(&sdk, &own)
            .await
            .as_deref(),
        Ok("owncode")
    );
    let neither = la_purchase::config::product_code(&sdk, &EnvironmentSettings::default())
        .await
        .expect_err("neither");
    assert!(neither.contains("neither a product code nor a product ID"));
}

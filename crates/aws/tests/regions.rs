//! A seller whose SaaS runs in eu-west-1: every check builds its clients for the right region.
//! The Catalog, Metering and Entitlement APIs, the Marketplace SNS topics, the EventBridge bus
//! that receives Marketplace events and CloudTrail's record of Marketplace calls are in
//! us-east-1; the seller's SQS queue is where its URL says; account posture stays in the
//! environment's region. A recording endpoint (the override a sandbox or moto would be) reads
//! the region each request is signed for.

mod common;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use la_aws::access::{in_region, static_config};
use la_aws::checks::{self, CheckContext};
use la_aws::engine::{self, EngineOptions};
use la_core::model::{EnvMode, EnvironmentSettings, PricingModel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// (signing service, operation, region) of each request.
type Log = Arc<Mutex<Vec<(String, String, String)>>>;

const QUEUE: &str = "https://sqs.eu-west-1.amazonaws.com/123456789012/marketplace-events";

async fn record(State(log): State<Log>, headers: HeaderMap, body: Bytes) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let scope: Vec<&str> = auth
        .split("Credential=")
        .nth(1)
        .unwrap_or_default()
        .split('/')
        .collect();
    let (region, service) = (
        scope.get(2).copied().unwrap_or_default(),
        scope.get(3).copied().unwrap_or_default(),
    );
    let body = String::from_utf8_lossy(&body).to_string();
    let op = headers
        .get("x-amz-target")
        .and_then(|h| h.to_str().ok())
        .map(|t| t.rsplit('.').next().unwrap_or(t).to_string())
        .or_else(|| {
            url::form_urlencoded::parse(body.as_bytes())
                .find(|(k, _)| k == "Action")
                .map(|(_, v)| v.into_owned())
        })
        .unwrap_or_default();
    log.lock()
        .expect("lock")
        .push((service.to_string(), op.clone(), region.to_string()));
    // Just enough for the checks to reach their next call; everything else is refused.
    match op.as_str() {
        "GetQueueAttributes" => (
            [("content-type", "application/x-amz-json-1.0")],
            r#"{"Attributes":{"QueueArn":"arn:aws:sqs:eu-west-1:123456789012:marketplace-events"}}"#,
        )
            .into_response(),
        "ListSubscriptions" => (
            [("content-type", "text/xml")],
            r#"<ListSubscriptionsResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ListSubscriptionsResult><Subscriptions/></ListSubscriptionsResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></ListSubscriptionsResponse>"#,
        )
            .into_response(),
        "ListRules" => ([("content-type", "application/x-amz-json-1.1")], r#"{"Rules":[]}"#).into_response(),
        _ => (
            axum::http::StatusCode::FORBIDDEN,
            [("x-amzn-ErrorType", "AccessDeniedException"), ("content-type", "application/json")],
            r#"{"message":"recorded"}"#,
        )
            .into_response(),
    }
}

#[tokio::test]
async fn a_seller_in_eu_west_1_is_checked_in_the_right_regions() {
    let log: Log = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let app = axum::Router::new().fallback(record).with_state(log.clone());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    // Both delivery paths: EventBridge into the queue (rules), and SNS topics (subscriptions,
    // which the EventBridge path does not need).
    for use_eventbridge in [true, false] {
        let settings = EnvironmentSettings {
            mode: EnvMode::Real,
            region: "eu-west-1".into(),
            endpoint_url: url.clone(),
            product_id: "prod-k3xamplesaas1".into(),
            product_code: "b2xample7c0d3rqx2ub6y8mqz".into(),
            pricing_model: PricingModel::ContractWithConsumption,
            sqs_queue_url: QUEUE.into(),
            use_eventbridge,
            test_buyer_account_ids: vec!["444455556666".into()],
            ..Default::default()
        };
        let ctx = CheckContext {
            settings,
            sdk: Some(in_region(
                &static_config(&url, "AKIDREGIONS000000001", "s"),
                "eu-west-1",
            )),
            http: CheckContext::http_client(None).expect("http"),
            response_time_limit: Duration::from_secs(3),
            own_access_keys: Vec::new(),
        };
        let all = checks::catalogue();
        let opts = EngineOptions {
            throttle_retries: 0,
            ..Default::default()
        };
        engine::run(&ctx, &all, &opts, &|_| {}, &Default::default()).await;
    }
    server.abort();
    let log = log.lock().expect("lock").clone();
    let regions_of = |service: &str, op: Option<&str>| -> Vec<String> {
        log.iter()
            .filter(|(s, o, _)| s == service && op.is_none_or(|x| x == o))
            .map(|(_, _, r)| r.clone())
            .collect()
    };
    for (service, op, want) in [
        ("aws-marketplace", None, "us-east-1"),
        ("sns", None, "us-east-1"),
        ("events", None, "us-east-1"),
        ("cloudtrail", Some("LookupEvents"), "us-east-1"),
        ("sqs", None, "eu-west-1"),
        ("kms", None, "eu-west-1"),
    ] {
        let got = regions_of(service, op);
        assert!(
            !got.is_empty(),
            "no {service} {op:?} request was made: {log:?}"
        );
        assert!(
            got.iter().all(|r| r == want),
            "{service} {op:?} signed for {got:?}, want {want}"
        );
    }
}

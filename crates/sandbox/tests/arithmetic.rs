//! Arithmetic on request values is checked: clock advances, page tokens, usage timestamps and
//! CloudTrail time ranges at the edges of their types get an AWS-style error (or a plain empty
//! answer where AWS gives one), never an overflow panic (debug) or a wrapped value (release),
//! and the server answers the next request. Before the fix, `page-18446744073709551615` and an
//! advance of i64::MAX panicked the handler in a debug build.

mod common;

use aws_sdk_marketplacemetering as metering;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use common::*;
use serde_json::{json, Value};

const HUGE_TOKEN: &str = "18446744073709551615"; // usize::MAX

/// The sandbox's control API, as the app and the CLI call it.
async fn control(url: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let client = reqwest::Client::new();
    let rb = match body {
        Some(b) => client.post(format!("{url}{path}")).json(&b),
        None => client.get(format!("{url}{path}")),
    };
    // The secret the in-process sandbox registered for its URL, as the typed client sends it.
    let rb = match la_sandbox_api::secret::secret_for(url) {
        Some(secret) => rb.header(la_sandbox_api::SECRET_HEADER, secret),
        None => rb,
    };
    let resp = rb.send().await.expect("the sandbox answers");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn still_answers(url: &str) {
    let (status, v) = control(url, "/_sandbox/health", None).await;
    assert_eq!((status, v["ok"].as_bool()), (200, Some(true)), "{v}");
}

#[tokio::test]
async fn clock_advances_are_bounded_and_checked() {
    let run = start(la_sandbox::Config::default()).await;
    for secs in [
        json!(i64::MAX),
        json!(la_sandbox::MAX_CLOCK_OFFSET_SECS + 1),
        json!(-1),
        json!(i64::MIN),
    ] {
        let (status, v) = control(
            &run.url,
            "/_sandbox/clock",
            Some(json!({"advance_secs": secs})),
        )
        .await;
        assert_eq!(status, 400, "advance {secs}: {v}");
        assert_eq!(v["code"], "ValidationException", "{v}");
        still_answers(&run.url).await;
    }
    // Nothing moved, and the largest allowed advance works; a second one that would pass the
    // bound is refused with how far the clock already is.
    let (_, v) = control(&run.url, "/_sandbox/clock", None).await;
    assert_eq!(v["offset_secs"], 0, "{v}");
    let (status, v) = control(
        &run.url,
        "/_sandbox/clock",
        Some(json!({"advance_secs": la_sandbox::MAX_CLOCK_OFFSET_SECS})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = control(
        &run.url,
        "/_sandbox/clock",
        Some(json!({"advance_secs": 1})),
    )
    .await;
    assert_eq!(status, 400, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap_or_default()
            .contains("at most"),
        "{v}"
    );
    // What the ticker does every second, at the far end of the clock: no panic.
    run.sandbox
        .process_due()
        .await
        .expect("due work at the bound");
    // A JSON number beyond i64 is a rejected body, not a panic.
    let (status, _) = control(
        &run.url,
        "/_sandbox/clock",
        Some(json!({"advance_secs": 1e30})),
    )
    .await;
    assert!((400..500).contains(&status), "{status}");
    still_answers(&run.url).await;
    run.stop().await;
}

#[tokio::test]
async fn page_tokens_past_the_end_are_invalid() {
    let run = start(la_sandbox::Config::default()).await;
    // Catalog (REST-JSON): ValidationException, HTTP 422 as the Catalog API documents it.
    let (status, etype, _) = signed(
        &run.url,
        "POST",
        "/ListEntities",
        &[("content-type", "application/json")],
        json!({"Catalog": "AWSMarketplace", "EntityType": "SaaSProduct",
               "NextToken": format!("page-{HUGE_TOKEN}")})
        .to_string()
        .into_bytes(),
    )
    .await;
    assert_eq!((status, etype.as_str()), (422, "ValidationException"));
    // Entitlement: InvalidParameterException, as AWS documents for a bad token.
    let (status, etype, _) = signed(
        &run.url,
        "POST",
        "/",
        &[
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", "AWSMPEntitlementService.GetEntitlements"),
        ],
        json!({"ProductCode": STAGING_CODE, "NextToken": format!("ent-{HUGE_TOKEN}")})
            .to_string()
            .into_bytes(),
    )
    .await;
    assert_eq!((status, etype.as_str()), (400, "InvalidParameterException"));
    // CloudTrail: InvalidNextTokenException.
    let (status, etype, _) =
        lookup(&run.url, json!({"NextToken": format!("ct-{HUGE_TOKEN}")})).await;
    assert_eq!((status, etype.as_str()), (400, "InvalidNextTokenException"));
    // A token that overflows usize is as invalid as any other garbage.
    let (status, etype, _) =
        lookup(&run.url, json!({"NextToken": "ct-99999999999999999999999"})).await;
    assert_eq!((status, etype.as_str()), (400, "InvalidNextTokenException"));
    // The largest MaxResults with a real token still pages.
    let (status, _, body) = lookup(&run.url, json!({"MaxResults": 50})).await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&body).expect("json");
    assert!(v["Events"].is_array(), "{v}");
    still_answers(&run.url).await;
    run.stop().await;
}

async fn lookup(url: &str, body: Value) -> (u16, String, Vec<u8>) {
    signed_as(
        url,
        "cloudtrail",
        "POST",
        "/",
        &[
            ("content-type", "application/x-amz-json-1.1"),
            (
                "x-amz-target",
                "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
            ),
        ],
        body.to_string().into_bytes(),
    )
    .await
}

#[tokio::test]
async fn extreme_timestamps_are_out_of_bounds() {
    let run = start(la_sandbox::Config::default()).await;
    // Through the real SDK client: the largest timestamp it can send.
    let e = metering::Client::new(&demo_sdk(&run.url))
        .meter_usage()
        .product_code(SUB_CODE)
        .timestamp(aws_smithy_types::DateTime::from_secs(i64::MAX / 2))
        .usage_dimension("users")
        .usage_quantity(1)
        .send()
        .await
        .expect_err("far future")
        .into_service_error();
    assert_eq!(e.code(), Some("TimestampOutOfBoundsException"), "{e:?}");
    // On the wire: values past i64 either way (the cast saturates; the check must not overflow).
    for ts in [
        json!(1e300),
        json!(-1e300),
        json!(i64::MIN),
        json!(i64::MAX),
    ] {
        let (status, etype, _) = signed(
            &run.url,
            "POST",
            "/",
            &[
                ("content-type", "application/x-amz-json-1.1"),
                ("x-amz-target", "AWSMPMeteringService.BatchMeterUsage"),
            ],
            json!({"ProductCode": STAGING_CODE, "UsageRecords": [{
                "Timestamp": ts, "CustomerAWSAccountId": STAGING_BUYER,
                "Dimension": "users", "Quantity": 1}]})
            .to_string()
            .into_bytes(),
        )
        .await;
        assert_eq!(
            (status, etype.as_str()),
            (400, "TimestampOutOfBoundsException"),
            "BatchMeterUsage at {ts}"
        );
        let (status, etype, _) = signed(
            &run.url,
            "POST",
            "/",
            &[
                ("content-type", "application/x-amz-json-1.1"),
                ("x-amz-target", "AWSMPMeteringService.MeterUsage"),
            ],
            json!({"ProductCode": SUB_CODE, "Timestamp": ts,
                   "UsageDimension": "users", "UsageQuantity": 1})
            .to_string()
            .into_bytes(),
        )
        .await;
        assert_eq!(
            (status, etype.as_str()),
            (400, "TimestampOutOfBoundsException"),
            "MeterUsage at {ts}"
        );
        // CloudTrail accepts any range (AWS does too); the edges give an answer, not a panic.
        let (status, _, _) = lookup(&run.url, json!({"StartTime": -1e300, "EndTime": ts})).await;
        assert!(
            status == 200 || status == 400,
            "LookupEvents to {ts}: {status}"
        );
    }
    still_answers(&run.url).await;
    run.stop().await;
}

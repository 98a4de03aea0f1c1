//! The wire itself: awsJson1_1 Entitlement (older SDKs), malformed and oversized bodies, unknown
//! operations, and notifications landing in a moto SQS queue in the exact SNS envelope.

mod common;

use common::*;
use la_sandbox::buyer::PurchaseRequest;
use la_sandbox::{Config, SqsTarget};
use serde_json::Value;

#[tokio::test]
async fn entitlements_over_aws_json_like_older_sdks() {
    let run = start(Config::default()).await;
    let p = run
        .sandbox
        .purchase(&PurchaseRequest {
            product: STAGING_PRODUCT.into(),
            buyer_account: STAGING_BUYER.into(),
            redirect: false,
            ..Default::default()
        })
        .await
        .expect("purchase");
    let body = serde_json::json!({"ProductCode": STAGING_CODE, "Filter": {"CUSTOMER_AWS_ACCOUNT_ID": [STAGING_BUYER]}});
    let (status, _, bytes) = signed(
        &run.url,
        "POST",
        "/",
        &[
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", "AWSMPEntitlementService.GetEntitlements"),
        ],
        body.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&bytes).expect("json");
    assert_eq!(v["Entitlements"][0]["LicenseArn"], p.license_arn);
    assert_eq!(v["Entitlements"][0]["Value"]["IntegerValue"], 1);
    assert!(
        v["Entitlements"][0]["ExpirationDate"].is_number(),
        "awsJson timestamps are epoch numbers"
    );
}

#[tokio::test]
async fn malformed_requests_get_aws_errors_not_panics() {
    let run = start(Config::default()).await;
    let json = [
        ("content-type", "application/x-amz-json-1.1"),
        ("x-amz-target", "AWSMPMeteringService.BatchMeterUsage"),
    ];
    let (s, t, _) = signed(&run.url, "POST", "/", &json, b"{not json".to_vec()).await;
    assert_eq!((s, t.as_str()), (400, "SerializationException"));
    let (s, t, _) = signed(&run.url, "POST", "/", &json, b"[1,2]".to_vec()).await;
    assert_eq!((s, t.as_str()), (400, "SerializationException"));
    let (s, t, _) = signed(
        &run.url,
        "POST",
        "/",
        &json,
        br#"{"UsageRecords":"x"}"#.to_vec(),
    )
    .await;
    assert_eq!((s, t.as_str()), (400, "ValidationException"));
    let (s, t, _) = signed(
        &run.url,
        "POST",
        "/",
        &json,
        br#"{"UsageRecords":[{"Dimension":"a"}],"ProductCode":"demostg7ky5a0d3rqx2ub6y8m"}"#
            .to_vec(),
    )
    .await;
    assert_eq!(
        (s, t.as_str()),
        (400, "ValidationException"),
        "missing Timestamp"
    );
    let big = format!(
        r#"{{"RegistrationToken":"{}"}}"#,
        "a".repeat(1024 * 1024 + 10)
    );
    let (s, t, _) = signed(
        &run.url,
        "POST",
        "/",
        &[
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", "AWSMPMeteringService.ResolveCustomer"),
        ],
        big.into_bytes(),
    )
    .await;
    assert_eq!((s, t.as_str()), (400, "ValidationException"), "over 1 MB");
    let cbor = [
        ("content-type", "application/cbor"),
        ("smithy-protocol", "rpc-v2-cbor"),
    ];
    let (s, t, body) = signed(
        &run.url,
        "POST",
        "/service/AWSMPEntitlementService/operation/GetEntitlements",
        &cbor,
        vec![0xff, 0x00, 0x13],
    )
    .await;
    assert_eq!((s, t.as_str()), (400, "SerializationException"));
    let v: ciborium::Value = ciborium::de::from_reader(body.as_slice()).expect("cbor error body");
    assert!(format!("{v:?}").contains("SerializationException"));
    let (s, t, _) = signed(
        &run.url,
        "POST",
        "/",
        &[
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", "AWSMPMeteringService.Nope"),
        ],
        b"{}".to_vec(),
    )
    .await;
    assert_eq!((s, t.as_str()), (400, "UnknownOperationException"));
    let (s, _, _) = signed(&run.url, "GET", "/Nope", &[], vec![]).await;
    assert_eq!(s, 404);
    // Unsigned requests are refused.
    let r = reqwest::Client::new()
        .post(format!("{}/", run.url))
        .header("x-amz-target", "AWSMPMeteringService.ResolveCustomer")
        .header("content-type", "application/x-amz-json-1.1")
        .body("{}")
        .send()
        .await
        .expect("send");
    assert_eq!(
        r.headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok()),
        Some("MissingAuthenticationTokenException")
    );
}

#[tokio::test]
async fn non_loopback_needs_an_explicit_flag() {
    let e = la_sandbox::serve(
        Config::default(),
        la_sandbox::server::ServeOptions {
            addr: "0.0.0.0:0".parse().expect("addr"),
            seed_demo: false,
            allow_remote: false,
        },
    )
    .await
    .err()
    .expect("refused");
    assert!(e.to_string().contains("loopback"), "{e}");
}

#[tokio::test]
async fn notifications_land_in_moto_sqs_in_the_sns_envelope() {
    let moto = moto();
    let (sqs, queue_url) = la_testkit::sqs::queue(&moto.url, "marketplace").await;
    let events = tempfile::NamedTempFile::new().expect("events file");
    let config = Config {
        sqs: Some(SqsTarget {
            queue_url: queue_url.clone(),
            endpoint_url: Some(moto.url.clone()),
            region: "us-east-1".into(),
            credentials: Some(("testing".into(), "testing".into())),
        }),
        events_file: Some(events.path().to_path_buf()),
        ..Config::default()
    };
    let run = start(config).await;
    let p = run
        .sandbox
        .purchase(&PurchaseRequest {
            product: STAGING_PRODUCT.into(),
            buyer_account: STAGING_BUYER.into(),
            redirect: true,
            ..Default::default()
        })
        .await
        .expect("purchase");
    assert_eq!(
        p.fulfillment.as_ref().and_then(|f| f.status),
        Some(200),
        "the demo landing page answered"
    );
    run.sandbox
        .change(
            &p.license_arn,
            &[la_sandbox::model::Entitlement {
                dimension: "seats".into(),
                quantity: Some(10),
            }],
        )
        .await
        .expect("change");
    run.sandbox.cancel(&p.license_arn).await.expect("cancel");
    run.sandbox.advance_clock(3600).await.expect("clock");

    let mut actions = Vec::new();
    for _ in 0..10 {
        let out = sqs
            .receive_message()
            .queue_url(&queue_url)
            .max_number_of_messages(10)
            .send()
            .await
            .expect("receive");
        for m in out.messages() {
            let env: Value = serde_json::from_str(m.body().expect("body")).expect("envelope json");
            assert_eq!(env["Type"], "Notification");
            assert_eq!(env["SignatureVersion"], "1");
            let topic = env["TopicArn"].as_str().expect("topic");
            assert!(
                topic.starts_with("arn:aws:sns:us-east-1:287250355862:aws-mp-"),
                "{topic}"
            );
            assert!(topic.ends_with(STAGING_CODE));
            let inner: Value = serde_json::from_str(env["Message"].as_str().expect("message"))
                .expect("inner json");
            assert_eq!(inner["product-code"], STAGING_CODE);
            assert_eq!(inner["customer-identifier"], p.customer_identifier);
            actions.push(inner["action"].as_str().expect("action").to_string());
            sqs.delete_message()
                .queue_url(&queue_url)
                .receipt_handle(m.receipt_handle().expect("rh"))
                .send()
                .await
                .expect("delete");
        }
        if actions.len() >= 5 {
            break;
        }
    }
    assert_eq!(
        actions,
        [
            "subscribe-success",
            "entitlement-updated",
            "entitlement-updated",
            "unsubscribe-pending",
            "unsubscribe-success"
        ]
    );

    let lines = std::fs::read_to_string(events.path()).expect("events");
    let types: Vec<String> = lines
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).expect("event json")["detail-type"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(
        types,
        [
            "Purchase Agreement Created - Manufacturer",
            "Purchase Agreement Created - Proposer",
            "License Updated - Manufacturer",
            "Purchase Agreement Amended - Manufacturer",
            "Purchase Agreement Amended - Proposer",
            "License Updated - Manufacturer",
            "Purchase Agreement Ended - Manufacturer",
            "Purchase Agreement Ended - Proposer",
            "License Deprovisioned - Manufacturer",
        ]
    );
}

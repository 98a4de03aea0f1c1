//! What the sandbox sends for each buyer action, checked against AWS's documented shapes: the
//! EventBridge events of AWS's "Amazon EventBridge events" page (agreements and licenses) and
//! the SNS messages of its SaaS notification pages, their order, and their times on the sandbox
//! clock. The expected shapes are written here from those pages (docs/SANDBOX.md lists them).

mod common;

use common::*;
use la_sandbox::buyer::PurchaseRequest;
use la_sandbox::model::Entitlement;
use la_sandbox::Config;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// AWS's example of an agreement event ("Purchase Agreement Created - Proposer"), our values.
fn aws_agreement_created() -> Value {
    json!({
        "version": "0",
        "id": "12345678-1234-1234-1234-123456789012",
        "detail-type": "Purchase Agreement Created - Proposer",
        "source": "aws.agreement-marketplace",
        "account": "111122223333",
        "time": "2026-08-30T21:36:03Z",
        "region": "us-east-1",
        "resources": ["arn:aws:aws-marketplace::aws:agreement:agmt-exampleagreement0000000"],
        "detail": {
            "requestId": "3d4c9f9b-b809-4f5e-9fac-a9ae98b05cbb",
            "catalog": "AWSMarketplace",
            "agreement": {
                "id": "agmt-exampleagreement0000000",
                "intent": "NEW",
                "status": "ACTIVE",
                "acceptanceTime": "2026-08-30T21:36:03Z",
                "startTime": "2026-08-30T21:36:03Z",
                "endTime": "2027-08-30T21:36:03Z"
            },
            "resaleAuthorization": {"id": null},
            "acceptor": {"accountId": "444455556666"},
            "proposer": {"accountId": "111122223333"},
            "offer": {"id": "offer-example0000000"}
        }
    })
}

/// AWS's "Purchase Agreement Ended" detail: the agreement has only its ID and status.
fn aws_agreement_ended() -> Value {
    let mut v = aws_agreement_created();
    v["detail"]["agreement"] = json!({"id": "agmt-exampleagreement0000000", "status": "CANCELLED"});
    v
}

/// AWS's example of a license event ("License Updated - Manufacturer"), our values.
fn aws_license_event() -> Value {
    json!({
        "version": "0",
        "id": "12345678-1234-1234-1234-123456789012",
        "detail-type": "License Updated - Manufacturer",
        "source": "aws.agreement-marketplace",
        "account": "111122223333",
        "time": "2026-08-30T21:36:03Z",
        "region": "us-east-1",
        "resources": ["arn:aws:aws-marketplace::aws:agreement:agmt-exampleagreement0000000"],
        "detail": {
            "requestId": "3d4c9f9b-b809-4f5e-9fac-a9ae98b05cbb",
            "catalog": "AWSMarketplace",
            "agreement": {"id": "agmt-exampleagreement0000000"},
            "product": {"code": "examplecode0000000000000", "id": "prod-example00000"},
            "license": {"arn": "arn:aws:license-manager::294406891311:license:l-example"},
            "acceptor": {"accountId": "444455556666"},
            "proposer": {"accountId": "111122223333"},
            "offer": {"id": "offer-example0000000"}
        }
    })
}

/// Every key path of a JSON document (`detail.agreement.id`…), the shape without the values.
fn shape(v: &Value) -> BTreeSet<String> {
    fn walk(v: &Value, at: String, out: &mut BTreeSet<String>) {
        if let Value::Object(m) = v {
            for (k, x) in m {
                let p = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                out.insert(p.clone());
                walk(x, p, out);
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(v, String::new(), &mut out);
    out
}

/// The documented members of a Marketplace SNS message, by action.
fn sns_members(action: &str) -> BTreeSet<String> {
    let mut m = vec!["action", "customer-identifier", "product-code"];
    match action {
        "subscribe-success" | "subscribe-fail" => {
            m.extend(["offer-identifier", "isFreeTrialTermPresent"])
        }
        "unsubscribe-pending" | "unsubscribe-success" => m.push("isFreeTrialTermPresent"),
        _ => {}
    }
    m.into_iter().map(str::to_string).collect()
}

const SNS_ENVELOPE: [&str; 9] = [
    "Message",
    "MessageId",
    "Signature",
    "SignatureVersion",
    "SigningCertURL",
    "Timestamp",
    "TopicArn",
    "Type",
    "UnsubscribeURL",
];

/// One entry of the sandbox's log as "what: time": the EventBridge detail type, or
/// "sns <action>", each checked against AWS's shape on the way.
fn label(entry: &Value, buyer: &str, code: &str) -> Option<(String, String)> {
    let time = entry["time"].as_str().unwrap_or_default().to_string();
    if let Some(ev) = entry.get("eventbridge") {
        let dt = ev["detail-type"].as_str().expect("detail-type").to_string();
        let expected = if dt.starts_with("License ") {
            aws_license_event()
        } else if dt.starts_with("Purchase Agreement Ended") {
            aws_agreement_ended()
        } else {
            aws_agreement_created()
        };
        assert_eq!(
            shape(ev),
            shape(&expected),
            "{dt} is not in AWS's shape: {ev}"
        );
        assert_eq!(ev["source"], "aws.agreement-marketplace");
        assert_eq!(ev["region"], "us-east-1");
        assert_eq!(ev["detail"]["acceptor"]["accountId"], buyer);
        if dt.starts_with("License ") {
            assert_eq!(ev["detail"]["product"]["code"], code);
        }
        assert_eq!(ev["time"].as_str(), Some(time.as_str()));
        return Some((dt, time));
    }
    let body = entry["body"].as_str()?;
    let env: Value = serde_json::from_str(body).expect("envelope");
    assert_eq!(
        shape(&env),
        SNS_ENVELOPE.iter().map(|s| s.to_string()).collect(),
        "{body}"
    );
    let msg: Value = serde_json::from_str(env["Message"].as_str().expect("Message")).expect("json");
    let action = msg["action"].as_str().expect("action").to_string();
    assert_eq!(shape(&msg), sns_members(&action), "{action}: {msg}");
    assert_eq!(msg["product-code"], code);
    Some((format!("sns {action}"), time))
}

fn log(run: &la_sandbox::Running, from: usize, buyer: &str, code: &str) -> Vec<(String, String)> {
    run.sandbox.notifications()[from..]
        .iter()
        .filter_map(|e| label(e, buyer, code))
        .collect()
}

fn names(l: &[(String, String)]) -> Vec<&str> {
    l.iter().map(|(n, _)| n.as_str()).collect()
}

#[tokio::test]
async fn purchase_amend_cancel_and_the_final_metering_hour() {
    let run = start(Config::default()).await;
    let sb = &run.sandbox;
    let p = sb
        .purchase(&PurchaseRequest {
            product: STAGING_PRODUCT.into(),
            buyer_account: STAGING_BUYER.into(),
            redirect: false,
            ..Default::default()
        })
        .await
        .expect("purchase");
    let bought = log(&run, 0, STAGING_BUYER, STAGING_CODE);
    assert_eq!(
        names(&bought),
        [
            "Purchase Agreement Created - Manufacturer",
            "Purchase Agreement Created - Proposer",
            "License Updated - Manufacturer",
            "sns subscribe-success",
            "sns entitlement-updated",
        ]
    );
    let mark = sb.notifications().len();
    sb.change(
        &p.license_arn,
        &[Entitlement {
            dimension: "seats".into(),
            quantity: Some(10),
        }],
    )
    .await
    .expect("change");
    assert_eq!(
        names(&log(&run, mark, STAGING_BUYER, STAGING_CODE)),
        [
            "Purchase Agreement Amended - Manufacturer",
            "Purchase Agreement Amended - Proposer",
            "License Updated - Manufacturer",
            "sns entitlement-updated",
        ]
    );
    let mark = sb.notifications().len();
    let cancelled_at = la_sandbox::ops::catalog::iso(sb.now());
    sb.cancel(&p.license_arn).await.expect("cancel");
    let cancel = log(&run, mark, STAGING_BUYER, STAGING_CODE);
    // "License Deprovisioned" opens the final-metering hour (AWS's SaaS EventBridge page).
    assert_eq!(
        names(&cancel),
        [
            "Purchase Agreement Ended - Manufacturer",
            "Purchase Agreement Ended - Proposer",
            "License Deprovisioned - Manufacturer",
            "sns unsubscribe-pending",
        ]
    );
    assert!(cancel.iter().all(|(_, t)| *t == cancelled_at), "{cancel:?}");
    // Nothing more until the hour has passed on the sandbox clock, then unsubscribe-success only.
    let mark = sb.notifications().len();
    sb.advance_clock(3599).await.expect("clock");
    assert!(log(&run, mark, STAGING_BUYER, STAGING_CODE).is_empty());
    sb.advance_clock(1).await.expect("clock");
    let end = log(&run, mark, STAGING_BUYER, STAGING_CODE);
    assert_eq!(names(&end), ["sns unsubscribe-success"]);
    let hour_later = chrono::DateTime::parse_from_rfc3339(&end[0].1).expect("time")
        - chrono::DateTime::parse_from_rfc3339(&cancelled_at).expect("time");
    assert_eq!(hour_later.num_seconds(), 3600);
    // The ended agreement says why it ended.
    let ended = sb
        .notifications()
        .into_iter()
        .filter_map(|e| e.get("eventbridge").cloned())
        .find(|e| e["detail-type"] == "Purchase Agreement Ended - Manufacturer")
        .expect("ended");
    assert_eq!(ended["detail"]["agreement"]["status"], "CANCELLED");
    assert_eq!(ended["detail"]["agreement"]["id"], p.agreement_id.as_str());
}

#[tokio::test]
async fn a_contract_expires_and_a_subscription_does_not() {
    let run = start(Config::default()).await;
    let sb = &run.sandbox;
    for product in [STAGING_PRODUCT, SUB_PRODUCT] {
        sb.purchase(&PurchaseRequest {
            product: product.into(),
            buyer_account: STAGING_BUYER.into(),
            redirect: false,
            ..Default::default()
        })
        .await
        .expect("purchase");
    }
    let mark = sb.notifications().len();
    sb.advance_clock(364 * 86400).await.expect("clock");
    assert!(
        sb.notifications().len() == mark,
        "nothing ends before the year is out"
    );
    sb.advance_clock(86400).await.expect("clock");
    let ended = log(&run, mark, STAGING_BUYER, STAGING_CODE);
    assert_eq!(
        names(&ended),
        [
            "Purchase Agreement Ended - Manufacturer",
            "Purchase Agreement Ended - Proposer",
            "License Deprovisioned - Manufacturer",
            "sns entitlement-updated",
        ]
    );
    let status = sb
        .notifications()
        .into_iter()
        .rev()
        .filter_map(|e| e.get("eventbridge").cloned())
        .find(|e| e["detail-type"] == "Purchase Agreement Ended - Proposer")
        .expect("ended")["detail"]["agreement"]["status"]
        .clone();
    assert_eq!(status, "EXPIRED");
}

#[tokio::test]
async fn a_failed_subscription_sends_subscribe_fail_only() {
    let run = start(Config::default()).await;
    let sb = &run.sandbox;
    sb.fail_subscription(SUB_PRODUCT, STAGING_BUYER)
        .await
        .expect("fail");
    assert_eq!(
        names(&log(&run, 0, STAGING_BUYER, SUB_CODE)),
        ["sns subscribe-fail"]
    );
}

#[test]
fn the_shapes_tell_a_sandbox_drift_apart() {
    // A license field in an agreement event, or an account ID in an SNS message, is a
    // different shape: the checks above would fail on it.
    let mut drift = aws_agreement_created();
    drift["detail"]["license"] = json!({"arn": "arn:l"});
    assert_ne!(shape(&drift), shape(&aws_agreement_created()));
    let mut members = sns_members("unsubscribe-pending");
    members.insert("customer-aws-account-id".into());
    assert_ne!(members, sns_members("unsubscribe-pending"));
    assert!(!sns_members("unsubscribe-pending").contains("offer-identifier"));
}

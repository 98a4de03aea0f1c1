//! The planner on CloudTrail entries in the shape AWS's "Logging AWS Marketplace Metering API
//! calls with AWS CloudTrail" page shows (our own values).

use super::*;
use crate::engine::CheckStatus;
use serde_json::json;

const BUYER: &str = "444455556666";

/// 2026-11-23T10:15:30Z
const T: i64 = 1_795_428_930;

/// A CloudTrail BatchMeterUsage entry with one record, as AWS's example lays it out.
fn entry(record: Value, product_code: Option<&str>, status: &str) -> Value {
    let mut params = json!({"usageRecords": [record.clone()]});
    if let Some(p) = product_code {
        params["productCode"] = json!(p);
    }
    json!({
        "eventVersion": "1.05",
        "eventSource": "metering-marketplace.amazonaws.com",
        "eventName": "BatchMeterUsage",
        "awsRegion": "us-east-1",
        "requestParameters": params,
        "responseElements": {
            "results": [{"usageRecord": record, "meteringRecordId": "b52e6ed6-98f0-4e90-8bd2-000000000001", "status": status}],
            "unprocessedRecords": []
        }
    })
}

fn licensed(qty: i64, ts: &str) -> Value {
    json!({"dimension": "api_calls", "timestamp": ts, "customerAWSAccountId": BUYER,
           "licenseArn": "arn:aws:license-manager::111122223333:license:l-0123456789abcdef", "quantity": qty})
}

#[test]
fn timestamps_as_cloudtrail_logs_them() {
    assert_eq!(
        parse_timestamp(&json!("Apr 19, 2018 4:32:50 PM")),
        Some(1_524_155_570)
    );
    assert_eq!(parse_timestamp(&json!("Nov 23, 2026 10:15:30 AM")), Some(T));
    assert_eq!(parse_timestamp(&json!("2026-11-23T10:15:30Z")), Some(T));
    assert_eq!(parse_timestamp(&json!(1_795_428_930.75)), Some(T));
    assert_eq!(parse_timestamp(&json!("yesterday")), None);
}

#[test]
fn records_from_aws_example_shape() {
    // AWS's own example names both identifiers, spelled customerAWSAccountID.
    let e = entry(
        json!({"dimension": "Dimension1", "timestamp": "Nov 23, 2026 10:15:30 AM", "customerIdentifier": "customer1",
               "customerAWSAccountID": BUYER, "quantity": 1}),
        Some("EXAMPLE_proCode"),
        "Success",
    );
    let r = records(&e);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].customer_aws_account_id.as_deref(), Some(BUYER));
    assert_eq!(r[0].customer_identifier.as_deref(), Some("customer1"));
    assert_eq!(r[0].product_code.as_deref(), Some("EXAMPLE_proCode"));
    assert_eq!((r[0].timestamp, r[0].quantity), (T, 1));
    // A failed call or one without response elements holds no accepted record.
    let mut failed = e.clone();
    failed["errorCode"] = json!("ThrottlingException");
    assert!(records(&failed).is_empty());
    let mut silent = e;
    silent["responseElements"] = Value::Null;
    assert!(records(&silent).is_empty());
}

#[test]
fn mirrors_the_newest_accepted_record_in_the_window() {
    let older = records(&entry(
        licensed(3, "Nov 23, 2026 8:15:30 AM"),
        None,
        "Success",
    ));
    let newest = records(&entry(
        licensed(5, "Nov 23, 2026 10:15:30 AM"),
        None,
        "Success",
    ));
    let refused = records(&entry(
        licensed(9, "Nov 23, 2026 10:20:00 AM"),
        None,
        "DuplicateRecord",
    ));
    let stale = records(&entry(
        licensed(1, "Nov 23, 2026 2:00:00 AM"),
        None,
        "Success",
    ));
    let all: Vec<SaasRecord> = [older, newest, refused, stale].concat();
    match plan(
        &all,
        BUYER,
        IntegrationStyle::ConcurrentAgreements,
        "",
        T + 600,
    ) {
        Plan::Send(r) => {
            assert_eq!((r.timestamp, r.quantity), (T, 5));
            assert!(r.license_arn.is_some() && r.product_code.is_none());
        }
        Plan::Verdict(o) => panic!("{o:?}"),
    }
}

#[test]
fn nothing_is_sent_without_an_hour_the_saas_holds() {
    // Nothing metered; another buyer's record; a record past the window.
    let other = records(&entry(
        json!({"dimension": "api_calls", "timestamp": T, "customerAWSAccountId": "999988887777", "quantity": 2}),
        Some("code"),
        "Success",
    ));
    let stale = records(&entry(
        licensed(1, "Nov 23, 2026 2:00:00 AM"),
        None,
        "Success",
    ));
    let legacy = records(&entry(
        json!({"dimension": "api_calls", "timestamp": T, "customerIdentifier": "X01EXAMPLEX", "quantity": 2}),
        Some("code"),
        "Success",
    ));
    match plan(&legacy, BUYER, IntegrationStyle::Legacy, "code", T) {
        Plan::Verdict(o) => assert!(
            o.summary.en.contains("only a CustomerIdentifier"),
            "{}",
            o.summary.en
        ),
        Plan::Send(r) => panic!("would send {r:?}"),
    }
    for all in [vec![], other, stale, legacy] {
        match plan(
            &all,
            BUYER,
            IntegrationStyle::ConcurrentAgreements,
            "code",
            T + 60,
        ) {
            Plan::Verdict(o) => {
                assert_eq!(o.status, CheckStatus::Skipped, "{}", o.summary.en);
                assert!(o.summary.en.starts_with("not sent"), "{}", o.summary.en);
            }
            Plan::Send(r) => panic!("would send {r:?}"),
        }
    }
}

#[test]
fn the_saas_s_own_refusals_and_missing_license_are_verdicts() {
    let refused = records(&entry(
        licensed(5, "Nov 23, 2026 10:15:30 AM"),
        None,
        "CustomerNotSubscribed",
    ));
    match plan(
        &refused,
        BUYER,
        IntegrationStyle::ConcurrentAgreements,
        "",
        T,
    ) {
        Plan::Verdict(o) => assert_eq!(o.status, CheckStatus::Fail, "{}", o.summary.en),
        Plan::Send(r) => panic!("{r:?}"),
    }
    let by_code = records(&entry(
        json!({"dimension": "api_calls", "timestamp": T, "customerAWSAccountId": BUYER, "quantity": 2}),
        Some("code"),
        "Success",
    ));
    match plan(
        &by_code,
        BUYER,
        IntegrationStyle::ConcurrentAgreements,
        "",
        T,
    ) {
        Plan::Verdict(o) => {
            assert_eq!(o.status, CheckStatus::Warn, "{}", o.summary.en);
            assert!(o.summary.en.contains("LicenseArn"), "{}", o.summary.en);
        }
        Plan::Send(r) => panic!("{r:?}"),
    }
    // The legacy style mirrors the ProductCode form.
    match plan(&by_code, BUYER, IntegrationStyle::Legacy, "", T) {
        Plan::Send(r) => assert_eq!(r.product_code.as_deref(), Some("code")),
        Plan::Verdict(o) => panic!("{o:?}"),
    }
}

#[test]
fn verdicts_on_aws_answers() {
    let r = &records(&entry(
        licensed(5, "Nov 23, 2026 10:15:30 AM"),
        None,
        "Success",
    ))[0];
    for (status, want) in [
        (Some("DuplicateRecord"), CheckStatus::Pass),
        (Some("Success"), CheckStatus::Pass),
        (Some("CustomerNotSubscribed"), CheckStatus::Fail),
        (None, CheckStatus::Fail),
    ] {
        assert_eq!(verdict(r, BUYER, status, 1).status, want, "{status:?}");
    }
    assert!(verdict(r, BUYER, Some("DuplicateRecord"), 0)
        .summary
        .en
        .contains("2026-11-23T10:00:00Z"));
}

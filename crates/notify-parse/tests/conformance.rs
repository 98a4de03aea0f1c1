//! Replays every case in conformance/notifications/ (SNS messages of every action, in the SNS
//! envelope and raw; EventBridge events of every detail type, Manufacturer and Proposer) through
//! the parser and compares the whole result with the case's `expect`. A case is a JSON file:
//! `about`, `source` (AWS's pages it was written from), `body` (the SQS message body: a string
//! as is, an object serialized) and `expect`.

use la_notify_parse::{parse, Parsed};
use serde_json::{json, Value};
use std::path::PathBuf;

fn cases() -> Vec<(PathBuf, Value)> {
    let root = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR is set by cargo"),
    )
    .join("../../conformance/notifications");
    let mut out = Vec::new();
    for dir in ["sns", "eventbridge"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).expect("read");
            let case: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            out.push((f, case));
        }
    }
    out
}

/// Every field of the parse result, absent ones as null, so a case pins all of it.
fn as_json(p: &Parsed) -> Value {
    match p {
        Parsed::Marketplace(m) => json!({
            "parsed": "marketplace",
            "action": m.action.as_str(),
            "customer_identifier": m.customer_identifier,
            "customer_aws_account_id": m.customer_aws_account_id,
            "product_code": m.product_code,
            "offer_identifier": m.offer_identifier,
            "free_trial": m.free_trial,
            "topic_arn": m.topic_arn,
            "message_id": m.message_id,
            "timestamp": m.timestamp,
        }),
        Parsed::EventBridge(e) => json!({
            "parsed": "eventbridge",
            "id": e.id,
            "detail_type": e.detail_type,
            "kind": e.kind(),
            "role": e.role(),
            "time": e.time,
            "agreement_id": e.agreement_id,
            "license_arn": e.license_arn,
            "license_id": e.license_id(),
            "acceptor_account": e.acceptor_account,
            "proposer_account": e.proposer_account,
            "product_code": e.product_code,
            "offer_id": e.offer_id,
            "status": e.status,
            "intent": e.intent,
        }),
        Parsed::Malformed { reason } => json!({"parsed": "malformed", "reason": reason}),
    }
}

#[test]
fn every_case_parses_as_expected() {
    let all = cases();
    assert!(!all.is_empty(), "no conformance cases found");
    for (file, case) in &all {
        let body = match &case["body"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        assert!(
            case["about"].as_str().is_some_and(|a| !a.is_empty()) && case["source"].is_array(),
            "{}: every case says what it is and where AWS documents it",
            file.display()
        );
        let got = as_json(&parse(&body));
        let want = &case["expect"];
        if want["parsed"] == "malformed" {
            let reason = got["reason"].as_str().unwrap_or_default();
            let part = want["reason_contains"].as_str().expect("reason_contains");
            assert!(
                got["parsed"] == "malformed" && reason.contains(part),
                "{}: {got}",
                file.display()
            );
        } else {
            assert_eq!(&got, want, "{}", file.display());
        }
    }
}

/// The folder covers every documented action in both deliveries and every detail type in both
/// roles; a new shape AWS documents is added as a case.
#[test]
fn the_cases_cover_every_action_and_detail_type() {
    let all = cases();
    let parsed: Vec<(String, Value)> = all
        .iter()
        .map(|(f, c)| {
            (
                f.file_name()
                    .expect("file name")
                    .to_string_lossy()
                    .into_owned(),
                c["expect"].clone(),
            )
        })
        .collect();
    for action in [
        "subscribe-success",
        "subscribe-fail",
        "unsubscribe-pending",
        "unsubscribe-success",
        "entitlement-updated",
    ] {
        for form in ["envelope", "raw"] {
            assert!(
                parsed
                    .iter()
                    .any(|(name, e)| e["action"] == action
                        && name.ends_with(&format!(".{form}.json"))),
                "no {form} case for {action}"
            );
        }
    }
    for flag in [json!(true), json!(false), Value::Null] {
        assert!(parsed
            .iter()
            .any(|(_, e)| e["parsed"] == "marketplace" && e["free_trial"] == flag));
    }
    assert!(parsed
        .iter()
        .any(|(_, e)| e["offer_identifier"].is_string()));
    assert!(parsed
        .iter()
        .any(|(_, e)| e["action"] == "subscribe-success" && e["offer_identifier"].is_null()));
    for kind in [
        "Purchase Agreement Created",
        "Purchase Agreement Amended",
        "Purchase Agreement Ended",
        "License Updated",
        "License Deprovisioned",
    ] {
        for role in ["Manufacturer", "Proposer"] {
            let dt = format!("{kind} - {role}");
            assert!(
                parsed.iter().any(|(_, e)| e["detail_type"] == dt.as_str()),
                "no case for {dt}"
            );
        }
    }
}

//! Patterns and policies as AWS documents them: the SaaS EventBridge integration page's detail
//! types, EventBridge's content filters, and the EventBridge → SQS permission statement from
//! "Using resource-based policies for Amazon EventBridge".

use super::*;
use serde_json::json;

const QUEUE: &str = "arn:aws:sqs:us-east-1:123456789012:saas-events";
const RULE: &str = "arn:aws:events:us-east-1:123456789012:rule/marketplace-agreements";

#[test]
fn globs() {
    assert!(glob("arn:aws:events:us-east-1:123456789012:rule/*", RULE));
    assert!(glob("*", RULE));
    assert!(glob(
        "arn:aws:events:*:123456789012:rule/marketplace-?greements",
        RULE
    ));
    assert!(!glob("arn:aws:events:us-east-1:999999999999:rule/*", RULE));
    assert!(!glob(
        "arn:aws:events:us-east-1:123456789012:rule/other",
        RULE
    ));
}

#[test]
fn every_event_in_both_variants_or_none() {
    let all = agreement_coverage(r#"{"source":["aws.agreement-marketplace"]}"#).expect("ok");
    assert_eq!(all.manufacturer.len(), 5);
    assert!(all.proposer_only.is_empty());
    assert_eq!(agreement_coverage(r#"{"source":["aws.ec2"]}"#), None);
    assert_eq!(agreement_coverage("not json"), None);
}

#[test]
fn only_manufacturer_variants_cover_an_event() {
    // The pattern a direct seller might write from the Proposer examples alone.
    let proposer = agreement_coverage(
        r#"{"source":["aws.agreement-marketplace"],"detail-type":["Purchase Agreement Created - Proposer","Purchase Agreement Amended - Proposer","Purchase Agreement Ended - Proposer","License Updated - Proposer","License Deprovisioned - Proposer"]}"#,
    )
    .expect("ok");
    assert!(proposer.manufacturer.is_empty());
    assert_eq!(proposer.proposer_only.len(), 5);
    // The ISV's list: the Manufacturer variants.
    let isv = agreement_coverage(
        r#"{"source":["aws.agreement-marketplace"],"detail-type":["Purchase Agreement Created - Manufacturer","Purchase Agreement Amended - Manufacturer","Purchase Agreement Ended - Manufacturer","License Updated - Manufacturer","License Deprovisioned - Manufacturer"]}"#,
    )
    .expect("ok");
    assert_eq!(isv.manufacturer.len(), 5);
    // Content filters.
    let suffix = agreement_coverage(
        r#"{"source":[{"prefix":"aws.agreement"}],"detail-type":[{"suffix":" - Manufacturer"}]}"#,
    )
    .expect("ok");
    assert_eq!(suffix.manufacturer.len(), 5);
    let wildcard = agreement_coverage(
        r#"{"source":["aws.agreement-marketplace"],"detail-type":[{"wildcard":"License * - *"}]}"#,
    )
    .expect("ok");
    assert_eq!(
        wildcard.manufacturer,
        vec!["License Updated", "License Deprovisioned"]
    );
    let but = agreement_coverage(
        r#"{"source":["aws.agreement-marketplace"],"detail-type":[{"anything-but":{"suffix":"- Manufacturer"}}]}"#,
    )
    .expect("ok");
    assert!(but.manufacturer.is_empty() && but.proposer_only.len() == 5);
    let case = agreement_coverage(
        r#"{"source":["aws.agreement-marketplace"],"detail-type":[{"equals-ignore-case":"license updated - manufacturer"},{"prefix":{"equals-ignore-case":"purchase agreement"}}]}"#,
    )
    .expect("ok");
    assert_eq!(case.manufacturer.len(), 4, "{case:?}");
}

/// The statement AWS's EventBridge guide adds to a queue policy.
fn documented(source: Value) -> Value {
    json!({
        "Sid": "AWSEvents_marketplace-agreements_saas-events",
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": QUEUE,
        "Condition": {"ArnEquals": {"aws:SourceArn": source}}
    })
}

#[test]
fn eventbridge_queue_policies() {
    let ok = documented(json!(RULE));
    assert!(statement_allows(&ok, "events.amazonaws.com", QUEUE, RULE));
    // Another rule, another queue, another service, Deny: no.
    assert!(!statement_allows(
        &documented(json!("arn:aws:events:us-east-1:123456789012:rule/other")),
        "events.amazonaws.com",
        QUEUE,
        RULE
    ));
    assert!(!statement_allows(
        &ok,
        "events.amazonaws.com",
        "arn:aws:sqs:us-east-1:123456789012:other",
        RULE
    ));
    assert!(!statement_allows(&ok, "sns.amazonaws.com", QUEUE, RULE));
    let mut deny = ok.clone();
    deny["Effect"] = json!("Deny");
    assert!(!statement_allows(
        &deny,
        "events.amazonaws.com",
        QUEUE,
        RULE
    ));
    // Wildcards as AWS's condition operators allow them.
    let like = json!({"Effect": "Allow", "Principal": {"Service": ["events.amazonaws.com"]}, "Action": ["sqs:*"],
        "Resource": "arn:aws:sqs:us-east-1:123456789012:*",
        "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/*"}}});
    assert!(statement_allows(&like, "events.amazonaws.com", QUEUE, RULE));
    // An ArnEquals value is not a pattern.
    let not_like = documented(json!("arn:aws:events:us-east-1:123456789012:rule/*"));
    assert!(!statement_allows(
        &not_like,
        "events.amazonaws.com",
        QUEUE,
        RULE
    ));
    assert_eq!(statements(&json!({"Statement": ok.clone()})).len(), 1);
    assert_eq!(
        statements(&json!({"Statement": [ok.clone(), like]})).len(),
        2
    );
}

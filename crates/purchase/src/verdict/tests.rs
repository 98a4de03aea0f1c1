//! The verdicts on hand-built timelines: each passing, failing, undecided, and left alone by
//! other buyers' and products' notifications.

use super::*;
use serde_json::json;

const CODE: &str = "demostg7ky5a0d3rqx2ub6y8m";

fn ev(seq: u32, source: EventSource, kind: &str, at: &str, raw: Value) -> TimelineEvent {
    TimelineEvent {
        seq,
        observed_at: "2026-11-23T10:00:00Z".into(),
        occurred_at: Some(at.into()),
        source,
        kind: kind.into(),
        summary: la_core::checklist::Text::same(kind),
        malformed: false,
        raw: raw.to_string(),
    }
}
fn t(s: &str) -> Option<DateTime<Utc>> {
    Some(
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc),
    )
}
fn progress(through: &str) -> Progress {
    Progress {
        cloudtrail_through: t(through),
        entitlement_polls: vec![],
        buyer_account: "444455556666".into(),
        product_code: CODE.into(),
    }
}
fn landing() -> TimelineEvent {
    ev(
        1,
        EventSource::Sandbox,
        kinds::LANDING,
        "2026-11-23T10:00:00Z",
        json!({}),
    )
}

#[test]
fn resolve_pass_late_missing_and_pending() {
    let p = progress("2026-11-23T10:05:00Z");
    let quick = ev(
        2,
        EventSource::CloudTrail,
        kinds::RESOLVE,
        "2026-11-23T10:00:03Z",
        json!({}),
    );
    assert_eq!(
        resolve_within_limit(&[landing(), quick], &p).state,
        VerdictState::Pass
    );
    let late = ev(
        2,
        EventSource::CloudTrail,
        kinds::RESOLVE,
        "2026-11-23T10:00:42Z",
        json!({}),
    );
    let v = resolve_within_limit(&[landing(), late], &p);
    assert_eq!(v.state, VerdictState::Fail);
    assert!(v.detail.en.contains("42 s"), "{}", v.detail.en);
    assert!(v.detail.ja.contains("42 秒"), "{}", v.detail.ja);
    let failed = ev(
        2,
        EventSource::CloudTrail,
        kinds::RESOLVE,
        "2026-11-23T10:00:01Z",
        json!({"errorCode": "InvalidTokenException"}),
    );
    let v = resolve_within_limit(&[landing(), failed.clone()], &p);
    assert_eq!(v.state, VerdictState::Fail);
    assert!(v.detail.en.contains("1 call(s) failed"));
    // CloudTrail not yet read past the deadline: undecided.
    assert_eq!(
        resolve_within_limit(&[landing(), failed], &progress("2026-11-23T10:00:05Z")).state,
        VerdictState::Pending
    );
    assert_eq!(resolve_within_limit(&[], &p).state, VerdictState::NotYet);
    // A call from before the landing does not count.
    let before = ev(
        2,
        EventSource::CloudTrail,
        kinds::RESOLVE,
        "2026-11-23T09:59:00Z",
        json!({}),
    );
    assert_eq!(
        resolve_within_limit(&[landing(), before], &p).state,
        VerdictState::Fail
    );
}

#[test]
fn final_metering_within_the_hour_or_not() {
    let pending = ev(
        1,
        EventSource::Sqs,
        kinds::UNSUBSCRIBE_PENDING,
        "2026-11-23T10:00:00.500Z",
        json!({}),
    );
    let rec = |at: &str, buyer: &str| {
        ev(
            2,
            EventSource::CloudTrail,
            kinds::METER,
            at,
            json!({"requestParameters": {"usageRecords": [{"customerAWSAccountId": buyer}]}}),
        )
    };
    let after = progress("2026-11-23T11:30:00Z");
    assert_eq!(
        final_metering(
            &[pending.clone(), rec("2026-11-23T10:20:00Z", "444455556666")],
            &after
        )
        .state,
        VerdictState::Pass
    );
    // AWS's CloudTrail example spells the member customerAWSAccountID.
    let rec_id = ev(
        2,
        EventSource::CloudTrail,
        kinds::METER,
        "2026-11-23T10:20:00Z",
        json!({"requestParameters": {"usageRecords": [{"customerAWSAccountID": "444455556666"}]}}),
    );
    assert_eq!(
        final_metering(&[pending.clone(), rec_id], &after).state,
        VerdictState::Pass
    );
    assert_eq!(
        final_metering(
            &[pending.clone(), rec("2026-11-23T11:20:00Z", "444455556666")],
            &after
        )
        .state,
        VerdictState::Fail
    );
    // Another customer's record is not this buyer's final metering.
    assert_eq!(
        final_metering(
            &[pending.clone(), rec("2026-11-23T10:20:00Z", "999999999999")],
            &after
        )
        .state,
        VerdictState::Fail
    );
    assert_eq!(
        final_metering(
            std::slice::from_ref(&pending),
            &progress("2026-11-23T10:30:00Z")
        )
        .state,
        VerdictState::Pending
    );
    assert_eq!(final_metering(&[], &after).state, VerdictState::NotYet);
}

#[test]
fn entitlement_change_seen_missing_or_awaited() {
    let upd = ev(
        2,
        EventSource::Sqs,
        kinds::ENTITLEMENT_UPDATED,
        "2026-11-23T10:00:00Z",
        json!({}),
    );
    let change = ev(
        3,
        EventSource::Entitlements,
        kinds::ENTITLEMENTS_CHANGED,
        "2026-11-23T10:00:01Z",
        json!({}),
    );
    let mut p = progress("2026-11-23T10:00:00Z");
    assert_eq!(
        entitlement_after_change(&[upd.clone(), change.clone()], &p).state,
        VerdictState::Pass
    );
    // The poll saw the change just before the notification was read.
    let early = TimelineEvent {
        seq: 1,
        ..change.clone()
    };
    assert_eq!(
        entitlement_after_change(&[early, upd.clone()], &p).state,
        VerdictState::Pass
    );
    // Two updates, one change: the second update's window does not reuse the first's change.
    let upd2 = TimelineEvent {
        seq: 4,
        ..upd.clone()
    };
    p.entitlement_polls = vec![4, 4, 4];
    let v = entitlement_after_change(&[upd.clone(), change.clone(), upd2], &p);
    assert_eq!(v.state, VerdictState::Fail, "{}", v.detail.en);
    p.entitlement_polls = vec![2, 2];
    assert_eq!(
        entitlement_after_change(std::slice::from_ref(&upd), &p).state,
        VerdictState::Pending
    );
    p.entitlement_polls = vec![2, 2, 2];
    assert_eq!(
        entitlement_after_change(std::slice::from_ref(&upd), &p).state,
        VerdictState::Fail
    );
    assert_eq!(
        entitlement_after_change(&[], &p).state,
        VerdictState::NotYet
    );
}

#[test]
fn unsubscribe_order() {
    let pend = |s| {
        ev(
            s,
            EventSource::Sqs,
            kinds::UNSUBSCRIBE_PENDING,
            "2026-11-23T10:00:00Z",
            json!({}),
        )
    };
    let ok = |s| {
        ev(
            s,
            EventSource::Sqs,
            kinds::UNSUBSCRIBE_SUCCESS,
            "2026-11-23T11:00:00Z",
            json!({}),
        )
    };
    assert_eq!(
        unsubscribe_sequence(&[pend(1), ok(2)]).state,
        VerdictState::Pass
    );
    assert_eq!(
        unsubscribe_sequence(&[ok(1), pend(2)]).state,
        VerdictState::Fail
    );
    assert_eq!(unsubscribe_sequence(&[ok(1)]).state, VerdictState::Fail);
    assert_eq!(
        unsubscribe_sequence(&[pend(1)]).state,
        VerdictState::Pending
    );
    assert_eq!(unsubscribe_sequence(&[]).state, VerdictState::NotYet);
}

/// A subscription or entitlement topic's message in its SNS envelope, as SQS delivers it.
fn sns(action: &str, customer: &str, code: &str) -> Value {
    let topic = if action == "entitlement-updated" {
        "entitlement"
    } else {
        "subscription"
    };
    json!({
        "Type": "Notification",
        "MessageId": format!("{action}-{customer}-{code}"),
        "TopicArn": format!("arn:aws:sns:us-east-1:287250355862:aws-mp-{topic}-notification-{code}"),
        "Message": format!("{{\n\"action\": \"{action}\",\n\"customer-identifier\": \"{customer}\",\n\"product-code\": \"{code}\"\n}}"),
        "Timestamp": "2026-11-23T10:00:00.000Z",
        "SignatureVersion": "1",
    })
}

fn note(seq: u32, action: &str, customer: &str, code: &str) -> TimelineEvent {
    ev(
        seq,
        EventSource::Sqs,
        action,
        "2026-11-23T10:00:00Z",
        sns(action, customer, code),
    )
}

fn purchased(seq: u32, customer: &str) -> TimelineEvent {
    ev(
        seq,
        EventSource::Sandbox,
        "purchase-done",
        "2026-11-23T09:59:00Z",
        json!({"customer_identifier": customer, "customer_aws_account_id": "444455556666", "product_code": CODE}),
    )
}

#[test]
fn other_buyers_and_products_leave_the_verdicts_alone() {
    let p = progress("2026-11-23T10:05:00Z");
    let base = vec![purchased(1, "MINE1")];
    let before = verdicts(&base, &p);
    let mut shared = base.clone();
    for (i, (action, who, code)) in [
        ("entitlement-updated", "THEIRS", CODE),
        ("unsubscribe-pending", "THEIRS", CODE),
        ("unsubscribe-success", "THEIRS", CODE),
        ("entitlement-updated", "MINE1", "othercode"),
        ("unsubscribe-pending", "MINE1", "othercode"),
    ]
    .into_iter()
    .enumerate()
    {
        shared.push(note(i as u32 + 2, action, who, code));
    }
    let after = verdicts(&shared, &p);
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(b.state, a.state, "{:?} moved: {}", a.id, a.detail.en);
    }
    // The buyer's own message does move them.
    shared.push(note(9, "unsubscribe-pending", "MINE1", CODE));
    let own = verdicts(&shared, &p);
    let state = |id| own.iter().find(|v| v.id == id).expect("verdict").state;
    assert_eq!(
        state(VerdictId::FinalMeteringWithin1h),
        VerdictState::Pending
    );
    assert_eq!(state(VerdictId::UnsubscribeSequence), VerdictState::Pending);
}

#[test]
fn a_message_that_cannot_be_attributed_says_why() {
    let p = progress("2026-11-23T10:05:00Z");
    // Two customers on the queue, no purchase or entitlements naming the buyer's identifier.
    let events = vec![
        note(1, "unsubscribe-pending", "CUSTA", CODE),
        note(2, "unsubscribe-pending", "CUSTB", CODE),
    ];
    let v = verdicts(&events, &p);
    let fm = v
        .iter()
        .find(|v| v.id == VerdictId::FinalMeteringWithin1h)
        .expect("verdict");
    assert_eq!(fm.state, VerdictState::Pending);
    assert!(
        fm.detail.en.contains("cannot be decided yet"),
        "{}",
        fm.detail.en
    );
    assert!(
        fm.detail
            .en
            .contains("#1 unsubscribe-pending for customer CUSTA"),
        "{}",
        fm.detail.en
    );
    assert!(
        fm.detail.ja.contains("まだ判定できません"),
        "{}",
        fm.detail.ja
    );
    // Once GetEntitlements names the buyer's identifier, the other one is another buyer's.
    let mut known = events.clone();
    known.push(ev(
        3,
        EventSource::Entitlements,
        "entitlements",
        "2026-11-23T10:00:01Z",
        json!({"entitlements": {}, "customers": ["CUSTB"]}),
    ));
    let v = verdicts(&known, &p);
    let fm = v
        .iter()
        .find(|v| v.id == VerdictId::FinalMeteringWithin1h)
        .expect("verdict");
    assert_eq!(fm.events, vec![2], "{}", fm.detail.en);
    assert!(
        !fm.detail.en.contains("cannot be decided"),
        "{}",
        fm.detail.en
    );
}

#[test]
fn entitlements_not_read_is_said_not_left_pending() {
    let mut p = progress("2026-11-23T10:05:00Z");
    p.entitlement_polls = vec![];
    let why = ev(
        1,
        EventSource::Entitlements,
        kinds::WATCHER_UNAVAILABLE,
        "2026-11-23T10:00:00Z",
        json!({"watcher": "entitlements", "reason": "DescribeEntity prod-x failed: AccessDeniedException"}),
    );
    let upd = note(2, "entitlement-updated", "MINE1", CODE);
    let v = entitlement_after_change(&[why.clone(), upd.clone()], &p);
    assert_eq!(v.state, VerdictState::Pending);
    assert!(v.detail.en.contains("cannot be decided: GetEntitlements is not read (DescribeEntity prod-x failed: AccessDeniedException)"), "{}", v.detail.en);
    assert!(v.events.contains(&1));
    let v = entitlement_after_change(std::slice::from_ref(&why), &p);
    assert!(
        v.detail.en.contains("cannot be decided in this session"),
        "{}",
        v.detail.en
    );
    // With the watcher running, the same timeline is simply waiting.
    let v = entitlement_after_change(&[upd], &p);
    assert!(
        v.detail.en.contains("waiting for GetEntitlements"),
        "{}",
        v.detail.en
    );
}

#[test]
fn final_metering_from_license_deprovisioned_when_only_eventbridge_arrives() {
    let deprovisioned = ev(
        1,
        EventSource::EventBridge,
        kinds::LICENSE_DEPROVISIONED,
        "2026-11-23T10:00:00Z",
        json!({"version": "0", "detail-type": kinds::LICENSE_DEPROVISIONED, "source": "aws.agreement-marketplace", "time": "2026-11-23T10:00:00Z", "detail": {"agreement": {"id": "agmt-1"}, "product": {"code": CODE, "id": "prod-x"}, "license": {"arn": "arn:l"}, "acceptor": {"accountId": "444455556666"}}}),
    );
    let rec = ev(
        2,
        EventSource::CloudTrail,
        kinds::METER,
        "2026-11-23T10:20:00Z",
        json!({"requestParameters": {"usageRecords": [{"customerAWSAccountId": "444455556666"}]}}),
    );
    let after = progress("2026-11-23T11:30:00Z");
    let v = final_metering(&[deprovisioned.clone(), rec], &after);
    assert_eq!(v.state, VerdictState::Pass, "{}", v.detail.en);
    assert!(
        v.detail.en.contains("after License Deprovisioned"),
        "{}",
        v.detail.en
    );
    let v = final_metering(std::slice::from_ref(&deprovisioned), &after);
    assert_eq!(v.state, VerdictState::Fail, "{}", v.detail.en);
    // Another buyer's deprovisioned license opens no hour for this one.
    let mut theirs = deprovisioned;
    theirs.raw = theirs.raw.replace("444455556666", "999988887777");
    let v = verdicts(&[theirs], &after);
    let fm = v
        .iter()
        .find(|v| v.id == VerdictId::FinalMeteringWithin1h)
        .expect("verdict");
    assert_eq!(fm.state, VerdictState::NotYet, "{}", fm.detail.en);
}

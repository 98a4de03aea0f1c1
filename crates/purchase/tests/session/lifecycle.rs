//! A purchase, a contract change and a cancellation against SaaS stubs that do or do not do
//! their part, and the SQS watcher's delete and peek modes.

use crate::common::*;
use la_core::purchase::{VerdictId, VerdictState, WatcherState};
use la_purchase::sandbox::SandboxBuyer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purchase_change_cancel_with_a_saas_that_resolves_and_meters() {
    let w = world("good").await;
    let (s, sink) = start(&w, true).await;
    let buyer = SandboxBuyer::new(&w.sandbox.url);

    let p = buyer
        .purchase(&s, PRODUCT, BUYER, false)
        .await
        .expect("purchase");
    assert_eq!(p.landing_status, Some(200));
    until(
        &s,
        "subscribe-success, entitlement-updated, landing, ResolveCustomer and the entitlements",
        |s| {
            has(s, "subscribe-success", 1)
                && has(s, "entitlement-updated", 1)
                && has(s, "landing", 1)
                && has(s, "ResolveCustomer", 1)
                && has(s, "entitlements-changed", 1)
                && has(s, "Purchase Agreement Created - Proposer", 1)
        },
    )
    .await;
    until(&s, "the resolve verdict", |s| {
        verdict(s, VerdictId::ResolveWithin10s) == VerdictState::Pass
    })
    .await;
    until(&s, "the entitlement verdict", |s| {
        verdict(s, VerdictId::EntitlementAfterChange) == VerdictState::Pass
    })
    .await;

    buyer
        .change(&s, &p.license_arn, &[("seats".into(), 25)])
        .await
        .expect("change");
    until(&s, "the change", |s| {
        has(s, "entitlement-updated", 2)
            && s.events()
                .iter()
                .any(|e| e.kind == "entitlements-changed" && e.summary.en.contains("1 → 25"))
    })
    .await;
    assert_eq!(
        verdict(&s, VerdictId::EntitlementAfterChange),
        VerdictState::Pass
    );

    buyer.cancel(&s, &p.license_arn).await.expect("cancel");
    until(&s, "unsubscribe-pending", |s| {
        has(s, "unsubscribe-pending", 1)
    })
    .await;
    assert_eq!(
        verdict(&s, VerdictId::FinalMeteringWithin1h),
        VerdictState::Pending
    );
    // The SaaS's final metering record, signed with its own keys.
    let out = aws_sdk_marketplacemetering::Client::new(&la_aws::access::static_config(
        &w.sandbox.url,
        SAAS_KEY,
        SAAS_SECRET,
    ))
    .batch_meter_usage()
    .usage_records(
        aws_sdk_marketplacemetering::types::UsageRecord::builder()
            .timestamp(
                aws_sdk_marketplacemetering::primitives::DateTime::from_secs(
                    w.sandbox.sandbox.now(),
                ),
            )
            .customer_aws_account_id(BUYER)
            .license_arn(&p.license_arn)
            .dimension("api_calls")
            .quantity(3)
            .build()
            .expect("record"),
    )
    .send()
    .await
    .expect("meter");
    assert_eq!(
        out.results()[0].status().map(|s| s.as_str()),
        Some("Success")
    );
    until(&s, "the final metering verdict", |s| {
        verdict(s, VerdictId::FinalMeteringWithin1h) == VerdictState::Pass
    })
    .await;
    buyer.advance_clock(&s, 3601).await.expect("clock");
    until(&s, "unsubscribe-success", |s| {
        has(s, "unsubscribe-success", 1)
    })
    .await;
    until(&s, "the unsubscribe verdict", |s| {
        verdict(s, VerdictId::UnsubscribeSequence) == VerdictState::Pass
    })
    .await;

    // In order on the timeline.
    let order = [
        "purchase",
        "subscribe-success",
        "change",
        "cancel",
        "unsubscribe-pending",
        "clock",
        "unsubscribe-success",
    ];
    let seqs: Vec<u32> = order.iter().map(|k| first_seq(&s, k)).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "out of order {seqs:?}:\n{}",
        dump(&s)
    );
    let resolve = s
        .verdicts()
        .into_iter()
        .find(|v| v.id == VerdictId::ResolveWithin10s)
        .expect("verdict");
    assert!(
        resolve.detail.en.contains("after the buyer landed"),
        "{}",
        resolve.detail.en
    );
    // The tester's own step is on the timeline too, and the token never is.
    s.tester("note", "signed up as a new account");
    assert!(s
        .events()
        .iter()
        .all(|e| !e.raw.contains("browser_form_html")));
    // Delete mode: the queue is drained.
    let left = w
        .sqs
        .receive_message()
        .queue_url(&w.queue_url)
        .wait_time_seconds(0)
        .send()
        .await
        .expect("receive");
    assert!(
        left.messages().is_empty(),
        "delete mode left messages behind"
    );
    // The sink saw what the session saw.
    assert_eq!(sink.events.lock().expect("lock").len(), s.events().len());
    assert!(sink
        .statuses
        .lock()
        .expect("lock")
        .iter()
        .any(|st| st.state == WatcherState::Running));
    s.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saas_that_never_resolves_nor_meters_fails_its_verdicts() {
    let w = world("silent").await;
    let (s, _) = start(&w, true).await;
    let buyer = SandboxBuyer::new(&w.sandbox.url);
    let p = buyer
        .purchase(&s, PRODUCT, BUYER, false)
        .await
        .expect("purchase");
    until(&s, "the landing and entitlements", |s| {
        has(s, "landing", 1) && has(s, "entitlements-changed", 1)
    })
    .await;
    assert_ne!(verdict(&s, VerdictId::ResolveWithin10s), VerdictState::Pass);
    // Past the 10 s on the sandbox clock: CloudTrail read beyond the deadline decides it.
    buyer.advance_clock(&s, 60).await.expect("clock");
    until(&s, "the resolve verdict failing", |s| {
        verdict(s, VerdictId::ResolveWithin10s) == VerdictState::Fail
    })
    .await;
    assert!(!has(&s, "ResolveCustomer", 1));

    // A "change" to the same quantities: entitlement-updated, but GetEntitlements never moves.
    buyer
        .change(&s, &p.license_arn, &[("seats".into(), 1)])
        .await
        .expect("change");
    until(&s, "the entitlement verdict failing", |s| {
        verdict(s, VerdictId::EntitlementAfterChange) == VerdictState::Fail
    })
    .await;

    buyer.cancel(&s, &p.license_arn).await.expect("cancel");
    until(&s, "unsubscribe-pending", |s| {
        has(s, "unsubscribe-pending", 1)
    })
    .await;
    buyer.advance_clock(&s, 2 * 3600).await.expect("clock");
    until(&s, "the final metering verdict failing", |s| {
        verdict(s, VerdictId::FinalMeteringWithin1h) == VerdictState::Fail
    })
    .await;
    s.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peek_leaves_messages_for_the_saas_and_malformed_ones_do_not_stop_the_watcher() {
    let w = world("good").await;
    let (s, _) = start(&w, false).await;
    w.sqs
        .send_message()
        .queue_url(&w.queue_url)
        .message_body("{not json")
        .send()
        .await
        .expect("send");
    until(&s, "the malformed message", |s| {
        s.events()
            .iter()
            .any(|e| e.malformed && e.raw == "{not json")
    })
    .await;
    let buyer = SandboxBuyer::new(&w.sandbox.url);
    buyer
        .purchase(&s, PRODUCT, BUYER, false)
        .await
        .expect("purchase");
    until(&s, "subscribe-success after the malformed message", |s| {
        has(s, "subscribe-success", 1)
    })
    .await;
    // Peeked, not consumed: each message appears once on the timeline and is still in the queue.
    assert_eq!(s.events().iter().filter(|e| e.malformed).count(), 1);
    // Once the watcher is closed, the SaaS's consumer finds every message still there.
    s.close().await;
    let mut left = std::collections::HashSet::new();
    for _ in 0..20 {
        let out = w
            .sqs
            .receive_message()
            .queue_url(&w.queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("receive");
        left.extend(
            out.messages()
                .iter()
                .filter_map(|m| m.message_id().map(str::to_string)),
        );
        if left.len() >= 3 {
            break;
        }
    }
    assert!(
        left.len() >= 3,
        "peek mode consumed messages: {} left",
        left.len()
    );
}

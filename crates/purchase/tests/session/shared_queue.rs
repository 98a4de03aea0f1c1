//! A queue shared by several buyers and products: the other buyer's and the other product's
//! messages (SNS through the queue, EventBridge through the sandbox's log and through the queue)
//! stay on the timeline, marked, and leave the session's verdicts alone; the session's own
//! buyer's message moves them.

use crate::common::*;
use la_core::purchase::{VerdictId, VerdictState};
use la_purchase::sandbox::SandboxBuyer;
use la_sandbox::buyer::PurchaseRequest;
use la_sandbox::model::Entitlement;

const OTHER_BUYER: &str = "777788889999";
const SUB_PRODUCT: &str = "prod-demosub2k8v5n";

/// "License Deprovisioned - Manufacturer" as an EventBridge rule delivers it to an SQS queue:
/// the event itself is the message body (AWS's documented shape for license events).
fn deprovisioned(acceptor: &str, code: &str) -> String {
    serde_json::json!({
        "version": "0",
        "id": "6f1b2a6e-0c1d-4b8e-9a51-0d4c3e2f1a00",
        "detail-type": "License Deprovisioned - Manufacturer",
        "source": "aws.agreement-marketplace",
        "account": "111122223333",
        "time": "2026-11-23T10:00:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:aws-marketplace::aws:agreement:agmt-0therbuyeragreement00000"],
        "detail": {
            "requestId": "0b6f2d1e-4a3c-4f5e-9d7c-2b1a0e9f8d7c",
            "catalog": "AWSMarketplace",
            "agreement": {"id": "agmt-0therbuyeragreement00000"},
            "product": {"code": code, "id": "prod-demostg4a7k2q"},
            "license": {"arn": "arn:aws:license-manager::294406891311:license:l-0ther"},
            "acceptor": {"accountId": acceptor},
            "proposer": {"accountId": "111122223333"},
            "offer": {"id": "offer-demodemostg7k"}
        }
    })
    .to_string()
}

fn marked(s: &la_purchase::Session, prefix: &str) -> usize {
    s.events()
        .iter()
        .filter(|e| e.summary.en.starts_with(prefix))
        .count()
}

fn states(s: &la_purchase::Session) -> Vec<(VerdictId, VerdictState)> {
    s.verdicts().iter().map(|v| (v.id, v.state)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_buyers_and_products_stay_marked_and_leave_the_verdicts_alone() {
    let w = world("good").await;
    let sb = w.sandbox.sandbox.clone();
    // The other buyer may buy the same product.
    let mut p = (*sb.state.product(PRODUCT).expect("state").expect("product")).clone();
    p.buyer_accounts.push(OTHER_BUYER.into());
    sb.state.put_product(&p).expect("put");

    let (s, _) = start(&w, true).await;
    let buyer = SandboxBuyer::new(&w.sandbox.url);
    let mine = buyer
        .purchase(&s, PRODUCT, BUYER, false)
        .await
        .expect("purchase");
    until(&s, "the session's own verdicts", |s| {
        verdict(s, VerdictId::ResolveWithin10s) == VerdictState::Pass
            && verdict(s, VerdictId::EntitlementAfterChange) == VerdictState::Pass
    })
    .await;
    let before = states(&s);

    // Another buyer of the same product buys, changes and cancels.
    let other = sb
        .purchase(&PurchaseRequest {
            product: PRODUCT.into(),
            buyer_account: OTHER_BUYER.into(),
            redirect: false,
            ..Default::default()
        })
        .await
        .expect("other buyer's purchase");
    sb.change(
        &other.license_arn,
        &[Entitlement {
            dimension: "seats".into(),
            quantity: Some(5),
        }],
    )
    .await
    .expect("other buyer's change");
    sb.cancel(&other.license_arn)
        .await
        .expect("other buyer's cancel");
    // The session's buyer buys and cancels another product.
    let sub = sb
        .purchase(&PurchaseRequest {
            product: SUB_PRODUCT.into(),
            buyer_account: BUYER.into(),
            redirect: false,
            ..Default::default()
        })
        .await
        .expect("other product's purchase");
    sb.cancel(&sub.license_arn)
        .await
        .expect("other product's cancel");
    // And an EventBridge rule delivers another buyer's event to the same queue.
    w.sqs
        .send_message()
        .queue_url(&w.queue_url)
        .message_body(deprovisioned(OTHER_BUYER, CODE))
        .send()
        .await
        .expect("send");

    // SNS: the other buyer's subscribe-success, 2 entitlement-updated and unsubscribe-pending,
    // plus 9 EventBridge events from the sandbox's log and 1 through the queue; the other
    // product's subscribe-success and unsubscribe-pending, plus 6 EventBridge events.
    until(
        &s,
        "every other buyer's and product's message, marked",
        |s| marked(s, "other buyer (") >= 14 && marked(s, "other product (") >= 8,
    )
    .await;
    assert_eq!(
        states(&s),
        before,
        "other buyers' or products' messages moved the verdicts:\n{}",
        dump(&s)
    );
    assert_eq!(
        verdict(&s, VerdictId::FinalMeteringWithin1h),
        VerdictState::NotYet
    );
    // Marked, but still what they are.
    assert!(s.events().iter().any(|e| e.kind == "unsubscribe-pending"
        && e.summary
            .en
            .starts_with(&format!("other buyer ({}", other.customer_identifier))));
    assert!(s
        .events()
        .iter()
        .any(|e| e.kind == "unsubscribe-pending"
            && e.summary.en.starts_with("other product (demosub")));

    // The session's own buyer cancelling does move them.
    buyer.cancel(&s, &mine.license_arn).await.expect("cancel");
    until(&s, "the buyer's own unsubscribe-pending", |s| {
        s.events()
            .iter()
            .any(|e| e.kind == "unsubscribe-pending" && !e.summary.en.starts_with("other "))
    })
    .await;
    assert_eq!(
        verdict(&s, VerdictId::FinalMeteringWithin1h),
        VerdictState::Pending
    );
    assert_eq!(
        verdict(&s, VerdictId::UnsubscribeSequence),
        VerdictState::Pending
    );
    s.close().await;
}

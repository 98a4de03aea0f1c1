//! The `/_sandbox` control API through the typed client every front end uses
//! (`la_sandbox_api::Client`): each route's request and answer types match what the server
//! sends, and its refusals carry the status the one status → kind map reads.

use la_sandbox_api::{
    Client, ControlError, Entitlement, ErrorKind, Fault, FaultRequest, PurchaseRequest,
};

const STAGING: &str = "prod-demostg4a7k2q";
const BUYER: &str = "444455556666";

fn refused_kind(e: &ControlError) -> ErrorKind {
    assert!(matches!(e, ControlError::Refused { .. }), "{e:?}");
    e.kind()
}

#[tokio::test]
async fn a_purchase_cancelled_twice_is_a_conflict_and_the_clock_sends_what_is_due() {
    let sb = la_testkit::sandbox::seeded().await;
    let c = Client::new(&sb.url);
    assert!(c.health().await.expect("health").ok);
    let p = c
        .purchase(&PurchaseRequest {
            redirect: false,
            entitlements: vec![Entitlement {
                dimension: "seats".into(),
                quantity: Some(3),
            }],
            ..PurchaseRequest::new(STAGING, BUYER)
        })
        .await
        .expect("purchase");
    assert_eq!(p.customer_aws_account_id, BUYER);
    assert!(
        p.license_arn.starts_with("arn:aws:license-manager"),
        "{}",
        p.license_arn
    );
    assert!(p.fulfillment.is_none(), "not posted without redirect");
    // The subscribe-success notification, typed.
    assert!(p
        .notifications
        .iter()
        .any(|n| n.action.as_deref() == Some("subscribe-success")));
    let changed = c
        .change(&la_sandbox_api::ChangeRequest {
            license_arn: p.license_arn.clone(),
            entitlements: vec![Entitlement {
                dimension: "seats".into(),
                quantity: Some(5),
            }],
        })
        .await
        .expect("change");
    assert!(changed
        .entitlements
        .iter()
        .any(|e| e.dimension == "seats" && e.quantity == Some(5)));
    let cancelled = c.cancel(&p.license_arn).await.expect("cancel");
    assert!(!cancelled.unsubscribe_success_due.is_empty());
    let again = c
        .cancel(&p.license_arn)
        .await
        .expect_err("no longer active");
    assert_eq!(refused_kind(&again), ErrorKind::Conflict, "{again}");
    // Past the final-metering hour, unsubscribe-success is sent.
    let clock = c.advance_clock(2 * 3600).await.expect("clock");
    assert!(clock.offset_secs >= 2 * 3600);
    assert!(clock
        .notifications
        .expect("what became due")
        .iter()
        .any(|n| n.action.as_deref() == Some("unsubscribe-success")));
    assert!(c.clock().await.expect("clock").notifications.is_none());
}

#[tokio::test]
async fn refusals_map_to_their_kinds() {
    let sb = la_testkit::sandbox::seeded().await;
    let c = Client::new(&sb.url);
    let e = c
        .cancel("arn:aws:license-manager::294406891311:license:l-nosuch")
        .await
        .expect_err("unknown license");
    assert_eq!(refused_kind(&e), ErrorKind::NotFound, "{e}");
    let e = c
        .faults(&FaultRequest {
            operation: "*".into(),
            fault: Fault {
                throttle_rate: 2.0,
                ..Fault::default()
            },
        })
        .await
        .expect_err("a rate above 1");
    assert_eq!(refused_kind(&e), ErrorKind::InvalidInput, "{e}");
    let set = c
        .faults(&FaultRequest {
            operation: "BatchMeterUsage".into(),
            fault: Fault {
                delay_ms: 5,
                ..Fault::default()
            },
        })
        .await
        .expect("a valid fault");
    assert_eq!(set.fault.delay_ms, 5);
    // Nothing listens here: unreachable, not refused.
    let gone = Client::new("http://127.0.0.1:9")
        .health()
        .await
        .expect_err("nothing listens");
    assert!(matches!(gone, ControlError::Unreachable { .. }), "{gone:?}");
}

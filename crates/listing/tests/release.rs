//! Step 12 on the sandbox: the prechecks from the checklist state; a Public request refused
//! with MISSING_SELLER_PROFILE_INFORMATION while the seller profile is incomplete (set through
//! the sandbox's control API); after completing it, the request tracked through AWS's review
//! (held on the sandbox clock) to SUCCEEDED, its record kept in the store and attached as
//! evidence to step 12's item.

mod common;

use common::*;
use la_core::checklist::{checklist, ItemKind, StepEnv};
use la_core::model::{ChangeSource, EnvKind, ItemStatus, StatusChange};
use la_core::secrets::{Backend, Secrets};
use la_core::service::{Core, NoEvents};
use la_listing::flow::{self, Follow};
use la_listing::record::{new_record, next_attempt};
use la_listing::release::{prechecks, public_plan, refresh, tracking};
use serde_json::json;
use std::sync::Arc;

const ITEM: &str = "release.visibility_requested";

fn pass(core: &Core, ws: &str, item: &str) {
    core.store()
        .set_status(
            &StatusChange {
                workspace_id: ws.into(),
                item_id: item.into(),
                status: ItemStatus::Passed,
                note: String::new(),
                waiver_reason: None,
            },
            "test",
            ChangeSource::Check,
        )
        .expect("status");
}

async fn review(run: &la_sandbox::Running, body: serde_json::Value) -> serde_json::Value {
    let r = reqwest::Client::new()
        .post(format!("{}/_sandbox/review", run.url))
        .header(la_sandbox_api::SECRET_HEADER, &run.control_secret)
        .json(&body)
        .send()
        .await
        .expect("post");
    assert!(r.status().is_success());
    r.json().await.expect("json")
}

#[tokio::test]
async fn public_request_is_refused_without_a_seller_profile_then_tracked_through_review() {
    let run = sandbox().await;
    let cat = catalog(&run);
    let dir = tempfile::tempdir().expect("dir");
    let core = Core::open(
        dir.path(),
        Secrets::new("io.listingassistant.test", Backend::Mock),
        Arc::new(NoEvents),
    )
    .expect("core");
    let ws = core
        .create_workspace("Ledgerly", "Ledgerly")
        .expect("workspace")
        .id;

    // Prechecks: nothing done yet, then everything.
    let ok = |core: &Core| {
        prechecks(&core.store().item_states(&ws).expect("states"))
            .iter()
            .map(|p| (p.id.clone(), p.ok))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ok(&core),
        [
            ("production_checks".into(), false),
            ("final_review".into(), false),
            ("seller_profile".into(), false)
        ]
    );
    let cl = checklist();
    for i in cl.items.iter().filter(|i| {
        i.kind == ItemKind::Automated
            && cl
                .step(&i.step)
                .is_some_and(|s| s.env == StepEnv::Production)
    }) {
        pass(&core, &ws, &i.id);
    }
    pass(&core, &ws, "review.submitted");
    assert_eq!(ok(&core)[2], ("seller_profile".into(), false));
    pass(&core, &ws, "seller.public_profile");
    assert!(ok(&core).iter().all(|(_, ok)| *ok), "{:?}", ok(&core));

    // The sandbox's seller profile is incomplete and its review takes two weeks.
    let s = review(
        &run,
        json!({"seller_profile_complete": false, "review_secs": 14 * 86400}),
    )
    .await;
    assert_eq!(
        s,
        json!({"seller_profile_complete": false, "review_secs": 14 * 86400})
    );

    let snap = cat.snapshot(PRODUCT, "").await.expect("snapshot");
    let mut plan = public_plan(&snap);
    assert_eq!(
        plan.changes[0].details,
        json!({"TargetVisibility": "Public"})
    );
    plan.attempt = next_attempt(
        &core
            .change_set_records(&ws, EnvKind::Production)
            .expect("records"),
        &plan,
        "APPLY",
    );
    assert_eq!(plan.attempt, 0);
    let refused = flow::apply(&cat, &plan, Some(follow()), &|_| {})
        .await
        .expect("apply");
    assert_eq!(refused.status.status, "FAILED");
    assert_eq!(refused.errors[0].code, "MISSING_SELLER_PROFILE_INFORMATION");
    assert!(refused.errors[0].advice.ja.contains("セラープロフィール"));
    let rec = core
        .record_change_set(&new_record(
            &ws,
            EnvKind::Production,
            "release",
            &plan,
            &refused,
        ))
        .expect("record");
    assert_eq!(rec.items, [ITEM]);
    assert!(rec.ended_at.is_some() && !rec.started_by.is_empty());
    assert_eq!(core.list_evidence(&ws, ITEM).expect("evidence").len(), 1);
    assert!(!tracking(&refused.status).under_review);

    // The profile completed, the same request is sent again: a new attempt, a new change set,
    // held under review.
    review(&run, json!({"seller_profile_complete": true})).await;
    plan.attempt = next_attempt(
        &core
            .change_set_records(&ws, EnvKind::Production)
            .expect("records"),
        &plan,
        "APPLY",
    );
    assert_eq!(plan.attempt, 1);
    let short = Follow {
        poll: std::time::Duration::from_millis(50),
        max_polls: 20,
    };
    let held = flow::apply(&cat, &plan, Some(short), &|_| {})
        .await
        .expect("apply");
    assert_ne!(held.change_set_id, refused.change_set_id);
    assert_eq!(held.status.status, "APPLYING");
    let t = tracking(&held.status);
    assert!(t.under_review && t.message.en.contains("review"), "{t:?}");
    core.record_change_set(&new_record(
        &ws,
        EnvKind::Production,
        "release",
        &plan,
        &held,
    ))
    .expect("record");
    let open = core.open_change_sets(&ws).expect("open");
    assert_eq!(open.len(), 1);

    // At the next start the app re-reads it: still under review; two weeks later, released.
    let (still, t) = refresh(&core, &cat, &open[0]).await.expect("refresh");
    assert_eq!(still.status, "APPLYING");
    assert!(t.under_review);
    run.sandbox.advance_clock(14 * 86400).await.expect("clock");
    let (done, t) = refresh(&core, &cat, &open[0]).await.expect("refresh");
    assert_eq!(done.status, "SUCCEEDED", "{t:?}");
    assert!(!t.under_review && done.ended_at.is_some());
    assert!(core.open_change_sets(&ws).expect("open").is_empty());
    assert_eq!(core.list_evidence(&ws, ITEM).expect("evidence").len(), 2);
    assert_eq!(
        cat.snapshot(PRODUCT, "")
            .await
            .expect("snapshot")
            .values
            .visibility,
        "Public"
    );
    let history = core
        .change_set_records(&ws, EnvKind::Production)
        .expect("records");
    assert_eq!(
        history
            .iter()
            .map(|r| r.status.as_str())
            .collect::<Vec<_>>(),
        ["SUCCEEDED", "FAILED"]
    );
}

/// CancelChangeSet while PREPARING; refused once the change set has moved on.
#[tokio::test]
async fn a_change_set_is_cancelled_while_preparing() {
    let run = sandbox().await;
    let cat = catalog(&run);
    let snap = cat.snapshot(PRODUCT, "").await.expect("snapshot");
    let mut l = snap.listing.clone();
    l.product.short_description = "Cancelled edit".into();
    let p = la_listing::plan::plan(&l, Some(&snap));
    let started = flow::apply(&cat, &p, None, &|_| {}).await.expect("apply");
    assert_eq!(started.status.status, "PREPARING");
    let c = flow::cancel(&cat, &started.change_set_id)
        .await
        .expect("cancel");
    assert_eq!(c.status, "CANCELLED");
    let again = flow::cancel(&cat, &started.change_set_id)
        .await
        .expect_err("no longer preparing");
    assert!(again.is_aws("ResourceInUseException"), "{again:?}");
    assert_ne!(
        cat.snapshot(PRODUCT, "")
            .await
            .expect("snapshot")
            .listing
            .product
            .short_description,
        "Cancelled edit"
    );
}

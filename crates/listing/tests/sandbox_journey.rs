//! Listing authoring end to end on the sandbox, through the official AWS SDK: pull → file →
//! plan is empty on the demo product; a product and its offer created from nothing in one
//! change set (validated, then applied) pass the catalog checks; Fix repairs a broken
//! allow-list and a EULA; AWS's ErrorDetailList lands on the file's fields; a retried apply
//! never submits twice.

mod common;

use common::*;
use la_aws::engine::CheckStatus;
use la_listing::file::{DimensionType, Eula, Listing, ListingDimension, Rate};
use la_listing::fix::fix_for;
use la_listing::flow::{self, pull};
use la_listing::plan::plan;
use std::sync::{Arc, Mutex};

#[tokio::test]
async fn pulling_the_demo_product_then_planning_the_file_changes_nothing() {
    let run = sandbox().await;
    let cat = catalog(&run);
    let pulled = pull(&cat, PRODUCT, "").await.expect("pull");
    let v = &pulled.values;
    assert_eq!(v.product_code, "demostg7ky5a0d3rqx2ub6y8m");
    assert!(v.offer_id.starts_with("offer-demo"), "{v:?}");
    assert_eq!(v.visibility, "Limited");
    assert_eq!(v.subscription_topic_arn, "arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-demostg7ky5a0d3rqx2ub6y8m");
    assert!(v
        .entitlement_topic_arn
        .ends_with(":aws-mp-entitlement-notification-demostg7ky5a0d3rqx2ub6y8m"));
    let l = &pulled.listing;
    assert_eq!(l.allow_listed_buyers, [BUYER]);
    assert_eq!(
        l.dimensions
            .iter()
            .map(|d| d.key.as_str())
            .collect::<Vec<_>>(),
        ["seats", "api_calls"]
    );
    assert!(matches!(&l.offer.eula, Some(Eula::Custom { url }) if url.ends_with("/eula.txt")));
    assert_eq!(
        l.product.categories,
        ["Data Analytics", "Business Intelligence"]
    );

    // Through the file and back: no difference, no change.
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("staging.listing.toml");
    la_listing::file::write(&path, l).expect("write");
    let file = la_listing::file::read(&path).expect("read");
    let (p, _) = flow::plan_against(&cat, &file, PRODUCT, &v.offer_id)
        .await
        .expect("plan");
    assert!(p.diff.is_empty() && p.changes.is_empty(), "{:?}", p.diff);

    // One edited field is one difference and one change.
    let mut edited = file.clone();
    edited.product.short_description = "Dashboards for SaaS teams.".into();
    let (p, _) = flow::plan_against(&cat, &edited, PRODUCT, "")
        .await
        .expect("plan");
    assert_eq!(p.diff.len(), 1);
    assert_eq!(p.diff[0].field, "product.short_description");
    assert_eq!(p.diff[0].label.ja, "短い説明");
    assert_eq!(p.changes.len(), 1);
    assert_eq!(p.changes[0].change_type, "UpdateInformation");
    assert_eq!(p.changes[0].entity.identifier.as_deref(), Some(PRODUCT));
}

fn new_listing(run: &la_sandbox::Running) -> Listing {
    let mut l = Listing::new("Ledgerly");
    l.fulfillment_url = format!("{}/_demo-saas/staging/marketplace/register", run.url);
    l.allow_listed_buyers = vec![BUYER.into()];
    l.product.short_description = "Bookkeeping for SaaS teams.".into();
    l.product.long_description = "Ledgerly keeps the books.".into();
    l.product.highlights = vec!["Closes the month in a day".into()];
    l.product.categories = vec!["Business Intelligence".into()];
    l.product.support_description = "support@ledgerly.example".into();
    l.dimensions = vec![
        ListingDimension {
            key: "seats".into(),
            name: "Seats".into(),
            description: "Named users".into(),
            unit: "Users".into(),
            types: vec![DimensionType::Entitled],
        },
        ListingDimension {
            key: "api_calls".into(),
            name: "API calls".into(),
            description: "Calls".into(),
            unit: "Units".into(),
            types: vec![DimensionType::ExternallyMetered],
        },
    ];
    l.offer.name = "Ledgerly public offer".into();
    l.offer.rates = vec![
        Rate {
            dimension: "seats".into(),
            duration: Some("P12M".into()),
            price: "100".into(),
        },
        Rate {
            dimension: "api_calls".into(),
            duration: None,
            price: "0.01".into(),
        },
    ];
    l.offer.refund_policy = "No refunds after 30 days.".into();
    l
}

#[tokio::test]
async fn a_product_created_from_nothing_passes_the_catalog_checks_and_fixes_repair_it() {
    let run = sandbox().await;
    let cat = catalog(&run);
    let file = new_listing(&run);
    let p = plan(&file, None);
    assert_eq!(p.changes[0].change_type, "CreateProduct");

    // VALIDATE: AWS's dry run succeeds and creates nothing.
    let before = run.sandbox.state.products().expect("products").len();
    let v = flow::validate(&cat, &p, follow()).await.expect("validate");
    assert_eq!(v.status.status, "SUCCEEDED", "{:?}", v.errors);
    assert_eq!(v.status.intent, "VALIDATE");
    assert!(v.created.is_none());
    assert_eq!(
        run.sandbox.state.products().expect("products").len(),
        before
    );

    // APPLY, followed to its end with each state reported.
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let s2 = seen.clone();
    let out = flow::apply(&cat, &p, Some(follow()), &move |s| {
        s2.lock().expect("lock").push(s.status.clone())
    })
    .await
    .expect("apply");
    assert!(out.succeeded(), "{:?}", out.status);
    assert_eq!(
        seen.lock().expect("lock").last().map(String::as_str),
        Some("SUCCEEDED")
    );
    let created = out.created.clone().expect("created");
    assert!(
        created.product_id.starts_with("prod-") && created.offer_id.starts_with("offer-"),
        "{created:?}"
    );
    assert_eq!(created.visibility, "Limited");

    let mut env = settings(
        &run,
        &created.product_id,
        &created.product_code,
        &created.offer_id,
    );
    for id in [
        "catalog.product_exists",
        "catalog.visibility",
        "catalog.fulfillment_url",
        "catalog.dimensions",
        "catalog.allow_list",
        "catalog.eula",
        "catalog.product_code",
    ] {
        expect(&run, &env, id, CheckStatus::Pass).await;
    }
    // The file now matches AWS.
    let (again, snap) = flow::plan_against(&cat, &file, &created.product_id, &created.offer_id)
        .await
        .expect("plan");
    assert!(again.changes.is_empty(), "{:?}", again.diff);
    let snap = snap.expect("snapshot");

    // Break the allow-list (a buyer the environment tests with is missing), then Fix it.
    env.test_buyer_account_ids.push("121212121212".into());
    expect(&run, &env, "catalog.allow_list", CheckStatus::Fail).await;
    let fix = fix_for("catalog.allow_list", &env, &snap.listing).expect("fix");
    assert!(fix.summary.en.contains("121212121212") && fix.summary.ja.contains("121212121212"));
    let (fp, _) = flow::plan_against(&cat, &fix.listing, &created.product_id, &created.offer_id)
        .await
        .expect("plan");
    let types: Vec<&str> = fp.changes.iter().map(|c| c.change_type.as_str()).collect();
    assert_eq!(types, ["UpdateTargeting"]);
    assert!(flow::validate(&cat, &fp, follow())
        .await
        .expect("validate")
        .succeeded());
    assert!(flow::apply(&cat, &fp, Some(follow()), &|_| {})
        .await
        .expect("apply")
        .succeeded());
    expect(&run, &env, "catalog.allow_list", CheckStatus::Pass).await;
    assert!(
        fix_for("catalog.allow_list", &env, &fix.listing).is_none(),
        "nothing left to fix"
    );

    // A EULA that does not answer fails the check; Fix sets the environment's EULA.
    let mut broken = pull(&cat, &created.product_id, &created.offer_id)
        .await
        .expect("pull")
        .listing;
    broken.offer.eula = Some(Eula::Custom {
        url: format!("{}/legal/no-such-eula.txt", run.url),
    });
    let (bp, snap) = flow::plan_against(&cat, &broken, &created.product_id, &created.offer_id)
        .await
        .expect("plan");
    assert_eq!(
        bp.changes
            .iter()
            .map(|c| c.change_type.as_str())
            .collect::<Vec<_>>(),
        ["UpdateLegalTerms"]
    );
    assert!(flow::apply(&cat, &bp, Some(follow()), &|_| {})
        .await
        .expect("apply")
        .succeeded());
    expect(&run, &env, "catalog.eula", CheckStatus::Fail).await;
    env.eula_url = format!("{}/_demo-saas/staging/eula.txt", run.url);
    let fix = fix_for("catalog.eula", &env, &snap.expect("snapshot").listing).expect("fix");
    let (ep, _) = flow::plan_against(&cat, &fix.listing, &created.product_id, &created.offer_id)
        .await
        .expect("plan");
    assert_eq!(
        ep.changes
            .iter()
            .map(|c| c.change_type.as_str())
            .collect::<Vec<_>>(),
        ["UpdateLegalTerms"]
    );
    assert!(flow::apply(&cat, &ep, Some(follow()), &|_| {})
        .await
        .expect("apply")
        .succeeded());
    expect(&run, &env, "catalog.eula", CheckStatus::Pass).await;
}

#[tokio::test]
async fn fulfillment_url_and_dimension_fixes_plan_their_change_types() {
    let run = sandbox().await;
    let cat = catalog(&run);
    let mut env = settings(&run, PRODUCT, "demostg7ky5a0d3rqx2ub6y8m", "");
    env.fulfillment_url = format!("{}/_demo-saas/staging/marketplace/register?v=2", run.url);
    env.dimensions.push(la_core::model::Dimension {
        key: "reports".into(),
        name: "Reports".into(),
        kind: la_core::model::DimensionType::ExternallyMetered,
    });
    env.dimensions[0].kind = la_core::model::DimensionType::ExternallyMetered;
    expect(&run, &env, "catalog.fulfillment_url", CheckStatus::Fail).await;
    let current = pull(&cat, PRODUCT, "").await.expect("pull").listing;
    let f = fix_for("catalog.fulfillment_url", &env, &current).expect("fix");
    let (p, _) = flow::plan_against(&cat, &f.listing, PRODUCT, "")
        .await
        .expect("plan");
    assert_eq!(
        p.changes
            .iter()
            .map(|c| c.change_type.as_str())
            .collect::<Vec<_>>(),
        ["UpdateDeliveryOptions"]
    );
    assert!(flow::apply(&cat, &p, Some(follow()), &|_| {})
        .await
        .expect("apply")
        .succeeded());
    expect(&run, &env, "catalog.fulfillment_url", CheckStatus::Pass).await;

    let current = pull(&cat, PRODUCT, "").await.expect("pull").listing;
    let f = fix_for("catalog.dimensions", &env, &current).expect("fix");
    let (p, _) = flow::plan_against(&cat, &f.listing, PRODUCT, "")
        .await
        .expect("plan");
    assert_eq!(
        p.changes
            .iter()
            .map(|c| c.change_type.as_str())
            .collect::<Vec<_>>(),
        ["AddDimensions", "UpdateDimensions"]
    );
    assert!(flow::apply(&cat, &p, Some(follow()), &|_| {})
        .await
        .expect("apply")
        .succeeded());
    let after = pull(&cat, PRODUCT, "").await.expect("pull").listing;
    assert!(after.dimension("reports").is_some());
    assert_eq!(
        after.dimension("seats").expect("seats").types,
        [DimensionType::Entitled, DimensionType::ExternallyMetered]
    );
}

#[tokio::test]
async fn aws_validation_errors_land_on_the_listing_fields() {
    let run = sandbox().await;
    let cat = catalog(&run);
    let mut bad = pull(&cat, PRODUCT, "").await.expect("pull").listing;
    bad.product.title = "T".repeat(80);
    bad.fulfillment_url = "https://localhost-no-dot/register".into();
    let (p, _) = flow::plan_against(&cat, &bad, PRODUCT, "")
        .await
        .expect("plan");
    // The local shape check and AWS's VALIDATE agree.
    let local = flow::check_shapes(&p);
    let v = flow::validate(&cat, &p, follow()).await.expect("validate");
    assert_eq!(v.status.status, "FAILED");
    for errs in [&local, &v.errors] {
        let title = errs
            .iter()
            .find(|e| e.change_type == "UpdateInformation")
            .expect("title error");
        assert_eq!(title.code, "INVALID_INPUT");
        assert_eq!(title.fields, ["product.title"], "{title:?}");
        assert!(title.advice.ja.contains("product.title"));
        let url = errs
            .iter()
            .find(|e| e.change_type == "UpdateDeliveryOptions")
            .expect("url error");
        assert_eq!(url.code, "INVALID_FULFILLMENT_URL");
        assert_eq!(url.fields, ["fulfillment_url"]);
        assert!(url.advice.en.contains("HTTPS"));
    }
    // Nothing was applied.
    assert_ne!(
        pull(&cat, PRODUCT, "")
            .await
            .expect("pull")
            .listing
            .product
            .title,
        bad.product.title
    );
}

#[tokio::test]
async fn a_retried_apply_of_the_same_plan_submits_once() {
    let run = sandbox().await;
    let cat = catalog(&run);
    let mut l = pull(&cat, PRODUCT, "").await.expect("pull").listing;
    l.allow_listed_buyers.push("121212121212".into());
    let (p, _) = flow::plan_against(&cat, &l, PRODUCT, "")
        .await
        .expect("plan");
    let first = flow::apply(&cat, &p, None, &|_| {}).await.expect("apply");
    // The caller lost the answer and retries: AWS answers with the same change set.
    let second = flow::apply(&cat, &p, Some(follow()), &|_| {})
        .await
        .expect("retry");
    assert_eq!(first.change_set_id, second.change_set_id);
    assert!(second.succeeded());
    let sets = cat.recent(PRODUCT, 20).await.expect("list");
    assert_eq!(
        sets.iter()
            .filter(|s| s.change_set_id == first.change_set_id)
            .count(),
        1
    );
    assert_eq!(sets.len(), 1, "{sets:?}");
    // A new plan (AWS changed since) is a new change set.
    l.allow_listed_buyers.pop();
    let (p2, _) = flow::plan_against(&cat, &l, PRODUCT, "")
        .await
        .expect("plan");
    let third = flow::apply(&cat, &p2, Some(follow()), &|_| {})
        .await
        .expect("apply");
    assert_ne!(third.change_set_id, first.change_set_id);
}

//! The sandbox driven by the official AWS SDK for Rust clients: every operation, every error,
//! both Entitlement protocols, pagination, SigV4, access denial and fault injection.

mod common;

use aws_sdk_marketplacecatalog as catalog;
use aws_sdk_marketplaceentitlement as entitlement;
use aws_sdk_marketplacemetering as metering;
use aws_smithy_types::DateTime;
use common::*;
use la_sandbox::buyer::PurchaseRequest;
use la_sandbox::{Config, Fault};
use metering::error::ProvideErrorMetadata;
use metering::types::UsageRecord;

fn code<E: ProvideErrorMetadata>(e: &E) -> String {
    e.code().unwrap_or("<no code>").to_string()
}

fn now_dt(offset: i64) -> DateTime {
    DateTime::from_secs(chrono::Utc::now().timestamp() + offset)
}

async fn buy(
    run: &la_sandbox::Running,
    product: &str,
    buyer: &str,
) -> la_sandbox::buyer::PurchaseResult {
    run.sandbox
        .purchase(&PurchaseRequest {
            product: product.into(),
            buyer_account: buyer.into(),
            redirect: false,
            ..Default::default()
        })
        .await
        .expect("purchase")
}

fn record(dim: &str, account: &str, qty: i32, ts: DateTime) -> UsageRecord {
    UsageRecord::builder()
        .timestamp(ts)
        .customer_aws_account_id(account)
        .dimension(dim)
        .quantity(qty)
        .build()
        .expect("record")
}

#[tokio::test]
async fn resolve_customer_in_both_identity_styles() {
    let run = start(Config::default()).await;
    let m = metering::Client::new(&demo_sdk(&run.url));
    // Concurrent agreements (2026): account + license, no CustomerIdentifier.
    let p = buy(&run, STAGING_PRODUCT, STAGING_BUYER).await;
    let r = m
        .resolve_customer()
        .registration_token(&p.registration_token)
        .send()
        .await
        .expect("resolve");
    assert_eq!(r.product_code(), Some(STAGING_CODE));
    assert_eq!(r.customer_aws_account_id(), Some(STAGING_BUYER));
    assert_eq!(r.license_arn(), Some(p.license_arn.as_str()));
    assert!(p
        .license_arn
        .starts_with("arn:aws:license-manager::294406891311:license:l-"));
    assert_eq!(r.customer_identifier(), None);
    assert_eq!(
        r.metadata().and_then(|m| m.agreement_id()),
        Some(p.agreement_id.as_str())
    );
    // Legacy: CustomerIdentifier populated.
    let s = buy(&run, SUB_PRODUCT, STAGING_BUYER).await;
    let r = m
        .resolve_customer()
        .registration_token(&s.registration_token)
        .send()
        .await
        .expect("resolve");
    assert_eq!(
        r.customer_identifier(),
        Some(s.customer_identifier.as_str())
    );
    assert_eq!(r.product_code(), Some(SUB_CODE));
    // The token is opaque and long, like AWS's.
    assert!(p.registration_token.len() >= 100);
}

#[tokio::test]
async fn bad_and_expired_tokens() {
    let run = start(Config::default()).await;
    let m = metering::Client::new(&demo_sdk(&run.url));
    let e = m
        .resolve_customer()
        .registration_token("made-up")
        .send()
        .await
        .expect_err("invalid");
    assert_eq!(code(&e), "InvalidTokenException");
    let p = buy(&run, STAGING_PRODUCT, STAGING_BUYER).await;
    run.sandbox
        .advance_clock(4 * 3600 - 60)
        .await
        .expect("clock");
    m.resolve_customer()
        .registration_token(&p.registration_token)
        .send()
        .await
        .expect("still valid");
    run.sandbox.advance_clock(60).await.expect("clock");
    let e = m
        .resolve_customer()
        .registration_token(&p.registration_token)
        .send()
        .await
        .expect_err("expired");
    assert_eq!(code(&e), "ExpiredTokenException");
}

#[tokio::test]
async fn batch_meter_usage_statuses_and_errors() {
    let run = start(Config::default()).await;
    let m = metering::Client::new(&demo_sdk(&run.url));
    buy(&run, STAGING_PRODUCT, STAGING_BUYER).await;
    let ts = now_dt(-60);
    let ok = record("api_calls", STAGING_BUYER, 5, ts);
    let out = m
        .batch_meter_usage()
        .product_code(STAGING_CODE)
        .usage_records(ok.clone())
        .usage_records(record("api_calls", "999988887777", 1, ts))
        .send()
        .await
        .expect("batch");
    let results = out.results();
    assert_eq!(results[0].status().map(|s| s.as_str()), Some("Success"));
    let first_id = results[0].metering_record_id().expect("id").to_string();
    assert_eq!(
        results[1].status().map(|s| s.as_str()),
        Some("CustomerNotSubscribed")
    );
    // The same record again is idempotent; another quantity in the same hour is a duplicate.
    let out = m
        .batch_meter_usage()
        .product_code(STAGING_CODE)
        .usage_records(ok.clone())
        .usage_records(record("api_calls", STAGING_BUYER, 6, ts))
        .send()
        .await
        .expect("batch");
    assert_eq!(
        out.results()[0].status().map(|s| s.as_str()),
        Some("Success")
    );
    assert_eq!(
        out.results()[0].metering_record_id(),
        Some(first_id.as_str())
    );
    assert_eq!(
        out.results()[1].status().map(|s| s.as_str()),
        Some("DuplicateRecord")
    );

    let err = |r: UsageRecord, code_: Option<&str>| {
        let m = m.clone();
        let code_ = code_.map(str::to_string);
        async move {
            let mut b = m.batch_meter_usage().usage_records(r);
            if let Some(c) = code_ {
                b = b.product_code(c);
            }
            code(&b.send().await.expect_err("must fail"))
        }
    };
    assert_eq!(
        err(
            record("api_calls", STAGING_BUYER, 1, now_dt(-6 * 3600)),
            Some(STAGING_CODE)
        )
        .await,
        "TimestampOutOfBoundsException"
    );
    assert_eq!(
        err(
            record("api_calls", STAGING_BUYER, 1, now_dt(3600)),
            Some(STAGING_CODE)
        )
        .await,
        "TimestampOutOfBoundsException"
    );
    assert_eq!(
        err(record("nope", STAGING_BUYER, 1, ts), Some(STAGING_CODE)).await,
        "InvalidUsageDimensionException"
    );
    // Entitled-only dimensions are not metered.
    assert_eq!(
        err(record("seats", STAGING_BUYER, 1, ts), Some(STAGING_CODE)).await,
        "InvalidUsageDimensionException"
    );
    assert_eq!(
        err(
            record("api_calls", STAGING_BUYER, 1, ts),
            Some("unknownproductcode1234567")
        )
        .await,
        "InvalidProductCodeException"
    );
    assert_eq!(
        err(record("api_calls", "12ab", 1, ts), Some(STAGING_CODE)).await,
        "InvalidCustomerIdentifierException"
    );
    let mut b = m.batch_meter_usage().product_code(STAGING_CODE);
    for i in 0..26 {
        b = b.usage_records(record("api_calls", STAGING_BUYER, i, ts));
    }
    assert_eq!(
        code(&b.send().await.expect_err("26 records")),
        "ValidationException"
    );
}

#[tokio::test]
async fn batch_meter_usage_by_license_arn_without_product_code() {
    let run = start(Config::default()).await;
    let m = metering::Client::new(&demo_sdk(&run.url));
    let p = buy(&run, STAGING_PRODUCT, STAGING_BUYER).await;
    let r = UsageRecord::builder()
        .timestamp(now_dt(-10))
        .customer_aws_account_id(STAGING_BUYER)
        .dimension("api_calls")
        .quantity(3)
        .license_arn(&p.license_arn)
        .build()
        .expect("record");
    let out = m
        .batch_meter_usage()
        .usage_records(r)
        .send()
        .await
        .expect("batch");
    assert_eq!(
        out.results()[0].status().map(|s| s.as_str()),
        Some("Success")
    );
    let stored = run.sandbox.state.metering().expect("rows");
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].license_arn.as_deref(),
        Some(p.license_arn.as_str())
    );
    // A made-up license is refused.
    let r = UsageRecord::builder()
        .timestamp(now_dt(-10))
        .customer_aws_account_id(STAGING_BUYER)
        .dimension("api_calls")
        .license_arn(
            "arn:aws:license-manager::294406891311:license:l-00000000000000000000000000000000",
        )
        .build()
        .expect("record");
    assert_eq!(
        code(
            &m.batch_meter_usage()
                .usage_records(r)
                .send()
                .await
                .expect_err("bad")
        ),
        "InvalidLicenseException"
    );
}

#[tokio::test]
async fn metering_after_cancellation_until_final_hour() {
    let run = start(Config::default()).await;
    let m = metering::Client::new(&demo_sdk(&run.url));
    let p = buy(&run, STAGING_PRODUCT, STAGING_BUYER).await;
    run.sandbox.cancel(&p.license_arn).await.expect("cancel");
    // Within the final-metering hour the record is accepted.
    let now = DateTime::from_secs(chrono::Utc::now().timestamp());
    assert_eq!(meter_one(&m, now, 1).await.as_deref(), Some("Success"));
    let sent = run.sandbox.advance_clock(3600).await.expect("clock");
    assert_eq!(
        sent.len(),
        1,
        "unsubscribe-success once the hour has passed"
    );
    assert!(sent[0]["body"]
        .as_str()
        .unwrap_or_default()
        .contains("unsubscribe-success"));
}

/// One record for the staging buyer; its per-record status.
async fn meter_one(m: &metering::Client, ts: DateTime, qty: i32) -> Option<String> {
    m.batch_meter_usage()
        .product_code(STAGING_CODE)
        .usage_records(record("api_calls", STAGING_BUYER, qty, ts))
        .send()
        .await
        .expect("batch")
        .results()[0]
        .status()
        .map(|s| s.as_str().to_string())
}

/// The sandbox indexes meterable licenses in memory; every license write must reach the index.
#[tokio::test]
async fn metering_follows_purchase_and_cancellation() {
    let run = start(Config::default()).await;
    let m = metering::Client::new(&demo_sdk(&run.url));
    let sb = run.sandbox.clone();
    let status = |qty: i32| meter_one(&m, DateTime::from_secs(sb.now() - 60), qty);
    assert_eq!(status(1).await.as_deref(), Some("CustomerNotSubscribed"));
    let p = buy(&run, STAGING_PRODUCT, STAGING_BUYER).await;
    assert_eq!(status(1).await.as_deref(), Some("Success"));
    run.sandbox.cancel(&p.license_arn).await.expect("cancel");
    run.sandbox.advance_clock(3600).await.expect("clock");
    assert_eq!(status(2).await.as_deref(), Some("CustomerNotSubscribed"));
}

#[tokio::test]
async fn meter_usage_and_register_usage() {
    let run = start(Config::default()).await;
    let m = metering::Client::new(&demo_sdk(&run.url));
    let out = m
        .meter_usage()
        .product_code(STAGING_CODE)
        .timestamp(now_dt(-5))
        .usage_dimension("api_calls")
        .usage_quantity(2)
        .send()
        .await
        .expect("meter usage");
    assert!(out.metering_record_id().is_some());
    let e = m
        .meter_usage()
        .product_code(STAGING_CODE)
        .timestamp(now_dt(-5))
        .usage_dimension("api_calls")
        .usage_quantity(2)
        .dry_run(true)
        .send()
        .await
        .expect_err("dry run");
    assert_eq!(code(&e), "DryRunOperation");
    let r = m
        .register_usage()
        .product_code(STAGING_CODE)
        .public_key_version(1)
        .nonce("abc")
        .send()
        .await
        .expect("register usage");
    assert_eq!(r.signature().map(|s| s.split('.').count()), Some(3));
    let e = m
        .register_usage()
        .product_code("nope")
        .public_key_version(1)
        .send()
        .await
        .expect_err("bad product");
    assert_eq!(code(&e), "InvalidProductCodeException");
}

#[tokio::test]
async fn get_entitlements_over_cbor_with_filters_and_pages() {
    let run = start(Config::default()).await;
    let e = entitlement::Client::new(&demo_sdk(&run.url));
    let a = buy(&run, STAGING_PRODUCT, STAGING_BUYER).await;
    // Concurrent agreements: the same buyer can hold a second agreement.
    let b = buy(&run, STAGING_PRODUCT, STAGING_BUYER).await;
    run.sandbox
        .change(
            &b.license_arn,
            &[la_sandbox::model::Entitlement {
                dimension: "seats".into(),
                quantity: Some(25),
            }],
        )
        .await
        .expect("change");
    use entitlement::types::GetEntitlementFilterName as F;
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let out = e
            .get_entitlements()
            .product_code(STAGING_CODE)
            .filter(F::CustomerAwsAccountId, vec![STAGING_BUYER.to_string()])
            .max_results(1)
            .set_next_token(token.clone())
            .send()
            .await
            .expect("entitlements");
        assert!(out.entitlements().len() <= 1);
        for ent in out.entitlements() {
            assert_eq!(ent.dimension(), Some("seats"));
            assert!(ent.expiration_date().is_some());
            seen.push((
                ent.license_arn().map(str::to_string),
                ent.value().and_then(|v| v.integer_value()),
            ));
        }
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen.len(), 2, "two pages of one");
    assert!(seen.contains(&(Some(a.license_arn.clone()), Some(1))));
    assert!(seen.contains(&(Some(b.license_arn.clone()), Some(25))));
    let out = e
        .get_entitlements()
        .product_code(STAGING_CODE)
        .filter(F::LicenseArn, vec![a.license_arn.clone()])
        .send()
        .await
        .expect("by license");
    assert_eq!(out.entitlements().len(), 1);
    let err = e
        .get_entitlements()
        .product_code("nope")
        .send()
        .await
        .expect_err("bad product");
    assert_eq!(code(&err), "InvalidParameterException");
}

#[tokio::test]
async fn catalog_entities_and_change_sets() {
    let run = start(Config::default()).await;
    let c = catalog::Client::new(&demo_sdk(&run.url));
    let list = c
        .list_entities()
        .catalog("AWSMarketplace")
        .entity_type("SaaSProduct")
        .send()
        .await
        .expect("list");
    assert_eq!(list.entity_summary_list().len(), 3);
    let page = c
        .list_entities()
        .catalog("AWSMarketplace")
        .entity_type("SaaSProduct")
        .max_results(2)
        .send()
        .await
        .expect("page");
    assert_eq!(page.entity_summary_list().len(), 2);
    assert!(page.next_token().is_some());
    let d = c
        .describe_entity()
        .catalog("AWSMarketplace")
        .entity_id(STAGING_PRODUCT)
        .send()
        .await
        .expect("describe");
    assert_eq!(d.entity_type(), Some("SaaSProduct@1.0"));
    let details: serde_json::Value =
        serde_json::from_str(d.details().expect("details")).expect("json");
    assert_eq!(details["Description"]["Visibility"], "Limited");
    assert_eq!(
        details["Targeting"]["PositiveTargeting"]["BuyerAccounts"][0],
        STAGING_BUYER
    );
    assert!(
        details["Versions"][0]["DeliveryOptions"][0]["FulfillmentUrl"]
            .as_str()
            .unwrap_or_default()
            .contains("/_demo-saas/")
    );
    let types: Vec<&str> = details["Dimensions"]
        .as_array()
        .expect("dims")
        .iter()
        .filter_map(|d| d["Types"][0].as_str())
        .collect();
    assert_eq!(types, ["Entitled", "ExternallyMetered"]);
    // The EULA and pricing terms live on the offer, as on AWS.
    let offers = c
        .list_entities()
        .catalog("AWSMarketplace")
        .entity_type("Offer")
        .send()
        .await
        .expect("offers");
    assert_eq!(offers.entity_summary_list().len(), 3);
    let offer_id = offers.entity_summary_list()[0]
        .entity_id()
        .expect("offer id")
        .to_string();
    let o = c
        .describe_entity()
        .catalog("AWSMarketplace")
        .entity_id(&offer_id)
        .send()
        .await
        .expect("offer");
    assert_eq!(o.entity_type(), Some("Offer@1.0"));
    let od: serde_json::Value = serde_json::from_str(o.details().expect("details")).expect("json");
    let terms: Vec<&str> = od["Terms"]
        .as_array()
        .expect("terms")
        .iter()
        .filter_map(|t| t["Type"].as_str())
        .collect();
    assert!(terms.contains(&"LegalTerm"), "{terms:?}");
    assert!(od["Terms"][0]["Documents"][0]["Url"]
        .as_str()
        .unwrap_or_default()
        .ends_with("eula.txt"));
    let e = c
        .describe_entity()
        .catalog("AWSMarketplace")
        .entity_id("prod-doesnotexist1")
        .send()
        .await
        .expect_err("missing");
    assert_eq!(code(&e), "ResourceNotFoundException");

    use catalog::types::{Change, Entity};
    let change = |t: &str, id: &str, details: &str| {
        Change::builder()
            .change_type(t)
            .entity(
                Entity::builder()
                    .r#type("SaaSProduct@1.0")
                    .identifier(id)
                    .build()
                    .expect("entity"),
            )
            .details(details)
            .build()
            .expect("change")
    };
    let started = c
        .start_change_set()
        .catalog("AWSMarketplace")
        .change_set(change(
            "UpdateTargeting",
            STAGING_PRODUCT,
            r#"{"PositiveTargeting":{"BuyerAccounts":["444455556666","121212121212"]}}"#,
        ))
        .change_set(change(
            "UpdateVisibility",
            STAGING_PRODUCT,
            r#"{"TargetVisibility":"Public"}"#,
        ))
        .send()
        .await
        .expect("start");
    let id = started.change_set_id().expect("id").to_string();
    let first = c
        .describe_change_set()
        .catalog("AWSMarketplace")
        .change_set_id(&id)
        .send()
        .await
        .expect("describe cs");
    assert_eq!(first.status().map(|s| s.as_str()), Some("PREPARING"));
    let status = wait_change_set(&c, &id).await;
    assert_eq!(status, "SUCCEEDED");
    let d = c
        .describe_entity()
        .catalog("AWSMarketplace")
        .entity_id(STAGING_PRODUCT)
        .send()
        .await
        .expect("describe");
    let details: serde_json::Value =
        serde_json::from_str(d.details().expect("details")).expect("json");
    assert_eq!(details["Description"]["Visibility"], "Public");
    assert_eq!(
        details["Targeting"]["PositiveTargeting"]["BuyerAccounts"][1],
        "121212121212"
    );

    // VALIDATE checks without applying; a bad change fails the set with an error per change.
    let v = c
        .start_change_set()
        .catalog("AWSMarketplace")
        .intent(catalog::types::Intent::Validate)
        .change_set(change(
            "UpdateVisibility",
            STAGING_PRODUCT,
            r#"{"TargetVisibility":"Limited"}"#,
        ))
        .send()
        .await
        .expect("validate");
    assert_eq!(
        wait_change_set(&c, v.change_set_id().expect("id")).await,
        "SUCCEEDED"
    );
    let d = c
        .describe_entity()
        .catalog("AWSMarketplace")
        .entity_id(STAGING_PRODUCT)
        .send()
        .await
        .expect("describe");
    assert!(d
        .details()
        .unwrap_or_default()
        .contains("\"Visibility\":\"Public\""));
    let bad = c
        .start_change_set()
        .catalog("AWSMarketplace")
        .change_set(change("AddDeliveryOptions", STAGING_PRODUCT, r#"{"DeliveryOptions":[{"Details":{"SaaSUrlDeliveryOptionDetails":{"FulfillmentUrl":"http://example.com/x"}}}]}"#))
        .send()
        .await
        .expect("start");
    let bad_id = bad.change_set_id().expect("id").to_string();
    assert_eq!(wait_change_set(&c, &bad_id).await, "FAILED");
    let d = c
        .describe_change_set()
        .catalog("AWSMarketplace")
        .change_set_id(&bad_id)
        .send()
        .await
        .expect("describe");
    assert!(d.change_set()[0].error_detail_list()[0]
        .error_message()
        .unwrap_or_default()
        .contains("HTTPS"));
    let listed = c
        .list_change_sets()
        .catalog("AWSMarketplace")
        .send()
        .await
        .expect("list cs");
    assert_eq!(listed.change_set_summary_list().len(), 3);
    let e = c
        .start_change_set()
        .catalog("AWSMarketplace")
        .change_set(change("NotAChange", STAGING_PRODUCT, "{}"))
        .send()
        .await
        .expect_err("bad type");
    assert_eq!(code(&e), "ValidationException");
    let e = c
        .list_entities()
        .catalog("Nope")
        .entity_type("SaaSProduct")
        .send()
        .await
        .expect_err("catalog");
    assert_eq!(code(&e), "ValidationException");
}

async fn wait_change_set(c: &catalog::Client, id: &str) -> String {
    for _ in 0..100 {
        let d = c
            .describe_change_set()
            .catalog("AWSMarketplace")
            .change_set_id(id)
            .send()
            .await
            .expect("describe");
        let s = d
            .status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        if !matches!(s.as_str(), "PREPARING" | "APPLYING") {
            return s;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("change set {id} never finished");
}

#[tokio::test]
async fn create_product_through_change_sets() {
    let run = start(Config::default()).await;
    let c = catalog::Client::new(&demo_sdk(&run.url));
    use catalog::types::{Change, Entity};
    let created = c
        .start_change_set()
        .catalog("AWSMarketplace")
        .change_set(
            Change::builder()
                .change_type("CreateProduct")
                .entity(
                    Entity::builder()
                        .r#type("SaaSProduct@1.0")
                        .build()
                        .expect("entity"),
                )
                .details(r#"{"ProductTitle":"New SaaS"}"#)
                .build()
                .expect("change"),
        )
        .send()
        .await
        .expect("create");
    let id = created.change_set_id().expect("id").to_string();
    assert_eq!(wait_change_set(&c, &id).await, "SUCCEEDED");
    let d = c
        .describe_change_set()
        .catalog("AWSMarketplace")
        .change_set_id(&id)
        .send()
        .await
        .expect("describe");
    let entity = d.change_set()[0]
        .entity()
        .and_then(|e| e.identifier())
        .expect("new id")
        .to_string();
    assert!(entity.starts_with("prod-"));
    let e = c
        .describe_entity()
        .catalog("AWSMarketplace")
        .entity_id(&entity)
        .send()
        .await
        .expect("new entity");
    assert!(e.details().unwrap_or_default().contains("New SaaS"));
}

#[tokio::test]
async fn cloudtrail_shows_who_called_resolve_customer() {
    let run = start(Config::default()).await;
    let m = metering::Client::new(&demo_sdk(&run.url));
    let ct = aws_sdk_cloudtrail::Client::new(&demo_sdk(&run.url));
    let p = buy(&run, STAGING_PRODUCT, STAGING_BUYER).await;
    m.resolve_customer()
        .registration_token(&p.registration_token)
        .send()
        .await
        .expect("resolve");
    let _ = m
        .resolve_customer()
        .registration_token("bogus")
        .send()
        .await;
    // The demo SaaS landing page resolves with its own key.
    let landing = la_sandbox::buyer::post_token(
        &format!("{}/_demo-saas/staging/marketplace/register", run.url),
        &p.registration_token,
    )
    .await;
    assert_eq!(landing.status, Some(200));
    use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
    let out = ct
        .lookup_events()
        .lookup_attributes(
            LookupAttribute::builder()
                .attribute_key(LookupAttributeKey::EventName)
                .attribute_value("ResolveCustomer")
                .build()
                .expect("attr"),
        )
        .send()
        .await
        .expect("lookup");
    let events = out.events();
    assert_eq!(events.len(), 3);
    let keys: Vec<&str> = events.iter().filter_map(|e| e.access_key_id()).collect();
    assert_eq!(
        keys,
        [
            la_sandbox::server::DEMO_SAAS_ACCESS_KEY_ID,
            la_sandbox::DEMO_ACCESS_KEY_ID,
            la_sandbox::DEMO_ACCESS_KEY_ID
        ]
    );
    let record: serde_json::Value =
        serde_json::from_str(events[1].cloud_trail_event().expect("record")).expect("json");
    assert_eq!(record["errorCode"], "InvalidTokenException");
    assert_eq!(
        record["requestParameters"]["registrationToken"],
        "HIDDEN_DUE_TO_SECURITY_REASONS"
    );
    assert_eq!(
        events[0].event_source(),
        Some("metering-marketplace.amazonaws.com")
    );
    // Pagination.
    let page = ct
        .lookup_events()
        .max_results(1)
        .send()
        .await
        .expect("page");
    assert_eq!(page.events().len(), 1);
    assert!(page.next_token().is_some());
}

#[tokio::test]
async fn sigv4_is_verified() {
    let run = start(Config::default()).await;
    let wrong_secret = metering::Client::new(&sdk(
        &run.url,
        la_sandbox::DEMO_ACCESS_KEY_ID,
        "not-the-secret",
    ));
    let e = wrong_secret
        .resolve_customer()
        .registration_token("x")
        .send()
        .await
        .expect_err("bad signature");
    assert_eq!(code(&e), "InvalidSignatureException");
    let unknown = metering::Client::new(&sdk(&run.url, "AKIAUNKNOWNKEY000000", "whatever"));
    let e = unknown
        .resolve_customer()
        .registration_token("x")
        .send()
        .await
        .expect_err("unknown key");
    assert_eq!(code(&e), "UnrecognizedClientException");
    let c = catalog::Client::new(&sdk(
        &run.url,
        la_sandbox::DEMO_ACCESS_KEY_ID,
        "not-the-secret",
    ));
    let e = c
        .list_entities()
        .catalog("AWSMarketplace")
        .entity_type("SaaSProduct")
        .send()
        .await
        .expect_err("bad");
    assert_eq!(code(&e), "InvalidSignatureException");
    let ent = entitlement::Client::new(&sdk(&run.url, "AKIAUNKNOWNKEY000000", "whatever"));
    let e = ent
        .get_entitlements()
        .product_code(STAGING_CODE)
        .send()
        .await
        .expect_err("unknown key over CBOR");
    assert_eq!(code(&e), "UnrecognizedClientException");
}

#[tokio::test]
async fn denied_actions_and_injected_faults() {
    let mut config = Config::default();
    config
        .denied
        .entry(la_sandbox::DEMO_ACCESS_KEY_ID.into())
        .or_default()
        .insert("aws-marketplace:DescribeEntity".into());
    let run = start(config).await;
    let c = catalog::Client::new(&demo_sdk(&run.url));
    let e = c
        .describe_entity()
        .catalog("AWSMarketplace")
        .entity_id(STAGING_PRODUCT)
        .send()
        .await
        .expect_err("denied");
    assert_eq!(code(&e), "AccessDeniedException");
    assert!(e
        .message()
        .unwrap_or_default()
        .contains("aws-marketplace:DescribeEntity"));
    c.list_entities()
        .catalog("AWSMarketplace")
        .entity_type("SaaSProduct")
        .send()
        .await
        .expect("others allowed");

    let m = metering::Client::new(&demo_sdk(&run.url));
    run.sandbox.set_fault(
        "ResolveCustomer",
        Fault {
            throttle_rate: 1.0,
            ..Default::default()
        },
    );
    let e = m
        .resolve_customer()
        .registration_token("x")
        .send()
        .await
        .expect_err("throttled");
    assert_eq!(code(&e), "ThrottlingException");
    run.sandbox.set_fault(
        "ResolveCustomer",
        Fault {
            error_rate: 1.0,
            ..Default::default()
        },
    );
    let e = m
        .resolve_customer()
        .registration_token("x")
        .send()
        .await
        .expect_err("5xx");
    assert_eq!(code(&e), "InternalServiceErrorException");
    run.sandbox.set_fault(
        "ResolveCustomer",
        Fault {
            delay_ms: 200,
            ..Default::default()
        },
    );
    let t = std::time::Instant::now();
    let _ = m.resolve_customer().registration_token("x").send().await;
    assert!(t.elapsed() >= std::time::Duration::from_millis(200));
    run.sandbox.set_fault("ResolveCustomer", Fault::default());
    let e = m
        .resolve_customer()
        .registration_token("x")
        .send()
        .await
        .expect_err("normal again");
    assert_eq!(code(&e), "InvalidTokenException");
}

#[tokio::test]
async fn state_file_survives_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = Config {
        state_file: Some(dir.path().join("sandbox.sqlite3")),
        ..Config::default()
    };
    let run = start(config.clone()).await;
    let p = buy(&run, STAGING_PRODUCT, STAGING_BUYER).await;
    run.sandbox.advance_clock(600).await.expect("clock");
    run.stop().await;
    let run = start(config).await;
    let m = metering::Client::new(&demo_sdk(&run.url));
    let r = m
        .resolve_customer()
        .registration_token(&p.registration_token)
        .send()
        .await
        .expect("token kept");
    assert_eq!(r.license_arn(), Some(p.license_arn.as_str()));
    assert_eq!(
        run.sandbox.state.clock_offset().expect("offset"),
        600,
        "the clock is kept too"
    );
}

#[tokio::test]
async fn failed_subscription_and_cancelled_change_set() {
    let run = start(Config::default()).await;
    let out = run
        .sandbox
        .fail_subscription(STAGING_PRODUCT, STAGING_BUYER)
        .await
        .expect("fail");
    assert!(out["notifications"][0]["body"]
        .as_str()
        .unwrap_or_default()
        .contains("subscribe-fail"));
    // A failed subscription gives the buyer nothing to meter against.
    let m = metering::Client::new(&demo_sdk(&run.url));
    let res = m
        .batch_meter_usage()
        .product_code(STAGING_CODE)
        .usage_records(record("api_calls", STAGING_BUYER, 1, now_dt(-5)))
        .send()
        .await
        .expect("batch");
    assert_eq!(
        res.results()[0].status().map(|s| s.as_str()),
        Some("CustomerNotSubscribed")
    );

    let c = catalog::Client::new(&demo_sdk(&run.url));
    use catalog::types::{Change, Entity};
    let started = c
        .start_change_set()
        .catalog("AWSMarketplace")
        .change_set(
            Change::builder()
                .change_type("UpdateVisibility")
                .entity(
                    Entity::builder()
                        .r#type("SaaSProduct@1.0")
                        .identifier(STAGING_PRODUCT)
                        .build()
                        .expect("entity"),
                )
                .details(r#"{"TargetVisibility":"Public"}"#)
                .build()
                .expect("change"),
        )
        .send()
        .await
        .expect("start");
    let id = started.change_set_id().expect("id").to_string();
    c.cancel_change_set()
        .catalog("AWSMarketplace")
        .change_set_id(&id)
        .send()
        .await
        .expect("cancel");
    assert_eq!(wait_change_set(&c, &id).await, "CANCELLED");
    let d = c
        .describe_entity()
        .catalog("AWSMarketplace")
        .entity_id(STAGING_PRODUCT)
        .send()
        .await
        .expect("describe");
    assert!(
        d.details()
            .unwrap_or_default()
            .contains("\"Visibility\":\"Limited\""),
        "a cancelled change set changes nothing"
    );
    let e = c
        .cancel_change_set()
        .catalog("AWSMarketplace")
        .change_set_id(&id)
        .send()
        .await
        .expect_err("twice");
    assert_eq!(code(&e), "ResourceInUseException");
}

#[tokio::test]
async fn sts_get_caller_identity_names_the_seller_account() {
    let run = start(Config::default()).await;
    let sts = aws_sdk_sts::Client::new(&demo_sdk(&run.url));
    let me = sts.get_caller_identity().send().await.expect("who am i");
    assert_eq!(me.account(), Some("111122223333"));
    assert!(me
        .arn()
        .unwrap_or_default()
        .ends_with(la_sandbox::DEMO_ACCESS_KEY_ID));
    let bad = aws_sdk_sts::Client::new(&sdk(&run.url, "AKIAUNKNOWNKEY000000", "x"));
    let e = bad
        .get_caller_identity()
        .send()
        .await
        .expect_err("unknown key");
    assert_eq!(code(&e), "InvalidClientTokenId");
}

//! CloudTrail, SigV4, denied actions and faults, the state file, failure paths and STS.

use super::catalog_api::wait_change_set;
use super::*;

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

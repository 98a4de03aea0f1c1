//! Metering: ResolveCustomer, BatchMeterUsage, MeterUsage and RegisterUsage.

use super::*;

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

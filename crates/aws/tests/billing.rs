//! `billing.meter_usage` and `billing.metering_cadence` against the sandbox, whose
//! BatchMeterUsage follows AWS's rules (identical records are idempotent; a different quantity
//! for the same customer, dimension and hour is a DuplicateRecord, not billed) and whose
//! CloudTrail view logs the SaaS's records and their statuses as AWS's CloudTrail does.
//!
//! The point proven here: the check never takes an hour the SaaS's own record needs — whatever
//! it did, the SaaS's later records are still billed.

mod common;

use aws_sdk_marketplacemetering::primitives::DateTime;
use aws_sdk_marketplacemetering::types::{UsageRecord, UsageRecordResultStatus as S};
use common::expect;
use la_aws::access::static_config;
use la_aws::checks::CheckContext;
use la_aws::engine::CheckStatus;
use la_core::model::{EnvMode, EnvironmentSettings, IntegrationStyle, PricingModel};
use la_sandbox::buyer::PurchaseRequest;
use la_sandbox::server::ServeOptions;
use la_sandbox::{Config, Running, DEMO_ACCESS_KEY_ID as KEY, DEMO_SECRET_ACCESS_KEY as SECRET};
use std::time::Duration;

const PRODUCT: &str = "prod-demostg4a7k2q";
const CODE: &str = "demostg7ky5a0d3rqx2ub6y8m";
const BUYER: &str = "444455556666";
const SAAS_KEY: &str = "AKIASAASBACKEND00002";
const SAAS_SECRET: &str = "the-saas-back-end-secret-key-000000000002";

async fn sandbox() -> Running {
    let mut config = Config::default();
    config.credentials.insert(
        SAAS_KEY.into(),
        la_sandbox::sigv4::Credential {
            secret_access_key: SAAS_SECRET.into(),
        },
    );
    la_sandbox::serve(
        config,
        ServeOptions {
            addr: "127.0.0.1:0".parse().expect("addr"),
            seed_demo: true,
            allow_remote: false,
        },
    )
    .await
    .expect("sandbox")
}

fn ctx(run: &Running, style: IntegrationStyle, pricing: PricingModel) -> CheckContext {
    CheckContext {
        settings: EnvironmentSettings {
            mode: EnvMode::Sandbox,
            endpoint_url: run.url.clone(),
            product_id: PRODUCT.into(),
            product_code: CODE.into(),
            pricing_model: pricing,
            test_buyer_account_ids: vec![BUYER.into()],
            integration_style: style,
            ..Default::default()
        },
        sdk: Some(static_config(&run.url, KEY, SECRET)),
        http: CheckContext::http_client(None).expect("http"),
        response_time_limit: Duration::from_secs(3),
        own_access_keys: vec![KEY.to_string()],
    }
}

fn concurrent(run: &Running) -> CheckContext {
    ctx(
        run,
        IntegrationStyle::ConcurrentAgreements,
        PricingModel::ContractWithConsumption,
    )
}

async fn buy(run: &Running) -> String {
    run.sandbox
        .purchase(&PurchaseRequest {
            product: PRODUCT.into(),
            buyer_account: BUYER.into(),
            ..Default::default()
        })
        .await
        .expect("purchase")
        .license_arn
}

/// What the SaaS sends: one record for the buyer, 30 s ago on the sandbox clock, in the
/// concurrent-agreements form (LicenseArn in the record) or with the request's ProductCode.
async fn saas_meters(run: &Running, license: Option<&str>, qty: i32) -> (S, Option<String>) {
    saas_meters_at(run, license, qty, run.sandbox.now() - 30).await
}

async fn saas_meters_at(
    run: &Running,
    license: Option<&str>,
    qty: i32,
    ts: i64,
) -> (S, Option<String>) {
    let saas =
        aws_sdk_marketplacemetering::Client::new(&static_config(&run.url, SAAS_KEY, SAAS_SECRET));
    let record = UsageRecord::builder()
        .timestamp(DateTime::from_secs(ts))
        .customer_aws_account_id(BUYER)
        .set_license_arn(license.map(str::to_string))
        .dimension("api_calls")
        .quantity(qty)
        .build()
        .expect("record");
    let out = saas
        .batch_meter_usage()
        .set_product_code(license.is_none().then(|| CODE.to_string()))
        .usage_records(record)
        .send()
        .await
        .expect("meter");
    let r = &out.results()[0];
    (
        r.status().cloned().expect("status"),
        r.metering_record_id().map(str::to_string),
    )
}

/// The buyer's billed records (the sandbox keeps only honored ones).
fn billed(run: &Running) -> Vec<(i64, i64)> {
    run.sandbox
        .state
        .metering()
        .expect("rows")
        .into_iter()
        .map(|r| (r.timestamp / 3600, r.quantity))
        .collect()
}

#[tokio::test]
async fn the_check_never_takes_an_hour_the_saas_needs() {
    let run = sandbox().await;
    let c = concurrent(&run);
    let license = buy(&run).await;

    // The SaaS has not metered the buyer yet: nothing is sent, and the check says why.
    let r = expect(&c, "billing.meter_usage", CheckStatus::Skipped).await;
    assert!(r.summary.en.starts_with("not sent"), "{}", r.summary.en);
    assert!(r.summary.en.contains("DuplicateRecord"), "{}", r.summary.en);
    assert!(billed(&run).is_empty());
    // So every hour AWS still accepts is the SaaS's: late records for the five past hours (a
    // retried batch) and this hour's record are all billed, whatever their quantity.
    let now = run.sandbox.now();
    for k in (1..=5).rev() {
        let (status, _) = saas_meters_at(&run, Some(&license), 2, now - k * 3600 - 30).await;
        assert_eq!(status, S::Success, "{k} hours ago");
    }
    let (status, first_id) = saas_meters(&run, Some(&license), 7).await;
    assert_eq!(status, S::Success);
    let hour = (run.sandbox.now() - 30) / 3600;
    let past: Vec<(i64, i64)> = (1..=5)
        .rev()
        .map(|k| ((now - k * 3600 - 30) / 3600, 2))
        .collect();
    assert_eq!(billed(&run), [past.clone(), vec![(hour, 7)]].concat());

    // Now the hour is the SaaS's: the check mirrors its record with quantity 0, LicenseArn in
    // the record and no ProductCode, and AWS's answer is DuplicateRecord (not billed).
    let r = expect(&c, "billing.meter_usage", CheckStatus::Pass).await;
    assert!(r.summary.en.contains("DuplicateRecord"), "{}", r.summary.en);
    let sent = &r.evidence[0].request;
    assert!(
        sent.contains(&format!("LicenseArn={license} (no ProductCode)")),
        "{sent}"
    );
    assert!(sent.contains("Quantity=0"), "{sent}");
    assert_eq!(
        billed(&run),
        [past.clone(), vec![(hour, 7)]].concat(),
        "the check's record was billed"
    );

    // The SaaS retrying its record is still idempotent: same status, same MeteringRecordId.
    let (status, again) = saas_meters(&run, Some(&license), 7).await;
    assert_eq!((status, again), (S::Success, first_id));
    // The SaaS's next hour is untouched by the check.
    run.sandbox.advance_clock(3600).await.expect("clock");
    let (status, _) = saas_meters(&run, Some(&license), 3).await;
    assert_eq!(status, S::Success);
    let all = [past, vec![(hour, 7), (hour + 1, 3)]].concat();
    assert_eq!(billed(&run), all);
    // Run again: it mirrors the newest hour; nothing more is billed.
    expect(&c, "billing.meter_usage", CheckStatus::Pass).await;
    assert_eq!(billed(&run), all);
}

#[tokio::test]
async fn the_sandbox_meters_as_aws_documents() {
    // AWS-FACTS / the API reference: identical records are idempotent; a different quantity for
    // the same customer, dimension and hour is a DuplicateRecord and is not billed.
    let run = sandbox().await;
    let license = buy(&run).await;
    let (s1, id1) = saas_meters(&run, Some(&license), 4).await;
    let (s2, id2) = saas_meters(&run, Some(&license), 4).await;
    assert_eq!((s1, s2, &id1), (S::Success, S::Success, &id2));
    let (s3, id3) = saas_meters(&run, Some(&license), 5).await;
    assert_eq!((s3, id3), (S::DuplicateRecord, None));
    assert_eq!(billed(&run).len(), 1);
    assert_eq!(billed(&run)[0].1, 4);
}

#[tokio::test]
async fn a_saas_metering_zero_gets_an_idempotent_success() {
    let run = sandbox().await;
    let license = buy(&run).await;
    saas_meters(&run, Some(&license), 0).await;
    let r = expect(&concurrent(&run), "billing.meter_usage", CheckStatus::Pass).await;
    assert!(r.summary.en.contains("Success"), "{}", r.summary.en);
    assert_eq!(billed(&run).len(), 1);
}

#[tokio::test]
async fn an_unsubscribed_buyer_fails() {
    let run = sandbox().await;
    // The SaaS meters a buyer who never bought: AWS refused its own record.
    let (status, _) = saas_meters(&run, None, 2).await;
    assert_eq!(status, S::CustomerNotSubscribed);
    let legacy = ctx(
        &run,
        IntegrationStyle::Legacy,
        PricingModel::ContractWithConsumption,
    );
    let r = expect(&legacy, "billing.meter_usage", CheckStatus::Fail).await;
    assert!(
        r.summary.en.contains("CustomerNotSubscribed"),
        "{}",
        r.summary.en
    );

    // A buyer who cancelled: after the final-metering hour the mirror is refused too.
    let license = buy(&run).await;
    saas_meters(&run, Some(&license), 2).await;
    run.sandbox.cancel(&license).await.expect("cancel");
    run.sandbox.advance_clock(2 * 3600).await.expect("clock");
    let r = expect(&concurrent(&run), "billing.meter_usage", CheckStatus::Fail).await;
    assert!(
        r.summary.en.contains("no longer subscribed"),
        "{}",
        r.summary.en
    );
    assert_eq!(billed(&run).len(), 1);
}

#[tokio::test]
async fn concurrent_agreements_need_a_license_arn_in_each_record() {
    let run = sandbox().await;
    buy(&run).await;
    // The SaaS meters with ProductCode only.
    let (status, _) = saas_meters(&run, None, 2).await;
    assert_eq!(status, S::Success);
    let r = expect(&concurrent(&run), "billing.meter_usage", CheckStatus::Warn).await;
    assert!(
        r.summary.en.contains("without a LicenseArn"),
        "{}",
        r.summary.en
    );
    // A legacy integration meters that way by design: the mirror carries the ProductCode.
    let legacy = ctx(
        &run,
        IntegrationStyle::Legacy,
        PricingModel::ContractWithConsumption,
    );
    let r = expect(&legacy, "billing.meter_usage", CheckStatus::Pass).await;
    assert!(
        r.evidence[0]
            .request
            .contains(&format!("ProductCode={CODE}")),
        "{}",
        r.evidence[0].request
    );
    assert_eq!(billed(&run).len(), 1);
}

#[tokio::test]
async fn contract_only_products_meter_nothing() {
    let run = sandbox().await;
    let contract = ctx(
        &run,
        IntegrationStyle::ConcurrentAgreements,
        PricingModel::Contract,
    );
    for id in ["billing.meter_usage", "billing.metering_cadence"] {
        let r = expect(&contract, id, CheckStatus::Skipped).await;
        assert!(
            r.summary.en.starts_with("not applicable"),
            "{id}: {}",
            r.summary.en
        );
    }
    // Where usage is metered, the cadence applies (and fails: nothing was metered).
    for pricing in [
        PricingModel::ContractWithConsumption,
        PricingModel::Subscription,
    ] {
        let c = ctx(&run, IntegrationStyle::ConcurrentAgreements, pricing);
        expect(&c, "billing.metering_cadence", CheckStatus::Fail).await;
    }
}

#[tokio::test]
async fn the_sandbox_trail_logs_metering_as_cloudtrail_does() {
    // AWS's CloudTrail example of a BatchMeterUsage entry: requestParameters.usageRecords with
    // the timestamp written "Apr 19, 2018 4:32:50 PM", and responseElements.results with each
    // record's status and MeteringRecordId. The check reads exactly these.
    let run = sandbox().await;
    let license = buy(&run).await;
    let before = run.sandbox.now();
    let (_, id) = saas_meters(&run, Some(&license), 6).await;
    let after = run.sandbox.now();
    use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
    let out = aws_sdk_cloudtrail::Client::new(&static_config(&run.url, KEY, SECRET))
        .lookup_events()
        .lookup_attributes(
            LookupAttribute::builder()
                .attribute_key(LookupAttributeKey::EventName)
                .attribute_value("BatchMeterUsage")
                .build()
                .expect("attr"),
        )
        .send()
        .await
        .expect("lookup");
    let e: serde_json::Value =
        serde_json::from_str(out.events()[0].cloud_trail_event().expect("record")).expect("json");
    let sent = &e["requestParameters"]["usageRecords"][0];
    let ts = sent["timestamp"].as_str().expect("a written timestamp");
    // The SaaS stamps its record 30 s before the moment it meters; the clock may tick between
    // reading it here and there, so any second of that window is the right one.
    let written: Vec<String> = (before - 30..=after - 30)
        .map(|t| {
            chrono::DateTime::from_timestamp(t, 0)
                .expect("time")
                .format("%b %-d, %Y %-I:%M:%S %p")
                .to_string()
        })
        .collect();
    assert!(written.iter().any(|w| w == ts), "{ts} not in {written:?}");
    assert_eq!(sent["licenseArn"], license.as_str());
    assert_eq!(sent["customerAWSAccountId"], BUYER);
    let result = &e["responseElements"]["results"][0];
    assert_eq!(result["status"], "Success");
    assert_eq!(result["meteringRecordId"].as_str(), id.as_deref());
    assert_eq!(result["usageRecord"]["timestamp"], ts);
}

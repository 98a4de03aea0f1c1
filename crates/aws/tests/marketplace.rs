//! The Marketplace checks (billing, notifications) against the sandbox, and identity against
//! moto's STS (the Catalog checks are in catalog.rs): each shown passing on a fixture built to pass and failing on one built to fail, plus the
//! missing-permission and throttling paths.

mod common;

use common::expect;
use la_aws::access::static_config;
use la_aws::checks::CheckContext;
use la_aws::engine::CheckStatus;
use la_core::model::{
    Dimension, DimensionType, EnvMode, EnvironmentSettings, IntegrationStyle, PricingModel,
};
use la_sandbox::buyer::PurchaseRequest;
use la_sandbox::{
    Config, Fault, Running, DEMO_ACCESS_KEY_ID as KEY, DEMO_SECRET_ACCESS_KEY as SECRET,
};
use std::time::Duration;

const PRODUCT: &str = "prod-demostg4a7k2q";
const CODE: &str = "demostg7ky5a0d3rqx2ub6y8m";
const BUYER: &str = "444455556666";
const SAAS_KEY: &str = "AKIASAASBACKEND00001";
const SAAS_SECRET: &str = "the-saas-back-end-secret-key-000000000001";

async fn sandbox(mut config: Config) -> Running {
    config.credentials.insert(
        SAAS_KEY.into(),
        la_sandbox::sigv4::Credential {
            secret_access_key: SAAS_SECRET.into(),
        },
    );
    la_testkit::sandbox::seeded_with(config).await
}

fn settings(run: &Running) -> EnvironmentSettings {
    EnvironmentSettings {
        mode: EnvMode::Sandbox,
        seller_account_id: "111122223333".into(),
        region: "us-east-1".into(),
        endpoint_url: run.url.clone(),
        product_id: PRODUCT.into(),
        product_code: CODE.into(),
        pricing_model: PricingModel::ContractWithConsumption,
        dimensions: vec![
            Dimension {
                key: "seats".into(),
                name: "Seats".into(),
                kind: DimensionType::Entitled,
            },
            Dimension {
                key: "api_calls".into(),
                name: "API calls".into(),
                kind: DimensionType::ExternallyMetered,
            },
        ],
        fulfillment_url: format!("{}/_demo-saas/staging/marketplace/register", run.url),
        test_buyer_account_ids: vec![BUYER.into()],
        integration_style: IntegrationStyle::ConcurrentAgreements,
        ..Default::default()
    }
}

fn ctx(run: &Running, settings: EnvironmentSettings) -> CheckContext {
    CheckContext {
        settings,
        sdk: Some(static_config(&run.url, KEY, SECRET)),
        http: CheckContext::http_client(None).expect("http"),
        response_time_limit: Duration::from_secs(3),
        own_access_keys: vec![KEY.to_string()],
    }
}

/// identity.permissions asks IAM's policy simulator (the sandbox's, for its roles) whether the
/// SaaS's role may call what its pricing model needs.
#[tokio::test]
async fn the_saas_role_may_call_the_marketplace_apis() {
    const LIMITED: &str = "arn:aws:iam::111122223333:role/limited-saas";
    let mut config = Config::default();
    config.roles.insert(
        LIMITED.into(),
        ["aws-marketplace:BatchMeterUsage".to_string()].into(),
    );
    let run = sandbox(config).await;
    let with_role = |role: &str| {
        let mut s = settings(&run);
        s.saas_role_arn = role.into();
        ctx(&run, s)
    };
    let r = expect(
        &with_role(la_sandbox::DEMO_SAAS_ROLE),
        "identity.permissions",
        CheckStatus::Pass,
    )
    .await;
    assert!(
        r.summary.en.contains("aws-marketplace:GetEntitlements"),
        "{}",
        r.summary.en
    );
    let r = expect(
        &with_role(LIMITED),
        "identity.permissions",
        CheckStatus::Fail,
    )
    .await;
    assert_eq!(
        r.summary.en,
        format!("{LIMITED} may not call aws-marketplace:BatchMeterUsage")
    );
    assert!(r.evidence[0].response.contains("implicitDeny"));
    // A contract without metering does not need BatchMeterUsage.
    let mut s = settings(&run);
    s.saas_role_arn = LIMITED.into();
    s.pricing_model = PricingModel::Contract;
    expect(&ctx(&run, s), "identity.permissions", CheckStatus::Pass).await;
    let r = expect(
        &with_role("arn:aws:iam::111122223333:role/typo"),
        "identity.permissions",
        CheckStatus::Fail,
    )
    .await;
    assert!(r.summary.en.contains("does not exist"), "{}", r.summary.en);
    expect(&with_role(""), "identity.permissions", CheckStatus::Skipped).await;

    // The app itself may not simulate: cannot check, never a failure.
    let mut config = Config::default();
    config
        .denied
        .entry(KEY.into())
        .or_default()
        .insert("iam:SimulatePrincipalPolicy".into());
    let run = sandbox(config).await;
    let mut s = settings(&run);
    s.saas_role_arn = la_sandbox::DEMO_SAAS_ROLE.into();
    let r = expect(&ctx(&run, s), "identity.permissions", CheckStatus::Error).await;
    assert_eq!(
        r.summary.en,
        "cannot check: needs `iam:SimulatePrincipalPolicy`"
    );
}

#[tokio::test]
async fn a_missing_permission_is_cannot_check_not_a_failure() {
    let mut config = Config::default();
    config
        .denied
        .entry(KEY.into())
        .or_default()
        .insert("aws-marketplace:DescribeEntity".into());
    let run = sandbox(config).await;
    let c = ctx(&run, settings(&run));
    let r = expect(&c, "catalog.product_exists", CheckStatus::Error).await;
    assert_eq!(
        r.summary.en,
        "cannot check: needs `aws-marketplace:DescribeEntity`"
    );
    assert!(r.advice.ja.contains("許可"));
    expect(&c, "catalog.seller_access", CheckStatus::Pass).await;

    run.sandbox.set_fault(
        "ListEntities",
        Fault {
            throttle_rate: 1.0,
            ..Default::default()
        },
    );
    let r = expect(&c, "catalog.seller_access", CheckStatus::Error).await;
    assert!(r.summary.en.contains("throttled"), "{}", r.summary.en);
}

#[tokio::test]
async fn billing_checks_follow_what_the_saas_did() {
    let run = sandbox(Config::default()).await;
    let c = ctx(&run, settings(&run));
    // Nothing bought, nothing called yet.
    expect(&c, "billing.resolve_customer_calls", CheckStatus::Fail).await;
    expect(&c, "billing.entitlements", CheckStatus::Fail).await;
    // The SaaS metered nothing: no hour of its own to mirror, so nothing is sent (tests/billing.rs).
    expect(&c, "billing.meter_usage", CheckStatus::Skipped).await;
    expect(&c, "billing.metering_cadence", CheckStatus::Fail).await;

    // The app's own ResolveCustomer calls do not count as the SaaS's.
    let m = aws_sdk_marketplacemetering::Client::new(&static_config(&run.url, KEY, SECRET));
    let _ = m.resolve_customer().registration_token("x").send().await;
    expect(&c, "billing.resolve_customer_calls", CheckStatus::Fail).await;

    // A purchase: the demo SaaS landing page resolves the token with its own key.
    run.sandbox
        .purchase(&PurchaseRequest {
            product: PRODUCT.into(),
            buyer_account: BUYER.into(),
            redirect: true,
            ..Default::default()
        })
        .await
        .expect("purchase");
    expect(&c, "billing.resolve_customer_calls", CheckStatus::Pass).await;
    let r = expect(&c, "billing.entitlements", CheckStatus::Pass).await;
    assert!(r.summary.en.contains("seats=1"), "{}", r.summary.en);
    expect(&c, "billing.meter_usage", CheckStatus::Skipped).await;

    // The SaaS meters hourly for a day on the sandbox clock.
    let saas =
        aws_sdk_marketplacemetering::Client::new(&static_config(&run.url, SAAS_KEY, SAAS_SECRET));
    let meter = |qty: i32| {
        let saas = saas.clone();
        let now = run.sandbox.now();
        async move {
            use aws_sdk_marketplacemetering::primitives::DateTime;
            use aws_sdk_marketplacemetering::types::UsageRecord;
            saas.batch_meter_usage()
                .product_code(CODE)
                .usage_records(
                    UsageRecord::builder()
                        .timestamp(DateTime::from_secs(now - 30))
                        .customer_aws_account_id(BUYER)
                        .dimension("api_calls")
                        .quantity(qty)
                        .build()
                        .expect("record"),
                )
                .send()
                .await
                .expect("meter");
        }
    };
    for h in 0..5 {
        meter(h).await;
        run.sandbox.advance_clock(3600).await.expect("clock");
    }
    let r = expect(&c, "billing.metering_cadence", CheckStatus::Fail).await;
    assert!(
        r.summary.en.contains("5 of the last 24"),
        "{}",
        r.summary.en
    );
    for h in 5..24 {
        meter(h).await;
        run.sandbox.advance_clock(3600).await.expect("clock");
    }
    meter(24).await;
    expect(&c, "billing.metering_cadence", CheckStatus::Pass).await;

    // Subscriptions have no entitlements to check.
    let mut s = settings(&run);
    s.pricing_model = PricingModel::Subscription;
    expect(&ctx(&run, s), "billing.entitlements", CheckStatus::Skipped).await;
}

#[tokio::test]
async fn identity_against_moto_sts() {
    let moto = la_testkit::moto();
    let mut s = EnvironmentSettings {
        seller_account_id: "123456789012".into(),
        ..Default::default()
    };
    let mk = |s: EnvironmentSettings| CheckContext {
        settings: s,
        sdk: Some(static_config(&moto.url, "testing", "testing")),
        http: CheckContext::http_client(None).expect("http"),
        response_time_limit: Duration::from_secs(3),
        own_access_keys: vec![],
    };
    expect(&mk(s.clone()), "identity.caller", CheckStatus::Pass).await;
    s.seller_account_id = "111122223333".into();
    let r = expect(&mk(s), "identity.caller", CheckStatus::Fail).await;
    assert!(r.summary.en.contains("123456789012"));
    // Unreachable endpoint: cannot check, with the reason.
    let dead = CheckContext {
        sdk: Some(static_config("http://127.0.0.1:9", "testing", "testing")),
        ..mk(EnvironmentSettings::default())
    };
    let r = expect(&dead, "identity.caller", CheckStatus::Error).await;
    assert!(r.summary.en.starts_with("cannot check"), "{}", r.summary.en);
}

#[tokio::test]
async fn the_queue_policy_must_let_the_marketplace_topics_deliver() {
    let moto = la_testkit::moto();
    let sdk = static_config(&moto.url, "testing", "testing");
    let make = |name: &'static str, policy: Option<String>| {
        let endpoint = moto.url.clone();
        async move {
            let (sqs, url) = la_testkit::sqs::queue(&endpoint, name).await;
            if let Some(p) = policy {
                sqs.set_queue_attributes()
                    .queue_url(&url)
                    .attributes(aws_sdk_sqs::types::QueueAttributeName::Policy, p)
                    .send()
                    .await
                    .expect("policy");
            }
            url
        }
    };
    let topic = |kind: &str| {
        format!("arn:aws:sns:us-east-1:287250355862:aws-mp-{kind}-notification-{CODE}")
    };
    let policy = |topics: &[String]| {
        serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage", "Resource": "*", "Condition": {"ArnEquals": {"aws:SourceArn": topics}}}]})
        .to_string()
    };
    let good = make(
        "good",
        Some(policy(&[topic("subscription"), topic("entitlement")])),
    )
    .await;
    let half = make("half", Some(policy(&[topic("subscription")]))).await;
    let none = make("none", None).await;
    let mk = |url: String| CheckContext {
        settings: EnvironmentSettings {
            product_code: CODE.into(),
            pricing_model: PricingModel::ContractWithConsumption,
            sqs_queue_url: url,
            ..Default::default()
        },
        sdk: Some(sdk.clone()),
        http: CheckContext::http_client(None).expect("http"),
        response_time_limit: Duration::from_secs(3),
        own_access_keys: vec![],
    };
    expect(&mk(good), "notifications.sqs_queue", CheckStatus::Pass).await;
    let r = expect(&mk(half), "notifications.sqs_queue", CheckStatus::Fail).await;
    assert!(r.summary.en.contains("entitlement"), "{}", r.summary.en);
    let r = expect(&mk(none), "notifications.sqs_queue", CheckStatus::Fail).await;
    assert!(
        r.summary.en.contains("no access policy"),
        "{}",
        r.summary.en
    );
    let r = expect(
        &mk(format!("{}/123456789012/missing", moto.url)),
        "notifications.sqs_queue",
        CheckStatus::Fail,
    )
    .await;
    assert!(r.summary.en.contains("does not exist"), "{}", r.summary.en);
    expect(
        &mk(String::new()),
        "notifications.sqs_queue",
        CheckStatus::Skipped,
    )
    .await;
}

#[tokio::test]
async fn who_am_i_before_anything_runs() {
    let run = sandbox(Config::default()).await;
    // A sandbox environment on the default chain signs with the sandbox's demo keys.
    let me = la_aws::access::who_am_i(&settings(&run), None)
        .await
        .expect("identity");
    assert_eq!(me.account, "111122223333");
    let mut s = settings(&run);
    s.endpoint_url = "http://127.0.0.1:9".into();
    let e = la_aws::access::who_am_i(&s, None)
        .await
        .expect_err("unreachable");
    assert_eq!(e.code, la_core::ErrorCode::Unreachable, "{}", e.message);
    let mut s = settings(&run);
    s.credential_source = la_core::model::CredentialSource::AccessKeys;
    let e = la_aws::access::who_am_i(&s, None)
        .await
        .expect_err("no keys");
    assert!(e.message.contains("keyring"), "{}", e.message);
}

#[tokio::test]
async fn the_queue_must_be_subscribed_and_confirmed_to_the_topics() {
    let moto = la_testkit::moto();
    let sdk = static_config(&moto.url, "testing", "testing");
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let sns = aws_sdk_sns::Client::new(&sdk);
    // moto cannot host topics in Marketplace's account; the environment names its own topics.
    let sub_topic = sns
        .create_topic()
        .name(format!("aws-mp-subscription-notification-{CODE}"))
        .send()
        .await
        .expect("topic")
        .topic_arn()
        .expect("arn")
        .to_string();
    let ent_topic = sns
        .create_topic()
        .name(format!("aws-mp-entitlement-notification-{CODE}"))
        .send()
        .await
        .expect("topic")
        .topic_arn()
        .expect("arn")
        .to_string();
    let (_, url) = la_testkit::sqs::queue(&moto.url, "mp").await;
    let arn = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("attrs")
        .attributes()
        .and_then(|a| {
            a.get(&aws_sdk_sqs::types::QueueAttributeName::QueueArn)
                .cloned()
        })
        .expect("queue arn");
    let c = CheckContext {
        settings: EnvironmentSettings {
            product_code: CODE.into(),
            pricing_model: PricingModel::ContractWithConsumption,
            sqs_queue_url: url.clone(),
            subscription_topic_arn: sub_topic.clone(),
            entitlement_topic_arn: ent_topic.clone(),
            ..Default::default()
        },
        sdk: Some(sdk.clone()),
        http: CheckContext::http_client(None).expect("http"),
        response_time_limit: Duration::from_secs(3),
        own_access_keys: vec![],
    };
    sns.subscribe()
        .topic_arn(&sub_topic)
        .protocol("sqs")
        .endpoint(&arn)
        .send()
        .await
        .expect("subscribe");
    let r = expect(&c, "notifications.sns_subscriptions", CheckStatus::Fail).await;
    assert!(r.summary.en.contains("entitlement"), "{}", r.summary.en);
    sns.subscribe()
        .topic_arn(&ent_topic)
        .protocol("sqs")
        .endpoint(&arn)
        .send()
        .await
        .expect("subscribe");
    expect(&c, "notifications.sns_subscriptions", CheckStatus::Pass).await;
    // A subscription-only product needs just the subscription topic.
    let mut s = c.settings.clone();
    s.pricing_model = PricingModel::Subscription;
    let only_sub = CheckContext { settings: s, ..c };
    expect(
        &only_sub,
        "notifications.sns_subscriptions",
        CheckStatus::Pass,
    )
    .await;
}

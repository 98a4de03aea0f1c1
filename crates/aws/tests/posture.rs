//! Account posture and EventBridge checks against moto's server: each shown passing on a
//! fixture built to pass and failing (or warning, where PRODUCT.md makes it advice) on one built
//! to fail. moto's API cannot give the root user MFA or age an access key, so those states are
//! set through tests/fixtures/moto_fixture.py, which runs the same server in-process.

mod common;

use common::{expect, Moto};
use la_aws::engine::CheckStatus;
use la_core::model::EnvironmentSettings;

#[tokio::test]
async fn root_account_keys_and_mfa() {
    let mut moto = Moto::fixture();
    let ctx = moto.ctx(EnvironmentSettings::default());
    // moto's account as created: no root keys, no MFA.
    let r = expect(&ctx, "posture.root_account", CheckStatus::Fail).await;
    assert!(r.summary.en.contains("no MFA"), "{}", r.summary.en);
    moto.cmd("root-mfa 1");
    expect(&ctx, "posture.root_account", CheckStatus::Pass).await;
    moto.cmd("root-keys 1");
    let r = expect(&ctx, "posture.root_account", CheckStatus::Fail).await;
    assert!(r.summary.en.contains("access keys"), "{}", r.summary.en);
    assert!(r.evidence[0]
        .response
        .contains("AccountAccessKeysPresent=1"));
}

#[tokio::test]
async fn the_sandbox_has_no_posture_to_check() {
    let moto = Moto::start();
    let ctx = moto.ctx(EnvironmentSettings {
        mode: la_core::model::EnvMode::Sandbox,
        ..Default::default()
    });
    for id in la_aws::checks::select(&["posture.".to_string()])
        .iter()
        .map(|c| c.id)
    {
        let r = expect(&ctx, id, CheckStatus::Skipped).await;
        assert!(
            r.summary.en.contains("production account"),
            "{id}: {}",
            r.summary.en
        );
    }
}

#[tokio::test]
async fn access_keys_older_than_90_days() {
    let mut moto = Moto::fixture();
    let ctx = moto.ctx(EnvironmentSettings::default());
    let r = expect(&ctx, "posture.access_key_age", CheckStatus::Pass).await;
    assert!(r.summary.en.contains("no IAM user"), "{}", r.summary.en);
    let iam = aws_sdk_iam::Client::new(&moto.sdk());
    for user in ["deploy", "ci"] {
        iam.create_user()
            .user_name(user)
            .send()
            .await
            .expect("user");
        iam.create_access_key()
            .user_name(user)
            .send()
            .await
            .expect("key");
    }
    let r = expect(&ctx, "posture.access_key_age", CheckStatus::Pass).await;
    assert!(
        r.summary.en.contains("2 active access keys"),
        "{}",
        r.summary.en
    );
    moto.cmd("age-keys 200");
    let r = expect(&ctx, "posture.access_key_age", CheckStatus::Warn).await;
    assert!(r.summary.en.contains("2 of 2"), "{}", r.summary.en);
    assert!(
        r.details.en.contains("deploy key 1: 200 days"),
        "{}",
        r.details.en
    );
    // The secret half of a key never reaches a result.
    assert!(!format!("{r:?}").contains("SecretAccessKey"));
}

#[tokio::test]
async fn cloudtrail_multi_region_logging() {
    let mut moto = Moto::fixture();
    let ctx = moto.ctx(EnvironmentSettings::default());
    let r = expect(&ctx, "posture.cloudtrail", CheckStatus::Warn).await;
    assert!(
        r.summary.en.contains("no CloudTrail trail"),
        "{}",
        r.summary.en
    );
    moto.cmd("bucket trail-logs");
    let ct = aws_sdk_cloudtrail::Client::new(&moto.sdk());
    ct.create_trail()
        .name("regional")
        .s3_bucket_name("trail-logs")
        .send()
        .await
        .expect("trail");
    ct.start_logging()
        .name("regional")
        .send()
        .await
        .expect("start");
    ct.create_trail()
        .name("everywhere")
        .s3_bucket_name("trail-logs")
        .is_multi_region_trail(true)
        .send()
        .await
        .expect("trail");
    // A multi-region trail that does not log is not enough.
    let r = expect(&ctx, "posture.cloudtrail", CheckStatus::Warn).await;
    assert!(
        r.summary.en.contains("no multi-region trail is logging"),
        "{}",
        r.summary.en
    );
    ct.start_logging()
        .name("everywhere")
        .send()
        .await
        .expect("start");
    let r = expect(&ctx, "posture.cloudtrail", CheckStatus::Pass).await;
    assert!(r.summary.en.contains("everywhere"), "{}", r.summary.en);
}

#[tokio::test]
async fn guardduty_detector() {
    let moto = Moto::start();
    let ctx = moto.ctx(EnvironmentSettings::default());
    let r = expect(&ctx, "posture.threat_detection", CheckStatus::Warn).await;
    assert!(r.summary.en.contains("no detector"), "{}", r.summary.en);
    let gd = aws_sdk_guardduty::Client::new(&moto.sdk());
    let id = gd
        .create_detector()
        .enable(false)
        .send()
        .await
        .expect("detector")
        .detector_id
        .expect("id");
    let r = expect(&ctx, "posture.threat_detection", CheckStatus::Warn).await;
    assert!(r.summary.en.contains("suspended"), "{}", r.summary.en);
    gd.update_detector()
        .detector_id(&id)
        .enable(true)
        .send()
        .await
        .expect("enable");
    expect(&ctx, "posture.threat_detection", CheckStatus::Pass).await;
}

#[tokio::test]
async fn kms_customer_keys_rotate() {
    let moto = Moto::start();
    let ctx = moto.ctx(EnvironmentSettings::default());
    let r = expect(&ctx, "posture.kms_rotation", CheckStatus::Pass).await;
    assert!(
        r.summary.en.contains("no enabled customer-managed"),
        "{}",
        r.summary.en
    );
    let kms = aws_sdk_kms::Client::new(&moto.sdk());
    let key = kms
        .create_key()
        .description("tenant data")
        .send()
        .await
        .expect("key")
        .key_metadata
        .expect("metadata")
        .key_id;
    // Asymmetric keys cannot rotate automatically and are not held against the account.
    kms.create_key()
        .key_spec(aws_sdk_kms::types::KeySpec::Rsa2048)
        .key_usage(aws_sdk_kms::types::KeyUsageType::SignVerify)
        .send()
        .await
        .expect("rsa key");
    let r = expect(&ctx, "posture.kms_rotation", CheckStatus::Warn).await;
    assert!(r.summary.en.contains(&key), "{}", r.summary.en);
    assert!(r.summary.en.starts_with("1 of 1"), "{}", r.summary.en);
    kms.enable_key_rotation()
        .key_id(&key)
        .send()
        .await
        .expect("rotate");
    expect(&ctx, "posture.kms_rotation", CheckStatus::Pass).await;

    // Keys AWS cannot rotate automatically (EnableKeyRotation API reference): imported key
    // material (Origin EXTERNAL) and keys in a CloudHSM custom key store. They never rotate, are
    // not warned about, and are named as rotated by hand.
    use aws_sdk_kms::types::OriginType;
    let mut manual = Vec::new();
    for origin in [OriginType::External, OriginType::AwsCloudhsm] {
        manual.push(
            kms.create_key()
                .origin(origin)
                .description("rotated by hand")
                .send()
                .await
                .expect("key")
                .key_metadata
                .expect("metadata")
                .key_id,
        );
    }
    let r = expect(&ctx, "posture.kms_rotation", CheckStatus::Pass).await;
    assert!(
        r.summary.en.starts_with("all 1 customer-managed"),
        "{}",
        r.summary.en
    );
    assert!(
        r.summary
            .en
            .contains("2 key(s) AWS cannot rotate automatically"),
        "{}",
        r.summary.en
    );
    assert!(
        r.summary
            .en
            .contains(&format!("{} (imported key material)", manual[0])),
        "{}",
        r.summary.en
    );
    assert!(
        r.summary
            .en
            .contains(&format!("{} (custom key store, AWS_CLOUDHSM)", manual[1])),
        "{}",
        r.summary.en
    );
    // A key AWS can rotate still warns, and the manual ones are still named beside it.
    kms.disable_key_rotation()
        .key_id(&key)
        .send()
        .await
        .expect("stop rotating");
    let r = expect(&ctx, "posture.kms_rotation", CheckStatus::Warn).await;
    assert!(r.summary.en.starts_with("1 of 1"), "{}", r.summary.en);
    assert!(r.summary.en.contains("rotated by hand"), "{}", r.summary.en);
}

#[tokio::test]
async fn eventbridge_rule_for_agreement_events() {
    let moto = Moto::start();
    let settings = EnvironmentSettings {
        use_eventbridge: true,
        ..Default::default()
    };
    let ctx = moto.ctx(settings.clone());
    let skipped = moto.ctx(EnvironmentSettings::default());
    expect(&skipped, "notifications.eventbridge", CheckStatus::Skipped).await;

    let eb = aws_sdk_eventbridge::Client::new(&moto.sdk());
    // Only an unrelated rule: fail.
    eb.put_rule()
        .name("ec2")
        .event_pattern(r#"{"source":["aws.ec2"]}"#)
        .send()
        .await
        .expect("rule");
    let r = expect(&ctx, "notifications.eventbridge", CheckStatus::Fail).await;
    assert!(
        r.summary.en.starts_with("no EventBridge rule"),
        "{}",
        r.summary.en
    );
    // The right pattern, but no target: fail.
    eb.put_rule()
        .name("agreements")
        .event_pattern(r#"{"source":["aws.agreement-marketplace"],"detail-type":["Purchase Agreement Created - Manufacturer"]}"#)
        .send()
        .await
        .expect("rule");
    let r = expect(&ctx, "notifications.eventbridge", CheckStatus::Fail).await;
    assert!(r.summary.en.contains("has no target"), "{}", r.summary.en);
    // A target, but the filter lets only one kind of event through: warn, naming the rest.
    eb.put_targets()
        .rule("agreements")
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("saas")
                .arn("arn:aws:sqs:us-east-1:123456789012:saas-events")
                .build()
                .expect("target"),
        )
        .send()
        .await
        .expect("targets");
    let r = expect(&ctx, "notifications.eventbridge", CheckStatus::Warn).await;
    assert!(
        r.summary.en.contains("License Deprovisioned"),
        "{}",
        r.summary.en
    );
    // Every event, but only in the "- Proposer" variants: the ISV's channel-partner deals
    // arrive as "- Manufacturer" events only, so this fails.
    eb.put_rule()
        .name("agreements")
        .event_pattern(
            r#"{"source":["aws.agreement-marketplace"],"detail-type":[{"suffix":" - Proposer"}]}"#,
        )
        .send()
        .await
        .expect("rule");
    let r = expect(&ctx, "notifications.eventbridge", CheckStatus::Fail).await;
    assert!(
        r.summary.en.contains("only the \"- Proposer\""),
        "{}",
        r.summary.en
    );
    // Every agreement event: pass.
    eb.put_rule()
        .name("agreements")
        .event_pattern(r#"{"source":["aws.agreement-marketplace"]}"#)
        .send()
        .await
        .expect("rule");
    expect(&ctx, "notifications.eventbridge", CheckStatus::Pass).await;
    // Disabled: fail again.
    eb.disable_rule()
        .name("agreements")
        .send()
        .await
        .expect("disable");
    let r = expect(&ctx, "notifications.eventbridge", CheckStatus::Fail).await;
    assert!(r.summary.en.contains("disabled"), "{}", r.summary.en);
}

//! Notifications through EventBridge into an SQS queue, on moto's EventBridge and SQS: the queue
//! checks verify that path (a rule on the default bus in us-east-1 targets the queue; the queue
//! policy lets events.amazonaws.com send from that rule) and ask for no SNS subscription. Rule
//! patterns use the detail types of AWS's SaaS EventBridge page; the policy statement is the one
//! EventBridge's guide adds for an SQS target.

mod common;

use common::{expect, Moto};
use la_aws::engine::CheckStatus;
use la_core::model::{EnvironmentSettings, PricingModel};
use serde_json::json;

const MANUFACTURER: &str = r#"{"source":["aws.agreement-marketplace"],"detail-type":["Purchase Agreement Created - Manufacturer","Purchase Agreement Amended - Manufacturer","Purchase Agreement Ended - Manufacturer","License Updated - Manufacturer","License Deprovisioned - Manufacturer"]}"#;
const PROPOSER: &str = r#"{"source":["aws.agreement-marketplace"],"detail-type":["Purchase Agreement Created - Proposer","Purchase Agreement Amended - Proposer","Purchase Agreement Ended - Proposer","License Updated - Proposer","License Deprovisioned - Proposer"]}"#;

struct Fixture {
    moto: Moto,
    url: String,
    queue_arn: String,
}

impl Fixture {
    async fn new() -> Self {
        let moto = Moto::start();
        let sqs = aws_sdk_sqs::Client::new(&moto.sdk());
        let url = sqs
            .create_queue()
            .queue_name("saas-events")
            .send()
            .await
            .expect("queue")
            .queue_url
            .expect("url");
        let queue_arn = sqs
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await
            .expect("attrs")
            .attributes
            .and_then(|a| {
                a.get(&aws_sdk_sqs::types::QueueAttributeName::QueueArn)
                    .cloned()
            })
            .expect("arn");
        Fixture {
            moto,
            url,
            queue_arn,
        }
    }

    fn ctx(&self) -> la_aws::checks::CheckContext {
        self.moto.ctx(EnvironmentSettings {
            product_code: "prodcode1234567890abcdefg".into(),
            pricing_model: PricingModel::ContractWithConsumption,
            sqs_queue_url: self.url.clone(),
            use_eventbridge: true,
            ..Default::default()
        })
    }

    fn eb(&self) -> aws_sdk_eventbridge::Client {
        aws_sdk_eventbridge::Client::new(&self.moto.sdk())
    }

    /// The rule, with the queue as its target; returns the rule's ARN.
    async fn rule(&self, name: &str, pattern: &str) -> String {
        let arn = self
            .eb()
            .put_rule()
            .name(name)
            .event_pattern(pattern)
            .send()
            .await
            .expect("rule")
            .rule_arn
            .expect("rule arn");
        self.eb()
            .put_targets()
            .rule(name)
            .targets(
                aws_sdk_eventbridge::types::Target::builder()
                    .id("saas-queue")
                    .arn(&self.queue_arn)
                    .build()
                    .expect("target"),
            )
            .send()
            .await
            .expect("targets");
        arn
    }

    async fn policy(&self, statement: serde_json::Value) {
        aws_sdk_sqs::Client::new(&self.moto.sdk())
            .set_queue_attributes()
            .queue_url(&self.url)
            .attributes(
                aws_sdk_sqs::types::QueueAttributeName::Policy,
                json!({"Version": "2012-10-17", "Statement": [statement]}).to_string(),
            )
            .send()
            .await
            .expect("policy");
    }

    /// The statement EventBridge's guide gives for an SQS target.
    fn documented(&self, condition: serde_json::Value) -> serde_json::Value {
        json!({
            "Sid": "AWSEvents_marketplace-agreements_saas-queue",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": self.queue_arn,
            "Condition": condition
        })
    }
}

#[tokio::test]
async fn the_queue_checks_follow_the_eventbridge_path() {
    let f = Fixture::new().await;
    let ctx = f.ctx();
    // No SNS subscription is asked for, before or after the path is wired.
    let r = expect(
        &ctx,
        "notifications.sns_subscriptions",
        CheckStatus::Skipped,
    )
    .await;
    assert!(r.summary.en.contains("EventBridge"), "{}", r.summary.en);

    // No rule targets the queue.
    let r = expect(&ctx, "notifications.sqs_queue", CheckStatus::Fail).await;
    assert!(
        r.summary.en.contains("targets the queue"),
        "{}",
        r.summary.en
    );

    // A rule targets it, but the queue has no policy for EventBridge.
    let rule = f.rule("marketplace-agreements", MANUFACTURER).await;
    let r = expect(&ctx, "notifications.sqs_queue", CheckStatus::Fail).await;
    assert!(
        r.summary.en.contains("events.amazonaws.com"),
        "{}",
        r.summary.en
    );
    assert!(r.summary.en.contains(&rule), "{}", r.summary.en);

    // A policy for SNS (the other path) does not let EventBridge in.
    f.policy(json!({"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": f.queue_arn, "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-prodcode1234567890abcdefg"}}}))
        .await;
    expect(&ctx, "notifications.sqs_queue", CheckStatus::Fail).await;

    // The documented statement for another rule: still not this one.
    f.policy(f.documented(
        json!({"ArnEquals": {"aws:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/other"}}),
    ))
    .await;
    expect(&ctx, "notifications.sqs_queue", CheckStatus::Fail).await;

    // The documented statement for this rule: pass.
    f.policy(f.documented(json!({"ArnEquals": {"aws:SourceArn": rule}})))
        .await;
    let r = expect(&ctx, "notifications.sqs_queue", CheckStatus::Pass).await;
    assert!(
        r.summary.en.contains("marketplace-agreements"),
        "{}",
        r.summary.en
    );

    // ArnLike with a wildcard over the account's rules: pass.
    f.policy(f.documented(
        json!({"ArnLike": {"aws:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/*"}}),
    ))
    .await;
    expect(&ctx, "notifications.sqs_queue", CheckStatus::Pass).await;
    expect(
        &ctx,
        "notifications.sns_subscriptions",
        CheckStatus::Skipped,
    )
    .await;

    // The rule matching only the "- Proposer" variants: the ISV would miss channel-partner deals.
    f.rule("marketplace-agreements", PROPOSER).await;
    let r = expect(&ctx, "notifications.sqs_queue", CheckStatus::Fail).await;
    assert!(r.summary.en.contains("- Proposer"), "{}", r.summary.en);
    let r = expect(&ctx, "notifications.eventbridge", CheckStatus::Fail).await;
    assert!(r.summary.en.contains("- Proposer"), "{}", r.summary.en);

    // Disabled: nothing is delivered.
    f.rule("marketplace-agreements", MANUFACTURER).await;
    expect(&ctx, "notifications.sqs_queue", CheckStatus::Pass).await;
    f.eb()
        .disable_rule()
        .name("marketplace-agreements")
        .send()
        .await
        .expect("disable");
    expect(&ctx, "notifications.sqs_queue", CheckStatus::Fail).await;
}

#[tokio::test]
async fn an_sns_environment_still_needs_its_topics() {
    // The same queue, wired for EventBridge, in an environment that reads SNS: the SNS policy
    // check applies and fails (no statement for the Marketplace topics).
    let f = Fixture::new().await;
    let rule = f.rule("marketplace-agreements", MANUFACTURER).await;
    f.policy(f.documented(json!({"ArnEquals": {"aws:SourceArn": rule}})))
        .await;
    let mut settings = f.ctx().settings.clone();
    settings.use_eventbridge = false;
    let ctx = f.moto.ctx(settings);
    let r = expect(&ctx, "notifications.sqs_queue", CheckStatus::Fail).await;
    assert!(
        r.summary.en.contains("aws-mp-subscription-notification"),
        "{}",
        r.summary.en
    );
}

/// EventBridge's own matcher (moto's implementation of PutEvents and rule patterns) agrees with
/// the check's reading of each pattern: events in AWS's documented shape are put on the default
/// bus, and the Manufacturer detail types that reach each rule's queue are exactly those the
/// check counts as covered.
#[tokio::test]
async fn the_check_reads_patterns_as_eventbridge_routes_them() {
    use la_aws::checks::notifications::{agreement_coverage, AGREEMENT_EVENTS};
    let moto = Moto::start();
    let sdk = moto.sdk();
    let eb = aws_sdk_eventbridge::Client::new(&sdk);
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let patterns = [
        MANUFACTURER,
        PROPOSER,
        r#"{"source":["aws.agreement-marketplace"]}"#,
        r#"{"source":[{"prefix":"aws.agreement"}],"detail-type":[{"suffix":" - Manufacturer"}]}"#,
        r#"{"source":["aws.agreement-marketplace"],"detail-type":[{"wildcard":"License * - *"}]}"#,
        r#"{"source":["aws.agreement-marketplace"],"detail-type":[{"anything-but":["License Updated - Manufacturer","License Deprovisioned - Manufacturer"]}]}"#,
        r#"{"source":["aws.agreement-marketplace"],"detail-type":[{"prefix":"Purchase Agreement"}]}"#,
    ];
    let mut queues = Vec::new();
    for (i, pattern) in patterns.iter().enumerate() {
        let url = sqs
            .create_queue()
            .queue_name(format!("rule-{i}"))
            .send()
            .await
            .expect("queue")
            .queue_url
            .expect("url");
        eb.put_rule()
            .name(format!("rule-{i}"))
            .event_pattern(*pattern)
            .send()
            .await
            .expect("rule");
        eb.put_targets()
            .rule(format!("rule-{i}"))
            .targets(
                aws_sdk_eventbridge::types::Target::builder()
                    .id("q")
                    .arn(format!("arn:aws:sqs:us-east-1:123456789012:rule-{i}"))
                    .build()
                    .expect("target"),
            )
            .send()
            .await
            .expect("targets");
        queues.push(url);
    }
    // Every detail type, with the detail AWS's license-event example carries.
    for kind in AGREEMENT_EVENTS {
        for role in ["Manufacturer", "Proposer"] {
            let detail = json!({"agreement": {"id": "agmt-4mwg1nevbokzw95eca5797ixs"},
                "acceptor": {"accountId": "444455556666"}, "proposer": {"accountId": "111122223333"},
                "license": {"arn": "aws:license-manager:us-east-1:111122223333:l-e52ca6f38bf84d0fafb8802ca15ac11x"}});
            let out = eb
                .put_events()
                .entries(
                    aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
                        .source("aws.agreement-marketplace")
                        .detail_type(format!("{kind} - {role}"))
                        .detail(detail.to_string())
                        .build(),
                )
                .send()
                .await
                .expect("put events");
            assert_eq!(out.failed_entry_count(), 0);
        }
    }
    for (pattern, url) in patterns.iter().zip(&queues) {
        let mut received = Vec::new();
        loop {
            let got = sqs
                .receive_message()
                .queue_url(url)
                .max_number_of_messages(10)
                .send()
                .await
                .expect("receive");
            if got.messages().is_empty() {
                break;
            }
            for m in got.messages() {
                let body: serde_json::Value =
                    serde_json::from_str(m.body().expect("body")).expect("an event");
                assert_eq!(body["source"], "aws.agreement-marketplace");
                received.push(body["detail-type"].as_str().expect("type").to_string());
                sqs.delete_message()
                    .queue_url(url)
                    .receipt_handle(m.receipt_handle().expect("handle"))
                    .send()
                    .await
                    .expect("delete");
            }
        }
        let coverage = agreement_coverage(pattern).expect("an agreement rule");
        for kind in AGREEMENT_EVENTS {
            let routed = received.contains(&format!("{kind} - Manufacturer"));
            assert_eq!(
                routed,
                coverage.manufacturer.contains(&kind),
                "{pattern}: {kind} - Manufacturer (received {received:?})"
            );
            if coverage.proposer_only.contains(&kind) {
                assert!(
                    received.contains(&format!("{kind} - Proposer")),
                    "{pattern}"
                );
            }
        }
    }
}

//! `notifications.sqs_queue` when the environment receives notifications through EventBridge
//! into its queue: an enabled rule on the default bus in us-east-1 matching the agreement events
//! (their "- Manufacturer" variants) targets the queue, and the queue policy lets
//! events.amazonaws.com `sqs:SendMessage` with `aws:SourceArn` equal to (or, with ArnLike,
//! matching) that rule's ARN — the statement EventBridge's guide ("Using resource-based
//! policies for Amazon EventBridge", Amazon SQS permissions) adds.

use super::eb::{self, AgreementRule};
use crate::engine::Outcome;
use la_core::AppError;
use serde_json::Value;

/// Marketplace puts its agreement events on the default bus in us-east-1, whatever region the
/// seller works in.
fn eventbridge_client(sdk: &aws_config::SdkConfig) -> aws_sdk_eventbridge::Client {
    aws_sdk_eventbridge::Client::new(&crate::access::marketplace_config(sdk))
}

pub async fn verdict(
    sdk: &aws_config::SdkConfig,
    url: &str,
    queue_arn: &str,
    policy: &Value,
) -> Result<Outcome, AppError> {
    let (_, rules) = eb::agreement_rules(&eventbridge_client(sdk)).await?;
    Ok(judge(url, queue_arn, policy, &rules))
}

/// The verdict on the rules and policy read (pure, so it is shown on AWS's shapes directly).
pub fn judge(url: &str, queue_arn: &str, policy: &Value, rules: &[AgreementRule]) -> Outcome {
    let to_queue: Vec<&AgreementRule> = rules
        .iter()
        .filter(|r| r.enabled && r.targets.iter().any(|t| t == queue_arn))
        .collect();
    let statements = eb::statements(policy);
    let delivering: Vec<&&AgreementRule> = to_queue
        .iter()
        .filter(|r| {
            statements
                .iter()
                .any(|s| eb::statement_allows(s, "events.amazonaws.com", queue_arn, &r.arn))
        })
        .collect();
    let manufacturer =
        |rs: &[&&AgreementRule]| rs.iter().any(|r| !r.coverage.manufacturer.is_empty());
    let listed: Vec<String> = rules.iter().map(AgreementRule::describe).collect();
    let o = if to_queue.is_empty() {
        Outcome::fail(
            la_core::text!("no enabled EventBridge rule on the default bus in us-east-1 for aws.agreement-marketplace targets the queue {queue_arn}", "us-east-1 のデフォルトバスに、キュー {queue_arn} をターゲットとする aws.agreement-marketplace 用の有効な EventBridge ルールがありません"),
            "Create a rule on the default bus in us-east-1 with the pattern {\"source\": [\"aws.agreement-marketplace\"]} and this queue as its target.",
            "us-east-1 のデフォルトバスに、パターン {\"source\": [\"aws.agreement-marketplace\"]} でこのキューをターゲットとするルールを作成してください。",
        )
    } else if delivering.is_empty() {
        let arns: Vec<&str> = to_queue.iter().map(|r| r.arn.as_str()).collect();
        Outcome::fail(
            la_core::text!(
                "the queue policy does not let events.amazonaws.com send from {}",
                "キューポリシーが {} からの events.amazonaws.com の送信を許可していません",
                arns.join(" or ")
            ),
            "Add a queue policy statement: Principal {\"Service\": \"events.amazonaws.com\"}, Action sqs:SendMessage, Resource the queue ARN, Condition ArnEquals aws:SourceArn = the rule's ARN.",
            "キューポリシーに、Principal {\"Service\": \"events.amazonaws.com\"}、Action sqs:SendMessage、Resource にキュー ARN、Condition ArnEquals aws:SourceArn にルール ARN を指定したステートメントを追加してください。",
        )
    } else if !manufacturer(&delivering) {
        Outcome::fail(
            la_core::text!("the rule delivering to the queue matches only the \"- Proposer\" variants; the ISV receives the \"- Manufacturer\" variants, and in channel-partner deals only those", "キューに配信するルールは \"- Proposer\" 版にしか一致しません。ISV が受け取るのは \"- Manufacturer\" 版で、チャネルパートナー経由の取引ではそれだけです"),
            "Match the \"- Manufacturer\" detail types (or drop the detail-type filter).",
            "\"- Manufacturer\" の detail-type に一致させてください (または detail-type フィルターを外してください)。",
        )
    } else {
        let names: Vec<&str> = delivering.iter().map(|r| r.name.as_str()).collect();
        Outcome::pass(la_core::text!(
            "EventBridge delivers agreement events into the queue (rule {}), and the queue policy lets it",
            "EventBridge は契約イベントをキューに配信し (ルール {})、キューポリシーもそれを許可しています",
            names.join(", ")
        ))
    };
    o.details(listed.join("\n")).evidence(
        "GetQueueAttributes + EventBridge rules (default bus, us-east-1)",
        format!("GetQueueAttributes {url} Policy; events:ListRules + events:ListTargetsByRule"),
        format!("policy: {policy}; rules: {}", listed.join("; ")),
    )
}

//! Notification wiring. Over SNS: the SQS queue exists, its policy lets the Marketplace topics
//! deliver, and it is subscribed to them. Over EventBridge into a queue (`use_eventbridge` with a
//! queue URL): a rule on the default bus in us-east-1 targets the queue and the queue policy lets
//! events.amazonaws.com send from that rule; no SNS subscription is asked for.

mod eb;
mod queue_path;

pub use eb::{agreement_coverage, Coverage, AGREEMENT_EVENTS};

use super::CheckContext;
use crate::engine::{CheckDef, CheckFuture, Outcome};
use crate::marketplace::app_error;
use la_core::checklist::Text;
use la_core::model::PricingModel;
use serde_json::Value;

pub static CHECKS: [CheckDef<CheckContext>; 3] = [
    CheckDef {
        id: "notifications.sqs_queue",
        actions: &[
            "sqs:GetQueueAttributes",
            "events:ListRules",
            "events:ListTargetsByRule",
        ],
        needs_aws: true,
        run: sqs_queue,
    },
    CheckDef {
        id: "notifications.sns_subscriptions",
        actions: &["sqs:GetQueueAttributes", "sns:ListSubscriptions"],
        needs_aws: true,
        run: sns_subscriptions,
    },
    CheckDef {
        id: "notifications.eventbridge",
        actions: &["events:ListRules", "events:ListTargetsByRule"],
        needs_aws: true,
        run: eventbridge,
    },
];

/// EventBridge: a rule on the default bus in us-east-1 (where Marketplace sends its events)
/// matching `aws.agreement-marketplace`, enabled, with a target.
fn eventbridge(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        if !ctx.settings.use_eventbridge {
            return Ok(Outcome::skipped(la_core::text!(
                "this environment takes notifications from SNS/SQS, not EventBridge",
                "この環境は EventBridge ではなく SNS/SQS から通知を受け取ります",
            )));
        }
        let eb = aws_sdk_eventbridge::Client::new(&ctx.marketplace_sdk()?);
        let (total, rules) = eb::agreement_rules(&eb).await?;
        Ok(rules_verdict(total, &rules))
    })
}

/// The `notifications.eventbridge` verdict on the rules that match agreement events.
fn rules_verdict(total: usize, rules: &[eb::AgreementRule]) -> Outcome {
    let mut covered: Vec<&str> = Vec::new();
    let mut proposer_only: Vec<&str> = Vec::new();
    let mut problems = Vec::new();
    for r in rules {
        if !r.enabled {
            problems.push(format!("rule {} is disabled", r.name));
        } else if r.targets.is_empty() {
            problems.push(format!("rule {} has no target", r.name));
        } else {
            covered.extend(&r.coverage.manufacturer);
            proposer_only.extend(&r.coverage.proposer_only);
        }
    }
    let missing: Vec<&str> = AGREEMENT_EVENTS
        .iter()
        .copied()
        .filter(|e| !covered.contains(e))
        .collect();
    let seen: Vec<String> = rules.iter().map(eb::AgreementRule::describe).collect();
    let o = if rules.is_empty() {
        Outcome::fail(
            la_core::text!("no EventBridge rule on the default bus in us-east-1 matches source aws.agreement-marketplace", "us-east-1 のデフォルトバスに source aws.agreement-marketplace に一致する EventBridge ルールがありません"),
            "Create a rule on the default bus in us-east-1 with the pattern {\"source\": [\"aws.agreement-marketplace\"]} and a target (SQS, Lambda…).",
            "us-east-1 のデフォルトバスに、パターン {\"source\": [\"aws.agreement-marketplace\"]} とターゲット (SQS、Lambda など) を持つルールを作成してください。",
        )
    } else if missing.len() == AGREEMENT_EVENTS.len() && !proposer_only.is_empty() {
        Outcome::fail(
            la_core::text!("the rules match only the \"- Proposer\" variants of the agreement events; the ISV receives the \"- Manufacturer\" variants, and in channel-partner deals only those", "ルールは契約イベントの \"- Proposer\" 版にしか一致しません。ISV が受け取るのは \"- Manufacturer\" 版で、チャネルパートナー経由の取引ではそれだけです"),
            "Match the \"- Manufacturer\" detail types (or drop the detail-type filter): e.g. \"License Updated - Manufacturer\".",
            "\"- Manufacturer\" の detail-type に一致させてください (または detail-type フィルターを外してください)。例: \"License Updated - Manufacturer\"。",
        )
    } else if missing.len() == AGREEMENT_EVENTS.len() {
        Outcome::fail(
            la_core::text!(
                "no enabled rule with a target receives agreement events ({})",
                "契約イベントを受け取る、ターゲット付きの有効なルールがありません ({})",
                problems.join("; ")
            ),
            "Enable the rule and give it a target that the SaaS reads.",
            "ルールを有効にし、SaaS が読み取るターゲットを設定してください。",
        )
    } else if !missing.is_empty() {
        Outcome::warn(
            la_core::text!(
                "agreement events no rule delivers in their \"- Manufacturer\" variant: {}",
                "\"- Manufacturer\" 版をどのルールも届けない契約イベント: {}",
                missing.join(", ")
            ),
            "Widen the rule's detail-type filter (or drop it) so every agreement and license event reaches the SaaS, in its \"- Manufacturer\" variant.",
            "ルールの detail-type フィルターを広げる (または外す) と、すべての契約・ライセンスイベントが \"- Manufacturer\" の形で SaaS に届きます。",
        )
    } else {
        Outcome::pass(Text::new(
            format!(
                "agreement events reach a target ({} matching rule{})",
                rules.len(),
                if rules.len() == 1 { "" } else { "s" }
            ),
            format!(
                "契約イベントはターゲットに届きます (一致するルール {} 件)",
                rules.len()
            ),
        ))
    };
    o.details(seen.join("\n")).evidence(
        "EventBridge rules (default bus, us-east-1)",
        "events:ListRules + events:ListTargetsByRule",
        if seen.is_empty() {
            format!("{total} rules, none for aws.agreement-marketplace")
        } else {
            seen.join("; ")
        },
    )
}

/// The topics the pricing model needs, from the settings or derived from the product code.
fn topics(ctx: &CheckContext) -> Vec<String> {
    let s = &ctx.settings;
    let derive = |kind: &str| {
        format!(
            "arn:aws:sns:us-east-1:{}:aws-mp-{kind}-notification-{}",
            "287250355862", s.product_code
        )
    };
    let mut out = vec![if s.subscription_topic_arn.is_empty() {
        derive("subscription")
    } else {
        s.subscription_topic_arn.clone()
    }];
    if s.pricing_model != PricingModel::Subscription {
        out.push(if s.entitlement_topic_arn.is_empty() {
            derive("entitlement")
        } else {
            s.entitlement_topic_arn.clone()
        });
    }
    out
}

/// Whether one policy statement lets SNS deliver to the queue from `topic`.
fn allows(statement: &Value, queue_arn: &str, topic: &str) -> bool {
    eb::statement_allows(statement, "sns.amazonaws.com", queue_arn, topic)
}

fn sqs_queue(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        let url = &ctx.settings.sqs_queue_url;
        if url.is_empty() {
            return Ok(if ctx.settings.use_eventbridge {
                Outcome::skipped(la_core::text!(
                    "this environment uses EventBridge, not an SQS queue",
                    "この環境は SQS キューではなく EventBridge を使います"
                ))
            } else {
                Outcome::skipped(la_core::text!("no SQS queue URL is set for this environment", "この環境には SQS キューの URL が設定されていません")).advice(
                    "Create a queue, subscribe it to the Marketplace topics and enter its URL.",
                    "キューを作成して Marketplace のトピックを購読させ、その URL を入力してください。",
                )
            });
        }
        use aws_sdk_sqs::types::QueueAttributeName;
        let out = match aws_sdk_sqs::Client::new(&ctx.queue_sdk(url)?)
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::Policy)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
        {
            Ok(o) => o,
            Err(e) => {
                let err = app_error("GetQueueAttributes", &e);
                // JSON-protocol SQS names it QueueDoesNotExist; its query-compatible code
                // (what SDKs that honour awsQueryCompatible report) is the legacy one.
                if err.is_aws("QueueDoesNotExist")
                    || err.is_aws("AWS.SimpleQueueService.NonExistentQueue")
                {
                    return Ok(Outcome::fail(
                        la_core::text!("the queue {url} does not exist", "キュー {url} は存在しません"),
                        "Create the queue in the seller account, in the region its URL names, and subscribe it to the Marketplace topics (in us-east-1) or make it the target of the EventBridge rule.",
                        "キューをセラーアカウントの、URL が示すリージョンに作成し、Marketplace のトピック (us-east-1) を購読させるか、EventBridge ルールのターゲットにしてください。",
                    ));
                }
                return Err(err);
            }
        };
        let attrs = out.attributes();
        let policy: Value = attrs
            .and_then(|a| a.get(&QueueAttributeName::Policy))
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or(Value::Null);
        let queue_arn = attrs
            .and_then(|a| a.get(&QueueAttributeName::QueueArn))
            .cloned()
            .unwrap_or_default();
        if ctx.settings.use_eventbridge {
            return queue_path::verdict(ctx.aws()?, url, &queue_arn, &policy).await;
        }
        let statements = eb::statements(&policy);
        let needed = topics(ctx);
        let missing: Vec<&String> = needed
            .iter()
            .filter(|t| !statements.iter().any(|s| allows(s, &queue_arn, t)))
            .collect();
        let o = if policy.is_null() {
            Outcome::fail(
                la_core::text!("the queue {url} has no access policy, so SNS cannot deliver to it", "キュー {url} にはアクセスポリシーがないため、SNS から配信できません"),
                "Add a policy allowing sns.amazonaws.com to sqs:SendMessage with aws:SourceArn set to each Marketplace topic.",
                "sns.amazonaws.com に sqs:SendMessage を許可し、aws:SourceArn に各 Marketplace トピックを指定したポリシーを追加してください。",
            )
        } else if !missing.is_empty() {
            Outcome::fail(
                la_core::text!("the queue policy does not let {} deliver", "キューポリシーが {} からの配信を許可していません", missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" and ")),
                "Allow sns.amazonaws.com to sqs:SendMessage from these topic ARNs (condition aws:SourceArn).",
                "これらのトピック ARN からの sqs:SendMessage を sns.amazonaws.com に許可してください (条件 aws:SourceArn)。",
            )
        } else {
            Outcome::pass(la_core::text!(
                "the queue exists and its policy lets {} topic(s) deliver",
                "キューは存在し、そのポリシーはトピック {} 件からの配信を許可しています",
                needed.len()
            ))
        };
        Ok(o.evidence(
            "GetQueueAttributes",
            format!("GetQueueAttributes {url} Policy"),
            policy.to_string(),
        ))
    })
}

/// The queue is subscribed, and the subscription confirmed, to each topic the pricing model needs.
fn sns_subscriptions(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        let url = &ctx.settings.sqs_queue_url;
        if url.is_empty() {
            return Ok(Outcome::skipped(if ctx.settings.use_eventbridge {
                la_core::text!(
                    "this environment uses EventBridge, not SNS",
                    "この環境は SNS ではなく EventBridge を使います"
                )
            } else {
                la_core::text!(
                    "no SQS queue URL is set for this environment",
                    "この環境には SQS キューの URL が設定されていません"
                )
            }));
        }
        if ctx.settings.use_eventbridge {
            // EventBridge delivers into the queue itself; notifications.sqs_queue checks that
            // path. Marketplace's SNS topics are not needed for it.
            return Ok(Outcome::skipped(la_core::text!(
                "not applicable: this environment receives notifications through EventBridge into the queue, not from SNS topics",
                "対象外: この環境は SNS トピックからではなく、EventBridge 経由でキューに通知を受け取ります",
            )));
        }
        use aws_sdk_sqs::types::QueueAttributeName;
        let attrs = aws_sdk_sqs::Client::new(&ctx.queue_sdk(url)?)
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .map_err(|e| app_error("GetQueueAttributes", &e))?;
        let queue_arn = attrs
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::QueueArn))
            .cloned()
            .unwrap_or_default();
        let sns = aws_sdk_sns::Client::new(&ctx.marketplace_sdk()?);
        let mut subs = Vec::new();
        let mut token = None;
        for _ in 0..50 {
            let page = sns
                .list_subscriptions()
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| app_error("ListSubscriptions", &e))?;
            for s in page.subscriptions() {
                if s.endpoint() == Some(queue_arn.as_str()) && s.protocol() == Some("sqs") {
                    subs.push((
                        s.topic_arn().unwrap_or_default().to_string(),
                        s.subscription_arn().unwrap_or_default().to_string(),
                    ));
                }
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        let needed = topics(ctx);
        let mut missing = Vec::new();
        let mut pending = Vec::new();
        for t in &needed {
            match subs.iter().find(|(topic, _)| topic == t) {
                None => missing.push(t.clone()),
                Some((_, arn)) if arn == "PendingConfirmation" || !arn.starts_with("arn:") => {
                    pending.push(t.clone())
                }
                Some(_) => {}
            }
        }
        let o = if !missing.is_empty() {
            Outcome::fail(
                la_core::text!("the queue is not subscribed to {}", "キューは {} を購読していません", missing.join(" and ")),
                "Subscribe the queue to each Marketplace topic (sns:Subscribe with protocol sqs, in us-east-1).",
                "キューを各 Marketplace トピックに購読させてください (us-east-1 で sns:Subscribe、プロトコル sqs)。",
            )
        } else if !pending.is_empty() {
            Outcome::fail(
                la_core::text!("the subscription to {} is not confirmed", "{} の購読が確認されていません", pending.join(" and ")),
                "Confirm the subscription (the queue receives a SubscriptionConfirmation message with a SubscribeURL).",
                "購読を確認してください (キューに SubscribeURL 付きの SubscriptionConfirmation メッセージが届きます)。",
            )
        } else {
            Outcome::pass(la_core::text!(
                "the queue is subscribed and confirmed to {} topic(s)",
                "キューはトピック {} 件を購読し、確認済みです",
                needed.len()
            ))
        };
        let listed: Vec<String> = subs.iter().map(|(t, a)| format!("{t} → {a}")).collect();
        Ok(o.evidence(
            "ListSubscriptions",
            format!("ListSubscriptions, endpoint {queue_arn}"),
            listed.join("\n"),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_statements() {
        let topic = "arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-abc";
        let good = serde_json::json!({"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"*","Condition":{"ArnEquals":{"aws:SourceArn":topic}}});
        assert!(allows(&good, "", topic));
        let other = serde_json::json!({"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:1:other"}}});
        assert!(!allows(&other, "", topic));
        let deny = serde_json::json!({"Effect":"Deny","Principal":"*","Action":"*"});
        assert!(!allows(&deny, "", topic));
        let wildcard = serde_json::json!({"Effect":"Allow","Principal":{"Service":["sns.amazonaws.com"]},"Action":["sqs:SendMessage"],"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:us-east-1:287250355862:aws-mp-*"}}});
        assert!(allows(&wildcard, "", topic));
    }
}

//! Notification wiring: the SQS queue exists and its policy lets the Marketplace topics deliver.

use super::CheckContext;
use crate::engine::{CheckDef, CheckFuture, Outcome};
use crate::marketplace::app_error;
use la_core::model::PricingModel;
use serde_json::Value;

pub static CHECKS: [CheckDef<CheckContext>; 3] = [
    CheckDef {
        id: "notifications.sqs_queue",
        actions: &["sqs:GetQueueAttributes"],
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

/// The agreement and license events a SaaS seller acts on (each comes in Manufacturer and
/// Proposer variants; a rule may name either).
pub const AGREEMENT_EVENTS: [&str; 5] = [
    "Purchase Agreement Created",
    "Purchase Agreement Amended",
    "Purchase Agreement Ended",
    "License Updated",
    "License Deprovisioned",
];

/// Whether an EventBridge pattern value (a list of literals and `{"prefix": …}` objects) matches.
fn pattern_matches(values: &Value, candidate: &str) -> bool {
    let one = |v: &Value| match v {
        Value::String(s) => s == candidate,
        Value::Object(o) => o
            .get("prefix")
            .and_then(Value::as_str)
            .is_some_and(|p| candidate.starts_with(p)),
        _ => false,
    };
    match values {
        Value::Array(a) => a.iter().any(one),
        v => one(v),
    }
}

/// For a rule's event pattern: `None` when it does not match Marketplace agreement events,
/// otherwise the agreement events it lets through.
pub fn agreement_coverage(pattern: &str) -> Option<Vec<&'static str>> {
    let p: Value = serde_json::from_str(pattern).ok()?;
    if !pattern_matches(&p["source"], "aws.agreement-marketplace") {
        return None;
    }
    let types = &p["detail-type"];
    Some(
        AGREEMENT_EVENTS
            .iter()
            .copied()
            .filter(|e| {
                types.is_null()
                    || [" - Manufacturer", " - Proposer"]
                        .iter()
                        .any(|v| pattern_matches(types, &format!("{e}{v}")))
            })
            .collect(),
    )
}

/// EventBridge: a rule on the default bus in us-east-1 (where Marketplace sends its events)
/// matching `aws.agreement-marketplace`, enabled, with a target.
fn eventbridge(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        if !ctx.settings.use_eventbridge {
            return Ok(Outcome::skipped(
                "this environment takes notifications from SNS/SQS, not EventBridge",
            ));
        }
        let eb = aws_sdk_eventbridge::Client::new(&ctx.marketplace_sdk()?);
        let mut rules = Vec::new();
        let mut next = None;
        loop {
            let page = eb
                .list_rules()
                .event_bus_name("default")
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| app_error("ListRules", &e))?;
            rules.extend(page.rules().iter().cloned());
            match page.next_token() {
                Some(t) if !t.is_empty() => next = Some(t.to_string()),
                _ => break,
            }
        }
        let mut seen = Vec::new();
        let mut covered: Vec<&str> = Vec::new();
        let mut problems = Vec::new();
        for r in &rules {
            let name = r.name().unwrap_or_default();
            let Some(events) = r.event_pattern().and_then(agreement_coverage) else {
                continue;
            };
            let enabled = r.state().map(|s| s.as_str()) == Some("ENABLED");
            let targets = eb
                .list_targets_by_rule()
                .rule(name)
                .event_bus_name("default")
                .send()
                .await
                .map_err(|e| app_error("ListTargetsByRule", &e))?
                .targets()
                .iter()
                .map(|t| t.arn().to_string())
                .collect::<Vec<_>>();
            seen.push(format!(
                "{name}: {}, targets [{}], events [{}]",
                if enabled { "enabled" } else { "disabled" },
                targets.join(", "),
                events.join(", ")
            ));
            if !enabled {
                problems.push(format!("rule {name} is disabled"));
            } else if targets.is_empty() {
                problems.push(format!("rule {name} has no target"));
            } else {
                covered.extend(events);
            }
        }
        let missing: Vec<&str> = AGREEMENT_EVENTS
            .iter()
            .copied()
            .filter(|e| !covered.contains(e))
            .collect();
        let o = if seen.is_empty() {
            Outcome::fail(
                "no EventBridge rule on the default bus in us-east-1 matches source aws.agreement-marketplace",
                "Create a rule on the default bus in us-east-1 with the pattern {\"source\": [\"aws.agreement-marketplace\"]} and a target (SQS, Lambda…).",
                "us-east-1 のデフォルトバスに、パターン {\"source\": [\"aws.agreement-marketplace\"]} とターゲット (SQS、Lambda など) を持つルールを作成してください。",
            )
        } else if missing.len() == AGREEMENT_EVENTS.len() {
            Outcome::fail(
                format!(
                    "no enabled rule with a target receives agreement events ({})",
                    problems.join("; ")
                ),
                "Enable the rule and give it a target that the SaaS reads.",
                "ルールを有効にし、SaaS が読み取るターゲットを設定してください。",
            )
        } else if !missing.is_empty() {
            Outcome::warn(
                format!("agreement events no rule delivers: {}", missing.join(", ")),
                "Widen the rule's detail-type filter (or drop it) so every agreement and license event reaches the SaaS.",
                "ルールの detail-type フィルターを広げる (または外す) と、すべての契約・ライセンスイベントが SaaS に届きます。",
            )
        } else {
            Outcome::pass(format!(
                "agreement events reach a target ({} matching rule{})",
                seen.len(),
                if seen.len() == 1 { "" } else { "s" }
            ))
        };
        Ok(o.details(seen.join("\n")).evidence(
            "EventBridge rules (default bus, us-east-1)",
            "events:ListRules + events:ListTargetsByRule",
            if seen.is_empty() {
                format!("{} rules, none for aws.agreement-marketplace", rules.len())
            } else {
                seen.join("; ")
            },
        ))
    })
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

fn as_list(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether one policy statement lets SNS deliver from `topic`.
fn allows(statement: &Value, topic: &str) -> bool {
    if statement["Effect"] != "Allow" {
        return false;
    }
    let principal_ok = match &statement["Principal"] {
        Value::String(p) => p == "*",
        p => {
            as_list(&p["Service"])
                .iter()
                .any(|s| s == "sns.amazonaws.com")
                || as_list(&p["AWS"]).iter().any(|s| s == "*")
        }
    };
    let action_ok = as_list(&statement["Action"])
        .iter()
        .any(|a| matches!(a.as_str(), "sqs:SendMessage" | "sqs:*" | "*"));
    let cond = &statement["Condition"];
    let source_arns: Vec<String> = ["ArnEquals", "ArnLike", "StringEquals", "StringLike"]
        .iter()
        .flat_map(|op| as_list(&cond[op]["aws:SourceArn"]))
        .collect();
    let topic_ok = source_arns.is_empty() && principal_ok
        || source_arns.iter().any(|a| {
            a == topic || (a.ends_with('*') && topic.starts_with(a.trim_end_matches('*')))
        });
    principal_ok && action_ok && topic_ok
}

fn sqs_queue(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        let url = &ctx.settings.sqs_queue_url;
        if url.is_empty() {
            return Ok(if ctx.settings.use_eventbridge {
                Outcome::skipped("this environment uses EventBridge, not an SQS queue")
            } else {
                Outcome::skipped("no SQS queue URL is set for this environment").advice(
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
                        format!("the queue {url} does not exist"),
                        "Create the queue (in the seller account, us-east-1) and subscribe it to the Marketplace topics.",
                        "キュー (セラーアカウント、us-east-1) を作成し、Marketplace のトピックを購読させてください。",
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
        let statements = as_list_values(&policy["Statement"]);
        let needed = topics(ctx);
        let missing: Vec<&String> = needed
            .iter()
            .filter(|t| !statements.iter().any(|s| allows(s, t)))
            .collect();
        let o = if policy.is_null() {
            Outcome::fail(
                format!("the queue {url} has no access policy, so SNS cannot deliver to it"),
                "Add a policy allowing sns.amazonaws.com to sqs:SendMessage with aws:SourceArn set to each Marketplace topic.",
                "sns.amazonaws.com に sqs:SendMessage を許可し、aws:SourceArn に各 Marketplace トピックを指定したポリシーを追加してください。",
            )
        } else if !missing.is_empty() {
            Outcome::fail(
                format!("the queue policy does not let {} deliver", missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" and ")),
                "Allow sns.amazonaws.com to sqs:SendMessage from these topic ARNs (condition aws:SourceArn).",
                "これらのトピック ARN からの sqs:SendMessage を sns.amazonaws.com に許可してください (条件 aws:SourceArn)。",
            )
        } else {
            Outcome::pass(format!(
                "the queue exists and its policy lets {} topic(s) deliver",
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
                "this environment uses EventBridge, not SNS"
            } else {
                "no SQS queue URL is set for this environment"
            }));
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
                format!("the queue is not subscribed to {}", missing.join(" and ")),
                "Subscribe the queue to each Marketplace topic (sns:Subscribe with protocol sqs, in us-east-1).",
                "キューを各 Marketplace トピックに購読させてください (us-east-1 で sns:Subscribe、プロトコル sqs)。",
            )
        } else if !pending.is_empty() {
            Outcome::fail(
                format!("the subscription to {} is not confirmed", pending.join(" and ")),
                "Confirm the subscription (the queue receives a SubscriptionConfirmation message with a SubscribeURL).",
                "購読を確認してください (キューに SubscribeURL 付きの SubscriptionConfirmation メッセージが届きます)。",
            )
        } else {
            Outcome::pass(format!(
                "the queue is subscribed and confirmed to {} topic(s)",
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

fn as_list_values(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.clone(),
        Value::Object(_) => vec![v.clone()],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_statements() {
        let topic = "arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-abc";
        let good = serde_json::json!({"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"*","Condition":{"ArnEquals":{"aws:SourceArn":topic}}});
        assert!(allows(&good, topic));
        let other = serde_json::json!({"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:1:other"}}});
        assert!(!allows(&other, topic));
        let deny = serde_json::json!({"Effect":"Deny","Principal":"*","Action":"*"});
        assert!(!allows(&deny, topic));
        let wildcard = serde_json::json!({"Effect":"Allow","Principal":{"Service":["sns.amazonaws.com"]},"Action":["sqs:SendMessage"],"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:us-east-1:287250355862:aws-mp-*"}}});
        assert!(allows(&wildcard, topic));
    }
}

#[cfg(test)]
mod eventbridge_tests {
    use super::*;

    #[test]
    fn rule_patterns() {
        assert_eq!(
            agreement_coverage(r#"{"source":["aws.agreement-marketplace"]}"#)
                .expect("ok")
                .len(),
            5
        );
        assert_eq!(
            agreement_coverage(
                r#"{"source":[{"prefix":"aws.agreement"}],"detail-type":["License Updated - Manufacturer","Purchase Agreement Created - Proposer"]}"#
            ),
            Some(vec!["Purchase Agreement Created", "License Updated"])
        );
        assert_eq!(agreement_coverage(r#"{"source":["aws.ec2"]}"#), None);
        assert_eq!(agreement_coverage("not json"), None);
    }
}

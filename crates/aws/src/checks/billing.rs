//! Billing checks: the SaaS's ResolveCustomer calls and hourly metering (CloudTrail, calls by
//! the SaaS only), a test buyer's entitlements, and a metering record's per-record status.

use super::CheckContext;
use crate::engine::{CheckDef, CheckFuture, Outcome};
use crate::marketplace::app_error;
use la_core::model::PricingModel;
use la_core::AppError;
use std::collections::BTreeSet;

pub static CHECKS: [CheckDef<CheckContext>; 4] = [
    CheckDef {
        id: "billing.resolve_customer_calls",
        actions: &["cloudtrail:LookupEvents"],
        needs_aws: true,
        run: resolve_customer_calls,
    },
    CheckDef {
        id: "billing.entitlements",
        actions: &["aws-marketplace:GetEntitlements"],
        needs_aws: true,
        run: entitlements,
    },
    CheckDef {
        id: "billing.meter_usage",
        actions: &["aws-marketplace:BatchMeterUsage"],
        needs_aws: true,
        run: meter_usage,
    },
    CheckDef {
        id: "billing.metering_cadence",
        actions: &["cloudtrail:LookupEvents"],
        needs_aws: true,
        run: metering_cadence,
    },
];

struct Call {
    time: i64,
    key: String,
    error: Option<String>,
}

/// Metering events of one name, newest first, over the last `hours`, minus this app's own calls.
async fn saas_calls(ctx: &CheckContext, name: &str, hours: i64) -> Result<Vec<Call>, AppError> {
    use aws_sdk_cloudtrail::primitives::DateTime;
    use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
    let c = aws_sdk_cloudtrail::Client::new(&ctx.marketplace_sdk()?);
    let end = chrono::Utc::now().timestamp() + 24 * 3600 * 400; // the sandbox clock can run ahead
    let mut calls = Vec::new();
    let mut token = None;
    for _ in 0..20 {
        let out = c
            .lookup_events()
            .lookup_attributes(
                LookupAttribute::builder()
                    .attribute_key(LookupAttributeKey::EventName)
                    .attribute_value(name)
                    .build()
                    .map_err(|e| AppError::invalid(e.to_string()))?,
            )
            .end_time(DateTime::from_secs(end))
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| app_error("LookupEvents", &e))?;
        for e in out.events() {
            let key = e.access_key_id().unwrap_or_default().to_string();
            if ctx.own_access_keys.contains(&key) {
                continue;
            }
            let record: serde_json::Value = e
                .cloud_trail_event()
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or_default();
            calls.push(Call {
                time: e.event_time().map(|t| t.secs()).unwrap_or_default(),
                key,
                error: record["errorCode"].as_str().map(str::to_string),
            });
        }
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    if let Some(newest) = calls.iter().map(|c| c.time).max() {
        calls.retain(|c| c.time > newest - hours * 3600);
    }
    Ok(calls)
}

fn resolve_customer_calls(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        let calls = saas_calls(ctx, "ResolveCustomer", 24 * 90).await?;
        let ok = calls.iter().filter(|c| c.error.is_none()).count();
        let keys: BTreeSet<&str> = calls.iter().map(|c| c.key.as_str()).collect();
        let o = if ok > 0 {
            Outcome::pass(format!(
                "the SaaS resolved {ok} registration token(s) (callers: {})",
                keys.into_iter().collect::<Vec<_>>().join(", ")
            ))
        } else if !calls.is_empty() {
            Outcome::fail(
                format!("the SaaS called ResolveCustomer {} time(s), never successfully", calls.len()),
                "Call ResolveCustomer from the seller account with the token exactly as posted, within its 4 hours.",
                "セラーアカウントから、投稿されたままのトークンで 4 時間以内に ResolveCustomer を呼び出してください。",
            )
        } else {
            Outcome::fail(
                "CloudTrail shows no ResolveCustomer call by the SaaS",
                "The registration page must exchange the token with ResolveCustomer; make a test purchase and check the SaaS's logs.",
                "登録ページは ResolveCustomer でトークンを交換する必要があります。テスト購入を行い、SaaS のログを確認してください。",
            )
        };
        Ok(o.evidence(
            "LookupEvents",
            "LookupEvents EventName=ResolveCustomer (this app's own calls excluded)",
            format!("{} call(s), {ok} successful", calls.len()),
        ))
    })
}

fn first_buyer(ctx: &CheckContext) -> Option<&str> {
    ctx.settings
        .test_buyer_account_ids
        .first()
        .map(String::as_str)
}

fn entitlements(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        if ctx.settings.pricing_model == PricingModel::Subscription {
            return Ok(Outcome::skipped(
                "subscriptions have no entitlements (contracts only)",
            ));
        }
        let (Some(buyer), false) = (first_buyer(ctx), ctx.settings.product_code.is_empty()) else {
            return Ok(Outcome::skipped(
                "needs the product code and a test buyer account in the environment settings",
            ));
        };
        use aws_sdk_marketplaceentitlement::types::GetEntitlementFilterName as F;
        let out = aws_sdk_marketplaceentitlement::Client::new(&ctx.marketplace_sdk()?)
            .get_entitlements()
            .product_code(&ctx.settings.product_code)
            .filter(F::CustomerAwsAccountId, vec![buyer.to_string()])
            .send()
            .await
            .map_err(|e| app_error("GetEntitlements", &e))?;
        let ents: Vec<String> = out
            .entitlements()
            .iter()
            .map(|e| {
                let v = e.value().map(|v| {
                    v.integer_value()
                        .map(|i| i.to_string())
                        .or(v.boolean_value().map(|b| b.to_string()))
                        .or(v.string_value().map(str::to_string))
                        .unwrap_or_default()
                });
                format!("{}={}", e.dimension().unwrap_or("?"), v.unwrap_or_default())
            })
            .collect();
        let o = if ents.is_empty() {
            Outcome::fail(
                format!("test buyer {buyer} has no entitlements"),
                "Make a test purchase with this account (or check that the SaaS reads entitlements for the right product).",
                "このアカウントでテスト購入を行ってください (または SaaS が正しい製品のエンタイトルメントを読んでいるか確認してください)。",
            )
        } else {
            Outcome::pass(format!(
                "test buyer {buyer} is entitled to {}",
                ents.join(", ")
            ))
        };
        Ok(o.evidence(
            "GetEntitlements",
            format!(
                "GetEntitlements ProductCode={} CUSTOMER_AWS_ACCOUNT_ID={buyer}",
                ctx.settings.product_code
            ),
            ents.join("\n"),
        ))
    })
}

fn meter_usage(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        let Some(buyer) = first_buyer(ctx) else {
            return Ok(Outcome::skipped(
                "needs a test buyer account in the environment settings",
            ));
        };
        let Some(dim) = ctx
            .settings
            .dimensions
            .iter()
            .find(|d| d.kind == la_core::model::DimensionType::ExternallyMetered)
        else {
            return Ok(Outcome::skipped(
                "no ExternallyMetered dimension is set for this environment",
            ));
        };
        if ctx.settings.product_code.is_empty() {
            return Ok(Outcome::skipped(
                "needs the product code in the environment settings",
            ));
        }
        use aws_sdk_marketplacemetering::primitives::DateTime;
        use aws_sdk_marketplacemetering::types::UsageRecord;
        // Quantity 0, at the oldest hour AWS still accepts, so a real test buyer's bill is not
        // touched and the SaaS's own current-hour records cannot collide with it.
        let ts = chrono::Utc::now().timestamp() - 5 * 3600;
        let record = UsageRecord::builder()
            .timestamp(DateTime::from_secs(ts))
            .customer_aws_account_id(buyer)
            .dimension(&dim.key)
            .quantity(0)
            .build()
            .map_err(|e| AppError::invalid(e.to_string()))?;
        let out = aws_sdk_marketplacemetering::Client::new(&ctx.marketplace_sdk()?)
            .batch_meter_usage()
            .product_code(&ctx.settings.product_code)
            .usage_records(record)
            .send()
            .await
            .map_err(|e| app_error("BatchMeterUsage", &e))?;
        let statuses: Vec<String> = out
            .results()
            .iter()
            .map(|r| {
                r.status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default()
            })
            .collect();
        let unprocessed = out.unprocessed_records().len();
        let o = match statuses.first().map(String::as_str) {
            Some("Success") => Outcome::pass(format!("BatchMeterUsage accepted a record for {buyer} (status Success)")),
            Some("DuplicateRecord") => Outcome::pass(format!("BatchMeterUsage answered DuplicateRecord for {buyer}: a record for that hour already exists")),
            Some("CustomerNotSubscribed") => Outcome::fail(
                format!("test buyer {buyer} is not subscribed (CustomerNotSubscribed)"),
                "Make a test purchase with this account before metering it.",
                "計測の前にこのアカウントでテスト購入を行ってください。",
            ),
            _ => Outcome::fail(
                format!("BatchMeterUsage did not process the record ({unprocessed} unprocessed)"),
                "Retry unprocessed records; AWS returns them when it could not process them yet.",
                "未処理のレコードを再送してください。AWS は処理できなかったレコードを返します。",
            ),
        };
        Ok(o.evidence("BatchMeterUsage", format!("BatchMeterUsage ProductCode={} CustomerAWSAccountId={buyer} Dimension={} Quantity=0", ctx.settings.product_code, dim.key), statuses.join(", ")))
    })
}

fn metering_cadence(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        let calls = saas_calls(ctx, "BatchMeterUsage", 24).await?;
        let hours: BTreeSet<i64> = calls
            .iter()
            .filter(|c| c.error.is_none())
            .map(|c| c.time / 3600)
            .collect();
        let n = hours.len();
        let o = if n >= 24 {
            Outcome::pass("the SaaS sent BatchMeterUsage in each of the last 24 hours")
        } else if n == 0 {
            Outcome::fail(
                "CloudTrail shows no BatchMeterUsage call by the SaaS in the last 24 hours",
                "Send metering records every hour for every customer (zero quantities included for subscriptions).",
                "すべての顧客について毎時使用量レコードを送信してください (サブスクリプションは数量 0 も含む)。",
            )
        } else {
            Outcome::fail(
                format!("the SaaS metered in {n} of the last 24 hours"),
                "Meter every hour: run the metering job on an hourly schedule and alert when it fails.",
                "毎時計測してください。計測ジョブを 1 時間ごとに実行し、失敗時に通知するようにしてください。",
            )
        };
        Ok(o.evidence(
            "LookupEvents",
            "LookupEvents EventName=BatchMeterUsage, last 24 h (this app's own calls excluded)",
            format!("{} call(s) in {n} distinct hour(s)", calls.len()),
        ))
    })
}

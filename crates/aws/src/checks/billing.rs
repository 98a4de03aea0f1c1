//! Billing checks: the SaaS's ResolveCustomer calls and hourly metering (CloudTrail, calls by
//! the SaaS only), a test buyer's entitlements, and a metering record's per-record status (sent
//! only into an hour the SaaS's own record already holds: see `meter`).

pub mod meter;

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
    /// The CloudTrail record (request parameters, response elements).
    record: serde_json::Value,
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
                record,
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
        let callers = keys.into_iter().collect::<Vec<_>>().join(", ");
        let o = if ok > 0 {
            Outcome::pass(la_core::text!(
                "the SaaS resolved {ok} registration token(s) (callers: {})",
                "SaaS は登録トークン {ok} 件を解決しました (呼び出し元: {})",
                callers
            ))
        } else if !calls.is_empty() {
            Outcome::fail(
                la_core::text!("the SaaS called ResolveCustomer {} time(s), never successfully", "SaaS は ResolveCustomer を {} 回呼び出しましたが、一度も成功していません", calls.len()),
                "Call ResolveCustomer from the seller account with the token exactly as posted, within its 4 hours.",
                "セラーアカウントから、投稿されたままのトークンで 4 時間以内に ResolveCustomer を呼び出してください。",
            )
        } else {
            Outcome::fail(
                la_core::text!("CloudTrail shows no ResolveCustomer call by the SaaS", "CloudTrail に SaaS による ResolveCustomer の呼び出しがありません"),
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
            return Ok(Outcome::skipped(la_core::text!(
                "subscriptions have no entitlements (contracts only)",
                "サブスクリプションにはエンタイトルメントがありません (契約のみ)",
            )));
        }
        let (Some(buyer), false) = (first_buyer(ctx), ctx.settings.product_code.is_empty()) else {
            return Ok(Outcome::skipped(la_core::text!(
                "needs the product code and a test buyer account in the environment settings",
                "環境設定に製品コードとテスト購入者のアカウントが必要です",
            )));
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
                la_core::text!("test buyer {buyer} has no entitlements", "テスト購入者 {buyer} にエンタイトルメントがありません"),
                "Make a test purchase with this account (or check that the SaaS reads entitlements for the right product).",
                "このアカウントでテスト購入を行ってください (または SaaS が正しい製品のエンタイトルメントを読んでいるか確認してください)。",
            )
        } else {
            Outcome::pass(la_core::text!(
                "test buyer {buyer} is entitled to {}",
                "テスト購入者 {buyer} のエンタイトルメント: {}",
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
            return Ok(Outcome::skipped(la_core::text!(
                "needs a test buyer account in the environment settings",
                "環境設定にテスト購入者のアカウントが必要です",
            )));
        };
        if ctx.settings.pricing_model == PricingModel::Contract {
            return Ok(Outcome::skipped(la_core::text!(
                "not applicable: a contract-only product has no metered dimension",
                "対象外: 契約のみの製品には計測ディメンションがありません",
            )));
        }
        let calls = saas_calls(ctx, "BatchMeterUsage", 24).await?;
        let seen: Vec<meter::SaasRecord> = calls
            .iter()
            .flat_map(|c| meter::records(&c.record))
            .collect();
        let now = calls
            .iter()
            .map(|c| c.time)
            .chain([chrono::Utc::now().timestamp()])
            .max()
            .unwrap_or_default();
        let saas =
            match meter::plan(
                &seen,
                buyer,
                ctx.settings.integration_style,
                &ctx.settings.product_code,
                now,
            ) {
                meter::Plan::Send(r) => r,
                meter::Plan::Verdict(o) => return Ok(o.evidence(
                    "LookupEvents",
                    "LookupEvents EventName=BatchMeterUsage, the SaaS's records for the test buyer",
                    format!("{} record(s) read, none sent", seen.len()),
                )),
            };
        use aws_sdk_marketplacemetering::primitives::DateTime;
        use aws_sdk_marketplacemetering::types::UsageRecord;
        // Quantity 0, with the customer fields, dimension and timestamp of the SaaS's own
        // accepted record: that hour is the SaaS's already (see `meter`).
        let record = UsageRecord::builder()
            .timestamp(DateTime::from_secs(saas.timestamp))
            .set_customer_aws_account_id(saas.customer_aws_account_id.clone())
            .set_customer_identifier(
                saas.customer_identifier
                    .clone()
                    .filter(|_| saas.customer_aws_account_id.is_none()),
            )
            .set_license_arn(saas.license_arn.clone())
            .dimension(&saas.dimension)
            .quantity(0)
            .build()
            .map_err(|e| AppError::invalid(e.to_string()))?;
        let product_code = saas
            .product_code
            .clone()
            .filter(|_| saas.license_arn.is_none());
        let out = aws_sdk_marketplacemetering::Client::new(&ctx.marketplace_sdk()?)
            .batch_meter_usage()
            .set_product_code(product_code.clone())
            .usage_records(record)
            .send()
            .await;
        let request = format!(
            "BatchMeterUsage {} Quantity=0, mirroring the SaaS's record: {}",
            match (&saas.license_arn, &product_code) {
                (Some(l), _) => format!("LicenseArn={l} (no ProductCode)"),
                (None, Some(p)) => format!("ProductCode={p}"),
                (None, None) => String::new(),
            },
            saas.describe()
        );
        let out = match out {
            Ok(o) => o,
            Err(e) => {
                let err = app_error("BatchMeterUsage", &e);
                if err.is_aws("TimestampOutOfBoundsException") {
                    return Ok(Outcome::skipped(la_core::text!(
                        "the SaaS's newest record for {buyer} ({}) left the metering window before it could be mirrored",
                        "{buyer} に対する SaaS の最新レコード ({}) は、複製する前に計測期間を過ぎました",
                        meter::iso(saas.timestamp)
                    ))
                    .evidence("BatchMeterUsage", request, err.message));
                }
                return Err(err);
            }
        };
        let statuses: Vec<String> = out
            .results()
            .iter()
            .map(|r| {
                r.status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default()
            })
            .collect();
        let o = meter::verdict(
            &saas,
            buyer,
            statuses.first().map(String::as_str),
            out.unprocessed_records().len(),
        );
        Ok(o.evidence("BatchMeterUsage", request, statuses.join(", ")))
    })
}

fn metering_cadence(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        // Subscriptions and contracts with consumption meter usage; a contract alone is paid
        // up front and has no metered dimension, so there is no hourly record to expect.
        if ctx.settings.pricing_model == PricingModel::Contract {
            return Ok(Outcome::skipped(la_core::text!(
                "not applicable: a contract-only product has no metered dimension, so the SaaS sends no hourly records",
                "対象外: 契約のみの製品には計測ディメンションがないため、SaaS は毎時のレコードを送りません",
            )));
        }
        let calls = saas_calls(ctx, "BatchMeterUsage", 24).await?;
        let hours: BTreeSet<i64> = calls
            .iter()
            .filter(|c| c.error.is_none())
            .map(|c| c.time / 3600)
            .collect();
        let n = hours.len();
        let o = if n >= 24 {
            Outcome::pass(la_core::text!(
                "the SaaS sent BatchMeterUsage in each of the last 24 hours",
                "SaaS は直近 24 時間の毎時 BatchMeterUsage を送信しました"
            ))
        } else if n == 0 {
            Outcome::fail(
                la_core::text!("CloudTrail shows no BatchMeterUsage call by the SaaS in the last 24 hours", "CloudTrail に直近 24 時間の SaaS による BatchMeterUsage の呼び出しがありません"),
                "Send metering records every hour for every customer (zero quantities included for subscriptions).",
                "すべての顧客について毎時使用量レコードを送信してください (サブスクリプションは数量 0 も含む)。",
            )
        } else {
            Outcome::fail(
                la_core::text!("the SaaS metered in {n} of the last 24 hours", "SaaS が計測したのは直近 24 時間のうち {n} 時間です"),
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

//! Product checks through the Catalog API: the entity, its visibility, fulfillment URL,
//! dimensions, allow-list, EULA, product code and topics, 2026 readiness, release change set.

use super::CheckContext;
use crate::engine::{CheckDef, CheckFuture, Outcome};
use crate::marketplace::app_error;
use la_core::model::{IntegrationStyle, PricingModel};
use la_core::AppError;
use serde_json::Value;

const CATALOG: &str = "AWSMarketplace";

pub static CHECKS: [CheckDef<CheckContext>; 10] = [
    CheckDef {
        id: "catalog.seller_access",
        actions: &["aws-marketplace:ListEntities"],
        needs_aws: true,
        run: seller_access,
    },
    CheckDef {
        id: "catalog.product_exists",
        actions: &["aws-marketplace:DescribeEntity"],
        needs_aws: true,
        run: product_exists,
    },
    CheckDef {
        id: "catalog.visibility",
        actions: &["aws-marketplace:DescribeEntity"],
        needs_aws: true,
        run: visibility,
    },
    CheckDef {
        id: "catalog.fulfillment_url",
        actions: &["aws-marketplace:DescribeEntity"],
        needs_aws: true,
        run: fulfillment_url,
    },
    CheckDef {
        id: "catalog.dimensions",
        actions: &["aws-marketplace:DescribeEntity"],
        needs_aws: true,
        run: dimensions,
    },
    CheckDef {
        id: "catalog.allow_list",
        actions: &["aws-marketplace:DescribeEntity"],
        needs_aws: true,
        run: allow_list,
    },
    CheckDef {
        id: "catalog.eula",
        actions: &[
            "aws-marketplace:ListEntities",
            "aws-marketplace:DescribeEntity",
        ],
        needs_aws: true,
        run: eula,
    },
    CheckDef {
        id: "catalog.product_code",
        actions: &["aws-marketplace:DescribeEntity"],
        needs_aws: true,
        run: product_code,
    },
    CheckDef {
        id: "catalog.concurrent_agreements",
        actions: &["aws-marketplace:DescribeEntity"],
        needs_aws: true,
        run: concurrent_agreements,
    },
    CheckDef {
        id: "catalog.release_change_set",
        actions: &["aws-marketplace:ListChangeSets"],
        needs_aws: true,
        run: release_change_set,
    },
];

fn client(ctx: &CheckContext) -> Result<aws_sdk_marketplacecatalog::Client, AppError> {
    let sdk = ctx
        .sdk
        .as_ref()
        .ok_or_else(|| AppError::invalid("this check needs AWS access"))?;
    Ok(aws_sdk_marketplacecatalog::Client::new(sdk))
}

fn no_product() -> Outcome {
    Outcome::skipped("no product ID is set for this environment").advice(
        "Enter the product ID (prod-…) in the environment settings.",
        "環境設定に製品 ID (prod-…) を入力してください。",
    )
}

/// DescribeEntity of the configured product: `Ok(None)` when it does not exist.
async fn describe(ctx: &CheckContext) -> Result<Option<Value>, AppError> {
    let id = &ctx.settings.product_id;
    match client(ctx)?
        .describe_entity()
        .catalog(CATALOG)
        .entity_id(id)
        .send()
        .await
    {
        Ok(d) => Ok(Some(json_details(d.details(), d.entity_type()))),
        Err(e) => {
            let err = app_error("DescribeEntity", &e);
            if err.message.contains("ResourceNotFoundException") {
                Ok(None)
            } else {
                Err(err)
            }
        }
    }
}

fn json_details(details: Option<&str>, entity_type: Option<&str>) -> Value {
    let mut v: Value = details
        .and_then(|d| serde_json::from_str(d).ok())
        .unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "__EntityType".into(),
            Value::String(entity_type.unwrap_or_default().into()),
        );
    }
    v
}

macro_rules! with_product {
    ($ctx:expr, $d:ident, $body:block) => {{
        if $ctx.settings.product_id.is_empty() {
            return Ok(no_product());
        }
        let Some($d) = describe($ctx).await? else {
            return Ok(missing($ctx));
        };
        $body
    }};
}

fn missing(ctx: &CheckContext) -> Outcome {
    Outcome::fail(
        format!("product {} was not found in the seller's catalog", ctx.settings.product_id),
        "Check the product ID and that the credentials belong to the seller account that owns it.",
        "製品 ID と、認証情報がその製品を所有するセラーアカウントのものであることを確認してください。",
    )
}

fn seller_access(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        let out = client(ctx)?
            .list_entities()
            .catalog(CATALOG)
            .entity_type("SaaSProduct")
            .send()
            .await
            .map_err(|e| app_error("ListEntities", &e))?;
        let n = out.entity_summary_list().len();
        Ok(Outcome::pass(format!(
            "the Catalog API answers for the seller ({n} SaaS product(s) visible)"
        ))
        .evidence(
            "ListEntities",
            "ListEntities Catalog=AWSMarketplace EntityType=SaaSProduct",
            format!("{n} entities"),
        ))
    })
}

fn product_exists(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        with_product!(ctx, d, {
            let t = d["__EntityType"].as_str().unwrap_or_default().to_string();
            let title = d["Description"]["ProductTitle"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let o = if t.starts_with("SaaSProduct") {
                Outcome::pass(format!(
                    "{} exists: \"{title}\" ({t})",
                    ctx.settings.product_id
                ))
            } else {
                Outcome::fail(
                    format!("{} is a {t}, not a SaaS product", ctx.settings.product_id),
                    "Use the ID of the SaaS product (entity type SaaSProduct).",
                    "SaaS 製品 (エンティティタイプ SaaSProduct) の ID を使ってください。",
                )
            };
            Ok(o.evidence(
                "DescribeEntity",
                format!("DescribeEntity {}", ctx.settings.product_id),
                format!("EntityType {t}, title {title}"),
            ))
        })
    })
}

fn visibility(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        with_product!(ctx, d, {
            let v = d["Description"]["Visibility"]
                .as_str()
                .unwrap_or("unknown")
                .to_string();
            Ok(match v.as_str() {
                "Limited" => Outcome::pass("the product is Limited: only allow-listed accounts can buy it"),
                "Public" => Outcome::pass("the product is Public"),
                "Draft" => Outcome::fail(
                    "the product is still a Draft",
                    "Release the product (ReleaseProduct) so it becomes Limited and test buyers can purchase it.",
                    "製品をリリース (ReleaseProduct) して限定公開にし、テスト購入者が購入できるようにしてください。",
                ),
                other => Outcome::warn(
                    format!("the product's visibility is {other}"),
                    "A Restricted product cannot be bought; set it to Limited while testing.",
                    "Restricted の製品は購入できません。テスト中は Limited にしてください。",
                ),
            })
        })
    })
}

fn fulfillment_url(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        with_product!(ctx, d, {
            let url = d
                .pointer("/Versions/0/DeliveryOptions/0/FulfillmentUrl")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let configured = &ctx.settings.fulfillment_url;
            let o = if url.is_empty() {
                Outcome::fail(
                    "the product has no fulfillment URL",
                    "Add a SaaS URL delivery option (AddDeliveryOptions) pointing at your registration page.",
                    "登録ページを指す SaaS URL 配信オプション (AddDeliveryOptions) を追加してください。",
                )
            } else if !(url.starts_with("https://")
                || (ctx.settings.mode == la_core::model::EnvMode::Sandbox && is_loopback(&url)))
            {
                Outcome::fail(
                    format!("the fulfillment URL {url} is not HTTPS"),
                    "Serve the registration page over HTTPS and update the delivery option.",
                    "登録ページを HTTPS で提供し、配信オプションを更新してください。",
                )
            } else if !configured.is_empty() && configured != &url {
                Outcome::fail(
                    format!("the product sends buyers to {url}, but this environment expects {configured}"),
                    "Update the product's delivery option (UpdateDeliveryOptions) or the environment's fulfillment URL so they agree.",
                    "製品の配信オプション (UpdateDeliveryOptions) か環境のフルフィルメント URL を更新して一致させてください。",
                )
            } else {
                Outcome::pass(format!("buyers are sent to {url}"))
            };
            Ok(o.evidence(
                "DescribeEntity",
                format!("DescribeEntity {}", ctx.settings.product_id),
                format!("FulfillmentUrl {url}"),
            ))
        })
    })
}

fn dimensions(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        with_product!(ctx, d, {
            let dims = d["Dimensions"].as_array().cloned().unwrap_or_default();
            let has = |t: &str| {
                dims.iter().any(|x| {
                    x["Types"]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|y| y == t))
                })
            };
            let (entitled, metered) = (has("Entitled"), has("ExternallyMetered"));
            let listed: Vec<String> = dims
                .iter()
                .map(|x| {
                    format!(
                        "{} ({})",
                        x["Key"].as_str().unwrap_or("?"),
                        x["Types"]
                            .as_array()
                            .map(|a| a
                                .iter()
                                .filter_map(Value::as_str)
                                .collect::<Vec<_>>()
                                .join("+"))
                            .unwrap_or_default()
                    )
                })
                .collect();
            let model = ctx.settings.pricing_model;
            let needs = match model {
                PricingModel::Subscription => (false, true),
                PricingModel::Contract => (true, false),
                PricingModel::ContractWithConsumption => (true, true),
            };
            let missing_keys: Vec<&str> = ctx
                .settings
                .dimensions
                .iter()
                .filter(|c| !dims.iter().any(|x| x["Key"] == c.key.as_str()))
                .map(|c| c.key.as_str())
                .collect();
            let o = if dims.is_empty() {
                Outcome::fail(
                    "the product has no pricing dimensions",
                    "Add dimensions (AddDimensions) for the pricing model.",
                    "料金モデルに合わせてディメンション (AddDimensions) を追加してください。",
                )
            } else if needs.0 && !entitled {
                Outcome::fail(
                    format!(
                        "a {model:?} product needs an Entitled dimension; it has {}",
                        listed.join(", ")
                    ),
                    "Add an Entitled dimension for the contract.",
                    "契約用に Entitled ディメンションを追加してください。",
                )
            } else if needs.1 && !metered {
                Outcome::fail(
                    format!(
                        "a {model:?} product needs an ExternallyMetered dimension; it has {}",
                        listed.join(", ")
                    ),
                    "Add an ExternallyMetered dimension to meter usage.",
                    "使用量を計測する ExternallyMetered ディメンションを追加してください。",
                )
            } else if !missing_keys.is_empty() {
                Outcome::warn(
                    format!(
                        "dimensions set in this environment are not on the product: {}",
                        missing_keys.join(", ")
                    ),
                    "Align the environment's dimensions with the product's.",
                    "環境のディメンションを製品のものに合わせてください。",
                )
            } else {
                Outcome::pass(format!(
                    "dimensions fit the {model:?} model: {}",
                    listed.join(", ")
                ))
            };
            Ok(o.evidence(
                "DescribeEntity",
                format!("DescribeEntity {}", ctx.settings.product_id),
                listed.join("\n"),
            ))
        })
    })
}

fn allow_list(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        with_product!(ctx, d, {
            let listed: Vec<String> = d
                .pointer("/Targeting/PositiveTargeting/BuyerAccounts")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            let wanted = &ctx.settings.test_buyer_account_ids;
            if wanted.is_empty() {
                return Ok(Outcome::skipped("no test buyer accounts are set for this environment").advice(
                    "List the AWS accounts you will test purchases with in the environment settings.",
                    "テスト購入に使う AWS アカウントを環境設定に入力してください。",
                ));
            }
            let missing: Vec<&String> = wanted.iter().filter(|w| !listed.contains(w)).collect();
            let o = if d["Description"]["Visibility"] == "Public" {
                Outcome::pass("the product is Public: any account can buy it")
            } else if missing.is_empty() {
                Outcome::pass(format!(
                    "all {} test buyer(s) are allow-listed",
                    wanted.len()
                ))
            } else {
                Outcome::fail(
                    format!("not allow-listed: {}", missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")),
                    "Add the accounts to the product's allow-list (UpdateTargeting, PositiveTargeting.BuyerAccounts).",
                    "アカウントを製品の許可リスト (UpdateTargeting の PositiveTargeting.BuyerAccounts) に追加してください。",
                )
            };
            Ok(o.evidence(
                "DescribeEntity",
                format!("DescribeEntity {}", ctx.settings.product_id),
                format!("BuyerAccounts: {}", listed.join(", ")),
            ))
        })
    })
}

fn eula(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        if ctx.settings.product_id.is_empty() {
            return Ok(no_product());
        }
        let c = client(ctx)?;
        let offer = if ctx.settings.offer_id.is_empty() {
            let list = c
                .list_entities()
                .catalog(CATALOG)
                .entity_type("Offer")
                .send()
                .await
                .map_err(|e| app_error("ListEntities", &e))?;
            let mut found = None;
            for s in list.entity_summary_list() {
                if s.offer_summary().and_then(|o| o.product_id())
                    == Some(ctx.settings.product_id.as_str())
                {
                    found = s.entity_id().map(str::to_string);
                    break;
                }
            }
            found
        } else {
            Some(ctx.settings.offer_id.clone())
        };
        let Some(offer) = offer else {
            return Ok(Outcome::fail(
                "no offer was found for the product",
                "Create the product's public offer with its legal terms (EULA).",
                "法的条件 (EULA) を含む製品の公開オファーを作成してください。",
            ));
        };
        let d = c
            .describe_entity()
            .catalog(CATALOG)
            .entity_id(&offer)
            .send()
            .await
            .map_err(|e| app_error("DescribeEntity", &e))?;
        let details = json_details(d.details(), d.entity_type());
        let url = details["Terms"]
            .as_array()
            .and_then(|t| t.iter().find(|x| x["Type"] == "LegalTerm"))
            .and_then(|t| t.pointer("/Documents/0/Url"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if url.is_empty() {
            return Ok(Outcome::fail(
                format!("offer {offer} has no EULA URL"),
                "Set the offer's legal terms (UpdateLegalTerms) to your EULA's .txt URL.",
                "オファーの法的条件 (UpdateLegalTerms) に EULA の .txt URL を設定してください。",
            ));
        }
        let resp = match ctx.http.get(&url).send().await {
            Ok(r) => r,
            Err(e) => {
                return Ok(Outcome::fail(
                    format!(
                        "the EULA at {url} could not be fetched: {}",
                        crate::http_error_chain(&e)
                    ),
                    "Host the EULA where buyers can read it.",
                    "購入者が読める場所に EULA を公開してください。",
                ))
            }
        };
        let status = resp.status().as_u16();
        let ctype = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let o = if status != 200 {
            Outcome::fail(
                format!("the EULA at {url} answers HTTP {status}"),
                "Make the EULA URL answer 200.",
                "EULA の URL が 200 を返すようにしてください。",
            )
        } else if ctype.starts_with("text/plain") || url.ends_with(".txt") {
            Outcome::pass(format!("the EULA at {url} is plain text ({ctype})"))
        } else {
            Outcome::fail(
                format!("the EULA at {url} is {ctype}, not plain text"),
                "AWS wants the EULA as a .txt file served as text/plain.",
                "AWS は EULA を text/plain で提供される .txt ファイルとして求めています。",
            )
        };
        Ok(o.evidence(
            "EULA",
            format!("DescribeEntity {offer}; GET {url}"),
            format!("HTTP {status}, {ctype}"),
        ))
    })
}

fn product_code(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        with_product!(ctx, d, {
            let code = d["Description"]["ProductCode"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let s = &ctx.settings;
            let topics_ok = [&s.subscription_topic_arn, &s.entitlement_topic_arn]
                .iter()
                .all(|t| t.is_empty() || t.ends_with(&code));
            let o = if code.is_empty() {
                Outcome::fail(
                    "the product has no product code yet",
                    "Wait for AWS to assign the product code after creation.",
                    "作成後に AWS が製品コードを割り当てるまでお待ちください。",
                )
            } else if !s.product_code.is_empty() && s.product_code != code {
                Outcome::fail(
                    format!("the product's code is {code}, but this environment says {}", s.product_code),
                    "Use the product code AWS assigned (the SaaS needs it to meter legacy records).",
                    "AWS が割り当てた製品コードを使ってください。",
                )
            } else if !topics_ok {
                Outcome::fail(
                    format!("the SNS topic ARNs do not end with the product code {code}"),
                    "Use the topics aws-mp-subscription-notification-<code> and aws-mp-entitlement-notification-<code>.",
                    "トピック aws-mp-subscription-notification-<製品コード> と aws-mp-entitlement-notification-<製品コード> を使ってください。",
                )
            } else {
                Outcome::pass(format!(
                    "product code {code}; topics arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-{code}{}",
                    if s.pricing_model == PricingModel::Subscription { String::new() } else { format!(" and …aws-mp-entitlement-notification-{code}") }
                ))
            };
            Ok(o.evidence(
                "DescribeEntity",
                format!("DescribeEntity {}", s.product_id),
                format!("ProductCode {code}"),
            ))
        })
    })
}

fn concurrent_agreements(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        with_product!(ctx, _d, {
            Ok(match ctx.settings.integration_style {
                IntegrationStyle::ConcurrentAgreements => Outcome::pass(
                    "the integration meters with CustomerAWSAccountId and LicenseArn (required for products created from June 2026)",
                ),
                IntegrationStyle::Legacy => Outcome::warn(
                    "the integration uses CustomerIdentifier and ProductCode",
                    "Products created from June 2026 must meter with CustomerAWSAccountId and LicenseArn (from ResolveCustomer); move the integration to that style.",
                    "2026 年 6 月以降に作成された製品は CustomerAWSAccountId と LicenseArn (ResolveCustomer から取得) で計測する必要があります。連携方式を移行してください。",
                ),
            })
        })
    })
}

fn release_change_set(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        if ctx.settings.product_id.is_empty() {
            return Ok(no_product());
        }
        use aws_sdk_marketplacecatalog::types::Filter;
        let out = client(ctx)?
            .list_change_sets()
            .catalog(CATALOG)
            .filter_list(
                Filter::builder()
                    .name("EntityId")
                    .value_list(&ctx.settings.product_id)
                    .build(),
            )
            .send()
            .await
            .map_err(|e| app_error("ListChangeSets", &e))?;
        // The newest change set of the product; the release is the visibility change.
        let Some(latest) = out.change_set_summary_list().first() else {
            return Ok(Outcome::skipped(
                "no change set has been started for the product yet",
            ));
        };
        let status = latest
            .status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        let id = latest.change_set_id().unwrap_or_default().to_string();
        let o = match status.as_str() {
            "SUCCEEDED" => Outcome::pass(format!("change set {id} SUCCEEDED")),
            "PREPARING" | "APPLYING" => Outcome::warn(
                format!("change set {id} is {status}"),
                "AWS is still processing the change; run the check again later.",
                "AWS が変更を処理中です。後でもう一度チェックを実行してください。",
            ),
            _ => Outcome::fail(
                format!("change set {id} {status}{}", latest.failure_code().map(|f| format!(" ({})", f.as_str())).unwrap_or_default()),
                "Open the change set in the Management Portal, fix what it reports and submit again.",
                "Management Portal で変更セットを開き、報告内容を修正して再提出してください。",
            ),
        };
        Ok(o.evidence(
            "ListChangeSets",
            format!("ListChangeSets EntityId={}", ctx.settings.product_id),
            format!("{id} {status}"),
        ))
    })
}

/// The sandbox's demo SaaS runs on loopback over plain HTTP; only there is http accepted.
fn is_loopback(url: &str) -> bool {
    url::Url::parse(url)
        .ok()
        .is_some_and(|u| matches!(u.host_str(), Some("127.0.0.1" | "localhost")))
}

//! Product checks through the Catalog API (us-east-1, whatever the environment's region): the
//! entity, its visibility, fulfillment URL, dimensions, allow-list, EULA, product code and
//! topics, 2026 readiness, release change set. Entities are read from `DetailsDocument`.

mod change_sets;
pub mod offers;
pub mod shapes;

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
        run: offers::eula,
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
        run: change_sets::release_change_set,
    },
];

/// The Catalog API exists only in us-east-1.
fn client(ctx: &CheckContext) -> Result<aws_sdk_marketplacecatalog::Client, AppError> {
    Ok(aws_sdk_marketplacecatalog::Client::new(
        &ctx.marketplace_sdk()?,
    ))
}

fn no_product() -> Outcome {
    Outcome::skipped(la_core::text!(
        "no product ID is set for this environment",
        "この環境には製品 ID が設定されていません"
    ))
    .advice(
        "Enter the product ID (prod-…) in the environment settings.",
        "環境設定に製品 ID (prod-…) を入力してください。",
    )
}

/// DescribeEntity of the configured product: `Ok(None)` when it does not exist.
async fn describe(ctx: &CheckContext) -> Result<Option<Value>, AppError> {
    describe_entity(ctx, &ctx.settings.product_id).await
}

/// DescribeEntity: the `DetailsDocument` with the entity type under `__EntityType`, `Ok(None)`
/// when AWS answers ResourceNotFoundException.
async fn describe_entity(ctx: &CheckContext, id: &str) -> Result<Option<Value>, AppError> {
    Ok(describe_raw(&client(ctx)?, id).await?.map(|d| {
        let mut v = shapes::details_json(d.details_document(), d.details());
        if let Some(o) = v.as_object_mut() {
            o.insert(
                "__EntityType".into(),
                Value::String(d.entity_type().unwrap_or_default().into()),
            );
        }
        v
    }))
}

/// DescribeEntity as AWS answers it, `Ok(None)` when the entity does not exist
/// (ResourceNotFoundException). Shared with listing authoring.
pub async fn describe_raw(
    c: &aws_sdk_marketplacecatalog::Client,
    id: &str,
) -> Result<
    Option<aws_sdk_marketplacecatalog::operation::describe_entity::DescribeEntityOutput>,
    AppError,
> {
    match c
        .describe_entity()
        .catalog(CATALOG)
        .entity_id(id)
        .send()
        .await
    {
        Ok(d) => Ok(Some(d)),
        Err(e) => {
            let err = app_error("DescribeEntity", &e);
            if err.is_aws("ResourceNotFoundException") {
                Ok(None)
            } else {
                Err(err)
            }
        }
    }
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
        la_core::text!("product {} was not found in the seller's catalog", "製品 {} は販売者のカタログに見つかりません", ctx.settings.product_id),
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
        Ok(Outcome::pass(la_core::text!(
            "the Catalog API answers for the seller ({n} SaaS product(s) visible)",
            "Catalog API が販売者に応答します (SaaS 製品 {n} 件が見えます)",
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
                Outcome::pass(la_core::text!(
                    "{} exists: \"{title}\" ({t})",
                    "{} は存在します: 「{title}」({t})",
                    ctx.settings.product_id
                ))
            } else {
                Outcome::fail(
                    la_core::text!(
                        "{} is a {t}, not a SaaS product",
                        "{} は SaaS 製品ではなく {t} です",
                        ctx.settings.product_id
                    ),
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
                "Limited" => Outcome::pass(la_core::text!("the product is Limited: only allow-listed accounts can buy it", "製品は Limited です: 許可リストのアカウントだけが購入できます")),
                "Public" => Outcome::pass(la_core::text!("the product is Public", "製品は Public です")),
                "Draft" => Outcome::fail(
                    la_core::text!("the product is still a Draft", "製品はまだ Draft です"),
                    "Release the product (ReleaseProduct) so it becomes Limited and test buyers can purchase it.",
                    "製品をリリース (ReleaseProduct) して限定公開にし、テスト購入者が購入できるようにしてください。",
                ),
                other => Outcome::warn(
                    la_core::text!("the product's visibility is {other}", "製品の公開範囲は {other} です"),
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
            let options = shapes::fulfillment_options(&d);
            let configured = &ctx.settings.fulfillment_url;
            let listed: Vec<String> = options
                .iter()
                .map(|f| {
                    format!(
                        "{} {} {} ({})",
                        f.version_id, f.option_id, f.url, f.visibility
                    )
                })
                .collect();
            // The environment's URL is judged when the product has it among its options;
            // otherwise the first SaaS URL option (AWS lists the newest version first).
            let judged = options
                .iter()
                .find(|f| !configured.is_empty() && &f.url == configured)
                .or_else(|| options.first());
            let o = match judged {
                None => Outcome::fail(
                    la_core::text!("the product has no SaaS URL delivery option with a fulfillment URL", "製品にフルフィルメント URL を持つ SaaS URL 配信オプションがありません"),
                    "Add a SaaS URL delivery option (AddDeliveryOptions, SaaSUrlDeliveryOptionDetails.FulfillmentUrl) pointing at your registration page.",
                    "登録ページを指す SaaS URL 配信オプション (AddDeliveryOptions の SaaSUrlDeliveryOptionDetails.FulfillmentUrl) を追加してください。",
                ),
                Some(f) if !(f.url.starts_with("https://")
                    || (ctx.settings.mode == la_core::model::EnvMode::Sandbox && is_loopback(&f.url))) =>
                {
                    Outcome::fail(
                        la_core::text!("the fulfillment URL {} is not HTTPS", "フルフィルメント URL {} は HTTPS ではありません", f.url),
                        "Serve the registration page over HTTPS and update the delivery option.",
                        "登録ページを HTTPS で提供し、配信オプションを更新してください。",
                    )
                }
                Some(f) if !configured.is_empty() && &f.url != configured => Outcome::fail(
                    la_core::text!("the product sends buyers to {}, but this environment expects {configured}", "製品は購入者を {} に送りますが、この環境は {configured} を想定しています", f.url),
                    "Update the product's delivery option (UpdateDeliveryOptions) or the environment's fulfillment URL so they agree.",
                    "製品の配信オプション (UpdateDeliveryOptions) か環境のフルフィルメント URL を更新して一致させてください。",
                ),
                Some(f) => Outcome::pass(la_core::text!(
                    "buyers are sent to {} (delivery option {} of {})",
                    "購入者は {} に送られます ({2} の配信オプション {1})",
                    f.url, f.option_id, f.version_id
                )),
            };
            Ok(o.evidence(
                "DescribeEntity",
                format!(
                    "DescribeEntity {} (DetailsDocument.Versions[].DeliveryOptions[])",
                    ctx.settings.product_id
                ),
                if listed.is_empty() {
                    "no FulfillmentUrl".to_string()
                } else {
                    listed.join("\n")
                },
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
                    la_core::text!(
                        "the product has no pricing dimensions",
                        "製品に料金ディメンションがありません"
                    ),
                    "Add dimensions (AddDimensions) for the pricing model.",
                    "料金モデルに合わせてディメンション (AddDimensions) を追加してください。",
                )
            } else if needs.0 && !entitled {
                Outcome::fail(
                    la_core::text!(
                        "a {model:?} product needs an Entitled dimension; it has {}",
                        "{model:?} の製品には Entitled ディメンションが必要です。あるのは {} です",
                        listed.join(", ")
                    ),
                    "Add an Entitled dimension for the contract.",
                    "契約用に Entitled ディメンションを追加してください。",
                )
            } else if needs.1 && !metered {
                Outcome::fail(
                    la_core::text!(
                        "a {model:?} product needs an ExternallyMetered dimension; it has {}",
                        "{model:?} の製品には ExternallyMetered ディメンションが必要です。あるのは {} です",
                        listed.join(", ")
                    ),
                    "Add an ExternallyMetered dimension to meter usage.",
                    "使用量を計測する ExternallyMetered ディメンションを追加してください。",
                )
            } else if !missing_keys.is_empty() {
                Outcome::warn(
                    la_core::text!(
                        "dimensions set in this environment are not on the product: {}",
                        "この環境に設定したディメンションが製品にありません: {}",
                        missing_keys.join(", ")
                    ),
                    "Align the environment's dimensions with the product's.",
                    "環境のディメンションを製品のものに合わせてください。",
                )
            } else {
                Outcome::pass(la_core::text!(
                    "dimensions fit the {model:?} model: {}",
                    "ディメンションは {model:?} モデルに合っています: {}",
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
            let listed = shapes::buyer_accounts(&d);
            let wanted = &ctx.settings.test_buyer_account_ids;
            if wanted.is_empty() {
                return Ok(Outcome::skipped(la_core::text!("no test buyer accounts are set for this environment", "この環境にはテスト購入者のアカウントが設定されていません")).advice(
                    "List the AWS accounts you will test purchases with in the environment settings.",
                    "テスト購入に使う AWS アカウントを環境設定に入力してください。",
                ));
            }
            let missing: Vec<&String> = wanted.iter().filter(|w| !listed.contains(w)).collect();
            let o = if d["Description"]["Visibility"] == "Public" {
                Outcome::pass(la_core::text!(
                    "the product is Public: any account can buy it",
                    "製品は Public です: どのアカウントも購入できます"
                ))
            } else if missing.is_empty() {
                Outcome::pass(la_core::text!(
                    "all {} test buyer(s) are allow-listed",
                    "テスト購入者 {} 件がすべて許可リストにあります",
                    wanted.len()
                ))
            } else {
                Outcome::fail(
                    la_core::text!("not allow-listed: {}", "許可リストにありません: {}", missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")),
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
                    la_core::text!(
                        "the product has no product code yet",
                        "製品にはまだ製品コードがありません"
                    ),
                    "Wait for AWS to assign the product code after creation.",
                    "作成後に AWS が製品コードを割り当てるまでお待ちください。",
                )
            } else if !s.product_code.is_empty() && s.product_code != code {
                Outcome::fail(
                    la_core::text!("the product's code is {code}, but this environment says {}", "製品のコードは {code} ですが、この環境では {} になっています", s.product_code),
                    "Use the product code AWS assigned (the SaaS needs it to meter legacy records).",
                    "AWS が割り当てた製品コードを使ってください。",
                )
            } else if !topics_ok {
                Outcome::fail(
                    la_core::text!("the SNS topic ARNs do not end with the product code {code}", "SNS トピックの ARN が製品コード {code} で終わっていません"),
                    "Use the topics aws-mp-subscription-notification-<code> and aws-mp-entitlement-notification-<code>.",
                    "トピック aws-mp-subscription-notification-<製品コード> と aws-mp-entitlement-notification-<製品コード> を使ってください。",
                )
            } else {
                Outcome::pass(la_core::text!(
                    "product code {code}; topics arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-{code}{}",
                    "製品コード {code}、トピック arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-{code}{}",
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
                IntegrationStyle::ConcurrentAgreements => Outcome::pass(la_core::text!(
                    "the integration meters with CustomerAWSAccountId and LicenseArn (required for products created from June 2026)",
                    "連携は CustomerAWSAccountId と LicenseArn で計測しています (2026 年 6 月以降に作成された製品で必須)",
                )),
                IntegrationStyle::Legacy => Outcome::warn(
                    la_core::text!("the integration uses CustomerIdentifier and ProductCode", "連携は CustomerIdentifier と ProductCode を使っています"),
                    "Products created from June 2026 must meter with CustomerAWSAccountId and LicenseArn (from ResolveCustomer); move the integration to that style.",
                    "2026 年 6 月以降に作成された製品は CustomerAWSAccountId と LicenseArn (ResolveCustomer から取得) で計測する必要があります。連携方式を移行してください。",
                ),
            })
        })
    })
}

/// The sandbox's demo SaaS runs on loopback over plain HTTP; only there is http accepted.
fn is_loopback(url: &str) -> bool {
    url::Url::parse(url)
        .ok()
        .is_some_and(|u| matches!(u.host_str(), Some("127.0.0.1" | "localhost")))
}

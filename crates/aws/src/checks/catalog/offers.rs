//! `catalog.eula`: the EULA of the offer buyers accept. The offer judged is the environment's
//! offer ID when set, otherwise the product's released public offer, found by paging through
//! every ListEntities page of the product's offers (a product also has private, draft, expired
//! and channel-partner offers).

use super::shapes::{self, Eula, OfferKind};
use super::{client, describe_entity, no_product, CATALOG};
use crate::checks::CheckContext;
use crate::engine::{CheckFuture, Outcome};
use crate::marketplace::app_error;
use la_core::AppError;
use serde_json::{json, Value};

/// The checklist row a custom EULA that is not plain text is measured against.
const EULA_ROW: &str = "AWS checklist, Product: \"EULA URL provided in .txt format.\"";

/// Pages asked for at most (50 offers each): far beyond any real product.
const MAX_PAGES: usize = 40;

/// One row of ListEntities EntityType=Offer.
#[derive(Debug, Clone)]
pub struct OfferRow {
    pub id: String,
    pub kind: OfferKind,
    pub release_date: String,
    pub last_modified: String,
}

/// Every offer of the product, over all pages, classified (public, private, draft, expired,
/// resale). Shared with listing authoring, which looks for the offer to update.
pub async fn product_offers(
    c: &aws_sdk_marketplacecatalog::Client,
    product_id: &str,
) -> Result<Vec<OfferRow>, AppError> {
    use aws_sdk_marketplacecatalog::types::{
        EntityTypeFilters, EntityTypeSort, OfferFilters, OfferProductIdFilter, OfferSort,
        OfferSortBy, SortOrder,
    };
    let now = chrono::Utc::now();
    let mut rows = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page = c
            .list_entities()
            .catalog(CATALOG)
            .entity_type("Offer")
            .entity_type_filters(EntityTypeFilters::OfferFilters(
                OfferFilters::builder()
                    .product_id(
                        OfferProductIdFilter::builder()
                            .value_list(product_id)
                            .build(),
                    )
                    .build(),
            ))
            .entity_type_sort(EntityTypeSort::OfferSort(
                OfferSort::builder()
                    .sort_by(OfferSortBy::LastModifiedDate)
                    .sort_order(SortOrder::Descending)
                    .build(),
            ))
            .max_results(50)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| app_error("ListEntities", &e))?;
        for s in page.entity_summary_list() {
            let Some(o) = s.offer_summary() else { continue };
            // The filter is AWS's; the product is compared again so a filter the endpoint
            // ignored cannot put another product's offer under judgement.
            if o.product_id() != Some(product_id) {
                continue;
            }
            let summary = json!({
                "State": o.state().map(|x| x.as_str()),
                "Targeting": o.targeting().iter().map(|t| t.as_str()).collect::<Vec<_>>(),
                "BuyerAccounts": o.buyer_accounts(),
                "AvailabilityEndDate": o.availability_end_date(),
                "ResaleAuthorizationId": o.resale_authorization_id(),
            });
            rows.push(OfferRow {
                id: s.entity_id().unwrap_or_default().to_string(),
                kind: shapes::summary_kind(&summary, now),
                release_date: o.release_date().unwrap_or_default().to_string(),
                last_modified: s.last_modified_date().unwrap_or_default().to_string(),
            });
        }
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    Ok(rows)
}

/// The product's public offer among `rows`: the latest released one (ISO dates sort as text).
pub fn pick_public(rows: &[OfferRow]) -> Option<&OfferRow> {
    rows.iter()
        .filter(|r| r.kind == OfferKind::Public)
        .max_by(|a, b| {
            (a.release_date.as_str(), a.last_modified.as_str())
                .cmp(&(b.release_date.as_str(), b.last_modified.as_str()))
        })
}

fn tally(rows: &[OfferRow]) -> String {
    let mut parts = Vec::new();
    for k in [
        OfferKind::Public,
        OfferKind::Private,
        OfferKind::Draft,
        OfferKind::Expired,
        OfferKind::Resale,
    ] {
        let n = rows.iter().filter(|r| r.kind == k).count();
        if n > 0 {
            parts.push(format!("{n} {}", k.label()));
        }
    }
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

pub(super) fn eula(ctx: &CheckContext) -> CheckFuture<'_> {
    Box::pin(async move {
        let product = ctx.settings.product_id.as_str();
        if product.is_empty() {
            return Ok(no_product());
        }
        let configured = ctx.settings.offer_id.trim();
        let (offer_id, how) = if configured.is_empty() {
            let rows = product_offers(&client(ctx)?, product).await?;
            let Some(public) = pick_public(&rows) else {
                return Ok(Outcome::fail(
                    la_core::text!("product {product} has no released public offer (offers found: {})", "製品 {product} にはリリース済みの公開オファーがありません (見つかったオファー: {})", tally(&rows)),
                    "Create and release the product's public offer with its legal terms (CreateOffer, UpdateLegalTerms, ReleaseOffer), or enter the offer ID to judge in the environment settings.",
                    "法的条件を含む製品の公開オファーを作成してリリースするか (CreateOffer、UpdateLegalTerms、ReleaseOffer)、判定するオファー ID を環境設定に入力してください。",
                )
                .evidence("ListEntities", format!("ListEntities EntityType=Offer ProductId={product} (all pages)"), tally(&rows)));
            };
            (
                public.id.clone(),
                format!("the released public offer among {}", tally(&rows)),
            )
        } else {
            (
                configured.to_string(),
                "the environment's offer".to_string(),
            )
        };
        let Some(offer) = describe_entity(ctx, &offer_id).await? else {
            return Ok(Outcome::fail(
                la_core::text!(
                    "offer {offer_id} was not found in the seller's catalog",
                    "オファー {offer_id} は販売者のカタログに見つかりません"
                ),
                "Check the offer ID in the environment settings.",
                "環境設定のオファー ID を確認してください。",
            ));
        };
        if let Some(other) = offer["ProductId"].as_str().filter(|p| *p != product) {
            return Ok(Outcome::fail(
                la_core::text!(
                    "offer {offer_id} belongs to product {other}, not {product}",
                    "オファー {offer_id} は製品 {product} ではなく製品 {other} のものです"
                ),
                "Enter an offer of this environment's product.",
                "この環境の製品のオファーを入力してください。",
            ));
        }
        let kind = shapes::offer_kind(&offer, chrono::Utc::now());
        let request = format!("DescribeEntity {offer_id} ({how}, {})", kind.label());
        Ok(judge(ctx, &offer_id, &offer, &request).await)
    })
}

/// The verdict on the offer's LegalTerm: AWS's standard contract passes, a custom EULA must
/// answer 200 at its URL and should be plain text (the checklist's row asks for `.txt`).
async fn judge(ctx: &CheckContext, offer_id: &str, offer: &Value, request: &str) -> Outcome {
    let url = match shapes::eula(offer) {
        Eula::Standard { version } => {
            let (v_en, v_ja) = if version.is_empty() {
                ("unstated", "記載なし")
            } else {
                (version.as_str(), version.as_str())
            };
            return Outcome::pass(la_core::text!(
                "offer {offer_id} uses AWS's Standard Contract for AWS Marketplace (version {v_en})",
                "オファー {offer_id} は AWS Marketplace の標準契約 (バージョン {v_ja}) を使っています",
            ))
            .evidence(
                "DescribeEntity",
                request,
                format!("LegalTerm StandardEula {version}"),
            );
        }
        Eula::Missing => {
            return Outcome::fail(
                la_core::text!("offer {offer_id} has no EULA in its legal terms", "オファー {offer_id} の法的条件に EULA がありません"),
                "Set the offer's legal terms (UpdateLegalTerms) to AWS's Standard Contract (StandardEula) or your own EULA (CustomEula with a .txt URL).",
                "オファーの法的条件 (UpdateLegalTerms) に AWS の標準契約 (StandardEula) か独自の EULA (.txt の URL を持つ CustomEula) を設定してください。",
            )
            .evidence("DescribeEntity", request, "no LegalTerm EULA document");
        }
        Eula::Custom { url: None } => {
            return Outcome::fail(
                la_core::text!("offer {offer_id} has a custom EULA without a URL", "オファー {offer_id} の独自 EULA に URL がありません"),
                "Give the CustomEula document the URL of your EULA (UpdateLegalTerms), or use AWS's Standard Contract.",
                "CustomEula ドキュメントに EULA の URL を設定するか (UpdateLegalTerms)、AWS の標準契約を使ってください。",
            )
            .evidence("DescribeEntity", request, "LegalTerm CustomEula without Url");
        }
        Eula::Custom { url: Some(u) } => u,
    };
    let resp = match ctx.http.get(&url).send().await {
        Ok(r) => r,
        Err(e) => {
            return Outcome::fail(
                la_core::text!(
                    "the EULA at {url} could not be fetched: {}",
                    "{url} の EULA を取得できませんでした: {}",
                    crate::http_error_chain(&e)
                ),
                "Host the EULA where buyers can read it.",
                "購入者が読める場所に EULA を公開してください。",
            )
            .evidence("EULA", format!("{request}; GET {url}"), "no answer");
        }
    };
    let status = resp.status().as_u16();
    let ctype = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let o = if status != 200 {
        Outcome::fail(
            la_core::text!(
                "the EULA at {url} answers HTTP {status}",
                "{url} の EULA は HTTP {status} を返します"
            ),
            "Make the EULA URL answer 200.",
            "EULA の URL が 200 を返すようにしてください。",
        )
    } else if ctype.to_ascii_lowercase().starts_with("text/plain") || path.ends_with(".txt") {
        Outcome::pass(la_core::text!(
            "the custom EULA at {url} answers 200 as plain text ({ctype})",
            "{url} の独自 EULA はプレーンテキスト ({ctype}) として 200 を返します",
        ))
    } else {
        // AWS accepts other formats (its own examples use a PDF); only the checklist asks
        // for .txt, so this is a warning, never a failure.
        Outcome::warn(
            la_core::text!(
                "the custom EULA at {url} answers 200 but is {}, not plain text",
                "{url} の独自 EULA は 200 を返しますが、プレーンテキストではなく {} です",
                if ctype.is_empty() { "untyped" } else { ctype.as_str() }
            ),
            format!("AWS accepts this EULA, but the {EULA_ROW} asks for a .txt file served as text/plain."),
            "AWS はこの EULA を受け付けますが、AWS チェックリストの製品の行「EULA の URL を .txt 形式で提供した」は text/plain で提供される .txt ファイルを求めています。",
        )
    };
    o.evidence(
        "EULA",
        format!("{request}; GET {url}"),
        format!("HTTP {status}, {ctype}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, kind: OfferKind, released: &str) -> OfferRow {
        OfferRow {
            id: id.into(),
            kind,
            release_date: released.into(),
            last_modified: released.into(),
        }
    }

    #[test]
    fn the_latest_public_offer_is_judged() {
        let rows = vec![
            row("offer-private", OfferKind::Private, "2026-11-01T00:00:00Z"),
            row("offer-old", OfferKind::Public, "2025-01-01T00:00:00Z"),
            row("offer-draft", OfferKind::Draft, ""),
            row("offer-new", OfferKind::Public, "2026-06-01T00:00:00Z"),
        ];
        assert_eq!(pick_public(&rows).map(|r| r.id.as_str()), Some("offer-new"));
        assert_eq!(tally(&rows), "2 public, 1 private, 1 draft");
        assert!(pick_public(&rows[..1]).is_none());
    }
}

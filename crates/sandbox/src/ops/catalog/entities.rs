//! The Catalog's entities as AWS shapes them: SaaSProduct@1.0 and Offer@1.0 DetailsDocuments
//! (awslabs/aws-marketplace-catalog-api-shapes-*), the ListEntities summaries, and listing with
//! the filters, sort keys and paging the API reference documents.

use super::{entity_arn, filter_values, iso, not_found, page, page_params, sort_param, sort_rows};
use crate::error::AwsResult;
use crate::model::{DeliveryOption, Offer, PricingModel, Product};
use crate::{req_str, Sandbox};
use serde_json::{json, Value};

/// The id suffix of an entity id (`prod-abc` → `abc`), for ids derived from it.
fn suffix(id: &str) -> &str {
    id.split_once('-').map_or(id, |(_, s)| s)
}

/// The product's delivery options: the stored ones, or the legacy single SaaS URL option.
pub(super) fn delivery_options(p: &Product) -> Vec<DeliveryOption> {
    if !p.delivery_options.is_empty() || p.fulfillment_url.is_empty() {
        return p.delivery_options.clone();
    }
    vec![DeliveryOption {
        id: format!("do-{}", suffix(&p.entity_id)),
        version_id: version_id(p),
        kind: "SaaSUrl".into(),
        fulfillment_url: Some(p.fulfillment_url.clone()),
        api_type: None,
        visibility: p.visibility.clone(),
    }]
}

pub(super) fn version_id(p: &Product) -> String {
    format!("version-{}", suffix(&p.entity_id))
}

/// The entity's details as AWS shapes a SaaSProduct@1.0 DetailsDocument.
pub fn product_details(p: &Product) -> Value {
    let mut versions: Vec<(String, Vec<Value>)> = Vec::new();
    for o in delivery_options(p) {
        let mut v = json!({"Id": o.id, "Type": o.kind, "Visibility": o.visibility});
        if let Some(u) = &o.fulfillment_url {
            v["FulfillmentUrl"] = json!(u);
        }
        if let Some(t) = &o.api_type {
            v["ApiType"] = json!(t);
        }
        match versions.iter_mut().find(|(id, _)| *id == o.version_id) {
            Some((_, opts)) => opts.push(v),
            None => versions.push((o.version_id.clone(), vec![v])),
        }
    }
    let info = |k: &str| p.info.get(k).filter(|v| !v.is_null()).cloned();
    let list = |k: &str| info(k).unwrap_or_else(|| json!([]));
    let mut description = json!({
        "ProductTitle": p.title,
        "ProductCode": p.code,
        "ShortDescription": p.short_description,
        "LongDescription": p.long_description,
        "ProductState": "Active",
        "Visibility": p.visibility,
        "Categories": list("Categories"),
        "Highlights": list("Highlights"),
        "SearchKeywords": list("SearchKeywords"),
    });
    if let Some(sku) = info("Sku") {
        description["Sku"] = sku;
    }
    // The entity type shows videos and resources as objects (Type, Url, Title / Text).
    let videos: Vec<Value> = list("VideoUrls")
        .as_array()
        .into_iter()
        .flatten()
        .map(|u| json!({"Type": "Link", "Title": "Product video", "Url": u}))
        .collect();
    let resources: Vec<Value> = list("AdditionalResources")
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| json!({"Type": "Link", "Text": r["Text"], "Url": r["Url"]}))
        .collect();
    let mut promo = json!({"Videos": videos, "AdditionalResources": resources});
    if let Some(logo) = info("LogoUrl") {
        promo["LogoUrl"] = logo;
    }
    let support = match info("SupportDescription") {
        Some(d) => json!({"Description": d}),
        None => json!({}),
    };
    json!({
        "Description": description,
        "PromotionalResources": promo,
        "SupportInformation": support,
        "Dimensions": p.dimensions.iter().map(|d| json!({
            "Key": d.key, "Name": d.name, "Description": d.description, "Types": d.types, "Unit": d.unit
        })).collect::<Vec<_>>(),
        "Versions": versions.into_iter().map(|(id, opts)| json!({"Id": id, "DeliveryOptions": opts})).collect::<Vec<_>>(),
        "Targeting": {"PositiveTargeting": {"BuyerAccounts": p.buyer_accounts}},
    })
}

/// A demo product's public offer (not stored: built from the product), shaped like an
/// Offer@1.0 DetailsDocument: pricing terms follow the pricing model, the legal term carries
/// the product's custom EULA.
pub fn offer_details(p: &Product) -> Value {
    let rate_card = |metered: bool| -> Vec<Value> {
        p.dimensions
            .iter()
            .filter(|d| if metered { d.metered() } else { d.entitled() })
            .map(|d| json!({"DimensionKey": d.key, "Price": "0.01"}))
            .collect()
    };
    let mut terms = vec![json!({
        "Type": "LegalTerm",
        "Documents": [{"Type": "CustomEula", "Url": p.eula_url}],
    })];
    if p.pricing_model != PricingModel::Subscription {
        terms.push(json!({
            "Type": "ConfigurableUpfrontPricingTerm",
            "CurrencyCode": "USD",
            "RateCards": [{"Selector": {"Type": "Duration", "Value": "P12M"}, "Constraints": {"MultipleDimensionSelection": "Allowed", "QuantityConfiguration": "Allowed"}, "RateCard": rate_card(false)}],
        }));
    }
    if p.pricing_model != PricingModel::Contract {
        terms.push(json!({
            "Type": "UsageBasedPricingTerm",
            "CurrencyCode": "USD",
            "RateCards": [{"RateCard": rate_card(true)}],
        }));
    }
    json!({
        "Id": p.offer_id,
        "Name": format!("{} public offer", p.title),
        "ProductId": p.entity_id,
        "State": "Released",
        "Rules": [],
        "Terms": terms,
    })
}

/// Every offer: those created through change sets, and each product's built-in public offer
/// when no stored offer has its id.
pub(super) fn all_offers(sb: &Sandbox) -> AwsResult<Vec<Offer>> {
    let mut out = sb.state.offers()?;
    for p in sb.state.products()? {
        if !p.offer_id.is_empty() && !out.iter().any(|o| o.id == p.offer_id) {
            out.push(Offer {
                id: p.offer_id.clone(),
                product_id: p.entity_id.clone(),
                doc: offer_details(&p),
                released: Some(p.created),
                created: p.created,
                modified: p.modified,
            });
        }
    }
    Ok(out)
}

pub(super) fn find_offer(sb: &Sandbox, id: &str) -> AwsResult<Option<Offer>> {
    if let Some(o) = sb.state.offer(id)? {
        return Ok(Some(o));
    }
    Ok(all_offers(sb)?.into_iter().find(|o| o.id == id))
}

/// The buyer accounts an offer's TargetingRule names.
pub(super) fn offer_buyers(doc: &Value) -> Vec<Value> {
    doc["Rules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["Type"] == "TargetingRule")
        .flat_map(|r| {
            r["PositiveTargeting"]["BuyerAccounts"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

/// The ListEntities row of an offer (`OfferSummary` as the API reference lists it).
fn offer_summary(sb: &Sandbox, o: &Offer) -> Value {
    let doc = &o.doc;
    let buyers = offer_buyers(doc);
    let end = doc["Rules"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["Type"] == "AvailabilityRule")
        .and_then(|r| r["AvailabilityEndDate"].as_str())
        .map(|d| {
            if d.len() == 10 {
                format!("{d}T00:00:00Z")
            } else {
                d.chars().take(19).collect::<String>() + "Z"
            }
        });
    let name = doc["Name"].as_str().unwrap_or_default();
    let mut summary = json!({
        "ProductId": o.product_id,
        "State": doc["State"].as_str().unwrap_or("Draft"),
        "Targeting": if buyers.is_empty() { json!([]) } else { json!(["BuyerAccounts"]) },
    });
    if !name.is_empty() {
        summary["Name"] = json!(name);
    }
    if !buyers.is_empty() {
        summary["BuyerAccounts"] = json!(buyers);
    }
    if let Some(r) = o.released {
        summary["ReleaseDate"] = json!(iso(r));
    }
    if let Some(e) = end {
        summary["AvailabilityEndDate"] = json!(e);
    }
    let mut row = json!({
        "EntityType": "Offer",
        "EntityId": o.id,
        "EntityArn": entity_arn(sb, "Offer", &o.id),
        "LastModifiedDate": iso(o.modified),
        "OfferSummary": summary,
    });
    if !name.is_empty() {
        row["Name"] = json!(name);
    }
    row
}

fn product_summary(sb: &Sandbox, p: &Product) -> Value {
    json!({
        "Name": p.title,
        "EntityType": "SaaSProduct",
        "EntityId": p.entity_id,
        "EntityArn": entity_arn(sb, "SaaSProduct", &p.entity_id),
        "LastModifiedDate": iso(p.modified),
        "Visibility": p.visibility,
        "SaaSProductSummary": {"ProductTitle": p.title, "Visibility": p.visibility}
    })
}

/// Keeps rows whose `field` (a string, or a list of strings) holds one of `wanted`.
fn keep(rows: &mut Vec<Value>, wanted: Option<Vec<String>>, field: &str) {
    let Some(w) = wanted else { return };
    rows.retain(|r| match r.pointer(field) {
        Some(Value::String(s)) => w.contains(s),
        Some(Value::Array(a)) => a
            .iter()
            .any(|v| v.as_str().is_some_and(|s| w.iter().any(|x| x == s))),
        _ => false,
    });
}

pub(super) fn list_entities(sb: &Sandbox, input: &Value) -> AwsResult<Value> {
    let entity_type = req_str(input, "EntityType")?;
    let (start, max) = page_params(input, 50)?;
    let (mut rows, typed) = match entity_type {
        "Offer" => {
            let rows: Vec<Value> = all_offers(sb)?
                .iter()
                .map(|o| offer_summary(sb, o))
                .collect();
            (rows, "OfferFilters")
        }
        "SaaSProduct" => (
            sb.state
                .products()?
                .iter()
                .map(|p| product_summary(sb, p))
                .collect(),
            "SaaSProductFilters",
        ),
        _ => (Vec::new(), "None"),
    };
    let f = |name: &str| filter_values(input, typed, name);
    keep(&mut rows, f("EntityId"), "/EntityId");
    if entity_type == "Offer" {
        keep(&mut rows, f("ProductId"), "/OfferSummary/ProductId");
        keep(&mut rows, f("Name"), "/Name");
        keep(&mut rows, f("State"), "/OfferSummary/State");
        keep(&mut rows, f("Targeting"), "/OfferSummary/Targeting");
    } else {
        keep(&mut rows, f("ProductTitle").or_else(|| f("Name")), "/Name");
        keep(&mut rows, f("Visibility"), "/Visibility");
    }
    // AWS's default order: last modified first.
    sort_rows(&mut rows, "/LastModifiedDate", true);
    let (sort_typed, allowed): (&str, &[&str]) = if entity_type == "Offer" {
        (
            "OfferSort",
            &[
                "EntityId",
                "Name",
                "ProductId",
                "ReleaseDate",
                "AvailabilityEndDate",
                "BuyerAccounts",
                "State",
                "Targeting",
                "LastModifiedDate",
            ],
        )
    } else {
        (
            "SaaSProductSort",
            &["EntityId", "ProductTitle", "Visibility", "LastModifiedDate"],
        )
    };
    if let Some((by, desc)) = sort_param(input, sort_typed, allowed)? {
        let field = match by.as_str() {
            "ProductTitle" | "Name" => "/Name".to_string(),
            "EntityId" | "Visibility" | "LastModifiedDate" => format!("/{by}"),
            other => format!("/OfferSummary/{other}"),
        };
        sort_rows(&mut rows, &field, desc);
    }
    page(rows, "EntitySummaryList", start, max)
}

pub(super) fn describe_entity(sb: &Sandbox, input: &Value) -> AwsResult<Value> {
    let id = req_str(input, "EntityId")?;
    let id = id.split('@').next().unwrap_or(id);
    if id.starts_with("offer-") {
        let o = find_offer(sb, id)?
            .ok_or_else(|| not_found(format!("Requested entity {id} not found.")))?;
        return Ok(json!({
            "EntityType": "Offer@1.0",
            "EntityIdentifier": format!("{id}@1"),
            "EntityArn": entity_arn(sb, "Offer", id),
            "LastModifiedDate": iso(o.modified),
            "Details": o.doc.to_string(),
            "DetailsDocument": o.doc,
        }));
    }
    let p = sb
        .state
        .product(id)?
        .filter(|p| p.entity_id == id)
        .ok_or_else(|| not_found(format!("Requested entity {id} not found.")))?;
    let details = product_details(&p);
    Ok(json!({
        "EntityType": "SaaSProduct@1.0",
        "EntityIdentifier": format!("{}@1", p.entity_id),
        "EntityArn": entity_arn(sb, "SaaSProduct", &p.entity_id),
        "LastModifiedDate": iso(p.modified),
        "Details": details.to_string(),
        "DetailsDocument": details,
    }))
}

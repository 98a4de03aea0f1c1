//! The `DetailsDocument` of each change type, built from the listing as the official change-type
//! shapes and AWS's reference change sets (aws-samples/aws-marketplace-reference-code) write
//! them. Empty optional lists are left out: the shapes require 1 or more items where a list is
//! given, and leaving a field out keeps what AWS has.

use crate::file::*;
use serde_json::{json, Map, Value};

fn put_str(m: &mut Map<String, Value>, k: &str, v: &str) {
    if !v.is_empty() {
        m.insert(k.into(), json!(v));
    }
}

fn put_list(m: &mut Map<String, Value>, k: &str, v: &[String]) {
    if !v.is_empty() {
        m.insert(k.into(), json!(v));
    }
}

/// SaaSProduct UpdateInformation.
pub fn product_information(p: &ProductInfo) -> Value {
    let mut m = Map::new();
    put_str(&mut m, "ProductTitle", &p.title);
    put_str(&mut m, "ShortDescription", &p.short_description);
    put_str(&mut m, "LongDescription", &p.long_description);
    put_list(&mut m, "Highlights", &p.highlights);
    put_list(&mut m, "SearchKeywords", &p.search_keywords);
    put_list(&mut m, "Categories", &p.categories);
    put_str(&mut m, "LogoUrl", &p.logo_url);
    put_list(&mut m, "VideoUrls", &p.video_urls);
    m.insert(
        "AdditionalResources".into(),
        Value::Array(
            p.additional_resources
                .iter()
                .map(|r| json!({"Text": r.text, "Url": r.url}))
                .collect(),
        ),
    );
    put_str(&mut m, "SupportDescription", &p.support_description);
    Value::Object(m)
}

pub fn targeting(buyers: &[String]) -> Value {
    json!({"PositiveTargeting": {"BuyerAccounts": buyers}})
}

pub fn add_delivery_option(url: &str) -> Value {
    json!({"DeliveryOptions": [{"Details": {"SaaSUrlDeliveryOptionDetails": {"FulfillmentUrl": url}}}]})
}

pub fn update_delivery_option(id: &str, url: &str) -> Value {
    json!({"DeliveryOptions": [{"Id": id, "Details": {"SaaSUrlDeliveryOptionDetails": {"FulfillmentUrl": url}}}]})
}

fn types(d: &ListingDimension) -> Vec<&'static str> {
    d.types.iter().map(|t| t.as_str()).collect()
}

pub fn add_dimensions(dims: &[&ListingDimension]) -> Value {
    Value::Array(
        dims.iter()
            .map(|d| json!({"Key": d.key, "Name": d.name, "Description": d.description, "Unit": d.unit, "Types": types(d)}))
            .collect(),
    )
}

pub fn update_dimensions(dims: &[&ListingDimension]) -> Value {
    Value::Array(
        dims.iter()
            .map(|d| json!({"Key": d.key, "Name": d.name, "Description": d.description, "Types": types(d)}))
            .collect(),
    )
}

pub fn restrict_dimensions(dims: &[&ListingDimension]) -> Value {
    Value::Array(
        dims.iter()
            .map(|d| json!({"Key": d.key, "Types": types(d)}))
            .collect(),
    )
}

pub fn offer_information(o: &OfferInfo) -> Value {
    let mut m = Map::new();
    put_str(&mut m, "Name", &o.name);
    put_str(&mut m, "Description", &o.description);
    Value::Object(m)
}

/// UpdatePricingTerms: contract rates grouped by duration (in the order they first appear),
/// usage rates in one rate card, and the free trial's grants on every dimension priced.
pub fn pricing_terms(o: &OfferInfo) -> Value {
    let mut terms = Vec::new();
    let mut durations: Vec<&str> = Vec::new();
    for r in &o.rates {
        if let Some(d) = r.duration.as_deref() {
            if !durations.contains(&d) {
                durations.push(d);
            }
        }
    }
    if !durations.is_empty() {
        let cards: Vec<Value> = durations
            .iter()
            .map(|d| {
                let card: Vec<Value> = o
                    .rates
                    .iter()
                    .filter(|r| r.duration.as_deref() == Some(d))
                    .map(|r| json!({"DimensionKey": r.dimension, "Price": r.price}))
                    .collect();
                json!({
                    "Selector": {"Type": "Duration", "Value": d},
                    "Constraints": {"MultipleDimensionSelection": "Allowed", "QuantityConfiguration": "Allowed"},
                    "RateCard": card,
                })
            })
            .collect();
        terms.push(json!({"Type": "ConfigurableUpfrontPricingTerm", "CurrencyCode": o.currency, "RateCards": cards}));
    }
    let usage: Vec<Value> = o
        .rates
        .iter()
        .filter(|r| r.duration.is_none())
        .map(|r| json!({"DimensionKey": r.dimension, "Price": r.price}))
        .collect();
    if !usage.is_empty() {
        terms.push(json!({"Type": "UsageBasedPricingTerm", "CurrencyCode": o.currency, "RateCards": [{"RateCard": usage}]}));
    }
    if let Some(t) = &o.free_trial {
        let mut keys: Vec<&str> = Vec::new();
        for r in &o.rates {
            if !keys.contains(&r.dimension.as_str()) {
                keys.push(&r.dimension);
            }
        }
        terms.push(json!({
            "Type": "FreeTrialPricingTerm",
            "Duration": t.duration,
            "Grants": keys.iter().map(|k| json!({"DimensionKey": k})).collect::<Vec<_>>(),
        }));
    }
    json!({"PricingModel": o.pricing_model.as_str(), "Terms": terms})
}

pub fn legal_terms(e: &Eula) -> Value {
    let doc = match e {
        Eula::Standard { version } => json!({"Type": "StandardEula", "Version": version}),
        Eula::Custom { url } => json!({"Type": "CustomEula", "Url": url}),
    };
    json!({"Terms": [{"Type": "LegalTerm", "Documents": [doc]}]})
}

pub fn support_terms(refund_policy: &str) -> Value {
    if refund_policy.is_empty() {
        json!({"Terms": []})
    } else {
        json!({"Terms": [{"Type": "SupportTerm", "RefundPolicy": refund_policy}]})
    }
}

pub fn renewal_terms(auto: bool) -> Value {
    if auto {
        json!({"Terms": [{"Type": "RenewalTerm"}]})
    } else {
        json!({"Terms": []})
    }
}

pub fn availability(date: &str) -> Value {
    json!({"AvailabilityEndDate": date})
}

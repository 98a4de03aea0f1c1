//! AWS's documents read into the listing: a SaaSProduct@1.0 and an Offer@1.0 `DetailsDocument`
//! become a `Listing`, and what only AWS knows (ids, product code, delivery option, visibility,
//! last-modified dates) a `Snapshot`. Pure functions over JSON; `catalog` fetches the documents.

use crate::file::*;
use la_aws::checks::catalog::shapes;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

/// The Marketplace SNS topics live in this account, in us-east-1.
pub const MARKETPLACE_TOPIC_ACCOUNT: &str = "287250355862";

/// What AWS knows about the environment's product, for the front end to write into the
/// environment (product ID and code, offer ID, the SNS topics named after the product code).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct AwsValues {
    pub product_id: String,
    pub product_code: String,
    pub offer_id: String,
    /// Draft, Limited, Public or Restricted.
    pub visibility: String,
    pub subscription_topic_arn: String,
    pub entitlement_topic_arn: String,
}

impl AwsValues {
    pub fn new(product_id: &str, product_code: &str, offer_id: &str, visibility: &str) -> Self {
        let topic = |kind: &str| {
            if product_code.is_empty() {
                String::new()
            } else {
                format!("arn:aws:sns:us-east-1:{MARKETPLACE_TOPIC_ACCOUNT}:aws-mp-{kind}-notification-{product_code}")
            }
        };
        AwsValues {
            product_id: product_id.into(),
            product_code: product_code.into(),
            offer_id: offer_id.into(),
            visibility: visibility.into(),
            subscription_topic_arn: topic("subscription"),
            entitlement_topic_arn: topic("entitlement"),
        }
    }
}

/// The product and its offer as AWS has them now: the listing they amount to, and the ids and
/// dates a plan needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Snapshot {
    pub values: AwsValues,
    pub listing: Listing,
    /// The SaaS URL delivery option a fulfillment URL change updates.
    pub delivery_option_id: Option<String>,
    pub product_modified: String,
    pub offer_modified: String,
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect()
}

/// The product's part of the listing.
pub fn product_listing(d: &Value) -> (ProductInfo, String, Vec<String>, Vec<ListingDimension>) {
    let desc = &d["Description"];
    let promo = &d["PromotionalResources"];
    let info = ProductInfo {
        title: text(&desc["ProductTitle"]),
        short_description: text(&desc["ShortDescription"]),
        long_description: text(&desc["LongDescription"]),
        highlights: strings(&desc["Highlights"]),
        categories: strings(&desc["Categories"]),
        search_keywords: strings(&desc["SearchKeywords"]),
        logo_url: text(&promo["LogoUrl"]),
        video_urls: promo["Videos"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v["Url"].as_str().map(str::to_string))
            .collect(),
        additional_resources: promo["AdditionalResources"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| Resource {
                text: text(&r["Text"]),
                url: text(&r["Url"]),
            })
            .collect(),
        support_description: text(&d["SupportInformation"]["Description"]),
    };
    let fulfillment = shapes::fulfillment_options(d)
        .into_iter()
        .next()
        .map(|f| f.url)
        .unwrap_or_default();
    let dims = d["Dimensions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| ListingDimension {
            key: text(&x["Key"]),
            name: text(&x["Name"]),
            description: text(&x["Description"]),
            unit: text(&x["Unit"]),
            types: strings(&x["Types"])
                .iter()
                .filter_map(|t| DimensionType::parse(t))
                .collect(),
        })
        .collect();
    (info, fulfillment, shapes::buyer_accounts(d), dims)
}

fn terms<'a>(offer: &'a Value, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    offer["Terms"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(move |t| t["Type"] == kind)
}

/// The offer's part of the listing; an offer not created yet reads as an empty Contract offer
/// without a EULA.
pub fn offer_listing(o: Option<&Value>) -> OfferInfo {
    let mut info = OfferInfo {
        name: String::new(),
        description: String::new(),
        pricing_model: OfferPricing::Contract,
        currency: "USD".into(),
        rates: Vec::new(),
        eula: None,
        refund_policy: String::new(),
        auto_renewal: false,
        free_trial: None,
        availability_end_date: None,
    };
    let Some(o) = o else { return info };
    info.name = text(&o["Name"]);
    info.description = text(&o["Description"]);
    let mut currency = None;
    for t in terms(o, "ConfigurableUpfrontPricingTerm") {
        currency = currency.or_else(|| t["CurrencyCode"].as_str().map(str::to_string));
        for card in t["RateCards"].as_array().into_iter().flatten() {
            let duration = card["Selector"]["Value"].as_str().map(str::to_string);
            for r in card["RateCard"].as_array().into_iter().flatten() {
                info.rates.push(Rate {
                    dimension: text(&r["DimensionKey"]),
                    duration: duration.clone(),
                    price: text(&r["Price"]),
                });
            }
        }
    }
    for t in terms(o, "UsageBasedPricingTerm") {
        currency = currency.or_else(|| t["CurrencyCode"].as_str().map(str::to_string));
        for card in t["RateCards"].as_array().into_iter().flatten() {
            for r in card["RateCard"].as_array().into_iter().flatten() {
                info.rates.push(Rate {
                    dimension: text(&r["DimensionKey"]),
                    duration: None,
                    price: text(&r["Price"]),
                });
            }
        }
    }
    if let Some(c) = currency {
        info.currency = c;
    }
    let has = |k: &str| terms(o, k).next().is_some();
    // The document names its model when AWS returns it; otherwise it follows from the terms.
    info.pricing_model = match o["PricingModel"].as_str() {
        Some("Usage") => OfferPricing::Usage,
        Some("Free") => OfferPricing::Free,
        Some(_) => OfferPricing::Contract,
        None if has("ConfigurableUpfrontPricingTerm") || has("FixedUpfrontPricingTerm") => {
            OfferPricing::Contract
        }
        None if has("UsageBasedPricingTerm") => OfferPricing::Usage,
        None if has("FreeTrialPricingTerm") => OfferPricing::Free,
        None => OfferPricing::Contract,
    };
    info.free_trial = terms(o, "FreeTrialPricingTerm").next().map(|t| FreeTrial {
        duration: text(&t["Duration"]),
    });
    info.eula = terms(o, "LegalTerm")
        .flat_map(|t| t["Documents"].as_array().cloned().unwrap_or_default())
        .find_map(|d| match d["Type"].as_str() {
            Some("StandardEula") => Some(Eula::Standard {
                version: text(&d["Version"]),
            }),
            Some("CustomEula") => Some(Eula::Custom {
                url: text(&d["Url"]),
            }),
            _ => None,
        });
    info.refund_policy = terms(o, "SupportTerm")
        .next()
        .map(|t| text(&t["RefundPolicy"]))
        .unwrap_or_default();
    info.auto_renewal = has("RenewalTerm");
    info.availability_end_date = o["Rules"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["Type"] == "AvailabilityRule")
        .and_then(|r| r["AvailabilityEndDate"].as_str())
        .map(|d| d.chars().take(10).collect());
    info
}

/// The listing that AWS's product and offer documents amount to.
pub fn listing_from(product: &Value, offer: Option<&Value>) -> Listing {
    let (info, fulfillment_url, buyers, dimensions) = product_listing(product);
    Listing {
        format: FORMAT,
        fulfillment_url,
        allow_listed_buyers: buyers,
        product: info,
        dimensions,
        offer: offer_listing(offer),
    }
}

/// The first SaaS URL delivery option's id.
pub fn delivery_option_id(product: &Value) -> Option<String> {
    shapes::fulfillment_options(product)
        .into_iter()
        .next()
        .map(|f| f.option_id)
        .filter(|id| !id.is_empty())
}

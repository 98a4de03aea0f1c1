//! Reading Catalog documents as AWS shapes them (the SaaSProduct@1.0 and Offer@1.0 entity types
//! of awslabs/aws-marketplace-catalog-api-shapes-*, the ListEntities `OfferSummary`): pure
//! functions over JSON, shared by the checks and the app's product list.

use serde_json::Value;

/// The entity's `DetailsDocument` as JSON; the `Details` string only when AWS sent no document
/// (the string is capped at 16 KB, so a large product's is cut short).
pub fn details_json(document: Option<&aws_smithy_types::Document>, details: Option<&str>) -> Value {
    match document {
        Some(d) => document_to_json(d),
        None => details
            .and_then(|d| serde_json::from_str(d).ok())
            .unwrap_or_default(),
    }
}

/// A Smithy document (what the SDK parses `DetailsDocument` into) as serde JSON.
pub fn document_to_json(d: &aws_smithy_types::Document) -> Value {
    use aws_smithy_types::{Document, Number};
    match d {
        Document::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), document_to_json(v)))
                .collect(),
        ),
        Document::Array(a) => Value::Array(a.iter().map(document_to_json).collect()),
        Document::Number(Number::PosInt(n)) => Value::from(*n),
        Document::Number(Number::NegInt(n)) => Value::from(*n),
        Document::Number(Number::Float(f)) => Value::from(*f),
        Document::String(s) => Value::String(s.clone()),
        Document::Bool(b) => Value::Bool(*b),
        Document::Null => Value::Null,
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A SaaS URL delivery option of a product version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fulfillment {
    pub version_id: String,
    pub option_id: String,
    pub url: String,
    /// `Public`, `Limited`, `Restricted`, `Unavailable` or empty.
    pub visibility: String,
}

/// Every delivery option of every version that sends buyers to a SaaS fulfillment URL. A
/// product may have several versions and delivery options, not all with a FulfillmentUrl; API
/// delivery options (those with an `ApiType`) carry a FulfillmentUrl too but are not the SaaS
/// registration page, and restricted or unavailable options reach no new buyer.
pub fn fulfillment_options(product: &Value) -> Vec<Fulfillment> {
    let mut out = Vec::new();
    for v in product["Versions"].as_array().into_iter().flatten() {
        for o in v["DeliveryOptions"].as_array().into_iter().flatten() {
            let Some(url) = o["FulfillmentUrl"].as_str().filter(|u| !u.is_empty()) else {
                continue;
            };
            if o.get("ApiType").is_some_and(|t| !t.is_null()) {
                continue;
            }
            let visibility = o["Visibility"].as_str().unwrap_or_default().to_string();
            if matches!(visibility.as_str(), "Restricted" | "Unavailable") {
                continue;
            }
            out.push(Fulfillment {
                version_id: v["Id"].as_str().unwrap_or_default().into(),
                option_id: o["Id"].as_str().unwrap_or_default().into(),
                url: url.into(),
                visibility,
            });
        }
    }
    out
}

/// `Targeting.PositiveTargeting.BuyerAccounts` of a product.
pub fn buyer_accounts(product: &Value) -> Vec<String> {
    strings(&product["Targeting"]["PositiveTargeting"]["BuyerAccounts"])
}

/// What kind of offer a ListEntities row or an Offer@1.0 document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferKind {
    /// Released, for any buyer, still available: the product's public offer.
    Public,
    /// Targeted at named buyer accounts.
    Private,
    /// Not released yet.
    Draft,
    /// Its availability ended.
    Expired,
    /// Made by a channel partner from a resale authorization.
    Resale,
}

impl OfferKind {
    pub fn label(self) -> &'static str {
        match self {
            OfferKind::Public => "public",
            OfferKind::Private => "private",
            OfferKind::Draft => "draft",
            OfferKind::Expired => "expired",
            OfferKind::Resale => "channel partner",
        }
    }
}

/// Whether an ISO-8601 date or date-time (`2024-08-30`, `2024-08-30T01:56:03Z`,
/// `…T01:56:03.000Z`) is before `now`. Unreadable dates are not treated as past.
fn is_past(date: &str, now: chrono::DateTime<chrono::Utc>) -> bool {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(date) {
        return t < now;
    }
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok_and(|d| d < now.date_naive())
}

/// Classifies a ListEntities `OfferSummary` (State, Targeting, BuyerAccounts,
/// AvailabilityEndDate, ResaleAuthorizationId).
pub fn summary_kind(summary: &Value, now: chrono::DateTime<chrono::Utc>) -> OfferKind {
    let targeting = strings(&summary["Targeting"]);
    if summary["ResaleAuthorizationId"]
        .as_str()
        .is_some_and(|s| !s.is_empty())
    {
        OfferKind::Resale
    } else if summary["State"].as_str() != Some("Released") {
        OfferKind::Draft
    } else if targeting.iter().any(|t| t == "BuyerAccounts")
        || !strings(&summary["BuyerAccounts"]).is_empty()
    {
        OfferKind::Private
    } else if summary["AvailabilityEndDate"]
        .as_str()
        .is_some_and(|d| is_past(d, now))
    {
        OfferKind::Expired
    } else {
        OfferKind::Public
    }
}

/// Classifies an Offer@1.0 DetailsDocument (State, `Rules` of Type TargetingRule and
/// AvailabilityRule).
pub fn offer_kind(offer: &Value, now: chrono::DateTime<chrono::Utc>) -> OfferKind {
    let rules: Vec<&Value> = offer["Rules"].as_array().into_iter().flatten().collect();
    let private = rules.iter().any(|r| {
        r["Type"] == "TargetingRule"
            && !strings(&r["PositiveTargeting"]["BuyerAccounts"]).is_empty()
    });
    let expired = rules.iter().any(|r| {
        r["Type"] == "AvailabilityRule"
            && r["AvailabilityEndDate"]
                .as_str()
                .is_some_and(|d| is_past(d, now))
    });
    if offer["ResaleAuthorizationId"]
        .as_str()
        .is_some_and(|s| !s.is_empty())
    {
        OfferKind::Resale
    } else if offer["State"].as_str() != Some("Released") {
        OfferKind::Draft
    } else if private {
        OfferKind::Private
    } else if expired {
        OfferKind::Expired
    } else {
        OfferKind::Public
    }
}

/// The EULA an offer's `LegalTerm` carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Eula {
    /// AWS's Standard Contract for AWS Marketplace: no URL, only a version.
    Standard { version: String },
    /// The seller's own EULA at a URL (`None`: the document names no URL).
    Custom { url: Option<String> },
    /// The offer has no LegalTerm EULA document.
    Missing,
}

/// The offer's EULA: the first StandardEula or CustomEula document of its LegalTerm (the
/// other document types, StandardDsa and CustomDsa, are data subscription agreements).
pub fn eula(offer: &Value) -> Eula {
    for term in offer["Terms"].as_array().into_iter().flatten() {
        if term["Type"] != "LegalTerm" {
            continue;
        }
        for d in term["Documents"].as_array().into_iter().flatten() {
            match d["Type"].as_str() {
                Some("StandardEula") => {
                    return Eula::Standard {
                        version: d["Version"].as_str().unwrap_or_default().into(),
                    }
                }
                Some("CustomEula") => {
                    return Eula::Custom {
                        url: d["Url"]
                            .as_str()
                            .filter(|u| !u.is_empty())
                            .map(str::to_string),
                    }
                }
                _ => {}
            }
        }
    }
    Eula::Missing
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339("2026-12-01T00:00:00Z")
            .expect("date")
            .into()
    }

    #[test]
    fn fulfillment_found_in_any_version_and_option() {
        let p = json!({"Versions": [
            {"Id": "version-a", "DeliveryOptions": [{"Id": "do-api", "Type": "Api", "ApiType": "AGENT", "FulfillmentUrl": "https://api.example.com/f"}]},
            {"Id": "version-b", "DeliveryOptions": [
                {"Id": "do-old", "Type": "SaaSUrl", "FulfillmentUrl": "https://old.example.com/r", "Visibility": "Restricted"},
                {"Id": "do-none", "Type": "SaaSUrl"},
                {"Id": "do-new", "Type": "SaaSUrl", "FulfillmentUrl": "https://app.example.com/r", "Visibility": "Limited"}
            ]}
        ]});
        let f = fulfillment_options(&p);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].url, "https://app.example.com/r");
        assert_eq!(f[0].version_id, "version-b");
        assert!(fulfillment_options(
            &json!({"Versions": [{"Id": "v", "DeliveryOptions": [{"Id": "do-x"}]}]})
        )
        .is_empty());
    }

    #[test]
    fn offer_kinds_from_summaries_and_documents() {
        let s = |v: Value| summary_kind(&v, now());
        assert_eq!(
            s(json!({"State": "Released", "Targeting": []})),
            OfferKind::Public
        );
        assert_eq!(
            s(
                json!({"State": "Released", "Targeting": ["BuyerAccounts"], "BuyerAccounts": ["111122223333"]})
            ),
            OfferKind::Private
        );
        assert_eq!(s(json!({"State": "Draft"})), OfferKind::Draft);
        assert_eq!(
            s(json!({"State": "Released", "AvailabilityEndDate": "2025-01-01T00:00:00Z"})),
            OfferKind::Expired
        );
        assert_eq!(
            s(json!({"State": "Released", "AvailabilityEndDate": "2027-01-01T00:00:00Z"})),
            OfferKind::Public
        );
        assert_eq!(
            s(json!({"State": "Released", "ResaleAuthorizationId": "resaleauthz-1"})),
            OfferKind::Resale
        );
        let d = |v: Value| offer_kind(&v, now());
        assert_eq!(
            d(
                json!({"State": "Released", "Rules": [{"Type": "TargetingRule", "PositiveTargeting": {"BuyerAccounts": ["111122223333"]}}]})
            ),
            OfferKind::Private
        );
        assert_eq!(
            d(
                json!({"State": "Released", "Rules": [{"Type": "AvailabilityRule", "AvailabilityEndDate": "2023-01-01"}]})
            ),
            OfferKind::Expired
        );
        assert_eq!(
            d(
                json!({"State": "Released", "Rules": [{"Type": "TargetingRule", "PositiveTargeting": {"CountryCodes": ["US"]}}]})
            ),
            OfferKind::Public
        );
        assert_eq!(d(json!({"State": "Draft"})), OfferKind::Draft);
    }

    #[test]
    fn eula_documents() {
        let legal = |docs: Value| json!({"Terms": [{"Type": "SupportTerm"}, {"Type": "LegalTerm", "Documents": docs}]});
        assert_eq!(
            eula(&legal(
                json!([{"Type": "StandardEula", "Version": "2022-07-14"}])
            )),
            Eula::Standard {
                version: "2022-07-14".into()
            }
        );
        assert_eq!(
            eula(&legal(
                json!([{"Type": "CustomEula", "Url": "https://x.example.com/e.pdf"}])
            )),
            Eula::Custom {
                url: Some("https://x.example.com/e.pdf".into())
            }
        );
        assert_eq!(
            eula(&legal(json!([{"Type": "CustomEula"}]))),
            Eula::Custom { url: None }
        );
        assert_eq!(
            eula(&legal(
                json!([{"Type": "StandardDsa", "Version": "2022-07-14"}])
            )),
            Eula::Missing
        );
        assert_eq!(eula(&json!({"Terms": []})), Eula::Missing);
    }

    #[test]
    fn documents_become_json() {
        use aws_smithy_types::{Document, Number};
        let d = Document::Object(
            [
                (
                    "a".to_string(),
                    Document::Array(vec![Document::Number(Number::PosInt(3)), Document::Null]),
                ),
                ("b".to_string(), Document::String("x".into())),
            ]
            .into_iter()
            .collect(),
        );
        assert_eq!(document_to_json(&d), json!({"a": [3, null], "b": "x"}));
        assert_eq!(details_json(None, Some("{\"k\": 1}")), json!({"k": 1}));
        assert_eq!(details_json(Some(&d), Some("{\"k\": 1}"))["b"], "x");
    }
}

//! What each change does to the sandbox's products and offers. A change set is all or
//! nothing: its changes are first validated against the official shapes (every failing change
//! gets its ErrorDetailList), then applied in order to a working copy, which is stored only
//! when every change succeeded and the intent is APPLY.

use super::entities::{delivery_options, find_offer, version_id};
use super::validate::{self, ErrorDetail, INVALID_INPUT, PRICING_TERMS, RESOURCE_NOT_FOUND};
use crate::error::AwsResult;
use crate::model::{DeliveryOption, Dimension, Offer, PricingModel, Product};
use crate::{random_id, Sandbox};
use serde_json::{json, Value};
use std::collections::HashMap;

/// The entities the change set has touched so far, and the ids its named changes produced.
struct Work<'a> {
    sb: &'a Sandbox,
    now: i64,
    products: Vec<Product>,
    offers: Vec<Offer>,
    names: HashMap<String, String>,
}

impl Work<'_> {
    fn product(&self, id: &str) -> AwsResult<Option<Product>> {
        if let Some(p) = self.products.iter().find(|p| p.entity_id == id) {
            return Ok(Some(p.clone()));
        }
        Ok(self
            .sb
            .state
            .product(id)?
            .filter(|p| p.entity_id == id)
            .map(|p| (*p).clone()))
    }
    fn offer(&self, id: &str) -> AwsResult<Option<Offer>> {
        if let Some(o) = self.offers.iter().find(|o| o.id == id) {
            return Ok(Some(o.clone()));
        }
        find_offer(self.sb, id)
    }
    fn keep_product(&mut self, mut p: Product) {
        p.modified = self.now;
        self.products.retain(|x| x.entity_id != p.entity_id);
        self.products.push(p);
    }
    fn keep_offer(&mut self, mut o: Offer) {
        o.modified = self.now;
        self.offers.retain(|x| x.id != o.id);
        self.offers.push(o);
    }
    /// Replaces `$Name.Entity.Identifier` references in every string of `v`.
    fn resolve(&self, v: &mut Value) -> Result<(), ErrorDetail> {
        match v {
            Value::String(s) => {
                if let Some(name) = validate::reference(s) {
                    match self.names.get(name) {
                        Some(id) => *s = id.clone(),
                        None => {
                            return Err(ErrorDetail::new(
                                INVALID_INPUT,
                                format!("{s} names no earlier change that created an entity."),
                            ))
                        }
                    }
                }
            }
            Value::Array(a) => a.iter_mut().try_for_each(|x| self.resolve(x))?,
            Value::Object(o) => o.values_mut().try_for_each(|x| self.resolve(x))?,
            _ => {}
        }
        Ok(())
    }
}

/// Validates, then applies (unless `validate_only`) every change. `Some(description)` when
/// the change set fails; each failing change then carries its ErrorDetailList.
pub(super) fn run(
    sb: &Sandbox,
    changes: &mut [Value],
    validate_only: bool,
) -> AwsResult<Option<String>> {
    let mut failed = 0;
    for c in changes.iter_mut() {
        let errs = validate::validate_change(
            c["Entity"]["Type"].as_str().unwrap_or_default(),
            c["ChangeType"].as_str().unwrap_or_default(),
            &c["DetailsDocument"],
        );
        if !errs.is_empty() {
            failed += 1;
            c["ErrorDetailList"] = Value::Array(errs.iter().map(ErrorDetail::to_json).collect());
        }
    }
    if failed > 0 {
        return Ok(Some(format!("{failed} change(s) failed validation.")));
    }
    let mut w = Work {
        sb,
        now: sb.now(),
        products: Vec::new(),
        offers: Vec::new(),
        names: HashMap::new(),
    };
    for c in changes.iter_mut() {
        let result = match w.resolve(&mut c["Entity"]) {
            Ok(()) => {
                let mut details = c["DetailsDocument"].clone();
                w.resolve(&mut details)
                    .and_then(|()| apply_one(&mut w, c, &details))
            }
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            c["ErrorDetailList"] = json!([e.to_json()]);
            return Ok(Some(e.message));
        }
        if let (Some(name), Some(id)) =
            (c["ChangeName"].as_str(), c["Entity"]["Identifier"].as_str())
        {
            w.names.insert(
                name.to_string(),
                id.split('@').next().unwrap_or(id).to_string(),
            );
        }
    }
    if !validate_only {
        for p in &w.products {
            sb.state.put_product(p)?;
        }
        for o in &w.offers {
            sb.state.put_offer(o)?;
        }
    }
    Ok(None)
}

type Applied = Result<(), ErrorDetail>;

fn missing(kind: &str, id: &str) -> ErrorDetail {
    ErrorDetail::new(RESOURCE_NOT_FOUND, format!("{kind} {id} not found."))
}

fn apply_one(w: &mut Work, change: &mut Value, d: &Value) -> Applied {
    let ct = change["ChangeType"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let offer = change["Entity"]["Type"] == validate::OFFER;
    let id = change["Entity"]["Identifier"]
        .as_str()
        .unwrap_or_default()
        .split('@')
        .next()
        .unwrap_or_default()
        .to_string();
    let store = |e: crate::AwsError| ErrorDetail::new(INVALID_INPUT, e.message);
    if offer {
        if validate::creates_entity(&ct) {
            let new = create_offer(w, d).map_err(store)??;
            change["Entity"]["Identifier"] = json!(format!("{}@1", new.id));
            w.keep_offer(new);
            return Ok(());
        }
        let mut o = w
            .offer(&id)
            .map_err(store)?
            .ok_or_else(|| missing("Offer", &id))?;
        offer_change(&mut o, &ct, d, w.now)?;
        if ct == "ReleaseOffer" {
            // The product's public offer is the one its buyers are sent through.
            if let Some(mut p) = w.product(&o.product_id).map_err(store)? {
                if p.offer_id.is_empty() && super::entities::offer_buyers(&o.doc).is_empty() {
                    p.offer_id = o.id.clone();
                    w.keep_product(p);
                }
            }
        }
        w.keep_offer(o);
        return Ok(());
    }
    if ct == "CreateProduct" {
        let p = new_product(w, d);
        change["Entity"]["Identifier"] = json!(format!("{}@1", p.entity_id));
        w.keep_product(p);
        return Ok(());
    }
    let mut p = w
        .product(&id)
        .map_err(store)?
        .ok_or_else(|| missing("Entity", &id))?;
    product_change(&mut p, &ct, d)?;
    w.keep_product(p);
    Ok(())
}

fn new_product(w: &Work, d: &Value) -> Product {
    Product {
        entity_id: format!("prod-{}", random_id(13)),
        code: random_id(25),
        title: d["ProductTitle"]
            .as_str()
            .unwrap_or("Untitled product")
            .to_string(),
        short_description: String::new(),
        long_description: String::new(),
        pricing_model: PricingModel::Subscription,
        dimensions: Vec::new(),
        fulfillment_url: String::new(),
        eula_url: String::new(),
        buyer_accounts: Vec::new(),
        visibility: "Draft".into(),
        concurrent_agreements: true,
        seller_account_id: w.sb.config.seller_account_id.clone(),
        offer_id: String::new(),
        created: w.now,
        modified: w.now,
        delivery_options: Vec::new(),
        info: json!({}),
    }
}

fn create_offer(w: &Work, d: &Value) -> AwsResult<Result<Offer, ErrorDetail>> {
    let product_id = d["ProductId"].as_str().unwrap_or_default().to_string();
    if !product_id.is_empty() && w.product(&product_id)?.is_none() {
        return Ok(Err(missing("Product", &product_id)));
    }
    let id = format!("offer-{}", random_id(13));
    let mut doc =
        json!({"Id": id, "ProductId": product_id, "State": "Draft", "Rules": [], "Terms": []});
    for k in [
        "Name",
        "Description",
        "ResaleAuthorizationId",
        "AgreementId",
    ] {
        if let Some(v) = d.get(k).filter(|v| !v.is_null()) {
            doc[k] = v.clone();
        }
    }
    Ok(Ok(Offer {
        id,
        product_id,
        doc,
        released: None,
        created: w.now,
        modified: w.now,
    }))
}

/// Replaces the offer's terms of the given types with `terms`.
fn set_terms(doc: &mut Value, types: &[&str], terms: &Value) {
    let mut all: Vec<Value> = doc["Terms"].as_array().cloned().unwrap_or_default();
    all.retain(|t| !types.iter().any(|k| t["Type"] == *k));
    all.extend(terms.as_array().cloned().unwrap_or_default());
    doc["Terms"] = Value::Array(all);
}

fn set_rule(doc: &mut Value, rule: Value) {
    let kind = rule["Type"].clone();
    let mut rules: Vec<Value> = doc["Rules"].as_array().cloned().unwrap_or_default();
    rules.retain(|r| r["Type"] != kind);
    rules.push(rule);
    doc["Rules"] = Value::Array(rules);
}

fn offer_change(o: &mut Offer, ct: &str, d: &Value, now: i64) -> Applied {
    let doc = &mut o.doc;
    match ct {
        "UpdateInformation" => {
            for k in ["Name", "Description", "PreExistingAgreement"] {
                if let Some(v) = d.get(k).filter(|v| !v.is_null()) {
                    doc[k] = v.clone();
                }
            }
        }
        "UpdatePricingTerms" => {
            set_terms(doc, PRICING_TERMS, &d["Terms"]);
            doc["PricingModel"] = d["PricingModel"].clone();
        }
        "UpdateLegalTerms" => set_terms(doc, &["LegalTerm"], &d["Terms"]),
        "UpdateSupportTerms" => set_terms(doc, &["SupportTerm"], &d["Terms"]),
        "UpdateRenewalTerms" => set_terms(doc, &["RenewalTerm"], &d["Terms"]),
        "UpdateValidityTerms" => set_terms(doc, &["ValidityTerm"], &d["Terms"]),
        "UpdatePaymentScheduleTerms" => set_terms(doc, &["PaymentScheduleTerm"], &d["Terms"]),
        "UpdateCustomerVerificationTerms" => {
            set_terms(doc, &["CustomerVerificationTerm"], &d["Terms"])
        }
        "UpdateAvailability" => set_rule(
            doc,
            json!({"Type": "AvailabilityRule", "AvailabilityEndDate": d["AvailabilityEndDate"]}),
        ),
        "UpdateTargeting" => {
            let mut rule = json!({"Type": "TargetingRule"});
            for k in ["PositiveTargeting", "NegativeTargeting"] {
                if let Some(v) = d.get(k).filter(|v| !v.is_null()) {
                    rule[k] = v.clone();
                }
            }
            set_rule(doc, rule);
        }
        "UpdateMarkup" => doc["MarkupPercentage"] = d["Percentage"].clone(),
        "ReleaseOffer" => {
            let has = |k: &str| {
                doc["Terms"]
                    .as_array()
                    .is_some_and(|t| t.iter().any(|x| x["Type"] == k))
            };
            if !PRICING_TERMS.iter().any(|k| has(k)) {
                return Err(ErrorDetail::new(
                    INVALID_INPUT,
                    format!(
                        "Offer {} needs pricing terms (UpdatePricingTerms) before it is released.",
                        o.id
                    ),
                ));
            }
            if !has("LegalTerm") {
                return Err(ErrorDetail::new(
                    INVALID_INPUT,
                    format!(
                        "Offer {} needs legal terms (UpdateLegalTerms) before it is released.",
                        o.id
                    ),
                ));
            }
            if doc["State"] != "Released" {
                doc["State"] = json!("Released");
                o.released = Some(now);
            }
        }
        _ => {}
    }
    Ok(())
}

/// UpdateInformation fields kept beside the title and descriptions.
const INFO_FIELDS: &[&str] = &[
    "Highlights",
    "SearchKeywords",
    "Categories",
    "LogoUrl",
    "VideoUrls",
    "AdditionalResources",
    "SupportDescription",
    "Sku",
];

fn product_change(p: &mut Product, ct: &str, d: &Value) -> Applied {
    let invalid = |m: String| Err(ErrorDetail::new(INVALID_INPUT, m));
    match ct {
        "UpdateInformation" => {
            for (k, field) in [
                ("ProductTitle", &mut p.title),
                ("ShortDescription", &mut p.short_description),
                ("LongDescription", &mut p.long_description),
            ] {
                if let Some(t) = d[k].as_str() {
                    *field = t.into();
                }
            }
            if !p.info.is_object() {
                p.info = json!({});
            }
            for k in INFO_FIELDS {
                if let Some(v) = d.get(*k).filter(|v| !v.is_null()) {
                    p.info[*k] = v.clone();
                }
            }
        }
        "UpdateTargeting" => {
            p.buyer_accounts = d["PositiveTargeting"]["BuyerAccounts"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
        }
        "AddDeliveryOptions" => {
            let mut opts = delivery_options(p);
            for o in d["DeliveryOptions"].as_array().into_iter().flatten() {
                let saas = &o["Details"]["SaaSUrlDeliveryOptionDetails"];
                let api = &o["Details"]["ApiDeliveryOptionDetails"];
                let (kind, src) = if saas.is_object() {
                    ("SaaSUrl", saas)
                } else {
                    ("Api", api)
                };
                let url = src["FulfillmentUrl"].as_str().map(str::to_string);
                if kind == "SaaSUrl"
                    && opts
                        .iter()
                        .any(|x| x.kind == "SaaSUrl" && x.visibility != "Unavailable")
                {
                    return invalid(format!("Product {} already has a SaaS URL delivery option; change it with UpdateDeliveryOptions.", p.entity_id));
                }
                if kind == "SaaSUrl" {
                    p.fulfillment_url = url.clone().unwrap_or_default();
                }
                opts.push(DeliveryOption {
                    id: format!("do-{}", random_id(13)),
                    version_id: version_id(p),
                    kind: kind.into(),
                    fulfillment_url: url,
                    api_type: src["ApiType"].as_str().map(str::to_string),
                    visibility: if p.visibility == "Draft" {
                        "Limited".into()
                    } else {
                        p.visibility.clone()
                    },
                });
            }
            p.delivery_options = opts;
        }
        "UpdateDeliveryOptions" | "UpdateDeliveryOptionsVisibility" => {
            let mut opts = delivery_options(p);
            for o in d["DeliveryOptions"].as_array().into_iter().flatten() {
                let id = o["Id"].as_str().unwrap_or_default();
                let Some(x) = opts.iter_mut().find(|x| x.id == id) else {
                    return Err(missing("Delivery option", id));
                };
                if let Some(u) = o
                    .pointer("/Details/SaaSUrlDeliveryOptionDetails/FulfillmentUrl")
                    .and_then(Value::as_str)
                {
                    x.fulfillment_url = Some(u.into());
                }
                if let Some(v) = o["TargetVisibility"].as_str() {
                    x.visibility = v.into();
                }
            }
            // The buyer flow follows the first SaaS URL option still offered.
            p.fulfillment_url = opts
                .iter()
                .find(|x| x.kind == "SaaSUrl" && x.visibility != "Unavailable")
                .and_then(|x| x.fulfillment_url.clone())
                .unwrap_or_default();
            p.delivery_options = opts;
        }
        "AddDimensions" | "UpdateDimensions" | "RestrictDimensions" => {
            let list = d
                .as_array()
                .or_else(|| d["Dimensions"].as_array())
                .cloned()
                .unwrap_or_default();
            for x in list {
                let key = x["Key"].as_str().unwrap_or_default().to_string();
                let types: Vec<String> = x["Types"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|t| t.as_str().map(str::to_string))
                    .collect();
                let at = p.dimensions.iter().position(|y| y.key == key);
                match (ct, at) {
                    ("AddDimensions", Some(_)) => {
                        return invalid(format!("Dimension '{key}' already exists."))
                    }
                    ("AddDimensions", None) => p.dimensions.push(Dimension {
                        key: key.clone(),
                        name: x["Name"].as_str().unwrap_or(&key).to_string(),
                        description: x["Description"].as_str().unwrap_or_default().to_string(),
                        types,
                        unit: x["Unit"].as_str().unwrap_or("Units").to_string(),
                    }),
                    (_, None) => return invalid(format!("Dimension '{key}' does not exist.")),
                    ("RestrictDimensions", Some(i)) => {
                        p.dimensions.remove(i);
                    }
                    (_, Some(i)) => {
                        let dim = &mut p.dimensions[i];
                        if let Some(n) = x["Name"].as_str() {
                            dim.name = n.into();
                        }
                        if let Some(n) = x["Description"].as_str() {
                            dim.description = n.into();
                        }
                        dim.types = types;
                    }
                }
            }
        }
        // Draft → Limited; a product already released stays as it is.
        "ReleaseProduct" if p.visibility == "Draft" => p.visibility = "Limited".into(),
        "UpdateVisibility" => {
            p.visibility = d["TargetVisibility"].as_str().unwrap_or("Limited").into()
        }
        _ => {}
    }
    Ok(())
}

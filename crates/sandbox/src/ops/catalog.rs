//! AWS Marketplace Catalog API (restJson1): ListEntities, DescribeEntity, StartChangeSet,
//! DescribeChangeSet, ListChangeSets, CancelChangeSet. Change sets move PREPARING → APPLYING →
//! SUCCEEDED/FAILED over a few hundred milliseconds of real time; they are advanced (and their
//! changes applied) at the start of every Catalog call, so no background task is needed.

use crate::error::{AwsError, AwsResult};
use crate::model::{Dimension, PricingModel, Product};
use crate::{opt_str, random_id, req_str, Sandbox};
use serde_json::{json, Value};

const CATALOG: &str = "AWSMarketplace";
const PREPARING_MS: i64 = 150;
const APPLYING_MS: i64 = 300;
const CHANGE_TYPES: &[&str] = &[
    "CreateProduct",
    "UpdateInformation",
    "UpdateTargeting",
    "AddDeliveryOptions",
    "UpdateDeliveryOptions",
    "AddDimensions",
    "UpdateDimensions",
    "ReleaseProduct",
    "UpdateVisibility",
    "CreateOffer",
    "UpdatePricingTerms",
    "UpdateLegalTerms",
    "UpdateSupportTerms",
    "UpdateAvailability",
    "ReleaseOffer",
];

fn validation(msg: impl Into<String>) -> AwsError {
    AwsError::new(422, "ValidationException", msg)
}

fn not_found(msg: impl Into<String>) -> AwsError {
    AwsError::new(404, "ResourceNotFoundException", msg)
}

pub fn iso(epoch: i64) -> String {
    chrono::DateTime::from_timestamp(epoch, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub async fn call(sb: &Sandbox, op: &str, input: &Value) -> AwsResult<Value> {
    let catalog = req_str(input, "Catalog")?;
    if catalog != CATALOG {
        return Err(validation(format!(
            "Catalog '{catalog}' is not supported; use AWSMarketplace."
        )));
    }
    advance_change_sets(sb)?;
    match op {
        "ListEntities" => list_entities(sb, input),
        "DescribeEntity" => describe_entity(sb, input),
        "StartChangeSet" => start_change_set(sb, input),
        "DescribeChangeSet" => describe_change_set(sb, input),
        "ListChangeSets" => list_change_sets(sb, input),
        "CancelChangeSet" => cancel_change_set(sb, input),
        _ => Err(AwsError::unknown_operation(op)),
    }
}

pub fn entity_arn(sb: &Sandbox, kind: &str, id: &str) -> String {
    format!(
        "arn:aws:aws-marketplace:us-east-1:{}:AWSMarketplace/{kind}/{id}",
        sb.config.seller_account_id
    )
}

/// The entity's details as AWS shapes a SaaSProduct.
pub fn product_details(p: &Product) -> Value {
    json!({
        "Description": {
            "ProductTitle": p.title,
            "ProductCode": p.code,
            "ShortDescription": p.short_description,
            "LongDescription": p.long_description,
            "Manufacturer": "Listing Assistant sandbox",
            "ProductState": "Active",
            "Visibility": p.visibility,
            "Categories": ["Developer Tools"],
            "Highlights": [],
            "SearchKeywords": [],
            "AssociatedProducts": null,
            "Sku": null
        },
        "PromotionalResources": {"LogoUrl": null, "Videos": [], "AdditionalResources": [], "PromotionalMedia": null},
        "SupportInformation": {"Description": "Support through the SaaS's help page."},
        "Dimensions": p.dimensions.iter().map(|d| json!({
            "Key": d.key, "Name": d.name, "Description": d.description, "Types": d.types, "Unit": d.unit
        })).collect::<Vec<_>>(),
        "Versions": [{
            "Id": format!("version-{}", &p.entity_id[5..]),
            "VersionTitle": "1.0",
            "ReleaseNotes": "",
            "CreationDate": iso(p.created),
            "DeliveryOptions": [{
                "Id": format!("do-{}", &p.entity_id[5..]),
                "Type": "SaaSUrl",
                "Title": "SaaS",
                "ShortDescription": "Software as a Service",
                "Visibility": p.visibility,
                "FulfillmentUrl": p.fulfillment_url,
                "Instructions": {"Usage": []}
            }]
        }],
        "Targeting": {"PositiveTargeting": {"BuyerAccounts": p.buyer_accounts}},
        "Repositories": [],
    })
}

/// The product's public offer, shaped like an `Offer@1.0` entity: the pricing terms follow the
/// pricing model and the legal term carries the EULA.
pub fn offer_details(p: &Product) -> Value {
    let rate_card = |metered: bool| -> Vec<Value> {
        p.dimensions
            .iter()
            .filter(|d| if metered { d.metered() } else { d.entitled() })
            .map(|d| json!({"DimensionKey": d.key, "Price": "0.01"}))
            .collect()
    };
    let mut terms = vec![json!({
        "Id": format!("term-legal-{}", &p.entity_id[5..]),
        "Type": "LegalTerm",
        "Documents": [{"Type": "CustomEula", "Url": p.eula_url}],
    })];
    if p.pricing_model != PricingModel::Subscription {
        terms.push(json!({
            "Id": format!("term-upfront-{}", &p.entity_id[5..]),
            "Type": "ConfigurableUpfrontPricingTerm",
            "CurrencyCode": "USD",
            "RateCards": [{"Selector": {"Type": "Duration", "Value": "P12M"}, "Constraints": {"MultipleDimensionSelection": "Allowed", "QuantityConfiguration": "Allowed"}, "RateCard": rate_card(false)}],
        }));
    }
    if p.pricing_model != PricingModel::Contract {
        terms.push(json!({
            "Id": format!("term-usage-{}", &p.entity_id[5..]),
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
        "Terms": terms,
        "Targeting": {},
    })
}

fn filter_values(input: &Value, name: &str) -> Option<Vec<String>> {
    // The newer typed filters first, then the legacy FilterList.
    let typed = input
        .pointer(&format!(
            "/EntityTypeFilters/SaaSProductFilters/{name}/ValueList"
        ))
        .and_then(Value::as_array);
    let legacy = input
        .get("FilterList")
        .and_then(Value::as_array)
        .and_then(|l| {
            l.iter()
                .find(|f| f.get("Name").and_then(Value::as_str) == Some(name))
                .and_then(|f| f.get("ValueList"))
                .and_then(Value::as_array)
        });
    typed.or(legacy).map(|a| {
        a.iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    })
}

fn page_params(input: &Value, max_limit: u64) -> AwsResult<(usize, usize)> {
    let max = match input.get("MaxResults") {
        None | Some(Value::Null) => 20,
        Some(v) => match v.as_u64() {
            Some(n) if (1..=max_limit).contains(&n) => n as usize,
            _ => {
                return Err(validation(format!(
                    "MaxResults must be between 1 and {max_limit}."
                )))
            }
        },
    };
    let start = match opt_str(input, "NextToken")? {
        None => 0,
        Some(t) => t
            .strip_prefix("page-")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| validation("The NextToken is invalid."))?,
    };
    Ok((start, max))
}

fn list_entities(sb: &Sandbox, input: &Value) -> AwsResult<Value> {
    let entity_type = req_str(input, "EntityType")?;
    let (start, max) = page_params(input, 50)?;
    let all = sb.state.products()?;
    if entity_type == "Offer" {
        let offers: Vec<Value> = all
            .iter()
            .filter(|p| !p.offer_id.is_empty())
            .map(|p| {
                json!({
                    "Name": format!("{} public offer", p.title),
                    "EntityType": "Offer",
                    "EntityId": p.offer_id,
                    "EntityArn": entity_arn(sb, "Offer", &p.offer_id),
                    "LastModifiedDate": iso(p.modified),
                    "Visibility": p.visibility,
                    "OfferSummary": {"Name": format!("{} public offer", p.title), "ProductId": p.entity_id, "State": "Released"}
                })
            })
            .collect();
        let mut out =
            json!({"EntitySummaryList": offers.iter().skip(start).take(max).collect::<Vec<_>>()});
        if start + max < offers.len() {
            out["NextToken"] = json!(format!("page-{}", start + max));
        }
        return Ok(out);
    }
    let products = if entity_type == "SaaSProduct" {
        all
    } else {
        Vec::new()
    };
    let ids = filter_values(input, "EntityId");
    let titles = filter_values(input, "ProductTitle").or_else(|| filter_values(input, "Name"));
    let vis = filter_values(input, "Visibility");
    let matching: Vec<Value> = products
        .iter()
        .filter(|p| ids.as_ref().is_none_or(|v| v.contains(&p.entity_id)))
        .filter(|p| titles.as_ref().is_none_or(|v| v.contains(&p.title)))
        .filter(|p| vis.as_ref().is_none_or(|v| v.contains(&p.visibility)))
        .map(|p| {
            json!({
                "Name": p.title,
                "EntityType": "SaaSProduct",
                "EntityId": p.entity_id,
                "EntityArn": entity_arn(sb, "SaaSProduct", &p.entity_id),
                "LastModifiedDate": iso(p.modified),
                "Visibility": p.visibility,
                "SaaSProductSummary": {"ProductTitle": p.title, "Visibility": p.visibility}
            })
        })
        .collect();
    let mut out =
        json!({"EntitySummaryList": matching.iter().skip(start).take(max).collect::<Vec<_>>()});
    if start + max < matching.len() {
        out["NextToken"] = json!(format!("page-{}", start + max));
    }
    Ok(out)
}

fn describe_entity(sb: &Sandbox, input: &Value) -> AwsResult<Value> {
    let id = req_str(input, "EntityId")?;
    if id.starts_with("offer-") {
        let p = sb
            .state
            .products()?
            .into_iter()
            .find(|p| p.offer_id == id)
            .ok_or_else(|| not_found(format!("Requested entity {id} not found.")))?;
        let details = offer_details(&p);
        return Ok(json!({
            "EntityType": "Offer@1.0",
            "EntityIdentifier": format!("{id}@1"),
            "EntityArn": entity_arn(sb, "Offer", id),
            "LastModifiedDate": iso(p.modified),
            "Details": details.to_string(),
            "DetailsDocument": details,
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

fn start_change_set(sb: &Sandbox, input: &Value) -> AwsResult<Value> {
    let changes = input
        .get("ChangeSet")
        .and_then(Value::as_array)
        .ok_or_else(|| validation("ChangeSet must be a list of changes."))?;
    if changes.is_empty() || changes.len() > 20 {
        return Err(validation("ChangeSet must have between 1 and 20 changes."));
    }
    let intent = opt_str(input, "Intent")?.unwrap_or("APPLY");
    if !matches!(intent, "APPLY" | "VALIDATE") {
        return Err(validation(format!(
            "Intent '{intent}' is not one of APPLY, VALIDATE."
        )));
    }
    let mut stored_changes = Vec::new();
    for (i, c) in changes.iter().enumerate() {
        let ct = req_str(c, "ChangeType")?;
        if !CHANGE_TYPES.contains(&ct) {
            return Err(validation(format!(
                "ChangeSet[{i}].ChangeType '{ct}' is not supported."
            )));
        }
        let entity = c
            .get("Entity")
            .ok_or_else(|| validation(format!("ChangeSet[{i}].Entity is required.")))?;
        let etype = req_str(entity, "Type")?;
        if !matches!(etype, "SaaSProduct@1.0" | "Offer@1.0") {
            return Err(validation(format!(
                "Entity type '{etype}' is not supported by the sandbox."
            )));
        }
        let details: Value = match (c.get("Details"), c.get("DetailsDocument")) {
            (Some(Value::String(s)), _) => serde_json::from_str(s).map_err(|e| {
                validation(format!("ChangeSet[{i}].Details is not valid JSON: {e}"))
            })?,
            (_, Some(doc)) if !doc.is_null() => doc.clone(),
            _ => {
                return Err(validation(format!(
                    "ChangeSet[{i}] needs Details or DetailsDocument."
                )))
            }
        };
        stored_changes.push(json!({
            "ChangeType": ct,
            "ChangeName": c.get("ChangeName"),
            "Entity": {"Type": etype, "Identifier": entity.get("Identifier")},
            "Details": details.to_string(),
            "DetailsDocument": details,
            "ErrorDetailList": [],
        }));
    }
    let id = random_id(25);
    let started = sb.now();
    let doc = json!({
        "ChangeSetId": id,
        "ChangeSetArn": entity_arn(sb, "ChangeSet", &id),
        "ChangeSetName": input.get("ChangeSetName"),
        "Intent": intent,
        "StartTime": iso(started),
        "Status": "PREPARING",
        "ChangeSet": stored_changes,
        "_startedMs": now_ms(),
    });
    sb.state.put_change_set(&id, started, &doc)?;
    Ok(json!({"ChangeSetId": id, "ChangeSetArn": entity_arn(sb, "ChangeSet", &id)}))
}

/// Moves change sets along by elapsed time and applies those that reach the end.
fn advance_change_sets(sb: &Sandbox) -> AwsResult<()> {
    let now = now_ms();
    for mut cs in sb.state.change_sets()? {
        let status = cs["Status"].as_str().unwrap_or_default().to_string();
        if !matches!(status.as_str(), "PREPARING" | "APPLYING") {
            continue;
        }
        let elapsed = now - cs["_startedMs"].as_i64().unwrap_or(now);
        let id = cs["ChangeSetId"].as_str().unwrap_or_default().to_string();
        if elapsed >= APPLYING_MS {
            let validate_only = cs["Intent"] == "VALIDATE";
            let mut changes = cs["ChangeSet"].as_array().cloned().unwrap_or_default();
            let failure = apply_changes(sb, &mut changes, validate_only)?;
            cs["ChangeSet"] = Value::Array(changes);
            cs["EndTime"] = json!(iso(sb.now()));
            if let Some(desc) = failure {
                cs["Status"] = json!("FAILED");
                cs["FailureCode"] = json!("CLIENT_ERROR");
                cs["FailureDescription"] = json!(desc);
            } else {
                cs["Status"] = json!("SUCCEEDED");
            }
        } else if elapsed >= PREPARING_MS && status == "PREPARING" {
            cs["Status"] = json!("APPLYING");
        } else {
            continue;
        }
        let started = sb.now();
        sb.state.put_change_set(&id, started, &cs)?;
    }
    Ok(())
}

fn change_error(change: &mut Value, code: &str, msg: String) -> String {
    change["ErrorDetailList"] = json!([{"ErrorCode": code, "ErrorMessage": msg}]);
    msg
}

/// Applies (or, for VALIDATE, only checks) every change; all or nothing.
fn apply_changes(
    sb: &Sandbox,
    changes: &mut [Value],
    validate_only: bool,
) -> AwsResult<Option<String>> {
    let mut touched: Vec<Product> = Vec::new();
    let now = sb.now();
    for change in changes.iter_mut() {
        let ct = change["ChangeType"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let etype = change["Entity"]["Type"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let details = change["DetailsDocument"].clone();
        if etype == "Offer@1.0" {
            // Offers: the legal terms carry the EULA the checks read; the rest is accepted as is.
            if ct == "CreateOffer" {
                let pid = details["ProductId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let Some(mut p) = load(sb, &touched, &pid)? else {
                    return Ok(Some(change_error(
                        change,
                        "RESOURCE_NOT_FOUND",
                        format!("Product {pid} not found."),
                    )));
                };
                p.offer_id = format!("offer-{}", random_id(13));
                change["Entity"]["Identifier"] = json!(p.offer_id);
                keep(&mut touched, p);
            } else if ct == "UpdateLegalTerms" {
                let offer = change["Entity"]["Identifier"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let url = details
                    .pointer("/Terms/0/Documents/0/Url")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let product = sb
                    .state
                    .products()?
                    .into_iter()
                    .find(|p| p.offer_id == offer && !offer.is_empty());
                match (product, url) {
                    (Some(mut p), Some(u)) => {
                        p.eula_url = u;
                        keep(&mut touched, p);
                    }
                    (None, _) => {
                        return Ok(Some(change_error(
                            change,
                            "RESOURCE_NOT_FOUND",
                            format!("Offer {offer} not found."),
                        )))
                    }
                    (_, None) => {
                        return Ok(Some(change_error(
                            change,
                            "INVALID_INPUT",
                            "Terms[0].Documents[0].Url is required.".into(),
                        )))
                    }
                }
            }
            continue;
        }
        if ct == "CreateProduct" {
            let p = Product {
                entity_id: format!("prod-{}", random_id(13)),
                code: random_id(25),
                title: details["ProductTitle"]
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
                seller_account_id: sb.config.seller_account_id.clone(),
                offer_id: String::new(),
                created: now,
                modified: now,
            };
            change["Entity"]["Identifier"] = json!(p.entity_id);
            keep(&mut touched, p);
            continue;
        }
        let id = change["Entity"]["Identifier"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let id = id.split('@').next().unwrap_or_default().to_string();
        let Some(mut p) = load(sb, &touched, &id)? else {
            return Ok(Some(change_error(
                change,
                "RESOURCE_NOT_FOUND",
                format!("Entity {id} not found."),
            )));
        };
        let result: Result<(), String> = match ct.as_str() {
            "UpdateInformation" => {
                if let Some(t) = details["ProductTitle"].as_str() {
                    p.title = t.into();
                }
                if let Some(t) = details["ShortDescription"].as_str() {
                    p.short_description = t.into();
                }
                if let Some(t) = details["LongDescription"].as_str() {
                    p.long_description = t.into();
                }
                Ok(())
            }
            "UpdateTargeting" => match details
                .pointer("/PositiveTargeting/BuyerAccounts")
                .and_then(Value::as_array)
            {
                Some(a) => {
                    let accounts: Vec<String> = a
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect();
                    if let Some(bad) = accounts
                        .iter()
                        .find(|a| !(a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit())))
                    {
                        Err(format!(
                            "Buyer account {bad} is not a 12-digit AWS account ID."
                        ))
                    } else {
                        p.buyer_accounts = accounts;
                        Ok(())
                    }
                }
                None => Err("PositiveTargeting.BuyerAccounts is required.".into()),
            },
            "AddDeliveryOptions" | "UpdateDeliveryOptions" => {
                match details.pointer("/DeliveryOptions/0/Details/SaaSUrlDeliveryOptionDetails/FulfillmentUrl").and_then(Value::as_str) {
                    Some(u) if u.starts_with("https://") || u.starts_with("http://127.0.0.1") || u.starts_with("http://localhost") => {
                        p.fulfillment_url = u.into();
                        Ok(())
                    }
                    Some(u) => Err(format!("FulfillmentUrl {u} must use HTTPS.")),
                    None => Err("DeliveryOptions[0].Details.SaaSUrlDeliveryOptionDetails.FulfillmentUrl is required.".into()),
                }
            }
            "AddDimensions" | "UpdateDimensions" => {
                let list = details
                    .as_array()
                    .or_else(|| details["Dimensions"].as_array())
                    .cloned()
                    .unwrap_or_default();
                if list.is_empty() {
                    Err("At least one dimension is required.".into())
                } else {
                    let mut err = None;
                    for d in list {
                        let key = d["Key"].as_str().unwrap_or_default().to_string();
                        let types: Vec<String> = d["Types"]
                            .as_array()
                            .map(|t| {
                                t.iter()
                                    .filter_map(|x| x.as_str().map(str::to_string))
                                    .collect()
                            })
                            .unwrap_or_default();
                        if key.is_empty()
                            || types
                                .iter()
                                .any(|t| t != "Entitled" && t != "ExternallyMetered")
                        {
                            err = Some(format!("Dimension '{key}' needs a Key and Types of Entitled or ExternallyMetered."));
                            break;
                        }
                        let exists = p.dimensions.iter().position(|x| x.key == key);
                        let dim = Dimension {
                            key: key.clone(),
                            name: d["Name"].as_str().unwrap_or(&key).to_string(),
                            description: d["Description"].as_str().unwrap_or_default().to_string(),
                            types,
                            unit: d["Unit"].as_str().unwrap_or("Units").to_string(),
                        };
                        match (ct.as_str(), exists) {
                            ("AddDimensions", Some(_)) => {
                                err = Some(format!("Dimension '{key}' already exists."));
                                break;
                            }
                            ("UpdateDimensions", None) => {
                                err = Some(format!("Dimension '{key}' does not exist."));
                                break;
                            }
                            (_, Some(i)) => p.dimensions[i] = dim,
                            (_, None) => p.dimensions.push(dim),
                        }
                    }
                    err.map_or(Ok(()), Err)
                }
            }
            "ReleaseProduct" => {
                if p.visibility == "Draft" {
                    p.visibility = "Limited".into();
                }
                Ok(())
            }
            "UpdateVisibility" => match details["TargetVisibility"].as_str() {
                Some(v @ ("Public" | "Limited" | "Restricted")) => {
                    p.visibility = v.into();
                    Ok(())
                }
                _ => Err("TargetVisibility must be Public, Limited or Restricted.".into()),
            },
            _ => Ok(()),
        };
        if let Err(msg) = result {
            return Ok(Some(change_error(change, "INVALID_INPUT", msg)));
        }
        p.modified = now;
        keep(&mut touched, p);
    }
    if !validate_only {
        for p in &touched {
            sb.state.put_product(p)?;
        }
    }
    Ok(None)
}

fn load(sb: &Sandbox, touched: &[Product], id: &str) -> AwsResult<Option<Product>> {
    if let Some(p) = touched.iter().find(|p| p.entity_id == id) {
        return Ok(Some(p.clone()));
    }
    Ok(sb
        .state
        .product(id)?
        .filter(|p| p.entity_id == id)
        .map(|p| (*p).clone()))
}

fn keep(touched: &mut Vec<Product>, p: Product) {
    touched.retain(|x| x.entity_id != p.entity_id);
    touched.push(p);
}

fn public_change_set(mut cs: Value) -> Value {
    if let Some(o) = cs.as_object_mut() {
        o.remove("_startedMs");
        o.retain(|_, v| !v.is_null());
    }
    cs
}

fn describe_change_set(sb: &Sandbox, input: &Value) -> AwsResult<Value> {
    let id = req_str(input, "ChangeSetId")?;
    let cs = sb
        .state
        .change_set(id)?
        .ok_or_else(|| not_found(format!("Change set {id} not found.")))?;
    Ok(public_change_set(cs))
}

fn list_change_sets(sb: &Sandbox, input: &Value) -> AwsResult<Value> {
    let (start, max) = page_params(input, 20)?;
    let status = filter_values(input, "Status");
    let names = filter_values(input, "ChangeSetName");
    let entities = filter_values(input, "EntityId");
    let all: Vec<Value> = sb
        .state
        .change_sets()?
        .into_iter()
        .filter(|cs| {
            status
                .as_ref()
                .is_none_or(|v| v.iter().any(|s| cs["Status"] == *s))
        })
        .filter(|cs| {
            names
                .as_ref()
                .is_none_or(|v| v.iter().any(|s| cs["ChangeSetName"] == *s))
        })
        .map(|cs| {
            let ids: Vec<Value> = cs["ChangeSet"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|c| c["Entity"]["Identifier"].clone())
                        .filter(|v| !v.is_null())
                        .collect()
                })
                .unwrap_or_default();
            let mut s = json!({
                "ChangeSetId": cs["ChangeSetId"],
                "ChangeSetArn": cs["ChangeSetArn"],
                "ChangeSetName": cs["ChangeSetName"],
                "StartTime": cs["StartTime"],
                "EndTime": cs["EndTime"],
                "Status": cs["Status"],
                "EntityIdList": ids,
                "FailureCode": cs["FailureCode"],
            });
            if let Some(o) = s.as_object_mut() {
                o.retain(|_, v| !v.is_null());
            }
            s
        })
        .filter(|s| {
            entities.as_ref().is_none_or(|v| {
                s["EntityIdList"]
                    .as_array()
                    .is_some_and(|ids| ids.iter().any(|i| v.iter().any(|e| i == e)))
            })
        })
        .collect();
    let mut out =
        json!({"ChangeSetSummaryList": all.iter().skip(start).take(max).collect::<Vec<_>>()});
    if start + max < all.len() {
        out["NextToken"] = json!(format!("page-{}", start + max));
    }
    Ok(out)
}

fn cancel_change_set(sb: &Sandbox, input: &Value) -> AwsResult<Value> {
    let id = req_str(input, "ChangeSetId")?;
    let mut cs = sb
        .state
        .change_set(id)?
        .ok_or_else(|| not_found(format!("Change set {id} not found.")))?;
    if !matches!(cs["Status"].as_str(), Some("PREPARING")) {
        return Err(AwsError::new(
            423,
            "ResourceInUseException",
            format!("Change set {id} can no longer be cancelled."),
        ));
    }
    cs["Status"] = json!("CANCELLED");
    cs["EndTime"] = json!(iso(sb.now()));
    sb.state.put_change_set(id, sb.now(), &cs)?;
    Ok(json!({"ChangeSetId": id, "ChangeSetArn": cs["ChangeSetArn"]}))
}

//! StartChangeSet, DescribeChangeSet, ListChangeSets, CancelChangeSet, and the clock that moves
//! change sets along.

use super::{
    apply, iso, not_found, page, page_params, review, sort_param, sort_rows, validate, validation,
};
use super::{entity_arn, filter_values};
use crate::error::{AwsError, AwsResult};
use crate::{opt_str, random_id, req_str, Sandbox};
use serde_json::{json, Value};
use std::collections::HashSet;

const PREPARING_MS: i64 = 150;
const APPLYING_MS: i64 = 300;

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Every `$Name.Entity.Identifier` reference in `v`.
fn references<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.extend(validate::reference(s)),
        Value::Array(a) => a.iter().for_each(|x| references(x, out)),
        Value::Object(o) => o.values().for_each(|x| references(x, out)),
        _ => {}
    }
}

/// Checks what AWS refuses synchronously (ValidationException): the list's size, the intent,
/// unknown entity or change types, a missing Identifier, duplicate change names, references
/// to no earlier named change. The details themselves are judged per change later.
pub(super) fn start(sb: &Sandbox, input: &Value) -> AwsResult<Value> {
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
    let mut names: HashSet<String> = HashSet::new();
    let mut stored = Vec::new();
    for (i, c) in changes.iter().enumerate() {
        let ct = req_str(c, "ChangeType")?;
        let entity = c
            .get("Entity")
            .ok_or_else(|| validation(format!("ChangeSet[{i}].Entity is required.")))?;
        let etype = req_str(entity, "Type")?;
        if !matches!(etype, validate::SAAS_PRODUCT | validate::OFFER) {
            return Err(validation(format!(
                "Entity type '{etype}' is not supported by the sandbox."
            )));
        }
        if validate::shape_of(etype, ct).is_none() {
            return Err(validation(format!(
                "ChangeSet[{i}].ChangeType '{ct}' is not supported for {etype}."
            )));
        }
        let ident = entity
            .get("Identifier")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        if ident.is_none() && !validate::creates_entity(ct) {
            return Err(validation(format!(
                "ChangeSet[{i}].Entity.Identifier is required for {ct}."
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
        let mut refs = Vec::new();
        references(entity, &mut refs);
        references(&details, &mut refs);
        if let Some(r) = refs.iter().find(|r| !names.contains(**r)) {
            return Err(validation(format!(
                "ChangeSet[{i}] references ${r}.Entity.Identifier, but no earlier change is named {r}."
            )));
        }
        let name = c.get("ChangeName").and_then(Value::as_str);
        if let Some(n) = name {
            if !names.insert(n.to_string()) {
                return Err(validation(format!("ChangeName '{n}' is used twice.")));
            }
        }
        let mut e = json!({"Type": etype});
        if let Some(id) = ident {
            e["Identifier"] = json!(id);
        }
        let mut change = json!({
            "ChangeType": ct,
            "Entity": e,
            "Details": details.to_string(),
            "DetailsDocument": details,
            "ErrorDetailList": [],
        });
        if let Some(n) = name {
            change["ChangeName"] = json!(n);
        }
        stored.push(change);
    }
    // AWS's idempotency: a retried request with the same ClientRequestToken gets the change set
    // the first one started, never a second one.
    let token = opt_str(input, "ClientRequestToken")?;
    let fingerprint = json!([intent, opt_str(input, "ChangeSetName")?, &stored]).to_string();
    if let Some(t) = token {
        if let Some(cs) = sb
            .state
            .change_sets()?
            .into_iter()
            .find(|cs| cs["_clientToken"] == t)
        {
            if cs["_request"] != fingerprint.as_str() {
                return Err(validation(format!(
                    "ClientRequestToken '{t}' was already used for a different request."
                )));
            }
            return Ok(
                json!({"ChangeSetId": cs["ChangeSetId"], "ChangeSetArn": cs["ChangeSetArn"]}),
            );
        }
    }
    let id = random_id(25);
    let started = sb.now();
    let mut doc = json!({
        "ChangeSetId": id,
        "ChangeSetArn": entity_arn(sb, "ChangeSet", &id),
        "Intent": intent,
        "StartTime": iso(started),
        "Status": "PREPARING",
        "ChangeSet": stored,
        "_startedMs": now_ms(),
    });
    if let Some(n) = opt_str(input, "ChangeSetName")? {
        doc["ChangeSetName"] = json!(n);
    }
    if let Some(t) = token {
        doc["_clientToken"] = json!(t);
        doc["_request"] = json!(fingerprint);
    }
    sb.state.put_change_set(&id, started, &doc)?;
    Ok(json!({"ChangeSetId": id, "ChangeSetArn": entity_arn(sb, "ChangeSet", &id)}))
}

/// Moves change sets along by elapsed time and applies those that reach the end.
pub(super) fn advance(sb: &Sandbox) -> AwsResult<()> {
    let now = now_ms();
    for mut cs in sb.state.change_sets()? {
        let status = cs["Status"].as_str().unwrap_or_default().to_string();
        if !matches!(status.as_str(), "PREPARING" | "APPLYING") {
            continue;
        }
        let elapsed = now - cs["_startedMs"].as_i64().unwrap_or(now);
        let id = cs["ChangeSetId"].as_str().unwrap_or_default().to_string();
        if elapsed >= APPLYING_MS {
            match review::hold(sb, &mut cs)? {
                review::Hold::Proceed => {}
                review::Hold::Wait => {
                    if status == "PREPARING" {
                        cs["Status"] = json!("APPLYING");
                    }
                    sb.state.put_change_set(&id, sb.now(), &cs)?;
                    continue;
                }
                review::Hold::Refuse { change, error } => {
                    cs["ChangeSet"][change]["ErrorDetailList"] = json!([error.to_json()]);
                    cs["Status"] = json!("FAILED");
                    cs["FailureCode"] = json!("CLIENT_ERROR");
                    cs["FailureDescription"] = json!(error.message);
                    cs["EndTime"] = json!(iso(sb.now()));
                    sb.state.put_change_set(&id, sb.now(), &cs)?;
                    continue;
                }
            }
            let validate_only = cs["Intent"] == "VALIDATE";
            let mut changes = cs["ChangeSet"].as_array().cloned().unwrap_or_default();
            let failure = apply::run(sb, &mut changes, validate_only)?;
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
        sb.state.put_change_set(&id, sb.now(), &cs)?;
    }
    Ok(())
}

fn public_change_set(mut cs: Value) -> Value {
    if let Some(o) = cs.as_object_mut() {
        // Bookkeeping fields (`_startedMs`, `_clientToken`, review times) stay inside.
        o.retain(|k, v| !v.is_null() && !k.starts_with('_'));
    }
    cs
}

pub(super) fn describe(sb: &Sandbox, input: &Value) -> AwsResult<Value> {
    let id = req_str(input, "ChangeSetId")?;
    let cs = sb
        .state
        .change_set(id)?
        .ok_or_else(|| not_found(format!("Change set {id} not found.")))?;
    Ok(public_change_set(cs))
}

/// The rows of ListChangeSets. AWS documents no default order, so none is promised here
/// either: without a Sort the rows come oldest first, and a caller that wants the newest must
/// ask for it (Sort StartTime DESCENDING) as it must on AWS.
pub(super) fn list(sb: &Sandbox, input: &Value) -> AwsResult<Value> {
    let (start, max) = page_params(input, 20)?;
    let f = |name: &str| filter_values(input, "None", name);
    let (status, names, entities) = (f("Status"), f("ChangeSetName"), f("EntityId"));
    let mut rows: Vec<Value> = sb
        .state
        .change_sets()?
        .into_iter()
        .map(|cs| {
            let ids: Vec<Value> = cs["ChangeSet"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["Entity"]["Identifier"].as_str())
                .map(|i| json!(i.split('@').next().unwrap_or(i)))
                .collect();
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
            status
                .as_ref()
                .is_none_or(|v| v.iter().any(|x| s["Status"] == *x))
        })
        .filter(|s| {
            names
                .as_ref()
                .is_none_or(|v| v.iter().any(|x| s["ChangeSetName"] == *x))
        })
        .filter(|s| {
            entities.as_ref().is_none_or(|v| {
                s["EntityIdList"]
                    .as_array()
                    .is_some_and(|ids| ids.iter().any(|i| v.iter().any(|e| i == e)))
            })
        })
        .collect();
    // The store hands them newest first; reversed, then stable-sorted by start time.
    rows.reverse();
    sort_rows(&mut rows, "/StartTime", false);
    if let Some((by, desc)) = sort_param(
        input,
        "None",
        &[
            "ChangeSetId",
            "ChangeSetName",
            "StartTime",
            "EndTime",
            "Status",
        ],
    )? {
        if desc && by == "StartTime" {
            // Same-second starts keep their true order: newest first.
            rows.reverse();
        } else {
            sort_rows(&mut rows, &format!("/{by}"), desc);
        }
    }
    page(rows, "ChangeSetSummaryList", start, max)
}

pub(super) fn cancel(sb: &Sandbox, input: &Value) -> AwsResult<Value> {
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

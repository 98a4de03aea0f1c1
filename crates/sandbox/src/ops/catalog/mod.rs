//! AWS Marketplace Catalog API (restJson1): ListEntities, DescribeEntity, StartChangeSet,
//! DescribeChangeSet, ListChangeSets, CancelChangeSet.
//!
//! - `entities`: the SaaSProduct@1.0 and Offer@1.0 documents as AWS shapes them (DescribeEntity
//!   returns both the `Details` string and the `DetailsDocument` object), listing with filters,
//!   sort and paging.
//! - `change_sets`: change sets move PREPARING → APPLYING → SUCCEEDED/FAILED over a few hundred
//!   milliseconds of real time; they are advanced (and applied) at the start of every Catalog
//!   call, so no background task is needed.
//! - `validate`: every change checked against the official change-type shapes, with AWS's
//!   ErrorDetailList codes; reusable on its own (listing authoring plans on it).
//! - `apply`: what each change does to the stored products and offers.
//! - `review`: what a Public visibility request needs (a complete seller profile) and the
//!   review it waits through on the sandbox clock.

mod apply;
mod change_sets;
mod entities;
pub mod review;
pub mod validate;

pub use entities::{offer_details, product_details};

use crate::error::{AwsError, AwsResult};
use crate::{opt_str, req_str, Sandbox};
use serde_json::Value;

const CATALOG: &str = "AWSMarketplace";

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

pub async fn call(sb: &Sandbox, op: &str, input: &Value) -> AwsResult<Value> {
    let catalog = req_str(input, "Catalog")?;
    if catalog != CATALOG {
        return Err(validation(format!(
            "Catalog '{catalog}' is not supported; use AWSMarketplace."
        )));
    }
    change_sets::advance(sb)?;
    match op {
        "ListEntities" => entities::list_entities(sb, input),
        "DescribeEntity" => entities::describe_entity(sb, input),
        "StartChangeSet" => change_sets::start(sb, input),
        "DescribeChangeSet" => change_sets::describe(sb, input),
        "ListChangeSets" => change_sets::list(sb, input),
        "CancelChangeSet" => change_sets::cancel(sb, input),
        _ => Err(AwsError::unknown_operation(op)),
    }
}

pub fn entity_arn(sb: &Sandbox, kind: &str, id: &str) -> String {
    format!(
        "arn:aws:aws-marketplace:us-east-1:{}:AWSMarketplace/{kind}/{id}",
        sb.config.seller_account_id
    )
}

/// A filter's values: the typed `EntityTypeFilters.<type>Filters.<name>.ValueList` first, then
/// the legacy `FilterList` (`[{Name, ValueList}]`).
fn filter_values(input: &Value, typed: &str, name: &str) -> Option<Vec<String>> {
    let t = input
        .pointer(&format!("/EntityTypeFilters/{typed}/{name}/ValueList"))
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
    t.or(legacy).map(|a| {
        a.iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    })
}

/// `(SortBy, descending)` from the typed `EntityTypeSort.<type>Sort` or the legacy `Sort`;
/// `allowed` are the sort keys the API reference lists for the list.
fn sort_param(input: &Value, typed: &str, allowed: &[&str]) -> AwsResult<Option<(String, bool)>> {
    let s = input
        .pointer(&format!("/EntityTypeSort/{typed}"))
        .or_else(|| input.get("Sort"));
    let Some(s) = s.filter(|s| !s.is_null()) else {
        return Ok(None);
    };
    let by = s["SortBy"].as_str().unwrap_or_default();
    if !allowed.contains(&by) {
        return Err(validation(format!(
            "SortBy '{by}' is not one of {}.",
            allowed.join(", ")
        )));
    }
    let desc = match s["SortOrder"].as_str() {
        None | Some("ASCENDING") => false,
        Some("DESCENDING") => true,
        Some(o) => {
            return Err(validation(format!(
                "SortOrder '{o}' is not one of ASCENDING, DESCENDING."
            )))
        }
    };
    Ok(Some((by.to_string(), desc)))
}

/// `(start, page size)`: MaxResults 1..=`max_limit` (20 when absent), NextToken from an
/// earlier page.
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

/// One page of `rows` under `key`, with NextToken when more follow. A token past the end is not
/// one this sandbox issued (a token near usize::MAX included): refused, and the sum saturates.
fn page(rows: Vec<Value>, key: &str, start: usize, max: usize) -> AwsResult<Value> {
    if start > rows.len() {
        return Err(validation("The NextToken is invalid."));
    }
    let next = start.saturating_add(max);
    let more = next < rows.len();
    let mut out = serde_json::json!({
        key: rows.into_iter().skip(start).take(max).collect::<Vec<_>>()
    });
    if more {
        out["NextToken"] = Value::String(format!("page-{next}"));
    }
    Ok(out)
}

/// Orders rows by the value at a JSON pointer (ISO dates and ids sort as text), stable.
fn sort_rows(rows: &mut [Value], pointer: &str, desc: bool) {
    let key = |v: &Value| v.pointer(pointer).map(Value::to_string).unwrap_or_default();
    rows.sort_by(|a, b| {
        let (x, y) = (key(a), key(b));
        if desc {
            y.cmp(&x)
        } else {
            x.cmp(&y)
        }
    });
}

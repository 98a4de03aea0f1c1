//! CloudTrail LookupEvents over the Marketplace calls the sandbox received, so "did the SaaS call
//! ResolveCustomer, and when?" can be answered the way it is on AWS. The app's own calls are told
//! apart by their access key.

use crate::error::{AwsError, AwsResult};
use crate::ops::catalog::iso;
use crate::state::TrailFilter;
use crate::{lower_first, Sandbox};
use serde_json::{json, Map, Value};

pub fn call(sb: &Sandbox, op: &str, input: &Value) -> AwsResult<Value> {
    match op {
        "LookupEvents" => lookup_events(sb, input),
        _ => Err(AwsError::unknown_operation(op)),
    }
}

fn invalid(code: &'static str, msg: impl Into<String>) -> AwsError {
    AwsError::new(400, code, msg)
}

/// CloudTrail records request parameters with lower-camel-case member names.
fn camel(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (lower_first(k), camel(v)))
                .collect::<Map<_, _>>(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(camel).collect()),
        other => other.clone(),
    }
}

/// CloudTrail writes a usage record's timestamp as "Apr 19, 2018 4:32:50 PM" (AWS's example of
/// a BatchMeterUsage entry), not as the epoch seconds the SDK sent.
fn metering_times(mut v: Value) -> Value {
    fn fix(records: Option<&mut Value>) {
        for r in records.and_then(Value::as_array_mut).into_iter().flatten() {
            let r = if r.get("usageRecord").is_some() {
                &mut r["usageRecord"]
            } else {
                r
            };
            if let Some(t) = r.get("timestamp").and_then(Value::as_f64) {
                if let Some(d) = chrono::DateTime::from_timestamp(t.floor() as i64, 0) {
                    r["timestamp"] = json!(d.format("%b %-d, %Y %-I:%M:%S %p").to_string());
                }
            }
        }
    }
    fix(v.get_mut("usageRecords"));
    fix(v.get_mut("results"));
    fix(v.get_mut("unprocessedRecords"));
    v
}

fn lookup_events(sb: &Sandbox, input: &Value) -> AwsResult<Value> {
    let attrs = input
        .get("LookupAttributes")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if attrs.len() > 1 {
        return Err(invalid(
            "InvalidLookupAttributesException",
            "You can specify only one lookup attribute.",
        ));
    }
    let filter = match attrs.first() {
        None => None,
        Some(a) => {
            let key = a
                .get("AttributeKey")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let value = a
                .get("AttributeValue")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            if !matches!(
                key.as_str(),
                "EventId"
                    | "EventName"
                    | "ReadOnly"
                    | "Username"
                    | "ResourceType"
                    | "ResourceName"
                    | "EventSource"
                    | "AccessKeyId"
            ) {
                return Err(invalid(
                    "InvalidLookupAttributesException",
                    format!("Lookup attribute key {key} is not valid."),
                ));
            }
            Some((key, value))
        }
    };
    let start = input
        .get("StartTime")
        .and_then(Value::as_f64)
        .map(|f| f as i64);
    let end = input
        .get("EndTime")
        .and_then(Value::as_f64)
        .map(|f| f as i64);
    if let (Some(s), Some(e)) = (start, end) {
        if s > e {
            return Err(invalid(
                "InvalidTimeRangeException",
                "The start time must be before the end time.",
            ));
        }
    }
    let max = match input.get("MaxResults") {
        None | Some(Value::Null) => 50,
        Some(v) => match v.as_u64() {
            Some(n) if (1..=50).contains(&n) => n as usize,
            _ => {
                return Err(invalid(
                    "InvalidMaxResultsException",
                    "MaxResults must be between 1 and 50.",
                ))
            }
        },
    };
    let skip = match input.get("NextToken").and_then(Value::as_str) {
        None => 0,
        Some(t) => t
            .strip_prefix("ct-")
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| invalid("InvalidNextTokenException", "The NextToken is invalid."))?,
    };
    let filter = filter.map(|(key, value)| TrailFilter { key, value });
    // A token past the end is not one this sandbox issued (a token near usize::MAX included).
    let Some((rows, more)) = sb
        .state
        .trail_page(filter.as_ref(), start, end, skip, max)?
    else {
        return Err(invalid(
            "InvalidNextTokenException",
            "The NextToken is invalid.",
        ));
    };
    let account = &sb.config.seller_account_id;
    let events: Vec<Value> = rows
        .iter()
        .map(|r| {
            let params: Value = serde_json::from_str(&r.request).unwrap_or(Value::Null);
            let response: Value = serde_json::from_str(&r.response).unwrap_or(Value::Null);
            let user = format!("sandbox-{}", r.access_key);
            let mut record = json!({
                "eventVersion": "1.08",
                "userIdentity": {
                    "type": "IAMUser",
                    "principalId": format!("AIDA{}", r.access_key.chars().skip(4).collect::<String>()),
                    "arn": format!("arn:aws:iam::{account}:user/{user}"),
                    "accountId": account,
                    "accessKeyId": r.access_key,
                    "userName": user,
                },
                "eventTime": iso(r.event_time),
                "eventSource": r.event_source,
                "eventName": r.event_name,
                "awsRegion": "us-east-1",
                "sourceIPAddress": "127.0.0.1",
                "userAgent": "sandbox",
                "requestParameters": metering_times(camel(&params)),
                "responseElements": metering_times(camel(&response["responseElements"])),
                "requestID": r.event_id,
                "eventID": r.event_id,
                "readOnly": r.read_only,
                "eventType": "AwsApiCall",
                "managementEvent": true,
                "recipientAccountId": account,
                "eventCategory": "Management",
            });
            if let Some(code) = response.get("errorCode") {
                record["errorCode"] = code.clone();
                record["errorMessage"] = response.get("errorMessage").cloned().unwrap_or(Value::Null);
            }
            json!({
                "EventId": r.event_id,
                "EventName": r.event_name,
                "ReadOnly": r.read_only.to_string(),
                "AccessKeyId": r.access_key,
                "EventTime": r.event_time,
                "EventSource": r.event_source,
                "Username": user,
                "Resources": [],
                "CloudTrailEvent": record.to_string(),
            })
        })
        .collect();
    let mut out = json!({"Events": events});
    if more {
        out["NextToken"] = json!(format!("ct-{}", skip.saturating_add(max)));
    }
    Ok(out)
}

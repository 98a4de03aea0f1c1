//! AWS Marketplace Entitlement Service: GetEntitlements, with filters and pagination. The same
//! handler serves both wire protocols (RPC v2 CBOR and awsJson1_1).

use crate::error::{AwsError, AwsResult};
use crate::model::LicenseStatus;
use crate::{req_str, Sandbox};
use serde_json::{json, Value};

const MAX_RESULTS: usize = 25;

pub fn call(sb: &Sandbox, op: &str, input: &Value) -> AwsResult<Value> {
    match op {
        "GetEntitlements" => get_entitlements(sb, input),
        _ => Err(AwsError::unknown_operation(op)),
    }
}

fn invalid(msg: impl Into<String>) -> AwsError {
    AwsError::new(400, "InvalidParameterException", msg)
}

fn filter_values<'a>(filter: Option<&'a Value>, key: &str) -> AwsResult<Option<Vec<&'a str>>> {
    let Some(f) = filter else { return Ok(None) };
    let Some(obj) = f.as_object() else {
        return Err(invalid("Filter must be a map."));
    };
    for k in obj.keys() {
        if !matches!(
            k.as_str(),
            "CUSTOMER_IDENTIFIER" | "DIMENSION" | "CUSTOMER_AWS_ACCOUNT_ID" | "LICENSE_ARN"
        ) {
            return Err(invalid(format!("Filter name {k} is not supported.")));
        }
    }
    match obj.get(key) {
        None => Ok(None),
        Some(Value::Array(a)) => {
            let vals: Option<Vec<&str>> = a.iter().map(Value::as_str).collect();
            vals.map(Some)
                .ok_or_else(|| invalid(format!("Filter {key} must list strings.")))
        }
        Some(_) => Err(invalid(format!("Filter {key} must be a list."))),
    }
}

fn get_entitlements(sb: &Sandbox, input: &Value) -> AwsResult<Value> {
    let code = req_str(input, "ProductCode")?;
    let product = sb
        .state
        .product(code)?
        .filter(|p| p.code == code)
        .ok_or_else(|| invalid(format!("Product code {code} is invalid.")))?;
    let filter = input.get("Filter");
    let by_id = filter_values(filter, "CUSTOMER_IDENTIFIER")?;
    let by_account = filter_values(filter, "CUSTOMER_AWS_ACCOUNT_ID")?;
    let by_dim = filter_values(filter, "DIMENSION")?;
    let by_license = filter_values(filter, "LICENSE_ARN")?;
    let max = match input.get("MaxResults") {
        None | Some(Value::Null) => MAX_RESULTS,
        Some(v) => match v.as_u64() {
            Some(n) if (1..=MAX_RESULTS as u64).contains(&n) => n as usize,
            _ => {
                return Err(invalid(format!(
                    "MaxResults must be between 1 and {MAX_RESULTS}."
                )))
            }
        },
    };
    let start = match input.get("NextToken").and_then(Value::as_str) {
        None => 0,
        Some(t) => t
            .strip_prefix("ent-")
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| invalid("The NextToken is invalid."))?,
    };
    // Only tokens this sandbox could have issued are accepted below (checked against the rows),
    // and sums with them saturate: a token near usize::MAX is refused, never wrapped.
    let mut all = Vec::new();
    for l in sb.state.licenses_for_product(&product.code)? {
        if !matches!(
            l.status,
            LicenseStatus::Active | LicenseStatus::PendingCancellation
        ) {
            continue;
        }
        if by_id
            .as_ref()
            .is_some_and(|v| !v.contains(&l.customer_identifier.as_str()))
            || by_account
                .as_ref()
                .is_some_and(|v| !v.contains(&l.customer_aws_account_id.as_str()))
            || by_license
                .as_ref()
                .is_some_and(|v| !v.contains(&l.license_arn.as_str()))
        {
            continue;
        }
        for e in &l.entitlements {
            if by_dim
                .as_ref()
                .is_some_and(|v| !v.contains(&e.dimension.as_str()))
            {
                continue;
            }
            let value = match e.quantity {
                Some(q) => json!({"IntegerValue": q}),
                None => json!({"BooleanValue": true}),
            };
            let mut ent = json!({
                "ProductCode": product.code,
                "Dimension": e.dimension,
                "CustomerAWSAccountId": l.customer_aws_account_id,
                "Value": value,
                "ExpirationDate": l.expires,
                "LicenseArn": l.license_arn,
            });
            if !product.concurrent_agreements {
                ent["CustomerIdentifier"] = json!(l.customer_identifier);
            }
            all.push(ent);
        }
    }
    if start > all.len() {
        return Err(invalid("The NextToken is invalid."));
    }
    let page: Vec<Value> = all.iter().skip(start).take(max).cloned().collect();
    let mut out = json!({"Entitlements": page});
    let next = start.saturating_add(max);
    if next < all.len() {
        out["NextToken"] = json!(format!("ent-{next}"));
    }
    Ok(out)
}

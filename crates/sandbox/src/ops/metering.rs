//! AWS Marketplace Metering Service: ResolveCustomer, BatchMeterUsage, MeterUsage, RegisterUsage.

use crate::error::{AwsError, AwsResult};
use crate::model::Product;
use crate::state::MeteringRow;
use crate::{opt_str, req_str, Sandbox};
use serde_json::{json, Map, Value};

/// MeterUsage refuses records 6 hours old or more. BatchMeterUsage uses the sandbox's configured
/// window (`Config::metering_window_secs`): 6 hours by default, as PRODUCT.md and AWS's API
/// reference say; the 2026 SDK model says 24 hours, selectable with `--metering-window 24h`.
const METER_USAGE_MAX_AGE_SECS: i64 = 6 * 3600;
/// Clocks drift: a record a few seconds in the future is accepted, as a real client's would be.
const FUTURE_TOLERANCE_SECS: i64 = 60;
const MAX_RECORDS: usize = 25;
const MAX_QUANTITY: i64 = 2_147_483_647;

pub fn call(sb: &Sandbox, op: &str, input: &Value) -> AwsResult<Value> {
    match op {
        "ResolveCustomer" => resolve_customer(sb, input),
        "BatchMeterUsage" => batch_meter_usage(sb, input),
        "MeterUsage" => meter_usage(sb, input),
        "RegisterUsage" => register_usage(sb, input),
        _ => Err(AwsError::unknown_operation(op)),
    }
}

fn resolve_customer(sb: &Sandbox, input: &Value) -> AwsResult<Value> {
    let token = req_str(input, "RegistrationToken")?;
    let invalid = || {
        AwsError::new(
            400,
            "InvalidTokenException",
            "Registration token is invalid.",
        )
    };
    let (license_arn, expires) = sb.state.token(token)?.ok_or_else(invalid)?;
    if sb.now() >= expires {
        return Err(AwsError::new(
            400,
            "ExpiredTokenException",
            "Registration token has expired",
        ));
    }
    let license = sb.state.license(&license_arn)?.ok_or_else(invalid)?;
    let product = sb
        .state
        .product(&license.product_code)?
        .ok_or_else(invalid)?;
    let mut out = json!({
        "ProductCode": product.code,
        "CustomerAWSAccountId": license.customer_aws_account_id,
        "LicenseArn": license.license_arn,
        "Metadata": {"AgreementId": license.agreement_id},
    });
    // Products on concurrent agreements do not populate CustomerIdentifier.
    if !product.concurrent_agreements {
        out["CustomerIdentifier"] = json!(license.customer_identifier);
    }
    Ok(out)
}

/// `now`: the sandbox clock, read once per call (a batch's records are judged at one instant).
fn check_timestamp(now: i64, ts: i64, max_age: i64) -> AwsResult<()> {
    // Saturating: a timestamp near i64::MIN/MAX (the SDK sends any f64; the cast saturates) is
    // out of range, not an overflow.
    if now.saturating_sub(ts) >= max_age || ts.saturating_sub(now) > FUTURE_TOLERANCE_SECS {
        return Err(AwsError::new(
            400,
            "TimestampOutOfBoundsException",
            "The timestamp value passed in the UsageRecord is out of allowed range.",
        ));
    }
    Ok(())
}

fn timestamp(v: Option<&Value>, member: impl Fn() -> String) -> AwsResult<i64> {
    match v {
        Some(Value::Number(n)) => n
            .as_f64()
            .map(|f| f.floor() as i64)
            .ok_or_else(|| AwsError::validation(format!("'{}' is not a valid timestamp", member()))),
        None | Some(Value::Null) => Err(AwsError::validation(format!(
            "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
            member()
        ))),
        Some(_) => Err(AwsError::validation(format!(
            "'{}' must be a timestamp (epoch seconds)",
            member()
        ))),
    }
}

fn quantity(v: Option<&Value>, member: impl Fn() -> String) -> AwsResult<i64> {
    match v {
        None | Some(Value::Null) => Ok(1),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(q) if (0..=MAX_QUANTITY).contains(&q) => Ok(q),
            _ => Err(AwsError::validation(format!(
                "1 validation error detected: Value at '{}' failed to satisfy constraint: Member must have value between 0 and {MAX_QUANTITY}",
                member()
            ))),
        },
        Some(_) => Err(AwsError::validation(format!("'{}' must be an integer", member()))),
    }
}

fn dimension_ok(product: &Product, dim: &str) -> AwsResult<()> {
    if product
        .dimensions
        .iter()
        .any(|d| d.key == dim && d.metered())
    {
        return Ok(());
    }
    Err(AwsError::new(
        400,
        "InvalidUsageDimensionException",
        format!(
            "The usageDimension {dim} is not valid for product {}.",
            product.code
        ),
    ))
}

fn batch_meter_usage(sb: &Sandbox, input: &Value) -> AwsResult<Value> {
    let records = match input.get("UsageRecords") {
        Some(Value::Array(a)) => a,
        None | Some(Value::Null) => {
            return Err(AwsError::validation(
                "1 validation error detected: Value null at 'usageRecords' failed to satisfy constraint: Member must not be null",
            ))
        }
        Some(_) => return Err(AwsError::validation("'UsageRecords' must be a list")),
    };
    if records.is_empty() || records.len() > MAX_RECORDS {
        return Err(AwsError::validation(format!(
            "1 validation error detected: Value at 'usageRecords' failed to satisfy constraint: Member must have length between 1 and {MAX_RECORDS}"
        )));
    }
    let request_code = opt_str(input, "ProductCode")?;
    let request_product = match request_code {
        Some(code) => Some(
            sb.state
                .product(code)?
                .filter(|p| p.code == code)
                .ok_or_else(|| {
                    AwsError::new(
                        400,
                        "InvalidProductCodeException",
                        format!("Product code {code} is invalid."),
                    )
                })?,
        ),
        None => None,
    };
    let now = sb.now();
    let mut rows = Vec::with_capacity(records.len());
    let mut statuses: Vec<Option<&'static str>> = Vec::with_capacity(records.len());
    for (i, rec) in records.iter().enumerate() {
        if !rec.is_object() {
            return Err(AwsError::validation(format!(
                "usageRecords.{} must be a structure",
                i + 1
            )));
        }
        // Member names are spelled out only for an error: not per record of every call.
        let ts = timestamp(rec.get("Timestamp"), || {
            format!("usageRecords.{}.member.timestamp", i + 1)
        })?;
        let dim = req_str(rec, "Dimension")?;
        let qty = quantity(rec.get("Quantity"), || {
            format!("usageRecords.{}.member.quantity", i + 1)
        })?;
        let by_id = opt_str(rec, "CustomerIdentifier")?;
        let by_account = opt_str(rec, "CustomerAWSAccountId")?;
        let license_arn = opt_str(rec, "LicenseArn")?;
        let (customer, is_account) = match (by_id, by_account) {
            (Some(_), Some(_)) => return Err(AwsError::validation(
                "A UsageRecord names either CustomerIdentifier or CustomerAWSAccountId, not both.",
            )),
            (Some(c), None) => (c, false),
            (None, Some(a)) => (a, true),
            (None, None) => {
                return Err(AwsError::validation(
                    "A UsageRecord needs CustomerIdentifier or CustomerAWSAccountId.",
                ))
            }
        };
        if is_account && !(customer.len() == 12 && customer.bytes().all(|b| b.is_ascii_digit())) {
            return Err(AwsError::new(
                400,
                "InvalidCustomerIdentifierException",
                format!("CustomerAWSAccountId {customer} is not a valid AWS account ID."),
            ));
        }
        if !is_account && (customer.is_empty() || customer.len() > 255) {
            return Err(AwsError::new(
                400,
                "InvalidCustomerIdentifierException",
                format!("CustomerIdentifier {customer} is invalid."),
            ));
        }
        // The product: from the request, or (2026 style) from the record's license.
        let product: std::sync::Arc<Product> = match (&request_product, license_arn) {
            (Some(p), _) => p.clone(),
            (None, Some(arn)) => {
                let lic = sb.state.license(arn)?.ok_or_else(|| {
                    AwsError::new(
                        400,
                        "InvalidLicenseException",
                        format!("License {arn} is invalid."),
                    )
                })?;
                sb.state
                    .product(&lic.product_code)?
                    .ok_or_else(AwsError::internal)?
            }
            (None, None) => return Err(AwsError::validation(
                "Either ProductCode on the request or LicenseArn on every UsageRecord is required.",
            )),
        };
        check_timestamp(now, ts, sb.config.metering_window_secs)?;
        dimension_ok(&product, dim)?;
        let subscribed =
            sb.state
                .meterable_license(&product.code, customer, is_account, license_arn)?;
        statuses.push(if subscribed.is_some() {
            None
        } else {
            Some("CustomerNotSubscribed")
        });
        rows.push(MeteringRow {
            record_id: uuid::Uuid::new_v4().to_string(),
            product_code: product.code.clone(),
            customer: customer.to_string(),
            dimension: dim.to_string(),
            timestamp: ts,
            quantity: qty,
            license_arn: subscribed,
        });
    }
    // Only subscribed customers' records are stored.
    let to_store: Vec<&MeteringRow> = rows
        .iter()
        .zip(&statuses)
        .filter(|(_, s)| s.is_none())
        .map(|(r, _)| r)
        .collect();
    let mut stored = sb.state.insert_metering(&to_store, now)?.into_iter();
    let mut results = Vec::with_capacity(records.len());
    for ((rec, row), status) in records.iter().zip(&rows).zip(&statuses) {
        let (status, id) = match status {
            Some(s) => (*s, None),
            None => match stored.next() {
                Some(Ok(())) => ("Success", Some(row.record_id.clone())),
                // The same record again is idempotent; a different quantity is a duplicate.
                Some(Err((prior_id, prior_qty))) if prior_qty == row.quantity => {
                    ("Success", Some(prior_id))
                }
                Some(Err(_)) => ("DuplicateRecord", None),
                None => return Err(AwsError::internal()),
            },
        };
        // Built as values, not with `json!`: the macro copies each record (and then the whole
        // list) through serde's serializer, a third of this call's JSON work.
        let mut r = Map::new();
        r.insert("UsageRecord".into(), rec.clone());
        r.insert("Status".into(), status.into());
        if let Some(id) = id {
            r.insert("MeteringRecordId".into(), id.into());
        }
        results.push(Value::Object(r));
    }
    let mut out = Map::new();
    out.insert("Results".into(), Value::Array(results));
    out.insert("UnprocessedRecords".into(), Value::Array(Vec::new()));
    Ok(Value::Object(out))
}

fn meter_usage(sb: &Sandbox, input: &Value) -> AwsResult<Value> {
    let code = req_str(input, "ProductCode")?;
    let product = sb
        .state
        .product(code)?
        .filter(|p| p.code == code)
        .ok_or_else(|| {
            AwsError::new(
                400,
                "InvalidProductCodeException",
                format!("Product code {code} is invalid."),
            )
        })?;
    let ts = timestamp(input.get("Timestamp"), || "timestamp".into())?;
    let dim = req_str(input, "UsageDimension")?;
    let qty = quantity(input.get("UsageQuantity"), || "usageQuantity".into())?;
    check_timestamp(sb.now(), ts, METER_USAGE_MAX_AGE_SECS)?;
    dimension_ok(&product, dim)?;
    if input.get("DryRun").and_then(Value::as_bool) == Some(true) {
        return Err(AwsError::new(
            400,
            "DryRunOperation",
            "The request would have succeeded, but the DryRun flag is set.",
        ));
    }
    let row = MeteringRow {
        record_id: uuid::Uuid::new_v4().to_string(),
        product_code: product.code.clone(),
        customer: format!("account:{}", sb.config.seller_account_id),
        dimension: dim.to_string(),
        timestamp: ts,
        quantity: qty,
        license_arn: None,
    };
    let id = match sb.state.insert_metering(&[&row], sb.now())?.pop() {
        Some(Ok(())) => row.record_id,
        Some(Err((prior, q))) if q == qty => prior,
        _ => {
            return Err(AwsError::new(
                400,
                "DuplicateRequestException",
                "A metering record with the same timestamp and dimension but a different quantity exists.",
            ))
        }
    };
    Ok(json!({"MeteringRecordId": id}))
}

fn register_usage(sb: &Sandbox, input: &Value) -> AwsResult<Value> {
    let code = req_str(input, "ProductCode")?;
    if sb.state.product(code)?.filter(|p| p.code == code).is_none() {
        return Err(AwsError::new(
            400,
            "InvalidProductCodeException",
            format!("Product code {code} is invalid."),
        ));
    }
    match input.get("PublicKeyVersion").and_then(Value::as_i64) {
        Some(v) if v >= 1 => {}
        _ => {
            return Err(AwsError::new(
                400,
                "InvalidPublicKeyVersionException",
                "Public key version is invalid.",
            ))
        }
    }
    use base64::Engine;
    let payload = json!({"productCode": code, "nonce": input.get("Nonce"), "issuedAt": sb.now()});
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let signature = format!(
        "{}.{}.{}",
        b64.encode(br#"{"alg":"PS256","typ":"JWT"}"#),
        b64.encode(payload.to_string()),
        b64.encode(crate::random_id(64))
    );
    Ok(json!({"PublicKeyRotationTimestamp": sb.now() + 30 * 86400, "Signature": signature}))
}

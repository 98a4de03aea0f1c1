//! The Marketplace calls the app makes: Catalog products, a metering record, and the CloudTrail
//! view of Marketplace calls. Each returns the app's own types; errors become `AppError` with a
//! code the UI branches on and AWS's own code and message kept in the text.

use crate::checks::catalog::shapes;
use aws_config::SdkConfig;
use la_core::{AppError, ErrorCode};
use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct CatalogDimension {
    pub key: String,
    pub name: String,
    pub types: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct CatalogProduct {
    pub entity_id: String,
    pub title: String,
    pub product_code: String,
    pub visibility: String,
    pub dimensions: Vec<CatalogDimension>,
    pub fulfillment_url: String,
    pub buyer_accounts: Vec<String>,
    pub last_modified: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct MeterOutcome {
    /// Success, CustomerNotSubscribed or DuplicateRecord.
    pub status: String,
    pub metering_record_id: Option<String>,
    pub timestamp: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct MarketplaceCall {
    pub event_name: String,
    pub event_time: String,
    pub access_key_id: String,
    pub event_source: String,
    pub error_code: Option<String>,
}

/// Turns any SDK error into the app's `{code, message}`, keeping the operation and AWS's own
/// error code (`aws_code`) so callers match on the code, never on the message text.
pub fn app_error<E, R>(
    op: &str,
    e: &aws_smithy_runtime_api::client::result::SdkError<E, R>,
) -> AppError
where
    E: aws_sdk_marketplacemetering::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    use aws_smithy_runtime_api::client::result::SdkError;
    match e {
        SdkError::DispatchFailure(d) => AppError::new(
            ErrorCode::Unreachable,
            format!(
                "{op}: could not reach the endpoint ({})",
                describe_dispatch(d)
            ),
        )
        .with_aws(op, None),
        SdkError::TimeoutError(_) => {
            AppError::new(ErrorCode::Unreachable, format!("{op}: timed out")).with_aws(op, None)
        }
        SdkError::ServiceError(s) if s.err().code().is_none() => {
            // No error code: the answer was not an AWS error document at all (broken or cut
            // JSON, an HTML page, a huge body). Say so instead of "Unknown: ".
            AppError::new(
                ErrorCode::Aws,
                format!(
                    "{op}: the endpoint's answer is not a valid {op} response ({})",
                    std::error::Error::source(s.err())
                        .map(ToString::to_string)
                        .unwrap_or_else(|| "unreadable".into())
                ),
            )
            .with_aws(op, None)
        }
        SdkError::ServiceError(s) => {
            let err = s.err();
            let code = err.code().unwrap_or("Unknown").to_string();
            let msg = err.message().unwrap_or_default().to_string();
            let kind = match code.as_str() {
                "AccessDeniedException" | "AccessDenied" | "UnauthorizedOperation" => {
                    ErrorCode::AccessDenied
                }
                "ThrottlingException" | "Throttling" | "TooManyRequestsException" => {
                    ErrorCode::Throttled
                }
                "ExpiredTokenException" if op != "ResolveCustomer" => ErrorCode::Credentials,
                "UnrecognizedClientException"
                | "InvalidSignatureException"
                | "InvalidClientTokenId"
                | "ExpiredToken"
                | "MissingAuthenticationTokenException" => ErrorCode::Credentials,
                _ => ErrorCode::Aws,
            };
            AppError::new(kind, format!("{op}: {code}: {msg}")).with_aws(op, Some(&code))
        }
        other => {
            let text = aws_smithy_types::error::display::DisplayErrorContext(other).to_string();
            // A construction or response error carries no AWS code: the SDK's own text is all
            // there is, and "credentials" in it is the SDK saying none could be loaded.
            let kind = if text.to_lowercase().contains("credentials") {
                ErrorCode::Credentials
            } else {
                ErrorCode::Aws
            };
            AppError::new(kind, format!("{op}: {text}")).with_aws(op, None)
        }
    }
}

fn describe_dispatch(d: &aws_smithy_runtime_api::client::result::DispatchFailure) -> String {
    if d.is_timeout() {
        "timed out".into()
    } else if d.is_io() {
        "connection failed".into()
    } else {
        d.as_connector_error()
            .map(|c| aws_smithy_types::error::display::DisplayErrorContext(c).to_string())
            .unwrap_or_else(|| "connection failed".into())
    }
}

/// Every SaaS product the seller account sees in the Catalog, with its details (read from
/// `DetailsDocument`; the Catalog is called in us-east-1 whatever `cfg`'s region).
pub async fn list_saas_products(cfg: &SdkConfig) -> Result<Vec<CatalogProduct>, AppError> {
    let c = aws_sdk_marketplacecatalog::Client::new(&crate::access::marketplace_config(cfg));
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let page = c
            .list_entities()
            .catalog("AWSMarketplace")
            .entity_type("SaaSProduct")
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| app_error("ListEntities", &e))?;
        for s in page.entity_summary_list() {
            let Some(id) = s.entity_id() else { continue };
            let d = c
                .describe_entity()
                .catalog("AWSMarketplace")
                .entity_id(id)
                .send()
                .await
                .map_err(|e| app_error("DescribeEntity", &e))?;
            let details = shapes::details_json(d.details_document(), d.details());
            let dims = details["Dimensions"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|x| CatalogDimension {
                            key: x["Key"].as_str().unwrap_or_default().into(),
                            name: x["Name"].as_str().unwrap_or_default().into(),
                            types: x["Types"]
                                .as_array()
                                .map(|t| {
                                    t.iter()
                                        .filter_map(|y| y.as_str().map(str::to_string))
                                        .collect()
                                })
                                .unwrap_or_default(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.push(CatalogProduct {
                entity_id: id.to_string(),
                title: details["Description"]["ProductTitle"]
                    .as_str()
                    .unwrap_or(s.name().unwrap_or_default())
                    .into(),
                product_code: details["Description"]["ProductCode"]
                    .as_str()
                    .unwrap_or_default()
                    .into(),
                visibility: s.visibility().unwrap_or_default().into(),
                dimensions: dims,
                fulfillment_url: shapes::fulfillment_options(&details)
                    .into_iter()
                    .next()
                    .map(|f| f.url)
                    .unwrap_or_default(),
                buyer_accounts: shapes::buyer_accounts(&details),
                last_modified: s.last_modified_date().unwrap_or_default().into(),
            });
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(out)
}

/// Sends one metering record for a buyer (2026 style: account + license) and reads its status
/// (in us-east-1, where SaaS products meter).
pub async fn meter_one(
    cfg: &SdkConfig,
    customer_aws_account_id: &str,
    license_arn: &str,
    dimension: &str,
    quantity: i32,
) -> Result<MeterOutcome, AppError> {
    use aws_sdk_marketplacemetering::primitives::DateTime;
    use aws_sdk_marketplacemetering::types::UsageRecord;
    let now = chrono::Utc::now();
    let record = UsageRecord::builder()
        .timestamp(DateTime::from_secs(now.timestamp()))
        .customer_aws_account_id(customer_aws_account_id)
        .license_arn(license_arn)
        .dimension(dimension)
        .quantity(quantity)
        .build()
        .map_err(|e| AppError::invalid(e.to_string()))?;
    let out = aws_sdk_marketplacemetering::Client::new(&crate::access::marketplace_config(cfg))
        .batch_meter_usage()
        .usage_records(record)
        .send()
        .await
        .map_err(|e| app_error("BatchMeterUsage", &e))?;
    let r = out.results().first();
    Ok(MeterOutcome {
        status: r
            .and_then(|r| r.status())
            .map(|s| s.as_str().to_string())
            .unwrap_or_else(|| "Unprocessed".into()),
        metering_record_id: r.and_then(|r| r.metering_record_id()).map(str::to_string),
        timestamp: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    })
}

/// Marketplace Metering calls recorded by CloudTrail, newest first (looked up in us-east-1,
/// where SaaS metering is called and so recorded).
pub async fn marketplace_calls(
    cfg: &SdkConfig,
    max: i32,
) -> Result<Vec<MarketplaceCall>, AppError> {
    use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
    let out = aws_sdk_cloudtrail::Client::new(&crate::access::marketplace_config(cfg))
        .lookup_events()
        .lookup_attributes(
            LookupAttribute::builder()
                .attribute_key(LookupAttributeKey::EventSource)
                .attribute_value("metering-marketplace.amazonaws.com")
                .build()
                .map_err(|e| AppError::invalid(e.to_string()))?,
        )
        .max_results(max)
        .send()
        .await
        .map_err(|e| app_error("LookupEvents", &e))?;
    Ok(out
        .events()
        .iter()
        .map(|e| {
            let record: serde_json::Value = e
                .cloud_trail_event()
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or_default();
            MarketplaceCall {
                event_name: e.event_name().unwrap_or_default().into(),
                event_time: e
                    .event_time()
                    .and_then(|t| chrono::DateTime::from_timestamp(t.secs(), 0))
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                    .unwrap_or_default(),
                access_key_id: e.access_key_id().unwrap_or_default().into(),
                event_source: e.event_source().unwrap_or_default().into(),
                error_code: record["errorCode"].as_str().map(str::to_string),
            }
        })
        .collect())
}

//! A session's watcher configuration from an environment's settings: the same for the app and
//! the CLI.

use crate::watch::{Intervals, SqsWatch, WatchConfig};
use la_core::model::{EnvMode, EnvironmentSettings};
use la_core::secrets::AccessKeys;
use la_core::{AppError, ErrorCode};
use std::time::Duration;

/// How late CloudTrail may deliver an event on AWS (its documented typical delay).
pub const CLOUDTRAIL_DELAY: Duration = Duration::from_secs(15 * 60);

/// The SQS client's endpoint: the queue's own origin when it is not on AWS (moto, a local
/// queue while the Marketplace calls go to the sandbox), AWS's otherwise.
/// Its region is the one the queue URL names (the environment's when it names none).
fn sqs_sdk(sdk: &la_aws::SdkConfig, queue_url: &str) -> la_aws::SdkConfig {
    let sdk = match la_aws::access::queue_region(queue_url) {
        Some(r) => la_aws::access::in_region(sdk, &r),
        None => sdk.clone(),
    };
    let Ok(u) = url_origin(queue_url) else {
        return sdk;
    };
    let mut b = sdk.to_builder();
    if u.contains(".amazonaws.com") {
        b.set_endpoint_url(None);
    } else {
        b.set_endpoint_url(Some(u));
    }
    b.build()
}

fn url_origin(u: &str) -> Result<String, ()> {
    let (scheme, rest) = u.split_once("://").ok_or(())?;
    let host = rest.split('/').next().filter(|h| !h.is_empty()).ok_or(())?;
    Ok(format!("{scheme}://{host}"))
}

/// Builds the watchers' configuration for `buyer_account` on an environment.
pub async fn watch_config(
    settings: &EnvironmentSettings,
    keys: Option<AccessKeys>,
    buyer_account: &str,
    delete_messages: bool,
) -> Result<WatchConfig, AppError> {
    watch_config_trusting(settings, keys, buyer_account, delete_messages, None).await
}

/// `watch_config` whose AWS clients also trust an environment file's CA bundle (PEM).
pub async fn watch_config_trusting(
    settings: &EnvironmentSettings,
    keys: Option<AccessKeys>,
    buyer_account: &str,
    delete_messages: bool,
    ca_bundle: Option<&[u8]>,
) -> Result<WatchConfig, AppError> {
    let sdk = la_aws::access::sdk_config_trusting(settings, keys.clone(), ca_bundle)
        .await
        .map_err(|e| AppError::new(ErrorCode::Credentials, e.to_string()))?;
    let own = la_aws::run::own_access_keys(settings, keys.as_ref(), Some(&sdk)).await;
    let sandbox = settings.mode == EnvMode::Sandbox;
    if sandbox && settings.endpoint_url.is_empty() {
        return Err(AppError::invalid(
            "a sandbox environment needs the sandbox's URL as its endpoint",
        ));
    }
    let queue = settings.sqs_queue_url.trim();
    let (product_code, product_code_problem) = match product_code(&sdk, settings).await {
        Ok(code) => (code, None),
        Err(why) => (String::new(), Some(why)),
    };
    Ok(WatchConfig {
        buyer_account: buyer_account.to_string(),
        product_code,
        product_code_problem,
        sqs_sdk: (!queue.is_empty()).then(|| sqs_sdk(&sdk, queue)),
        // Entitlements and CloudTrail's record of the Marketplace calls are in us-east-1.
        sdk: Some(la_aws::access::marketplace_config(&sdk)),
        sqs: (!queue.is_empty()).then(|| SqsWatch {
            queue_url: queue.to_string(),
            delete: delete_messages,
            wait_secs: 20,
        }),
        sandbox_endpoint: sandbox.then(|| settings.endpoint_url.clone()),
        feed_notifications: sandbox && queue.is_empty(),
        own_access_keys: own,
        cloudtrail_delay: if sandbox {
            Duration::ZERO
        } else {
            CLOUDTRAIL_DELAY
        },
        intervals: if sandbox {
            Intervals {
                entitlements: Duration::from_secs(2),
                cloudtrail: Duration::from_secs(2),
                ..Intervals::default()
            }
        } else {
            Intervals::default()
        },
    })
}

/// The Catalog API exists only in us-east-1, whatever the environment's region.
fn catalog(sdk: &la_aws::SdkConfig) -> aws_sdk_marketplacecatalog::Client {
    aws_sdk_marketplacecatalog::Client::new(&la_aws::access::marketplace_config(sdk))
}

/// The product code the watchers need: the environment's, or, when it names only the product
/// ID, the Catalog entity's `DetailsDocument.Description.ProductCode` (DescribeEntity, in
/// us-east-1 where the Catalog API lives). `Err` says why there is none.
pub async fn product_code(
    sdk: &la_aws::SdkConfig,
    settings: &EnvironmentSettings,
) -> Result<String, String> {
    let code = settings.product_code.trim();
    if !code.is_empty() {
        return Ok(code.to_string());
    }
    let id = settings.product_id.trim();
    if id.is_empty() {
        return Err("the environment names neither a product code nor a product ID".into());
    }
    let out = catalog(sdk)
        .describe_entity()
        .catalog("AWSMarketplace")
        .entity_id(id)
        .send()
        .await
        .map_err(|e| {
            format!(
                "the product code could not be read from the Catalog: {}",
                la_aws::marketplace::app_error("DescribeEntity", &e).message
            )
        })?;
    let doc = out
        .details_document()
        .map(document_json)
        .unwrap_or(serde_json::Value::Null);
    doc["Description"]["ProductCode"]
        .as_str()
        .filter(|c| !c.trim().is_empty())
        .map(|c| c.trim().to_string())
        .ok_or_else(|| {
            format!("DescribeEntity {id}: the DetailsDocument has no Description.ProductCode")
        })
}

/// The SDK's `Document` as JSON.
fn document_json(d: &aws_smithy_types::Document) -> serde_json::Value {
    use aws_smithy_types::{Document, Number};
    match d {
        Document::Object(m) => m
            .iter()
            .map(|(k, v)| (k.clone(), document_json(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        Document::Array(a) => a.iter().map(document_json).collect(),
        Document::Number(Number::PosInt(n)) => (*n).into(),
        Document::Number(Number::NegInt(n)) => (*n).into(),
        Document::Number(Number::Float(f)) => serde_json::Number::from_f64(*f)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        Document::String(s) => s.clone().into(),
        Document::Bool(b) => (*b).into(),
        Document::Null => serde_json::Value::Null,
    }
}

/// The product page a buyer opens, for the Catalog entity (which must exist: a typo in the
/// product id is caught here, not in the browser).
pub async fn product_page_url(
    sdk: &la_aws::SdkConfig,
    product_id: &str,
) -> Result<String, AppError> {
    if product_id.trim().is_empty() {
        return Err(AppError::invalid(
            "Set the product ID (prod-…) in the environment settings first.",
        ));
    }
    let out = catalog(sdk)
        .describe_entity()
        .catalog("AWSMarketplace")
        .entity_id(product_id.trim())
        .send()
        .await
        .map_err(|e| la_aws::marketplace::app_error("DescribeEntity", &e))?;
    let id = out
        .entity_identifier()
        .unwrap_or(product_id)
        .split('@')
        .next()
        .unwrap_or(product_id);
    Ok(format!("https://aws.amazon.com/marketplace/pp/{id}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn origins() {
        assert_eq!(
            super::url_origin("http://127.0.0.1:5000/123456789012/q"),
            Ok("http://127.0.0.1:5000".into())
        );
        assert!(super::url_origin("nonsense").is_err());
    }
}

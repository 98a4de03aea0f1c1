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
    let sdk = la_aws::sdk_config(settings, keys.clone())
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
    Ok(WatchConfig {
        buyer_account: buyer_account.to_string(),
        product_code: settings.product_code.clone(),
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
    let out = aws_sdk_marketplacecatalog::Client::new(&la_aws::access::marketplace_config(sdk))
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

//! The credential scope is held to what AWS accepts: the real SDK client signing for the wrong
//! region or service is refused as AWS refuses it, and the right one passes. Without this a
//! client configured for the seller's own region (eu-west-1) would pass against the sandbox and
//! fail against the us-east-1-only Catalog and Entitlement endpoints.

mod common;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_sdk_marketplacecatalog as catalog;
use aws_sdk_marketplaceentitlement as entitlement;
use aws_sdk_marketplacemetering as metering;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use common::*;

fn sdk_in(url: &str, region: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(url)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            la_sandbox::DEMO_ACCESS_KEY_ID,
            la_sandbox::DEMO_SECRET_ACCESS_KEY,
            None,
            None,
            "test",
        )))
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(1))
        .build()
}

#[tokio::test]
async fn catalog_and_entitlement_only_in_us_east_1() {
    let sb = start(la_sandbox::Config::default()).await;
    let url = sb.url.clone();

    let ok = catalog::Client::new(&sdk_in(&url, "us-east-1"))
        .describe_entity()
        .catalog("AWSMarketplace")
        .entity_id(STAGING_PRODUCT)
        .send()
        .await;
    assert!(ok.is_ok(), "{ok:?}");

    let e = catalog::Client::new(&sdk_in(&url, "eu-west-1"))
        .describe_entity()
        .catalog("AWSMarketplace")
        .entity_id(STAGING_PRODUCT)
        .send()
        .await
        .expect_err("eu-west-1 scope refused");
    let e = e.into_service_error();
    assert_eq!(e.code(), Some("InvalidSignatureException"));
    assert!(
        e.message().unwrap_or_default().contains("not 'eu-west-1'"),
        "{e:?}"
    );

    let e = entitlement::Client::new(&sdk_in(&url, "ap-northeast-1"))
        .get_entitlements()
        .product_code(STAGING_CODE)
        .send()
        .await
        .expect_err("entitlement outside us-east-1 refused")
        .into_service_error();
    assert_eq!(e.code(), Some("InvalidSignatureException"), "{e:?}");
    sb.stop().await;
}

#[tokio::test]
async fn metering_answers_in_other_regions() {
    let sb = start(la_sandbox::Config::default()).await;
    let url = sb.url.clone();
    // An empty batch is a valid request: only the scope is under test here.
    let out = metering::Client::new(&sdk_in(&url, "eu-west-1"))
        .batch_meter_usage()
        .product_code(STAGING_CODE)
        .set_usage_records(Some(Vec::new()))
        .send()
        .await;
    if let Err(e) = &out {
        let code = e
            .as_service_error()
            .and_then(|s| s.code())
            .unwrap_or_default();
        assert_ne!(code, "InvalidSignatureException", "{e:?}");
    }
    sb.stop().await;
}

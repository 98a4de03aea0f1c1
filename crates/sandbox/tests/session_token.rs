//! Temporary credentials: a key ID starting with ASIA is only valid with the session token STS
//! issued with it. The real SDK client signing with all three passes; the same key without the
//! token is refused as AWS refuses it (UnrecognizedClientException), so a client that drops the
//! token cannot pass against the sandbox.

mod common;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_sdk_marketplacecatalog as catalog;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use common::*;

const ASIA: &str = "ASIASANDBOXTEMPKEY42";
const SECRET: &str = "sandbox/Temporary+Secret/0042wJalrXUtnFEMI";
const TOKEN: &str = "IQoJb3JpZ2luX2VjESandboxSessionToken0042AbCdEfGhIjKlMnOpQrStUvWxYz==";

fn sdk_with(url: &str, token: Option<&str>) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(url)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            ASIA,
            SECRET,
            token.map(str::to_string),
            None,
            "test",
        )))
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(1))
        .build()
}

#[tokio::test]
async fn a_temporary_key_needs_its_session_token() {
    let mut config = la_sandbox::Config::default();
    config.credentials.insert(
        ASIA.into(),
        la_sandbox::sigv4::Credential {
            secret_access_key: SECRET.into(),
        },
    );
    let sb = start(config).await;

    let describe = |token| {
        catalog::Client::new(&sdk_with(&sb.url, token))
            .describe_entity()
            .catalog("AWSMarketplace")
            .entity_id(STAGING_PRODUCT)
            .send()
    };
    let ok = describe(Some(TOKEN)).await;
    assert!(ok.is_ok(), "signed with key, secret and token: {ok:?}");

    let e = describe(None)
        .await
        .expect_err("an ASIA key without its token is refused")
        .into_service_error();
    assert_eq!(e.code(), Some("UnrecognizedClientException"), "{e:?}");
    sb.stop().await;
}

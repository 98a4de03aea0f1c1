//! Building an `SdkConfig` for one environment.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use la_core::model::{CredentialSource, EnvironmentSettings};
use la_core::secrets::AccessKeys;

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error("this environment uses access keys, but none are stored in the keyring")]
    NoAccessKeys,
    #[error("choose the AWS profile to use")]
    NoProfile,
    #[error("enter the ARN of the role to assume")]
    NoRole,
}

/// Marketplace APIs live in us-east-1; the environment's region is used when set.
fn region(settings: &EnvironmentSettings) -> Region {
    let r = if settings.region.is_empty() {
        "us-east-1".to_string()
    } else {
        settings.region.clone()
    };
    Region::new(r)
}

fn base_loader(settings: &EnvironmentSettings) -> aws_config::ConfigLoader {
    let loader = aws_config::defaults(BehaviorVersion::latest()).region(region(settings));
    if settings.endpoint_url.is_empty() {
        loader
    } else {
        loader.endpoint_url(&settings.endpoint_url)
    }
}

/// The SDK configuration for an environment. `keys` are the environment's access keys from the
/// keyring, when its credential source is access keys.
pub async fn sdk_config(
    settings: &EnvironmentSettings,
    keys: Option<AccessKeys>,
) -> Result<SdkConfig, AccessError> {
    let mut loader = base_loader(settings);
    match settings.credential_source {
        // A sandbox environment on the default chain signs with the sandbox's demo credentials,
        // so whatever AWS credentials the machine has never reach the sandbox (nor fail there).
        CredentialSource::DefaultChain if settings.mode == la_core::model::EnvMode::Sandbox => {
            loader = loader.credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                la_core::demo::SANDBOX_ACCESS_KEY_ID,
                la_core::demo::SANDBOX_SECRET_ACCESS_KEY,
                None,
                None,
                "listing-assistant-sandbox",
            )));
        }
        CredentialSource::DefaultChain => {}
        CredentialSource::Profile => {
            if settings.profile.is_empty() {
                return Err(AccessError::NoProfile);
            }
            loader = loader.profile_name(&settings.profile);
        }
        CredentialSource::AccessKeys => {
            let k = keys.ok_or(AccessError::NoAccessKeys)?;
            loader = loader.credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                k.access_key_id.expose(),
                k.secret_access_key.expose(),
                k.session_token.as_ref().map(|t| t.expose().clone()),
                None,
                "listing-assistant-keyring",
            )));
        }
        CredentialSource::AssumeRole => {
            if settings.role_arn.is_empty() {
                return Err(AccessError::NoRole);
            }
            if !settings.profile.is_empty() {
                loader = loader.profile_name(&settings.profile);
            }
            // The role is assumed with the credentials the profile (or default chain) gives.
            let mut base = base_loader(settings);
            if !settings.profile.is_empty() {
                base = base.profile_name(&settings.profile);
            }
            let base = base.load().await;
            let provider = aws_config::sts::AssumeRoleProvider::builder(&settings.role_arn)
                .session_name("listing-assistant")
                .configure(&base)
                .build()
                .await;
            loader = loader.credentials_provider(provider);
        }
    }
    Ok(loader.load().await)
}

/// An SDK configuration with explicit static credentials (the sandbox's, or tests').
pub fn static_config(endpoint: &str, access_key_id: &str, secret: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            access_key_id,
            secret,
            None,
            None,
            "static",
        )))
        .build()
}

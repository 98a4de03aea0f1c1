//! Building an `SdkConfig` for one environment.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
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

/// Where AWS Marketplace lives, whatever region the seller's SaaS runs in: the Catalog and
/// Entitlement APIs exist only here, SaaS metering is called here, the Marketplace SNS topics
/// (account 287250355862) are here and its EventBridge events arrive on this region's default bus.
pub const MARKETPLACE_REGION: &str = "us-east-1";

/// `sdk` moved to another region: same credentials, same endpoint override. An override (the
/// sandbox, moto) applies to every service, so only the signing region changes there.
pub fn in_region(sdk: &SdkConfig, region: &str) -> SdkConfig {
    sdk.to_builder()
        .region(Region::new(region.to_string()))
        .build()
}

/// `sdk` for the Marketplace APIs, its SNS topics and its EventBridge bus (us-east-1).
pub fn marketplace_config(sdk: &SdkConfig) -> SdkConfig {
    in_region(sdk, MARKETPLACE_REGION)
}

/// The region an SQS queue URL names: `https://sqs.eu-west-1.amazonaws.com/123456789012/q`,
/// the legacy `https://eu-west-1.queue.amazonaws.com/…` and `https://queue.amazonaws.com/…`
/// (us-east-1), dual-stack `sqs.<region>.api.aws` and VPC endpoints
/// (`vpce-….sqs.<region>.vpce.amazonaws.com`). `None` for a queue not on AWS (moto, a local
/// emulator): its client then keeps the environment's region.
pub fn queue_region(queue_url: &str) -> Option<String> {
    let rest = queue_url.split_once("://").map_or(queue_url, |(_, r)| r);
    let host = rest.split(['/', '?']).next()?.split(':').next()?;
    let host = host.to_ascii_lowercase();
    if !(host.ends_with(".amazonaws.com")
        || host.ends_with(".amazonaws.com.cn")
        || host.ends_with(".api.aws"))
    {
        return None;
    }
    if host == "queue.amazonaws.com" {
        return Some(MARKETPLACE_REGION.into());
    }
    let labels: Vec<&str> = host.split('.').collect();
    labels.windows(2).find_map(|w| match w {
        ["sqs", r] if is_region(r) => Some(r.to_string()),
        [r, "queue"] if is_region(r) => Some(r.to_string()),
        _ => None,
    })
}

/// `us-east-1`, `eu-west-1`, `ap-southeast-2`, `us-gov-west-1`, `cn-north-1`…
fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

/// The environment's own region (its SaaS resources), us-east-1 when none is set.
fn region(settings: &EnvironmentSettings) -> Region {
    let r = if settings.region.is_empty() {
        "us-east-1".to_string()
    } else {
        settings.region.clone()
    };
    Region::new(r)
}

fn base_loader(
    settings: &EnvironmentSettings,
    http: Option<&SharedHttpClient>,
) -> aws_config::ConfigLoader {
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).region(region(settings));
    if let Some(http) = http {
        loader = loader.http_client(http.clone());
    }
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
    sdk_config_trusting(settings, keys, None).await
}

/// `sdk_config` whose HTTPS client also trusts the PEM certificates in `ca_bundle` (an
/// environment file's `ca_bundle`): an endpoint behind a private CA — a TLS-inspecting proxy, an
/// emulator served over TLS — is reached over https rather than plain http, which real mode
/// refuses for anything but the built-in sandbox. The system's roots stay trusted.
pub async fn sdk_config_trusting(
    settings: &EnvironmentSettings,
    keys: Option<AccessKeys>,
    ca_bundle: Option<&[u8]>,
) -> Result<SdkConfig, AccessError> {
    let http = ca_bundle.map(https_client_trusting);
    let http = http.as_ref();
    let mut loader = base_loader(settings, http);
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
            let mut base = base_loader(settings, http);
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

/// The bytes of an environment's CA bundle, or the specific error naming it: a file that cannot
/// be read or holds no certificate is refused here, before any client is built, so
/// every path that takes a bundle (check runs, the listing, `purchase watch`) says so up front
/// rather than failing at the first TLS handshake with an unknown-issuer error.
pub fn read_ca_bundle(path: &std::path::Path) -> Result<Vec<u8>, la_core::AppError> {
    let pem = std::fs::read(path).map_err(|e| {
        la_core::AppError::invalid(format!("Cannot read the CA bundle {}: {e}", path.display()))
    })?;
    ca_certificates(path, &pem)?;
    Ok(pem)
}

/// The certificates of a CA bundle already read from `path` (named in the errors): refused when
/// it is not PEM or holds no certificate. [`read_ca_bundle`] checks with it; the probes' client
/// adds what it returns to its roots.
pub fn ca_certificates(
    path: &std::path::Path,
    pem: &[u8],
) -> Result<Vec<reqwest::Certificate>, la_core::AppError> {
    let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
        la_core::AppError::invalid(format!(
            "The CA bundle {} is not a PEM certificate bundle: {e}",
            path.display()
        ))
    })?;
    if certs.is_empty() {
        return Err(la_core::AppError::invalid(format!(
            "The CA bundle {} holds no certificate",
            path.display()
        )));
    }
    Ok(certs)
}

/// The SDK's own HTTPS client (rustls on aws-lc, as `default-https-client` builds it) with the
/// PEM certificates added to the system's roots. The callers read the bundle through
/// [`read_ca_bundle`], which refuses a file that holds no certificate.
fn https_client_trusting(pem: &[u8]) -> SharedHttpClient {
    use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
    let ctx = TlsContext::builder()
        .with_trust_store(TrustStore::default().with_pem_certificate(pem.to_vec()))
        .build()
        // Building only copies the store; there is nothing to fail on for rustls.
        .unwrap_or_default();
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(ctx)
        .build_https()
}

/// What the SDK configuration's credential chain gives, asked once before any call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// Credentials were found: their access key ID.
    Found(String),
    /// No provider of the chain had any (no profile, no variables, no SSO cache, no instance
    /// role): the most common first run.
    NotFound,
    /// A provider had some but could not produce them (an expired SSO token…): the checks then
    /// say why, each with the SDK's message.
    Failed,
}

/// Resolves `sdk`'s credentials once. The SDK's own messages about each provider it tried stay
/// in its debug log; this says only which of the three cases it is.
pub async fn resolve_credentials(sdk: &SdkConfig) -> Resolved {
    use aws_credential_types::provider::error::CredentialsError;
    use aws_credential_types::provider::ProvideCredentials;
    let Some(p) = sdk.credentials_provider() else {
        return Resolved::NotFound;
    };
    match p.provide_credentials().await {
        Ok(c) => Resolved::Found(c.access_key_id().to_string()),
        Err(CredentialsError::CredentialsNotLoaded(_)) => Resolved::NotFound,
        Err(_) => Resolved::Failed,
    }
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

/// Profile names from the AWS config and credentials files (`[profile x]`, `[x]`, and
/// `[sso-session …]` left out), sorted and without duplicates.
pub fn list_profiles_in(config: &std::path::Path, credentials: &std::path::Path) -> Vec<String> {
    let mut names = std::collections::BTreeSet::new();
    for (path, is_config) in [(config, true), (credentials, false)] {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        for line in text.lines() {
            let line = line.trim();
            let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) else {
                continue;
            };
            let section = section.trim();
            let name = if is_config {
                match section.strip_prefix("profile ") {
                    Some(n) => n.trim(),
                    None if section == "default" => "default",
                    None => continue, // sso-session, services…
                }
            } else {
                section
            };
            if !name.is_empty() {
                names.insert(name.to_string());
            }
        }
    }
    names.into_iter().collect()
}

/// The profiles of the user's AWS configuration (honours AWS_CONFIG_FILE and
/// AWS_SHARED_CREDENTIALS_FILE).
pub fn list_profiles() -> Vec<String> {
    let home = std::env::var_os("HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_default();
    let config = std::env::var_os("AWS_CONFIG_FILE")
        .map(Into::into)
        .unwrap_or_else(|| home.join(".aws/config"));
    let creds = std::env::var_os("AWS_SHARED_CREDENTIALS_FILE")
        .map(Into::into)
        .unwrap_or_else(|| home.join(".aws/credentials"));
    list_profiles_in(&config, &creds)
}

/// Who an environment's credentials resolve to.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
}

/// STS GetCallerIdentity with the environment's credentials; an expired SSO session says which
/// command renews it.
pub async fn who_am_i(
    settings: &EnvironmentSettings,
    keys: Option<AccessKeys>,
) -> Result<CallerIdentity, la_core::AppError> {
    let cfg = sdk_config(settings, keys)
        .await
        .map_err(|e| la_core::AppError::new(la_core::ErrorCode::Credentials, e.to_string()))?;
    match crate::checks::identity::caller_identity(&cfg).await {
        Ok((account, arn)) => Ok(CallerIdentity { account, arn }),
        Err(mut e) => {
            let lower = e.message.to_lowercase();
            if (lower.contains("sso") || lower.contains("token"))
                && lower.contains("expire")
                && !settings.profile.is_empty()
            {
                e.code = la_core::ErrorCode::Credentials;
                e.message = format!("The SSO session has expired: run `aws sso login --profile {}` and try again. ({})", settings.profile, e.message);
            }
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_regions_from_urls() {
        for (url, want) in [
            (
                "https://sqs.eu-west-1.amazonaws.com/123456789012/q",
                Some("eu-west-1"),
            ),
            (
                "https://sqs.ap-southeast-2.amazonaws.com/123456789012/mp-events",
                Some("ap-southeast-2"),
            ),
            (
                "https://eu-central-1.queue.amazonaws.com/123456789012/q",
                Some("eu-central-1"),
            ),
            (
                "https://queue.amazonaws.com/123456789012/q",
                Some("us-east-1"),
            ),
            (
                "https://sqs.us-gov-west-1.amazonaws.com/123456789012/q",
                Some("us-gov-west-1"),
            ),
            (
                "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q",
                Some("cn-north-1"),
            ),
            (
                "https://sqs.eu-west-3.api.aws/123456789012/q",
                Some("eu-west-3"),
            ),
            (
                "https://vpce-0a1b2c3d-abcd.sqs.eu-north-1.vpce.amazonaws.com/123456789012/q",
                Some("eu-north-1"),
            ),
            (
                "HTTPS://SQS.EU-WEST-1.AMAZONAWS.COM/123456789012/q",
                Some("eu-west-1"),
            ),
            ("http://127.0.0.1:5000/123456789012/q", None),
            ("http://localhost:4566/000000000000/q", None),
            ("https://sqs.example.com/123456789012/q", None),
            ("https://sqs.amazonaws.com/123456789012/q", None),
            ("not a url", None),
        ] {
            assert_eq!(queue_region(url).as_deref(), want, "{url}");
        }
    }

    #[test]
    fn region_moves_keep_credentials_and_endpoint() {
        let base = static_config("http://127.0.0.1:9", "AKIDEXAMPLE", "secret");
        let eu = in_region(&base, "eu-west-1");
        assert_eq!(eu.region().map(|r| r.as_ref()), Some("eu-west-1"));
        assert_eq!(eu.endpoint_url(), Some("http://127.0.0.1:9"));
        assert!(eu.credentials_provider().is_some());
        let mp = marketplace_config(&eu);
        assert_eq!(mp.region().map(|r| r.as_ref()), Some(MARKETPLACE_REGION));
        assert_eq!(mp.endpoint_url(), Some("http://127.0.0.1:9"));
    }

    #[test]
    fn profiles_from_both_files() {
        let dir = tempfile::tempdir().expect("dir");
        let config = dir.path().join("config");
        let creds = dir.path().join("credentials");
        std::fs::write(&config, "[default]\nregion = us-east-1\n[profile seller-sso]\nsso_session = corp\n[sso-session corp]\nsso_start_url = https://x\n").expect("config");
        std::fs::write(&creds, "[ci]\naws_access_key_id = AKIA...\n[default]\n").expect("creds");
        assert_eq!(
            list_profiles_in(&config, &creds),
            vec!["ci", "default", "seller-sso"]
        );
        assert!(list_profiles_in(&dir.path().join("none"), &dir.path().join("none")).is_empty());
    }
}

//! The environment file (TOML): one environment's settings, as the UI edits them, for the CLI
//! and CI, and for import/export in the app. Secrets never go in it: access keys come from the
//! environment (`AWS_ACCESS_KEY_ID`…) or a profile.

use crate::error::{CoreError, Result};
use crate::model::*;
use crate::validate::validate_settings;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsTable {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub profile: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub role_arn: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub region: String,
    /// One endpoint for every service (the sandbox, moto).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub endpoint_url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    name: String,
    #[serde(default)]
    mode: Option<EnvMode>,
    #[serde(default)]
    fulfillment_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ca_bundle: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    response_time_limit_ms: Option<u64>,
    #[serde(default)]
    seller_account_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    saas_role_arn: String,
    #[serde(default)]
    product_id: String,
    #[serde(default)]
    product_code: String,
    #[serde(default)]
    offer_id: String,
    #[serde(default)]
    pricing_model: PricingModel,
    #[serde(default)]
    integration_style: IntegrationStyle,
    #[serde(default)]
    eula_url: String,
    #[serde(default)]
    dimensions: Vec<Dimension>,
    #[serde(default)]
    test_buyer_account_ids: Vec<String>,
    #[serde(default)]
    sqs_queue_url: String,
    #[serde(default)]
    subscription_topic_arn: String,
    #[serde(default)]
    entitlement_topic_arn: String,
    #[serde(default)]
    use_eventbridge: bool,
    #[serde(default)]
    aws: AwsTable,
}

/// A parsed environment file.
#[derive(Debug, Clone)]
pub struct EnvFile {
    pub name: String,
    pub settings: EnvironmentSettings,
    /// Extra trusted roots (PEM), resolved against the file's folder.
    pub ca_bundle: Option<PathBuf>,
    pub response_time_limit_ms: u64,
}

pub const DEFAULT_RESPONSE_TIME_LIMIT_MS: u64 = 3000;

/// Parses and validates an environment file; `base` resolves relative paths (the file's folder).
pub fn parse(text: &str, base: &Path) -> Result<EnvFile> {
    let raw: Raw = toml::from_str(text)
        .map_err(|e| CoreError::Invalid(format!("environment file: {}", e.message().trim())))?;
    let aws = &raw.aws;
    let credential_source = if !aws.role_arn.is_empty() {
        CredentialSource::AssumeRole
    } else if !aws.profile.is_empty() {
        CredentialSource::Profile
    } else {
        CredentialSource::DefaultChain
    };
    let settings = EnvironmentSettings {
        mode: raw.mode.unwrap_or(EnvMode::Real),
        credential_source,
        profile: aws.profile.clone(),
        role_arn: aws.role_arn.clone(),
        saas_role_arn: raw.saas_role_arn,
        seller_account_id: raw.seller_account_id,
        region: aws.region.clone(),
        endpoint_url: aws.endpoint_url.clone(),
        product_id: raw.product_id,
        product_code: raw.product_code,
        offer_id: raw.offer_id,
        pricing_model: raw.pricing_model,
        dimensions: raw.dimensions,
        fulfillment_url: raw.fulfillment_url,
        eula_url: raw.eula_url,
        sqs_queue_url: raw.sqs_queue_url,
        subscription_topic_arn: raw.subscription_topic_arn,
        entitlement_topic_arn: raw.entitlement_topic_arn,
        use_eventbridge: raw.use_eventbridge,
        test_buyer_account_ids: raw.test_buyer_account_ids,
        integration_style: raw.integration_style,
    };
    let errors = validate_settings(&settings);
    if !errors.is_empty() {
        let list: Vec<String> = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message.en))
            .collect();
        return Err(CoreError::Invalid(format!(
            "environment file: {}",
            list.join("; ")
        )));
    }
    let ca_bundle = raw
        .ca_bundle
        .map(|p| if p.is_absolute() { p } else { base.join(p) });
    Ok(EnvFile {
        name: raw.name,
        settings,
        ca_bundle,
        response_time_limit_ms: raw
            .response_time_limit_ms
            .unwrap_or(DEFAULT_RESPONSE_TIME_LIMIT_MS),
    })
}

/// An environment file is a few kilobytes; anything past this is not one (a wrong file picked,
/// a device), and is refused before it is read into memory.
pub const MAX_ENV_FILE_BYTES: u64 = 1024 * 1024;

pub fn read(path: &Path) -> Result<EnvFile> {
    let text = crate::fsutil::read_capped(path, MAX_ENV_FILE_BYTES)
        .map_err(|e| {
            CoreError::Invalid(format!(
                "cannot read the environment file {}: {e}",
                path.display()
            ))
        })?
        .ok_or_else(|| {
            CoreError::Invalid(format!(
                "{} is larger than 1 MiB: not an environment file",
                path.display()
            ))
        })?;
    parse(&text, path.parent().unwrap_or(Path::new(".")))
}

/// Writes an environment's settings as an environment file (for export).
pub fn to_toml(name: &str, s: &EnvironmentSettings) -> String {
    let raw = Raw {
        name: name.to_string(),
        mode: Some(s.mode),
        fulfillment_url: s.fulfillment_url.clone(),
        ca_bundle: None,
        response_time_limit_ms: None,
        seller_account_id: s.seller_account_id.clone(),
        saas_role_arn: s.saas_role_arn.clone(),
        product_id: s.product_id.clone(),
        product_code: s.product_code.clone(),
        offer_id: s.offer_id.clone(),
        pricing_model: s.pricing_model,
        integration_style: s.integration_style,
        eula_url: s.eula_url.clone(),
        dimensions: s.dimensions.clone(),
        test_buyer_account_ids: s.test_buyer_account_ids.clone(),
        sqs_queue_url: s.sqs_queue_url.clone(),
        subscription_topic_arn: s.subscription_topic_arn.clone(),
        entitlement_topic_arn: s.entitlement_topic_arn.clone(),
        use_eventbridge: s.use_eventbridge,
        aws: AwsTable {
            profile: s.profile.clone(),
            role_arn: s.role_arn.clone(),
            region: s.region.clone(),
            endpoint_url: s.endpoint_url.clone(),
        },
    };
    toml::to_string_pretty(&raw).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_relative_ca_bundle() {
        let s = crate::demo::settings(EnvKind::Staging);
        let text = to_toml("staging", &s);
        let parsed = parse(
            &format!("ca_bundle = \"certs/ca.pem\"\n{text}"),
            Path::new("/etc/la"),
        )
        .expect("parses");
        assert_eq!(parsed.settings, s);
        assert_eq!(
            parsed.ca_bundle,
            Some(PathBuf::from("/etc/la/certs/ca.pem"))
        );
        assert_eq!(parsed.response_time_limit_ms, 3000);
    }

    #[test]
    fn errors_name_the_problem() {
        let e = parse(
            "name = \"x\"\nseller_account_id = \"123\"\n",
            Path::new("."),
        )
        .expect_err("bad id");
        assert!(e.to_string().contains("seller_account_id"), "{e}");
        let e = parse(
            "name = \"x\"\nsecret_access_key = \"nope\"\n",
            Path::new("."),
        )
        .expect_err("unknown key");
        assert!(e.to_string().contains("secret_access_key"), "{e}");
        let e = parse("fulfillment_url = \"https://x\"\n", Path::new(".")).expect_err("no name");
        assert!(e.to_string().contains("name"), "{e}");
        let e = parse(
            "name = \"x\"\n[aws]\nrole_arn = \"arn:aws:s3:::b\"\n",
            Path::new("."),
        )
        .expect_err("bad role");
        assert!(e.to_string().contains("role_arn"), "{e}");
    }

    #[test]
    fn an_oversized_file_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().expect("dir");
        let p = dir.path().join("big.toml");
        let mut text = String::from("name = \"staging\"\n");
        while (text.len() as u64) <= MAX_ENV_FILE_BYTES {
            text.push_str("# padding padding padding padding padding padding padding padding\n");
        }
        std::fs::write(&p, text).expect("write");
        let e = read(&p).expect_err("refused");
        assert!(e.to_string().contains("larger than 1 MiB"), "{e}");
    }
}

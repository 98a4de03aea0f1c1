//! Running checks for an environment: builds the context (AWS only when a selected check needs
//! it), runs the engine, and names the access keys this app signs with so CloudTrail checks can
//! leave its own calls out.

use crate::checks::{self, CheckContext};
use crate::engine::{self, CheckResult, EngineOptions, Progress};
use la_core::model::{CredentialSource, EnvMode, EnvironmentSettings};
use la_core::secrets::AccessKeys;
use la_core::AppError;
use std::path::Path;
use std::time::Duration;

pub struct RunInput<'a> {
    pub settings: EnvironmentSettings,
    pub keys: Option<AccessKeys>,
    pub ca_bundle: Option<&'a Path>,
    pub response_time_limit_ms: u64,
    /// Check id prefixes; all checks when empty.
    pub only: Vec<String>,
}

pub async fn run_checks(
    input: RunInput<'_>,
    opts: &EngineOptions,
    progress: &(dyn Fn(Progress) + Sync),
    cancel: &tokio_util::sync::CancellationToken,
) -> Result<Vec<CheckResult>, AppError> {
    let selected = checks::select(&input.only);
    if selected.is_empty() {
        return Err(AppError::invalid(format!(
            "no check id starts with {}",
            input.only.join(" or ")
        )));
    }
    let needs_aws = selected.iter().any(|c| c.needs_aws);
    let mut own = Vec::new();
    if let Some(k) = &input.keys {
        own.push(k.access_key_id.expose().clone());
    }
    if input.settings.mode == EnvMode::Sandbox
        && input.settings.credential_source == CredentialSource::DefaultChain
    {
        own.push(la_core::demo::SANDBOX_ACCESS_KEY_ID.to_string());
    }
    let sdk = if needs_aws {
        let cfg = crate::sdk_config(&input.settings, input.keys.clone())
            .await
            .map_err(|e| AppError::new(la_core::ErrorCode::Credentials, e.to_string()))?;
        if let Some(p) = cfg.credentials_provider() {
            use aws_credential_types::provider::ProvideCredentials;
            if let Ok(c) = p.provide_credentials().await {
                own.push(c.access_key_id().to_string());
            }
        }
        Some(cfg)
    } else {
        None
    };
    let ctx = CheckContext {
        http: CheckContext::http_client(input.ca_bundle)?,
        settings: input.settings,
        sdk,
        response_time_limit: Duration::from_millis(input.response_time_limit_ms),
        own_access_keys: own,
    };
    Ok(engine::run(&ctx, &selected, opts, progress, cancel).await)
}

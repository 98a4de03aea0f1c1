//! Running checks for an environment: builds the context (AWS only when a selected check needs
//! it), runs the engine, and names the access keys this app signs with so CloudTrail checks can
//! leave its own calls out.

use crate::checks::{self, CheckContext};
use crate::engine::{self, CheckResult, EngineOptions, Progress};
use la_core::model::{CheckRunState, CredentialSource, EnvMode, EnvironmentSettings};
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

/// The access keys this app signs with for an environment, so CloudTrail views can leave the
/// app's own calls out and show only the SaaS's.
pub async fn own_access_keys(
    settings: &EnvironmentSettings,
    keys: Option<&AccessKeys>,
    sdk: Option<&aws_config::SdkConfig>,
) -> Vec<String> {
    let mut own = Vec::new();
    if let Some(k) = keys {
        own.push(k.access_key_id.expose().clone());
    }
    if settings.mode == EnvMode::Sandbox
        && settings.credential_source == CredentialSource::DefaultChain
    {
        own.push(la_core::demo::SANDBOX_ACCESS_KEY_ID.to_string());
    }
    if let Some(p) = sdk.and_then(|c| c.credentials_provider()) {
        use aws_credential_types::provider::ProvideCredentials;
        if let Ok(c) = p.provide_credentials().await {
            own.push(c.access_key_id().to_string());
        }
    }
    own
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
    // The bundle is read (and refused if it holds no certificate) once, for the probes' client
    // and the SDK alike.
    let ca_pem = input
        .ca_bundle
        .map(crate::access::read_ca_bundle)
        .transpose()?;
    let http = CheckContext::http_client_trusting(input.ca_bundle.zip(ca_pem.as_deref()))?;
    let sdk = if needs_aws {
        Some(
            crate::access::sdk_config_trusting(
                &input.settings,
                input.keys.clone(),
                ca_pem.as_deref(),
            )
            .await
            .map_err(|e| AppError::new(la_core::ErrorCode::Credentials, e.to_string()))?,
        )
    } else {
        None
    };
    // Real mode: ask the credential chain once. With nothing found, every AWS check would
    // otherwise fail on its own with the SDK's dispatch error ("could not reach the endpoint"
    // and a kilobyte of debug structures), which is the wrong class and says it N times.
    let no_credentials = match &sdk {
        Some(s) if input.settings.mode == EnvMode::Real => {
            crate::access::resolve_credentials(s).await == crate::access::Resolved::NotFound
        }
        _ => false,
    };
    let own = if no_credentials {
        own_access_keys(&input.settings, input.keys.as_ref(), None).await
    } else {
        own_access_keys(&input.settings, input.keys.as_ref(), sdk.as_ref()).await
    };
    let ctx = CheckContext {
        http,
        settings: input.settings,
        sdk,
        response_time_limit: Duration::from_millis(input.response_time_limit_ms),
        own_access_keys: own,
    };
    if !no_credentials {
        return Ok(engine::run(&ctx, &selected, opts, progress, cancel).await);
    }
    tracing::info!("{NO_CREDENTIALS}");
    let local: Vec<_> = selected.iter().copied().filter(|c| !c.needs_aws).collect();
    let mut ran = engine::run(&ctx, &local, opts, progress, cancel).await;
    // In catalogue order, as a full run gives them.
    Ok(selected
        .iter()
        .map(|c| match ran.iter().position(|r| r.id == c.id) {
            Some(i) => ran.swap_remove(i),
            None => {
                let r = engine::no_credentials(c.id);
                progress(Progress::Started { id: r.id.clone() });
                progress(Progress::Finished { result: r.clone() });
                r
            }
        })
        .collect())
}

/// Said once per run when the environment's credential chain found nothing.
pub const NO_CREDENTIALS: &str = "no AWS credentials were found for this environment: choose a profile (`aws configure` or `aws configure sso`, then `aws sso login --profile NAME`), set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or store access keys in the keyring for the environment";
/// What each AWS check not run for want of credentials advises.
pub const NO_CREDENTIALS_ADVICE_EN: &str = "No AWS credentials were found for this environment. Choose an AWS profile (after `aws sso login --profile NAME` for SSO), or store access keys in the keyring for the environment, then run the check again.";
pub const NO_CREDENTIALS_ADVICE_JA: &str = "この環境の AWS 認証情報が見つかりません。AWS プロファイルを選択する (SSO の場合は先に `aws sso login --profile 名前`) か、環境のアクセスキーをキーチェーンに保存してから再実行してください。";

/// Whether a run's results are those of an environment without credentials (the front ends
/// then print [`NO_CREDENTIALS`] once above them).
pub fn lacked_credentials(results: &[CheckResult]) -> bool {
    results
        .iter()
        .any(|r| r.summary.en == engine::NO_CREDENTIALS_SUMMARY)
}

/// Runs the checks of a step (or the whole environment) of a workspace from the app's store:
/// records the run and each result as it arrives, then moves the items the checks prove.
pub async fn run_for_environment(
    core: &la_core::service::Core,
    workspace_id: &str,
    env: la_core::model::EnvKind,
    step_id: Option<&str>,
    opts: &EngineOptions,
    progress: &(dyn Fn(&la_core::model::CheckRun, Progress) + Sync),
    cancel: &tokio_util::sync::CancellationToken,
) -> Result<la_core::model::CheckRun, AppError> {
    let ids = core.checks_for(env, step_id);
    if ids.is_empty() {
        return Err(AppError::invalid("this step has no automated check yet"));
    }
    let la_core::service::Credentials { settings, keys } = core.credentials(workspace_id, env)?;
    let run = core.start_check_run(workspace_id, env, ids.len() as u32)?;
    let record = |p: Progress| {
        if let Progress::Finished { result } = &p {
            if let Err(e) = core.record_check_result(&run.id, result) {
                tracing::warn!(error = %e, "could not record a check result");
            }
        }
        progress(&run, p);
    };
    let input = RunInput {
        settings,
        keys,
        ca_bundle: None,
        response_time_limit_ms: la_core::envfile::DEFAULT_RESPONSE_TIME_LIMIT_MS,
        only: ids.clone(),
    };
    // `only` holds whole ids; a prefix match would also pick e.g. catalog.eula_x.
    let results = match run_checks(input, opts, &record, cancel).await {
        Ok(r) => r
            .into_iter()
            .filter(|r| ids.contains(&r.id))
            .collect::<Vec<_>>(),
        Err(e) => {
            core.finish_check_run(&run, &[], CheckRunState::Failed)?;
            return Err(e);
        }
    };
    let state = if cancel.is_cancelled() {
        CheckRunState::Cancelled
    } else {
        CheckRunState::Finished
    };
    core.finish_check_run(&run, &results, state)?;
    Ok(la_core::model::CheckRun { state, ..run })
}

#[cfg(test)]
mod tests {
    /// The README's IAM policy is the generated one (`listing-assistant iam-policy`), and every
    /// declared action is `service:Action`.
    #[test]
    fn the_readme_shows_the_generated_iam_policy() {
        let policy = crate::checks::iam_policy();
        for a in policy["Statement"][0]["Action"]
            .as_array()
            .expect("actions")
        {
            let a = a.as_str().expect("string");
            let (service, action) = a.split_once(':').expect("service:Action");
            assert!(
                !service.is_empty() && action.starts_with(|c: char| c.is_ascii_uppercase()),
                "{a}"
            );
        }
        let pretty = serde_json::to_string_pretty(&policy).expect("json");
        let readme = std::fs::read_to_string(
            std::path::PathBuf::from(
                std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR is set by cargo"),
            )
            .join("../../README.md"),
        )
        .expect("README");
        assert!(
            readme.contains(&pretty),
            "README.md's IAM policy is stale; replace it with:\n{pretty}"
        );
        let authoring =
            serde_json::to_string_pretty(&crate::checks::authoring_iam_policy()).expect("json");
        assert!(
            readme.contains(&authoring),
            "README.md's authoring IAM policy is stale; replace it with:\n{authoring}"
        );
    }

    #[test]
    fn the_checklist_knows_exactly_the_implemented_checks() {
        let ours: Vec<&str> = crate::checks::catalogue().iter().map(|c| c.id).collect();
        assert_eq!(ours, la_core::checklist::implemented_checks());
        // Every implemented check proves at least one checklist item.
        for id in &ours {
            assert!(
                la_core::checklist::checklist()
                    .items
                    .iter()
                    .any(|i| i.check.as_deref() == Some(*id)),
                "{id} proves no item"
            );
        }
    }
}

//! Check commands: each forwards to `la_app::checks`.

use la_app::checks::{self, RunChecks};
use la_app::App;
use la_core::model::{CheckRun, CheckRunSummary, EnvKind, StoredCheckResult};
use la_core::AppError;
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn run_checks(
    app: State<'_, App>,
    workspace_id: String,
    env: EnvKind,
    step_id: Option<String>,
) -> Result<CheckRun, AppError> {
    let req = RunChecks {
        workspace_id,
        env,
        step_id,
    };
    checks::run(&app, req).await
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_checks(app: State<'_, App>) -> Result<bool, AppError> {
    checks::cancel(&app).await
}

#[tauri::command]
#[specta::specta]
pub async fn latest_check_results(
    app: State<'_, App>,
    workspace_id: String,
    env: EnvKind,
) -> Result<Vec<StoredCheckResult>, AppError> {
    checks::latest_results(&app, &workspace_id, env).await
}

#[tauri::command]
#[specta::specta]
pub async fn check_history(
    app: State<'_, App>,
    workspace_id: String,
    env: EnvKind,
) -> Result<Vec<CheckRunSummary>, AppError> {
    checks::history(&app, &workspace_id, env).await
}

#[tauri::command]
#[specta::specta]
pub async fn aws_profiles() -> Result<Vec<String>, AppError> {
    checks::aws_profiles().await
}

/// Who the environment's saved credentials resolve to (STS GetCallerIdentity).
#[tauri::command]
#[specta::specta]
pub async fn aws_identity(
    app: State<'_, App>,
    workspace_id: String,
    env: EnvKind,
) -> Result<la_aws::access::CallerIdentity, AppError> {
    checks::identity(&app, &workspace_id, env).await
}

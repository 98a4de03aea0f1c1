//! Running checks from the app: one run at a time, cancellable, with live progress events.

use crate::AppState;
use la_aws::engine::{EngineOptions, Progress};
use la_core::model::{CheckResult, CheckRun, CheckRunSummary, EnvKind, StoredCheckResult};
use la_core::AppError;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use tauri::{AppHandle, Manager, State};
use tauri_specta::Event;
use tokio_util::sync::CancellationToken;

#[derive(Default)]
pub struct ChecksState {
    running: Mutex<Option<CancellationToken>>,
}

/// Emitted as each check of a run starts and finishes.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct CheckProgress {
    pub run_id: String,
    pub workspace_id: String,
    pub total: u32,
    pub started: Option<String>,
    pub finished: Option<CheckResult>,
}

#[tauri::command]
#[specta::specta]
pub async fn run_checks(
    app: AppHandle,
    checks: State<'_, ChecksState>,
    workspace_id: String,
    env: EnvKind,
    step_id: Option<String>,
) -> Result<CheckRun, AppError> {
    let token = CancellationToken::new();
    {
        let mut slot = checks.running.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_some() {
            return Err(AppError::new(
                la_core::ErrorCode::Conflict,
                "Checks are already running; wait for them or cancel them.",
            ));
        }
        *slot = Some(token.clone());
    }
    // The engine's futures borrow the core and are not Send; run them on a thread of their own
    // with its own small runtime, so the UI's runtime is never blocked.
    let app2 = app.clone();
    let joined = tauri::async_runtime::spawn_blocking(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| AppError::new(la_core::ErrorCode::Internal, e.to_string()))?;
        rt.block_on(async {
            let state = app2.state::<AppState>();
            let core = state.core.as_ref().map_err(Clone::clone)?;
            let emit = |run: &CheckRun, p: Progress| {
                let (started, finished) = match p {
                    Progress::Started { id } => (Some(id), None),
                    Progress::Finished { result } => (None, Some(result)),
                };
                let ev = CheckProgress {
                    run_id: run.id.clone(),
                    workspace_id: run.workspace_id.clone(),
                    total: run.total,
                    started,
                    finished,
                };
                if let Err(e) = ev.emit(&app2) {
                    tracing::warn!(error = %e, "could not emit check progress");
                }
            };
            la_aws::run::run_for_environment(
                core,
                &workspace_id,
                env,
                step_id.as_deref(),
                &EngineOptions::default(),
                &emit,
                &token,
            )
            .await
        })
    })
    .await;
    *checks.running.lock().unwrap_or_else(|p| p.into_inner()) = None;
    joined.map_err(|e| {
        AppError::new(
            la_core::ErrorCode::Internal,
            format!("the check run stopped: {e}"),
        )
    })?
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_checks(checks: State<'_, ChecksState>) -> Result<bool, AppError> {
    Ok(
        match checks
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            Some(t) => {
                t.cancel();
                true
            }
            None => false,
        },
    )
}

#[tauri::command]
#[specta::specta]
pub async fn latest_check_results(
    state: State<'_, AppState>,
    workspace_id: String,
    env: EnvKind,
) -> Result<Vec<StoredCheckResult>, AppError> {
    Ok(state
        .core
        .as_ref()
        .map_err(Clone::clone)?
        .latest_check_results(&workspace_id, env)?)
}

#[tauri::command]
#[specta::specta]
pub async fn check_history(
    state: State<'_, AppState>,
    workspace_id: String,
    env: EnvKind,
) -> Result<Vec<CheckRunSummary>, AppError> {
    Ok(state
        .core
        .as_ref()
        .map_err(Clone::clone)?
        .check_history(&workspace_id, env)?)
}

#[tauri::command]
#[specta::specta]
pub async fn aws_profiles() -> Result<Vec<String>, AppError> {
    Ok(la_aws::access::list_profiles())
}

/// Who the environment's saved credentials resolve to (STS GetCallerIdentity).
#[tauri::command]
#[specta::specta]
pub async fn aws_identity(
    state: State<'_, AppState>,
    workspace_id: String,
    env: EnvKind,
) -> Result<la_aws::access::CallerIdentity, AppError> {
    let (settings, keys) = {
        let core = state.core.as_ref().map_err(Clone::clone)?;
        let (settings, _) = core.store().environment(&workspace_id, env)?;
        let keys = if settings.credential_source == la_core::model::CredentialSource::AccessKeys {
            core.access_keys(&workspace_id, env)?
        } else {
            None
        };
        (settings, keys)
    };
    la_aws::access::who_am_i(&settings, keys).await
}

//! Workspaces, their environments, checklist item statuses and evidence: each operation a thin
//! use of the core, here so both front ends reach the data the same way.

use crate::App;
use la_core::checklist::{checklist, Checklist};
use la_core::model::*;
use la_core::validate::validate_settings;
use la_core::AppError;
use serde::Serialize;
use specta::Type;
use std::path::Path;

pub async fn app_info(app: &App) -> Result<AppInfo, AppError> {
    Ok(app.core()?.app_info())
}

pub async fn get_checklist() -> Result<Checklist, AppError> {
    Ok(checklist().clone())
}

pub async fn preferences(app: &App) -> Result<Preferences, AppError> {
    Ok(app.core()?.preferences()?)
}

/// Everything the first screen draws, in one answer: the app's facts, the preferences, the
/// checklist, the workspaces and the one to open (the remembered one if it still exists, else
/// the first). One call instead of four and a fifth that had to wait for two of them: start-up
/// was paying the IPC round trips and a render per answer (issue 15).
#[derive(Debug, Clone, Serialize, Type)]
pub struct Bootstrap {
    pub info: AppInfo,
    pub preferences: Preferences,
    pub checklist: Checklist,
    pub workspaces: Vec<WorkspaceSummary>,
    pub workspace: Option<WorkspaceDetail>,
}

pub async fn bootstrap(app: &App) -> Result<Bootstrap, AppError> {
    bootstrap_now(app)
}

/// [`bootstrap`] for a caller that cannot await: the desktop shell places the answer in the
/// page itself as it serves it (src-tauri's `page` module), from a handler that must answer in
/// place. A few SQLite reads, about 0.5–2 ms.
pub fn bootstrap_now(app: &App) -> Result<Bootstrap, AppError> {
    let core = app.core()?;
    let preferences = core.preferences()?;
    let workspaces = core.list_workspaces()?;
    let open = preferences
        .last_workspace_id
        .as_deref()
        .filter(|id| workspaces.iter().any(|w| w.workspace.id == *id))
        .or_else(|| workspaces.first().map(|w| w.workspace.id.as_str()));
    let workspace = match open {
        Some(id) => Some(core.workspace_detail(id)?),
        None => None,
    };
    Ok(Bootstrap {
        info: core.app_info(),
        preferences,
        checklist: checklist().clone(),
        workspaces,
        workspace,
    })
}

pub async fn set_preferences(app: &App, prefs: &Preferences) -> Result<Preferences, AppError> {
    Ok(app.core()?.set_preferences(prefs)?)
}

pub async fn list(app: &App) -> Result<Vec<WorkspaceSummary>, AppError> {
    Ok(app.core()?.list_workspaces()?)
}

/// A workspace by its name (the CLI's `--workspace`); not found names the ones there are.
pub async fn by_name(app: &App, name: &str) -> Result<Workspace, AppError> {
    let store = app.core()?.store();
    if let Some(w) = store.workspace_by_name(name)? {
        return Ok(w);
    }
    let names: Vec<String> = store
        .list_workspaces()?
        .into_iter()
        .map(|w| w.name)
        .collect();
    Err(AppError::not_found(format!(
        "no workspace named \"{name}\" in {} (there are: {})",
        app.data_dir().display(),
        names.join(", ")
    )))
}

pub async fn create(app: &App, name: &str, product_name: &str) -> Result<Workspace, AppError> {
    Ok(app.core()?.create_workspace(name, product_name)?)
}

pub async fn rename(
    app: &App,
    id: &str,
    name: &str,
    product_name: &str,
) -> Result<Workspace, AppError> {
    Ok(app.core()?.rename_workspace(id, name, product_name)?)
}

pub async fn delete(app: &App, id: &str) -> Result<(), AppError> {
    Ok(app.core()?.delete_workspace(id)?)
}

pub async fn detail(app: &App, id: &str) -> Result<WorkspaceDetail, AppError> {
    Ok(app.core()?.workspace_detail(id)?)
}

pub async fn validate_environment(
    settings: &EnvironmentSettings,
) -> Result<Vec<FieldError>, AppError> {
    Ok(validate_settings(settings))
}

pub async fn save_environment(
    app: &App,
    workspace_id: &str,
    kind: EnvKind,
    settings: &EnvironmentSettings,
) -> Result<EnvironmentView, AppError> {
    Ok(app.core()?.save_environment(workspace_id, kind, settings)?)
}

pub async fn set_access_keys(
    app: &App,
    workspace_id: &str,
    kind: EnvKind,
    access_key_id: &str,
    secret_access_key: &str,
    session_token: Option<&str>,
) -> Result<(), AppError> {
    Ok(app.core()?.set_access_keys_with_token(
        workspace_id,
        kind,
        access_key_id,
        secret_access_key,
        session_token,
    )?)
}

pub async fn clear_access_keys(
    app: &App,
    workspace_id: &str,
    kind: EnvKind,
) -> Result<(), AppError> {
    Ok(app.core()?.clear_access_keys(workspace_id, kind)?)
}

pub async fn set_item_status(app: &App, change: &StatusChange) -> Result<HistoryEntry, AppError> {
    Ok(app.core()?.set_item_status(change)?)
}

pub async fn item_history(
    app: &App,
    workspace_id: &str,
    item_id: &str,
) -> Result<Vec<HistoryEntry>, AppError> {
    Ok(app.core()?.item_history(workspace_id, item_id)?)
}

pub async fn add_evidence(
    app: &App,
    workspace_id: &str,
    item_id: &str,
    path: &Path,
) -> Result<Evidence, AppError> {
    Ok(app.core()?.add_evidence(workspace_id, item_id, path)?)
}

pub async fn list_evidence(
    app: &App,
    workspace_id: &str,
    item_id: &str,
) -> Result<Vec<Evidence>, AppError> {
    Ok(app.core()?.list_evidence(workspace_id, item_id)?)
}

/// Opens an evidence file with the system's default application.
pub async fn open_evidence(app: &App, evidence_id: &str) -> Result<(), AppError> {
    let path = app.core()?.evidence_file(evidence_id)?;
    app.host().open_file(&path)
}

pub async fn export_environment_file(
    app: &App,
    workspace_id: &str,
    kind: EnvKind,
    path: &Path,
) -> Result<(), AppError> {
    Ok(app
        .core()?
        .export_environment_file(workspace_id, kind, path)?)
}

pub async fn import_environment_file(
    app: &App,
    workspace_id: &str,
    kind: EnvKind,
    path: &Path,
) -> Result<EnvironmentView, AppError> {
    Ok(app
        .core()?
        .import_environment_file(workspace_id, kind, path)?)
}

/// The wizard is on screen and interactive: how long start-up took (ms), also written to
/// `ready_file` when a benchmark asked for it (`LA_BENCH_READY_FILE`).
pub async fn report_ready(app: &App, ready_file: Option<&Path>) -> Result<u32, AppError> {
    let ms = u32::try_from(app.started().elapsed().as_millis()).unwrap_or(u32::MAX);
    tracing::info!(ms, "wizard interactive");
    crate::sandbox::first_screen_shown(app);
    if let Some(file) = ready_file {
        std::fs::write(file, format!("{ms}\n"))
            .map_err(|e| AppError::new(la_core::ErrorCode::Io, e.to_string()))?;
    }
    Ok(ms)
}

//! Tauri commands: each a few lines forwarding to `la_core::service::Core`.

use la_core::checklist::{checklist, Checklist};
use la_core::model::*;
use la_core::service::Core;
use la_core::validate::validate_settings;
use la_core::AppError;
use std::path::PathBuf;
use std::time::Instant;
use tauri::State;

/// What the shell manages: the core (or why it could not open) and when the process started.
pub struct AppState {
    pub core: Result<Core, AppError>,
    pub started: Instant,
    /// Where to write the start-up time when benchmarking (`LA_BENCH_READY_FILE`).
    pub ready_file: Option<PathBuf>,
}

impl AppState {
    pub(crate) fn core(&self) -> Result<&Core, AppError> {
        self.core.as_ref().map_err(Clone::clone)
    }
}

type Res<T> = Result<T, AppError>;

#[tauri::command]
#[specta::specta]
pub async fn app_info(state: State<'_, AppState>) -> Res<AppInfo> {
    Ok(state.core()?.app_info())
}

#[tauri::command]
#[specta::specta]
pub async fn get_checklist() -> Res<Checklist> {
    Ok(checklist().clone())
}

#[tauri::command]
#[specta::specta]
pub async fn get_preferences(state: State<'_, AppState>) -> Res<Preferences> {
    Ok(state.core()?.preferences()?)
}

#[tauri::command]
#[specta::specta]
pub async fn set_preferences(state: State<'_, AppState>, prefs: Preferences) -> Res<Preferences> {
    Ok(state.core()?.set_preferences(&prefs)?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_workspaces(state: State<'_, AppState>) -> Res<Vec<WorkspaceSummary>> {
    Ok(state.core()?.list_workspaces()?)
}

#[tauri::command]
#[specta::specta]
pub async fn create_workspace(
    state: State<'_, AppState>,
    name: String,
    product_name: String,
) -> Res<Workspace> {
    Ok(state.core()?.create_workspace(&name, &product_name)?)
}

#[tauri::command]
#[specta::specta]
pub async fn rename_workspace(
    state: State<'_, AppState>,
    id: String,
    name: String,
    product_name: String,
) -> Res<Workspace> {
    Ok(state.core()?.rename_workspace(&id, &name, &product_name)?)
}

#[tauri::command]
#[specta::specta]
pub async fn delete_workspace(state: State<'_, AppState>, id: String) -> Res<()> {
    Ok(state.core()?.delete_workspace(&id)?)
}

#[tauri::command]
#[specta::specta]
pub async fn get_workspace(state: State<'_, AppState>, id: String) -> Res<WorkspaceDetail> {
    Ok(state.core()?.workspace_detail(&id)?)
}

#[tauri::command]
#[specta::specta]
pub async fn validate_environment(settings: EnvironmentSettings) -> Res<Vec<FieldError>> {
    Ok(validate_settings(&settings))
}

#[tauri::command]
#[specta::specta]
pub async fn save_environment(
    state: State<'_, AppState>,
    workspace_id: String,
    kind: EnvKind,
    settings: EnvironmentSettings,
) -> Res<EnvironmentView> {
    Ok(state
        .core()?
        .save_environment(&workspace_id, kind, &settings)?)
}

#[tauri::command]
#[specta::specta]
pub async fn set_access_keys(
    state: State<'_, AppState>,
    workspace_id: String,
    kind: EnvKind,
    access_key_id: String,
    secret_access_key: String,
) -> Res<()> {
    Ok(state
        .core()?
        .set_access_keys(&workspace_id, kind, &access_key_id, &secret_access_key)?)
}

#[tauri::command]
#[specta::specta]
pub async fn clear_access_keys(
    state: State<'_, AppState>,
    workspace_id: String,
    kind: EnvKind,
) -> Res<()> {
    Ok(state.core()?.clear_access_keys(&workspace_id, kind)?)
}

#[tauri::command]
#[specta::specta]
pub async fn set_item_status(
    state: State<'_, AppState>,
    change: StatusChange,
) -> Res<HistoryEntry> {
    Ok(state.core()?.set_item_status(&change)?)
}

#[tauri::command]
#[specta::specta]
pub async fn item_history(
    state: State<'_, AppState>,
    workspace_id: String,
    item_id: String,
) -> Res<Vec<HistoryEntry>> {
    Ok(state.core()?.item_history(&workspace_id, &item_id)?)
}

#[tauri::command]
#[specta::specta]
pub async fn add_evidence(
    state: State<'_, AppState>,
    workspace_id: String,
    item_id: String,
    path: String,
) -> Res<Evidence> {
    Ok(state
        .core()?
        .add_evidence(&workspace_id, &item_id, std::path::Path::new(&path))?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_evidence(
    state: State<'_, AppState>,
    workspace_id: String,
    item_id: String,
) -> Res<Vec<Evidence>> {
    Ok(state.core()?.list_evidence(&workspace_id, &item_id)?)
}

#[tauri::command]
#[specta::specta]
pub async fn open_evidence(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    evidence_id: String,
) -> Res<()> {
    use tauri_plugin_opener::OpenerExt;
    let path = state.core()?.evidence_file(&evidence_id)?;
    app.opener()
        .open_path(path.display().to_string(), None::<&str>)
        .map_err(|e| {
            AppError::new(
                la_core::ErrorCode::Io,
                format!("Could not open the file: {e}"),
            )
        })
}

/// Called by the UI once the wizard is on screen and interactive; used to measure start-up.
#[tauri::command]
#[specta::specta]
pub async fn report_ready(app: tauri::AppHandle, state: State<'_, AppState>) -> Res<u32> {
    let ms = u32::try_from(state.started.elapsed().as_millis()).unwrap_or(u32::MAX);
    tracing::info!(ms, "wizard interactive");
    if let Some(file) = &state.ready_file {
        std::fs::write(file, format!("{ms}\n"))
            .map_err(|e| AppError::new(la_core::ErrorCode::Io, e.to_string()))?;
        if std::env::var_os("LA_BENCH_EXIT").is_some() {
            app.exit(0);
        }
    }
    Ok(ms)
}

#[tauri::command]
#[specta::specta]
pub async fn export_environment_file(
    state: State<'_, AppState>,
    workspace_id: String,
    kind: EnvKind,
    path: String,
) -> Res<()> {
    Ok(state
        .core()?
        .export_environment_file(&workspace_id, kind, std::path::Path::new(&path))?)
}

#[tauri::command]
#[specta::specta]
pub async fn import_environment_file(
    state: State<'_, AppState>,
    workspace_id: String,
    kind: EnvKind,
    path: String,
) -> Res<EnvironmentView> {
    Ok(state
        .core()?
        .import_environment_file(&workspace_id, kind, std::path::Path::new(&path))?)
}

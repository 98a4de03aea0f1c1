//! Tauri commands for workspaces, environments, statuses and evidence: each forwards to
//! `la_app::workspace`.

use la_app::{workspace as ws, App};
use la_core::checklist::Checklist;
use la_core::model::*;
use la_core::AppError;
use tauri::State;

type Res<T> = Result<T, AppError>;

#[tauri::command]
#[specta::specta]
pub async fn app_info(app: State<'_, App>) -> Res<AppInfo> {
    ws::app_info(&app).await
}

/// What the first screen needs, in one round trip.
#[tauri::command]
#[specta::specta]
pub async fn bootstrap(app: State<'_, App>) -> Res<ws::Bootstrap> {
    ws::bootstrap(&app).await
}

#[tauri::command]
#[specta::specta]
pub async fn get_checklist() -> Res<Checklist> {
    ws::get_checklist().await
}

#[tauri::command]
#[specta::specta]
pub async fn get_preferences(app: State<'_, App>) -> Res<Preferences> {
    ws::preferences(&app).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_preferences(app: State<'_, App>, prefs: Preferences) -> Res<Preferences> {
    ws::set_preferences(&app, &prefs).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_workspaces(app: State<'_, App>) -> Res<Vec<WorkspaceSummary>> {
    ws::list(&app).await
}

#[tauri::command]
#[specta::specta]
pub async fn create_workspace(
    app: State<'_, App>,
    name: String,
    product_name: String,
) -> Res<Workspace> {
    ws::create(&app, &name, &product_name).await
}

#[tauri::command]
#[specta::specta]
pub async fn rename_workspace(
    app: State<'_, App>,
    id: String,
    name: String,
    product_name: String,
) -> Res<Workspace> {
    ws::rename(&app, &id, &name, &product_name).await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_workspace(app: State<'_, App>, id: String) -> Res<()> {
    ws::delete(&app, &id).await
}

#[tauri::command]
#[specta::specta]
pub async fn get_workspace(app: State<'_, App>, id: String) -> Res<WorkspaceDetail> {
    ws::detail(&app, &id).await
}

#[tauri::command]
#[specta::specta]
pub async fn validate_environment(settings: EnvironmentSettings) -> Res<Vec<FieldError>> {
    ws::validate_environment(&settings).await
}

#[tauri::command]
#[specta::specta]
pub async fn save_environment(
    app: State<'_, App>,
    workspace_id: String,
    kind: EnvKind,
    settings: EnvironmentSettings,
) -> Res<EnvironmentView> {
    ws::save_environment(&app, &workspace_id, kind, &settings).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_access_keys(
    app: State<'_, App>,
    workspace_id: String,
    kind: EnvKind,
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
) -> Res<()> {
    ws::set_access_keys(
        &app,
        &workspace_id,
        kind,
        &access_key_id,
        &secret_access_key,
        session_token.as_deref(),
    )
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn clear_access_keys(
    app: State<'_, App>,
    workspace_id: String,
    kind: EnvKind,
) -> Res<()> {
    ws::clear_access_keys(&app, &workspace_id, kind).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_item_status(app: State<'_, App>, change: StatusChange) -> Res<HistoryEntry> {
    ws::set_item_status(&app, &change).await
}

#[tauri::command]
#[specta::specta]
pub async fn item_history(
    app: State<'_, App>,
    workspace_id: String,
    item_id: String,
) -> Res<Vec<HistoryEntry>> {
    ws::item_history(&app, &workspace_id, &item_id).await
}

#[tauri::command]
#[specta::specta]
pub async fn add_evidence(
    app: State<'_, App>,
    workspace_id: String,
    item_id: String,
    path: String,
) -> Res<Evidence> {
    let path = app.picked().take(&path)?;
    ws::add_evidence(&app, &workspace_id, &item_id, &path).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_evidence(
    app: State<'_, App>,
    workspace_id: String,
    item_id: String,
) -> Res<Vec<Evidence>> {
    ws::list_evidence(&app, &workspace_id, &item_id).await
}

#[tauri::command]
#[specta::specta]
pub async fn open_evidence(app: State<'_, App>, evidence_id: String) -> Res<()> {
    ws::open_evidence(&app, &evidence_id).await
}

/// Called by the UI once the wizard is on screen and interactive; used to measure start-up.
#[tauri::command]
#[specta::specta]
pub async fn report_ready(
    handle: tauri::AppHandle,
    app: State<'_, App>,
    bench: State<'_, crate::Bench>,
) -> Res<u32> {
    let ms = ws::report_ready(&app, bench.ready_file.as_deref()).await?;
    if bench.ready_file.is_some() && bench.exit {
        handle.exit(0);
    }
    Ok(ms)
}

#[tauri::command]
#[specta::specta]
pub async fn export_environment_file(
    app: State<'_, App>,
    workspace_id: String,
    kind: EnvKind,
    path: String,
) -> Res<()> {
    let path = app.picked().take(&path)?;
    ws::export_environment_file(&app, &workspace_id, kind, &path).await
}

#[tauri::command]
#[specta::specta]
pub async fn import_environment_file(
    app: State<'_, App>,
    workspace_id: String,
    kind: EnvKind,
    path: String,
) -> Res<EnvironmentView> {
    let path = app.picked().take(&path)?;
    ws::import_environment_file(&app, &workspace_id, kind, &path).await
}

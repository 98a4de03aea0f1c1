//! Report commands: each forwards to `la_app::reports`. The native save dialog runs in the
//! webview (tauri-plugin-dialog's `save`, the only dialog permission granted besides `open`), so
//! the path arrives here already chosen by the user.

use la_app::reports::{self, ReportExported, ReportRequest};
use la_app::App;
use la_core::model::Language;
use la_core::AppError;
use la_report::Scope;
use tauri::State;

/// The HTML report, as the export would write it, for the in-app preview.
#[tauri::command]
#[specta::specta]
pub async fn report_preview(
    app: State<'_, App>,
    workspace_id: String,
    scope: Scope,
    language: Language,
) -> Result<String, AppError> {
    reports::preview(&app, &workspace_id, scope, language).await
}

#[tauri::command]
#[specta::specta]
pub async fn export_report(
    app: State<'_, App>,
    request: ReportRequest,
    path: String,
) -> Result<ReportExported, AppError> {
    let path = app.picked().take(&path)?;
    reports::export(&app, &request, &path).await
}

/// Opens the report the last export wrote with the system's default application.
#[tauri::command]
#[specta::specta]
pub async fn open_exported_report(app: State<'_, App>) -> Result<(), AppError> {
    reports::open_exported(&app).await
}

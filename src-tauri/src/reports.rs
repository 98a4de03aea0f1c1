//! Report commands: the HTML preview and the export the dialog writes. Both forward to la-report;
//! the native save dialog runs in the webview (tauri-plugin-dialog's `save`, the only dialog
//! permission granted besides `open`), so the path arrives here already chosen by the user.

use crate::commands::AppState;
use la_core::model::{EnvKind, Language};
use la_core::AppError;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::path::PathBuf;
use std::sync::Mutex;
use tauri::State;

/// The file the last export wrote: the only one `open_exported_report` opens, so the webview
/// cannot ask the shell to open arbitrary paths.
static LAST_EXPORT: Mutex<Option<PathBuf>> = Mutex::new(None);

#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    Html,
    Pdf,
    Md,
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ReportScope {
    Workspace,
    Staging,
    Production,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ReportRequest {
    pub workspace_id: String,
    pub scope: ReportScope,
    pub language: Language,
    pub format: ReportFormat,
    /// Write a zip with the report, the evidence files in scope and SHA256SUMS.
    pub with_evidence: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ReportExported {
    pub path: String,
    /// Size of the written file in bytes (saturates at 4 GiB).
    pub bytes: u32,
    pub digest: String,
    pub evidence_files: u32,
}

fn to_scope(s: ReportScope) -> la_report::Scope {
    match s {
        ReportScope::Workspace => la_report::Scope::Workspace,
        ReportScope::Staging => la_report::Scope::Env(EnvKind::Staging),
        ReportScope::Production => la_report::Scope::Env(EnvKind::Production),
    }
}

fn lang(l: Language) -> la_report::Lang {
    match l {
        Language::En => la_report::Lang::En,
        Language::Ja => la_report::Lang::Ja,
    }
}

fn format(f: ReportFormat) -> la_report::Format {
    match f {
        ReportFormat::Html => la_report::Format::Html,
        ReportFormat::Pdf => la_report::Format::Pdf,
        ReportFormat::Md => la_report::Format::Md,
        ReportFormat::Json => la_report::Format::Json,
        ReportFormat::Csv => la_report::Format::Csv,
    }
}

/// The HTML report, as the export would write it, for the in-app preview.
#[tauri::command]
#[specta::specta]
pub async fn report_preview(
    state: State<'_, AppState>,
    workspace_id: String,
    scope: ReportScope,
    language: Language,
) -> Result<String, AppError> {
    let core = state.core()?;
    let report = la_report::build(
        core,
        &workspace_id,
        to_scope(scope),
        lang(language),
        &la_core::store::now(),
    )?;
    let html = la_report::render(&report, la_report::Format::Html)?;
    Ok(String::from_utf8_lossy(&html).into_owned())
}

#[tauri::command]
#[specta::specta]
pub async fn export_report(
    state: State<'_, AppState>,
    request: ReportRequest,
    path: String,
) -> Result<ReportExported, AppError> {
    let core = state.core()?;
    let e = la_report::export(
        core,
        &request.workspace_id,
        to_scope(request.scope),
        lang(request.language),
        format(request.format),
        std::path::Path::new(&path),
        request.with_evidence,
    )?;
    *LAST_EXPORT.lock().unwrap_or_else(|p| p.into_inner()) = Some(PathBuf::from(&e.path));
    Ok(ReportExported {
        path: e.path,
        bytes: u32::try_from(e.bytes).unwrap_or(u32::MAX),
        digest: e.digest,
        evidence_files: e.evidence_files,
    })
}

/// Opens the report the last export wrote with the system's default application.
#[tauri::command]
#[specta::specta]
pub async fn open_exported_report(app: tauri::AppHandle) -> Result<(), AppError> {
    use tauri_plugin_opener::OpenerExt;
    let path = LAST_EXPORT
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
        .ok_or_else(|| AppError::not_found("No report has been exported yet."))?;
    app.opener()
        .open_path(path.display().to_string(), None::<&str>)
        .map_err(|e| {
            AppError::new(
                la_core::ErrorCode::Io,
                format!("Could not open {}: {e}", path.display()),
            )
        })
}

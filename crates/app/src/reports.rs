//! Reviewer reports: the in-app HTML preview, the export (the app's save dialog and the CLI's
//! `report export` make the same request), opening what was exported, and verification.

use crate::App;
use la_core::model::Language;
use la_core::AppError;
use la_report::{Format, Scope};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The file the last export wrote: the only one `open_exported` opens, so the webview cannot
/// ask the app to open arbitrary paths.
#[derive(Default)]
pub(crate) struct LastExport(Mutex<Option<PathBuf>>);

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ReportRequest {
    pub workspace_id: String,
    pub scope: Scope,
    pub language: Language,
    pub format: Format,
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

/// The HTML report, as the export would write it, for the in-app preview.
pub async fn preview(
    app: &App,
    workspace_id: &str,
    scope: Scope,
    language: Language,
) -> Result<String, AppError> {
    let report = la_report::build(
        app.core()?,
        workspace_id,
        scope,
        language,
        &la_core::store::now(),
    )?;
    let html = la_report::render(&report, Format::Html)?;
    Ok(String::from_utf8_lossy(&html).into_owned())
}

/// Writes the report to `path` (a zip with the evidence files when asked).
pub async fn export(
    app: &App,
    request: &ReportRequest,
    path: &Path,
) -> Result<ReportExported, AppError> {
    let e = la_report::export(
        app.core()?,
        &request.workspace_id,
        request.scope,
        request.language,
        request.format,
        path,
        request.with_evidence,
    )?;
    *app.reports.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(PathBuf::from(&e.path));
    Ok(ReportExported {
        path: e.path,
        bytes: u32::try_from(e.bytes).unwrap_or(u32::MAX),
        digest: e.digest,
        evidence_files: e.evidence_files,
    })
}

/// Opens the report the last export wrote with the system's default application.
pub async fn open_exported(app: &App) -> Result<(), AppError> {
    let path = app
        .reports
        .0
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
        .ok_or_else(|| AppError::not_found("No report has been exported yet."))?;
    app.host().open_file(&path)
}

/// The fingerprint of this installation's report-signing key, as reviewers compare it.
pub async fn signing_fingerprint(app: &App) -> Result<String, AppError> {
    Ok(app.core()?.signing_fingerprint()?)
}

/// The reviewer's side: a signed sign-off of the report at `report_json` (their verdict and
/// notes), written to `out`. `trust`: the seller's fingerprint, when the reviewer pins it.
pub async fn signoff_export(
    app: &App,
    report_json: &Path,
    verdict: la_report::signoff::Verdict,
    notes: &str,
    trust: Option<&str>,
    out: &Path,
) -> Result<la_report::signoff::Exported, AppError> {
    la_report::signoff::export(app.core()?, report_json, verdict, notes, trust, out)
}

/// The seller's side: checks a reviewer's sign-off and records it on step 11's item with the
/// file as evidence. `trust`: the reviewer's fingerprint, when the seller pins it.
pub async fn signoff_import(
    app: &App,
    workspace_id: &str,
    path: &Path,
    trust: Option<&str>,
) -> Result<la_report::signoff::Imported, AppError> {
    la_report::signoff::import(app.core()?, workspace_id, path, trust)
}

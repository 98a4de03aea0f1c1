//! Reviewer reports (PRODUCT.md §7): the report model built from la-core's store, its renderers
//! (HTML, PDF, Markdown, JSON, CSV; English or Japanese), the integrity digest and its verifier,
//! and the export that writes a file or a zip with the evidence files. The CLI and the desktop
//! shell both call [`export`]; neither holds report logic.

pub mod build;
pub mod csv;
pub mod digest;
pub mod html;
pub mod labels;
pub mod markdown;
pub mod model;
pub mod pdf;
pub mod scrub;
pub mod sign;
pub mod signoff;
pub mod view;
mod zip_out;

pub use build::{build, Scope};
pub use digest::VerifyError;
pub use labels::Lang;
pub use model::Report;
pub use sign::Verified;

use la_core::service::Core;
use la_core::signing::SigningKey;
use la_core::{AppError, ErrorCode};
use std::path::Path;

/// Verifies a JSON export: its digest and its signature, whoever signed it (the fingerprint is
/// in [`Verified::signer`]). `sign::verify(bytes, Some(fingerprint))` also requires the signer.
pub fn verify(bytes: &[u8]) -> Result<Verified, VerifyError> {
    sign::verify(bytes, None)
}

/// A report's file format: the one definition the app, its IPC bindings (`ReportFormat`) and
/// the CLI (`--format`) all use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, specta::Type)]
#[serde(rename = "ReportFormat", rename_all = "snake_case")]
pub enum Format {
    Html,
    Pdf,
    Md,
    Json,
    Csv,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Html,
        Format::Pdf,
        Format::Md,
        Format::Json,
        Format::Csv,
    ];
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "html" => Format::Html,
            "pdf" => Format::Pdf,
            "md" | "markdown" => Format::Md,
            "json" => Format::Json,
            "csv" => Format::Csv,
            _ => return None,
        })
    }
    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Md => "md",
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }
}

/// Renders a built report in one format, unsigned (the in-app preview): the cover says "not
/// signed" and a JSON rendering carries the digest only, which `verify` refuses.
pub fn render(report: &Report, format: Format) -> Result<Vec<u8>, AppError> {
    render_with(report, format, None)
}

/// Renders a report signed with `key`: the cover prints the key's fingerprint and the JSON
/// carries the signature. What [`export`] writes.
pub fn render_signed(
    report: &Report,
    format: Format,
    key: &SigningKey,
) -> Result<Vec<u8>, AppError> {
    let signed = Report {
        signer: key.fingerprint(),
        ..report.clone()
    };
    render_with(&signed, format, Some(key))
}

fn render_with(
    report: &Report,
    format: Format,
    key: Option<&SigningKey>,
) -> Result<Vec<u8>, AppError> {
    let d = digest::digest(report);
    let json_err =
        |e: serde_json::Error| AppError::new(ErrorCode::Internal, format!("JSON export: {e}"));
    Ok(match format {
        Format::Html => html::render(report, &d).into_bytes(),
        Format::Md => markdown::render(report, &d).into_bytes(),
        Format::Csv => csv::render(report).into_bytes(),
        Format::Json => match key {
            Some(k) => sign::to_signed_json(report, k).map_err(json_err)?,
            None => digest::to_json(report).map_err(json_err)?,
        },
        Format::Pdf => pdf::render(report, &d, &pdf::ReportFont::find()?)?,
    })
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub path: String,
    pub bytes: u64,
    pub digest: String,
    pub evidence_files: u32,
    /// Fingerprint of the installation key that signed the report.
    pub signer: String,
    /// SHA-256 of the file written (the zip, or the report itself).
    pub sha256: String,
}

/// Builds, signs and writes a report. With `with_evidence`, `out` is a zip holding the report,
/// every evidence file in scope under `evidence/ITEM/`, and `SHA256SUMS` to check them with
/// `sha256sum -c`; it is streamed to disk, so its size does not need memory. The file appears
/// whole or not at all: written to a private temporary file beside `out`, synced, renamed, and
/// the folder synced. Signing needs the keychain (this installation's key lives there).
pub fn export(
    core: &Core,
    workspace_id: &str,
    scope: Scope,
    lang: Lang,
    format: Format,
    out: &Path,
    with_evidence: bool,
) -> Result<Exported, AppError> {
    let now = la_core::store::now();
    let key = core.signing_key()?;
    let report = Report {
        signer: key.fingerprint(),
        ..build(core, workspace_id, scope, lang, &now)?
    };
    let body = render_with(&report, format, Some(key))?;
    let digest = digest::digest(&report);
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(AppError::invalid(format!(
            "The folder {} does not exist.",
            dir.display()
        )));
    }
    let report_name = format!("report.{}", format.extension());
    let written = if with_evidence {
        let in_scope: std::collections::HashSet<&str> = report
            .phases
            .iter()
            .flat_map(|p| p.steps.iter())
            .flat_map(|s| s.items.iter())
            .map(|i| i.id.as_str())
            .collect();
        let files: Vec<(la_core::model::Evidence, String)> = core
            .store()
            .workspace_evidence(workspace_id)?
            .into_iter()
            .filter(|(e, _)| in_scope.contains(e.item_id.as_str()))
            .collect();
        zip_out::write(out, &report_name, &body, &files)?
    } else {
        zip_out::write_plain(out, &body)?
    };
    Ok(Exported {
        path: out.display().to_string(),
        bytes: written.bytes,
        digest,
        evidence_files: written.evidence_files,
        signer: key.fingerprint(),
        sha256: written.sha256,
    })
}

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
pub mod view;

pub use build::{build, Scope};
pub use digest::{verify, Verified, VerifyError};
pub use labels::Lang;
pub use model::Report;

use la_core::service::Core;
use la_core::{AppError, ErrorCode};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;

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

/// Renders a built report in one format.
pub fn render(report: &Report, format: Format) -> Result<Vec<u8>, AppError> {
    let d = digest::digest(report);
    Ok(match format {
        Format::Html => html::render(report, &d).into_bytes(),
        Format::Md => markdown::render(report, &d).into_bytes(),
        Format::Csv => csv::render(report).into_bytes(),
        Format::Json => digest::to_json(report)
            .map_err(|e| AppError::new(ErrorCode::Internal, format!("JSON export: {e}")))?,
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
}

/// Builds and writes a report. With `with_evidence`, `out` is a zip holding the report, every
/// evidence file in scope under `evidence/ITEM/`, and `SHA256SUMS` to check them with
/// `sha256sum -c`. The file appears whole or not at all (written aside, then renamed).
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
    let report = build(core, workspace_id, scope, lang, &now)?;
    let body = render(&report, format)?;
    let digest = digest::digest(&report);
    let mut evidence_files = 0;
    let bytes = if with_evidence {
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
        evidence_files = files.len() as u32;
        zip_bytes(&format!("report.{}", format.extension()), &body, &files)?
    } else {
        body
    };
    write_atomically(out, &bytes)?;
    Ok(Exported {
        path: out.display().to_string(),
        bytes: bytes.len() as u64,
        digest,
        evidence_files,
    })
}

fn io_err(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorCode::Io, format!("{what}: {e}"))
}

fn zip_bytes(
    report_name: &str,
    report: &[u8],
    files: &[(la_core::model::Evidence, String)],
) -> Result<Vec<u8>, AppError> {
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // Evidence is mostly screenshots and PDFs, already compressed: store, do not deflate.
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(false);
    let z = |e: zip::result::ZipError| io_err("Could not write the zip", e);
    zip.start_file(report_name, opts).map_err(z)?;
    zip.write_all(report).map_err(|e| io_err("zip", e))?;
    let mut sums = String::new();
    for (ev, stored) in files {
        let data = std::fs::read(stored).map_err(|e| {
            io_err(
                &format!("Cannot read the evidence file {}", ev.file_name),
                e,
            )
        })?;
        let actual = hex::encode(Sha256::digest(&data));
        if actual != ev.sha256 {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!(
                    "The evidence file {} of {} changed on disk since it was added (SHA-256 {} recorded, {} now); nothing was exported.",
                    ev.file_name, ev.item_id, ev.sha256, actual
                ),
            ));
        }
        let name = format!(
            "evidence/{}/{}-{}",
            ev.item_id,
            &ev.id[..ev.id.len().min(8)],
            ev.file_name
        );
        zip.start_file(name.as_str(), opts).map_err(z)?;
        zip.write_all(&data).map_err(|e| io_err("zip", e))?;
        sums.push_str(&format!("{}  {}\n", ev.sha256, name));
    }
    zip.start_file("SHA256SUMS", opts).map_err(z)?;
    zip.write_all(sums.as_bytes())
        .map_err(|e| io_err("zip", e))?;
    Ok(zip.finish().map_err(z)?.into_inner())
}

fn write_atomically(out: &Path, bytes: &[u8]) -> Result<(), AppError> {
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
    let tmp = dir.join(format!(
        ".{}.partial",
        out.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "report".into())
    ));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, out)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_err(&format!("Cannot write {}", out.display()), e)
    })
}

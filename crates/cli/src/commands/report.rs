//! `listing-assistant report export|verify`: reviewer reports from the app's database, and the
//! integrity check of a JSON export.

use super::{open_app, Format};
use crate::commands::check::env_parser;
use crate::exit::ExitStatus;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Subcommand};
use la_app::reports::ReportRequest;
use la_core::model::{EnvKind, Language};
use serde_json::json;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum ReportCmd {
    /// Write a report (HTML, PDF, Markdown, JSON or CSV; English or Japanese).
    Export(ExportArgs),
    /// Recompute a JSON export's SHA-256 digest. Exit code: 0 intact, 1 changed or not a
    /// report, 2 the file cannot be read.
    Verify(VerifyArgs),
}

#[derive(Args)]
pub struct ExportArgs {
    /// The workspace's name (`Demo` exists on a fresh data folder).
    #[arg(long)]
    workspace: String,
    /// Only this environment (default: the whole workspace).
    #[arg(long, value_parser = env_parser())]
    env: Option<EnvKind>,
    #[arg(long, value_parser = format_parser())]
    format: la_report::Format,
    #[arg(long, value_parser = lang_parser(), default_value = "en")]
    lang: Language,
    /// Where to write the report (a .zip with --with-evidence).
    #[arg(long)]
    out: PathBuf,
    /// Write a zip: the report, every evidence file in scope and SHA256SUMS.
    #[arg(long)]
    with_evidence: bool,
    /// The app's data folder (default: $LISTING_ASSISTANT_DATA_DIR, else the app's own).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// A JSON report written by `report export --format json` or the app.
    file: PathBuf,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// The report formats by file extension, listed in `--help`.
fn format_parser() -> impl TypedValueParser<Value = la_report::Format> {
    let names = la_report::Format::ALL.map(la_report::Format::extension);
    // Only the listed names get through the first parser, and each parses.
    PossibleValuesParser::new(names)
        .map(|s| la_report::Format::parse(&s).unwrap_or(la_report::Format::Html))
}

/// The report languages, listed in `--help`.
fn lang_parser() -> impl TypedValueParser<Value = Language> {
    let names = [Language::En, Language::Ja].map(Language::code);
    PossibleValuesParser::new(names).map(|s| Language::from_code(&s))
}

pub async fn run(cmd: ReportCmd) -> ExitStatus {
    match cmd {
        ReportCmd::Export(a) => export(a).await,
        ReportCmd::Verify(a) => verify(a),
    }
}

async fn export(a: ExportArgs) -> ExitStatus {
    let app = match open_app(a.data_dir.as_deref()) {
        Ok(app) => app,
        Err(e) => return ExitStatus::Usage.with_error(e.message),
    };
    let ws = match la_app::workspace::by_name(&app, &a.workspace).await {
        Ok(w) => w,
        Err(e) => return ExitStatus::Usage.with_error(e.message),
    };
    let request = ReportRequest {
        workspace_id: ws.id,
        scope: la_report::Scope::of(a.env),
        language: a.lang,
        format: a.format,
        with_evidence: a.with_evidence,
    };
    let started = std::time::Instant::now();
    match la_app::reports::export(&app, &request, &a.out).await {
        Ok(e) => {
            println!(
                "Wrote {} ({} bytes{}) in {:.2} s\nSHA-256 digest: {}",
                e.path,
                e.bytes,
                if a.with_evidence {
                    format!(", {} evidence files", e.evidence_files)
                } else {
                    String::new()
                },
                started.elapsed().as_secs_f64(),
                e.digest
            );
            ExitStatus::Success
        }
        Err(e) => ExitStatus::Usage.with_error(e.message),
    }
}

fn verify(a: VerifyArgs) -> ExitStatus {
    let bytes = match std::fs::read(&a.file) {
        Ok(b) => b,
        Err(e) => {
            return ExitStatus::Usage.with_error(format!("cannot read {}: {e}", a.file.display()))
        }
    };
    let result = la_report::verify(&bytes);
    match (a.format, &result) {
        (Format::Json, Ok(v)) => println!(
            "{}",
            json!({"ok": true, "digest": v.digest, "workspace": v.workspace, "generated_at": v.generated_at})
        ),
        (Format::Json, Err(e)) => println!(
            "{}",
            json!({"ok": false, "code": e.code(), "message": e.to_string()})
        ),
        (Format::Text, Ok(v)) => println!(
            "OK: {} is intact (workspace \"{}\", generated {}).\nSHA-256 digest: {}",
            a.file.display(),
            v.workspace,
            v.generated_at,
            v.digest
        ),
        (Format::Text, Err(e)) => eprintln!("CHANGED: {}: {e}", a.file.display()),
    }
    if result.is_ok() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    }
}

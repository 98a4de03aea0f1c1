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
    /// Check a JSON export's digest and signature and name its signer. Exit code: 0 intact and
    /// signed (by the --trust key when given), 1 changed, unsigned, signed by another key or not
    /// a report, 2 the file cannot be read or --trust is not a fingerprint.
    Verify(VerifyArgs),
    /// A reviewer's signed sign-off of a report: export it (the reviewer) or import it (the
    /// seller; recorded on step 11's "Checklist report signed off" item).
    #[command(subcommand)]
    Signoff(SignoffCmd),
    /// Print this installation's report-signing key fingerprint (what reviewers compare).
    Fingerprint(DataDirArgs),
}

#[derive(Subcommand)]
pub enum SignoffCmd {
    Export(SignoffExportArgs),
    Import(SignoffImportArgs),
}

#[derive(Args)]
pub struct DataDirArgs {
    /// The app's data folder (default: $LISTING_ASSISTANT_DATA_DIR, else the app's own).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

#[derive(Args)]
pub struct SignoffExportArgs {
    /// The JSON report reviewed.
    #[arg(long)]
    report: PathBuf,
    /// approve, or changes-requested.
    #[arg(long)]
    verdict: String,
    #[arg(long, default_value = "")]
    notes: String,
    /// The seller's fingerprint, to require that the report is theirs.
    #[arg(long)]
    trust: Option<String>,
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    data: DataDirArgs,
}

#[derive(Args)]
pub struct SignoffImportArgs {
    /// The sign-off file the reviewer sent.
    file: PathBuf,
    #[arg(long)]
    workspace: String,
    /// The reviewer's fingerprint, to require that it is theirs.
    #[arg(long)]
    trust: Option<String>,
    #[command(flatten)]
    data: DataDirArgs,
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
    /// Also require this signer: the fingerprint of the key the report must be signed with
    /// (as the app shows it; case, spaces and colons do not matter).
    #[arg(long)]
    trust: Option<String>,
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
        ReportCmd::Signoff(SignoffCmd::Export(a)) => signoff_export(a).await,
        ReportCmd::Signoff(SignoffCmd::Import(a)) => signoff_import(a).await,
        ReportCmd::Fingerprint(a) => fingerprint(a).await,
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
    let result = la_report::sign::verify(&bytes, a.trust.as_deref());
    match (a.format, &result) {
        (Format::Json, Ok(v)) => println!(
            "{}",
            json!({"ok": true, "digest": v.digest, "workspace": v.workspace, "generated_at": v.generated_at, "signer": v.signer})
        ),
        (Format::Json, Err(e)) => println!(
            "{}",
            json!({"ok": false, "code": e.code(), "message": e.to_string()})
        ),
        (Format::Text, Ok(v)) => println!(
            "OK: {} is intact and signed by key {} (workspace \"{}\", generated {}).\nSHA-256 digest: {}",
            a.file.display(),
            v.signer,
            v.workspace,
            v.generated_at,
            v.digest
        ),
        // Changed content is one thing; a report that is intact but unsigned or signed by
        // someone else is another.
        (Format::Text, Err(e)) if matches!(e.code(), "digest_mismatch" | "bad_signature") => {
            eprintln!("CHANGED: {}: {e}", a.file.display())
        }
        (Format::Text, Err(e)) => eprintln!("NOT VERIFIED: {}: {e}", a.file.display()),
    }
    if let Err(e) = &result {
        if e.code() == "invalid_trust" {
            return ExitStatus::Usage;
        }
    }
    if result.is_ok() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    }
}

async fn fingerprint(a: DataDirArgs) -> ExitStatus {
    let app = match open_app(a.data_dir.as_deref()) {
        Ok(app) => app,
        Err(e) => return ExitStatus::Usage.with_error(e.message),
    };
    match la_app::reports::signing_fingerprint(&app).await {
        Ok(f) => {
            println!("{f}");
            ExitStatus::Success
        }
        Err(e) => ExitStatus::Usage.with_error(e.message),
    }
}

async fn signoff_export(a: SignoffExportArgs) -> ExitStatus {
    let Some(verdict) = la_report::signoff::Verdict::parse(&a.verdict) else {
        return ExitStatus::Usage.with_error("--verdict is approve or changes-requested");
    };
    let app = match open_app(a.data.data_dir.as_deref()) {
        Ok(app) => app,
        Err(e) => return ExitStatus::Usage.with_error(e.message),
    };
    match la_app::reports::signoff_export(
        &app,
        &a.report,
        verdict,
        &a.notes,
        a.trust.as_deref(),
        &a.out,
    )
    .await
    {
        Ok(e) => {
            println!(
                "Wrote {}: sign-off of report {} by key {}",
                e.path, e.report_digest, e.reviewer_fingerprint
            );
            ExitStatus::Success
        }
        Err(e) => ExitStatus::Failure.with_error(e.message),
    }
}

async fn signoff_import(a: SignoffImportArgs) -> ExitStatus {
    let app = match open_app(a.data.data_dir.as_deref()) {
        Ok(app) => app,
        Err(e) => return ExitStatus::Usage.with_error(e.message),
    };
    let ws = match la_app::workspace::by_name(&app, &a.workspace).await {
        Ok(ws) => ws,
        Err(e) => return ExitStatus::Usage.with_error(e.message),
    };
    match la_app::reports::signoff_import(&app, &ws.id, &a.file, a.trust.as_deref()).await {
        Ok(i) => {
            println!(
                "Recorded on {}: {:?} by {} (key {})",
                i.item_id, i.status, i.signoff.reviewer, i.signoff.reviewer_fingerprint
            );
            ExitStatus::Success
        }
        Err(e) => ExitStatus::Failure.with_error(e.message),
    }
}

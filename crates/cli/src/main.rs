//! `listing-assistant`: the headless side of Listing Assistant: the Marketplace sandbox (serve it,
//! drive its simulated buyers), checks for CI, and reviewer reports (export, verify). Needs no
//! display and no webview libraries.

mod purchase;

use clap::{Args, Parser, Subcommand, ValueEnum};
use la_sandbox::server::ServeOptions;
use la_sandbox::sigv4::Credential;
use la_sandbox::{Config, SqsTarget};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "listing-assistant",
    version,
    about = "Listing Assistant from the command line"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The local AWS Marketplace sandbox.
    #[command(subcommand)]
    Sandbox(SandboxCmd),
    /// Run the integration checks for one environment. Exit code: 0 nothing failed, 1 a check
    /// failed or could not run, 2 usage or configuration error.
    Check(CheckArgs),
    /// Print the least-privilege IAM policy the checks need (JSON), generated from the check
    /// catalogue: each check declares the actions it calls.
    IamPolicy,
    /// Test purchases: watch a buyer's purchase live.
    #[command(subcommand)]
    Purchase(purchase::PurchaseCmd),
    /// Reviewer reports: export a workspace or one environment, verify a JSON export.
    #[command(subcommand)]
    Report(ReportCmd),
}

#[derive(Subcommand)]
enum ReportCmd {
    /// Write a report (HTML, PDF, Markdown, JSON or CSV; English or Japanese).
    Export(ReportExportArgs),
    /// Recompute a JSON export's SHA-256 digest. Exit code: 0 intact, 1 changed or not a
    /// report, 2 the file cannot be read.
    Verify(ReportVerifyArgs),
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ReportFormat {
    Html,
    Pdf,
    Md,
    Json,
    Csv,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ReportLang {
    En,
    Ja,
}

#[derive(Args)]
struct ReportExportArgs {
    /// The workspace's name (`Demo` exists on a fresh data folder).
    #[arg(long)]
    workspace: String,
    /// Only this environment (default: the whole workspace).
    #[arg(long, value_parser = ["staging", "production"])]
    env: Option<String>,
    #[arg(long, value_enum)]
    format: ReportFormat,
    #[arg(long, value_enum, default_value = "en")]
    lang: ReportLang,
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
struct ReportVerifyArgs {
    /// A JSON report written by `report export --format json` or the app.
    file: PathBuf,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum CheckFormat {
    Text,
    Json,
    Junit,
}

#[derive(Args)]
struct CheckArgs {
    /// An environment file (TOML); see README.
    #[arg(long, conflicts_with = "workspace")]
    env_file: Option<PathBuf>,
    /// A workspace from the app's database (with --env).
    #[arg(long, requires = "env")]
    workspace: Option<String>,
    #[arg(long, value_parser = ["staging", "production"])]
    env: Option<String>,
    /// The app's data folder (default: the app's own).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Only checks whose id starts with this (repeatable), e.g. --only registration.
    #[arg(long = "only")]
    only: Vec<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: CheckFormat,
    /// Checks run at once.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Seconds each check may take.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Seed {
    Demo,
}

#[derive(Subcommand)]
enum SandboxCmd {
    /// Serve Metering, Entitlement, Catalog and a CloudTrail view on one loopback endpoint.
    Serve(ServeArgs),
    /// A test buyer purchases a product: token, POST to the fulfillment URL, notifications.
    Purchase(PurchaseArgs),
    /// The buyer changes their contract (new quantities).
    Change(ChangeArgs),
    /// The buyer cancels: unsubscribe-pending now, unsubscribe-success after the final-metering hour.
    Cancel(LicenseArgs),
    /// A subscription attempt that fails (subscribe-fail).
    Fail(FailArgs),
    /// Show or advance the sandbox clock (e.g. --advance 1h).
    Clock(ClockArgs),
    /// Inject latency, throttling or server errors into an operation (or `*`).
    Faults(FaultArgs),
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:4599")]
    addr: SocketAddr,
    /// Create the demo products at start-up.
    #[arg(long, value_enum)]
    seed: Option<Seed>,
    /// Keep state in this SQLite file (memory when absent).
    #[arg(long)]
    state: Option<PathBuf>,
    /// The access key clients must sign with (demo credentials when absent).
    #[arg(long, requires = "secret_key")]
    access_key: Option<String>,
    #[arg(
        long,
        requires = "access_key",
        env = "LA_SANDBOX_SECRET_KEY",
        hide_env_values = true
    )]
    secret_key: Option<String>,
    /// SQS endpoint for notifications (moto, a VPC endpoint); AWS's when absent.
    #[arg(long)]
    sqs_endpoint: Option<String>,
    /// The queue notifications are delivered to.
    #[arg(long)]
    sqs_queue_url: Option<String>,
    #[arg(long, default_value = "us-east-1")]
    sqs_region: String,
    /// Append EventBridge-shaped aws.agreement-marketplace events to this file (JSON lines).
    #[arg(long)]
    events_file: Option<PathBuf>,
    /// How old a BatchMeterUsage record may be (6h as documented; 24h per the 2026 SDK model).
    #[arg(long, default_value = "6h", value_parser = parse_duration)]
    metering_window: i64,
    /// Deny an action to an access key, e.g. AKIA…:aws-marketplace:DescribeEntity (repeatable).
    #[arg(long = "deny")]
    deny: Vec<String>,
    /// Allow a non-loopback address (the control API has no authentication).
    #[arg(long)]
    allow_remote: bool,
}

#[derive(Args)]
struct Endpoint {
    /// The sandbox's URL, as printed by `sandbox serve`.
    #[arg(long, env = "LA_SANDBOX_ENDPOINT")]
    endpoint: String,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(Args)]
struct PurchaseArgs {
    #[command(flatten)]
    ep: Endpoint,
    /// Entity id (prod-…) or product code.
    #[arg(long)]
    product: String,
    #[arg(long)]
    buyer_account: String,
    /// Contract quantity, DIMENSION=QUANTITY (repeatable).
    #[arg(long = "entitlement", value_parser = parse_entitlement)]
    entitlements: Vec<(String, i64)>,
    /// Do not POST the token to the fulfillment URL.
    #[arg(long)]
    no_redirect: bool,
    /// Open the fulfillment URL in your browser through an auto-submitting form, as a buyer sees it.
    #[arg(long)]
    open_browser: bool,
}

#[derive(Args)]
struct ChangeArgs {
    #[command(flatten)]
    ep: Endpoint,
    #[arg(long)]
    license_arn: String,
    #[arg(long = "entitlement", value_parser = parse_entitlement, required = true)]
    entitlements: Vec<(String, i64)>,
}

#[derive(Args)]
struct LicenseArgs {
    #[command(flatten)]
    ep: Endpoint,
    #[arg(long)]
    license_arn: String,
}

#[derive(Args)]
struct FailArgs {
    #[command(flatten)]
    ep: Endpoint,
    #[arg(long)]
    product: String,
    #[arg(long)]
    buyer_account: String,
}

#[derive(Args)]
struct ClockArgs {
    #[command(flatten)]
    ep: Endpoint,
    /// How far to move the clock forward (e.g. 90s, 30m, 1h, 2d).
    #[arg(long, value_parser = parse_duration)]
    advance: Option<i64>,
}

#[derive(Args)]
struct FaultArgs {
    #[command(flatten)]
    ep: Endpoint,
    /// Operation name (BatchMeterUsage, GetEntitlements…) or `*`.
    #[arg(long)]
    operation: String,
    #[arg(long, default_value_t = 0)]
    delay_ms: u64,
    #[arg(long, default_value_t = 0.0)]
    throttle_rate: f64,
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
}

fn parse_duration(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = num
        .parse()
        .map_err(|_| format!("'{s}' is not a duration like 90s, 30m, 1h or 2d"))?;
    let mult = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return Err(format!("unknown unit '{unit}' in '{s}': use s, m, h or d")),
    };
    Ok(n * mult)
}

fn parse_entitlement(s: &str) -> Result<(String, i64), String> {
    let (d, q) = s
        .split_once('=')
        .ok_or_else(|| format!("'{s}' is not DIMENSION=QUANTITY"))?;
    let q: i64 = q
        .parse()
        .map_err(|_| format!("quantity in '{s}' is not a whole number"))?;
    Ok((d.to_string(), q))
}

fn entitlements_json(e: &[(String, i64)]) -> Value {
    json!(e
        .iter()
        .map(|(d, q)| json!({"dimension": d, "quantity": q}))
        .collect::<Vec<_>>())
}

// The sandbox serves many small concurrent requests; glibc's allocator was a fifth of its CPU.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(la_aws::logging::env_filter("warn"))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Sandbox(cmd) => sandbox(cmd).await,
        Command::Check(args) => return check(args).await,
        Command::IamPolicy => {
            println!(
                "{}",
                serde_json::to_string_pretty(&la_aws::checks::iam_policy()).unwrap_or_default()
            );
            Ok(())
        }
        Command::Purchase(cmd) => return purchase::run(cmd).await,
        Command::Report(cmd) => return report(cmd),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Opens the app's database in `dir` (default: the app's own data folder). A database with no
/// workspace gets the same `Demo` workspace the app creates on its first start, so every
/// command works on a fresh machine.
fn open_core(dir: Option<&std::path::Path>) -> Result<(la_core::service::Core, PathBuf), String> {
    let dir = dir.map(PathBuf::from).unwrap_or_else(default_data_dir);
    let secrets = la_core::secrets::Secrets::new(
        "io.listingassistant.app",
        la_core::secrets::Backend::from_env(),
    );
    let core = la_core::service::Core::open(
        &dir,
        secrets,
        std::sync::Arc::new(la_core::service::NoEvents),
    )
    .map_err(|e| format!("cannot open the data folder {}: {e}", dir.display()))?;
    let empty = core
        .store()
        .list_workspaces()
        .map_err(|e| e.to_string())?
        .is_empty();
    if empty {
        la_core::demo::seed(&core).map_err(|e| format!("cannot create the Demo workspace: {e}"))?;
    }
    Ok((core, dir))
}

fn report(cmd: ReportCmd) -> ExitCode {
    match cmd {
        ReportCmd::Export(a) => report_export(a),
        ReportCmd::Verify(a) => report_verify(a),
    }
}

fn report_export(a: ReportExportArgs) -> ExitCode {
    let fail = |msg: String| {
        eprintln!("error: {msg}");
        ExitCode::from(2)
    };
    let (core, dir) = match open_core(a.data_dir.as_deref()) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let ws = match core.store().workspace_by_name(&a.workspace) {
        Ok(Some(w)) => w,
        Ok(None) => {
            let names: Vec<String> = core
                .store()
                .list_workspaces()
                .unwrap_or_default()
                .into_iter()
                .map(|w| w.name)
                .collect();
            return fail(format!(
                "no workspace named \"{}\" in {} (there are: {})",
                a.workspace,
                dir.display(),
                names.join(", ")
            ));
        }
        Err(e) => return fail(e.to_string()),
    };
    let scope = match a.env.as_deref().and_then(la_core::model::EnvKind::parse) {
        Some(k) => la_report::Scope::Env(k),
        None => la_report::Scope::Workspace,
    };
    let format = match a.format {
        ReportFormat::Html => la_report::Format::Html,
        ReportFormat::Pdf => la_report::Format::Pdf,
        ReportFormat::Md => la_report::Format::Md,
        ReportFormat::Json => la_report::Format::Json,
        ReportFormat::Csv => la_report::Format::Csv,
    };
    let lang = match a.lang {
        ReportLang::En => la_report::Lang::En,
        ReportLang::Ja => la_report::Lang::Ja,
    };
    let started = std::time::Instant::now();
    match la_report::export(&core, &ws.id, scope, lang, format, &a.out, a.with_evidence) {
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
            ExitCode::SUCCESS
        }
        Err(e) => fail(e.message),
    }
}

fn report_verify(a: ReportVerifyArgs) -> ExitCode {
    let bytes = match std::fs::read(&a.file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", a.file.display());
            return ExitCode::from(2);
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
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The app's data folder for the release build (the app keeps dev builds apart with `.dev`).
fn default_data_dir() -> PathBuf {
    // The same override the app honours, so both can be pointed at one folder.
    if let Some(dir) = std::env::var_os("LISTING_ASSISTANT_DATA_DIR") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("io.listingassistant.app")
}

async fn check(a: CheckArgs) -> ExitCode {
    let usage = |msg: String| {
        eprintln!("error: {msg}");
        ExitCode::from(2)
    };
    let (name, settings, ca_bundle, limit, keys) = if let Some(path) = &a.env_file {
        match la_core::envfile::read(path) {
            Ok(f) => (
                f.name,
                f.settings,
                f.ca_bundle,
                f.response_time_limit_ms,
                None,
            ),
            Err(e) => return usage(e.to_string()),
        }
    } else if let (Some(ws), Some(env)) = (&a.workspace, &a.env) {
        let (core, dir) = match open_core(a.data_dir.as_deref()) {
            Ok(c) => c,
            Err(e) => return usage(e),
        };
        let Some(w) = core.store().workspace_by_name(ws).ok().flatten() else {
            return usage(format!("no workspace named \"{ws}\" in {}", dir.display()));
        };
        let kind = la_core::model::EnvKind::parse(env).unwrap_or(la_core::model::EnvKind::Staging);
        let settings = match core.store().environment(&w.id, kind) {
            Ok((s, _)) => s,
            Err(e) => return usage(e.to_string()),
        };
        // A locked or missing keychain is said as such, not run as "no access keys stored".
        let keys = if settings.credential_source == la_core::model::CredentialSource::AccessKeys {
            match core.access_keys(&w.id, kind) {
                Ok(k) => k,
                Err(e) => return usage(e.to_string()),
            }
        } else {
            None
        };
        (
            format!("{ws}/{env}"),
            settings,
            None,
            la_core::envfile::DEFAULT_RESPONSE_TIME_LIMIT_MS,
            keys,
        )
    } else {
        return usage("give --env-file FILE, or --workspace NAME --env staging|production".into());
    };
    let opts = la_aws::engine::EngineOptions {
        concurrency: a.concurrency,
        timeout: std::time::Duration::from_secs(a.timeout),
        ..Default::default()
    };
    let input = la_aws::run::RunInput {
        settings,
        keys,
        ca_bundle: ca_bundle.as_deref(),
        response_time_limit_ms: limit,
        only: a.only.clone(),
    };
    let text = a.format == CheckFormat::Text;
    let progress = move |p: la_aws::engine::Progress| {
        if let (true, la_aws::engine::Progress::Finished { result }) = (text, p) {
            println!(
                "{:<7} {:<40} {}",
                status_word(result.status),
                result.id,
                result.summary
            );
        }
    };
    let started = std::time::Instant::now();
    let results = match la_aws::run::run_checks(input, &opts, &progress, &Default::default()).await
    {
        Ok(r) => r,
        Err(e) => return usage(e.message),
    };
    let took = started.elapsed().as_secs_f64();
    use la_aws::engine::CheckStatus as S;
    let count = |s: S| results.iter().filter(|r| r.status == s).count();
    match a.format {
        CheckFormat::Text => println!(
            "\n{}: {} passed, {} failed, {} warned, {} could not run, {} skipped ({took:.1} s)",
            name,
            count(S::Pass),
            count(S::Fail),
            count(S::Warn),
            count(S::Error),
            count(S::Skipped)
        ),
        CheckFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "environment": name,
                "checks": results,
                "totals": {"pass": count(S::Pass), "fail": count(S::Fail), "warn": count(S::Warn), "error": count(S::Error), "skipped": count(S::Skipped)},
                "seconds": took,
            }))
            .unwrap_or_default()
        ),
        CheckFormat::Junit => print!("{}", junit(&name, &results, took)),
    }
    if count(S::Fail) + count(S::Error) > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn status_word(s: la_aws::engine::CheckStatus) -> &'static str {
    use la_aws::engine::CheckStatus as S;
    match s {
        S::Pass => "PASS",
        S::Fail => "FAIL",
        S::Warn => "WARN",
        S::Skipped => "SKIP",
        S::Error => "ERROR",
    }
}

fn xml(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect::<String>()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// JUnit XML as CI systems read it: one testcase per check; fail → <failure>, could not run →
/// <error>, skipped → <skipped>; warnings pass with the warning in system-out.
fn junit(name: &str, results: &[la_aws::engine::CheckResult], secs: f64) -> String {
    use la_aws::engine::CheckStatus as S;
    let n = |s: S| results.iter().filter(|r| r.status == s).count();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"listing-assistant\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{secs:.3}\">\n  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{secs:.3}\">\n",
        results.len(), n(S::Fail), n(S::Error), n(S::Skipped), xml(name), results.len(), n(S::Fail), n(S::Error), n(S::Skipped)
    );
    for r in results {
        let class = r.id.split('.').next().unwrap_or("checks");
        out.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\">",
            xml(class),
            xml(&r.id),
            f64::from(r.duration_ms) / 1000.0
        ));
        let body = format!("{}\n{}\n{}", r.summary, r.details, r.advice.en);
        match r.status {
            S::Fail => out.push_str(&format!(
                "<failure message=\"{}\">{}</failure>",
                xml(&r.summary),
                xml(&body)
            )),
            S::Error => out.push_str(&format!(
                "<error message=\"{}\">{}</error>",
                xml(&r.summary),
                xml(&body)
            )),
            S::Skipped => out.push_str(&format!("<skipped message=\"{}\"/>", xml(&r.summary))),
            S::Warn | S::Pass => {
                out.push_str(&format!("<system-out>{}</system-out>", xml(&r.summary)))
            }
        }
        out.push_str("</testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

async fn sandbox(cmd: SandboxCmd) -> Result<(), String> {
    match cmd {
        SandboxCmd::Serve(a) => serve(a).await,
        SandboxCmd::Purchase(a) => {
            let body = json!({
                "product": a.product,
                "buyer_account": a.buyer_account,
                "entitlements": entitlements_json(&a.entitlements),
                "redirect": !a.no_redirect && !a.open_browser,
                "browser_form": a.open_browser,
            });
            let mut out = control(&a.ep.endpoint, "purchase", Some(body)).await?;
            if a.open_browser {
                let html = out["browser_form_html"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let path =
                    std::env::temp_dir().join(format!("la-purchase-{}.html", std::process::id()));
                std::fs::write(&path, html)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                open_in_browser(&path)?;
                out["browser_form_path"] = json!(path.display().to_string());
            }
            if let Some(o) = out.as_object_mut() {
                o.remove("browser_form_html");
            }
            print(a.ep.format, &out, |v| {
                let f = &v["fulfillment"];
                let landing = if f.is_null() {
                    "not posted".to_string()
                } else if let Some(s) = f["status"].as_u64() {
                    format!(
                        "HTTP {s} from {} in {} ms",
                        f["final_url"].as_str().unwrap_or_default(),
                        f["elapsed_ms"]
                    )
                } else {
                    format!("failed: {}", f["error"].as_str().unwrap_or_default())
                };
                format!(
                    "Purchased {} for account {}\n  license:      {}\n  agreement:    {}\n  product code: {}\n  token:        {}… (valid until {})\n  landing page: {}\n  notifications: {}",
                    v["product_id"].as_str().unwrap_or_default(),
                    v["customer_aws_account_id"].as_str().unwrap_or_default(),
                    v["license_arn"].as_str().unwrap_or_default(),
                    v["agreement_id"].as_str().unwrap_or_default(),
                    v["product_code"].as_str().unwrap_or_default(),
                    v["registration_token"].as_str().unwrap_or_default().chars().take(12).collect::<String>(),
                    v["token_expires"].as_str().unwrap_or_default(),
                    landing,
                    v["notifications"].as_array().map_or(0, Vec::len),
                )
            });
            Ok(())
        }
        SandboxCmd::Change(a) => {
            let out = control(
                &a.ep.endpoint,
                "change",
                Some(json!({"license_arn": a.license_arn, "entitlements": entitlements_json(&a.entitlements)})),
            )
            .await?;
            print(a.ep.format, &out, |v| {
                format!("Contract changed: {}", v["entitlements"])
            });
            Ok(())
        }
        SandboxCmd::Cancel(a) => {
            let out = control(
                &a.ep.endpoint,
                "cancel",
                Some(json!({"license_arn": a.license_arn})),
            )
            .await?;
            print(a.ep.format, &out, |v| {
                format!(
                    "Cancelled: unsubscribe-pending sent; unsubscribe-success due at {} (sandbox clock)",
                    v["unsubscribe_success_due"].as_str().unwrap_or_default()
                )
            });
            Ok(())
        }
        SandboxCmd::Fail(a) => {
            let out = control(
                &a.ep.endpoint,
                "fail",
                Some(json!({"product": a.product, "buyer_account": a.buyer_account})),
            )
            .await?;
            print(a.ep.format, &out, |_| "subscribe-fail sent".to_string());
            Ok(())
        }
        SandboxCmd::Clock(a) => {
            let out = match a.advance {
                Some(secs) => {
                    control(&a.ep.endpoint, "clock", Some(json!({"advance_secs": secs}))).await?
                }
                None => control(&a.ep.endpoint, "clock", None).await?,
            };
            print(a.ep.format, &out, |v| {
                format!(
                    "Sandbox clock: {} (offset {} s){}",
                    v["now"].as_str().unwrap_or_default(),
                    v["offset_secs"],
                    v["notifications"]
                        .as_array()
                        .map(|n| format!(", {} notification(s) sent", n.len()))
                        .unwrap_or_default()
                )
            });
            Ok(())
        }
        SandboxCmd::Faults(a) => {
            let out = control(
                &a.ep.endpoint,
                "faults",
                Some(json!({"operation": a.operation, "delay_ms": a.delay_ms, "throttle_rate": a.throttle_rate, "error_rate": a.error_rate})),
            )
            .await?;
            print(a.ep.format, &out, |v| {
                format!("Faults for {}: {}", v["operation"], v["fault"])
            });
            Ok(())
        }
    }
}

fn print(format: Format, v: &Value, text: impl Fn(&Value) -> String) {
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(v).unwrap_or_default()),
        Format::Text => println!("{}", text(v)),
    }
}

async fn control(endpoint: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
    let url = format!("{}/_sandbox/{path}", endpoint.trim_end_matches('/'));
    let client = reqwest::Client::new();
    let req = match &body {
        Some(b) => client.post(&url).json(b),
        None => client.get(&url),
    };
    let resp = req
        .send()
        .await
        .map_err(|e| format!("cannot reach the sandbox at {endpoint}: {e}"))?;
    let status = resp.status();
    let v: Value = resp
        .json()
        .await
        .map_err(|e| format!("the sandbox answered {status} with a body that is not JSON: {e}"))?;
    if !status.is_success() {
        return Err(format!(
            "{}: {}",
            v["code"].as_str().unwrap_or("error"),
            v["message"].as_str().unwrap_or("unknown error")
        ));
    }
    Ok(v)
}

fn open_in_browser(path: &std::path::Path) -> Result<(), String> {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(target_os = "windows") {
        "explorer"
    } else {
        "xdg-open"
    };
    std::process::Command::new(opener)
        .arg(path)
        .spawn()
        .map(|_| ())
        .map_err(|e| {
            format!(
                "cannot open a browser with {opener}: {e}; open {} yourself",
                path.display()
            )
        })
}

async fn serve(a: ServeArgs) -> Result<(), String> {
    let mut config = Config::default();
    let demo_creds = a.access_key.is_none();
    if let (Some(id), Some(secret)) = (&a.access_key, &a.secret_key) {
        config.credentials.clear();
        config.credentials.insert(
            id.clone(),
            Credential {
                secret_access_key: secret.clone(),
            },
        );
    }
    for d in &a.deny {
        let (key, action) = d
            .split_once(':')
            .ok_or_else(|| format!("--deny '{d}' is not ACCESS_KEY:service:Action"))?;
        config
            .denied
            .entry(key.to_string())
            .or_default()
            .insert(action.to_string());
    }
    config.state_file = a.state.clone();
    config.events_file = a.events_file.clone();
    config.metering_window_secs = a.metering_window;
    if let Some(queue_url) = &a.sqs_queue_url {
        config.sqs = Some(SqsTarget {
            queue_url: queue_url.clone(),
            endpoint_url: a.sqs_endpoint.clone(),
            region: a.sqs_region.clone(),
            credentials: None,
        });
    }
    let running = la_sandbox::serve(
        config,
        ServeOptions {
            addr: a.addr,
            seed_demo: a.seed.is_some(),
            allow_remote: a.allow_remote,
        },
    )
    .await
    .map_err(|e| format!("cannot start the sandbox on {}: {e}", a.addr))?;
    println!("Marketplace sandbox listening on {}", running.url);
    if demo_creds {
        println!(
            "Sign requests with the demo credentials: AWS_ACCESS_KEY_ID={} AWS_SECRET_ACCESS_KEY={} (region us-east-1; valid only here)",
            la_sandbox::DEMO_ACCESS_KEY_ID,
            la_sandbox::DEMO_SECRET_ACCESS_KEY
        );
    }
    if a.seed.is_some() {
        for p in running
            .sandbox
            .state
            .products()
            .map_err(|e| e.to_string())?
        {
            println!(
                "Product {} code {} ({:?}, {})",
                p.entity_id, p.code, p.pricing_model, p.visibility
            );
        }
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
    wait_for_stop().await;
    running.stop().await;
    Ok(())
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1h"), Ok(3600));
        assert_eq!(parse_duration("90s"), Ok(90));
        assert_eq!(parse_duration("30m"), Ok(1800));
        assert_eq!(parse_duration("2d"), Ok(172800));
        assert!(parse_duration("1y").is_err());
        assert!(parse_duration("h").is_err());
    }

    #[test]
    fn demo_products_match_the_demo_workspace() {
        // The app's Demo workspace points at these products; they must not drift apart.
        for (i, kind) in la_core::model::EnvKind::ALL.into_iter().enumerate() {
            let s = la_core::demo::settings(kind);
            let (id, code, _, buyer) = la_sandbox::seed::DEMO_PRODUCTS[i];
            assert_eq!((s.product_id.as_str(), s.product_code.as_str()), (id, code));
            assert_eq!(s.test_buyer_account_ids, vec![buyer.to_string()]);
        }
        assert_eq!(
            la_core::demo::SANDBOX_ACCESS_KEY_ID,
            la_sandbox::DEMO_ACCESS_KEY_ID
        );
        assert_eq!(
            la_core::demo::SANDBOX_SECRET_ACCESS_KEY,
            la_sandbox::DEMO_SECRET_ACCESS_KEY
        );
    }
}

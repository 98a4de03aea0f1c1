//! `listing-assistant`: the headless side of Listing Assistant: the Marketplace sandbox (serve it,
//! drive its simulated buyers), checks for CI, test purchase timelines and reviewer reports.
//! Needs no display and no webview libraries.
//!
//! This crate parses arguments and prints; the work is `la_app`'s, the same code the desktop
//! app runs. One module per subcommand under `commands/`.

mod commands;
mod exit;

use clap::{Parser, Subcommand};
use exit::ExitStatus;
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
    Sandbox(commands::sandbox::SandboxCmd),
    /// Run the integration checks for one environment. Exit code: 0 nothing failed, 1 a check
    /// failed or could not run, 2 usage or configuration error.
    Check(commands::check::CheckArgs),
    /// Print the least-privilege IAM policy the checks need (JSON), generated from the check
    /// catalogue: each check declares the actions it calls. `--authoring`: the separate policy
    /// for writing the listing (`listing apply`), given only to whoever publishes.
    IamPolicy {
        #[arg(long)]
        authoring: bool,
    },
    /// Test purchases: watch a buyer's purchase live.
    #[command(subcommand)]
    Purchase(commands::purchase::PurchaseCmd),
    /// Reviewer reports: export a workspace or one environment, verify a JSON export.
    #[command(subcommand)]
    Report(commands::report::ReportCmd),
    /// The listing as code: pull it from AWS, plan, validate and apply changes, lint it.
    #[command(subcommand)]
    Listing(commands::listing::ListingCmd),
}

// The sandbox serves many small concurrent requests; glibc's allocator was a fifth of its CPU.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(la_aws::logging::env_filter("warn"))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    // `sandbox serve` runs on this thread alone: its handlers hold the state's lock for nearly
    // all their work, so a second worker added only hand-offs between threads (wake-ups,
    // futexes), about a tenth of its CPU per metering call (bench/metering.sh).
    let mut rt = if matches!(&cli.command, Command::Sandbox(c) if c.is_serve()) {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    match rt.enable_all().build() {
        Ok(rt) => rt.block_on(run(cli)),
        Err(e) => ExitStatus::Failure
            .with_error(format!("cannot start the async runtime: {e}"))
            .into(),
    }
}

async fn run(cli: Cli) -> ExitCode {
    let status: ExitStatus = match cli.command {
        Command::Sandbox(cmd) => commands::sandbox::run(cmd).await,
        Command::Check(args) => commands::check::run(args).await,
        Command::IamPolicy { authoring } => commands::iam_policy::run(authoring),
        Command::Purchase(cmd) => commands::purchase::run(cmd).await,
        Command::Report(cmd) => commands::report::run(cmd).await,
        Command::Listing(cmd) => commands::listing::run(cmd).await,
    };
    status.into()
}

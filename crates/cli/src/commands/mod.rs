//! One module per subcommand: its arguments, and what it prints.

pub mod check;
pub mod iam_policy;
pub mod listing;
pub mod purchase;
pub mod report;
pub mod sandbox;

use clap::ValueEnum;
use la_app::{App, Options, QuietHost};
use std::path::Path;
use std::sync::Arc;

/// Text for people, JSON for scripts.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// Opens the app's data folder (`--data-dir`, else the one the app uses on this machine). A
/// database with no workspace gets the same `Demo` workspace the app creates on its first
/// start, so every command works on a fresh machine.
pub fn open_app(data_dir: Option<&Path>) -> Result<App, la_app::AppError> {
    let opts = Options {
        seed_demo_if_empty: true,
        ..Options::in_dir(data_dir)
    };
    let app = App::open(&opts, Arc::new(QuietHost));
    app.core()?;
    Ok(app)
}

/// Waits for Ctrl-C or (Unix) SIGTERM.
pub async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

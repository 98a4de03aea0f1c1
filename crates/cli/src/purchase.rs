//! `listing-assistant purchase watch`: a test purchase session's live timeline on stdout, until
//! interrupted (SIGINT or SIGTERM stop the watchers cleanly and print the verdicts).

use clap::{Args, Subcommand, ValueEnum};
use la_core::purchase::{TimelineEvent, Verdict, WatcherStatus};
use la_purchase::watch::{Session, Sink};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Subcommand)]
pub enum PurchaseCmd {
    /// Watch a test buyer's purchase: SQS notifications, EventBridge events, entitlement
    /// changes and the SaaS's ResolveCustomer / BatchMeterUsage calls, as they happen.
    Watch(WatchArgs),
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum WatchFormat {
    Text,
    /// One JSON object per line: `{"type": "event" | "watcher" | "verdicts", …}`.
    Json,
}

#[derive(Args)]
pub struct WatchArgs {
    /// An environment file (TOML); see README.
    #[arg(long)]
    env_file: PathBuf,
    /// The test buyer's AWS account (one of the file's test_buyer_account_ids).
    #[arg(long)]
    buyer_account: String,
    /// Delete the messages read (a dedicated watcher queue). Default: peek, leaving them for
    /// the SaaS.
    #[arg(long)]
    delete: bool,
    #[arg(long, value_enum, default_value = "text")]
    format: WatchFormat,
}

struct Out {
    json: bool,
}

impl Out {
    fn line(&self, text: String) {
        let mut out = std::io::stdout().lock();
        // A closed pipe (`| head`) is not worth a panic; the signal handler ends the session.
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }
}

impl Sink for Out {
    fn event(&self, e: &TimelineEvent) {
        if self.json {
            let mut v = json!(e);
            v["type"] = json!("event");
            self.line(v.to_string());
        } else {
            let at = e.occurred_at.as_deref().unwrap_or(&e.observed_at);
            self.line(format!(
                "{:>4} {at} {:<13} {}",
                e.seq,
                e.source.as_str(),
                e.summary
            ));
        }
    }

    fn watcher(&self, s: &WatcherStatus) {
        if self.json {
            let mut v = json!(s);
            v["type"] = json!("watcher");
            self.line(v.to_string());
        } else if let Some(err) = &s.error {
            eprintln!(
                "watcher {:?} {:?}: {err} (retry in {} ms)",
                s.watcher,
                s.state,
                s.retry_in_ms.unwrap_or(0)
            );
        }
    }

    fn verdicts(&self, v: &[Verdict]) {
        if self.json {
            self.line(json!({"type": "verdicts", "verdicts": v}).to_string());
        }
    }
}

async fn interrupted() {
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

pub async fn run(cmd: PurchaseCmd) -> ExitCode {
    let PurchaseCmd::Watch(a) = cmd;
    let usage = |msg: String| {
        eprintln!("error: {msg}");
        ExitCode::from(2)
    };
    let file = match la_core::envfile::read(&a.env_file) {
        Ok(f) => f,
        Err(e) => return usage(e.to_string()),
    };
    let buyer = a.buyer_account.trim();
    if !file
        .settings
        .test_buyer_account_ids
        .iter()
        .any(|b| b == buyer)
    {
        return usage(format!(
            "{buyer} is not in test_buyer_account_ids of {} ({})",
            a.env_file.display(),
            file.settings.test_buyer_account_ids.join(", ")
        ));
    }
    let cfg = match la_purchase::config::watch_config(&file.settings, None, buyer, a.delete).await {
        Ok(c) => c,
        Err(e) => return usage(e.message),
    };
    let json = a.format == WatchFormat::Json;
    let session = Session::start(cfg, Arc::new(Out { json }));
    if !json {
        eprintln!(
            "watching {} for buyer {buyer} ({}); Ctrl-C to stop",
            file.name,
            if a.delete {
                "deleting what it reads"
            } else {
                "peeking"
            }
        );
    }
    interrupted().await;
    let verdicts = session.verdicts();
    session.close().await;
    if json {
        Out { json }.line(json!({"type": "stopped", "verdicts": verdicts}).to_string());
    } else {
        for v in &verdicts {
            eprintln!("{:<26} {:?}: {}", v.id.as_str(), v.state, v.detail.en);
        }
    }
    ExitCode::SUCCESS
}

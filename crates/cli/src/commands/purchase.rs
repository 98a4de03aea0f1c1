//! `listing-assistant purchase watch`: a test purchase session's live timeline on stdout, until
//! interrupted (SIGINT or SIGTERM stop the watchers cleanly and print the verdicts).

use super::interrupted;
use crate::exit::ExitStatus;
use clap::{Args, Subcommand, ValueEnum};
use la_core::purchase::{TimelineEvent, Verdict, WatcherStatus};
use la_purchase::watch::Sink;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
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
            // The CLI speaks English; the line keeps the string shape scripts parse.
            v["summary"] = json!(e.summary.en);
            self.line(v.to_string());
        } else {
            let at = e.occurred_at.as_deref().unwrap_or(&e.observed_at);
            self.line(format!(
                "{:>4} {at} {:<13} {}",
                e.seq,
                e.source.as_str(),
                e.summary.en
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

pub async fn run(cmd: PurchaseCmd) -> ExitStatus {
    let PurchaseCmd::Watch(a) = cmd;
    let usage = |msg: String| ExitStatus::Usage.with_error(msg);
    let json = a.format == WatchFormat::Json;
    let buyer = a.buyer_account.trim().to_string();
    let req = la_app::purchase::WatchFile {
        env_file: a.env_file.clone(),
        buyer_account: buyer.clone(),
        delete_messages: a.delete,
    };
    let (name, session) = match la_app::purchase::watch_env_file(req, Arc::new(Out { json })).await
    {
        Ok(w) => w,
        Err(e) => return usage(e.message),
    };
    if !json {
        eprintln!(
            "watching {} for buyer {buyer} ({}); Ctrl-C to stop",
            name,
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
    ExitStatus::Success
}

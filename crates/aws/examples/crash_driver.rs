//! The "backend" that `scripts/crash-test.sh` kills with SIGKILL, and the verifier it runs after
//! each kill.
//!
//! `crash_driver write DATA_DIR ACK_LOG SEED` opens the app's core on DATA_DIR, starts the
//! Marketplace sandbox in-process (seeded like the app's), points the Demo workspace at it and
//! then, forever and interleaved on one thread as the app's run thread does: check runs of the
//! Demo staging environment (every result recorded as it arrives), item status changes with
//! notes, evidence files and test purchase sessions. Each write is appended to ACK_LOG and
//! fsynced only after the core returned it: that file is what the user was told was saved.
//!
//! `crash_driver verify DATA_DIR ACK_LOG` reopens the core (which marks runs and sessions left
//! running as interrupted), runs `PRAGMA integrity_check`, and checks every acknowledged write
//! is in the database (evidence files re-hashed), that no run or session is still `running`,
//! and prints the counts. Exit code 1 on any loss.

use la_aws::engine::{EngineOptions, Progress};
use la_core::model::{EnvKind, ItemStatus, StatusChange};
use la_core::purchase::SessionMode;
use la_core::secrets::{Backend, Secrets};
use la_core::service::{Core, NewSession, NoEvents};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

/// Items the attestation loop writes to (statuses with notes, evidence).
const ITEMS: &[&str] = &[
    "seller.public_profile",
    "seller.bank_account",
    "seller.tax_interview",
];

fn open_core(dir: &Path) -> Core {
    Core::open(
        dir,
        Secrets::new("io.listingassistant.crash", Backend::Mock),
        Arc::new(NoEvents),
    )
    .expect("open the core")
}

/// The side file of acknowledged writes: one line each, fsynced before the next write starts.
struct AckLog(std::fs::File);

impl AckLog {
    fn ack(&mut self, line: &str) {
        // One write with its newline: `writeln!` on a File can issue two, and a kill between
        // them leaves a complete-looking line without its end.
        self.0
            .write_all(format!("{line}\n").as_bytes())
            .expect("ack log write");
        self.0.sync_data().expect("ack log fsync");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("write") if args.len() == 5 => write(
            Path::new(&args[2]),
            Path::new(&args[3]),
            args[4].parse().expect("seed"),
        ),
        Some("verify") if args.len() == 4 => {
            if !verify(Path::new(&args[2]), Path::new(&args[3])) {
                std::process::exit(1);
            }
        }
        _ => {
            eprintln!("usage: crash_driver write DATA_DIR ACK_LOG SEED | verify DATA_DIR ACK_LOG");
            std::process::exit(2);
        }
    }
}

fn write(dir: &Path, ack_path: &Path, seed: u64) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let core = open_core(dir);
        let sandbox = la_sandbox::serve(
            la_sandbox::Config::default(),
            la_sandbox::server::ServeOptions {
                addr: "127.0.0.1:0".parse().expect("addr"),
                seed_demo: true,
                allow_remote: false,
            },
        )
        .await
        .expect("sandbox");
        la_core::demo::repoint(&core, &sandbox.url).expect("repoint the Demo workspace");
        let ws = core
            .store()
            .workspace_by_name(la_core::demo::DEMO_NAME)
            .expect("lookup")
            .expect("Demo workspace");
        // A line the previous round's kill cut before its newline was never acknowledged: drop
        // it, or this round's first line would be glued onto it.
        if let Ok(prev) = std::fs::read(ack_path) {
            let keep = prev.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            if keep < prev.len() {
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(ack_path)
                    .expect("ack log");
                f.set_len(keep as u64).expect("drop the cut line");
                f.sync_data().expect("ack log fsync");
            }
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(ack_path)
            .expect("ack log");
        let ack = Mutex::new(AckLog(file));
        let scratch = dir.join("scratch");
        std::fs::create_dir_all(&scratch).expect("scratch");
        println!("ready");

        let checks = async {
            let opts = EngineOptions::default();
            loop {
                let progress = |run: &la_core::model::CheckRun, p: Progress| {
                    // Called after the core recorded the result.
                    if let Progress::Finished { result } = p {
                        ack.lock()
                            .expect("ack")
                            .ack(&format!("result {} {}", run.id, result.id));
                    }
                };
                let run = la_aws::run::run_for_environment(
                    &core,
                    &ws.id,
                    EnvKind::Staging,
                    None,
                    &opts,
                    &progress,
                    &Default::default(),
                )
                .await
                .expect("check run");
                ack.lock()
                    .expect("ack")
                    .ack(&format!("run {} {}", run.id, run.state));
            }
        };
        let attest = async {
            for i in 0u64.. {
                let item = ITEMS[((seed + i) % ITEMS.len() as u64) as usize];
                let note = format!("crash-{seed}-{i}");
                let status = if i % 2 == 0 {
                    ItemStatus::Passed
                } else {
                    ItemStatus::InProgress
                };
                core.set_item_status(&StatusChange {
                    workspace_id: ws.id.clone(),
                    item_id: item.into(),
                    status,
                    note: note.clone(),
                    waiver_reason: None,
                })
                .expect("status");
                ack.lock()
                    .expect("ack")
                    .ack(&format!("status {} {item} {note}", ws.id));
                if i % 3 == 0 {
                    let src = scratch.join(format!("{note}.txt"));
                    std::fs::write(&src, format!("evidence {note}\n").repeat(200 + i as usize))
                        .expect("source");
                    let ev = core.add_evidence(&ws.id, item, &src).expect("evidence");
                    ack.lock()
                        .expect("ack")
                        .ack(&format!("evidence {} {}", ev.id, ev.sha256));
                    let _ = std::fs::remove_file(&src);
                }
                if i % 7 == 0 {
                    let s = core
                        .start_session(&NewSession {
                            workspace_id: ws.id.clone(),
                            env: EnvKind::Staging,
                            buyer_account: "444455556666".into(),
                            mode: SessionMode::Sandbox,
                            delete_messages: false,
                        })
                        .expect("session");
                    ack.lock().expect("ack").ack(&format!("session {}", s.id));
                }
                // Let the check run's calls progress between writes (one thread, as in the app's
                // run thread, so the kill can land inside either).
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        };
        tokio::join!(checks, attest);
    });
}

fn verify(dir: &Path, ack_path: &Path) -> bool {
    let core = open_core(dir);
    let mut ok = true;
    let mut fail = |msg: String| {
        eprintln!("LOST: {msg}");
        ok = false;
    };
    let integrity: String = rusqlite::Connection::open(core.store().path())
        .and_then(|c| c.query_row("PRAGMA integrity_check", [], |r| r.get(0)))
        .unwrap_or_else(|e| format!("cannot check: {e}"));
    if integrity != "ok" {
        fail(format!("integrity_check said {integrity}"));
    }
    let log = std::fs::read_to_string(ack_path).unwrap_or_default();
    let ws = core
        .store()
        .workspace_by_name(la_core::demo::DEMO_NAME)
        .expect("lookup")
        .expect("Demo workspace kept");
    let mut histories: std::collections::HashMap<String, Vec<String>> = Default::default();
    let mut results: std::collections::HashMap<String, Vec<String>> = Default::default();
    let (mut statuses, mut evidence, mut checks, mut runs_done, mut sessions) = (0, 0, 0, 0, 0);
    for line in log.lines() {
        let parts: Vec<&str> = line.split(' ').collect();
        match parts.as_slice() {
            ["status", ws_id, item, note] => {
                statuses += 1;
                let notes = histories.entry((*item).to_string()).or_insert_with(|| {
                    core.item_history(ws_id, item)
                        .expect("history")
                        .into_iter()
                        .map(|h| h.note)
                        .collect()
                });
                if !notes.iter().any(|n| n == note) {
                    fail(format!("status note {note} on {item}"));
                }
            }
            ["evidence", id, sha] => {
                evidence += 1;
                match core.evidence_file(id).map(std::fs::read) {
                    Ok(Ok(bytes)) => {
                        use sha2::Digest;
                        if hex::encode(sha2::Sha256::digest(&bytes)) != *sha {
                            fail(format!("evidence {id} changed on disk"));
                        }
                    }
                    _ => fail(format!("evidence {id}")),
                }
            }
            ["result", run, check] => {
                checks += 1;
                let ids = results.entry((*run).to_string()).or_insert_with(|| {
                    core.store()
                        .run_results(run)
                        .expect("results")
                        .into_iter()
                        .map(|r| r.id)
                        .collect()
                });
                if !ids.iter().any(|c| c == check) {
                    fail(format!("check result {check} of run {run}"));
                }
            }
            ["run", _, _] => runs_done += 1,
            ["session", id] => {
                sessions += 1;
                if core.store().session(id).is_err() {
                    fail(format!("purchase session {id}"));
                }
            }
            [""] => {}
            // A line cut by the kill before its newline: never acknowledged, nothing to check.
            _ if !log.ends_with(line) => fail(format!("unreadable ack line {line:?}")),
            _ => {}
        }
    }
    // Counted in SQL: the store's listing shows only the newest runs.
    let count_runs = |state: &str| -> i64 {
        rusqlite::Connection::open(core.store().path())
            .and_then(|c| {
                c.query_row(
                    "SELECT count(*) FROM check_runs WHERE state = ?1",
                    [state],
                    |r| r.get(0),
                )
            })
            .expect("count runs")
    };
    let running = count_runs("running");
    let interrupted = count_runs("interrupted");
    if running > 0 {
        fail(format!("{running} check runs still marked running"));
    }
    let all_sessions = core.sessions(&ws.id, EnvKind::Staging).expect("sessions");
    let s_running = all_sessions
        .iter()
        .filter(|s| s.state == la_core::purchase::SessionState::Running)
        .count();
    let s_interrupted = all_sessions
        .iter()
        .filter(|s| s.state == la_core::purchase::SessionState::Interrupted)
        .count();
    if s_running > 0 {
        fail(format!(
            "{s_running} purchase sessions still marked running"
        ));
    }
    println!(
        "verified: {statuses} statuses, {evidence} evidence files, {checks} check results, \
         {sessions} sessions acknowledged; {runs_done} runs finished, {interrupted} interrupted; \
         {s_interrupted} sessions interrupted; integrity {integrity}"
    );
    ok
}

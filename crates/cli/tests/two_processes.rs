//! Two processes on one data folder (issue 14, items 11 and 12): this test process plays the app
//! — its core holds a running check run and a running purchase session and keeps writing to them
//! from a second thread — while the CLI, a separate process, opens the same database 100 times to
//! export reports and run checks. Nothing the app wrote is lost, none of its live work is marked
//! interrupted, and no write fails with "database is locked". Then the app's process "dies" (its
//! core is dropped without finishing) and the next CLI open marks exactly that work interrupted.

mod common;

use la_core::model::EnvKind;
use la_core::purchase::{EventSource, SessionMode, SessionState, TimelineEvent};
use la_core::secrets::{Backend, Secrets};
use la_core::service::{Core, NewSession, NoEvents};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;

fn open(dir: &std::path::Path) -> Core {
    Core::open(
        dir,
        Secrets::new("io.listingassistant.test", Backend::Mock),
        Arc::new(NoEvents),
    )
    .expect("open core")
}

fn event(seq: u32) -> TimelineEvent {
    TimelineEvent {
        seq,
        observed_at: la_core::store::now(),
        occurred_at: None,
        source: EventSource::Tester,
        kind: "note".into(),
        summary: la_core::checklist::Text::same(format!("note {seq}")),
        malformed: false,
        raw: "{}".into(),
    }
}

#[test]
fn the_cli_never_interrupts_the_apps_live_work_and_nothing_is_lost() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().to_path_buf();
    let app = Arc::new(open(&data));
    let ws = app.list_workspaces().expect("list")[0].workspace.id.clone();
    let run = app
        .store()
        .start_check_run(&ws, EnvKind::Staging, 30)
        .expect("run");
    let session = app
        .start_session(&NewSession {
            workspace_id: ws.clone(),
            env: EnvKind::Staging,
            buyer_account: "444455556666".into(),
            mode: SessionMode::Sandbox,
            delete_messages: false,
        })
        .expect("session");

    // The app keeps writing while the CLI runs: timeline events and item statuses.
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU32::new(0));
    let writer = {
        let (app, stop, written, sid) = (
            app.clone(),
            stop.clone(),
            written.clone(),
            session.id.clone(),
        );
        std::thread::spawn(move || {
            let mut seq = 0;
            while !stop.load(Ordering::Relaxed) {
                app.store()
                    .append_event(&sid, &event(seq))
                    .expect("no write fails while the CLI runs");
                seq += 1;
                written.store(seq, Ordering::Relaxed);
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        })
    };

    let out = dir.path().join("report.json");
    for round in 0..100 {
        let (code, stdout, stderr) = if round % 2 == 0 {
            common::run(&[
                "report",
                "export",
                "--workspace",
                "Demo",
                "--format",
                "json",
                "--out",
                out.to_str().expect("path"),
                "--data-dir",
                data.to_str().expect("path"),
            ])
        } else {
            // The Demo staging environment points at a sandbox that is not running here: the
            // checks cannot reach it, which is fine — what matters is the database.
            common::run(&[
                "check",
                "--workspace",
                "Demo",
                "--env",
                "staging",
                "--only",
                "identity.caller",
                "--format",
                "json",
                "--data-dir",
                data.to_str().expect("path"),
            ])
        };
        assert!(
            !stderr.contains("locked") && !stdout.contains("locked"),
            "round {round}: {stderr}"
        );
        if round % 2 == 0 {
            assert_eq!(code, 0, "round {round}: {stderr}");
        }
        let s = app.store().session(&session.id).expect("session");
        assert_eq!(
            s.state,
            SessionState::Running,
            "round {round}: the session was interrupted"
        );
        let runs = app.store().check_runs(&ws, EnvKind::Staging).expect("runs");
        let r = runs.iter().find(|r| r.id == run.id).expect("run");
        assert_eq!(r.state, "running", "round {round}: the run was interrupted");
    }
    stop.store(true, Ordering::Relaxed);
    writer.join().expect("writer");
    let n = written.load(Ordering::Relaxed);
    assert!(n > 0);
    assert_eq!(
        app.store()
            .session_events(&session.id)
            .expect("events")
            .len() as u32,
        n,
        "every event the app wrote is there"
    );

    // The app's process ends without finishing its work: its lease goes with it, and the next
    // open (the CLI) marks that work interrupted.
    drop(app);
    let (code, _, stderr) = common::run(&[
        "report",
        "export",
        "--workspace",
        "Demo",
        "--format",
        "json",
        "--out",
        out.to_str().expect("path"),
        "--data-dir",
        data.to_str().expect("path"),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let after = open(&data);
    assert_eq!(
        after.store().session(&session.id).expect("session").state,
        SessionState::Interrupted
    );
    let runs = after
        .store()
        .check_runs(&ws, EnvKind::Staging)
        .expect("runs");
    assert_eq!(
        runs.iter().find(|r| r.id == run.id).expect("run").state,
        "interrupted"
    );
}

/// Two processes opening a fresh data folder at once: migrations run once, one Demo workspace.
#[test]
fn two_processes_opening_a_fresh_folder_at_once_seed_one_demo() {
    for _ in 0..10 {
        let dir = tempfile::tempdir().expect("dir");
        let data = dir.path().join("fresh");
        let children: Vec<_> = (0..3)
            .map(|i| {
                let out = dir.path().join(format!("report-{i}.json"));
                std::process::Command::new(common::BIN)
                    .args([
                        "report",
                        "export",
                        "--workspace",
                        "Demo",
                        "--format",
                        "json",
                        "--out",
                        out.to_str().expect("path"),
                        "--data-dir",
                        data.to_str().expect("path"),
                    ])
                    .env("LISTING_ASSISTANT_KEYRING", "mock")
                    .output_async()
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().expect("wait");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let core = open(&data);
        let names: Vec<String> = core
            .list_workspaces()
            .expect("list")
            .into_iter()
            .map(|w| w.workspace.name)
            .collect();
        assert_eq!(names, vec!["Demo".to_string()]);
    }
}

trait SpawnOutput {
    fn output_async(&mut self) -> std::process::Child;
}

impl SpawnOutput for std::process::Command {
    fn output_async(&mut self) -> std::process::Child {
        self.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn")
    }
}

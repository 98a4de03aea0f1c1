//! The store and the service on a real SQLite file: history, waivers, evidence, schema checks,
//! the demo seed, secrets kept out of the database, and a kill mid-write losing nothing.

use la_core::model::*;
use la_core::store::Store;
use la_core::ErrorCode;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use la_testkit::core::open as core;

fn change(
    ws: &str,
    item: &str,
    status: ItemStatus,
    note: &str,
    reason: Option<&str>,
) -> StatusChange {
    StatusChange {
        workspace_id: ws.into(),
        item_id: item.into(),
        status,
        note: note.into(),
        waiver_reason: reason.map(Into::into),
    }
}

#[test]
fn first_start_seeds_demo_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = core(dir.path());
    let list = c.list_workspaces().expect("list");
    assert_eq!(list.len(), 1);
    let demo = &list[0].workspace;
    assert_eq!(demo.name, "Demo");
    assert!(demo.is_demo);
    let detail = c.workspace_detail(&demo.id).expect("detail");
    for env in &detail.environments {
        assert_eq!(env.settings.mode, EnvMode::Sandbox);
        assert!(
            la_core::validate::validate_settings(&env.settings).is_empty(),
            "demo settings invalid"
        );
    }
    assert!(detail.phases[0].done > 0, "demo shows progress");
    // Deleting the demo does not bring it back on the next start.
    c.delete_workspace(&demo.id).expect("delete");
    drop(c);
    let c = core(dir.path());
    assert!(c.list_workspaces().expect("list").is_empty());
}

#[test]
fn status_history_waivers_and_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = core(dir.path());
    let ws = c
        .create_workspace("Acme", "Acme Analytics")
        .expect("create");
    assert_eq!(
        c.create_workspace("acme", "")
            .expect_err("dup name")
            .to_string(),
        "A workspace named \"acme\" already exists."
    );

    c.set_item_status(&change(
        &ws.id,
        "seller.public_profile",
        ItemStatus::InProgress,
        "",
        None,
    ))
    .expect("start");
    let h = c
        .set_item_status(&change(
            &ws.id,
            "seller.public_profile",
            ItemStatus::Passed,
            "Profile live",
            None,
        ))
        .expect("attest");
    assert_eq!((h.from, h.to), (ItemStatus::InProgress, ItemStatus::Passed));

    // A waiver needs a reason.
    let e = c
        .set_item_status(&change(
            &ws.id,
            "seller.bank_account",
            ItemStatus::Waived,
            "",
            Some("  "),
        ))
        .expect_err("no reason");
    assert_eq!(la_core::AppError::from(e).code, ErrorCode::InvalidInput);
    c.set_item_status(&change(
        &ws.id,
        "seller.bank_account",
        ItemStatus::Waived,
        "",
        Some("Free product"),
    ))
    .expect("waive");

    // Automated items are proven by checks, never attested by hand.
    let e = c
        .set_item_status(&change(
            &ws.id,
            "seller.identity",
            ItemStatus::Passed,
            "trust me",
            None,
        ))
        .expect_err("automated");
    assert!(e.to_string().contains("identity.caller"), "{e}");
    c.set_item_status(&change(
        &ws.id,
        "seller.identity",
        ItemStatus::NotApplicable,
        "",
        None,
    ))
    .expect("n/a allowed");

    let e = c
        .set_item_status(&change(
            &ws.id,
            "no.such.item",
            ItemStatus::Passed,
            "",
            None,
        ))
        .expect_err("unknown");
    assert_eq!(la_core::AppError::from(e).code, ErrorCode::NotFound);

    let history = c
        .item_history(&ws.id, "seller.public_profile")
        .expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].note, "Profile live");
    assert_eq!(history[1].from, ItemStatus::NotStarted);

    let detail = c.workspace_detail(&ws.id).expect("detail");
    let bank = detail
        .items
        .iter()
        .find(|i| i.item_id == "seller.bank_account")
        .expect("bank");
    assert_eq!(bank.waiver_reason.as_deref(), Some("Free product"));
    // Step 2 still has its tax item open, so step 3 is blocked by it.
    let s03 = detail
        .steps
        .iter()
        .find(|s| s.step_id == "s03")
        .expect("s03");
    assert_eq!(s03.blocked_by, vec!["s02".to_string()]);
}

#[test]
fn environment_settings_are_validated_and_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = core(dir.path());
    let ws = c.create_workspace("Acme", "").expect("create");
    let mut s = EnvironmentSettings {
        seller_account_id: "12345".into(),
        ..Default::default()
    };
    let e = c
        .save_environment(&ws.id, EnvKind::Staging, &s)
        .expect_err("invalid");
    assert!(e.to_string().contains("12 digits"), "{e}");
    s.seller_account_id = "123456789012".into();
    s.test_buyer_account_ids = vec!["444455556666".into()];
    c.save_environment(&ws.id, EnvKind::Staging, &s)
        .expect("valid");
    drop(c);
    let c = core(dir.path());
    let d = c.workspace_detail(&ws.id).expect("detail");
    assert_eq!(d.environments[0].settings, s);
    assert_eq!(d.environments[1].settings, EnvironmentSettings::default());
}

#[test]
fn access_keys_go_to_the_keyring_not_the_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = core(dir.path());
    let ws = c.create_workspace("Acme", "").expect("create");
    let secret = "wJalrXUtnFEMIK7MDENGbPxRfiCYPLANTED01";
    c.set_access_keys(&ws.id, EnvKind::Production, "AKIAPLANTEDKEY000001", secret)
        .expect("keys");
    let d = c.workspace_detail(&ws.id).expect("detail");
    assert!(d.environments[1].has_access_keys);
    assert!(!d.environments[0].has_access_keys);
    assert!(d.environments.iter().all(|e| e.keychain_problem.is_none()));
    drop(c);
    for entry in std::fs::read_dir(dir.path()).expect("dir") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            let bytes = std::fs::read(&path).expect("read");
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains(secret) && !text.contains("AKIAPLANTEDKEY000001"),
                "secret in {}",
                path.display()
            );
        }
    }
    let e = core(dir.path())
        .set_access_keys(&ws.id, EnvKind::Staging, "short", secret)
        .expect_err("bad id");
    assert_eq!(la_core::AppError::from(e).code, ErrorCode::InvalidInput);
}

#[test]
fn evidence_is_copied_and_hashed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = core(dir.path());
    let ws = c.create_workspace("Acme", "").expect("create");
    let src = dir.path().join("bank letter.txt");
    std::fs::write(&src, b"abc").expect("write");
    let ev = c
        .add_evidence(&ws.id, "seller.bank_account", &src)
        .expect("add");
    // SHA-256 of "abc".
    assert_eq!(
        ev.sha256,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(ev.size, 3);
    std::fs::remove_file(&src).expect("remove original");
    let stored = c.evidence_file(&ev.id).expect("path");
    assert_eq!(std::fs::read(&stored).expect("stored copy"), b"abc");
    assert!(stored.starts_with(dir.path().join("evidence")));
    assert_eq!(
        c.list_evidence(&ws.id, "seller.bank_account")
            .expect("list")
            .len(),
        1
    );
    let d = c.workspace_detail(&ws.id).expect("detail");
    assert_eq!(
        d.items
            .iter()
            .find(|i| i.item_id == "seller.bank_account")
            .map(|i| i.evidence_count),
        Some(1)
    );
    let e = c
        .add_evidence(
            &ws.id,
            "seller.bank_account",
            &dir.path().join("missing.png"),
        )
        .expect_err("missing");
    assert!(e.to_string().contains("missing.png"), "{e}");
}

/// Files added within the same millisecond keep the order they were added in (ties were broken
/// by the random id, so a report's evidence list — and its digest — changed from run to run).
#[test]
fn evidence_keeps_the_order_it_was_added_in() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = core(dir.path());
    let ws = c.create_workspace("Acme", "").expect("create");
    let names: Vec<String> = (0..30).map(|i| format!("file-{i:02}.txt")).collect();
    for n in &names {
        let src = dir.path().join(n);
        std::fs::write(&src, n.as_bytes()).expect("write");
        c.add_evidence(&ws.id, "seller.bank_account", &src)
            .expect("add");
    }
    let listed: Vec<String> = c
        .list_evidence(&ws.id, "seller.bank_account")
        .expect("list")
        .into_iter()
        .map(|e| e.file_name)
        .collect();
    assert_eq!(listed, names);
}

#[test]
fn newer_schema_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db.sqlite3");
    drop(Store::open(&path).expect("create"));
    let conn = rusqlite::Connection::open(&path).expect("raw");
    conn.pragma_update(None, "user_version", 999).expect("bump");
    drop(conn);
    let err = Store::open(&path).err().expect("must refuse");
    let app = la_core::AppError::from(err);
    assert_eq!(app.code, ErrorCode::SchemaTooNew);
    assert!(app.message.contains("newer version"), "{}", app.message);
    assert!(app.message.contains("999"), "{}", app.message);
}

#[test]
fn journal_is_wal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db.sqlite3");
    drop(Store::open(&path).expect("create"));
    let conn = rusqlite::Connection::open(&path).expect("raw");
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .expect("mode");
    assert_eq!(mode, "wal");
}

/// Runs in a child process started by `kill_mid_write_loses_nothing`: writes statuses and
/// evidence forever, printing each index once its write has returned.
#[test]
#[ignore = "helper process for kill_mid_write_loses_nothing"]
fn crash_writer_child() {
    use std::io::Write;
    let dir = std::path::PathBuf::from(std::env::var("LA_CRASH_DIR").expect("LA_CRASH_DIR"));
    let c = core(&dir);
    let ws = match c.store().workspace_by_name("Crash").expect("lookup") {
        Some(w) => w,
        None => c.create_workspace("Crash", "").expect("create"),
    };
    let start: usize = std::env::var("LA_CRASH_START")
        .expect("start")
        .parse()
        .expect("number");
    let src = dir.join("evidence-source.bin");
    let mut out = std::io::stdout();
    for i in start.. {
        let status = if i % 2 == 0 {
            ItemStatus::Passed
        } else {
            ItemStatus::InProgress
        };
        c.set_item_status(&change(
            &ws.id,
            "seller.public_profile",
            status,
            &format!("n{i}"),
            None,
        ))
        .expect("write");
        std::fs::write(&src, format!("evidence {i}").repeat(500)).expect("source");
        c.add_evidence(&ws.id, "seller.public_profile", &src)
            .expect("evidence");
        writeln!(out, "committed {i}").expect("stdout");
        out.flush().expect("flush");
    }
}

#[test]
fn kill_mid_write_loses_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let exe = std::env::current_exe().expect("exe");
    let mut committed: Option<usize> = None;
    // Kill at a different point in each round; every round starts where the last one stopped.
    for (round, kill_after) in [3usize, 17, 1, 40, 9].into_iter().enumerate() {
        let start = committed.map_or(0, |c| c + 1);
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "crash_writer_child",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("LA_CRASH_DIR", dir.path())
            .env("LA_CRASH_START", start.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn child");
        let stdout = child.stdout.take().expect("stdout");
        let mut seen = 0;
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("line");
            if let Some(n) = line.strip_prefix("committed ") {
                committed = Some(n.parse().expect("index"));
                seen += 1;
                if seen == kill_after {
                    // SIGKILL: no destructor, no flush, no chance to finish the write in flight.
                    child.kill().expect("kill");
                    break;
                }
            }
        }
        child.wait().expect("reap");

        let c = core(dir.path());
        let conn = rusqlite::Connection::open(c.store().path()).expect("raw");
        let ok: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("check");
        assert_eq!(ok, "ok", "round {round}");
        let ws = c
            .store()
            .workspace_by_name("Crash")
            .expect("lookup")
            .expect("workspace kept");
        let last = committed.expect("some writes committed");
        let notes: std::collections::HashSet<String> = c
            .item_history(&ws.id, "seller.public_profile")
            .expect("history")
            .into_iter()
            .map(|h| h.note)
            .collect();
        for i in 0..=last {
            assert!(
                notes.contains(&format!("n{i}")),
                "round {round}: status write {i} lost"
            );
        }
        let evidence = c
            .list_evidence(&ws.id, "seller.public_profile")
            .expect("evidence");
        assert!(
            evidence.len() > last,
            "round {round}: evidence lost ({} rows, {} committed)",
            evidence.len(),
            last + 1
        );
        for ev in evidence {
            let bytes = std::fs::read(c.evidence_file(&ev.id).expect("path"))
                .expect("evidence file present");
            use sha2::Digest;
            assert_eq!(
                hex::encode(sha2::Sha256::digest(&bytes)),
                ev.sha256,
                "round {round}: evidence file corrupt"
            );
        }
    }
}

#[test]
fn demo_follows_the_sandbox_port() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = core(dir.path());
    let demo = c.list_workspaces().expect("list")[0].workspace.clone();
    assert_eq!(
        la_core::demo::repoint(&c, "http://127.0.0.1:40001").expect("repoint"),
        2
    );
    let d = c.workspace_detail(&demo.id).expect("detail");
    let s = &d.environments[0].settings;
    assert_eq!(s.endpoint_url, "http://127.0.0.1:40001");
    assert_eq!(
        s.fulfillment_url,
        "http://127.0.0.1:40001/_demo-saas/staging/marketplace/register"
    );
    assert_eq!(
        la_core::demo::repoint(&c, "http://127.0.0.1:40001").expect("again"),
        0,
        "nothing to do twice"
    );
    // An environment pointed elsewhere by the user is left alone.
    let mut s = s.clone();
    s.endpoint_url = "https://vpce.example.com".into();
    c.save_environment(&demo.id, EnvKind::Staging, &s)
        .expect("save");
    assert_eq!(
        la_core::demo::repoint(&c, "http://127.0.0.1:40002").expect("repoint"),
        1
    );
}

#[test]
fn check_runs_move_items_and_survive_a_crash() {
    use la_core::checklist::Text;
    let dir = tempfile::tempdir().expect("tempdir");
    let c = core(dir.path());
    let ws = c.create_workspace("Acme", "").expect("create");
    assert!(c
        .checks_for(EnvKind::Staging, Some("s05"))
        .contains(&"registration.https".to_string()));
    assert!(!c
        .checks_for(EnvKind::Staging, Some("s05"))
        .contains(&"posture.root_account".to_string()));
    let run = c
        .start_check_run(&ws.id, EnvKind::Staging, 2)
        .expect("start");
    let result = |id: &str, status: CheckStatus| CheckResult {
        id: id.into(),
        status,
        summary: Text::new(format!("{id} said so"), format!("{id} がそう判定")),
        details: Text::same(""),
        advice: Text {
            en: String::new(),
            ja: String::new(),
        },
        duration_ms: 5,
        evidence: vec![],
    };
    let pass = result("registration.https", CheckStatus::Pass);
    let fail = result("registration.accepts_post", CheckStatus::Fail);
    c.record_check_result(&run.id, &pass).expect("record");
    // The app dies here: the run stays "running" until the next start marks it interrupted.
    drop(c);
    let c = core(dir.path());
    let runs = c.check_runs(&ws.id, EnvKind::Staging).expect("runs");
    assert_eq!(runs[0].state, "interrupted");
    assert_eq!(
        c.latest_check_results(&ws.id, EnvKind::Staging)
            .expect("latest")
            .len(),
        1,
        "the result written before the crash is kept"
    );

    let run = c
        .start_check_run(&ws.id, EnvKind::Staging, 2)
        .expect("start");
    c.record_check_result(&run.id, &pass).expect("record");
    c.record_check_result(&run.id, &fail).expect("record");
    c.set_item_status(&change(
        &ws.id,
        "staging.registration.repeat_post",
        ItemStatus::NotApplicable,
        "",
        None,
    ))
    .expect("n/a");
    let changed = c
        .finish_check_run(
            &run,
            &[
                pass.clone(),
                fail.clone(),
                result("registration.repeat_post", CheckStatus::Fail),
            ],
            CheckRunState::Finished,
        )
        .expect("finish");
    assert_eq!(
        changed, 2,
        "staging https passed, accepts_post failed; the N/A item is left alone"
    );
    let d = c.workspace_detail(&ws.id).expect("detail");
    let st = |id: &str| d.items.iter().find(|i| i.item_id == id).map(|i| i.status);
    assert_eq!(st("staging.registration.https"), Some(ItemStatus::Passed));
    assert_eq!(
        st("staging.registration.accepts_post"),
        Some(ItemStatus::Failed)
    );
    assert_eq!(
        st("production.registration.https"),
        None,
        "a staging run leaves production alone"
    );
    assert_eq!(
        st("staging.registration.repeat_post"),
        Some(ItemStatus::NotApplicable)
    );
    let h = c
        .item_history(&ws.id, "staging.registration.https")
        .expect("history");
    assert_eq!(h[0].source, ChangeSource::Check);
    assert!(h[0].note.contains(&run.id), "the run is the evidence");
    let latest = c
        .latest_check_results(&ws.id, EnvKind::Staging)
        .expect("latest");
    assert_eq!(latest.len(), 2);
    assert!(latest.iter().all(|r| r.run_id == run.id));
}

#[test]
fn environment_files_export_and_import() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = core(dir.path());
    let demo = c.list_workspaces().expect("list")[0].workspace.clone();
    let ws = c.create_workspace("Other", "").expect("create");
    let file = dir.path().join("staging.toml");
    c.export_environment_file(&demo.id, EnvKind::Staging, &file)
        .expect("export");
    let text = std::fs::read_to_string(&file).expect("read");
    assert!(
        text.contains("name = \"Demo-staging\"") && text.contains("prod-demostg4a7k2q"),
        "{text}"
    );
    let view = c
        .import_environment_file(&ws.id, EnvKind::Production, &file)
        .expect("import");
    assert_eq!(
        view.settings,
        c.workspace_detail(&demo.id).expect("d").environments[0].settings
    );
    // A broken file changes nothing and says what is wrong.
    std::fs::write(&file, "name = \"x\"\nseller_account_id = \"12\"\n").expect("write");
    let e = c
        .import_environment_file(&ws.id, EnvKind::Staging, &file)
        .expect_err("invalid");
    assert!(e.to_string().contains("seller_account_id"), "{e}");
    assert_eq!(
        c.workspace_detail(&ws.id).expect("d").environments[0].settings,
        EnvironmentSettings::default()
    );
}

/// Opening waits out a lock held past the connection's 5 s busy timeout (another process
/// mid-write on a loaded disk): without the retry in `Store::open` this answered "database is
/// locked" and the app did not start.
#[test]
fn opening_waits_out_a_lock_longer_than_the_busy_timeout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("la.db");
    let holder = rusqlite::Connection::open(&path).expect("open");
    holder
        .execute_batch("CREATE TABLE other_process (x); BEGIN EXCLUSIVE; INSERT INTO other_process VALUES (1);")
        .expect("take the lock");
    let held = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(6));
        holder.execute_batch("COMMIT").expect("release");
    });
    let started = std::time::Instant::now();
    let store = Store::open(&path).expect("opens once the lock is released");
    assert!(started.elapsed() >= std::time::Duration::from_secs(5));
    held.join().expect("holder");
    assert!(store.list_workspaces().expect("list").is_empty());
}

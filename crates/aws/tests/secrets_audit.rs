//! Secrets audit: known secret values planted through a user's inputs (keyring access keys entered
//! by hand with a session token, an environment file to import, a status note and a waiver reason,
//! check runs against the sandbox — which echoes requests into check evidence —) must not appear
//! in the SQLite file, its WAL, any other file of the data folder (evidence copies included) or
//! the log (every `tracing` event the app's filter lets through at `LISTING_ASSISTANT_LOG=trace`,
//! written to a log file). Reports are covered by la-report's `no_planted_secret_reaches_any_format`.

mod common;

use la_core::model::{CredentialSource, EnvKind, ItemStatus, StatusChange};
use std::path::Path;
use std::sync::{Arc, Mutex};

// A temporary key: the sandbox, like AWS, refuses it without its session token, so passing
// checks prove the token was sent.
const KEY_ID: &str = "ASIAPLANTEDAUDIT0042";
const SECRET: &str = "planted/Secret+Access+Key/0042wJalrXUtnFEMI";
const SESSION: &str = "PlantedSessionTokenFQoGZXIvYXdzEJr0042";
const REG_TOKEN: &str = "PlantedRegistrationTokenZm9vYmFyMDA0Mg";

/// Every tracing event goes here (a log file in the test's temp folder).
#[derive(Clone)]
struct LogFile(Arc<Mutex<std::fs::File>>);

impl std::io::Write for LogFile {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log").write(b)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.lock().expect("log").flush()
    }
}

fn hits(path: &Path, planted: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for entry in walk(path) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        for p in planted {
            if bytes.windows(p.len()).any(|w| w == p.as_bytes()) {
                out.push(format!("{} contains {p}", entry.display()));
            }
        }
    }
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[tokio::test]
async fn planted_secrets_reach_no_file_and_no_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let log_path = dir.path().join("logs").join("app.log");
    std::fs::create_dir_all(log_path.parent().expect("parent")).expect("logs");
    let log = LogFile(Arc::new(Mutex::new(
        std::fs::File::create(&log_path).expect("log file"),
    )));
    let _guard = tracing::subscriber::set_default(
        tracing_subscriber::fmt()
            // The app's own filter at its most verbose.
            .with_env_filter(la_aws::logging::capped("trace"))
            .with_ansi(false)
            .with_writer(move || log.clone())
            .finish(),
    );

    // The sandbox accepts the planted keys, so the checks sign real requests with them.
    let mut config = la_sandbox::Config::default();
    config.credentials.insert(
        KEY_ID.into(),
        la_sandbox::sigv4::Credential {
            secret_access_key: SECRET.into(),
        },
    );
    let sandbox = common::sandbox(config).await;

    let c = la_testkit::core::with_demo_at(&data, &sandbox.url);
    let ws = c.list_workspaces().expect("list")[0].workspace.id.clone();

    // Keyring access keys entered by hand with a session token (temporary credentials), and the
    // environment set to use them: every check below signs with all three.
    c.set_access_keys_with_token(&ws, EnvKind::Staging, KEY_ID, SECRET, Some(SESSION))
        .expect("keys");
    let stored = c
        .access_keys(&ws, EnvKind::Staging)
        .expect("read")
        .expect("stored");
    assert_eq!(
        stored.session_token.as_ref().map(|t| t.expose().as_str()),
        Some(SESSION),
        "the token is kept with the keys"
    );
    let (mut s, _) = c.store().environment(&ws, EnvKind::Staging).expect("env");
    s.credential_source = CredentialSource::AccessKeys;
    c.save_environment(&ws, EnvKind::Staging, &s).expect("save");

    // An environment file carrying keys (refused: the format has no place for secrets), and one
    // broken around a secret: the error names the problem, never the value.
    let env_file = dir.path().join("staging.toml");
    for text in [
        format!(
            "name = \"staging\"\n[aws]\naws_access_key_id = \"{KEY_ID}\"\n\
             aws_secret_access_key = \"{SECRET}\"\naws_session_token = \"{SESSION}\"\n"
        ),
        format!("name = \"staging\"\nsecret = \"{SECRET}\nregistration = {REG_TOKEN}\n"),
    ] {
        std::fs::write(&env_file, text).expect("env file");
        let refused = c
            .import_environment_file(&ws, EnvKind::Staging, &env_file)
            .expect_err("an environment file with secrets is refused");
        let shown = refused.to_string();
        tracing::warn!(error = %shown, "import refused");
        for p in [KEY_ID, SECRET, SESSION, REG_TOKEN] {
            assert!(!shown.contains(p), "the import error shows {p}: {shown}");
        }
    }
    std::fs::remove_file(&env_file).expect("remove");

    // A note and a waiver reason pasted from a terminal / request log.
    c.set_item_status(&StatusChange {
        workspace_id: ws.clone(),
        item_id: "seller.public_profile".into(),
        status: ItemStatus::Passed,
        note: format!(
            "export AWS_ACCESS_KEY_ID={KEY_ID} AWS_SECRET_ACCESS_KEY={SECRET}; \
             {{\"SessionToken\": \"{SESSION}\", \"RegistrationToken\": \"{REG_TOKEN}\"}}"
        ),
        waiver_reason: None,
    })
    .expect("note");
    c.set_item_status(&StatusChange {
        workspace_id: ws.clone(),
        item_id: "seller.bank_account".into(),
        status: ItemStatus::Waived,
        note: String::new(),
        waiver_reason: Some(format!(
            "x-amzn-marketplace-token={REG_TOKEN}&secret_access_key={SECRET}"
        )),
    })
    .expect("waiver");

    // Check runs signed with the planted keys; the sandbox's answers become evidence.
    for step in ["s01", "s04", "s05"] {
        la_aws::run::run_for_environment(
            &c,
            &ws,
            EnvKind::Staging,
            Some(step),
            &Default::default(),
            &|_, _| {},
            &Default::default(),
        )
        .await
        .expect("run");
    }
    let results = c
        .latest_check_results(&ws, EnvKind::Staging)
        .expect("latest");
    assert!(
        results
            .iter()
            .any(|r| r.result.status == la_aws::engine::CheckStatus::Pass),
        "the planted keys must really have been used: {:?}",
        results
            .iter()
            .map(|r| (&r.result.id, &r.result.summary.en))
            .collect::<Vec<_>>()
    );
    let wal = data.join("listing-assistant.sqlite3-wal");
    assert!(wal.exists(), "the WAL is searched too");
    let log_text = std::fs::read_to_string(&log_path).expect("log");
    assert!(
        log_text.lines().count() > 100 && log_text.contains("DescribeEntity"),
        "the log holds the runs' trace"
    );

    let planted = [KEY_ID, SECRET, SESSION, REG_TOKEN];
    let mut found = hits(&data, &planted);
    found.extend(hits(log_path.parent().expect("logs"), &planted));
    assert!(
        found.is_empty(),
        "planted secrets found:\n{}",
        found.join("\n")
    );

    // The cap is what keeps the key ID out: without it, the SDK's trace prints it.
    drop(_guard);
    let raw_log = dir.path().join("uncapped.log");
    let raw = LogFile(Arc::new(Mutex::new(
        std::fs::File::create(&raw_log).expect("log file"),
    )));
    {
        let _raw = tracing::subscriber::set_default(
            tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
                .with_ansi(false)
                .with_writer(move || raw.clone())
                .finish(),
        );
        la_aws::run::run_for_environment(
            &c,
            &ws,
            EnvKind::Staging,
            Some("s04"),
            &Default::default(),
            &|_, _| {},
            &Default::default(),
        )
        .await
        .expect("run");
    }
    assert!(
        std::fs::read_to_string(&raw_log)
            .expect("log")
            .contains(KEY_ID),
        "uncapped, the SDK logs the key ID (else the cap is untested)"
    );

    // The audit can fail: the same search finds a planted value that is written out.
    std::fs::write(data.join("leak.txt"), SECRET).expect("leak");
    assert_eq!(hits(&data, &planted).len(), 1);
}

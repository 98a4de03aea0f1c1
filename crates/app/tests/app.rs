//! The use cases on a real data folder, the built-in sandbox on a free port and a host that
//! records what it is told — the same code the desktop app and the CLI run.

use la_app::purchase::{SandboxAction, StartPurchase};
use la_app::{App, AppEvent, ErrorCode, Host, Options};
use la_core::model::{CredentialSource, EnvKind};
use la_core::secrets::Backend;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Records events and what it was asked to open.
#[derive(Default)]
struct Recorder {
    events: Mutex<Vec<AppEvent>>,
    opened: Mutex<Vec<String>>,
}

impl Host for Recorder {
    fn emit(&self, event: AppEvent) {
        self.events.lock().expect("lock").push(event);
    }
    fn open_url(&self, url: &str) -> Result<(), la_app::AppError> {
        self.opened.lock().expect("lock").push(url.to_string());
        Ok(())
    }
    fn open_file(&self, path: &Path) -> Result<(), la_app::AppError> {
        self.opened
            .lock()
            .expect("lock")
            .push(path.display().to_string());
        Ok(())
    }
}

/// An app on `dir` on a machine with no keychain at all, with its built-in sandbox running.
async fn app_without_keychain(dir: &Path) -> (App, Arc<Recorder>) {
    app_on(dir, Backend::Unavailable).await
}

/// An app on `dir` with the given keyring, with its built-in sandbox running.
async fn app_on(dir: &Path, keyring: Backend) -> (App, Arc<Recorder>) {
    let host = Arc::new(Recorder::default());
    let opts = Options {
        data_dir: dir.to_path_buf(),
        keyring_service: "io.listingassistant.test".into(),
        keyring,
        seed_demo_if_empty: false,
    };
    let app = App::open(&opts, host.clone());
    la_app::sandbox::start_builtin(&app, Some("127.0.0.1:0")).await;
    (app, host)
}

async fn demo_id(app: &App) -> String {
    la_app::workspace::by_name(app, "Demo")
        .await
        .expect("Demo is seeded on first start")
        .id
}

fn start(ws: &str) -> StartPurchase {
    StartPurchase {
        workspace_id: ws.to_string(),
        env: EnvKind::Staging,
        buyer_account: "444455556666".into(),
        delete_messages: false,
        open_product_page: false,
    }
}

/// Regression: starting a purchase read the keyring even for an environment that stores no
/// keys, so the Demo failed with KeychainUnavailable on a machine without a keychain.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demo_purchase_works_with_no_keychain() {
    let dir = tempfile::tempdir().expect("dir");
    let (app, host) = app_without_keychain(dir.path()).await;
    let ws = demo_id(&app).await;
    let session = la_app::purchase::start(&app, start(&ws))
        .await
        .expect("a Demo purchase needs no keychain");
    la_app::purchase::sandbox(&app, &session.id, SandboxAction::Purchase)
        .await
        .expect("the sandbox buyer purchases");
    let view = la_app::purchase::view(&app, &session.id)
        .await
        .expect("view");
    assert!(view.running);
    assert!(view.detail.session.license_arn.is_some());
    // The purchase is on the stored timeline and reached the host as it happened.
    assert!(view.detail.events.iter().any(|e| e.kind == "purchase"));
    assert!(host
        .events
        .lock()
        .expect("lock")
        .iter()
        .any(|e| matches!(e, AppEvent::PurchaseEvent(p) if p.session_id == session.id)));
    // One session per environment.
    let again = la_app::purchase::start(&app, start(&ws)).await;
    assert_eq!(again.err().map(|e| e.code), Some(ErrorCode::Conflict));
    la_app::purchase::stop(&app, &session.id)
        .await
        .expect("stop");
    assert!(
        !la_app::purchase::view(&app, &session.id)
            .await
            .expect("view")
            .running
    );
    // "Who am I" on the same environment needs no keychain either.
    let who = la_app::checks::identity(&app, &ws, EnvKind::Staging)
        .await
        .expect("identity");
    assert_eq!(who.account, "111122223333");
}

/// The other side: an environment that does sign with stored keys says the keychain is missing
/// (it does not run as if it had no keys).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_keys_without_a_keychain_are_a_keychain_error() {
    let dir = tempfile::tempdir().expect("dir");
    let (app, _) = app_without_keychain(dir.path()).await;
    let ws = demo_id(&app).await;
    let core = app.core().expect("core");
    let (mut settings, _) = core
        .store()
        .environment(&ws, EnvKind::Staging)
        .expect("settings");
    settings.credential_source = CredentialSource::AccessKeys;
    let view = core
        .save_environment(&ws, EnvKind::Staging, &settings)
        .expect("save");
    // The form says the keychain is missing, not "no access keys stored".
    assert!(!view.has_access_keys);
    assert_eq!(
        view.keychain_problem.map(|p| p.kind),
        Some(la_core::secrets::KeychainProblemKind::Unavailable)
    );
    let e = la_app::purchase::start(&app, start(&ws))
        .await
        .expect_err("needs the keychain");
    assert_eq!(e.code, ErrorCode::KeychainUnavailable, "{}", e.message);
    let e = la_app::checks::identity(&app, &ws, EnvKind::Staging)
        .await
        .expect_err("needs the keychain");
    assert_eq!(e.code, ErrorCode::KeychainUnavailable, "{}", e.message);
}

/// A second run while one runs is refused; the slot is free again once the run ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_runs_take_turns_and_report_progress() {
    let dir = tempfile::tempdir().expect("dir");
    let (app, host) = app_without_keychain(dir.path()).await;
    let ws = demo_id(&app).await;
    let req = la_app::checks::RunChecks {
        workspace_id: ws.clone(),
        env: EnvKind::Staging,
        // Step 1 (identity.caller, catalog.seller_access): both answer from the sandbox.
        step_id: Some("s01".into()),
    };
    // A run that surely waits: its endpoint accepts connections and never answers. (Racing two
    // runs on the sandbox was flaky: a run whose calls failed at once finished in one poll.)
    let core = app.core().expect("core");
    let (kept, _) = core
        .store()
        .environment(&ws, EnvKind::Staging)
        .expect("settings");
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let mut waiting = kept.clone();
    waiting.endpoint_url = format!("http://{}", silent.local_addr().expect("addr"));
    core.save_environment(&ws, EnvKind::Staging, &waiting)
        .expect("save");
    let first = la_app::checks::run(&app, req.clone());
    tokio::pin!(first);
    let polled = std::future::poll_fn(|cx| {
        std::task::Poll::Ready(std::future::Future::poll(first.as_mut(), cx))
    })
    .await;
    assert!(polled.is_pending(), "the run waits on the silent endpoint");
    let refused = la_app::checks::run(&app, req.clone()).await;
    assert_eq!(refused.err().map(|e| e.code), Some(ErrorCode::Conflict));
    assert!(la_app::checks::cancel(&app).await.expect("cancel"));
    let cancelled = first.await.expect("the run ends");
    assert_eq!(cancelled.state, la_core::model::CheckRunState::Cancelled);
    drop(silent);
    // On the sandbox again, a run finishes and announces every result.
    core.save_environment(&ws, EnvKind::Staging, &kept)
        .expect("save");
    let run = la_app::checks::run(&app, req.clone())
        .await
        .expect("the slot is free again");
    assert_eq!(run.state, la_core::model::CheckRunState::Finished);
    let progress = host
        .events
        .lock()
        .expect("lock")
        .iter()
        .filter(|e| matches!(e, AppEvent::CheckProgress(p) if p.run_id == run.id && p.finished.is_some()))
        .count();
    assert_eq!(progress as u32, run.total);
    // The slot is free again.
    let again = la_app::checks::run(&app, req).await.expect("a second run");
    assert_eq!(again.state, la_core::model::CheckRunState::Finished);
    assert!(!la_app::checks::cancel(&app).await.expect("cancel"));
}

/// Report requests: the preview in the asked language, the export verifying, and "open" opening
/// only the file the last export wrote.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_is_previewed_exported_and_opened() {
    use la_app::reports::{self, ReportRequest};
    let dir = tempfile::tempdir().expect("dir");
    // Exports are signed with the installation's key, which lives in the keychain.
    let (app, host) = app_on(dir.path(), Backend::Mock).await;
    let ws = demo_id(&app).await;
    let none = reports::open_exported(&app).await;
    assert_eq!(none.err().map(|e| e.code), Some(ErrorCode::NotFound));
    let html = reports::preview(
        &app,
        &ws,
        la_report::Scope::Staging,
        la_core::model::Language::Ja,
    )
    .await
    .expect("preview");
    assert!(
        html.contains("lang=\"ja\""),
        "{}",
        &html[..200.min(html.len())]
    );
    let out = dir.path().join("report.json");
    let request = ReportRequest {
        workspace_id: ws,
        scope: la_report::Scope::Workspace,
        language: la_core::model::Language::En,
        format: la_report::Format::Json,
        with_evidence: false,
    };
    let exported = reports::export(&app, &request, &out).await.expect("export");
    let verified = la_report::verify(&std::fs::read(&out).expect("read")).expect("intact");
    assert_eq!(verified.digest, exported.digest);
    reports::open_exported(&app).await.expect("open");
    assert_eq!(
        host.opened.lock().expect("lock").last(),
        Some(&out.display().to_string())
    );
}

/// The first screen's one answer opens the remembered workspace, falls back to the first when
/// the remembered one is gone, and holds the same data as the separate calls it replaces.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bootstrap_opens_the_remembered_workspace_or_the_first() {
    use la_app::workspace as ws;
    let dir = tempfile::tempdir().expect("dir");
    let (app, _host) = app_without_keychain(dir.path()).await;
    let demo = demo_id(&app).await;

    let b = ws::bootstrap(&app).await.expect("bootstrap");
    assert_eq!(
        b.workspace.as_ref().map(|w| w.workspace.id.as_str()),
        Some(demo.as_str())
    );
    assert_eq!(
        b.workspaces.len(),
        ws::list(&app).await.expect("list").len()
    );
    assert_eq!(
        b.checklist.steps.len(),
        ws::get_checklist().await.expect("checklist").steps.len()
    );
    assert_eq!(
        b.info.version,
        ws::app_info(&app).await.expect("info").version
    );

    let other = ws::create(&app, "Acme", "Acme Cloud")
        .await
        .expect("create");
    let mut prefs = ws::preferences(&app).await.expect("prefs");
    prefs.last_workspace_id = Some(other.id.clone());
    ws::set_preferences(&app, &prefs).await.expect("set prefs");
    let b = ws::bootstrap(&app).await.expect("bootstrap");
    assert_eq!(
        b.preferences.last_workspace_id.as_deref(),
        Some(other.id.as_str())
    );
    let shown = b.workspace.expect("a workspace to open");
    assert_eq!(shown.workspace.id, other.id);
    assert_eq!(
        shown.environments.len(),
        ws::detail(&app, &other.id)
            .await
            .expect("detail")
            .environments
            .len()
    );

    ws::delete(&app, &other.id).await.expect("delete");
    let b = ws::bootstrap(&app).await.expect("bootstrap");
    assert_eq!(
        b.workspace.map(|w| w.workspace.id),
        b.workspaces.first().map(|w| w.workspace.id.clone())
    );
}

/// The desktop defers the built-in sandbox's start until its first screen is shown: the signal
/// starts it, and a call that needs it before then starts it itself instead of failing or
/// waiting for the deferral.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deferred_sandbox_starts_on_the_first_screen_or_at_the_first_need() {
    use la_app::sandbox;
    use std::time::Duration;
    let host = Arc::new(Recorder::default());
    let opts = |dir: &Path| Options {
        data_dir: dir.to_path_buf(),
        keyring_service: "io.listingassistant.test".into(),
        keyring: Backend::Unavailable,
        seed_demo_if_empty: false,
    };

    // The first screen's signal starts it (the deferral's time-out is far away).
    let dir = tempfile::tempdir().expect("dir");
    let app = App::open(&opts(dir.path()), host.clone());
    sandbox::will_start_builtin(&app);
    let ready = la_app::workspace::report_ready(&app, None)
        .await
        .expect("ready");
    assert!(ready < u32::MAX);
    tokio::time::timeout(
        Duration::from_secs(20),
        sandbox::start_builtin_after_first_screen(&app, Duration::from_secs(3600)),
    )
    .await
    .expect("started on the signal, not after the time-out");
    let status = sandbox::status(&app).await.expect("status");
    assert!(status.url.is_some(), "running: {status:?}");

    // Never signalled: the first call that needs it starts it.
    let dir = tempfile::tempdir().expect("dir");
    let app = Arc::new(App::open(&opts(dir.path()), host));
    sandbox::will_start_builtin(&app);
    let deferred = {
        let app = app.clone();
        tokio::spawn(async move {
            sandbox::start_builtin_after_first_screen(&app, Duration::from_secs(3600)).await;
        })
    };
    let status = tokio::time::timeout(Duration::from_secs(20), sandbox::status(&app))
        .await
        .expect("not held back by the deferral")
        .expect("status");
    assert!(
        status.url.is_some() && status.error.is_none(),
        "running: {status:?}"
    );
    let products = sandbox::products(&app).await.expect("the sandbox answers");
    assert!(!products.is_empty());
    deferred.abort();
}

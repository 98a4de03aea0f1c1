//! What the registration probe tests share: running the six probes against a URL, test
//! certificates (trusted, self-signed, expired, wrong name) and an HTTPS server for any axum
//! router, and fixture web apps (Flask, Django, Express) started as child processes.
#![allow(dead_code)]

use axum::Router;
use la_aws::checks::{registration, CheckContext};
use la_aws::engine::{self, CheckResult, CheckStatus, EngineOptions};
use la_core::model::EnvironmentSettings;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

pub type Results = HashMap<String, CheckResult>;

/// Runs the six probes against `url` (response-time limit 500 ms).
pub async fn probe(url: &str, ca: Option<&std::path::Path>) -> Results {
    let ctx = CheckContext {
        settings: EnvironmentSettings {
            fulfillment_url: url.to_string(),
            ..Default::default()
        },
        sdk: None,
        http: CheckContext::http_client(ca).expect("client"),
        response_time_limit: Duration::from_millis(500),
        own_access_keys: vec![],
    };
    let checks: Vec<_> = registration::CHECKS.iter().collect();
    let results = engine::run(
        &ctx,
        &checks,
        &EngineOptions::default(),
        &|_| {},
        &Default::default(),
    )
    .await;
    results.into_iter().map(|r| (r.id.clone(), r)).collect()
}

pub fn res<'a>(r: &'a Results, id: &str) -> &'a CheckResult {
    r.get(&format!("registration.{id}"))
        .unwrap_or_else(|| panic!("{id} ran"))
}

pub fn status(r: &Results, id: &str) -> CheckStatus {
    res(r, id).status
}

/// Asserts a probe's status and that its summary contains `text`.
#[track_caller]
pub fn expect(r: &Results, id: &str, want: CheckStatus, text: &str) {
    let res = res(r, id);
    assert_eq!(res.status, want, "{id}: {}", res.summary.en);
    assert!(
        res.summary.en.contains(text),
        "{id}: summary lacks {text:?}: {}",
        res.summary.en
    );
}

/// The five probes besides `https`.
pub const PAGE_PROBES: [&str; 5] = [
    "accepts_post",
    "invalid_token_graceful",
    "token_not_in_cookie",
    "repeat_post",
    "response_time",
];

pub use la_testkit::tls::Leaf;

/// Serves `app` over HTTPS on a loopback port with the kind of certificate asked for; returns
/// its base URL and the test CA's PEM (which trusts Good, Expired and WrongName leaves).
pub async fn https_server(app: Router, kind: Leaf) -> (String, String) {
    let (config, ca_pem) = la_testkit::tls::server_config(kind);
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = l.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = l.accept().await else {
                break;
            };
            let acceptor = acceptor.clone();
            let app = app.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let svc = hyper_util::service::TowerToHyperService::new(app);
                let _ = hyper_util::server::conn::auto::Builder::new(
                    hyper_util::rt::TokioExecutor::new(),
                )
                .serve_connection(hyper_util::rt::TokioIo::new(tls), svc)
                .await;
            });
        }
    });
    (format!("https://127.0.0.1:{}", addr.port()), ca_pem)
}

/// Serves `app` over plain HTTP on a loopback port.
pub async fn http_server(app: Router) -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = l.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(l, app).await });
    format!("http://{addr}")
}

/// Writes the CA PEM to a file the probes' client can load.
pub fn ca_file(dir: &tempfile::TempDir, pem: &str) -> std::path::PathBuf {
    let p = dir.path().join("ca.pem");
    std::fs::write(&p, pem).expect("ca");
    p
}

/// A fixture web app running as a child process, killed and reaped on drop.
pub struct FixtureApp {
    pub base: String,
    child: Child,
}

impl Drop for FixtureApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `program args…` in `dir`; the app prints "PORT <n>" once it listens on 127.0.0.1.
/// Its stderr goes to a log file whose text is shown when it fails to start.
pub fn start_app(program: &std::path::Path, args: &[&str], dir: &std::path::Path) -> FixtureApp {
    start_app_with(program, args, dir, &[])
}

/// [`start_app`] with extra environment variables (NODE_ENV is unset unless given here).
pub fn start_app_with(
    program: &std::path::Path,
    args: &[&str],
    dir: &std::path::Path,
    env: &[(&str, &str)],
) -> FixtureApp {
    let log = tempfile::NamedTempFile::new().expect("log");
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env_remove("NODE_ENV")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log.reopen().expect("log handle"))
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", program.display()));
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    // Reads the port line, then keeps draining stdout so the app never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(port) = line.strip_prefix("PORT ") {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(port.trim().to_string());
                }
            }
        }
    });
    let mut app = FixtureApp {
        base: String::new(),
        child,
    };
    // A generous bound for a cold interpreter start on a loaded machine; not a timing claim.
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(port) => {
            app.base = format!("http://127.0.0.1:{port}");
            app
        }
        Err(_) => {
            drop(app);
            panic!(
                "{} {args:?} did not start: {}",
                program.display(),
                std::fs::read_to_string(log.path()).unwrap_or_default()
            );
        }
    }
}

/// The fixtures folder of a framework.
pub fn fixture_dir(framework: &str) -> std::path::PathBuf {
    la_testkit::manifest_dir()
        .join("tests/fixtures/frameworks")
        .join(framework)
}

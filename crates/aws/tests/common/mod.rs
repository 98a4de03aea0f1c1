//! Shared by the check tests: moto's server (plain, or the fixture that can set account states
//! moto's API cannot), the sandbox on loopback, and running one check through the engine.
#![allow(dead_code)] // each test binary uses its own share

use la_aws::access::static_config;
use la_aws::checks::{self, CheckContext};
use la_aws::engine::{self, CheckResult, CheckStatus, EngineOptions};
use la_core::model::EnvironmentSettings;
use std::io::{BufRead, BufReader, Write};
use std::process::{ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

pub async fn check(ctx: &CheckContext, id: &str) -> CheckResult {
    let def = checks::catalogue()
        .into_iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no check {id}"));
    let opts = EngineOptions {
        throttle_retries: 1,
        backoff: Duration::from_millis(10),
        ..Default::default()
    };
    engine::run(ctx, &[def], &opts, &|_| {}, &Default::default())
        .await
        .remove(0)
}

pub async fn expect(ctx: &CheckContext, id: &str, status: CheckStatus) -> CheckResult {
    let r = check(ctx, id).await;
    assert_eq!(r.status, status, "{id}: {}", r.summary.en);
    r
}

/// moto's server; plain, or run by tests/fixtures/moto_fixture.py, which takes state commands.
pub struct Moto {
    pub url: String,
    // Declared before the server so the fixture's stdin closes first (it then stops by itself).
    control: Option<(ChildStdin, BufReader<ChildStdout>)>,
    _server: la_testkit::Moto,
}

impl Moto {
    /// moto's server as users run it.
    pub fn start() -> Self {
        let server = la_testkit::moto();
        Moto {
            url: server.url.clone(),
            control: None,
            _server: server,
        }
    }

    pub fn fixture() -> Self {
        let port = la_testkit::free_port();
        let script = la_testkit::manifest_dir().join("tests/fixtures/moto_fixture.py");
        let mut child = Command::new(la_testkit::venv_python())
            .arg(script)
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto fixture");
        let stdin = child.stdin.take().expect("stdin");
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let server = la_testkit::Moto::adopt(port, child);
        let mut line = String::new();
        out.read_line(&mut line).expect("fixture output");
        assert_eq!(line.trim(), "ready", "fixture said {line:?}");
        Moto {
            url: server.url.clone(),
            control: Some((stdin, out)),
            _server: server,
        }
    }

    /// Runs a fixture command (see moto_fixture.py).
    pub fn cmd(&mut self, cmd: &str) {
        let (stdin, out) = self.control.as_mut().expect("a fixture server");
        writeln!(stdin, "{cmd}").expect("write");
        let mut line = String::new();
        out.read_line(&mut line).expect("read");
        assert_eq!(line.trim(), "ok", "fixture command {cmd:?}: {line}");
    }

    pub fn sdk(&self) -> aws_config::SdkConfig {
        static_config(&self.url, "testing", "testing")
    }

    /// A check context on this server with the given settings.
    pub fn ctx(&self, settings: EnvironmentSettings) -> CheckContext {
        CheckContext {
            settings,
            sdk: Some(self.sdk()),
            http: CheckContext::http_client(None).expect("http"),
            response_time_limit: Duration::from_secs(3),
            own_access_keys: vec![],
        }
    }
}

/// The Marketplace sandbox on a free loopback port, seeded like the app's.
pub async fn sandbox(config: la_sandbox::Config) -> la_sandbox::server::Running {
    la_testkit::sandbox::seeded_with(config).await
}

//! Shared by the check tests: moto's server (plain, or the fixture that can set account states
//! moto's API cannot) and running one check through the engine.
#![allow(dead_code)] // each test binary uses its own share

use la_aws::access::static_config;
use la_aws::checks::{self, CheckContext};
use la_aws::engine::{self, CheckResult, CheckStatus, EngineOptions};
use la_core::model::EnvironmentSettings;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
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
    assert_eq!(r.status, status, "{id}: {}", r.summary);
    r
}

fn venv(bin: &str) -> PathBuf {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../.tools/venv/bin")
        .join(bin);
    assert!(p.exists(), "{} missing: run `make deps`", p.display());
    p
}

pub struct Moto {
    pub url: String,
    child: Child,
    control: Option<(ChildStdin, BufReader<ChildStdout>)>,
}

impl Moto {
    /// moto's server as users run it.
    pub fn start() -> Self {
        let port = free_port();
        let child = Command::new(venv("moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto");
        Self::ready(port, child, None)
    }

    /// The same server run by tests/fixtures/moto_fixture.py, which takes state commands.
    pub fn fixture() -> Self {
        let port = free_port();
        let script =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/moto_fixture.py");
        let mut child = Command::new(venv("python"))
            .arg(script)
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto fixture");
        let stdin = child.stdin.take().expect("stdin");
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        out.read_line(&mut line).expect("fixture output");
        assert_eq!(line.trim(), "ready", "fixture said {line:?}");
        Self::ready(port, child, Some((stdin, out)))
    }

    fn ready(
        port: u16,
        child: Child,
        control: Option<(ChildStdin, BufReader<ChildStdout>)>,
    ) -> Self {
        let m = Moto {
            url: format!("http://127.0.0.1:{port}"),
            child,
            control,
        };
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return m;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("moto did not start");
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

impl Drop for Moto {
    fn drop(&mut self) {
        self.control = None; // closes stdin: the fixture stops by itself
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port()
}

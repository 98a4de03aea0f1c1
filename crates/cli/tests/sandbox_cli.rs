//! The `listing-assistant sandbox` commands as a user runs them: serve on a free port (URL on
//! the first line), purchase with JSON output, change, cancel, advance the clock — and a boto3
//! SaaS (examples/boto3_saas.py) talking to the sandbox unchanged but for the endpoint.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_listing-assistant");

struct Server {
    child: Child,
    url: String,
    /// The control secret from the first line (`LA_SANDBOX_CONTROL_SECRET=…`).
    secret: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(extra: &[&str]) -> Server {
    let mut child = Command::new(BIN)
        .args([
            "sandbox",
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--seed",
            "demo",
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().expect("a first line").expect("utf-8");
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL on the first line: {first}"))
        .to_string();
    let secret = first
        .split_whitespace()
        .find_map(|w| w.strip_prefix("LA_SANDBOX_CONTROL_SECRET="))
        .unwrap_or_else(|| panic!("no control secret on the first line: {first}"))
        .trim_end_matches(')')
        .to_string();
    let second = lines.next().expect("credentials line").expect("utf-8");
    assert!(
        second.contains(la_sandbox_demo_key()),
        "demo credentials printed: {second}"
    );
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, url, secret }
}

fn la_sandbox_demo_key() -> &'static str {
    "AKIASANDBOXDEMO00001"
}

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env_remove("LA_SANDBOX_CONTROL_SECRET")
        .output()
        .expect("run");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn purchase_change_cancel_and_clock_from_the_command_line() {
    let s = serve(&[]);
    let (ok, out, err) = run(&[
        "sandbox",
        "purchase",
        "--endpoint",
        &s.url,
        "--control-secret",
        &s.secret,
        "--product",
        "prod-demostg4a7k2q",
        "--buyer-account",
        "444455556666",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json output");
    for field in [
        "registration_token",
        "product_code",
        "customer_aws_account_id",
        "license_arn",
    ] {
        assert!(
            v[field].as_str().is_some_and(|x| !x.is_empty()),
            "{field} in {v}"
        );
    }
    assert_eq!(v["customer_aws_account_id"], "444455556666");
    assert_eq!(
        v["fulfillment"]["status"], 200,
        "the demo landing page answered the POST"
    );
    let license = v["license_arn"].as_str().expect("license").to_string();

    // By product code too, and without the POST.
    let (ok, out, _) = run(&[
        "sandbox",
        "purchase",
        "--endpoint",
        &s.url,
        "--control-secret",
        &s.secret,
        "--product",
        "demostg7ky5a0d3rqx2ub6y8m",
        "--buyer-account",
        "444455556666",
        "--no-redirect",
    ]);
    assert!(ok);
    assert!(out.contains("landing page: not posted"), "{out}");

    let (ok, out, err) = run(&[
        "sandbox",
        "change",
        "--endpoint",
        &s.url,
        "--control-secret",
        &s.secret,
        "--license-arn",
        &license,
        "--entitlement",
        "seats=12",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("12"), "{out}");
    let (ok, out, err) = run(&[
        "sandbox",
        "cancel",
        "--endpoint",
        &s.url,
        "--control-secret",
        &s.secret,
        "--license-arn",
        &license,
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("unsubscribe-pending"), "{out}");
    let (ok, out, err) = run(&[
        "sandbox",
        "clock",
        "--endpoint",
        &s.url,
        "--control-secret",
        &s.secret,
        "--advance",
        "1h",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["offset_secs"], 3600);
    assert_eq!(
        v["notifications"].as_array().map(Vec::len),
        Some(1),
        "unsubscribe-success once the hour passed"
    );
    assert!(v["notifications"][0]["body"]
        .as_str()
        .unwrap_or_default()
        .contains("unsubscribe-success"));

    // Errors are clear and exit non-zero.
    let (ok, _, err) = run(&[
        "sandbox",
        "purchase",
        "--endpoint",
        &s.url,
        "--control-secret",
        &s.secret,
        "--product",
        "prod-nope",
        "--buyer-account",
        "444455556666",
    ]);
    assert!(!ok);
    assert!(
        err.contains("ResourceNotFoundException") && err.contains("prod-nope"),
        "{err}"
    );
    let (ok, _, err) = run(&[
        "sandbox",
        "purchase",
        "--endpoint",
        &s.url,
        "--control-secret",
        &s.secret,
        "--product",
        "prod-demostg4a7k2q",
        "--buyer-account",
        "999999999999",
    ]);
    assert!(!ok);
    assert!(err.contains("allow-list"), "{err}");
    let (ok, _, err) = run(&[
        "sandbox",
        "clock",
        "--endpoint",
        "http://127.0.0.1:9",
        "--advance",
        "1h",
    ]);
    assert!(!ok);
    assert!(err.contains("cannot reach the sandbox"), "{err}");
    let (ok, _, err) = run(&["sandbox", "clock", "--endpoint", &s.url, "--advance", "1y"]);
    assert!(!ok);
    assert!(err.contains("unknown unit"), "{err}");
}

/// The control API is the launching process's: a command without the secret printed at start,
/// or with another launch's, is refused with a message that says what to pass.
#[test]
fn control_commands_need_this_launchs_secret() {
    let s = serve(&[]);
    let (ok, _, err) = run(&["sandbox", "clock", "--endpoint", &s.url]);
    assert!(!ok);
    assert!(err.contains("LA_SANDBOX_CONTROL_SECRET"), "{err}");
    let (ok, _, err) = run(&[
        "sandbox",
        "clock",
        "--endpoint",
        &s.url,
        "--control-secret",
        "not-this-launchs",
    ]);
    assert!(!ok);
    assert!(err.contains("does not match"), "{err}");
    let (ok, out, err) = run(&[
        "sandbox",
        "clock",
        "--endpoint",
        &s.url,
        "--control-secret",
        &s.secret,
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("Sandbox clock"), "{out}");
}

#[test]
fn serve_refuses_a_public_address_without_the_flag() {
    let (ok, _, err) = run(&["sandbox", "serve", "--addr", "0.0.0.0:0"]);
    assert!(!ok);
    assert!(err.contains("loopback"), "{err}");
}

#[test]
fn a_boto3_saas_works_against_the_sandbox() {
    let repo = la_testkit::manifest_dir().join("../..");
    let python = repo.join(".tools/venv/bin/python");
    assert!(
        python.exists(),
        "{} missing: run `make deps`",
        python.display()
    );
    let s = serve(&[]);
    let (ok, out, err) = run(&[
        "sandbox",
        "purchase",
        "--endpoint",
        &s.url,
        "--control-secret",
        &s.secret,
        "--product",
        "prod-demostg4a7k2q",
        "--buyer-account",
        "444455556666",
        "--no-redirect",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    let p: Value = serde_json::from_str(&out).expect("json");
    let out = Command::new(&python)
        .arg(repo.join("examples/boto3_saas.py"))
        .arg(&s.url)
        .arg(p["registration_token"].as_str().expect("token"))
        .env("AWS_ACCESS_KEY_ID", "AKIASANDBOXDEMO00001")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "listing-assistant-sandbox-demo-secret-0001",
        )
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "boto3 example failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("example output");
    assert_eq!(v["license_arn"], p["license_arn"]);
    assert_eq!(v["metering_status"], "Success");
    assert_eq!(v["entitlements"][0]["dimension"], "seats");
}

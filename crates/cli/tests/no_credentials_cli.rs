//! The CLI on a machine with no AWS credentials at all (issue 14, item 10): HOME is an empty
//! folder, no `AWS_*` variable is set and the instance-metadata provider is off (so no test
//! ever contacts 169.254.169.254). `check` says once that no credentials were found and how to
//! provide them, each AWS check says "could not check: no credentials", and none of the SDK's
//! debug structures reach the user; `sandbox serve` with a queue says its one line.

use std::io::Read;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_listing-assistant");

/// A command with the machine's AWS configuration taken away.
fn bare(home: &std::path::Path) -> Command {
    let mut c = Command::new(BIN);
    c.env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("credentials"))
        .env("LISTING_ASSISTANT_KEYRING", "mock")
        .env_remove("LISTING_ASSISTANT_LOG")
        .env_remove("LA_SANDBOX_CONTROL_SECRET");
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_")
            && ![
                "AWS_EC2_METADATA_DISABLED",
                "AWS_CONFIG_FILE",
                "AWS_SHARED_CREDENTIALS_FILE",
            ]
            .contains(&k.as_str())
        {
            c.env_remove(k);
        }
    }
    c
}

#[test]
fn check_in_real_mode_says_once_that_there_are_no_credentials() {
    let home = tempfile::tempdir().expect("home");
    let env = home.path().join("production.toml");
    std::fs::write(
        &env,
        r#"name = "production"
mode = "real"
fulfillment_url = "https://saas.example/marketplace/register"
seller_account_id = "111122223333"
product_id = "prod-demostg4a7k2q"
product_code = "demostg7ky5a0d3rqx2ub6y8m"
pricing_model = "contract_with_consumption"

[aws]
region = "us-east-1"
"#,
    )
    .expect("env file");
    let out = bare(home.path())
        .args(["check", "--env-file"])
        .arg(&env)
        .args(["--only", "catalog."])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr
            .matches("no AWS credentials were found for this environment")
            .count(),
        1,
        "said once: {stderr}"
    );
    assert!(stderr.contains("aws sso login"), "{stderr}");
    let lines: Vec<&str> = stdout.lines().filter(|l| l.contains("catalog.")).collect();
    assert!(!lines.is_empty(), "{stdout}");
    for l in &lines {
        assert!(l.contains("could not check: no credentials"), "{l}");
    }
    for noise in [
        "could not reach",
        "DispatchFailure",
        "CredentialsNotLoaded",
        "WARN",
    ] {
        assert!(
            !stdout.contains(noise) && !stderr.contains(noise),
            "{noise} shown:\n{stdout}\n{stderr}"
        );
    }
    assert_eq!(out.status.code(), Some(1), "errors fail the run");
}

#[test]
fn sandbox_serve_with_a_queue_and_no_credentials_says_one_line() {
    let home = tempfile::tempdir().expect("home");
    let mut serve = bare(home.path())
        .args([
            "sandbox",
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--seed",
            "demo",
            "--sqs-endpoint",
            "http://127.0.0.1:9",
            "--sqs-queue-url",
            "http://127.0.0.1:9/000000000000/marketplace",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve");
    let mut first = String::new();
    let mut stdout = serve.stdout.take().expect("stdout");
    let mut byte = [0u8; 1];
    while stdout.read(&mut byte).expect("read") == 1 && byte[0] != b'\n' {
        first.push(byte[0] as char);
    }
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("url")
        .to_string();
    let secret = first
        .split_whitespace()
        .find_map(|w| w.strip_prefix("LA_SANDBOX_CONTROL_SECRET="))
        .expect("secret")
        .trim_end_matches(')')
        .to_string();
    for _ in 0..2 {
        let out = bare(home.path())
            .args([
                "sandbox",
                "purchase",
                "--endpoint",
                &url,
                "--control-secret",
                &secret,
            ])
            .args([
                "--product",
                "prod-demostg4a7k2q",
                "--buyer-account",
                "444455556666",
            ])
            .args(["--no-redirect"])
            .output()
            .expect("purchase");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let _ = serve.kill();
    let mut stderr = String::new();
    serve
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    let _ = serve.wait();
    assert_eq!(
        stderr
            .matches(
                "no AWS credentials for delivering to SQS: set AWS_PROFILE or AWS_ACCESS_KEY_ID"
            )
            .count(),
        1,
        "said once for every notification: {stderr}"
    );
    assert!(!stderr.contains("DispatchFailure"), "{stderr}");
}

//! Running the CLI binary in tests: a sandbox served on a free port, and one command's exit code
//! and output.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_listing-assistant");

/// `sandbox serve` with the demo products; killed on drop.
pub struct Server(pub Child, pub String);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn serve() -> Server {
    serve_with(&[], &[])
}

/// `sandbox serve` with the demo products and extra arguments and environment variables.
pub fn serve_with(args: &[&str], envs: &[(&str, &str)]) -> Server {
    let mut child = Command::new(BIN)
        .args([
            "sandbox",
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--seed",
            "demo",
        ])
        .args(args)
        .envs(envs.iter().copied())
        .stdout(Stdio::piped())
        .spawn()
        .expect("serve");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("line").expect("utf-8");
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("url")
        .to_string();
    std::thread::spawn(move || for _ in lines {});
    Server(child, url)
}

/// Runs the CLI: (exit code, stdout, stderr). No AWS profile leaks in from the machine, and any
/// keyring use stays in memory.
pub fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env_remove("AWS_PROFILE")
        .env("LISTING_ASSISTANT_KEYRING", "mock")
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// An environment file for the demo staging product behind the sandbox at `url`.
pub fn env_file(
    dir: &std::path::Path,
    name: &str,
    url: &str,
    fulfillment: &str,
) -> std::path::PathBuf {
    let p = dir.join("staging.toml");
    std::fs::write(
        &p,
        format!(
            r#"name = "{name}"
mode = "sandbox"
fulfillment_url = "{fulfillment}"
seller_account_id = "111122223333"
product_id = "prod-demostg4a7k2q"
product_code = "demostg7ky5a0d3rqx2ub6y8m"
pricing_model = "contract_with_consumption"
test_buyer_account_ids = ["444455556666"]
dimensions = [{{ key = "seats", name = "Seats", kind = "Entitled" }}, {{ key = "api_calls", name = "API calls", kind = "ExternallyMetered" }}]

[aws]
region = "us-east-1"
endpoint_url = "{url}"
"#
        ),
    )
    .expect("write env file");
    p
}

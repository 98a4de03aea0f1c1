//! `listing-assistant purchase watch` as a user runs it: JSON lines from a sandbox purchase,
//! a clean stop on SIGTERM with the verdicts, and a clear usage error for a buyer that is not
//! allow-listed.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_listing-assistant");
const BUYER: &str = "444455556666";

fn env_file(dir: &std::path::Path, url: &str) -> std::path::PathBuf {
    let p = dir.join("staging.toml");
    std::fs::write(
        &p,
        format!(
            "name = \"staging\"\nmode = \"sandbox\"\nproduct_id = \"prod-demostg4a7k2q\"\nproduct_code = \"demostg7ky5a0d3rqx2ub6y8m\"\npricing_model = \"contract_with_consumption\"\ntest_buyer_account_ids = [\"{BUYER}\"]\n\n[aws]\nregion = \"us-east-1\"\nendpoint_url = \"{url}\"\n"
        ),
    )
    .expect("write");
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_streams_json_lines_and_stops_cleanly_on_sigterm() {
    let sb = la_testkit::sandbox::seeded().await;
    let dir = tempfile::tempdir().expect("dir");
    let file = env_file(dir.path(), &sb.url);
    let mut child = Command::new(BIN)
        .args(["purchase", "watch", "--env-file"])
        .arg(&file)
        .args(["--buyer-account", BUYER, "--format", "json"])
        // The in-process sandbox's control secret, as a user passes `sandbox serve`'s.
        .env("LA_SANDBOX_CONTROL_SECRET", &sb.control_secret)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start watch");
    let (tx, rx) = mpsc::channel::<Value>();
    let stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("utf-8");
            let v: Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            if tx.send(v).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let next = |seen: &mut Vec<Value>, what: &str, f: &dyn Fn(&Value) -> bool| loop {
        let v = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no {what} in {seen:#?}"));
        seen.push(v.clone());
        if f(&v) {
            return;
        }
    };
    // The sandbox log, entitlements and CloudTrail watchers have each made their first call.
    let mut running = std::collections::HashSet::new();
    while running.len() < 3 {
        next(&mut seen, "running watchers", &|v| {
            v["type"] == "watcher" && v["state"] == "running"
        });
        if let Some(v) = seen.last() {
            running.insert(v["watcher"].as_str().unwrap_or_default().to_string());
        }
    }
    sb.sandbox
        .purchase(&la_sandbox::buyer::PurchaseRequest {
            product: "prod-demostg4a7k2q".into(),
            buyer_account: BUYER.into(),
            redirect: true,
            ..Default::default()
        })
        .await
        .expect("purchase");
    next(&mut seen, "subscribe-success", &|v| {
        v["type"] == "event" && v["kind"] == "subscribe-success" && v["source"] == "sns"
    });
    next(&mut seen, "the demo SaaS's ResolveCustomer", &|v| {
        v["type"] == "event" && v["kind"] == "ResolveCustomer"
    });
    let pid = child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    next(&mut seen, "the stop line", &|v| v["type"] == "stopped");
    let last = seen.last().cloned().expect("last");
    let resolve = last["verdicts"]
        .as_array()
        .and_then(|a| a.iter().find(|v| v["id"] == "resolve_within_10s"))
        .cloned()
        .expect("resolve verdict");
    assert_eq!(resolve["state"], "pass", "{resolve}");
    let status = child.wait().expect("wait");
    assert!(status.success(), "exit {status:?}");
    reader.join().expect("reader");
}

#[test]
fn a_buyer_not_on_the_allow_list_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("dir");
    let file = env_file(dir.path(), "http://127.0.0.1:9");
    let out = Command::new(BIN)
        .args(["purchase", "watch", "--env-file"])
        .arg(&file)
        .args(["--buyer-account", "999999999999"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("999999999999 is not in test_buyer_account_ids"),
        "{err}"
    );
}

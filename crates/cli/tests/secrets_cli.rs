//! Secrets audit for the CLI: planted keys and a session token given the way CI gives them
//! (`AWS_*` environment variables; the sandbox's key through its flag and `LA_SANDBOX_SECRET_KEY`)
//! never appear in `check`'s output in any format nor in its log (`LISTING_ASSISTANT_LOG=trace`,
//! on stderr), while the checks really signed with them — over https, as real mode requires.

mod common;

use std::process::Command;

const KEY_ID: &str = "AKIACLIPLANTED000042";
const SECRET: &str = "cli/Planted+Secret/Key0042abcdEFGHijkl";
const SESSION: &str = "CliPlantedSessionTokenFQoGZXIvYXdz0042";

#[test]
fn planted_credentials_reach_no_output_and_no_log() {
    // The sandbox behind a TLS-terminating proxy: real mode sends credentials over https only,
    // even on this machine. `--allow-remote` because the requests name the proxy as their host.
    let s = common::serve_with(
        &["--access-key", KEY_ID, "--allow-remote"],
        &[("LA_SANDBOX_SECRET_KEY", SECRET)],
    );
    let proxy = la_testkit::tls::tls_proxy(s.1.trim_start_matches("http://"));
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("ca.pem"), &proxy.ca_pem).expect("ca");
    let f = common::env_file(dir.path(), "staging", &s.1, "https://127.0.0.1:9/register");
    let sandbox_mode = std::fs::read_to_string(&f).expect("read");
    // Real mode over plain http is refused before anything is sent (exit 2, the field named).
    std::fs::write(
        &f,
        sandbox_mode.replace("mode = \"sandbox\"", "mode = \"real\""),
    )
    .expect("write");
    let (code, _, stderr) = common::run(&[
        "check",
        "--env-file",
        f.to_str().expect("path"),
        "--only",
        "catalog",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("endpoint_url: Real mode sends"), "{stderr}");
    // A real environment reads the default chain (the planted variables), over https to the
    // proxy, trusting its CA through the file's ca_bundle.
    std::fs::write(
        &f,
        sandbox_mode
            .replace(
                "mode = \"sandbox\"",
                "mode = \"real\"\nca_bundle = \"ca.pem\"",
            )
            .replace(&s.1, &proxy.url),
    )
    .expect("write");
    let mut passed = 0;
    for format in ["json", "junit", "text"] {
        let out = Command::new(common::BIN)
            .args([
                "check",
                "--env-file",
                f.to_str().expect("path"),
                "--only",
                "catalog",
            ])
            .args(["--format", format])
            .env_remove("AWS_PROFILE")
            .env("AWS_ACCESS_KEY_ID", KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env("AWS_SESSION_TOKEN", SESSION)
            .env("LISTING_ASSISTANT_LOG", "trace")
            .env("LISTING_ASSISTANT_KEYRING", "mock")
            .output()
            .expect("run");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.lines().count() > 10, "the trace log is on: {stderr}");
        for p in [KEY_ID, SECRET, SESSION] {
            assert!(
                !stdout.contains(p),
                "{format}: {p} in the output:\n{stdout}"
            );
            assert!(!stderr.contains(p), "{format}: {p} in the log");
        }
        if format == "json" {
            let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
            passed = v["checks"]
                .as_array()
                .expect("checks")
                .iter()
                .filter(|c| c["status"] == "pass")
                .count();
        }
    }
    assert!(
        passed > 3,
        "the planted keys must really have signed the calls"
    );
}

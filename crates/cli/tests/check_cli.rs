//! `listing-assistant check`: an environment file against a running sandbox, the three output
//! formats, and the exit codes (0 nothing failed, 1 a check failed, 2 usage/configuration).

use serde_json::Value;
use std::process::Command;

mod common;

use common::{env_file, run, serve};

#[test]
fn catalog_checks_pass_against_the_sandbox_in_json() {
    let s = serve();
    let dir = tempfile::tempdir().expect("dir");
    let f = env_file(
        dir.path(),
        "staging",
        &s.1,
        &format!("{}/_demo-saas/staging/marketplace/register", s.1),
    );
    let (code, out, err) = run(&[
        "check",
        "--env-file",
        f.to_str().expect("path"),
        "--only",
        "catalog",
        "--format",
        "json",
    ]);
    let v: Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("json ({e}): {out}\n{err}"));
    let checks = v["checks"].as_array().expect("checks");
    assert!(checks.len() >= 9, "{v}");
    for c in checks {
        assert!(c["id"].as_str().is_some_and(|i| i.starts_with("catalog.")));
        assert!(c["summary"].as_str().is_some());
        assert!(
            matches!(c["status"].as_str(), Some("pass" | "skipped")),
            "{c}"
        );
    }
    assert_eq!(code, 0, "{err}");
}

#[test]
fn registration_failures_exit_1_and_junit_is_well_formed() {
    let dir = tempfile::tempdir().expect("dir");
    // Registration probes need no AWS access at all; nothing listens on port 9.
    let f = env_file(
        dir.path(),
        "staging",
        "http://127.0.0.1:9",
        "https://127.0.0.1:9/register",
    );
    let (code, out, _) = run(&[
        "check",
        "--env-file",
        f.to_str().expect("path"),
        "--only",
        "registration",
        "--format",
        "junit",
    ]);
    assert_eq!(code, 1);
    assert!(out.starts_with("<?xml"));
    assert_eq!(out.matches("<testcase ").count(), 6);
    assert_eq!(out.matches("<failure ").count(), 6, "{out}");
    let repo = la_testkit::manifest_dir().join("../..");
    let python = repo.join(".tools/venv/bin/python");
    let junit = dir.path().join("report.xml");
    std::fs::write(&junit, &out).expect("write");
    // A real XML parser reads it and finds the JUnit structure.
    let parsed = Command::new(&python)
        .args(["-c", "import sys,xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); s=r.find('testsuite'); print(r.tag, s.get('tests'), s.get('failures'))"])
        .arg(&junit)
        .output()
        .expect("python");
    assert_eq!(
        String::from_utf8_lossy(&parsed.stdout).trim(),
        "testsuites 6 6"
    );
    let (code, out, _) = run(&[
        "check",
        "--env-file",
        f.to_str().expect("path"),
        "--only",
        "registration.https",
    ]);
    assert_eq!(code, 1);
    assert!(
        out.contains("FAIL") && out.contains("registration.https"),
        "{out}"
    );
}

#[test]
fn configuration_errors_exit_2_with_a_clear_message() {
    let (code, _, err) = run(&["check", "--env-file", "/nonexistent/env.toml"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/env.toml"), "{err}");
    let dir = tempfile::tempdir().expect("dir");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "name = \"x\"\nseller_account_id = \"12\"\n").expect("write");
    let (code, _, err) = run(&["check", "--env-file", bad.to_str().expect("path")]);
    assert_eq!(code, 2);
    assert!(err.contains("seller_account_id"), "{err}");
    let f = env_file(
        dir.path(),
        "staging",
        "http://127.0.0.1:9",
        "https://127.0.0.1:9/register",
    );
    let (code, _, err) = run(&[
        "check",
        "--env-file",
        f.to_str().expect("path"),
        "--only",
        "nosuchcheck",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("nosuchcheck"), "{err}");
    let (code, _, _) = run(&["check"]);
    assert_eq!(code, 2);
}

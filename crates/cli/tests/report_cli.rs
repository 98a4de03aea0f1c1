//! `listing-assistant report export|verify` as a user runs them: a fresh data folder gets the
//! Demo workspace, every format in both languages, the exit codes of verify (0 intact, 1 changed,
//! 2 unreadable); `check --workspace` on a fresh data folder; and the check command's JUnit read
//! by a real JUnit consumer (junitparser from PyPI).

use serde_json::Value;
use std::path::Path;
use std::process::Command;

mod common;

use common::{env_file, run, serve};

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// `report export --workspace WS --format FORMAT --out OUT --data-dir DATA` and `extra`.
fn export(
    data: &Path,
    ws: &str,
    format: &str,
    out: &Path,
    extra: &[&str],
) -> (i32, String, String) {
    let mut args = vec![
        "report",
        "export",
        "--workspace",
        ws,
        "--format",
        format,
        "--out",
        s(out),
        "--data-dir",
        s(data),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn export_on_a_fresh_data_folder_uses_the_demo_workspace_and_verify_catches_a_changed_byte() {
    let data = tempfile::tempdir().expect("dir");
    let out = tempfile::tempdir().expect("dir");
    let json = out.path().join("demo.json");
    let (code, stdout, err) = export(data.path(), "Demo", "json", &json, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("SHA-256 digest:"), "{stdout}");
    let (code, stdout, _) = run(&["report", "verify", s(&json)]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("OK:"), "{stdout}");

    // One byte of content changed: `"done": 8` → `"done": 9`, say. Any value will do.
    let mut bytes = std::fs::read(&json).expect("read");
    let text = String::from_utf8(bytes.clone()).expect("utf-8");
    let at =
        text.find("\"product_name\": \"").expect("product name") + "\"product_name\": \"".len();
    bytes[at] ^= 0x20;
    let tampered = out.path().join("tampered.json");
    std::fs::write(&tampered, &bytes).expect("write");
    let (code, _, err) = run(&["report", "verify", s(&tampered)]);
    assert_eq!(code, 1);
    assert!(err.contains("CHANGED") && err.contains("digest"), "{err}");
    let (code, stdout, _) = run(&["report", "verify", s(&tampered), "--format", "json"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(v["code"], "digest_mismatch");

    // Not JSON at all, and a file that is not there.
    let junk = out.path().join("junk.json");
    std::fs::write(&junk, b"<html>").expect("write");
    assert_eq!(run(&["report", "verify", s(&junk)]).0, 1);
    assert_eq!(run(&["report", "verify", "/nonexistent/r.json"]).0, 2);
}

#[test]
fn every_format_in_both_languages_and_one_environment() {
    let data = tempfile::tempdir().expect("dir");
    let out = tempfile::tempdir().expect("dir");
    for lang in ["en", "ja"] {
        for format in ["html", "pdf", "md", "json", "csv"] {
            let p = out.path().join(format!("r-{lang}.{format}"));
            let (code, _, err) = export(data.path(), "Demo", format, &p, &["--lang", lang]);
            assert_eq!(code, 0, "{format} {lang}: {err}");
            assert!(std::fs::metadata(&p).expect("written").len() > 1000);
        }
    }
    let html = std::fs::read_to_string(out.path().join("r-ja.html")).expect("html");
    assert!(html.contains("lang=\"ja\"") && html.contains("全体の準備状況"));
    let pdf = Command::new("pdftotext")
        .arg(out.path().join("r-ja.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext");
    assert!(String::from_utf8_lossy(&pdf.stdout).contains("Acme Insights (demo)"));

    let p = out.path().join("prod.md");
    let (code, _, err) = export(data.path(), "demo", "md", &p, &["--env", "production"]);
    assert_eq!(code, 0, "{err}");
    let md = std::fs::read_to_string(&p).expect("md");
    assert!(
        md.contains("Production") && !md.contains("Step 3 —"),
        "only production steps"
    );

    let z = out.path().join("with-evidence.zip");
    let (code, stdout, err) = export(data.path(), "Demo", "html", &z, &["--with-evidence"]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("0 evidence files"), "{stdout}");
    assert_eq!(&std::fs::read(&z).expect("zip")[..2], b"PK");
}

#[test]
fn bad_export_requests_exit_2_and_write_nothing() {
    let data = tempfile::tempdir().expect("dir");
    let out = tempfile::tempdir().expect("dir");
    let p = out.path().join("r.html");
    let (code, _, err) = export(data.path(), "Nope", "html", &p, &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no workspace named \"Nope\"") && err.contains("Demo"),
        "{err}"
    );
    assert!(!p.exists());
    let (code, _, err) = export(
        data.path(),
        "Demo",
        "html",
        Path::new("/nonexistent/dir/r.html"),
        &[],
    );
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/dir"), "{err}");
    let (code, _, _) = run(&[
        "report",
        "export",
        "--workspace",
        "Demo",
        "--format",
        "docx",
        "--out",
        s(&p),
    ]);
    assert_eq!(code, 2);
}

#[test]
fn check_with_a_workspace_works_on_a_fresh_data_folder() {
    let data = tempfile::tempdir().expect("dir");
    // Nothing listens on the Demo's sandbox port in this test: the registration probes fail,
    // which proves the workspace was found and its settings read (a usage error would exit 2).
    let (code, out, err) = run(&[
        "check",
        "--workspace",
        "Demo",
        "--env",
        "staging",
        "--only",
        "registration.https",
        "--data-dir",
        s(data.path()),
        "--timeout",
        "5",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("Demo/staging"), "{out}");
    let (code, _, err) = run(&[
        "check",
        "--workspace",
        "Other",
        "--env",
        "staging",
        "--data-dir",
        s(data.path()),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("Other"), "{err}");
}

/// junitparser (PyPI, installed into .tools/venv by scripts/install-deps.sh) reads the check
/// command's JUnit, and what it reads agrees with the JSON output of the same checks.
#[test]
fn junit_output_loads_in_junitparser() {
    let server = serve();
    let dir = tempfile::tempdir().expect("dir");
    let env = env_file(
        dir.path(),
        "staging & <co>",
        &server.1,
        &format!("{}/_demo-saas/staging/marketplace/register", server.1),
    );
    let args = |f: &'static str| {
        vec![
            "check".to_string(),
            "--env-file".into(),
            s(&env).into(),
            "--only".into(),
            "catalog".into(),
            "--only".into(),
            "registration".into(),
            "--format".into(),
            f.into(),
        ]
    };
    let (_, json, err) = run(&args("json"));
    let v: Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}{err}"));
    let (_, xml, _) = run(&args("junit"));
    let junit = dir.path().join("checks.xml");
    std::fs::write(&junit, &xml).expect("write");

    let python = la_testkit::manifest_dir().join("../../.tools/venv/bin/python");
    let script = r#"
import json, sys
from junitparser import JUnitXml, Failure, Error, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
out = {}
for suite in xml:
    for case in suite:
        kinds = [type(r).__name__ for r in case.result]
        out[case.name] = {"Failure": "fail", "Error": "error", "Skipped": "skipped"}.get(kinds[0], "?") if kinds else "pass"
    print(json.dumps({"suite": suite.name, "tests": suite.tests, "failures": suite.failures, "errors": suite.errors, "cases": out}))
"#;
    let parsed = Command::new(&python)
        .args(["-c", script])
        .arg(&junit)
        .output()
        .expect("python from .tools/venv");
    assert!(
        parsed.status.success(),
        "junitparser could not read the JUnit: {}",
        String::from_utf8_lossy(&parsed.stderr)
    );
    let j: Value = serde_json::from_slice(&parsed.stdout).expect("json from python");
    let checks = v["checks"].as_array().expect("checks");
    assert!(checks.len() >= 15, "{v}");
    assert_eq!(j["suite"], "staging & <co>");
    assert_eq!(j["tests"].as_u64(), Some(checks.len() as u64));
    assert_eq!(j["failures"], v["totals"]["fail"]);
    assert_eq!(j["errors"], v["totals"]["error"]);
    for c in checks {
        let id = c["id"].as_str().expect("id");
        let status = c["status"].as_str().expect("status");
        let expected = if status == "warn" { "pass" } else { status };
        assert_eq!(j["cases"][id], expected, "{id}");
    }
    // Both outcomes are there, so the comparison means something.
    assert!(checks.iter().any(|c| c["status"] == "pass"));
    assert!(checks.iter().any(|c| c["status"] == "fail"), "{v}");
}

/// `report verify` names the signing key, `--trust` pins it: the report's own signer passes, any
/// other key is "not verified" (exit 1), a malformed fingerprint is a usage error (exit 2), and
/// a report from before signatures (digest only) fails as unsigned.
#[test]
fn verify_names_the_signer_and_trust_pins_it() {
    let data = tempfile::tempdir().expect("dir");
    let out = tempfile::tempdir().expect("dir");
    let json = out.path().join("demo.json");
    let (code, _, err) = export(data.path(), "Demo", "json", &json, &[]);
    assert_eq!(code, 0, "{err}");
    let (code, stdout, _) = run(&["report", "verify", s(&json), "--format", "json"]);
    assert_eq!(code, 0, "{stdout}");
    let v: Value = serde_json::from_str(&stdout).expect("json");
    let signer = v["signer"].as_str().expect("signer").to_string();
    assert!(!signer.is_empty());
    let (code, stdout, _) = run(&["report", "verify", s(&json)]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains(&format!("signed by key {signer}")),
        "{stdout}"
    );

    // Typed with colons and in upper case, the same key is trusted.
    let typed = signer.replace(' ', ":").to_uppercase();
    assert_eq!(run(&["report", "verify", s(&json), "--trust", &typed]).0, 0);
    let other = "00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000";
    let (code, _, err) = run(&["report", "verify", s(&json), "--trust", other]);
    assert_eq!(code, 1, "{err}");
    assert!(err.starts_with("NOT VERIFIED"), "{err}");
    let (code, _, err) = run(&["report", "verify", s(&json), "--trust", "not-a-fingerprint"]);
    assert_eq!(code, 2, "{err}");

    // A report from a version that only had a digest.
    let old = la_testkit::manifest_dir().join("../report/tests/fixtures/digest-only-report.json");
    let (code, _, err) = run(&["report", "verify", s(&old)]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("unsigned"), "{err}");
}

/// The sign-off commands on one installation (one key, the kernel keyring shared by the
/// processes of this test): the fingerprint is printed, a sign-off of our own report is
/// written, and importing it is refused — a seller cannot sign off their own report.
#[test]
fn signoff_commands_write_a_signoff_and_refuse_a_self_made_one() {
    let data = tempfile::tempdir().expect("dir");
    let out = tempfile::tempdir().expect("dir");
    let d = s(data.path()).to_string();
    let kernel = |args: &[&str]| {
        let o = std::process::Command::new(common::BIN)
            .args(args)
            .env_remove("AWS_PROFILE")
            .env("LISTING_ASSISTANT_KEYRING", "kernel")
            .output()
            .expect("run");
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let json = out.path().join("demo.json");
    let (code, _, err) = kernel(&[
        "report",
        "export",
        "--workspace",
        "Demo",
        "--format",
        "json",
        "--out",
        s(&json),
        "--data-dir",
        &d,
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, fp, err) = kernel(&["report", "fingerprint", "--data-dir", &d]);
    assert_eq!(code, 0, "{err}");
    let fp = fp.trim().to_string();
    assert_eq!(fp.split(' ').count(), 8, "{fp}");
    let signoff = out.path().join("signoff.json");
    let (code, stdout, err) = kernel(&[
        "report",
        "signoff",
        "export",
        "--report",
        s(&json),
        "--verdict",
        "approve",
        "--notes",
        "Looks complete.",
        "--trust",
        &fp,
        "--out",
        s(&signoff),
        "--data-dir",
        &d,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains(&fp), "{stdout}");
    assert!(signoff.exists());
    let (code, _, err) = kernel(&[
        "report",
        "signoff",
        "import",
        s(&signoff),
        "--workspace",
        "Demo",
        "--data-dir",
        &d,
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("own key"), "{err}");
    let (code, _, err) = kernel(&[
        "report",
        "signoff",
        "export",
        "--report",
        s(&json),
        "--verdict",
        "maybe",
        "--out",
        s(&signoff),
        "--data-dir",
        &d,
    ]);
    assert_eq!(code, 2, "{err}");
}

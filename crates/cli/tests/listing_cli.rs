//! `listing-assistant listing …` as CI runs it, against `sandbox serve`: pull the demo product
//! into a listing file (a plan of it changes nothing), break the allow-list in the file and apply
//! it (the catalog check fails), put the buyer back and apply again (it passes), lint the file,
//! create a product and its offer from nothing in one change set, and read the change sets.

mod common;

use common::{env_file, run, serve};
use serde_json::Value;
use std::path::Path;

const BUYER: &str = "444455556666";

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

fn apply(env: &Path) -> (i32, Value, String) {
    let (code, out, err) = run(&[
        "listing",
        "apply",
        "--env-file",
        s(env),
        "--yes",
        "--poll",
        "1",
        "--format",
        "json",
    ]);
    (code, json(&out), err)
}

fn allow_list_check(env: &Path) -> String {
    let (_, out, err) = run(&[
        "check",
        "--env-file",
        s(env),
        "--only",
        "catalog.allow_list",
        "--format",
        "json",
    ]);
    let v = json(&out);
    v["checks"][0]["status"]
        .as_str()
        .unwrap_or_else(|| panic!("{out} {err}"))
        .to_string()
}

#[test]
fn pull_plan_break_fix_lint_and_create_from_nothing() {
    let server = serve();
    let dir = tempfile::tempdir().expect("dir");
    let env = env_file(
        dir.path(),
        "staging",
        &server.1,
        "http://127.0.0.1:9/register",
    );
    let listing = dir.path().join("staging.listing.toml");

    // pull: the demo product into the file beside the environment file.
    let (code, out, err) = run(&["listing", "pull", "--env-file", s(&env), "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["values"]["product_code"], "demostg7ky5a0d3rqx2ub6y8m");
    assert!(
        v["values"]["subscription_topic_arn"].as_str().is_some_and(
            |t| t.ends_with("aws-mp-subscription-notification-demostg7ky5a0d3rqx2ub6y8m")
        )
    );
    assert!(listing.exists());

    // plan of what was just pulled: nothing to change.
    let (code, out, err) = run(&["listing", "plan", "--env-file", s(&env), "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["changes"].as_array().map(Vec::len), Some(0), "{out}");

    // Nothing is sent without --yes.
    let (code, _, err) = run(&["listing", "apply", "--env-file", s(&env)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--yes"), "{err}");

    // Break the allow-list in the file: the plan is one UpdateTargeting, AWS validates it, and
    // once applied the catalog check fails.
    assert_eq!(allow_list_check(&env), "pass");
    let mut l = la_listing::file::read(&listing).expect("read");
    assert!(l.allow_listed_buyers.contains(&BUYER.to_string()));
    l.allow_listed_buyers.retain(|b| b != BUYER);
    la_listing::file::write(&listing, &l).expect("write");
    let (code, out, err) = run(&["listing", "plan", "--env-file", s(&env), "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    let types: Vec<&str> = v["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["change_type"].as_str())
        .collect();
    assert_eq!(types, vec!["UpdateTargeting"], "{out}");
    assert_eq!(v["validation"]["status"], "SUCCEEDED", "{out}");
    let (code, v, err) = apply(&env);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["status"], "SUCCEEDED", "{v}");
    assert_eq!(allow_list_check(&env), "fail");

    // Fix: the buyer back in the file, applied; the check passes again.
    l.allow_listed_buyers.push(BUYER.into());
    la_listing::file::write(&listing, &l).expect("write");
    let (code, v, err) = apply(&env);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["status"], "SUCCEEDED", "{v}");
    assert_eq!(allow_list_check(&env), "pass");

    // A change AWS refuses: a title over the shape's limit fails before anything is applied.
    let mut bad = l.clone();
    bad.product.title = "x".repeat(300);
    la_listing::file::write(&listing, &bad).expect("write");
    let (code, out, _) = run(&["listing", "plan", "--env-file", s(&env), "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let v = json(&out);
    assert_ne!(v["validation"]["status"], "SUCCEEDED", "{out}");
    assert!(
        v["validation"]["errors"].as_array().is_some_and(|e| e
            .iter()
            .any(|e| e["fields"].to_string().contains("product.title"))),
        "{out}"
    );

    // lint: findings with rule, severity, field, message and source; another cloud named fails.
    let mut lintee = l.clone();
    lintee.product.long_description = "Runs on Azure and Google Cloud as well.".into();
    la_listing::file::write(&listing, &lintee).expect("write");
    let (code, out, _) = run(&[
        "listing",
        "lint",
        "--listing",
        s(&listing),
        "--format",
        "json",
    ]);
    let v = json(&out);
    let findings = v["findings"].as_array().expect("findings");
    for f in findings {
        for k in ["rule", "severity", "field", "message", "source"] {
            assert!(!f[k].is_null(), "{k} in {f}");
        }
    }
    assert!(
        findings.iter().any(|f| f["field"]
            .as_str()
            .is_some_and(|x| x.contains("long_description"))),
        "{out}"
    );
    assert!(code == 0 || code == 1);

    // Create from nothing: an environment with no product yet; one change set makes the
    // Limited product and its offer, and says their ids.
    let mut fresh = l.clone();
    fresh.product.title = "Acme Listing From Nothing".into();
    let empty_env = dir.path().join("new.toml");
    let text = std::fs::read_to_string(&env)
        .expect("read env")
        .lines()
        .filter(|line| !line.starts_with("product_id") && !line.starts_with("product_code"))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&empty_env, text).expect("write env");
    la_listing::file::write(&dir.path().join("new.listing.toml"), &fresh).expect("write");
    let (code, v, err) = apply(&empty_env);
    assert_eq!(code, 0, "{err} {v}");
    assert_eq!(v["status"], "SUCCEEDED", "{v}");
    let created = &v["created"];
    assert!(
        created["product_id"]
            .as_str()
            .is_some_and(|p| p.starts_with("prod-")),
        "{v}"
    );
    assert!(
        created["offer_id"]
            .as_str()
            .is_some_and(|o| o.starts_with("offer-")),
        "{v}"
    );

    // status: the demo product's change sets, newest first.
    let (code, out, err) = run(&[
        "listing",
        "status",
        "--env-file",
        s(&env),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    let sets = v["change_sets"].as_array().expect("change sets");
    assert!(sets.len() >= 2, "{out}");
    assert!(sets.iter().all(|c| c["status"] == "SUCCEEDED"), "{out}");
}

/// The README's example listing file is one this build reads.
#[test]
fn the_readme_listing_example_parses() {
    let readme = std::fs::read_to_string(la_testkit::manifest_dir().join("../../README.md"))
        .expect("README");
    let start = readme
        .find("A listing file:\n\n```toml\n")
        .expect("example")
        + 25;
    let end = start + readme[start..].find("\n```").expect("end");
    let l = la_listing::file::parse(&readme[start..end]).expect("the example parses");
    assert_eq!(l.product.title, "Acme Insights");
    assert_eq!(l.dimensions.len(), 1);
}

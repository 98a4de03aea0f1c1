//! Regressions of what the CLI used to work out on its own and now resolves as the app does
//! (`la_app`): the data folder (by hand, XDG only and always the release name, so on macOS, on
//! Windows and against a debug app `report export` without `--data-dir` missed the app's
//! database) and an environment's credentials (keyring errors dropped).

mod common;

use common::BIN;
use la_app::paths::{resolve_data_dir, Identity, Os};
use std::ffi::OsString;
use std::process::Command;

#[cfg(target_os = "linux")]
#[test]
fn without_data_dir_the_cli_opens_the_apps_folder() {
    let home = tempfile::tempdir().expect("home");
    let data_home = home.path().join("data");
    let out = home.path().join("report.json");
    let status = Command::new(BIN)
        .args([
            "report",
            "export",
            "--workspace",
            "Demo",
            "--format",
            "json",
        ])
        .arg("--out")
        .arg(&out)
        .env_remove("LISTING_ASSISTANT_DATA_DIR")
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", &data_home)
        .env("LISTING_ASSISTANT_KEYRING", "mock")
        .status()
        .expect("run the CLI");
    assert!(status.success());
    let env = |k: &str| -> Option<OsString> {
        match k {
            "HOME" => Some(home.path().into()),
            "XDG_DATA_HOME" => Some(data_home.clone().into()),
            _ => None,
        }
    };
    // The binary under test and this test are built with one profile, as the app and the CLI
    // are: both see the same identity (with `.dev` in a debug build).
    let expected = resolve_data_dir(Os::Linux, &Identity::current(), &env, None);
    assert!(
        expected.join("listing-assistant.sqlite3").is_file(),
        "no database in {}",
        expected.display()
    );
    assert_eq!(expected.parent(), Some(data_home.as_path()));
    assert_eq!(
        expected.file_name().and_then(|n| n.to_str()),
        Some(Identity::current().keyring_service().as_str())
    );
}

/// Regression: `check --workspace` read the keyring for every environment and dropped its
/// errors, so a machine without a keychain ran an access-keys environment as if it had no keys
/// ("none are stored"). Now the keyring is read only for stored keys, and its failure is named.
#[test]
fn a_missing_keychain_is_named_and_only_matters_for_stored_keys() {
    let data = tempfile::tempdir().expect("dir");
    {
        // Production signs with stored access keys; staging keeps the Demo's default chain.
        let core = la_testkit::core::open(data.path());
        let ws = la_testkit::core::demo_id(&core);
        let (mut s, _) = core
            .store()
            .environment(&ws, la_core::model::EnvKind::Production)
            .expect("settings");
        s.credential_source = la_core::model::CredentialSource::AccessKeys;
        core.save_environment(&ws, la_core::model::EnvKind::Production, &s)
            .expect("save");
    }
    let check = |env: &str| {
        Command::new(BIN)
            .args(["check", "--workspace", "Demo", "--env", env])
            .args(["--only", "identity.caller", "--timeout", "5", "--data-dir"])
            .arg(data.path())
            .env("LISTING_ASSISTANT_KEYRING", "none")
            .env_remove("AWS_PROFILE")
            .output()
            .expect("run the CLI")
    };
    let out = check("production");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("no keychain"), "{err}");
    // Nothing listens on the Demo's sandbox port: the check runs and cannot reach it (1), which
    // it could not have done had the keyring been asked.
    let out = check("staging");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

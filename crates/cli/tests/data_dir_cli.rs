//! Regression: the CLI worked out its data folder by hand (XDG only, always the release name),
//! so on macOS, on Windows and against a debug app `report export` without `--data-dir` missed
//! the app's database. Both now ask `la_app::paths`; this runs the binary with only a home
//! folder to go on and finds the database exactly where the app's rule puts it.

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

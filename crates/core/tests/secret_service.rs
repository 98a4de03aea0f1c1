//! The Secret Service path of the keyring, for real: `scripts/secret-service-test.sh` starts
//! gnome-keyring under a private D-Bus session and runs these tests one at a time, each in its
//! own process, so "stored" means a daemon kept it, not this process's memory. They are ignored
//! in a plain `cargo test` (no daemon there); the script runs them with `--ignored --exact`.
//!
//! - `ss_1_store`, then `ss_2_read_back_and_delete` in another process: keys with a session
//!   token survive the process that wrote them, and deleting them leaves nothing.
//! - `ss_locked`: keys stored, then the collection locked (no display for an unlock prompt):
//!   reading and writing are "the keychain is locked".
//! - `ss_no_keychain`: no D-Bus session at all is "no keychain is available".
//!
//! Neither failure may read as "no keys stored" (`Ok(None)`).

use la_core::error::{AppError, CoreError, ErrorCode};
use la_core::model::EnvKind;
use la_core::secrets::{validate_access_keys, Backend, KeychainProblemKind, Secrets};

const SERVICE: &str = "io.listingassistant.secret-service-test";
const WS: &str = "ws-secret-service";
const KEY_ID: &str = "ASIASECRETSERVICE042";
const SECRET: &str = "secret/Service+Test/0042wJalrXUtnFEMIK7MDENG";
const TOKEN: &str = "IQoJb3JpZ2luX2VjESecretServiceTestToken0042AbCdEfGhIjKlMnOpQrStUv==";

fn secrets() -> Secrets {
    Secrets::new(SERVICE, Backend::SecretService)
}

#[test]
#[ignore = "needs a Secret Service daemon: scripts/secret-service-test.sh"]
fn ss_1_store() {
    let s = secrets();
    // Whatever an earlier, interrupted run left is gone first.
    s.delete_access_keys(WS, EnvKind::Staging).expect("clean");
    let keys = validate_access_keys(KEY_ID, SECRET, Some(TOKEN)).expect("valid");
    s.set_access_keys(WS, EnvKind::Staging, &keys)
        .expect("store");
    assert!(s.has_access_keys(WS, EnvKind::Staging));
}

#[test]
#[ignore = "needs a Secret Service daemon: scripts/secret-service-test.sh"]
fn ss_2_read_back_and_delete() {
    let s = secrets();
    let back = s
        .access_keys(WS, EnvKind::Staging)
        .expect("read")
        .expect("kept by the daemon across processes");
    assert_eq!(back.access_key_id.expose(), KEY_ID);
    assert_eq!(back.secret_access_key.expose(), SECRET);
    assert_eq!(
        back.session_token.as_ref().map(|t| t.expose().as_str()),
        Some(TOKEN)
    );
    // Another environment of the same workspace has its own entry.
    assert!(s
        .access_keys(WS, EnvKind::Production)
        .expect("read")
        .is_none());
    s.delete_access_keys(WS, EnvKind::Staging).expect("delete");
    assert!(s.access_keys(WS, EnvKind::Staging).expect("read").is_none());
}

fn assert_keychain_error(e: CoreError, starts: &str) {
    let shown = e.to_string();
    assert!(shown.starts_with(starts), "{shown}");
    let app: AppError = e.into();
    assert_eq!(app.code, ErrorCode::KeychainUnavailable, "{shown}");
}

#[test]
#[ignore = "needs a locked Secret Service collection: scripts/secret-service-test.sh"]
fn ss_locked() {
    let s = secrets();
    let e = s
        .access_keys(WS, EnvKind::Staging)
        .expect_err("a locked keychain is not \"no keys stored\"");
    assert_keychain_error(e, "The keychain is locked");
    // What the environment form shows: "locked", never "no keys stored".
    let p = s
        .access_keys_presence(WS, EnvKind::Staging)
        .expect_err("locked is not absent");
    assert_eq!(p.kind, KeychainProblemKind::Locked);
    assert!(!s.has_access_keys(WS, EnvKind::Staging));
    // An environment with no entry at all: item attributes stay searchable while the
    // collection is locked, so "none stored" is the truth there, not a guess.
    assert_eq!(s.access_keys_presence(WS, EnvKind::Production), Ok(false));
    let keys = validate_access_keys(KEY_ID, SECRET, Some(TOKEN)).expect("valid");
    let e = s
        .set_access_keys(WS, EnvKind::Staging, &keys)
        .expect_err("nothing is written to a locked keychain");
    assert_keychain_error(e, "The keychain is locked");
}

#[test]
#[ignore = "needs no D-Bus session: scripts/secret-service-test.sh"]
fn ss_no_keychain() {
    let s = secrets();
    let e = s
        .access_keys(WS, EnvKind::Staging)
        .expect_err("no keychain is not \"no keys stored\"");
    assert_keychain_error(e, "No keychain is available");
    assert_eq!(
        s.access_keys_presence(WS, EnvKind::Staging)
            .expect_err("no keychain is not absent")
            .kind,
        KeychainProblemKind::Unavailable
    );
    // The OS store on Linux (the kernel keyring in front of the Secret Service) says the same
    // for an entry it does not have cached.
    let os = Secrets::new(SERVICE, Backend::Os);
    let e = os
        .access_keys("ws-never-stored", EnvKind::Production)
        .expect_err("the OS store without a Secret Service");
    assert_keychain_error(e, "No keychain is available");
}

//! Secrets (access keys a user types in) live in the OS keyring, never in the database or logs.
//!
//! Entries are namespaced by service name (which differs between dev, test and release builds)
//! and by workspace and environment. `Sensitive<T>` prints as `<redacted>` so a secret that ends
//! up in a `tracing` field or an error message cannot leak its value.

use crate::error::{CoreError, Result};
use crate::model::EnvKind;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A value that never shows itself in `Debug` or `Display`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(v: T) -> Self {
        Self(v)
    }
    /// The secret itself; call only where it is handed to the keyring or an AWS client.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The access keys of one environment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessKeys {
    pub access_key_id: Sensitive<String>,
    pub secret_access_key: Sensitive<String>,
    #[serde(default)]
    pub session_token: Option<Sensitive<String>>,
}

/// Which keyring backend to use. Users get the OS store; headless tests can pick the kernel
/// keyring (inside `keyctl session -`) or the in-memory mock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Os,
    /// Linux kernel keyring only: forgets at logout. For headless tests.
    Kernel,
    /// In-memory mock: for unit tests.
    Mock,
    /// A machine with no keychain at all: every access fails with KeychainUnavailable. For
    /// tests that prove an environment without stored keys never touches the keyring.
    Unavailable,
}

impl Backend {
    /// From `LISTING_ASSISTANT_KEYRING` (`os`, `kernel`, `mock`, `none`); the OS store by
    /// default.
    pub fn from_env() -> Self {
        match std::env::var("LISTING_ASSISTANT_KEYRING").as_deref() {
            Ok("kernel") => Backend::Kernel,
            Ok("mock") => Backend::Mock,
            Ok("none") => Backend::Unavailable,
            _ => Backend::Os,
        }
    }
}

pub struct Secrets {
    service: String,
    available: bool,
    // Entries are kept so one environment always talks to one credential object: the mock store
    // forgets between objects, and the OS stores are cheaper to reuse.
    entries: std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<keyring::Entry>>>,
}

impl Secrets {
    /// `service` namespaces every entry (e.g. `io.listingassistant.app.dev`).
    pub fn new(service: impl Into<String>, backend: Backend) -> Self {
        match backend {
            Backend::Os | Backend::Unavailable => {}
            Backend::Mock => {
                keyring::set_default_credential_builder(keyring::mock::default_credential_builder())
            }
            Backend::Kernel => {
                #[cfg(target_os = "linux")]
                keyring::set_default_credential_builder(
                    keyring::keyutils::default_credential_builder(),
                );
            }
        }
        Self {
            service: service.into(),
            available: backend != Backend::Unavailable,
            entries: Default::default(),
        }
    }

    fn entry(&self, workspace_id: &str, env: EnvKind) -> Result<std::sync::Arc<keyring::Entry>> {
        self.named_entry(format!("{workspace_id}/{}/access-keys", env.as_str()))
    }

    pub(crate) fn named_entry(&self, user: String) -> Result<std::sync::Arc<keyring::Entry>> {
        if !self.available {
            return Err(CoreError::Keychain(
                "this machine has no keychain (LISTING_ASSISTANT_KEYRING=none)".into(),
            ));
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = entries.get(&user) {
            return Ok(e.clone());
        }
        let e =
            std::sync::Arc::new(keyring::Entry::new(&self.service, &user).map_err(keychain_error)?);
        entries.insert(user, e.clone());
        Ok(e)
    }

    pub fn set_access_keys(
        &self,
        workspace_id: &str,
        env: EnvKind,
        keys: &AccessKeys,
    ) -> Result<()> {
        let json = serde_json::to_string(keys)?;
        self.entry(workspace_id, env)?
            .set_password(&json)
            .map_err(keychain_error)
    }

    pub fn access_keys(&self, workspace_id: &str, env: EnvKind) -> Result<Option<AccessKeys>> {
        match self.entry(workspace_id, env)?.get_password() {
            Ok(json) => Ok(Some(serde_json::from_str(&json)?)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    pub fn has_access_keys(&self, workspace_id: &str, env: EnvKind) -> bool {
        // Presence only; an unavailable keychain reads as "none stored".
        matches!(self.access_keys(workspace_id, env), Ok(Some(_)))
    }

    pub fn delete_access_keys(&self, workspace_id: &str, env: EnvKind) -> Result<()> {
        match self.entry(workspace_id, env)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e)),
        }
    }
}

/// The keyring entry (under the service) that holds this installation's report-signing seed.
/// Not under a workspace: one key signs every report the installation exports.
pub(crate) const SIGNING_KEY_ENTRY: &str = "installation/report-signing-key";

impl Secrets {
    /// This installation's Ed25519 seed, made and stored on first use. The keyring is the only
    /// place it is kept: the database and the data folder never see it.
    pub fn signing_seed(&self) -> Result<Sensitive<[u8; 32]>> {
        let entry = self.named_entry(SIGNING_KEY_ENTRY.into())?;
        match entry.get_password() {
            Ok(stored) => return parse_seed(&stored),
            Err(keyring::Error::NoEntry) => {}
            Err(e) => return Err(keychain_error(e)),
        }
        let seed = crate::signing::SigningKey::generate_seed()?;
        entry
            .set_password(&hex::encode(seed.expose()))
            .map_err(keychain_error)?;
        // Two processes making the first key at once both write; read back so this process
        // signs with the key that stayed, not the one that was overwritten.
        match entry.get_password() {
            Ok(stored) => parse_seed(&stored),
            Err(e) => Err(keychain_error(e)),
        }
    }
}

fn parse_seed(stored: &str) -> Result<Sensitive<[u8; 32]>> {
    hex::decode(stored.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .map(Sensitive::new)
        .ok_or_else(|| {
            CoreError::Conflict(format!(
                "The keychain entry \"{SIGNING_KEY_ENTRY}\" does not hold a signing key (32 bytes in hex). Remove it to make a new key; reports signed before keep the old fingerprint."
            ))
        })
}

fn keychain_error(e: keyring::Error) -> CoreError {
    // keyring's messages carry no secret values, only what went wrong with the store.
    CoreError::Keychain(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_never_prints() {
        let s = Sensitive::new("AKIAIOSFODNN7EXAMPLE".to_string());
        assert_eq!(format!("{s:?} {s}"), "<redacted> <redacted>");
        let keys = AccessKeys {
            access_key_id: Sensitive::new("AKIAIOSFODNN7EXAMPLE".into()),
            secret_access_key: Sensitive::new("wJalrXUtnFEMI/K7MDENG".into()),
            session_token: None,
        };
        assert!(!format!("{keys:?}").contains("AKIA"));
    }

    #[test]
    fn the_signing_seed_is_made_once_and_kept() {
        let s = Secrets::new("io.listingassistant.signing-test", Backend::Mock);
        let first = s.signing_seed().expect("a seed");
        assert_eq!(s.signing_seed().expect("again").expose(), first.expose());
        assert_ne!(first.expose(), &[0u8; 32]);
        // Another service (another build or installation) has its own key.
        let other = Secrets::new("io.listingassistant.signing-test-2", Backend::Mock);
        assert_ne!(
            other.signing_seed().expect("other").expose(),
            first.expose()
        );
    }

    #[test]
    fn a_damaged_signing_entry_is_a_keychain_error_not_a_new_key() {
        let s = Secrets::new("io.listingassistant.signing-test-3", Backend::Mock);
        s.named_entry(SIGNING_KEY_ENTRY.into())
            .expect("entry")
            .set_password("not hex")
            .expect("set");
        let e = s.signing_seed().expect_err("a damaged entry");
        assert!(matches!(e, CoreError::Conflict(_)), "{e}");
        assert!(e.to_string().contains("does not hold a signing key"), "{e}");
    }
}

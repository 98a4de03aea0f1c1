//! The installation's report-signing key as the front ends see it: made on first use, kept in
//! the keyring, read once per process.

use super::Core;
use crate::error::{CoreError, Result};
use crate::signing::SigningKey;

impl Core {
    /// This installation's signing key. The first call reads the seed from the keyring (making
    /// and storing one the very first time); later calls reuse it, so one process always signs
    /// with one key. No keychain is the specific `KeychainUnavailable` error.
    pub fn signing_key(&self) -> Result<&SigningKey> {
        if let Some(k) = self.signing.get() {
            return Ok(k);
        }
        let seed = self.secrets.signing_seed().map_err(|e| match e {
            CoreError::Keychain(why) => CoreError::Keychain(format!(
                "{why}. Reports and sign-offs are signed with this installation's key, which lives in the keychain (on a headless Linux machine, run inside `keyctl session -` with LISTING_ASSISTANT_KEYRING=kernel)"
            )),
            other => other,
        })?;
        let key = SigningKey::from_seed(&seed);
        Ok(self.signing.get_or_init(|| key))
    }

    /// The fingerprint of this installation's public key (eight groups of hex), as the app shows
    /// it and the report's cover prints it.
    pub fn signing_fingerprint(&self) -> Result<String> {
        Ok(self.signing_key()?.fingerprint())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::error::{AppError, ErrorCode};
    use crate::secrets::{Backend, Secrets, SIGNING_KEY_ENTRY};
    use crate::service::{Core, NoEvents};

    fn core(dir: &std::path::Path, service: &str) -> Core {
        Core::open(
            dir,
            Secrets::new(service, Backend::Mock),
            std::sync::Arc::new(NoEvents),
        )
        .unwrap()
    }

    #[test]
    fn the_key_is_one_per_installation_and_never_in_the_data_folder() {
        let t = tempfile::tempdir().unwrap();
        let c = core(t.path(), "io.listingassistant.signing-core");
        let fp = c.signing_fingerprint().unwrap();
        assert_eq!(fp, c.signing_key().unwrap().fingerprint());
        // The seed is in the keyring, not the data folder or the database.
        let seed = hex::encode(c.secrets.signing_seed().unwrap().expose());
        for entry in walk(t.path()) {
            let bytes = std::fs::read(&entry).unwrap_or_default();
            assert!(
                !String::from_utf8_lossy(&bytes).contains(&seed),
                "{} holds the seed",
                entry.display()
            );
        }
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }

    #[test]
    fn no_keychain_is_the_specific_keychain_error() {
        let t = tempfile::tempdir().unwrap();
        let c = core(t.path(), "io.listingassistant.signing-nokeychain");
        let entry = c.secrets.named_entry(SIGNING_KEY_ENTRY.into()).unwrap();
        let mock: &keyring::mock::MockCredential = entry.get_credential().downcast_ref().unwrap();
        mock.set_error(keyring::Error::PlatformFailure(
            "No DBus session or Secret Service provider found".into(),
        ));
        let e: AppError = c.signing_fingerprint().unwrap_err().into();
        assert_eq!(e.code, ErrorCode::KeychainUnavailable);
        assert!(
            e.message.starts_with("No keychain is available")
                && e.message.contains("signed with this installation's key"),
            "{}",
            e.message
        );
    }
}

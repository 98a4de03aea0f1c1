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

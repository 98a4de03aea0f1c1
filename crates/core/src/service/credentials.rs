//! Which credentials an environment signs with, worked out in one place for every caller (check
//! runs, "who am I", test purchases, the CLI): the keyring is read only when the environment's
//! credential source is stored access keys, so a Demo, default-chain, profile or assume-role
//! environment works on a machine with no keychain, and a keychain that fails where keys are
//! needed is an error (KeychainUnavailable), never silently "no keys".

use super::Core;
use crate::error::Result;
use crate::model::{CredentialSource, EnvKind, EnvironmentSettings};
use crate::secrets::AccessKeys;

/// An environment's settings with the access keys it signs with, when it uses stored keys.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub settings: EnvironmentSettings,
    /// `Some` only for `CredentialSource::AccessKeys` with keys stored; `None` otherwise
    /// (the SDK then reports "no access keys stored" where they were needed).
    pub keys: Option<AccessKeys>,
}

impl Core {
    pub fn credentials(&self, workspace_id: &str, kind: EnvKind) -> Result<Credentials> {
        let (settings, _) = self.store.environment(workspace_id, kind)?;
        let keys = if settings.credential_source == CredentialSource::AccessKeys {
            self.secrets.access_keys(workspace_id, kind)?
        } else {
            None
        };
        Ok(Credentials { settings, keys })
    }
}

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

/// The longest session token accepted. STS documents no maximum and tokens have grown over the
/// years (a few hundred to about 2,000 characters today); the cap only bounds what a paste can put
/// into the keyring.
pub const MAX_SESSION_TOKEN_LEN: usize = 16 * 1024;

/// Checks keys typed by hand and trims them. Temporary keys (`ASIA…`, from STS or an SSO
/// portal) are refused without their session token: AWS would reject every call signed with them
/// as an invalid token, far from where the mistake was made. A long-term key (`AKIA…`) with a
/// token is accepted: the SDK sends the token and AWS decides.
pub fn validate_access_keys(
    access_key_id: &str,
    secret_access_key: &str,
    session_token: Option<&str>,
) -> Result<AccessKeys> {
    let id = access_key_id.trim();
    let secret = secret_access_key.trim();
    let token = session_token.map(str::trim).filter(|t| !t.is_empty());
    if !(16..=128).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(CoreError::Invalid(
            "An access key ID is 16 to 128 letters and digits (for example AKIA…). / アクセスキー ID は 16〜128 文字の英数字です (例: AKIA…)。".into(),
        ));
    }
    if secret.len() < 16 {
        return Err(CoreError::Invalid(
            "The secret access key is too short. / シークレットアクセスキーが短すぎます。".into(),
        ));
    }
    if id.starts_with("ASIA") && token.is_none() {
        return Err(CoreError::Invalid(
            "This access key ID starts with ASIA: it is a temporary key and works only with the session token issued with it. Paste the session token too (AWS_SESSION_TOKEN), or use a long-term key (AKIA…). / ASIA で始まるアクセスキー ID は一時的な認証情報で、一緒に発行されたセッショントークンがないと使えません。セッショントークン (AWS_SESSION_TOKEN) も貼り付けるか、長期のキー (AKIA…) を使ってください。".into(),
        ));
    }
    if let Some(t) = token {
        // Tokens are base64: whitespace or other characters inside mean a bad paste (two
        // values, a line of a credentials file), which would fail at AWS as an invalid token.
        if t.len() > MAX_SESSION_TOKEN_LEN
            || !t
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        {
            return Err(CoreError::Invalid(format!(
                "The session token is not one token: it is base64 (letters, digits, + / =) of at most {MAX_SESSION_TOKEN_LEN} characters, without spaces or line breaks. / セッショントークンの形式が正しくありません。空白や改行を含まない base64 (英数字と + / =、{MAX_SESSION_TOKEN_LEN} 文字以内) です。"
            )));
        }
    }
    Ok(AccessKeys {
        access_key_id: Sensitive::new(id.to_string()),
        secret_access_key: Sensitive::new(secret.to_string()),
        session_token: token.map(|t| Sensitive::new(t.to_string())),
    })
}

/// Which keyring backend to use. Users get the OS store; headless tests can pick the kernel
/// keyring (inside `keyctl session -`) or the in-memory mock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Os,
    /// Linux kernel keyring only: forgets at logout. For headless tests.
    Kernel,
    /// The Secret Service alone (GNOME Keyring, KWallet), without the kernel-keyring cache the
    /// OS store puts in front of it: what `scripts/secret-service-test.sh` tests for real.
    SecretService,
    /// In-memory mock: for unit tests.
    Mock,
    /// A machine with no keychain at all: every access fails with KeychainUnavailable. For
    /// tests that prove an environment without stored keys never touches the keyring.
    Unavailable,
}

impl Backend {
    /// From `LISTING_ASSISTANT_KEYRING` (`os`, `kernel`, `secret-service`, `mock`, `none`); the
    /// OS store by default.
    pub fn from_env() -> Self {
        match std::env::var("LISTING_ASSISTANT_KEYRING").as_deref() {
            Ok("kernel") => Backend::Kernel,
            Ok("mock") => Backend::Mock,
            Ok("none") => Backend::Unavailable,
            Ok("secret-service") => Backend::SecretService,
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
            Backend::SecretService => {
                #[cfg(target_os = "linux")]
                keyring::set_default_credential_builder(
                    keyring::secret_service::default_credential_builder(),
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
        self.entry_or_problem(user).map_err(CoreError::from)
    }

    fn entry_or_problem(
        &self,
        user: String,
    ) -> std::result::Result<std::sync::Arc<keyring::Entry>, KeychainProblem> {
        if !self.available {
            return Err(KeychainProblem {
                kind: KeychainProblemKind::Unavailable,
                detail: "No keychain is available: this machine has no keychain (LISTING_ASSISTANT_KEYRING=none).".into(),
            });
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = entries.get(&user) {
            return Ok(e.clone());
        }
        let e = std::sync::Arc::new(
            keyring::Entry::new(&self.service, &user).map_err(|e| problem(&e))?,
        );
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

    /// Whether keys are stored, or why that cannot be known. A locked or missing keychain is
    /// never "no keys stored": the UI would invite the user to type keys they already stored.
    /// (A locked Secret Service collection that holds no entry for this environment does read
    /// as `Ok(false)`, truthfully: item attributes are searchable while locked, so the search
    /// proves there is none; storing keys then fails with "locked".)
    pub fn access_keys_presence(
        &self,
        workspace_id: &str,
        env: EnvKind,
    ) -> std::result::Result<bool, KeychainProblem> {
        let entry =
            self.entry_or_problem(format!("{workspace_id}/{}/access-keys", env.as_str()))?;
        match entry.get_password() {
            Ok(_) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(problem(&e)),
        }
    }

    pub fn has_access_keys(&self, workspace_id: &str, env: EnvKind) -> bool {
        matches!(self.access_keys_presence(workspace_id, env), Ok(true))
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

/// What the user reads when the keychain cannot be used. keyring's messages carry no secret
/// values, only what went wrong with the store; they are kept in brackets for support.
fn keychain_error(e: keyring::Error) -> CoreError {
    problem(&e).into()
}

/// Why the keychain could not be used, as the UI shows it: the kind picks the translated
/// headline, the detail (English, with the store's own words in brackets) is for support.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct KeychainProblem {
    pub kind: KeychainProblemKind,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum KeychainProblemKind {
    /// Locked, or an unlock prompt that could not be shown or was dismissed.
    Locked,
    /// No keychain on this machine or session.
    Unavailable,
    /// The store answered but refused this entry.
    Refused,
}

impl From<KeychainProblem> for CoreError {
    fn from(p: KeychainProblem) -> Self {
        CoreError::Keychain(p.detail)
    }
}

fn problem(e: &keyring::Error) -> KeychainProblem {
    let kind = match e {
        keyring::Error::NoStorageAccess(_) => KeychainProblemKind::Locked,
        keyring::Error::PlatformFailure(_) => KeychainProblemKind::Unavailable,
        _ => KeychainProblemKind::Refused,
    };
    let detail = match e {
        // Secret Service: a locked collection, an unlock prompt that could not be shown or was
        // dismissed. macOS and Windows use it for a locked or denied store too.
        keyring::Error::NoStorageAccess(why) => format!(
            "The keychain is locked: unlock it (log in to the desktop session, or unlock the \"login\" keyring in your keyring manager) and try again. No access keys were read or changed. ({why})"
        ),
        // Secret Service: no D-Bus session, or no provider on it.
        keyring::Error::PlatformFailure(why) if cfg!(target_os = "linux") => format!(
            "No keychain is available: no Secret Service (GNOME Keyring, KWallet) answered on this session's D-Bus. Log in to a desktop session, or on a headless machine run inside `keyctl session -` with LISTING_ASSISTANT_KEYRING=kernel. ({why})"
        ),
        keyring::Error::PlatformFailure(why) => {
            format!("No keychain is available: the system keychain failed ({why}).")
        }
        other => format!("The keychain refused the entry: {other}"),
    };
    KeychainProblem { kind, detail }
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

    const ASIA: &str = "ASIAPLANTEDTEMPKEY42";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYTEMPKEY42";
    // The shape STS returns (base64, long); a made-up value.
    const TOKEN: &str = "IQoJb3JpZ2luX2VjEPlanted/Session+Token0042AbCdEfGhIjKlMnOpQrStUvWxYz==";

    #[test]
    fn temporary_keys_round_trip_through_the_keyring_with_their_token() {
        let s = Secrets::new("io.listingassistant.token-test", Backend::Mock);
        let keys = validate_access_keys(ASIA, SECRET, Some(&format!("  {TOKEN}\n")))
            .expect("temporary keys with their token");
        s.set_access_keys("ws", EnvKind::Staging, &keys)
            .expect("store");
        let back = s
            .access_keys("ws", EnvKind::Staging)
            .expect("read")
            .expect("stored");
        assert_eq!(back.access_key_id.expose(), ASIA);
        assert_eq!(back.secret_access_key.expose(), SECRET);
        // Trimmed: a pasted line break would make every signed call fail.
        assert_eq!(
            back.session_token.as_ref().map(|t| t.expose().as_str()),
            Some(TOKEN)
        );
        // Storing long-term keys over them drops the token: it belonged to the old pair.
        let long_term =
            validate_access_keys("AKIAPLANTEDLONGKEY42", SECRET, Some("  ")).expect("AKIA");
        s.set_access_keys("ws", EnvKind::Staging, &long_term)
            .expect("store");
        let back = s
            .access_keys("ws", EnvKind::Staging)
            .expect("read")
            .expect("stored");
        assert!(back.session_token.is_none());
        // The token prints as nothing either.
        assert!(!format!("{keys:?}").contains("Planted"));
    }

    #[test]
    fn a_temporary_key_without_its_token_is_refused_specifically() {
        for token in [None, Some(""), Some("   ")] {
            let e = validate_access_keys(ASIA, SECRET, token).expect_err("ASIA without a token");
            let m = e.to_string();
            assert!(matches!(e, CoreError::Invalid(_)), "{m}");
            assert!(
                m.contains("starts with ASIA") && m.contains("session token"),
                "{m}"
            );
            assert!(
                m.contains("セッショントークン"),
                "the advice is in Japanese too: {m}"
            );
        }
        // A long-term key may carry a token: the SDK sends it and AWS decides.
        let k = validate_access_keys("AKIAPLANTEDLONGKEY42", SECRET, Some(TOKEN))
            .expect("AKIA + token");
        assert!(k.session_token.is_some());
        assert!(validate_access_keys("AKIAPLANTEDLONGKEY42", SECRET, None).is_ok());
    }

    #[test]
    fn a_pasted_token_that_is_not_one_token_is_refused() {
        let two_values = format!("{TOKEN} {TOKEN}");
        let credentials_line = format!("aws_session_token = {TOKEN}");
        let huge = "A".repeat(MAX_SESSION_TOKEN_LEN + 1);
        for bad in [
            two_values.as_str(),
            credentials_line.as_str(),
            huge.as_str(),
        ] {
            let e = validate_access_keys(ASIA, SECRET, Some(bad)).expect_err("not a token");
            let m = e.to_string();
            assert!(m.contains("not one token"), "{m}");
            assert!(!m.contains(TOKEN), "the error never shows the token: {m}");
        }
    }

    #[test]
    fn a_locked_or_missing_keychain_is_said_not_read_as_no_keys() {
        let s = Secrets::new("io.listingassistant.keychain-errors", Backend::Mock);
        assert!(s
            .access_keys("ws", EnvKind::Staging)
            .expect("none")
            .is_none());
        let entry = s.entry("ws", EnvKind::Staging).expect("entry");
        let mock: &keyring::mock::MockCredential =
            entry.get_credential().downcast_ref().expect("mock");
        // What keyring's Secret Service store returns for a locked collection, then for no
        // D-Bus session (dbus-secret-service's own words).
        mock.set_error(keyring::Error::NoStorageAccess(
            "Secret Service: object locked".into(),
        ));
        let e = s.access_keys("ws", EnvKind::Staging).expect_err("locked");
        assert!(e.to_string().starts_with("The keychain is locked"), "{e}");
        let app: crate::error::AppError = e.into();
        assert_eq!(app.code, crate::error::ErrorCode::KeychainUnavailable);
        mock.set_error(keyring::Error::PlatformFailure(
            "No DBus session or Secret Service provider found".into(),
        ));
        let e = s
            .delete_access_keys("ws", EnvKind::Staging)
            .expect_err("none");
        assert!(e.to_string().starts_with("No keychain is available"), "{e}");
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

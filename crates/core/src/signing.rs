//! This installation's Ed25519 signing key (the seed lives in the keyring, see
//! [`crate::secrets::Secrets::signing_seed`]) and the primitives reports and sign-offs use:
//! signing, verifying, fingerprints and canonical JSON.
//!
//! The cryptography is ring's (already in the dependency tree through rustls): Ed25519 as RFC 8032
//! defines it, deterministic, so a fixed seed signs the same bytes the same way (golden files).

use crate::secrets::Sensitive;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The `algorithm` every signature block names.
pub const ALGORITHM: &str = "ed25519";

/// A signing key: the key pair derived from a 32-byte seed. Never printed.
pub struct SigningKey {
    pair: Ed25519KeyPair,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.fingerprint())
    }
}

impl SigningKey {
    /// The key of a seed (32 bytes). Every 32-byte string is a valid Ed25519 seed.
    pub fn from_seed(seed: &Sensitive<[u8; 32]>) -> Self {
        // ring rejects only seeds of the wrong length, which the array type rules out.
        let pair = Ed25519KeyPair::from_seed_unchecked(seed.expose())
            .unwrap_or_else(|_| unreachable!("a 32-byte seed is always accepted"));
        Self { pair }
    }

    /// A fresh seed from the operating system's random source.
    pub fn generate_seed() -> crate::Result<Sensitive<[u8; 32]>> {
        use ring::rand::SecureRandom;
        let mut seed = [0u8; 32];
        ring::rand::SystemRandom::new()
            .fill(&mut seed)
            .map_err(|_| {
                crate::CoreError::Invalid(
                    "The operating system's random source is unavailable; no signing key was made."
                        .into(),
                )
            })?;
        Ok(Sensitive::new(seed))
    }

    /// The raw 32-byte public key.
    pub fn public_key(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(self.pair.public_key().as_ref());
        out
    }

    /// The public key's fingerprint (see [`fingerprint`]).
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.public_key())
    }

    /// The 64-byte signature of `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        let mut out = [0u8; 64];
        out.copy_from_slice(self.pair.sign(message).as_ref());
        out
    }
}

/// Whether `signature` is `public_key`'s signature of `message`. Any length of either is
/// accepted and simply fails.
pub fn verify(public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    public_key.len() == 32
        && signature.len() == 64
        && UnparsedPublicKey::new(&ED25519, public_key)
            .verify(message, signature)
            .is_ok()
}

/// SHA-256 of the raw public key, in eight groups of eight lower-case hex digits: long enough
/// that nobody can make a key with the same fingerprint, grouped so a person can compare it
/// with the one read out on the phone.
pub fn fingerprint(public_key: &[u8]) -> String {
    let hex = hex::encode(Sha256::digest(public_key));
    hex.as_bytes()
        .chunks(8)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A fingerprint as a person may type it (any case, spaces, colons or dashes between groups)
/// in the form [`fingerprint`] prints; `None` unless it has exactly 64 hex digits.
pub fn normalize_fingerprint(input: &str) -> Option<String> {
    let digits: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | ':' | '-' | '\t'))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if digits.len() != 64 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    Some(
        digits
            .as_bytes()
            .chunks(8)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// The canonical bytes of a JSON value: every object's keys sorted by their UTF-8 bytes, no
/// whitespace, strings escaped as serde_json escapes them, numbers as serde_json prints them.
/// Signatures and digests cover these bytes, so re-indenting a file keeps it valid.
pub fn canonical(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push(b'{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(k, out);
                out.push(b':');
                write_canonical(&map[k.as_str()], out);
            }
            out.push(b'}');
        }
        Value::Array(a) => {
            out.push(b'[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(x, out);
            }
            out.push(b']');
        }
        Value::String(s) => write_string(s, out),
        // null, booleans and numbers print the same whatever the map ordering.
        other => out.extend_from_slice(other.to_string().as_bytes()),
    }
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(Value::String(s.to_string()).to_string().as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> SigningKey {
        SigningKey::from_seed(&Sensitive::new([b; 32]))
    }

    #[test]
    fn rfc8032_test_vector_1() {
        // RFC 8032 §7.1, TEST 1: the empty message.
        let seed: [u8; 32] =
            hex::decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
                .expect("hex")
                .try_into()
                .expect("32 bytes");
        let k = SigningKey::from_seed(&Sensitive::new(seed));
        assert_eq!(
            hex::encode(k.public_key()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        let sig = k.sign(b"");
        assert_eq!(
            hex::encode(sig),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        );
        assert!(verify(&k.public_key(), b"", &sig));
    }

    #[test]
    fn a_changed_message_key_or_signature_fails() {
        let (a, b) = (key(1), key(2));
        let sig = a.sign(b"report");
        assert!(verify(&a.public_key(), b"report", &sig));
        assert!(!verify(&a.public_key(), b"repors", &sig));
        assert!(!verify(&b.public_key(), b"report", &sig));
        let mut bad = sig;
        bad[10] ^= 1;
        assert!(!verify(&a.public_key(), b"report", &bad));
        assert!(!verify(&a.public_key()[..31], b"report", &sig));
        assert!(!verify(&a.public_key(), b"report", &sig[..63]));
    }

    #[test]
    fn fingerprints_are_grouped_hex_and_typed_forms_normalize() {
        let f = key(7).fingerprint();
        assert_eq!(f.len(), 64 + 7);
        assert_eq!(f.split(' ').count(), 8);
        assert_ne!(f, key(8).fingerprint());
        let typed = f.replace(' ', ":").to_uppercase();
        assert_eq!(normalize_fingerprint(&typed).as_deref(), Some(f.as_str()));
        assert_eq!(normalize_fingerprint(&f[..40]), None);
        assert_eq!(normalize_fingerprint(&f.replace('a', "g")), None);
    }

    #[test]
    fn canonical_sorts_keys_and_drops_whitespace() {
        let v: Value = serde_json::from_str(r#"{ "b": [1, {"z": null, "a": "é\n"}], "a": true }"#)
            .unwrap_or_default();
        assert_eq!(
            String::from_utf8_lossy(&canonical(&v)),
            r#"{"a":true,"b":[1,{"a":"é\n","z":null}]}"#
        );
    }
}

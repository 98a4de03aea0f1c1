//! The integrity digest: SHA-256 over the report's canonical JSON, and the verifier.
//!
//! Canonical form: the `report` value serialized with every object's keys sorted by their UTF-8
//! bytes, no whitespace, strings escaped as serde_json escapes them, integers in decimal (the
//! model has no floats). The digest covers content, not layout: a file re-indented by a JSON tool
//! still verifies, any changed value, key or array element does not.
//!
//! A digest proves the file was not changed by accident, not that nobody changed it: anyone can
//! edit the JSON and recompute it. [`crate::sign`] adds the signature; [`check`] is the digest
//! half of its verifier — a pure function over bytes, no I/O, no panics on any input.

use crate::model::{Report, SCHEMA};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// `format` of a JSON export.
pub const FORMAT: &str = "listing-assistant-report";
pub const ALGORITHM: &str = "sha-256";
pub const CANONICALIZATION: &str = "json-sorted-keys-v1";

/// The canonical bytes of a JSON value (`la_core::signing::canonical`, shared with sign-offs).
pub use la_core::signing::canonical;

/// The digest of a report value (hex).
pub fn digest_value(report: &Value) -> String {
    hex::encode(Sha256::digest(canonical(report)))
}

/// The digest of a report (what HTML and PDF show on their cover).
pub fn digest(report: &Report) -> String {
    match serde_json::to_value(report) {
        Ok(v) => digest_value(&v),
        // The model is plain data: serializing it cannot fail. Show that something is wrong
        // rather than a digest of nothing.
        Err(_) => "unavailable".into(),
    }
}

/// The JSON export of an unsigned report (an in-app preview): the report under its digest.
/// Verification fails on it ("unsigned"); exports use [`crate::sign::to_signed_json`].
pub fn to_json(report: &Report) -> Result<Vec<u8>, serde_json::Error> {
    pretty(&document(report)?)
}

/// `{format, schema, digest, report}`: the JSON export before any signature is added.
pub(crate) fn document(report: &Report) -> Result<Value, serde_json::Error> {
    let value = serde_json::to_value(report)?;
    Ok(serde_json::json!({
        "format": FORMAT,
        "schema": SCHEMA,
        "digest": {
            "algorithm": ALGORITHM,
            "canonicalization": CANONICALIZATION,
            "value": digest_value(&value),
        },
        "report": value,
    }))
}

pub(crate) fn pretty(doc: &Value) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = serde_json::to_vec_pretty(doc)?;
    out.push(b'\n');
    Ok(out)
}

/// Why a file did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the file is not JSON ({0}); it is not a report or it was damaged")]
    NotJson(String),
    #[error("the file is not a Listing Assistant report: {0}")]
    NotAReport(String),
    #[error("the report uses schema {found}; this version reads schema {known}")]
    UnsupportedSchema { found: u64, known: u32 },
    #[error("unsupported digest: {0}")]
    UnsupportedDigest(String),
    #[error("the report was changed after export: its digest says {stated}, its content hashes to {computed}")]
    Mismatch { stated: String, computed: String },
    #[error("the report is unsigned (digest only): its content matches its digest {digest}, but anyone can edit a report and recompute a digest, so nothing shows who made it. Ask the sender for an export from a version that signs reports")]
    Unsigned { digest: String },
    #[error("unsupported signature: {0}")]
    UnsupportedSignature(String),
    #[error("the signature is damaged: {0}")]
    MalformedSignature(String),
    #[error("the signature does not match the content: the report was changed after key {signer} signed it, or that key never signed it")]
    BadSignature { signer: String },
    #[error("the cover names the signer {stated} but the signature is by key {signer}")]
    SignerMismatch { stated: String, signer: String },
    #[error("the report is signed by key {signer}, not by the trusted key {trusted}")]
    Untrusted { signer: String, trusted: String },
    #[error("\"{0}\" is not a key fingerprint: one has 64 hex digits (spaces and colons between groups are fine)")]
    InvalidTrust(String),
}

impl VerifyError {
    /// A stable code for scripts (`report verify --format json`).
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::NotJson(_) => "not_json",
            VerifyError::NotAReport(_) => "not_a_report",
            VerifyError::UnsupportedSchema { .. } => "unsupported_schema",
            VerifyError::UnsupportedDigest(_) => "unsupported_digest",
            VerifyError::Mismatch { .. } => "digest_mismatch",
            VerifyError::Unsigned { .. } => "unsigned",
            VerifyError::UnsupportedSignature(_) => "unsupported_signature",
            VerifyError::MalformedSignature(_) => "malformed_signature",
            VerifyError::BadSignature { .. } => "bad_signature",
            VerifyError::SignerMismatch { .. } => "signer_mismatch",
            VerifyError::Untrusted { .. } => "untrusted_signer",
            VerifyError::InvalidTrust(_) => "invalid_trust",
        }
    }
}

/// A JSON export whose digest matches its content (not yet its signature).
pub struct Checked {
    pub doc: serde_json::Map<String, Value>,
    pub digest: String,
}

/// Parses a JSON export and recomputes its digest; the signature is [`crate::sign::verify`]'s.
pub fn check(bytes: &[u8]) -> Result<Checked, VerifyError> {
    let doc: Value =
        serde_json::from_slice(bytes).map_err(|e| VerifyError::NotJson(e.to_string()))?;
    let Value::Object(obj) = doc else {
        return Err(VerifyError::NotAReport(
            "the top level is not an object".into(),
        ));
    };
    if obj.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(VerifyError::NotAReport(format!(
            "\"format\" is not \"{FORMAT}\""
        )));
    }
    let schema = obj
        .get("schema")
        .and_then(Value::as_u64)
        .ok_or_else(|| VerifyError::NotAReport("\"schema\" is missing".into()))?;
    if schema != u64::from(SCHEMA) {
        return Err(VerifyError::UnsupportedSchema {
            found: schema,
            known: SCHEMA,
        });
    }
    let d = obj
        .get("digest")
        .and_then(Value::as_object)
        .ok_or_else(|| VerifyError::NotAReport("\"digest\" is missing".into()))?;
    let field = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or("");
    if field("algorithm") != ALGORITHM {
        return Err(VerifyError::UnsupportedDigest(format!(
            "algorithm \"{}\" (expected \"{ALGORITHM}\")",
            field("algorithm")
        )));
    }
    if field("canonicalization") != CANONICALIZATION {
        return Err(VerifyError::UnsupportedDigest(format!(
            "canonicalization \"{}\" (expected \"{CANONICALIZATION}\")",
            field("canonicalization")
        )));
    }
    let stated = field("value").to_string();
    let report = obj
        .get("report")
        .ok_or_else(|| VerifyError::NotAReport("\"report\" is missing".into()))?;
    let computed = digest_value(report);
    if stated != computed {
        return Err(VerifyError::Mismatch { stated, computed });
    }
    Ok(Checked {
        doc: obj,
        digest: computed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_never_panics_on_odd_input() {
        for input in [
            &b""[..],
            b"null",
            b"[]",
            b"{\"format\":1}",
            b"{\"format\":\"listing-assistant-report\",\"schema\":99}",
            b"\xff\xfe",
            b"{\"format\":\"listing-assistant-report\",\"schema\":1,\"digest\":{\"algorithm\":\"sha-256\",\"canonicalization\":\"json-sorted-keys-v1\",\"value\":\"00\"},\"report\":{}}",
        ] {
            assert!(check(input).is_err());
        }
    }
}

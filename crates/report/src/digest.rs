//! The integrity digest: SHA-256 over the report's canonical JSON, and the verifier.
//!
//! Canonical form: the `report` value serialized with every object's keys sorted by their UTF-8
//! bytes, no whitespace, strings escaped as serde_json escapes them, integers in decimal (the
//! model has no floats). The digest covers content, not layout: a file re-indented by a JSON tool
//! still verifies, any changed value, key or array element does not.
//!
//! [`verify`] is a pure function over bytes — no I/O, no panics on any input — so it can be
//! fuzzed as it is.

use crate::model::{Report, SCHEMA};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// `format` of a JSON export.
pub const FORMAT: &str = "listing-assistant-report";
pub const ALGORITHM: &str = "sha-256";
pub const CANONICALIZATION: &str = "json-sorted-keys-v1";

/// The canonical bytes of a JSON value.
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

/// The JSON export: the report under its digest.
pub fn to_json(report: &Report) -> Result<Vec<u8>, serde_json::Error> {
    let value = serde_json::to_value(report)?;
    let doc = serde_json::json!({
        "format": FORMAT,
        "schema": SCHEMA,
        "digest": {
            "algorithm": ALGORITHM,
            "canonicalization": CANONICALIZATION,
            "value": digest_value(&value),
        },
        "report": value,
    });
    let mut out = serde_json::to_vec_pretty(&doc)?;
    out.push(b'\n');
    Ok(out)
}

/// A report that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub digest: String,
    pub workspace: String,
    pub generated_at: String,
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
        }
    }
}

/// Recomputes a JSON export's digest and compares it with the one it states.
pub fn verify(bytes: &[u8]) -> Result<Verified, VerifyError> {
    let doc: Value =
        serde_json::from_slice(bytes).map_err(|e| VerifyError::NotJson(e.to_string()))?;
    let obj = doc
        .as_object()
        .ok_or_else(|| VerifyError::NotAReport("the top level is not an object".into()))?;
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
    let s = |k: &str| {
        report
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    Ok(Verified {
        digest: computed,
        workspace: report
            .get("workspace")
            .and_then(|w| w.get("name"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        generated_at: s("generated_at"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_sorts_keys_and_drops_whitespace() {
        let v: Value = serde_json::from_str(r#"{ "b": [1, {"z": null, "a": "é\n"}], "a": true }"#)
            .unwrap_or_default();
        assert_eq!(
            String::from_utf8_lossy(&canonical(&v)),
            r#"{"a":true,"b":[1,{"a":"é\n","z":null}]}"#
        );
    }

    #[test]
    fn verify_never_panics_on_odd_input() {
        for input in [
            &b""[..],
            b"null",
            b"[]",
            b"{\"format\":1}",
            b"{\"format\":\"listing-assistant-report\",\"schema\":99}",
            b"\xff\xfe",
            b"{\"format\":\"listing-assistant-report\",\"schema\":1,\"digest\":{\"algorithm\":\"sha-256\",\"canonicalization\":\"json-sorted-keys-v1\",\"value\":\"00\"},\"report\":{}}",
        ] {
            assert!(verify(input).is_err());
        }
    }
}

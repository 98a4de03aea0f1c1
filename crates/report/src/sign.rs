//! Signed reports: the JSON export carries an Ed25519 signature over the report's canonical
//! content and the public key that made it; [`verify`] checks digest, signature and, when told
//! which key to trust, the signer.
//!
//! What a valid signature proves: the content is exactly what the holder of the key with that
//! fingerprint exported. It does not prove who holds the key (compare the fingerprint with the
//! one the seller reads out of their app, or pass `--trust`), nor that the statuses in it are
//! true — a seller can sign a report that attests things they never did.
//!
//! Signed bytes: [`REPORT_CONTEXT`] followed by the canonical JSON of `report` (the same bytes
//! the digest hashes). The context keeps a report signature from ever passing as a sign-off's
//! (`crate::signoff`), and the other way round.

use crate::digest::{canonical, check, pretty, VerifyError};
use crate::model::Report;
use la_core::signing::{self, SigningKey};
use serde_json::Value;

/// Prefix of the signed bytes of a report.
pub const REPORT_CONTEXT: &[u8] = b"listing-assistant report signature v1\n";

/// The JSON export signed with `key`. The report's `signer` must already name `key` (the
/// cover shows it); [`crate::render_signed`] sets it.
pub fn to_signed_json(report: &Report, key: &SigningKey) -> Result<Vec<u8>, serde_json::Error> {
    let mut doc = crate::digest::document(report)?;
    let content = canonical(&doc["report"]);
    if let Value::Object(map) = &mut doc {
        map.insert(
            "signature".into(),
            signature_block(key, REPORT_CONTEXT, &content),
        );
    }
    pretty(&doc)
}

/// `{algorithm, public_key, fingerprint, value}` for `context || content`.
pub fn signature_block(key: &SigningKey, context: &[u8], content: &[u8]) -> Value {
    let mut message = Vec::with_capacity(context.len() + content.len());
    message.extend_from_slice(context);
    message.extend_from_slice(content);
    serde_json::json!({
        "algorithm": signing::ALGORITHM,
        "public_key": hex::encode(key.public_key()),
        "fingerprint": key.fingerprint(),
        "value": hex::encode(key.sign(&message)),
    })
}

/// Checks a signature block over `context || content`; returns the signer's fingerprint.
pub fn check_signature_block(
    block: Option<&Value>,
    context: &[u8],
    content: &[u8],
) -> Result<String, SignatureProblem> {
    let block = block
        .and_then(Value::as_object)
        .ok_or(SignatureProblem::Missing)?;
    let field = |k: &str| block.get(k).and_then(Value::as_str).unwrap_or("");
    if field("algorithm") != signing::ALGORITHM {
        return Err(SignatureProblem::Unsupported(format!(
            "algorithm \"{}\" (expected \"{}\")",
            field("algorithm"),
            signing::ALGORITHM
        )));
    }
    let public_key = hex::decode(field("public_key"))
        .ok()
        .filter(|k| k.len() == 32)
        .ok_or_else(|| {
            SignatureProblem::Malformed("\"public_key\" is not 32 bytes in hex".into())
        })?;
    let value = hex::decode(field("value"))
        .ok()
        .filter(|v| v.len() == 64)
        .ok_or_else(|| SignatureProblem::Malformed("\"value\" is not 64 bytes in hex".into()))?;
    let signer = signing::fingerprint(&public_key);
    // The stated fingerprint is for people reading the file; it must be the key's own.
    if block.contains_key("fingerprint") && field("fingerprint") != signer {
        return Err(SignatureProblem::Malformed(format!(
            "\"fingerprint\" says {} but the public key's is {signer}",
            field("fingerprint")
        )));
    }
    let mut message = Vec::with_capacity(context.len() + content.len());
    message.extend_from_slice(context);
    message.extend_from_slice(content);
    if !signing::verify(&public_key, &message, &value) {
        return Err(SignatureProblem::Invalid { signer });
    }
    Ok(signer)
}

/// What is wrong with a signature block (mapped to each document's own error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureProblem {
    Missing,
    Unsupported(String),
    Malformed(String),
    Invalid { signer: String },
}

/// A report whose digest and signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub digest: String,
    pub workspace: String,
    pub generated_at: String,
    /// Fingerprint of the key that signed it.
    pub signer: String,
}

/// Verifies a JSON export: digest, then signature, then (with `trust`) that the signer is the
/// trusted key. A report without a signature fails (`Unsigned`), even when its digest matches.
/// Pure over bytes, never panics: the fuzzer calls it as it is.
pub fn verify(bytes: &[u8], trust: Option<&str>) -> Result<Verified, VerifyError> {
    let trusted = match trust {
        Some(t) => Some(
            signing::normalize_fingerprint(t)
                .ok_or_else(|| VerifyError::InvalidTrust(t.chars().take(100).collect()))?,
        ),
        None => None,
    };
    let checked = check(bytes)?;
    let report = checked.doc.get("report").unwrap_or(&Value::Null);
    let signer = check_signature_block(
        checked.doc.get("signature"),
        REPORT_CONTEXT,
        &canonical(report),
    )
    .map_err(|p| match p {
        SignatureProblem::Missing => VerifyError::Unsigned {
            digest: checked.digest.clone(),
        },
        SignatureProblem::Unsupported(s) => VerifyError::UnsupportedSignature(s),
        SignatureProblem::Malformed(s) => VerifyError::MalformedSignature(s),
        SignatureProblem::Invalid { signer } => VerifyError::BadSignature { signer },
    })?;
    let s = |k: &str| {
        report
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    // The cover prints `signer`; a report signed by one key must not name another.
    let stated = s("signer");
    if stated != signer {
        return Err(VerifyError::SignerMismatch { stated, signer });
    }
    if let Some(trusted) = trusted {
        if trusted != signer {
            return Err(VerifyError::Untrusted { signer, trusted });
        }
    }
    Ok(Verified {
        digest: checked.digest,
        workspace: report
            .get("workspace")
            .and_then(|w| w.get("name"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        generated_at: s("generated_at"),
        signer,
    })
}

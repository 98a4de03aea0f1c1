//! A reviewer's sign-off: a small JSON document naming the report they reviewed (its digest and
//! signer), their verdict and notes, their name and key fingerprint, signed with their own
//! installation's key. The reviewer exports it ([`export`]); the seller imports it ([`import`]),
//! which records it on step 11's "Checklist report signed off" item with the file as evidence.
//!
//! Signed bytes: [`CONTEXT`] followed by the canonical JSON of `signoff` (see
//! `la_core::signing::canonical`).

use crate::sign::{check_signature_block, signature_block, SignatureProblem};
use la_core::model::{ItemStatus, StatusChange};
use la_core::service::Core;
use la_core::signing::{self, canonical, SigningKey};
use la_core::{AppError, ErrorCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;

pub const FORMAT: &str = "listing-assistant-signoff";
pub const VERSION: u64 = 1;
/// Prefix of the signed bytes: a sign-off signature never passes as a report's.
pub const CONTEXT: &[u8] = b"listing-assistant sign-off v1\n";
/// The checklist item (step 11) an imported sign-off is recorded on.
pub const ITEM_ID: &str = "review.report_signed";
/// Largest sign-off file read: a few KiB in practice.
pub const MAX_BYTES: u64 = 256 * 1024;
/// Longest notes kept, in characters.
pub const MAX_NOTES: usize = 4000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Approved,
    ChangesRequested,
}

impl Verdict {
    /// `approved` / `approve`, `changes_requested` / `changes-requested` / `reject`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "approved" | "approve" => Some(Verdict::Approved),
            "changes_requested" | "reject" | "rejected" => Some(Verdict::ChangesRequested),
            _ => None,
        }
    }
    fn status(self) -> ItemStatus {
        match self {
            Verdict::Approved => ItemStatus::Passed,
            Verdict::ChangesRequested => ItemStatus::Failed,
        }
    }
}

/// The reviewed report, as the sign-off names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewedReport {
    pub digest: String,
    /// Fingerprint of the key that signed the report (the seller's installation).
    pub signer: String,
    pub workspace: String,
    pub generated_at: String,
}

/// The signed content of a sign-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signoff {
    pub report: ReviewedReport,
    pub verdict: Verdict,
    pub notes: String,
    pub reviewer: String,
    /// Fingerprint of the reviewer's key (checked against the signature's public key).
    pub reviewer_fingerprint: String,
    pub signed_at: String,
}

/// Why a sign-off was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignoffError {
    #[error("the sign-off cannot be made: the report does not verify ({0})")]
    Report(crate::VerifyError),
    #[error("the file is not a Listing Assistant sign-off: {0}")]
    NotASignoff(String),
    #[error("the sign-off is not signed, or its signature is damaged: {0}")]
    Malformed(String),
    #[error("the sign-off's signature does not match its content: it was changed after key {signer} signed it")]
    BadSignature { signer: String },
    #[error("the sign-off is signed by key {signer}, but it names the reviewer's key {stated}")]
    SignerMismatch { stated: String, signer: String },
    #[error("the sign-off is signed by key {signer}, not by the trusted key {trusted}")]
    Untrusted { signer: String, trusted: String },
    #[error("\"{0}\" is not a key fingerprint: one has 64 hex digits")]
    InvalidTrust(String),
}

impl SignoffError {
    pub fn code(&self) -> &'static str {
        match self {
            SignoffError::Report(e) => e.code(),
            SignoffError::NotASignoff(_) => "not_a_signoff",
            SignoffError::Malformed(_) => "malformed_signature",
            SignoffError::BadSignature { .. } => "bad_signature",
            SignoffError::SignerMismatch { .. } => "signer_mismatch",
            SignoffError::Untrusted { .. } => "untrusted_signer",
            SignoffError::InvalidTrust(_) => "invalid_trust",
        }
    }
}

impl From<SignoffError> for AppError {
    fn from(e: SignoffError) -> Self {
        AppError::invalid(e.to_string())
    }
}

/// Signs a sign-off of `report_json` (a signed JSON export, verified first; with `trust`, it
/// must be that key's). Notes are redacted before they are signed: a secret pasted into a note
/// would otherwise travel in a file that cannot be edited without breaking its signature.
pub fn create(
    key: &SigningKey,
    reviewer: &str,
    report_json: &[u8],
    verdict: Verdict,
    notes: &str,
    trust: Option<&str>,
    now: &str,
) -> Result<Vec<u8>, SignoffError> {
    let v = crate::sign::verify(report_json, trust).map_err(SignoffError::Report)?;
    let signoff = Signoff {
        report: ReviewedReport {
            digest: v.digest,
            signer: v.signer,
            workspace: v.workspace,
            generated_at: v.generated_at,
        },
        verdict,
        notes: la_core::redact::redact(notes.trim())
            .chars()
            .take(MAX_NOTES)
            .collect(),
        reviewer: reviewer.trim().chars().take(120).collect(),
        reviewer_fingerprint: key.fingerprint(),
        signed_at: now.to_string(),
    };
    let content =
        serde_json::to_value(&signoff).map_err(|e| SignoffError::NotASignoff(e.to_string()))?;
    let doc = serde_json::json!({
        "format": FORMAT,
        "version": VERSION,
        "signoff": content,
        "signature": signature_block(key, CONTEXT, &canonical(&content)),
    });
    crate::digest::pretty(&doc).map_err(|e| SignoffError::NotASignoff(e.to_string()))
}

/// Checks a sign-off's signature (and, with `trust`, its signer). Pure over bytes.
pub fn verify(bytes: &[u8], trust: Option<&str>) -> Result<Signoff, SignoffError> {
    let trusted = match trust {
        Some(t) => Some(
            signing::normalize_fingerprint(t)
                .ok_or_else(|| SignoffError::InvalidTrust(t.chars().take(100).collect()))?,
        ),
        None => None,
    };
    let doc: Value = serde_json::from_slice(bytes)
        .map_err(|e| SignoffError::NotASignoff(format!("not JSON ({e})")))?;
    if doc.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(SignoffError::NotASignoff(format!(
            "\"format\" is not \"{FORMAT}\""
        )));
    }
    if doc.get("version").and_then(Value::as_u64) != Some(VERSION) {
        return Err(SignoffError::NotASignoff(format!(
            "this version reads sign-off version {VERSION}"
        )));
    }
    let content = doc
        .get("signoff")
        .ok_or_else(|| SignoffError::NotASignoff("\"signoff\" is missing".into()))?;
    let signer = check_signature_block(doc.get("signature"), CONTEXT, &canonical(content))
        .map_err(|p| match p {
            SignatureProblem::Missing => SignoffError::Malformed("no signature".into()),
            SignatureProblem::Unsupported(s) | SignatureProblem::Malformed(s) => {
                SignoffError::Malformed(s)
            }
            SignatureProblem::Invalid { signer } => SignoffError::BadSignature { signer },
        })?;
    let signoff: Signoff = serde_json::from_value(content.clone())
        .map_err(|e| SignoffError::NotASignoff(e.to_string()))?;
    if signoff.reviewer_fingerprint != signer {
        return Err(SignoffError::SignerMismatch {
            stated: signoff.reviewer_fingerprint,
            signer,
        });
    }
    if let Some(trusted) = trusted {
        if trusted != signer {
            return Err(SignoffError::Untrusted { signer, trusted });
        }
    }
    Ok(signoff)
}

/// What [`export`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub path: String,
    pub reviewer_fingerprint: String,
    pub report_digest: String,
}

/// The reviewer's side: signs a sign-off of the report at `report_json` with this
/// installation's key and writes it to `out` (privately, atomically). `trust` is the seller's
/// fingerprint as they read it out, when the reviewer wants the report's signer checked.
pub fn export(
    core: &Core,
    report_json: &Path,
    verdict: Verdict,
    notes: &str,
    trust: Option<&str>,
    out: &Path,
) -> Result<Exported, AppError> {
    let bytes = read_capped(report_json, 64 * 1024 * 1024)?;
    let key = core.signing_key()?;
    let doc = create(
        key,
        &core.actor(),
        &bytes,
        verdict,
        notes,
        trust,
        &la_core::store::now(),
    )?;
    crate::zip_out::write_plain(out, &doc)?;
    let v = crate::sign::verify(&bytes, None).map_err(SignoffError::Report)?;
    Ok(Exported {
        path: out.display().to_string(),
        reviewer_fingerprint: key.fingerprint(),
        report_digest: v.digest,
    })
}

/// What [`import`] recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub item_id: String,
    pub status: ItemStatus,
    pub signoff: Signoff,
    pub evidence_id: String,
}

/// The seller's side: checks the sign-off at `path` (signature; with `trust`, the reviewer's
/// key; that it reviews a report this installation signed, of this workspace, and comes from
/// another key), then records it on step 11's sign-off item: the file as evidence, the status
/// passed (approved) or failed (changes requested), the note naming reviewer, key and verdict.
pub fn import(
    core: &Core,
    workspace_id: &str,
    path: &Path,
    trust: Option<&str>,
) -> Result<Imported, AppError> {
    let bytes = read_capped(path, MAX_BYTES)?;
    let s = verify(&bytes, trust)?;
    let own = core.signing_fingerprint()?;
    if s.report.signer != own {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!(
                "This sign-off reviews a report signed by key {}, not by this installation's key {own}: it is another installation's report.",
                s.report.signer
            ),
        ));
    }
    if s.reviewer_fingerprint == own {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "This sign-off is signed with this installation's own key: a sign-off must come from the reviewer's installation.",
        ));
    }
    let ws = core.store().workspace(workspace_id)?;
    if crate::scrub::text(&ws.name) != s.report.workspace {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!(
                "This sign-off reviews a report of the workspace \"{}\", not \"{}\".",
                s.report.workspace, ws.name
            ),
        ));
    }
    let ev = core.add_evidence(workspace_id, ITEM_ID, path)?;
    let verdict = match s.verdict {
        Verdict::Approved => "approved",
        Verdict::ChangesRequested => "requested changes to",
    };
    let mut note = format!(
        "{} (key {}) {verdict} the report generated {} (digest {}) on {}.",
        s.reviewer, s.reviewer_fingerprint, s.report.generated_at, s.report.digest, s.signed_at
    );
    if !s.notes.is_empty() {
        note.push_str(&format!(" Notes: {}", s.notes));
    }
    core.set_item_status(&StatusChange {
        workspace_id: workspace_id.into(),
        item_id: ITEM_ID.into(),
        status: s.verdict.status(),
        note,
        waiver_reason: None,
    })?;
    Ok(Imported {
        item_id: ITEM_ID.into(),
        status: s.verdict.status(),
        signoff: s,
        evidence_id: ev.id,
    })
}

/// Reads a file the user picked, refusing one larger than `max` bytes before reading it all.
fn read_capped(path: &Path, max: u64) -> Result<Vec<u8>, AppError> {
    use std::io::Read;
    let f = std::fs::File::open(path)
        .map_err(|e| AppError::invalid(format!("Cannot read {}: {e}.", path.display())))?;
    let mut bytes = Vec::new();
    f.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| AppError::invalid(format!("Cannot read {}: {e}.", path.display())))?;
    if bytes.len() as u64 > max {
        return Err(AppError::invalid(format!(
            "{} is larger than {} KiB: it is not a file this command reads.",
            path.display(),
            max / 1024
        )));
    }
    Ok(bytes)
}

//! Signed reports and reviewer sign-offs, end to end through real stores: what verifies, and
//! each way a forged, re-signed, unsigned or foreign document fails with its own error.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use la_core::model::ItemStatus;
use la_core::secrets::{Backend, Secrets, Sensitive};
use la_core::service::{Core, NoEvents};
use la_core::signing::{canonical, SigningKey};
use la_report::signoff::{self, SignoffError, Verdict};
use la_report::{sign, Format, Lang, Scope, VerifyError};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn other_key() -> SigningKey {
    SigningKey::from_seed(&Sensitive::new([7u8; 32]))
}

fn signed_json(f: &Fixture) -> Vec<u8> {
    let r = la_report::build(
        &f.core,
        &f.ws,
        Scope::Workspace,
        Lang::En,
        "2026-01-02T03:04:05.000Z",
    )
    .unwrap();
    la_report::render_signed(&r, Format::Json, &test_key()).unwrap()
}

/// Rewrites the document's report and recomputes its digest, as anyone can.
fn forge(json: &[u8], edit: impl FnOnce(&mut Value)) -> Value {
    let mut doc: Value = serde_json::from_slice(json).unwrap();
    edit(&mut doc["report"]);
    let d = la_report::digest::digest_value(&doc["report"]);
    doc["digest"]["value"] = Value::String(d);
    doc
}

fn resign(doc: &mut Value, key: &SigningKey) {
    let block = sign::signature_block(key, sign::REPORT_CONTEXT, &canonical(&doc["report"]));
    doc["signature"] = block;
}

#[test]
fn a_signed_report_verifies_and_names_its_signer_and_trust_pins_it() {
    let f = fixture_in_temp();
    let json = signed_json(&f);
    let fp = test_key().fingerprint();
    let v = sign::verify(&json, None).unwrap();
    assert_eq!(v.signer, fp);
    // The fingerprint as a person types it: upper case, colons.
    let typed = fp.to_uppercase().replace(' ', ":");
    assert_eq!(sign::verify(&json, Some(&typed)).unwrap().signer, fp);
    match sign::verify(&json, Some(&other_key().fingerprint())) {
        Err(e @ VerifyError::Untrusted { .. }) => {
            assert_eq!(e.code(), "untrusted_signer");
            assert!(e.to_string().contains(&fp), "{e}");
        }
        other => panic!("expected untrusted, got {other:?}"),
    }
    assert!(matches!(
        sign::verify(&json, Some("abcd")),
        Err(VerifyError::InvalidTrust(_))
    ));
}

#[test]
fn a_report_from_before_signatures_fails_as_unsigned_digest_only() {
    // The JSON golden file as the previous version wrote it: intact digest, no signature.
    let old =
        std::fs::read(la_testkit::manifest_dir().join("tests/fixtures/digest-only-report.json"))
            .unwrap();
    assert!(
        la_report::digest::check(&old).is_ok(),
        "its digest is intact"
    );
    match la_report::verify(&old) {
        Err(e @ VerifyError::Unsigned { .. }) => {
            assert_eq!(e.code(), "unsigned");
            assert!(e.to_string().contains("unsigned (digest only)"), "{e}");
        }
        other => panic!("expected unsigned, got {other:?}"),
    }
    // An unsigned rendering of today (the app's preview) fails the same way.
    let f = fixture_in_temp();
    let r = la_report::build(
        &f.core,
        &f.ws,
        Scope::Workspace,
        Lang::En,
        "2026-01-02T03:04:05.000Z",
    )
    .unwrap();
    let preview = la_report::render(&r, Format::Json).unwrap();
    assert!(matches!(
        la_report::verify(&preview),
        Err(VerifyError::Unsigned { .. })
    ));
}

#[test]
fn an_edit_with_a_recomputed_digest_breaks_the_signature() {
    let f = fixture_in_temp();
    let json = signed_json(&f);
    let doc = forge(&json, |r| r["readiness"]["verdict"] = "ready".into());
    let bytes = serde_json::to_vec(&doc).unwrap();
    assert!(
        la_report::digest::check(&bytes).is_ok(),
        "the digest was redone"
    );
    match la_report::verify(&bytes) {
        Err(e @ VerifyError::BadSignature { .. }) => {
            assert!(e.to_string().contains(&test_key().fingerprint()), "{e}")
        }
        other => panic!("expected a bad signature, got {other:?}"),
    }
}

#[test]
fn re_signing_with_another_key_shows_that_key_and_fails_trust() {
    let f = fixture_in_temp();
    let json = signed_json(&f);
    let seller = test_key().fingerprint();
    // Re-signed by someone else, the cover still naming the seller: caught.
    let mut doc = forge(&json, |r| r["readiness"]["verdict"] = "ready".into());
    resign(&mut doc, &other_key());
    assert!(matches!(
        la_report::verify(&serde_json::to_vec(&doc).unwrap()),
        Err(VerifyError::SignerMismatch { .. })
    ));
    // Cover changed too: valid, but by the forger's key, which --trust refuses.
    let mut doc = forge(&json, |r| {
        r["readiness"]["verdict"] = "ready".into();
        r["signer"] = other_key().fingerprint().into();
    });
    resign(&mut doc, &other_key());
    let bytes = serde_json::to_vec(&doc).unwrap();
    assert_eq!(
        la_report::verify(&bytes).unwrap().signer,
        other_key().fingerprint()
    );
    assert!(matches!(
        sign::verify(&bytes, Some(&seller)),
        Err(VerifyError::Untrusted { .. })
    ));
    // A stated fingerprint that is not the key's own is refused as damaged.
    let mut doc: Value = serde_json::from_slice(&json).unwrap();
    doc["signature"]["fingerprint"] = other_key().fingerprint().into();
    assert!(matches!(
        la_report::verify(&serde_json::to_vec(&doc).unwrap()),
        Err(VerifyError::MalformedSignature(_))
    ));
}

#[test]
fn exports_are_signed_with_the_installation_key_and_its_fingerprint_is_on_the_cover() {
    let f = fixture_in_temp();
    let fp = f.core.signing_fingerprint().unwrap();
    assert_eq!(
        fp,
        f.core.signing_fingerprint().unwrap(),
        "one key per installation"
    );
    let out = f.out.path().join("r.json");
    let e = la_report::export(
        &f.core,
        &f.ws,
        Scope::Workspace,
        Lang::En,
        Format::Json,
        &out,
        false,
    )
    .unwrap();
    assert_eq!(e.signer, fp);
    let v = sign::verify(&std::fs::read(&out).unwrap(), Some(&fp)).unwrap();
    assert_eq!(v.digest, e.digest);
    for (format, name) in [(Format::Html, "r.html"), (Format::Md, "r.md")] {
        let p = f.out.path().join(name);
        la_report::export(
            &f.core,
            &f.ws,
            Scope::Workspace,
            Lang::Ja,
            format,
            &p,
            false,
        )
        .unwrap();
        assert!(std::fs::read_to_string(&p).unwrap().contains(&fp), "{name}");
    }
}

struct Installation {
    core: Core,
    _data: tempfile::TempDir,
}

/// Another installation: its own data folder and keyring namespace, so its own key.
fn installation(service: &str) -> Installation {
    let data = tempfile::tempdir().unwrap();
    let core = Core::open(
        data.path(),
        Secrets::new(service, Backend::Mock),
        Arc::new(NoEvents),
    )
    .unwrap();
    Installation { core, _data: data }
}

fn exported_report(f: &Fixture) -> PathBuf {
    let p = f.out.path().join("report.json");
    la_report::export(
        &f.core,
        &f.ws,
        Scope::Workspace,
        Lang::En,
        Format::Json,
        &p,
        false,
    )
    .unwrap();
    p
}

fn review(reviewer: &Core, report: &Path, verdict: Verdict, notes: &str, out: &Path) {
    signoff::export(reviewer, report, verdict, notes, None, out).unwrap();
}

#[test]
fn a_reviewers_sign_off_is_recorded_on_step_11_with_the_file_as_evidence() {
    let f = fixture_in_temp();
    assert!(
        la_core::checklist::checklist()
            .item(signoff::ITEM_ID)
            .is_some(),
        "the sign-off item exists in the checklist"
    );
    let reviewer = installation("io.listingassistant.reviewer");
    let report = exported_report(&f);
    let seller_fp = f.core.signing_fingerprint().unwrap();
    let so = f.out.path().join("signoff.json");
    // The reviewer pins the seller's key, as read out to them.
    let e = signoff::export(
        &reviewer.core,
        &report,
        Verdict::Approved,
        "Looks complete. aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        Some(&seller_fp),
        &so,
    )
    .unwrap();
    let reviewer_fp = reviewer.core.signing_fingerprint().unwrap();
    assert_eq!(e.reviewer_fingerprint, reviewer_fp);
    let text = std::fs::read_to_string(&so).unwrap();
    assert!(
        !text.contains("wJalrXUtnFEMI"),
        "notes are redacted before signing"
    );

    let imported = signoff::import(&f.core, &f.ws, &so, Some(&reviewer_fp)).unwrap();
    assert_eq!(imported.status, ItemStatus::Passed);
    let detail = f.core.workspace_detail(&f.ws).unwrap();
    let state = detail
        .items
        .iter()
        .find(|i| i.item_id == signoff::ITEM_ID)
        .unwrap();
    assert_eq!(state.status, ItemStatus::Passed);
    assert!(
        state.note.contains(&reviewer_fp) && state.note.contains("approved"),
        "{}",
        state.note
    );
    let ev = f.core.list_evidence(&f.ws, signoff::ITEM_ID).unwrap();
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].id, imported.evidence_id);
    assert_eq!(
        std::fs::read(f.core.evidence_file(&ev[0].id).unwrap()).unwrap(),
        std::fs::read(&so).unwrap()
    );

    // Changes requested: the item fails.
    let so2 = f.out.path().join("signoff-2.json");
    review(
        &reviewer.core,
        &report,
        Verdict::ChangesRequested,
        "Fix support",
        &so2,
    );
    let i = signoff::import(&f.core, &f.ws, &so2, None).unwrap();
    assert_eq!(i.status, ItemStatus::Failed);
}

#[test]
fn a_forged_foreign_or_self_made_sign_off_is_refused_and_records_nothing() {
    let f = fixture_in_temp();
    let reviewer = installation("io.listingassistant.reviewer-2");
    let report = exported_report(&f);
    let so = f.out.path().join("signoff.json");
    review(
        &reviewer.core,
        &report,
        Verdict::ChangesRequested,
        "Support missing",
        &so,
    );
    let bytes = std::fs::read(&so).unwrap();

    // Verdict flipped after signing.
    let mut doc: Value = serde_json::from_slice(&bytes).unwrap();
    doc["signoff"]["verdict"] = "approved".into();
    let forged = f.out.path().join("forged.json");
    std::fs::write(&forged, serde_json::to_vec(&doc).unwrap()).unwrap();
    let e = signoff::import(&f.core, &f.ws, &forged, None).unwrap_err();
    assert!(
        e.message.contains("does not match its content"),
        "{}",
        e.message
    );
    assert!(matches!(
        signoff::verify(&serde_json::to_vec(&doc).unwrap(), None),
        Err(SignoffError::BadSignature { .. })
    ));

    // A reviewer other than the trusted one.
    let e = signoff::import(&f.core, &f.ws, &so, Some(&other_key().fingerprint())).unwrap_err();
    assert!(
        e.message.contains("not by the trusted key"),
        "{}",
        e.message
    );

    // The seller signing off their own report.
    let own = f.out.path().join("own.json");
    review(&f.core, &report, Verdict::Approved, "", &own);
    let e = signoff::import(&f.core, &f.ws, &own, None).unwrap_err();
    assert!(
        e.message.contains("this installation's own key"),
        "{}",
        e.message
    );

    // A sign-off of another installation's report.
    let third = installation("io.listingassistant.third");
    let e = signoff::import(&third.core, &demo_id(&third.core), &so, None).unwrap_err();
    assert!(
        e.message.contains("another installation's report"),
        "{}",
        e.message
    );

    // A report signature never passes as a sign-off.
    let e = signoff::import(&f.core, &f.ws, &report, None).unwrap_err();
    assert!(
        e.message.contains("not a Listing Assistant sign-off"),
        "{}",
        e.message
    );

    // An unsigned report cannot be signed off.
    let r = la_report::build(
        &f.core,
        &f.ws,
        Scope::Workspace,
        Lang::En,
        "2026-01-02T03:04:05.000Z",
    )
    .unwrap();
    let unsigned = f.out.path().join("unsigned.json");
    std::fs::write(&unsigned, la_report::render(&r, Format::Json).unwrap()).unwrap();
    let e =
        signoff::export(&reviewer.core, &unsigned, Verdict::Approved, "", None, &own).unwrap_err();
    assert!(
        e.message.contains("unsigned (digest only)"),
        "{}",
        e.message
    );

    // An oversized file is refused before it is read whole.
    let big = f.out.path().join("big.json");
    std::fs::write(&big, vec![b' '; signoff::MAX_BYTES as usize + 1]).unwrap();
    let e = signoff::import(&f.core, &f.ws, &big, None).unwrap_err();
    assert!(e.message.contains("larger than"), "{}", e.message);

    assert!(f
        .core
        .list_evidence(&f.ws, signoff::ITEM_ID)
        .unwrap()
        .is_empty());
}

#[test]
fn the_fuzzed_entry_point_keeps_its_shape() {
    // fuzz/fuzz_targets/report_verify.rs calls exactly this.
    let r: Result<la_report::Verified, VerifyError> = la_report::verify(b"{}");
    assert!(!r.unwrap_err().code().is_empty());
}

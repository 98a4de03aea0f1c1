//! Secrets audit for reports: keys, tokens and session tokens planted everywhere a user could
//! type or paste them reach no format (HTML, PDF, Markdown, JSON, CSV) and no evidence zip.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use la_core::model::*;
use la_report::{build, render, Format, Lang, Scope};
use std::path::PathBuf;

#[test]
fn no_planted_secret_reaches_any_format() {
    let access_key = "AKIAPLANTEDKEY000001";
    let secret_key = "pLaNtEdSeCrEt0123456789abcdefGHIJKLmnopq";
    assert_eq!(secret_key.len(), 40);
    let registration_token = "RgT0kaB3dE6gH9jK2mN5pQ8sT1vW4yZ7RgT0kaB3dE6gH9jK2mN5pQ8sT1vW4yZ7RgT0kaB3dE6gH9jK2mN5pQ8sT1vW4yZ7Xy==";
    let session_token = "FwoGZXIvYXdzEJr//////////wEaDPlantedSessionToken0123456789AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+AbCdEfGhIjKlMnOpQrStUvWxYz";
    let secrets = [access_key, secret_key, registration_token, session_token];
    let all = format!(
        "key {access_key} secret {secret_key} token {registration_token} session {session_token}"
    );

    let dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let core = open(dir.path());
    let ws = core
        .create_workspace(
            &format!("Acme {access_key}"),
            &format!("Product {secret_key}"),
        )
        .unwrap()
        .id;
    // The keyring.
    for kind in EnvKind::ALL {
        core.set_access_keys(&ws, kind, access_key, secret_key)
            .unwrap();
    }
    // Every free-text setting the report shows.
    let mut s = la_core::demo::settings(EnvKind::Staging);
    s.fulfillment_url = format!("https://app.example.com/register?x-amzn-marketplace-token={registration_token}&s={session_token}");
    s.eula_url = format!("https://app.example.com/eula.txt?k={access_key}");
    s.product_id = "prod-abcd1234efgh5".into();
    core.save_environment(&ws, EnvKind::Staging, &s).unwrap();
    // Who: the name recorded on every change.
    core.set_preferences(&Preferences {
        actor: format!("Tester {access_key}"),
        ..core.preferences().unwrap()
    })
    .unwrap();
    // Notes, waiver reasons, history.
    status(
        &core,
        &ws,
        "seller.public_profile",
        ItemStatus::Passed,
        &format!("pasted by mistake: {all}"),
        None,
    );
    status(
        &core,
        &ws,
        "seller.bank_account",
        ItemStatus::Waived,
        "",
        Some(&format!("reason with {all}")),
    );
    status(
        &core,
        &ws,
        "seller.tax_interview",
        ItemStatus::Failed,
        &format!("aws_secret_access_key={secret_key}\naws_session_token={session_token}"),
        None,
    );
    status(
        &core,
        &ws,
        "staging.saas.self_signup",
        ItemStatus::NotApplicable,
        &format!("x-amzn-marketplace-token: {registration_token}"),
        None,
    );
    // Evidence file names.
    evidence(
        &core,
        &ws,
        "seller.public_profile",
        files.path(),
        &format!("shot-{registration_token}.png"),
        b"x",
    );
    evidence(
        &core,
        &ws,
        "seller.public_profile",
        files.path(),
        &format!("{access_key}.txt"),
        b"y",
    );
    // Check results that (wrongly) carry secrets in every text.
    let run = core.start_check_run(&ws, EnvKind::Staging, 1).unwrap();
    let r = check(
        "registration.https",
        CheckStatus::Fail,
        &format!("summary {all}"),
        &format!("details {all}"),
        &format!("advice {all}"),
    );
    core.record_check_result(&run.id, &r).unwrap();
    core.finish_check_run(&run, &[r], CheckRunState::Finished)
        .unwrap();

    for lang in [Lang::En, Lang::Ja] {
        for scope in [Scope::Workspace, Scope::Staging] {
            let report = build(&core, &ws, scope, lang, "2026-01-02T03:04:05.000Z").unwrap();
            for format in Format::ALL {
                let bytes = render(&report, format).unwrap();
                let text = text_of(format, &bytes);
                if let Some(d) = std::env::var_os("LA_REPORT_DUMP") {
                    std::fs::write(
                        PathBuf::from(d).join(format!(
                            "secret-{}-{}.{}",
                            lang.code(),
                            scope.code(),
                            format.extension()
                        )),
                        &bytes,
                    )
                    .unwrap();
                }
                // The places were exported (so the test can fail)…
                if format != Format::Pdf {
                    let note = if scope == Scope::Workspace {
                        "pasted by mistake"
                    } else {
                        "x-amzn-marketplace-token"
                    };
                    assert!(text.contains(note), "{format:?} {scope:?} lacks the note");
                    assert!(
                        text.contains("AKIA…(redacted)"),
                        "{format:?} lacks the masked key"
                    );
                }
                // …and no secret is in them, nor in the raw bytes.
                for s in secrets {
                    assert!(!text.contains(s), "{format:?} {lang:?} {scope:?} leaks {s}");
                    let raw = String::from_utf8_lossy(&bytes);
                    assert!(!raw.contains(s), "{format:?} bytes leak {s}");
                }
                // Nor a long piece of one (a mask that kept too much).
                for s in secrets {
                    let piece = &s[4..20];
                    assert!(
                        !text.contains(piece),
                        "{format:?} {lang:?} leaks part of {s}: {piece}"
                    );
                }
            }
        }
    }
}

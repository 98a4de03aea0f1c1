//! Reports built from a real store (SQLite in a temp folder): golden files per format, the PDF
//! read back with pdftotext in both languages, the digest and its verifier, scope, the evidence
//! zip (the planted-secrets audit is `tests/secrets.rs`).

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use la_core::model::*;
use la_report::{build, digest, Format, Lang, Scope, VerifyError};

/// Renders signed with the fixed test key, as an export would.
fn render(r: &la_report::Report, format: Format) -> Result<Vec<u8>, la_core::AppError> {
    la_report::render_signed(r, format, &test_key())
}

/// The report as `render` signs it (its digest covers the signer).
fn signed(r: &la_report::Report) -> la_report::Report {
    la_report::Report {
        signer: test_key().fingerprint(),
        ..r.clone()
    }
}
use std::path::PathBuf;

fn golden_dir() -> PathBuf {
    la_testkit::manifest_dir().join("tests/golden")
}

/// Compares with the golden file; `UPDATE_GOLDEN=1` rewrites it (review the diff before
/// committing).
fn golden(name: &str, actual: &str) {
    let path = golden_dir().join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing: run with UPDATE_GOLDEN=1", path.display()));
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from its golden file at line {}:\n  expected: {:?}\n  actual:   {:?}",
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

fn fixture_report(lang: Lang, scope: Scope) -> la_report::Report {
    let f = fixture_in_temp();
    normalised(&build(&f.core, &f.ws, scope, lang, "2026-01-02T03:04:05.000Z").unwrap())
}

#[test]
fn golden_files_per_format() {
    for lang in [Lang::En, Lang::Ja] {
        let report = fixture_report(lang, Scope::Workspace);
        for format in Format::ALL {
            let bytes = render(&report, format).unwrap();
            let text = text_of(format, &bytes);
            golden(
                &format!(
                    "demo-{}.{}{}",
                    lang.code(),
                    format.extension(),
                    if format == Format::Pdf { ".txt" } else { "" }
                ),
                &text,
            );
        }
    }
}

#[test]
fn report_shows_every_section() {
    let r = fixture_report(Lang::En, Scope::Workspace);
    let items: Vec<_> = r
        .phases
        .iter()
        .flat_map(|p| &p.steps)
        .flat_map(|s| &s.items)
        .collect();
    assert_eq!(items.len(), 88, "the whole checklist");
    let bank = items
        .iter()
        .find(|i| i.id == "seller.bank_account")
        .unwrap();
    assert_eq!(bank.evidence.len(), 2);
    assert!(bank
        .evidence
        .iter()
        .all(|e| e.sha256.len() == 64 && e.sha256.bytes().all(|b| b.is_ascii_hexdigit())));
    let waived = items
        .iter()
        .find(|i| i.id == "staging.product.request_form")
        .unwrap();
    assert_eq!(waived.status, "waived");
    assert!(waived.waiver_reason.is_some());
    let exists = items
        .iter()
        .find(|i| i.id == "staging.product.exists")
        .unwrap();
    assert_eq!(exists.check.as_ref().unwrap().status, "pass");
    assert_eq!(exists.status, "passed", "a passing check moved its item");
    let https = items
        .iter()
        .find(|i| i.id == "staging.registration.https")
        .unwrap();
    assert_eq!(https.check.as_ref().unwrap().status, "fail");
    assert!(!https.check.as_ref().unwrap().advice.is_empty());
    assert_eq!(r.readiness.verdict, "failing");
    assert_eq!(r.environments.len(), 2);
    assert_eq!(r.environments[0].seller_account, "********3333");
    assert!(r.purchases.is_empty());
    assert_eq!(
        r.summary.iter().map(|p| p.total).sum::<u32>(),
        r.readiness.total
    );
}

#[test]
fn evidence_hashes_are_the_files_sha256() {
    let r = fixture_report(Lang::En, Scope::Workspace);
    let ev = r
        .phases
        .iter()
        .flat_map(|p| &p.steps)
        .flat_map(|s| &s.items)
        .flat_map(|i| &i.evidence)
        .find(|e| e.file_name == "profile.png")
        .unwrap();
    use sha2::Digest;
    assert_eq!(ev.sha256, hex::encode(sha2::Sha256::digest(b"png bytes")));
}

#[test]
fn one_environment_holds_only_its_steps() {
    let r = fixture_report(Lang::En, Scope::Production);
    assert_eq!(r.scope, "production");
    assert_eq!(r.environments.len(), 1);
    assert_eq!(r.environments[0].kind, "production");
    let steps: Vec<_> = r.phases.iter().flat_map(|p| &p.steps).collect();
    assert!(!steps.is_empty());
    assert!(steps.iter().all(|s| s.env == "production"), "{steps:?}");
    let staging = fixture_report(Lang::En, Scope::Staging);
    assert!(staging
        .phases
        .iter()
        .flat_map(|p| &p.steps)
        .all(|s| s.env == "staging"));
    assert_ne!(
        staging.readiness.total,
        fixture_report(Lang::En, Scope::Workspace).readiness.total
    );
}

#[test]
fn pdf_text_reads_back_in_both_languages() {
    let en = fixture_report(Lang::En, Scope::Workspace);
    let text = pdftotext(&render(&en, Format::Pdf).unwrap());
    for s in [
        "AWS Marketplace listing report",
        "Acme Insights (demo)",
        "Contents",
        "Register as a seller",
        "The certificate is not trusted",
        "Serve the registration page with a certificate from a public CA.",
        "Product created through the Catalog API by the sandbox.",
        &digest::digest(&signed(&en)),
        // The signer's fingerprint on the cover.
        &test_key().fingerprint(),
        "bank-letter.pdf",
        "Test purchases",
        "None recorded.",
        "Page 1 of",
    ] {
        assert!(text.contains(s), "the English PDF lacks {s:?}");
    }
    let ja = fixture_report(Lang::Ja, Scope::Workspace);
    let text = pdftotext(&render(&ja, Format::Pdf).unwrap());
    for s in [
        "AWS Marketplace 掲載レポート",
        "目次",
        "セラー登録",
        "全体の準備状況",
        "不合格",
        "（日本語）Serve the registration page",
        &test_key().fingerprint(),
        "税務書類.txt",
        "記録はありません。",
        "1 / ",
    ] {
        assert!(
            text.contains(s),
            "the Japanese PDF lacks {s:?}:\n{}",
            &text[..text.len().min(2000)]
        );
    }
}

#[test]
fn pdf_has_real_pages_an_outline_and_a_subset_font() {
    let r = fixture_report(Lang::Ja, Scope::Workspace);
    let pdf = render(&r, Format::Pdf).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("r.pdf");
    std::fs::write(&p, &pdf).unwrap();
    let info = std::process::Command::new("pdfinfo")
        .arg(&p)
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&info.stdout).into_owned();
    let pages: u32 = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(pages >= 8, "{info}");
    let text = pdftotext(&pdf);
    assert!(
        text.contains(&format!("{pages} / {pages} ページ")),
        "the last page is numbered"
    );
    let fonts = std::process::Command::new("pdffonts")
        .arg(&p)
        .output()
        .unwrap();
    let fonts = String::from_utf8_lossy(&fonts.stdout).into_owned();
    // A subset font's name carries a six-letter tag (ABCDEF+Name) and "yes" in the sub column.
    assert!(fonts.lines().skip(2).all(|l| l.contains('+')), "{fonts}");
    assert!(
        pdf.len() < 1_500_000,
        "subset font keeps the PDF small ({} bytes)",
        pdf.len()
    );
    assert!(
        pdf.windows(b"/Outlines".len()).any(|w| w == b"/Outlines"),
        "the PDF has bookmarks"
    );
}

#[test]
fn json_export_verifies_and_a_changed_byte_does_not() {
    let r = fixture_report(Lang::En, Scope::Workspace);
    let json = render(&r, Format::Json).unwrap();
    let ok = la_report::verify(&json).unwrap();
    assert_eq!(ok.digest, digest::digest(&signed(&r)));
    assert_eq!(ok.signer, test_key().fingerprint());
    assert_eq!(ok.workspace, "Demo");
    // The HTML cover shows the same digest.
    let html = String::from_utf8(render(&r, Format::Html).unwrap()).unwrap();
    assert!(html.contains(&ok.digest));

    // Change one byte of content: a status.
    let text = String::from_utf8(json.clone()).unwrap();
    let at = text.find("\"status\": \"failed\"").unwrap() + "\"status\": \"".len();
    let mut tampered = json.clone();
    tampered[at] = b'F';
    match la_report::verify(&tampered) {
        Err(VerifyError::Mismatch { stated, computed }) => {
            assert_eq!(stated, ok.digest);
            assert_ne!(computed, stated);
        }
        other => panic!("expected a mismatch, got {other:?}"),
    }
    // Every single byte flipped inside the report's values is caught (or breaks the JSON).
    let start = text.find("\"report\"").unwrap();
    for i in (start..json.len()).step_by(997) {
        let mut t = json.clone();
        if t[i].is_ascii_whitespace() {
            continue;
        }
        t[i] ^= 0x01;
        assert!(
            la_report::verify(&t).is_err(),
            "byte {i} changed and still verified"
        );
    }
    // Re-indenting keeps the content, so it still verifies.
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert!(la_report::verify(serde_json::to_string(&v).unwrap().as_bytes()).is_ok());
}

#[test]
fn export_writes_the_file_and_a_zip_with_the_evidence() {
    // Bound whole: its temp folders live as long as the test.
    let f = fixture_in_temp();
    let (core, ws, out) = (&f.core, f.ws.clone(), &f.out);
    let md = out.path().join("report.md");
    let e = la_report::export(
        core,
        &ws,
        Scope::Workspace,
        Lang::En,
        Format::Md,
        &md,
        false,
    )
    .unwrap();
    assert_eq!(e.evidence_files, 0);
    assert!(std::fs::read_to_string(&md).unwrap().contains(&e.digest));
    let zip_path = out.path().join("report.zip");
    let z = la_report::export(
        core,
        &ws,
        Scope::Workspace,
        Lang::En,
        Format::Json,
        &zip_path,
        true,
    )
    .unwrap();
    assert_eq!(z.evidence_files, 3);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let names: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
        .collect();
    assert!(names.contains(&"report.json".to_string()), "{names:?}");
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("evidence/seller.bank_account/")
                && n.ends_with("-bank-letter.pdf")),
        "{names:?}"
    );
    assert!(names.contains(&"SHA256SUMS".to_string()));
    let mut report = Vec::new();
    std::io::Read::read_to_end(&mut zip.by_name("report.json").unwrap(), &mut report).unwrap();
    assert!(la_report::verify(&report).is_ok());
    // Only the production evidence (none) in a production export.
    let p = out.path().join("prod.zip");
    let z = la_report::export(
        core,
        &ws,
        Scope::Production,
        Lang::En,
        Format::Csv,
        &p,
        true,
    )
    .unwrap();
    assert_eq!(z.evidence_files, 0);
    // A folder that does not exist is a clear error and leaves nothing behind.
    let err = la_report::export(
        core,
        &ws,
        Scope::Workspace,
        Lang::En,
        Format::Html,
        &out.path().join("nope/r.html"),
        false,
    )
    .unwrap_err();
    assert!(err.message.contains("does not exist"), "{}", err.message);
}

#[test]
fn a_tampered_evidence_file_stops_the_zip() {
    // Bound whole: its temp folders live as long as the test.
    let f = fixture_in_temp();
    let (core, ws, out) = (&f.core, f.ws.clone(), &f.out);
    let (ev, stored) = core
        .store()
        .workspace_evidence(&ws)
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    std::fs::write(&stored, b"changed").unwrap();
    // A previous export at the destination survives a failed one, and no temporary file stays.
    std::fs::write(out.path().join("r.zip"), b"previous export").unwrap();
    let err = la_report::export(
        core,
        &ws,
        Scope::Workspace,
        Lang::En,
        Format::Html,
        &out.path().join("r.zip"),
        true,
    )
    .unwrap_err();
    assert!(err.message.contains(&ev.file_name), "{}", err.message);
    assert_eq!(
        std::fs::read(out.path().join("r.zip")).unwrap(),
        b"previous export"
    );
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 1);
}

#[test]
fn test_purchase_sessions_render_in_every_format() {
    use la_report::model::{PurchaseSession, ScenarioVerdict, TimelineEvent};
    let mut r = fixture_report(Lang::En, Scope::Workspace);
    r.purchases.push(PurchaseSession {
        id: "p1".into(),
        env: "staging".into(),
        buyer_account: "********6666".into(),
        started_at: "2026-01-02T03:04:05.000Z".into(),
        tester: "Tess".into(),
        timeline: vec![TimelineEvent {
            at: "2026-01-02T03:05:00.000Z".into(),
            source: "sqs".into(),
            summary: "subscribe-success received".into(),
        }],
        scenarios: vec![ScenarioVerdict {
            scenario_id: "scenario.new_account".into(),
            title: "New account signs up after purchase".into(),
            verdict: "passed".into(),
            note: "Tenant created".into(),
            by: "Tess".into(),
            at: "2026-01-02T03:06:00.000Z".into(),
        }],
    });
    for format in Format::ALL {
        let text = text_of(format, &render(&r, format).unwrap());
        assert!(text.contains("subscribe-success received"), "{format:?}");
        assert!(
            text.contains("New account signs up after purchase"),
            "{format:?}"
        );
        assert!(!text.contains("None recorded."), "{format:?}");
    }
}

#[test]
fn html_is_self_contained() {
    let r = fixture_report(Lang::Ja, Scope::Workspace);
    let html = String::from_utf8(render(&r, Format::Html).unwrap()).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for external in ["<script", "<link", "src=\"http", "url(http", "@import"] {
        assert!(
            !html.contains(external),
            "the HTML reaches outside itself: {external}"
        );
    }
    assert!(
        html.contains("<style>") && html.contains("<svg"),
        "styles and the chart are inline"
    );
    assert!(html.contains("@media print") && html.contains("break-before: page"));
}

#[test]
fn verify_rejects_every_truncation_without_panicking() {
    let r = fixture_report(Lang::En, Scope::Staging);
    let json = render(&r, Format::Json).unwrap();
    for len in (0..json.len() - 2).step_by(37) {
        assert!(
            la_report::verify(&json[..len]).is_err(),
            "a {len}-byte prefix verified"
        );
    }
    assert!(la_report::verify(&json).is_ok());
}

/// Sessions recorded by the test-purchase feature reach the report: the timeline (scrubbed), the
/// automatic verdicts and the scenarios worked in the session, in the session's environment only.
#[test]
fn purchase_sessions_from_the_store_reach_the_report() {
    use la_core::purchase::{EventSource, SessionMode, StepOutcome, TimelineEvent};
    use la_core::service::NewSession;
    let f = fixture_in_temp();
    let s = f
        .core
        .start_session(&NewSession {
            workspace_id: f.ws.clone(),
            env: EnvKind::Staging,
            buyer_account: "444455556666".into(),
            mode: SessionMode::Sandbox,
            delete_messages: false,
        })
        .unwrap();
    f.core
        .store()
        .append_event(
            &s.id,
            &TimelineEvent {
                seq: 1,
                observed_at: "2026-11-23T10:00:01Z".into(),
                occurred_at: Some("2026-11-23T10:00:00Z".into()),
                source: EventSource::Sqs,
                kind: "subscribe-success".into(),
                summary: la_core::checklist::Text::new(
                    "subscribe-success for the buyer",
                    "購入者の subscribe-success",
                ),
                malformed: false,
                raw: "{\"action\":\"subscribe-success\"}".into(),
            },
        )
        .unwrap();
    f.core
        .set_step_result(
            &s.id,
            "existing_user",
            0,
            StepOutcome::Fail,
            "The SaaS showed an error page",
        )
        .unwrap();
    for (lang, title) in [
        (Lang::En, "subscribe-success for the buyer"),
        (Lang::Ja, "購入者の subscribe-success"),
    ] {
        let r = build(
            &f.core,
            &f.ws,
            Scope::Workspace,
            lang,
            "2026-11-23T11:00:00Z",
        )
        .unwrap();
        assert_eq!(r.purchases.len(), 1);
        let p = &r.purchases[0];
        assert_eq!(p.env, "staging");
        assert_eq!(p.buyer_account, "********6666");
        assert_eq!(p.timeline[0].at, "2026-11-23T10:00:00Z");
        // The event's line in the report's language.
        assert_eq!(p.timeline[0].summary, title);
        let sc = p
            .scenarios
            .iter()
            .find(|v| v.scenario_id == "existing_user")
            .expect("the scenario worked in the session");
        assert_eq!(sc.verdict, "failed");
        assert!(sc.note.contains("error page"), "{}", sc.note);
        let html = render(&r, Format::Html).unwrap();
        assert!(String::from_utf8_lossy(&html).contains("error page"));
    }
    let prod = build(
        &f.core,
        &f.ws,
        Scope::Production,
        Lang::En,
        "2026-11-23T11:00:00Z",
    )
    .unwrap();
    assert!(prod.purchases.is_empty());
}

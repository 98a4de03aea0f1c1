//! A workspace with something in every section of a report: the Demo workspace (statuses, a
//! waiver, N/A) plus evidence files, a failed item, and a check run with a pass and a fail.

#![allow(dead_code, clippy::unwrap_used)]

use la_core::checklist::Text;
use la_core::model::*;
use la_core::service::Core;
use la_report::{Format, Report};
use std::path::Path;

/// A fixed signing key, so signed renderings (goldens) are the same on every run: Ed25519 is
/// deterministic.
pub fn test_key() -> la_core::signing::SigningKey {
    la_core::signing::SigningKey::from_seed(&la_core::secrets::Sensitive::new([42u8; 32]))
}

pub use la_testkit::core::{demo_id, open};

pub fn status(core: &Core, ws: &str, item: &str, s: ItemStatus, note: &str, reason: Option<&str>) {
    core.set_item_status(&StatusChange {
        workspace_id: ws.into(),
        item_id: item.into(),
        status: s,
        note: note.into(),
        waiver_reason: reason.map(str::to_string),
    })
    .unwrap();
}

pub fn evidence(core: &Core, ws: &str, item: &str, dir: &Path, name: &str, body: &[u8]) {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    core.add_evidence(ws, item, &p).unwrap();
}

pub fn check(
    id: &str,
    status: CheckStatus,
    summary: &str,
    details: &str,
    advice: &str,
) -> CheckResult {
    CheckResult {
        id: id.into(),
        status,
        summary: Text {
            en: summary.into(),
            ja: format!("（日本語）{summary}"),
        },
        details: Text {
            en: details.into(),
            ja: if details.is_empty() {
                String::new()
            } else {
                format!("（日本語）{details}")
            },
        },
        advice: Text {
            en: advice.into(),
            ja: format!("（日本語）{advice}"),
        },
        duration_ms: 12,
        evidence: vec![],
    }
}

/// The fixture: Demo plus evidence, a failure, a check run.
pub fn fixture(core: &Core, files: &Path) -> String {
    let ws = demo_id(core);
    core.set_preferences(&Preferences {
        actor: "Reviewer Rei".into(),
        ..core.preferences().unwrap()
    })
    .unwrap();
    evidence(
        core,
        &ws,
        "seller.public_profile",
        files,
        "profile.png",
        b"png bytes",
    );
    evidence(
        core,
        &ws,
        "seller.bank_account",
        files,
        "bank-letter.pdf",
        b"%PDF-1.7 letter",
    );
    evidence(
        core,
        &ws,
        "seller.bank_account",
        files,
        "税務書類.txt",
        "税務".as_bytes(),
    );
    status(
        core,
        &ws,
        "staging.saas.support_contact",
        ItemStatus::Failed,
        "No support e-mail on the plan page yet, | pipe, \"quotes\", =formula",
        None,
    );
    let results = vec![
        check(
            "catalog.product_exists",
            CheckStatus::Pass,
            "prod-demostg4a7k2q is a SaaSProduct (Limited)",
            "",
            "Nothing to do.",
        ),
        check(
            "registration.https",
            CheckStatus::Fail,
            "The certificate is not trusted",
            "unable to get local issuer certificate",
            "Serve the registration page with a certificate from a public CA.",
        ),
    ];
    let run = core.start_check_run(&ws, EnvKind::Staging, 2).unwrap();
    for r in &results {
        core.record_check_result(&run.id, r).unwrap();
    }
    core.finish_check_run(&run, &results, CheckRunState::Finished)
        .unwrap();
    ws
}

/// The fixture in its own temp folders (kept alive as long as this is).
pub struct Fixture {
    pub core: Core,
    pub ws: String,
    /// A folder to write exports into.
    pub out: tempfile::TempDir,
    _data: tempfile::TempDir,
    _files: tempfile::TempDir,
}

pub fn fixture_in_temp() -> Fixture {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let core = open(data.path());
    let ws = fixture(&core, files.path());
    Fixture {
        core,
        ws,
        out: tempfile::tempdir().unwrap(),
        _data: data,
        _files: files,
    }
}

/// Dates and ids differ on every run: the same fixed values everywhere, so renderings compare.
pub fn normalised(report: &Report) -> Report {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => *s = normalise_text(s),
            serde_json::Value::Array(a) => a.iter_mut().for_each(walk),
            serde_json::Value::Object(o) => o.values_mut().for_each(walk),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(report).unwrap();
    walk(&mut v);
    serde_json::from_value(v).unwrap()
}

/// ISO timestamps → 2026-01-02T03:04:05.000Z, UUIDs → 00000000-…, the version → 0.0.0.
pub fn normalise_text(s: &str) -> String {
    let b: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let is_ts = |w: &[char]| {
        w.len() >= 20
            && w[4] == '-'
            && w[7] == '-'
            && w[10] == 'T'
            && w[13] == ':'
            && [0, 1, 2, 3, 5, 6, 8, 9, 11, 12]
                .iter()
                .all(|&k| w[k].is_ascii_digit())
    };
    let is_uuid = |w: &[char]| {
        w.len() >= 36
            && [8, 13, 18, 23].iter().all(|&k| w[k] == '-')
            && w[..36]
                .iter()
                .enumerate()
                .all(|(k, c)| [8, 13, 18, 23].contains(&k) || c.is_ascii_hexdigit())
    };
    while i < b.len() {
        if is_ts(&b[i..]) {
            let mut j = i + 19;
            while j < b.len() && (b[j] == '.' || b[j].is_ascii_digit()) {
                j += 1;
            }
            if j < b.len() && b[j] == 'Z' {
                j += 1;
            }
            out.push_str("2026-01-02T03:04:05.000Z");
            i = j;
        } else if is_uuid(&b[i..]) {
            out.push_str("00000000-0000-4000-8000-000000000000");
            i += 36;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out.replace(
        &format!("Listing Assistant {}", env!("CARGO_PKG_VERSION")),
        "Listing Assistant 0.0.0",
    )
}

pub fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("r.pdf");
    std::fs::write(&p, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&p)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed by scripts/install-deps.sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn text_of(format: Format, bytes: &[u8]) -> String {
    match format {
        Format::Pdf => pdftotext(bytes),
        _ => String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

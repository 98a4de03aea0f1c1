//! What every human-readable renderer shows the same way: the environment rows, the summary
//! table's columns and values, the scope and readiness lines.

use crate::labels::{fill, Lang, Words};
use crate::model::*;

/// The environment table: (label key, value) in display order.
pub fn environment_rows(e: &EnvironmentInfo, lang: Lang) -> [(&'static str, String); 10] {
    [
        ("mode", lang.value("mode", &e.mode).into()),
        ("seller_account", e.seller_account.clone()),
        ("region", e.region.clone()),
        ("product_id", e.product_id.clone()),
        ("product_code", e.product_code.clone()),
        (
            "pricing_model",
            lang.value("pricing", &e.pricing_model).into(),
        ),
        (
            "integration_style",
            lang.value("integration", &e.integration_style).into(),
        ),
        ("fulfillment_url", e.fulfillment_url.clone()),
        ("test_buyers", e.test_buyers.join(", ")),
        (
            "credentials",
            lang.value("credentials", &e.credentials).into(),
        ),
    ]
}

/// The cover's signer line: the signing key's fingerprint, or "not signed" in a preview.
pub fn signer(report: &Report, lang: Lang) -> String {
    if report.signer.is_empty() {
        lang.t("unsigned").to_string()
    } else {
        report.signer.clone()
    }
}

/// The summary table's number columns, after the phase title.
pub fn summary_columns(lang: Lang) -> [&'static str; 8] {
    [
        lang.value("status", "passed"),
        lang.value("status", "waived"),
        lang.value("status", "not_applicable"),
        lang.value("status", "failed"),
        lang.value("status", "in_progress"),
        lang.value("status", "not_started"),
        lang.t("total"),
        "%",
    ]
}

pub fn summary_values(p: &PhaseSummary) -> [u32; 8] {
    let c = &p.counts;
    [
        c.passed,
        c.waived,
        c.not_applicable,
        c.failed,
        c.in_progress,
        c.not_started,
        p.total,
        p.percent,
    ]
}

pub fn scope_label(report: &Report, lang: Lang) -> &'static str {
    if report.scope == "workspace" {
        lang.t("scope_workspace")
    } else {
        lang.value("env", &report.scope)
    }
}

/// "12 of 88 items done (13%)".
pub fn items_done(r: &Readiness, lang: Lang) -> String {
    fill(
        lang.t("items_done"),
        &[
            ("done", r.done.to_string()),
            ("total", r.total.to_string()),
            ("percent", r.percent.to_string()),
        ],
    )
}

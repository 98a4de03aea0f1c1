//! The CSV report (RFC 4180) for spreadsheets: one `item` row per checklist item, one
//! `evidence` row per file under it, and `timeline`/`scenario` rows for test purchases. Column
//! names are stable ids (scripts read either language); the values are in the report's language.
//! A UTF-8 byte order mark lets Excel read Japanese.

use crate::labels::{when, Lang, Words};
use crate::model::*;

const COLUMNS: &[&str] = &[
    "record",
    "phase",
    "step",
    "item_id",
    "item",
    "kind",
    "category",
    "status",
    "updated_by",
    "updated_at",
    "note",
    "waiver_reason",
    "check_id",
    "check_status",
    "check_summary",
    "check_advice",
    "checked_at",
    "evidence_file",
    "sha256",
    "size_bytes",
];

/// One field, quoted when needed. A leading `=`, `+`, `-` or `@` would run as a formula in a
/// spreadsheet: such text gets a `'` in front (OWASP's advice for CSV injection).
fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn row(out: &mut String, fields: &[&str]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&field(f));
    }
    out.push_str("\r\n");
}

pub fn render(report: &Report) -> String {
    let lang = Lang::from_code(&report.language);
    let mut out = String::from("\u{feff}");
    row(&mut out, COLUMNS);
    for p in &report.phases {
        for s in &p.steps {
            let step = format!("{} {} — {}", lang.t("step"), s.number, s.title);
            for item in &s.items {
                let (cid, cstatus, csummary, cadvice, cat) = match &item.check {
                    Some(c) => (
                        c.check_id.as_str(),
                        lang.value("check", &c.status),
                        c.summary.as_str(),
                        c.advice.as_str(),
                        when(&c.at),
                    ),
                    None => ("", "", "", "", String::new()),
                };
                let updated_at = item.updated_at.as_deref().map(when).unwrap_or_default();
                row(
                    &mut out,
                    &[
                        "item",
                        &p.title,
                        &step,
                        &item.id,
                        &item.title,
                        lang.value("kind", &item.kind),
                        &item.category,
                        lang.value("status", &item.status),
                        item.updated_by.as_deref().unwrap_or(""),
                        &updated_at,
                        &item.note,
                        item.waiver_reason.as_deref().unwrap_or(""),
                        cid,
                        cstatus,
                        csummary,
                        cadvice,
                        &cat,
                        "",
                        "",
                        "",
                    ],
                );
                for e in &item.evidence {
                    let added = when(&e.added_at);
                    let size = e.size.to_string();
                    row(
                        &mut out,
                        &[
                            "evidence",
                            &p.title,
                            &step,
                            &item.id,
                            &item.title,
                            "",
                            "",
                            "",
                            &e.added_by,
                            &added,
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            &e.file_name,
                            &e.sha256,
                            &size,
                        ],
                    );
                }
            }
        }
    }
    // Test purchases: one row per timeline event and per scenario verdict.
    let purchases = lang.t("purchases");
    for p in &report.purchases {
        let session = format!(
            "{} · {} {}",
            lang.value("env", &p.env),
            lang.t("buyer"),
            p.buyer_account
        );
        for e in &p.timeline {
            let at = when(&e.at);
            let mut cells = vec![""; COLUMNS.len()];
            cells[0] = "timeline";
            cells[1] = purchases;
            cells[2] = &session;
            cells[4] = &e.summary;
            cells[6] = &e.source;
            cells[9] = &at;
            row(&mut out, &cells);
        }
        for v in &p.scenarios {
            let at = when(&v.at);
            let mut cells = vec![""; COLUMNS.len()];
            cells[0] = "scenario";
            cells[1] = purchases;
            cells[2] = &session;
            cells[3] = &v.scenario_id;
            cells[4] = &v.title;
            cells[7] = lang.value("scenario", &v.verdict);
            cells[8] = &v.by;
            cells[9] = &at;
            cells[10] = &v.note;
            row(&mut out, &cells);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_defuses_formulas() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("plain"), "plain");
    }
}

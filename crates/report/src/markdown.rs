//! The Markdown report (CommonMark with GitHub tables): for a pull request, a wiki or an e-mail.

use crate::labels::{size, when, Lang, Words};
use crate::model::*;
use crate::view;
use std::fmt::Write;

/// A table cell: one line, pipes and markup characters escaped.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Running text: markup characters escaped, line breaks kept as Markdown hard breaks.
fn para(s: &str) -> String {
    cell(s)
}

/// A heading anchor the way GitHub makes them is language-dependent; ids are stable, so the
/// contents link to explicit anchors instead.
fn anchor(id: &str) -> String {
    format!(
        "<a id=\"{}\"></a>",
        id.replace(
            |c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_' && c != '.',
            "-"
        )
    )
}

pub fn render(report: &Report, digest: &str) -> String {
    let lang = Lang::from_code(&report.language);
    let t = |k| lang.t(k);
    let mut m = String::with_capacity(32 * 1024);
    let _ = writeln!(
        m,
        "# {} — {}\n",
        t("title"),
        para(&report.workspace.product_name)
    );
    let scope = view::scope_label(report, lang);
    let _ = writeln!(
        m,
        "- **{}:** {}{}",
        t("workspace"),
        para(&report.workspace.name),
        if report.workspace.is_demo {
            format!(" ({})", t("demo"))
        } else {
            String::new()
        }
    );
    let _ = writeln!(m, "- **{}:** {}", t("scope"), scope);
    let _ = writeln!(
        m,
        "- **{}:** {}",
        t("generated"),
        when(&report.generated_at)
    );
    let _ = writeln!(m, "- **{}:** {}", t("generator"), para(&report.generator));
    let r = &report.readiness;
    let _ = writeln!(
        m,
        "- **{}:** {} — {}",
        t("readiness"),
        lang.value("verdict", &r.verdict),
        view::items_done(r, lang)
    );
    let _ = writeln!(m, "- **{}:** `{}`\n", t("digest"), digest);
    let _ = writeln!(m, "> {}\n", t("digest_note"));
    let _ = writeln!(
        m,
        "- **{}:** `{}`\n",
        t("signer"),
        view::signer(report, lang)
    );
    let _ = writeln!(m, "> {}\n", t("signer_note"));

    let _ = writeln!(m, "## {}\n", t("environments"));
    let _ = write!(m, "| |");
    for e in &report.environments {
        let _ = write!(m, " {} |", lang.value("env", &e.kind));
    }
    let _ = write!(m, "\n|---|");
    for _ in &report.environments {
        m.push_str("---|");
    }
    m.push('\n');
    let labels = report
        .environments
        .first()
        .map(|e| view::environment_rows(e, lang).map(|r| r.0))
        .unwrap_or_default();
    for (i, label) in labels.iter().enumerate() {
        let _ = write!(m, "| {} |", t(label));
        for e in &report.environments {
            let _ = write!(m, " {} |", cell(&view::environment_rows(e, lang)[i].1));
        }
        m.push('\n');
    }

    let _ = writeln!(m, "\n## {}\n", t("contents"));
    let _ = writeln!(m, "- [{}](#summary)", t("summary"));
    for p in &report.phases {
        let _ = writeln!(m, "- [{}](#{})", para(&p.title), p.id);
        for s in &p.steps {
            let _ = writeln!(
                m,
                "  - [{} {} — {}](#{}) ({}/{})",
                t("step"),
                s.number,
                para(&s.title),
                s.id,
                s.done,
                s.total
            );
        }
    }
    let _ = writeln!(m, "- [{}](#purchases)", t("purchases"));

    let _ = writeln!(m, "\n{}\n## {}\n", anchor("summary"), t("summary"));
    let _ = write!(m, "| {} |", t("phase"));
    for c in view::summary_columns(lang) {
        let _ = write!(m, " {c} |");
    }
    let _ = writeln!(m, " {} |", t("progress"));
    m.push_str("|---|--:|--:|--:|--:|--:|--:|--:|--:|---|\n");
    for p in &report.summary {
        let _ = write!(m, "| {} |", cell(&p.title));
        for v in view::summary_values(p) {
            let _ = write!(m, " {v} |");
        }
        let filled = (p.percent as usize).div_ceil(10).min(10);
        let _ = writeln!(m, " `{}{}` |", "█".repeat(filled), "░".repeat(10 - filled));
    }

    for p in &report.phases {
        let _ = writeln!(
            m,
            "\n{}\n## {}\n\n{}",
            anchor(&p.id),
            para(&p.title),
            para(&p.summary)
        );
        for s in &p.steps {
            let _ = writeln!(
                m,
                "\n{}\n### {} {} — {} ({}, {}/{})",
                anchor(&s.id),
                t("step"),
                s.number,
                para(&s.title),
                lang.value("env", &s.env),
                s.done,
                s.total
            );
            for item in &s.items {
                item_md(&mut m, item, lang);
            }
        }
    }

    let _ = writeln!(m, "\n{}\n## {}\n", anchor("purchases"), t("purchases"));
    if report.purchases.is_empty() {
        let _ = writeln!(m, "{}", t("none_recorded"));
    }
    for p in &report.purchases {
        let _ = writeln!(
            m,
            "### {} · {} `{}`\n\n{} · {}: {}\n\n#### {}\n\n| {} | {} | {} |\n|---|---|---|",
            lang.value("env", &p.env),
            t("buyer"),
            p.buyer_account,
            when(&p.started_at),
            t("tester"),
            para(&p.tester),
            t("timeline"),
            t("when"),
            t("source"),
            t("what")
        );
        for e in &p.timeline {
            let _ = writeln!(
                m,
                "| {} | {} | {} |",
                when(&e.at),
                cell(&e.source),
                cell(&e.summary)
            );
        }
        let _ = writeln!(
            m,
            "\n#### {}\n\n| {} | {} | {} | {} |\n|---|---|---|---|",
            t("scenarios"),
            t("item"),
            t("verdict"),
            t("who"),
            t("note")
        );
        for s in &p.scenarios {
            let _ = writeln!(
                m,
                "| {} | {} | {} · {} | {} |",
                cell(&s.title),
                lang.value("scenario", &s.verdict),
                cell(&s.by),
                when(&s.at),
                cell(&s.note)
            );
        }
    }
    let _ = writeln!(
        m,
        "\n---\n{} · {}: `{}`",
        para(&report.generator),
        t("digest"),
        digest
    );
    m
}

fn item_md(m: &mut String, item: &ItemSection, lang: Lang) {
    let t = |k| lang.t(k);
    let _ = writeln!(
        m,
        "\n#### {} — **{}**\n\n`{}` · {} · {}",
        para(&item.title),
        lang.value("status", &item.status),
        item.id,
        lang.value("kind", &item.kind),
        item.category
    );
    if let (Some(by), Some(at)) = (&item.updated_by, &item.updated_at) {
        let _ = writeln!(
            m,
            "· {}: {} {} {}",
            t("updated"),
            when(at),
            t("by"),
            para(by)
        );
    }
    if !item.note.is_empty() {
        let _ = writeln!(m, "\n**{}:** {}", t("note"), para(&item.note));
    }
    if let Some(w) = &item.waiver_reason {
        let _ = writeln!(m, "\n**{}:** {}", t("waiver_reason"), para(w));
    }
    if let Some(c) = &item.check {
        let _ = writeln!(
            m,
            "\n**{}:** `{}` — **{}** ({}, {} `{}`): {}",
            t("latest_check"),
            c.check_id,
            lang.value("check", &c.status),
            when(&c.at),
            t("run"),
            c.run_id,
            para(&c.summary)
        );
        if !c.details.is_empty() {
            let _ = writeln!(m, "\n{}: {}", t("details"), para(&c.details));
        }
        if !c.advice.is_empty() {
            let _ = writeln!(m, "\n{}: {}", t("advice"), para(&c.advice));
        }
    }
    if !item.evidence.is_empty() {
        let _ = writeln!(
            m,
            "\n| {} | SHA-256 | {} | {} |\n|---|---|--:|---|",
            t("evidence"),
            t("size"),
            t("added")
        );
        for e in &item.evidence {
            let _ = writeln!(
                m,
                "| {} | `{}` | {} | {} · {} |",
                cell(&e.file_name),
                e.sha256,
                size(e.size),
                when(&e.added_at),
                cell(&e.added_by)
            );
        }
    }
    if !item.history.is_empty() {
        let _ = writeln!(
            m,
            "\n| {} | {} | {} | {} |\n|---|---|---|---|",
            t("when"),
            t("who"),
            t("history"),
            t("note")
        );
        for r in &item.history {
            let mut note = cell(&r.note);
            if let Some(w) = &r.waiver_reason {
                if !note.is_empty() {
                    note.push_str(" — ");
                }
                note.push_str(&format!("{}: {}", t("waiver_reason"), cell(w)));
            }
            let _ = writeln!(
                m,
                "| {} | {} ({}) | {} → {} | {} |",
                when(&r.at),
                cell(&r.actor),
                lang.value("source", &r.source),
                lang.value("status", &r.from),
                lang.value("status", &r.to),
                note
            );
        }
    }
}

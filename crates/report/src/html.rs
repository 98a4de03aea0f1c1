//! The HTML report: one self-contained file (styles inline, the progress chart as inline SVG, no
//! scripts, no external requests) that reads well on screen and prints on A4 with each phase on
//! a new page. The app previews exactly this.

use crate::labels::{size, when, Lang, Words};
use crate::model::*;
use crate::view;
use std::fmt::Write;

pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { --fg:#1b1f24; --muted:#59636e; --line:#d0d7de; --bg-soft:#f6f8fa; --pass:#1a7f37; --fail:#cf222e; --warn:#9a6700; --wait:#59636e; --accent:#0969da; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", sans-serif; color: var(--fg); margin: 0 auto; max-width: 60rem; padding: 2rem 1.5rem; line-height: 1.5; font-size: 14px; }
h1 { font-size: 1.8rem; margin: 0 0 .25rem; }
h2 { font-size: 1.35rem; border-bottom: 2px solid var(--line); padding-bottom: .3rem; margin-top: 2.5rem; }
h3 { font-size: 1.1rem; margin: 1.8rem 0 .6rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--bg-soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .hash { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .85em; word-break: break-all; }
.cover { border: 1px solid var(--line); border-radius: 8px; padding: 1.5rem; }
.cover dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 1rem 0; }
.cover dt { color: var(--muted); }
.cover dd { margin: 0; }
.verdict { display: inline-block; font-weight: 700; padding: .15rem .6rem; border-radius: 999px; color: #fff; }
.verdict.ready, .badge.passed, .badge.pass { background: var(--pass); }
.verdict.failing, .badge.failed, .badge.fail, .badge.error { background: var(--fail); }
.verdict.in_progress, .badge.in_progress, .badge.warn { background: var(--warn); }
.badge { display: inline-block; font-size: .8rem; font-weight: 600; padding: .05rem .5rem; border-radius: 999px; color: #fff; background: var(--wait); white-space: nowrap; }
.badge.waived, .badge.not_applicable, .badge.skipped { background: #6e40c9; }
.digest { background: var(--bg-soft); border-radius: 6px; padding: .6rem .8rem; margin-top: 1rem; }
.digest .hash { font-size: .95rem; }
.muted { color: var(--muted); }
.bar { height: .6rem; background: var(--bg-soft); border-radius: 999px; overflow: hidden; border: 1px solid var(--line); }
.bar > span { display: block; height: 100%; background: var(--pass); }
nav.toc ol { padding-left: 1.2rem; }
nav.toc a { color: var(--accent); text-decoration: none; }
.item { border: 1px solid var(--line); border-left: 4px solid var(--wait); border-radius: 6px; padding: .6rem .9rem; margin: .7rem 0; }
.item.passed { border-left-color: var(--pass); } .item.failed { border-left-color: var(--fail); }
.item.waived, .item.not_applicable { border-left-color: #6e40c9; } .item.in_progress { border-left-color: var(--warn); }
.item header { display: flex; gap: .6rem; align-items: baseline; justify-content: space-between; }
.item h4 { margin: 0; font-size: 1rem; }
.item .meta { color: var(--muted); font-size: .85rem; margin: .2rem 0 .4rem; }
.item p { margin: .3rem 0; }
.item table { font-size: .85rem; }
.check { background: var(--bg-soft); border-radius: 6px; padding: .4rem .6rem; margin: .4rem 0; }
.label { font-weight: 600; }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  section.phase, section.purchases { break-before: page; }
  .item, .cover, tr { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// The progress chart: one horizontal bar per phase, passed/waived/failed/in progress stacked.
pub fn chart_svg(report: &Report, lang: Lang) -> String {
    let row_h = 28;
    let label_w = 190;
    let bar_w = 420;
    let h = row_h * report.summary.len() as i32 + 10;
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{}" viewBox="0 0 {} {h}" width="100%" style="max-width:{}px">"#,
        esc(lang.t("progress_chart")),
        label_w + bar_w + 70,
        label_w + bar_w + 70
    );
    for (i, p) in report.summary.iter().enumerate() {
        let y = i as i32 * row_h + 5;
        let _ = write!(
            s,
            r##"<text x="0" y="{}" font-size="13" fill="currentColor">{}</text><rect x="{label_w}" y="{y}" width="{bar_w}" height="18" rx="4" fill="#eaeef2"/>"##,
            y + 14,
            esc(&p.title)
        );
        let total = p.total.max(1) as f64;
        let mut x = label_w as f64;
        for (n, color) in [
            (p.counts.passed, "#1a7f37"),
            (p.counts.waived + p.counts.not_applicable, "#6e40c9"),
            (p.counts.failed, "#cf222e"),
            (p.counts.in_progress, "#bf8700"),
        ] {
            if n == 0 {
                continue;
            }
            let w = f64::from(n) / total * f64::from(bar_w);
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{y}" width="{w:.1}" height="18" fill="{color}"/>"#
            );
            x += w;
        }
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" font-size="13" fill="currentColor">{}%</text>"#,
            label_w + bar_w + 8,
            y + 14,
            p.percent
        );
    }
    s.push_str("</svg>");
    s
}

pub fn render(report: &Report, digest: &str) -> String {
    let lang = Lang::from_code(&report.language);
    let t = |k| lang.t(k);
    let mut h = String::with_capacity(64 * 1024);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"generator\" content=\"{}\"><title>{} — {}</title><style>{STYLE}</style></head><body>\n",
        lang.code(),
        esc(&report.generator),
        esc(t("title")),
        esc(&report.workspace.product_name)
    );

    // Cover.
    let scope = view::scope_label(report, lang);
    let _ = write!(
        h,
        "<section class=\"cover\"><p class=\"muted\">{}</p><h1>{}</h1><dl><dt>{}</dt><dd>{}{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd></dl>",
        esc(t("title")),
        esc(&report.workspace.product_name),
        esc(t("workspace")),
        esc(&report.workspace.name),
        if report.workspace.is_demo {
            format!(" <span class=\"muted\">({})</span>", esc(t("demo")))
        } else {
            String::new()
        },
        esc(t("scope")),
        esc(scope),
        esc(t("generated")),
        esc(&when(&report.generated_at)),
        esc(t("generator")),
        esc(&report.generator),
    );
    let r = &report.readiness;
    let _ = write!(
        h,
        "<h2 style=\"margin-top:1rem\">{}</h2><p><span class=\"verdict {}\">{}</span> {}</p><div class=\"bar\"><span style=\"width:{}%\"></span></div>",
        esc(t("readiness")),
        esc(&r.verdict),
        esc(lang.value("verdict", &r.verdict)),
        esc(&view::items_done(r, lang)),
        r.percent
    );
    let _ = write!(
        h,
        "<div class=\"digest\"><div class=\"label\">{}</div><div class=\"hash\" id=\"digest\">{}</div><div class=\"muted\">{}</div></div>",
        esc(t("digest")),
        esc(digest),
        esc(t("digest_note"))
    );
    let _ = write!(
        h,
        "<div class=\"digest\"><div class=\"label\">{}</div><div class=\"hash\" id=\"signer\">{}</div><div class=\"muted\">{}</div></div>",
        esc(t("signer")),
        esc(&view::signer(report, lang)),
        esc(t("signer_note"))
    );
    environments_table(&mut h, report, lang);
    h.push_str("</section>\n");

    // Contents.
    let _ = write!(h, "<nav class=\"toc\"><h2>{}</h2><ol>", esc(t("contents")));
    let _ = write!(h, "<li><a href=\"#summary\">{}</a></li>", esc(t("summary")));
    for p in &report.phases {
        let _ = write!(
            h,
            "<li><a href=\"#{}\">{}</a><ol>",
            esc(&p.id),
            esc(&p.title)
        );
        for s in &p.steps {
            let _ = write!(
                h,
                "<li><a href=\"#{}\">{} {} — {}</a> <span class=\"muted\">{}/{}</span></li>",
                esc(&s.id),
                esc(t("step")),
                s.number,
                esc(&s.title),
                s.done,
                s.total
            );
        }
        h.push_str("</ol></li>");
    }
    let _ = writeln!(
        h,
        "<li><a href=\"#purchases\">{}</a></li></ol></nav>",
        esc(t("purchases"))
    );

    // Summary.
    let _ = write!(
        h,
        "<section id=\"summary\"><h2>{}</h2><table><thead><tr><th>{}</th>",
        esc(t("summary")),
        esc(t("phase"))
    );
    for c in view::summary_columns(lang) {
        let _ = write!(h, "<th class=\"num\">{}</th>", esc(c));
    }
    h.push_str("</tr></thead><tbody>");
    for p in &report.summary {
        let _ = write!(h, "<tr><td>{}</td>", esc(&p.title));
        for v in view::summary_values(p) {
            let _ = write!(h, "<td class=\"num\">{v}</td>");
        }
        h.push_str("</tr>");
    }
    let _ = writeln!(
        h,
        "</tbody></table><h3>{}</h3>{}</section>",
        esc(t("progress_chart")),
        chart_svg(report, lang)
    );

    for p in &report.phases {
        let _ = write!(
            h,
            "<section class=\"phase\" id=\"{}\"><h2>{}</h2><p class=\"muted\">{}</p>",
            esc(&p.id),
            esc(&p.title),
            esc(&p.summary)
        );
        for s in &p.steps {
            let _ = write!(
                h,
                "<h3 id=\"{}\">{} {} — {} <span class=\"muted\">({}, {}/{})</span></h3>",
                esc(&s.id),
                esc(t("step")),
                s.number,
                esc(&s.title),
                esc(lang.value("env", &s.env)),
                s.done,
                s.total
            );
            for item in &s.items {
                item_html(&mut h, item, lang);
            }
        }
        h.push_str("</section>\n");
    }

    purchases_html(&mut h, report, lang);
    let _ = writeln!(
        h,
        "<footer class=\"muted\"><p>{} · {}: <span class=\"hash\">{}</span></p></footer></body></html>",
        esc(&report.generator),
        esc(t("digest")),
        esc(digest)
    );
    h
}

fn environments_table(h: &mut String, report: &Report, lang: Lang) {
    let t = |k| lang.t(k);
    let _ = write!(
        h,
        "<h2>{}</h2><table><thead><tr><th></th>",
        esc(t("environments"))
    );
    for e in &report.environments {
        let _ = write!(h, "<th>{}</th>", esc(lang.value("env", &e.kind)));
    }
    h.push_str("</tr></thead><tbody>");
    let labels = report
        .environments
        .first()
        .map(|e| view::environment_rows(e, lang).map(|r| r.0))
        .unwrap_or_default();
    for (i, label) in labels.iter().enumerate() {
        let _ = write!(h, "<tr><th>{}</th>", esc(t(label)));
        for e in &report.environments {
            let _ = write!(
                h,
                "<td><code>{}</code></td>",
                esc(&view::environment_rows(e, lang)[i].1)
            );
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table>");
}

fn item_html(h: &mut String, item: &ItemSection, lang: Lang) {
    let t = |k| lang.t(k);
    let _ = write!(
        h,
        "<article class=\"item {}\" id=\"item-{}\"><header><h4>{}</h4><span class=\"badge {}\">{}</span></header><div class=\"meta\"><code>{}</code> · {} · {}",
        esc(&item.status),
        esc(&item.id),
        esc(&item.title),
        esc(&item.status),
        esc(lang.value("status", &item.status)),
        esc(&item.id),
        esc(lang.value("kind", &item.kind)),
        esc(&item.category)
    );
    if let (Some(by), Some(at)) = (&item.updated_by, &item.updated_at) {
        let _ = write!(
            h,
            " · {}: {} {} {}",
            esc(t("updated")),
            esc(&when(at)),
            esc(t("by")),
            esc(by)
        );
    }
    h.push_str("</div>");
    if !item.note.is_empty() {
        let _ = write!(
            h,
            "<p><span class=\"label\">{}:</span> {}</p>",
            esc(t("note")),
            esc(&item.note)
        );
    }
    if let Some(w) = &item.waiver_reason {
        let _ = write!(
            h,
            "<p><span class=\"label\">{}:</span> {}</p>",
            esc(t("waiver_reason")),
            esc(w)
        );
    }
    if let Some(c) = &item.check {
        let _ = write!(
            h,
            "<div class=\"check\"><span class=\"label\">{}</span> <code>{}</code> <span class=\"badge {}\">{}</span> <span class=\"muted\">{} · {} {}</span><p>{}</p>",
            esc(t("latest_check")),
            esc(&c.check_id),
            esc(&c.status),
            esc(lang.value("check", &c.status)),
            esc(&when(&c.at)),
            esc(t("run")),
            esc(&c.run_id),
            esc(&c.summary)
        );
        if !c.details.is_empty() {
            let _ = write!(
                h,
                "<p><span class=\"label\">{}:</span> {}</p>",
                esc(t("details")),
                esc(&c.details)
            );
        }
        if !c.advice.is_empty() {
            let _ = write!(
                h,
                "<p><span class=\"label\">{}:</span> {}</p>",
                esc(t("advice")),
                esc(&c.advice)
            );
        }
        h.push_str("</div>");
    }
    if !item.evidence.is_empty() {
        let _ = write!(
            h,
            "<table><thead><tr><th>{}</th><th>SHA-256</th><th class=\"num\">{}</th><th>{}</th></tr></thead><tbody>",
            esc(t("evidence")),
            esc(t("size")),
            esc(t("added"))
        );
        for e in &item.evidence {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"hash\">{}</td><td class=\"num\">{}</td><td>{} · {}</td></tr>",
                esc(&e.file_name),
                esc(&e.sha256),
                esc(&size(e.size)),
                esc(&when(&e.added_at)),
                esc(&e.added_by)
            );
        }
        h.push_str("</tbody></table>");
    }
    if !item.history.is_empty() {
        let _ = write!(
            h,
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            esc(t("when")),
            esc(t("who")),
            esc(t("history")),
            esc(t("note"))
        );
        for r in &item.history {
            let mut note = r.note.clone();
            if let Some(w) = &r.waiver_reason {
                if !note.is_empty() {
                    note.push_str(" — ");
                }
                note.push_str(&format!("{}: {w}", t("waiver_reason")));
            }
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{} <span class=\"muted\">({})</span></td><td>{} → {}</td><td>{}</td></tr>",
                esc(&when(&r.at)),
                esc(&r.actor),
                esc(lang.value("source", &r.source)),
                esc(lang.value("status", &r.from)),
                esc(lang.value("status", &r.to)),
                esc(&note)
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</article>\n");
}

fn purchases_html(h: &mut String, report: &Report, lang: Lang) {
    let t = |k| lang.t(k);
    let _ = write!(
        h,
        "<section class=\"purchases\" id=\"purchases\"><h2>{}</h2>",
        esc(t("purchases"))
    );
    if report.purchases.is_empty() {
        let _ = write!(h, "<p class=\"muted\">{}</p>", esc(t("none_recorded")));
    }
    for p in &report.purchases {
        let _ = write!(
            h,
            "<h3>{} · {} <code>{}</code></h3><p class=\"muted\">{} · {}: {}</p><h4>{}</h4><table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            esc(lang.value("env", &p.env)),
            esc(t("buyer")),
            esc(&p.buyer_account),
            esc(&when(&p.started_at)),
            esc(t("tester")),
            esc(&p.tester),
            esc(t("timeline")),
            esc(t("when")),
            esc(t("source")),
            esc(t("what"))
        );
        for e in &p.timeline {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&when(&e.at)),
                esc(&e.source),
                esc(&e.summary)
            );
        }
        let _ = write!(
            h,
            "</tbody></table><h4>{}</h4><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            esc(t("scenarios")),
            esc(t("item")),
            esc(t("verdict")),
            esc(t("who")),
            esc(t("note"))
        );
        for s in &p.scenarios {
            let _ = write!(
                h,
                "<tr><td>{}</td><td><span class=\"badge {}\">{}</span></td><td>{} · {}</td><td>{}</td></tr>",
                esc(&s.title),
                esc(&s.verdict),
                esc(lang.value("scenario", &s.verdict)),
                esc(&s.by),
                esc(&when(&s.at)),
                esc(&s.note)
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</section>\n");
}

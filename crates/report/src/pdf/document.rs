//! The report laid out: cover, contents, summary and chart, then each phase, step and item.

use super::*;

/// Renders the report as PDF bytes.
pub fn render(report: &Report, digest: &str, font: &ReportFont) -> Result<Vec<u8>, AppError> {
    let lang = Lang::from_code(&report.language);
    let t = |k| lang.t(k);
    let mut l = Layout {
        font,
        pages: Vec::new(),
        y: TOP,
        anchors: Vec::new(),
    };

    // Cover.
    l.new_page();
    l.y = TOP + 40.0;
    l.para(LEFT, 11.0, MUTED, t("title"));
    l.y += 6.0;
    l.para(LEFT, 24.0, INK, &report.workspace.product_name);
    l.y += 14.0;
    let scope = view::scope_label(report, lang);
    let ws = if report.workspace.is_demo {
        format!("{} ({})", report.workspace.name, t("demo"))
    } else {
        report.workspace.name.clone()
    };
    l.field(LEFT, 10.5, t("workspace"), &ws);
    l.field(LEFT, 10.5, t("scope"), scope);
    l.field(LEFT, 10.5, t("generated"), &when(&report.generated_at));
    l.field(LEFT, 10.5, t("generator"), &report.generator);
    l.y += 18.0;
    let r = &report.readiness;
    l.para(LEFT, 13.0, INK, t("readiness"));
    l.y += 4.0;
    l.para(
        LEFT,
        12.0,
        status_color(&r.verdict),
        lang.value("verdict", &r.verdict),
    );
    l.para(LEFT, 10.5, INK, &view::items_done(r, lang));
    l.y += 6.0;
    let c = &r.counts;
    l.bar(
        LEFT,
        RIGHT - LEFT,
        10.0,
        &[
            (c.passed, PASS),
            (c.waived + c.not_applicable, OTHER),
            (c.failed, FAIL),
            (c.in_progress, WARN),
        ],
        r.total,
    );
    l.y += 28.0;
    l.para(LEFT, 10.5, INK, t("digest"));
    l.para(LEFT, 9.5, INK, digest);
    l.para(LEFT, 8.5, MUTED, t("digest_note"));
    l.y += 8.0;
    l.para(LEFT, 10.5, INK, t("signer"));
    l.para(LEFT, 9.5, INK, &crate::view::signer(report, lang));
    l.para(LEFT, 8.5, MUTED, t("signer_note"));
    l.y += 18.0;
    l.para(LEFT, 13.0, INK, t("environments"));
    for e in &report.environments {
        l.y += 6.0;
        l.para(LEFT, 11.0, ACCENT, lang.value("env", &e.kind));
        let rows = view::environment_rows(e, lang);
        for (k, v) in rows {
            l.field(LEFT + 10.0, 9.0, t(k), &v);
        }
    }

    // The contents take whole pages of their own, known in advance: one line per entry.
    // Summary, phases, steps, test purchases and each purchase session: every level 0–1 heading.
    let toc_entries = 2
        + report.phases.len()
        + report.phases.iter().map(|p| p.steps.len()).sum::<usize>()
        + report.purchases.len();
    let toc_lead = 17.0;
    let per_page = ((BOTTOM - TOP - 50.0) / toc_lead).floor().max(1.0) as usize;
    let toc_pages = toc_entries.div_ceil(per_page);
    let toc_first = l.pages.len();
    for _ in 0..toc_pages {
        l.new_page();
    }

    // Summary and chart.
    l.new_page();
    l.heading(0, t("summary"));
    const COL_X: [f32; 8] = [215.0, 255.0, 295.0, 345.0, 385.0, 430.0, 480.0, 520.0];
    let cols: Vec<(&str, f32)> = std::iter::once((t("phase"), LEFT))
        .chain(view::summary_columns(lang).into_iter().zip(COL_X))
        .collect();
    l.y += 14.0;
    for (label, x) in cols {
        let lines = font.wrap(label, 7.5, 40.0);
        for (i, line) in lines.iter().enumerate().take(2) {
            let y = l.y - 9.0 + i as f32 * 9.0;
            l.text_at(x, y, 7.5, MUTED, line);
        }
    }
    l.y += 12.0;
    l.rect(LEFT, l.y - 8.0, RIGHT - LEFT, 0.8, LINE);
    for p in &report.summary {
        let title_lines = font.wrap(&p.title, 9.5, 160.0);
        l.ensure(16.0 * title_lines.len() as f32);
        l.y += 6.0;
        for (i, line) in title_lines.iter().enumerate() {
            l.text_at(LEFT, l.y + i as f32 * 12.0, 9.5, INK, line);
        }
        for (v, x) in view::summary_values(p).iter().zip(COL_X) {
            l.text_at(x, l.y, 9.5, INK, &v.to_string());
        }
        l.y += 12.0 * title_lines.len() as f32;
        l.rect(LEFT, l.y - 6.0, RIGHT - LEFT, 0.5, LINE);
    }
    l.y += 20.0;
    l.para(LEFT, 12.0, INK, t("progress_chart"));
    l.y += 6.0;
    for p in &report.summary {
        l.ensure(30.0);
        l.y += 6.0;
        let title = font
            .wrap(&p.title, 9.0, 150.0)
            .into_iter()
            .next()
            .unwrap_or_default();
        l.text_at(LEFT, l.y + 9.0, 9.0, INK, &title);
        let c = &p.counts;
        l.bar(
            LEFT + 160.0,
            280.0,
            12.0,
            &[
                (c.passed, PASS),
                (c.waived + c.not_applicable, OTHER),
                (c.failed, FAIL),
                (c.in_progress, WARN),
            ],
            p.total,
        );
        l.text_at(
            LEFT + 450.0,
            l.y + 9.5,
            9.0,
            INK,
            &format!("{}% ({}/{})", p.percent, p.done, p.total),
        );
        l.y += 16.0;
    }
    l.y += 10.0;
    let legend = [
        (lang.value("status", "passed").to_string(), PASS),
        (
            format!(
                "{} / {}",
                lang.value("status", "waived"),
                lang.value("status", "not_applicable")
            ),
            OTHER,
        ),
        (lang.value("status", "failed").to_string(), FAIL),
        (lang.value("status", "in_progress").to_string(), WARN),
    ];
    for (i, (label, color)) in legend.iter().enumerate() {
        let x = LEFT + 160.0 + i as f32 * 95.0;
        l.rect(x, l.y, 8.0, 8.0, *color);
        l.text_at(x + 11.0, l.y + 7.5, 8.0, MUTED, label);
    }

    // Phases, steps, items.
    for p in &report.phases {
        l.new_page();
        l.heading(0, &p.title);
        l.para(LEFT, 9.5, MUTED, &p.summary);
        for s in &p.steps {
            l.y += 6.0;
            l.heading(1, &format!("{} {} — {}", t("step"), s.number, s.title));
            l.para(
                LEFT,
                9.0,
                MUTED,
                &format!("{} · {}/{}", lang.value("env", &s.env), s.done, s.total),
            );
            for item in &s.items {
                item_pdf(&mut l, item, lang);
            }
        }
    }

    // Test purchases.
    l.new_page();
    l.heading(0, t("purchases"));
    if report.purchases.is_empty() {
        l.para(LEFT, 10.0, MUTED, t("none_recorded"));
    }
    for pu in &report.purchases {
        l.heading(
            1,
            &format!(
                "{} · {} {}",
                lang.value("env", &pu.env),
                t("buyer"),
                pu.buyer_account
            ),
        );
        l.para(
            LEFT,
            9.0,
            MUTED,
            &format!("{} · {}: {}", when(&pu.started_at), t("tester"), pu.tester),
        );
        l.para(LEFT, 10.0, INK, t("timeline"));
        for e in &pu.timeline {
            l.para(
                LEFT + 10.0,
                8.5,
                INK,
                &format!("{}  [{}]  {}", when(&e.at), e.source, e.summary),
            );
        }
        l.para(LEFT, 10.0, INK, t("scenarios"));
        for sc in &pu.scenarios {
            l.para(
                LEFT + 10.0,
                9.0,
                status_color(&sc.verdict),
                &format!("{} — {}", sc.title, lang.value("scenario", &sc.verdict)),
            );
            l.para(
                LEFT + 20.0,
                8.5,
                MUTED,
                &format!("{} · {}  {}", sc.by, when(&sc.at), sc.note),
            );
        }
    }

    // Now every page number is known: fill the contents.
    let entries: Vec<(u8, String, usize, f32)> = l
        .anchors
        .iter()
        .filter(|a| a.level <= 1)
        .map(|a| (a.level, a.title.clone(), a.page, a.y))
        .collect();
    let mut page = toc_first;
    let mut y = TOP + 30.0;
    l.pages[page].push(Op::Text {
        x: LEFT,
        y: TOP + 10.0,
        size: 17.0,
        color: INK,
        text: t("contents").into(),
    });
    for (i, (level, title, target, dest_y)) in entries.iter().enumerate() {
        if i > 0 && i % per_page == 0 {
            page += 1;
            y = TOP + 30.0;
        }
        y += toc_lead;
        let x = LEFT + f32::from(*level) * 16.0;
        let size = if *level == 0 { 10.5 } else { 9.5 };
        let num = (target + 1).to_string();
        let room = RIGHT - 40.0 - x;
        let shown = font
            .wrap(title, size, room)
            .into_iter()
            .next()
            .unwrap_or_default();
        let nw = font.width(&num, size);
        let ops = &mut l.pages[page];
        ops.push(Op::Text {
            x,
            y,
            size,
            color: if *level == 0 { INK } else { ACCENT },
            text: shown,
        });
        ops.push(Op::Text {
            x: RIGHT - nw,
            y,
            size,
            color: INK,
            text: num,
        });
        ops.push(Op::Link {
            x: LEFT,
            y: y - size,
            w: RIGHT - LEFT,
            h: size * 1.4,
            page: *target,
            dest_y: *dest_y,
        });
    }

    emit(report, lang, l, font)
}

pub(super) fn item_pdf(l: &mut Layout<'_>, item: &ItemSection, lang: Lang) {
    let t = |k| lang.t(k);
    l.ensure(48.0);
    l.y += 10.0;
    let status = lang.value("status", &item.status);
    let sw = l.font.width(status, 8.5) + 10.0;
    let color = status_color(&item.status);
    // The status as a coloured tag at the right, the title wrapped to its left.
    l.rect(RIGHT - sw, l.y + 2.0, sw, 12.0, color);
    let tag_y = l.y + 11.0;
    l.text_at(RIGHT - sw + 5.0, tag_y, 8.5, (255, 255, 255), status);
    let lines = l.font.wrap(&item.title, 10.5, RIGHT - LEFT - sw - 16.0);
    l.rect(LEFT, l.y + 2.0, 2.5, 13.0 * lines.len() as f32, color);
    for line in lines {
        l.y += 13.0;
        l.text_at(LEFT + 8.0, l.y - 1.0, 10.5, INK, &line);
    }
    let mut meta = format!(
        "{} · {} · {}",
        item.id,
        lang.value("kind", &item.kind),
        item.category
    );
    if let (Some(by), Some(at)) = (&item.updated_by, &item.updated_at) {
        meta.push_str(&format!(
            " · {}: {} {} {}",
            t("updated"),
            when(at),
            t("by"),
            by
        ));
    }
    l.para(LEFT + 8.0, 8.0, MUTED, &meta);
    if !item.note.is_empty() {
        l.field(LEFT + 8.0, 9.0, &format!("{}:", t("note")), &item.note);
    }
    if let Some(w) = &item.waiver_reason {
        l.field(LEFT + 8.0, 9.0, &format!("{}:", t("waiver_reason")), w);
    }
    if let Some(c) = &item.check {
        l.para(
            LEFT + 8.0,
            9.0,
            status_color(&c.status),
            &format!(
                "{}: {} — {} ({}, {} {})",
                t("latest_check"),
                c.check_id,
                lang.value("check", &c.status),
                when(&c.at),
                t("run"),
                c.run_id
            ),
        );
        l.para(LEFT + 16.0, 9.0, INK, &c.summary);
        if !c.details.is_empty() {
            l.field(LEFT + 16.0, 8.5, &format!("{}:", t("details")), &c.details);
        }
        if !c.advice.is_empty() {
            l.field(LEFT + 16.0, 8.5, &format!("{}:", t("advice")), &c.advice);
        }
    }
    if !item.evidence.is_empty() {
        l.para(
            LEFT + 8.0,
            9.0,
            INK,
            &format!("{} ({})", t("evidence"), item.evidence.len()),
        );
        for e in &item.evidence {
            // One line per file: hash, size, name (wrapped when long), who and when below.
            l.ensure(11.0);
            l.y += 11.0;
            l.text_at(LEFT + 16.0, l.y - 2.0, 6.6, INK, &e.sha256);
            l.text_at(LEFT + 262.0, l.y - 2.0, 7.5, MUTED, &size(e.size));
            let name_w = RIGHT - (LEFT + 310.0);
            let name = l
                .font
                .wrap(&e.file_name, 8.0, name_w)
                .into_iter()
                .next()
                .unwrap_or_default();
            l.text_at(LEFT + 310.0, l.y - 2.0, 8.0, INK, &name);
        }
        let who: Vec<String> = {
            let mut v: Vec<String> = item.evidence.iter().map(|e| e.added_by.clone()).collect();
            v.sort();
            v.dedup();
            v
        };
        let last = item
            .evidence
            .iter()
            .map(|e| e.added_at.as_str())
            .max()
            .unwrap_or("");
        l.para(
            LEFT + 16.0,
            7.5,
            MUTED,
            &format!("{}: {} · {}", t("added"), who.join(", "), when(last)),
        );
    }
    if !item.history.is_empty() {
        l.para(LEFT + 8.0, 9.0, INK, t("history"));
        for r in &item.history {
            let mut line = format!(
                "{} · {} ({}) · {} → {}",
                when(&r.at),
                r.actor,
                lang.value("source", &r.source),
                lang.value("status", &r.from),
                lang.value("status", &r.to)
            );
            if !r.note.is_empty() {
                line.push_str(&format!(" · {}", r.note));
            }
            if let Some(w) = &r.waiver_reason {
                line.push_str(&format!(" · {}: {w}", t("waiver_reason")));
            }
            l.para(LEFT + 16.0, 8.0, MUTED, &line);
        }
    }
    l.y += 4.0;
    l.rect(LEFT, l.y, RIGHT - LEFT, 0.5, LINE);
}

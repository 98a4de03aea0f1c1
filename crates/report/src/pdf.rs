//! The PDF report, laid out here and written by krilla (no browser): A4 pages, a cover with the
//! digest, a table of contents with page numbers and links, bookmarks (the PDF outline), a
//! summary table and a progress chart per phase, "Page n of m" on every page.
//!
//! One font does everything: a CJK font (Noto Sans CJK JP, IPA Gothic, Hiragino or Yu Gothic,
//! found on the system, or `LA_REPORT_FONT=/path/font.ttc[#index]`) covers Latin and Japanese,
//! and krilla embeds only the glyphs used (subsetting), so a report stays small although the
//! font file is large. Line breaking is ours: at spaces for Latin text, between any two
//! characters for Japanese (not before closing punctuation), inside a word only when it alone is
//! wider than the line (hashes, URLs).

use crate::labels::{fill, size, when, Lang};
use crate::model::*;
use crate::view;
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::destination::{Destination, XyzDestination};
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::Document;
use la_core::AppError;
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const W: f32 = 595.28;
const H: f32 = 841.89;
const LEFT: f32 = 50.0;
const RIGHT: f32 = W - 50.0;
const TOP: f32 = 58.0;
const BOTTOM: f32 = H - 62.0;

type Rgb = (u8, u8, u8);
const INK: Rgb = (27, 31, 36);
const MUTED: Rgb = (89, 99, 110);
const LINE: Rgb = (208, 215, 222);
const SOFT: Rgb = (234, 238, 242);
const PASS: Rgb = (26, 127, 55);
const FAIL: Rgb = (207, 34, 46);
const WARN: Rgb = (191, 135, 0);
const OTHER: Rgb = (110, 64, 201);
const ACCENT: Rgb = (9, 105, 218);

fn status_color(s: &str) -> Rgb {
    match s {
        "passed" | "pass" | "ready" => PASS,
        "failed" | "fail" | "error" | "failing" => FAIL,
        "in_progress" | "warn" => WARN,
        "waived" | "not_applicable" | "skipped" => OTHER,
        _ => MUTED,
    }
}

/// Where fonts with Japanese glyphs live on the systems the app supports.
const FONT_CANDIDATES: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/System/Library/Fonts/ヒラギノ角ゴシック W3.ttc",
    "/System/Library/Fonts/Hiragino Sans GB.ttc",
    "C:\\Windows\\Fonts\\YuGothR.ttc",
    "C:\\Windows\\Fonts\\msgothic.ttc",
];

/// The font a PDF is set in, with glyph advances cached for line breaking.
pub struct ReportFont {
    data: Arc<Vec<u8>>,
    index: u32,
    font: Font,
    upem: f32,
    /// Per character: its glyph and advance (in ems). Text is set glyph by glyph from this
    /// cache rather than shaped: shaping parsed the 19 MB font for every line (5 s for a
    /// 10,000-row report) and buys nothing for Latin and Japanese without ligatures.
    glyphs: RefCell<HashMap<char, (u32, f32)>>,
}

impl ReportFont {
    /// `LA_REPORT_FONT` (`path` or `path#index`), else the first candidate that exists.
    pub fn find() -> Result<Self, AppError> {
        if let Some(spec) = std::env::var_os("LA_REPORT_FONT") {
            let spec = spec.to_string_lossy().into_owned();
            let (path, index) = match spec.rsplit_once('#') {
                Some((p, i)) if i.parse::<u32>().is_ok() => (p.to_string(), i.parse().ok()),
                _ => (spec.clone(), None),
            };
            return Self::load(Path::new(&path), index);
        }
        for c in FONT_CANDIDATES {
            let p = PathBuf::from(c);
            if p.is_file() {
                return Self::load(&p, None);
            }
        }
        Err(AppError::not_found(
            "No font with Japanese glyphs was found for the PDF. Install Noto Sans CJK (Debian/Ubuntu: apt install fonts-noto-cjk) or set LA_REPORT_FONT=/path/to/font.ttf.",
        ))
    }

    /// Loads a font file; in a collection, picks the Japanese face unless `index` says otherwise.
    pub fn load(path: &Path, index: Option<u32>) -> Result<Self, AppError> {
        let data = std::fs::read(path).map_err(|e| {
            AppError::new(
                la_core::ErrorCode::Io,
                format!("Cannot read the font {}: {e}", path.display()),
            )
        })?;
        let index = index.unwrap_or_else(|| japanese_face(&data));
        let bad = || AppError::invalid(format!("{} is not a usable font file.", path.display()));
        let upem = {
            let f = FontRef::from_index(&data, index).map_err(|_| bad())?;
            f.metrics(Size::unscaled(), LocationRef::default())
                .units_per_em as f32
        };
        let data = Arc::new(data);
        let font = Font::new(data.clone().into(), index).ok_or_else(bad)?;
        Ok(Self {
            data,
            index,
            font,
            upem: upem.max(1.0),
            glyphs: RefCell::new(HashMap::new()),
        })
    }

    fn glyph(&self, c: char) -> (u32, f32) {
        if let Some(g) = self.glyphs.borrow().get(&c) {
            return *g;
        }
        let g = FontRef::from_index(&self.data, self.index)
            .ok()
            .and_then(|f| {
                let gid = f.charmap().map(c)?;
                let adv = f
                    .glyph_metrics(Size::unscaled(), LocationRef::default())
                    .advance_width(gid)?;
                Some((gid.to_u32(), adv / self.upem))
            })
            // Not in the font: .notdef, half an em wide.
            .unwrap_or((0, 0.5));
        self.glyphs.borrow_mut().insert(c, g);
        g
    }

    fn advance(&self, c: char) -> f32 {
        self.glyph(c).1
    }

    /// The glyph run of `text`: one glyph per character, advances from the font.
    fn run(&self, text: &str) -> Vec<KrillaGlyph> {
        text.char_indices()
            .map(|(i, c)| {
                let (gid, adv) = self.glyph(c);
                KrillaGlyph::new(
                    GlyphId::new(gid),
                    adv,
                    0.0,
                    0.0,
                    0.0,
                    i..i + c.len_utf8(),
                    None,
                )
            })
            .collect()
    }

    pub fn width(&self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.advance(c)).sum::<f32>() * size
    }

    /// Breaks `text` into lines no wider than `max`.
    pub fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            let mut line_w = 0.0;
            for seg in segments(para) {
                let w = self.width(&seg, size);
                if line_w + w <= max || line.is_empty() && w <= max {
                    line.push_str(&seg);
                    line_w += w;
                    continue;
                }
                if w <= max {
                    lines.push(line.trim_end().to_string());
                    line = seg.trim_start().to_string();
                    line_w = self.width(&line, size);
                    continue;
                }
                // A word wider than the line: break it anywhere.
                for c in seg.chars() {
                    let cw = self.advance(c) * size;
                    if line_w + cw > max && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        line_w = 0.0;
                    }
                    line.push(c);
                    line_w += cw;
                }
            }
            lines.push(line.trim_end().to_string());
        }
        lines
    }
}

fn japanese_face(data: &[u8]) -> u32 {
    for i in 0..32 {
        let Ok(f) = FontRef::from_index(data, i) else {
            break;
        };
        let family = f
            .localized_strings(skrifa::string::StringId::FAMILY_NAME)
            .english_or_first()
            .map(|s| s.to_string())
            .unwrap_or_default();
        if family.contains("JP") || family.contains("Japanese") {
            return i;
        }
    }
    0
}

fn is_cjk(c: char) -> bool {
    ('\u{2E80}'..='\u{9FFF}').contains(&c)
        || ('\u{F900}'..='\u{FAFF}').contains(&c)
        || ('\u{FF00}'..='\u{FFEF}').contains(&c)
}

/// Closing punctuation never starts a line (kinsoku).
fn no_break_before(c: char) -> bool {
    "、。，．・：；？！）」』】〉》ー…々ぁぃぅぇぉっゃゅょァィゥェォッャュョ".contains(c)
        || matches!(c, ')' | ']' | '}' | ',' | '.' | ':' | ';' | '!' | '?')
}

/// Units a line may break between: words with their trailing spaces, single CJK characters.
fn segments(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_space = false;
    for c in s.chars() {
        if is_cjk(c) {
            if no_break_before(c) {
                cur.push(c);
                continue;
            }
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.push(c);
            prev_space = false;
            continue;
        }
        if cur.chars().last().is_some_and(is_cjk) && !no_break_before(c) {
            out.push(std::mem::take(&mut cur));
        }
        if prev_space && c != ' ' {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
        prev_space = c == ' ';
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        color: Rgb,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb,
    },
    Link {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        page: usize,
        dest_y: f32,
    },
}

/// A heading's place, for the contents, the outline and links.
struct Anchor {
    level: u8,
    title: String,
    page: usize,
    y: f32,
}

struct Layout<'f> {
    font: &'f ReportFont,
    pages: Vec<Vec<Op>>,
    y: f32,
    anchors: Vec<Anchor>,
}

impl<'f> Layout<'f> {
    fn page(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let n = self.pages.len() - 1;
        &mut self.pages[n]
    }
    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }
    fn ensure(&mut self, h: f32) {
        if self.y + h > BOTTOM {
            self.new_page();
        }
    }
    fn text_at(&mut self, x: f32, y: f32, size: f32, color: Rgb, text: &str) {
        if text.is_empty() {
            return;
        }
        self.page().push(Op::Text {
            x,
            y,
            size,
            color,
            text: text.to_string(),
        });
    }
    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        self.page().push(Op::Rect { x, y, w, h, color });
    }
    /// A wrapped paragraph from `x` to the right margin.
    fn para(&mut self, x: f32, size: f32, color: Rgb, text: &str) {
        let lead = size * 1.45;
        for line in self.font.wrap(text, size, RIGHT - x) {
            self.ensure(lead);
            self.y += lead;
            self.text_at(x, self.y - size * 0.3, size, color, &line);
        }
    }
    /// `label: value`, the label muted, the value wrapped under the same indent.
    fn field(&mut self, x: f32, size: f32, label: &str, value: &str) {
        let lw = self.font.width(label, size) + 6.0;
        let lead = size * 1.45;
        let lines = self.font.wrap(value, size, RIGHT - x - lw);
        for (i, line) in lines.iter().enumerate() {
            self.ensure(lead);
            self.y += lead;
            if i == 0 {
                self.text_at(x, self.y - size * 0.3, size, MUTED, label);
            }
            self.text_at(x + lw, self.y - size * 0.3, size, INK, line);
        }
    }
    fn heading(&mut self, level: u8, text: &str) {
        let size = match level {
            0 => 17.0,
            1 => 13.0,
            _ => 11.0,
        };
        self.ensure(size * 3.0);
        self.y += size * 0.9;
        let top = self.y;
        let lines = self.font.wrap(text, size, RIGHT - LEFT);
        for line in &lines {
            self.y += size * 1.3;
            self.text_at(LEFT, self.y - size * 0.25, size, INK, line);
        }
        if level == 0 {
            self.y += 4.0;
            self.rect(LEFT, self.y, RIGHT - LEFT, 1.2, LINE);
        }
        self.y += size * 0.4;
        let page = self.pages.len() - 1;
        self.anchors.push(Anchor {
            level,
            title: text.to_string(),
            page,
            y: top,
        });
    }
    fn bar(&mut self, x: f32, w: f32, h: f32, parts: &[(u32, Rgb)], total: u32) {
        let y = self.y;
        self.rect(x, y, w, h, SOFT);
        let mut cx = x;
        for (n, color) in parts {
            if *n == 0 {
                continue;
            }
            let pw = *n as f32 / total.max(1) as f32 * w;
            self.rect(cx, y, pw, h, *color);
            cx += pw;
        }
    }
}

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

fn item_pdf(l: &mut Layout<'_>, item: &ItemSection, lang: Lang) {
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

fn fill_of(c: Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(c.0, c.1, c.2).into(),
        ..Default::default()
    }
}

/// Writes the laid-out pages with footers, the outline and the metadata.
fn emit(
    report: &Report,
    lang: Lang,
    l: Layout<'_>,
    font: &ReportFont,
) -> Result<Vec<u8>, AppError> {
    let total = l.pages.len();
    let mut doc = Document::new();
    let footer_left = format!("{} — {}", report.workspace.product_name, lang.t("title"));
    for (i, ops) in l.pages.iter().enumerate() {
        let settings = PageSettings::from_wh(W, H)
            .ok_or_else(|| AppError::new(la_core::ErrorCode::Internal, "bad page size"))?;
        let mut page = doc.start_page_with(settings);
        let mut links = Vec::new();
        {
            let mut s = page.surface();
            let text = |s: &mut krilla::surface::Surface<'_>,
                        x: f32,
                        y: f32,
                        size: f32,
                        color: Rgb,
                        txt: &str| {
                s.set_fill(Some(fill_of(color)));
                s.draw_glyphs(
                    Point::from_xy(x, y),
                    &font.run(txt),
                    font.font.clone(),
                    txt,
                    size,
                    false,
                );
            };
            for op in ops {
                match op {
                    Op::Text {
                        x,
                        y,
                        size,
                        color,
                        text: txt,
                    } => text(&mut s, *x, *y, *size, *color, txt),
                    Op::Rect { x, y, w, h, color } => {
                        if let Some(path) = Rect::from_xywh(*x, *y, w.max(0.1), h.max(0.1))
                            .and_then(|r| {
                                let mut pb = PathBuilder::new();
                                pb.push_rect(r);
                                pb.finish()
                            })
                        {
                            s.set_fill(Some(fill_of(*color)));
                            s.draw_path(&path);
                        }
                    }
                    Op::Link {
                        x,
                        y,
                        w,
                        h,
                        page,
                        dest_y,
                    } => links.push((*x, *y, *w, *h, *page, *dest_y)),
                }
            }
            if i > 0 {
                s.set_fill(Some(fill_of(LINE)));
                if let Some(path) =
                    Rect::from_xywh(LEFT, H - 42.0, RIGHT - LEFT, 0.5).and_then(|r| {
                        let mut pb = PathBuilder::new();
                        pb.push_rect(r);
                        pb.finish()
                    })
                {
                    s.draw_path(&path);
                }
                let left = font
                    .wrap(&footer_left, 7.5, 330.0)
                    .into_iter()
                    .next()
                    .unwrap_or_default();
                text(&mut s, LEFT, H - 30.0, 7.5, MUTED, &left);
            }
            let num = fill(
                lang.t("page_of"),
                &[("n", (i + 1).to_string()), ("m", total.to_string())],
            );
            let nw = font.width(&num, 7.5);
            text(&mut s, RIGHT - nw, H - 30.0, 7.5, MUTED, &num);
            s.finish();
        }
        for (x, y, w, h, target, dest_y) in links {
            if let Some(rect) = Rect::from_xywh(x, y, w, h) {
                page.add_annotation(Annotation::new_link(
                    LinkAnnotation::new(
                        rect,
                        Target::Destination(Destination::Xyz(XyzDestination::new(
                            target,
                            Point::from_xy(LEFT, (dest_y - 10.0).max(0.0)),
                        ))),
                    ),
                    None,
                ));
            }
        }
        page.finish();
    }

    // Bookmarks: phases with their steps, plus the summary and purchases.
    let mut outline = Outline::new();
    let mut current: Option<OutlineNode> = None;
    for a in &l.anchors {
        let node = OutlineNode::new(
            a.title.clone(),
            XyzDestination::new(a.page, Point::from_xy(LEFT, (a.y - 10.0).max(0.0))),
        );
        if a.level == 0 {
            if let Some(done) = current.take() {
                outline.push_child(done);
            }
            current = Some(node);
        } else if let Some(parent) = current.as_mut() {
            parent.push_child(node);
        }
    }
    if let Some(done) = current.take() {
        outline.push_child(done);
    }
    doc.set_outline(outline);
    doc.set_metadata(
        Metadata::new()
            .title(format!(
                "{} — {}",
                lang.t("title"),
                report.workspace.product_name
            ))
            .language(lang.code().into())
            .creator(report.generator.clone()),
    );
    doc.finish().map_err(|e| {
        AppError::new(
            la_core::ErrorCode::Internal,
            format!("Could not write the PDF: {e:?}"),
        )
    })
}

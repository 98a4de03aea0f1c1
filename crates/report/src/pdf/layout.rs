//! Pages as lists of drawing operations: text, boxes and links placed top to bottom with page
//! breaks, headings remembered for the contents and the outline; then written by krilla with
//! footers, bookmarks and metadata.

use super::*;

pub(super) enum Op {
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
pub(super) struct Anchor {
    pub(super) level: u8,
    pub(super) title: String,
    pub(super) page: usize,
    pub(super) y: f32,
}

pub(super) struct Layout<'f> {
    pub(super) font: &'f ReportFont,
    pub(super) pages: Vec<Vec<Op>>,
    pub(super) y: f32,
    pub(super) anchors: Vec<Anchor>,
}

impl<'f> Layout<'f> {
    pub(super) fn page(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let n = self.pages.len() - 1;
        &mut self.pages[n]
    }
    pub(super) fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }
    pub(super) fn ensure(&mut self, h: f32) {
        if self.y + h > BOTTOM {
            self.new_page();
        }
    }
    pub(super) fn text_at(&mut self, x: f32, y: f32, size: f32, color: Rgb, text: &str) {
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
    pub(super) fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        self.page().push(Op::Rect { x, y, w, h, color });
    }
    /// A wrapped paragraph from `x` to the right margin.
    pub(super) fn para(&mut self, x: f32, size: f32, color: Rgb, text: &str) {
        let lead = size * 1.45;
        for line in self.font.wrap(text, size, RIGHT - x) {
            self.ensure(lead);
            self.y += lead;
            self.text_at(x, self.y - size * 0.3, size, color, &line);
        }
    }
    /// `label: value`, the label muted, the value wrapped under the same indent.
    pub(super) fn field(&mut self, x: f32, size: f32, label: &str, value: &str) {
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
    pub(super) fn heading(&mut self, level: u8, text: &str) {
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
    pub(super) fn bar(&mut self, x: f32, w: f32, h: f32, parts: &[(u32, Rgb)], total: u32) {
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

pub(super) fn fill_of(c: Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(c.0, c.1, c.2).into(),
        ..Default::default()
    }
}

/// Writes the laid-out pages with footers, the outline and the metadata.
pub(super) fn emit(
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

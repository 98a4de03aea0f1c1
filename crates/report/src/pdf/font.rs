//! The report's font: found on the system (or `LA_REPORT_FONT`), its Japanese face picked from
//! a collection, glyphs measured for line breaking.

use super::*;

/// Where fonts with Japanese glyphs live on the systems the app supports.
pub(super) const FONT_CANDIDATES: &[&str] = &[
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
    pub(super) data: Arc<Vec<u8>>,
    pub(super) index: u32,
    pub(super) font: Font,
    pub(super) upem: f32,
    /// Per character: its glyph and advance (in ems). Text is set glyph by glyph from this
    /// cache rather than shaped: shaping parsed the 19 MB font for every line (5 s for a
    /// 10,000-row report) and buys nothing for Latin and Japanese without ligatures.
    pub(super) glyphs: RefCell<HashMap<char, (u32, f32)>>,
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

    pub(super) fn glyph(&self, c: char) -> (u32, f32) {
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

    pub(super) fn advance(&self, c: char) -> f32 {
        self.glyph(c).1
    }

    /// The glyph run of `text`: one glyph per character, advances from the font.
    pub(super) fn run(&self, text: &str) -> Vec<KrillaGlyph> {
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

pub(super) fn japanese_face(data: &[u8]) -> u32 {
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

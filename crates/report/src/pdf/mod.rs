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
//!
//! `font` finds and measures the font, `linebreak` cuts text into breakable pieces, `layout`
//! places text and boxes on pages and writes them, `document` lays out the report itself.

mod document;
mod font;
mod layout;
mod linebreak;

pub use document::render;
pub use font::ReportFont;
use layout::*;
use linebreak::*;

use crate::labels::{fill, size, when, Lang, Words};
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

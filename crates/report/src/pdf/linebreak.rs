//! Where a line may break: at spaces in Latin text, between any two characters in Japanese
//! (not before closing punctuation).

pub(super) fn is_cjk(c: char) -> bool {
    ('\u{2E80}'..='\u{9FFF}').contains(&c)
        || ('\u{F900}'..='\u{FAFF}').contains(&c)
        || ('\u{FF00}'..='\u{FFEF}').contains(&c)
}

/// Closing punctuation never starts a line (kinsoku).
pub(super) fn no_break_before(c: char) -> bool {
    "、。，．・：；？！）」』】〉》ー…々ぁぃぅぇぉっゃゅょァィゥェォッャュョ".contains(c)
        || matches!(c, ')' | ']' | '}' | ',' | '.' | ':' | ';' | '!' | '?')
}

/// Units a line may break between: words with their trailing spaces, single CJK characters.
pub(super) fn segments(s: &str) -> Vec<String> {
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

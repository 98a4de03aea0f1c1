//! Finding the made-up token in a Set-Cookie header however the page's framework wrapped it:
//! Flask/itsdangerous and Django signing (base64url JSON, zlib-compressed first when that is
//! shorter, marked by a leading '.', then '.'- or ':'-separated timestamp and signature), JWT
//! payloads, Express cookie-session (base64 JSON) and signed cookies (`s:` + value, URL-encoded),
//! Python's quoted cookie values (octal escapes), URL-encoding and hex. Rather than one parser
//! per framework, every plausible decoding is tried recursively, a few layers deep; sizes, depth
//! and total work are bounded, and nothing here can panic on what a page sends.

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use std::io::Read;

/// Cookie values longer than this are searched only in their first part (browsers keep 4 KiB).
const MAX_VALUE: usize = 16 * 1024;
/// Most output one inflate may produce (a compression bomb stops here).
const MAX_INFLATE: u64 = 256 * 1024;
/// Layers of encoding unwrapped (Flask: base64url → zlib → JSON is two).
const MAX_DEPTH: usize = 4;
/// Bytes decoded in all, per header.
const WORK_BUDGET: usize = 4 * 1024 * 1024;
/// Shortest segment worth decoding (shorter ones cannot hold a needle).
const MIN_SEGMENT: usize = 16;

/// What counts as "the token": its first 24 characters (enough to be unique, and a cookie that
/// truncates it still carries it), the same in the URL-safe base64 alphabet, and the start of
/// its decoded bytes (raw, or as hex).
pub struct Needles(Vec<Vec<u8>>);

impl Needles {
    pub fn for_token(token: &str) -> Self {
        let head = &token.as_bytes()[..token.len().min(24)];
        let mut v = vec![head.to_vec()];
        let urlsafe: Vec<u8> = head
            .iter()
            .map(|b| match b {
                b'+' => b'-',
                b'/' => b'_',
                b => *b,
            })
            .collect();
        v.push(urlsafe);
        if let Ok(raw) = lenient(&base64::alphabet::STANDARD).decode(token) {
            if raw.len() >= 16 {
                v.push(raw[..16].to_vec());
                v.push(hex::encode(&raw[..12]).into_bytes());
                v.push(hex::encode_upper(&raw[..12]).into_bytes());
            }
        }
        Self(v)
    }

    fn in_(&self, hay: &[u8]) -> bool {
        self.0
            .iter()
            .any(|n| !n.is_empty() && hay.windows(n.len()).any(|w| w == n.as_slice()))
    }
}

/// Where the token was found: the cookie's name and the encodings unwrapped to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub cookie: String,
    pub path: Vec<&'static str>,
}

impl Found {
    pub fn describe(&self) -> String {
        if self.path.is_empty() {
            format!("cookie `{}`, as plain text", self.cookie)
        } else {
            format!(
                "cookie `{}`, encoded as {}",
                self.cookie,
                self.path.join(" → ")
            )
        }
    }
}

/// Looks for the token in one Set-Cookie header (its name and value; attributes are the
/// browser's, not the page's data).
pub fn find_in_set_cookie(header: &str, needles: &Needles) -> Option<Found> {
    let pair = header.split(';').next().unwrap_or_default();
    let (name, value) = pair.split_once('=').unwrap_or(("", pair));
    let name = name.trim();
    let value = value.trim().as_bytes();
    let value = &value[..value.len().min(MAX_VALUE)];
    let mut budget = WORK_BUDGET;
    let mut path = Vec::new();
    let hit = needles.in_(name.as_bytes()) || search(value, needles, 0, &mut path, &mut budget);
    hit.then(|| Found {
        cookie: name.chars().take(64).collect(),
        path,
    })
}

fn search(
    b: &[u8],
    n: &Needles,
    depth: usize,
    path: &mut Vec<&'static str>,
    budget: &mut usize,
) -> bool {
    if n.in_(b) {
        return true;
    }
    if depth >= MAX_DEPTH {
        return false;
    }
    for (label, decoded) in decodings(b, budget) {
        path.push(label);
        if search(&decoded, n, depth + 1, path, budget) {
            return true;
        }
        path.pop();
    }
    false
}

/// Charges `len` bytes of work; false once the budget is spent.
fn charge(budget: &mut usize, len: usize) -> bool {
    if *budget < len {
        *budget = 0;
        return false;
    }
    *budget -= len;
    true
}

/// Every plausible one-layer decoding of `b`, labelled.
fn decodings(b: &[u8], budget: &mut usize) -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    if b.contains(&b'%') && charge(budget, b.len()) {
        let d: Vec<u8> = percent_encoding::percent_decode(b).collect();
        if d != b {
            out.push(("URL-encoding", d));
        }
    }
    if b.contains(&b'\\') && charge(budget, b.len()) {
        out.push(("quoted-string escapes", unescape(b)));
    }
    // Signed formats join payload, timestamp and signature with '.' or ':' (and Express's
    // `s:`/`j:` prefixes); JSON and query strings use quotes, '&', '=' and ','.
    let mut segments: Vec<&[u8]> = vec![b];
    segments.extend(
        b.split(|c| b".:|&\",;= \t\n\r'{}[]".contains(c))
            .filter(|s| s.len() >= MIN_SEGMENT && s.len() < b.len()),
    );
    for seg in segments {
        if seg.len() < MIN_SEGMENT || *budget == 0 {
            continue;
        }
        if seg.len() % 2 == 0 && seg.iter().all(u8::is_ascii_hexdigit) {
            if let Ok(d) = hex::decode(seg) {
                if charge(budget, d.len()) {
                    out.push(("hex", d));
                }
            }
        }
        let urlsafe = seg.iter().any(|c| matches!(c, b'-' | b'_'));
        let standard = seg.iter().any(|c| matches!(c, b'+' | b'/'));
        if urlsafe && standard {
            continue;
        }
        let (label, engine) = if urlsafe {
            ("base64url", lenient(&base64::alphabet::URL_SAFE))
        } else {
            ("base64", lenient(&base64::alphabet::STANDARD))
        };
        let Ok(d) = engine.decode(seg) else { continue };
        if !charge(budget, d.len()) {
            continue;
        }
        if let Some((gzip, inflated)) = inflate(&d) {
            if charge(budget, inflated.len()) {
                let how = match (urlsafe, gzip) {
                    (true, false) => "base64url → zlib",
                    (true, true) => "base64url → gzip",
                    (false, false) => "base64 → zlib",
                    (false, true) => "base64 → gzip",
                };
                out.push((how, inflated));
            }
        }
        out.push((label, d));
    }
    out
}

fn lenient(alphabet: &base64::alphabet::Alphabet) -> GeneralPurpose {
    GeneralPurpose::new(
        alphabet,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    )
}

/// zlib (itsdangerous, Django signing) or gzip (true), when the bytes start like one; what
/// inflated before an error or the size cap is kept (the token may sit near the start).
fn inflate(d: &[u8]) -> Option<(bool, Vec<u8>)> {
    let mut out = Vec::new();
    let gzip = match d {
        [0x78, second, ..] if (u16::from(0x78u8) << 8 | u16::from(*second)) % 31 == 0 => {
            let _ = flate2::read::ZlibDecoder::new(d)
                .take(MAX_INFLATE)
                .read_to_end(&mut out);
            false
        }
        [0x1f, 0x8b, ..] => {
            let _ = flate2::read::GzDecoder::new(d)
                .take(MAX_INFLATE)
                .read_to_end(&mut out);
            true
        }
        _ => return None,
    };
    (!out.is_empty()).then_some((gzip, out))
}

/// Undoes the escapes of quoted cookie values and JSON strings: Python's http.cookies and
/// Werkzeug write `\057` (octal) for '/', JSON writes `\/` and `\u002b`.
fn unescape(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' || i + 1 >= b.len() {
            if b[i] != b'"' {
                out.push(b[i]);
            }
            i += 1;
            continue;
        }
        let rest = &b[i + 1..];
        if rest.len() >= 3 && rest[..3].iter().all(|c| (b'0'..=b'7').contains(c)) {
            let v = u32::from(rest[0] - b'0') * 64
                + u32::from(rest[1] - b'0') * 8
                + u32::from(rest[2] - b'0');
            out.push(u8::try_from(v).unwrap_or(b'?'));
            i += 4;
        } else if rest[0] == b'u' && rest.len() >= 5 {
            match std::str::from_utf8(&rest[1..5])
                .ok()
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .and_then(char::from_u32)
            {
                Some(c) => {
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    i += 6;
                }
                None => {
                    out.push(b'\\');
                    i += 1;
                }
            }
        } else {
            out.push(rest[0]);
            i += 2;
        }
    }
    out
}

#[cfg(test)]
mod tests;

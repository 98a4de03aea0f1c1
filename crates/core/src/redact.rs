//! Masks what must never reach evidence, reports or logs: registration tokens, access keys,
//! secret keys, session tokens and signatures.
//!
//! Text arrives in every shape a seller pastes or a probe captures: form bodies, JSON (PascalCase,
//! camelCase, snake_case), HTTP headers in any case, XML (`<SecretAccessKey>`), HTML inputs
//! (`name="x-amzn-marketplace-token" value="…"`), percent-encoded query strings and shell lines.
//! So key names are compared case-insensitively with `-` and `_` ignored, the value is found
//! after whichever separator that shape uses, and values that carry their own markers (AWS access
//! key ids, bare 40-character secret keys) are masked wherever they stand.

/// Keeps the first 4 characters of a secret-looking value and masks the rest.
fn mask(v: &str) -> String {
    let keep: String = v.chars().take(4).collect();
    format!("{keep}…(redacted)")
}

/// Secret-bearing key names, lower case with `-` and `_` removed.
const SECRET_KEYS: &[&str] = &[
    "xamznmarketplacetoken",
    "registrationtoken",
    "secretaccesskey",
    "awssecretaccesskey",
    "secretkey",
    "sessiontoken",
    "awssessiontoken",
    "xamzsecuritytoken",
    "securitytoken",
    "signature",
    "xamzsignature",
    "authorization",
];

/// Keys whose value is a whole header line (`Authorization: AWS4-HMAC-SHA256 Credential=…`).
const LINE_KEYS: &[&str] = &["authorization"];

/// Redacts known secret-bearing fields, AWS access key ids and bare secret access keys.
pub fn redact(text: &str) -> String {
    let html = redact_html_inputs(text);
    let keyed = redact_keyed(&html);
    let keys = redact_access_keys(&keyed);
    redact_bare_secrets(&keys)
}

fn normalize(word: &str) -> String {
    word.chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Percent-encoded separators a query string or form body may carry (`Credential%3D…`).
const ENCODED_SEPARATORS: &[&str] = &["%3D", "%3d", "%3A", "%3a", "%22", "%20"];

/// Walks the text word by word; after a secret key name, masks the value that follows it.
fn redact_keyed(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if !is_word_byte(bytes[i]) || (i > 0 && is_word_byte(bytes[i - 1])) {
            let c = text[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        let end = i + bytes[i..].iter().take_while(|b| is_word_byte(**b)).count();
        let word = &text[i..end];
        out.push_str(word);
        i = end;
        let key = normalize(word);
        if !SECRET_KEYS.contains(&key.as_str()) {
            continue;
        }
        if let Some((value_start, value_end)) =
            find_value(text, i, LINE_KEYS.contains(&key.as_str()))
        {
            out.push_str(&text[i..value_start]);
            let value = &text[value_start..value_end];
            if value.ends_with("(redacted)") {
                out.push_str(value);
            } else {
                out.push_str(&mask(value));
            }
            i = value_end;
        }
    }
    out
}

/// Finds the value after a key ending at `from`: `(value start, value end)`, or `None` when no
/// value follows (the key is merely mentioned).
fn find_value(text: &str, from: usize, whole_line: bool) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut j = from;
    let mut saw_separator = false;
    let mut quote: Option<u8> = None;
    // XML element: <SecretAccessKey>VALUE</SecretAccessKey>
    if bytes.get(j) == Some(&b'>') {
        let start = j + 1;
        let end = start + text[start..].find('<').unwrap_or(text.len() - start);
        return (end > start).then_some((start, end));
    }
    loop {
        match bytes.get(j) {
            Some(b'"' | b'\'') => {
                quote = bytes.get(j).copied();
                j += 1;
            }
            Some(b':' | b'=') => {
                saw_separator = true;
                quote = None;
                j += 1;
            }
            Some(b' ' | b'\t') => j += 1,
            Some(b'%') if ENCODED_SEPARATORS.iter().any(|s| text[j..].starts_with(s)) => {
                if !text[j..].starts_with("%20") && !text[j..].starts_with("%22") {
                    saw_separator = true;
                }
                j += 3;
            }
            _ => break,
        }
    }
    if !saw_separator {
        return None;
    }
    let start = j;
    let end = match quote {
        // A quoted value runs to its closing quote, spaces included.
        Some(q) => text[start..]
            .find(|c: char| c as u32 == u32::from(q) || c == '\n' || c == '\r')
            .map_or(text.len(), |e| start + e),
        None if whole_line => text[start..]
            .find(['\n', '\r', '"'])
            .map_or(text.len(), |e| start + e),
        None => text[start..]
            .find(|c: char| {
                c.is_whitespace() || matches!(c, '"' | '&' | ',' | '\'' | ';' | '}' | '<')
            })
            .map_or(text.len(), |e| start + e),
    };
    (end > start).then_some((start, end))
}

/// HTML elements naming a secret field (`<input name="x-amzn-marketplace-token" value="…">`,
/// attributes in any order): the `value` attribute is masked.
fn redact_html_inputs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>').map(|c| open + c) else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&mask_tag_value(&rest[open..=close]));
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

fn mask_tag_value(tag: &str) -> String {
    let lower = tag.to_ascii_lowercase();
    let names_secret = ["name=", "id="].iter().any(|attr| {
        lower.match_indices(attr).any(|(k, _)| {
            let v = tag[k + attr.len()..].trim_start_matches(['"', '\'', '\\']);
            let word: String = v
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            SECRET_KEYS.contains(&normalize(&word).as_str())
        })
    });
    let Some(k) = lower
        .match_indices("value=")
        .map(|(k, _)| k)
        .find(|k| *k == 0 || !tag.as_bytes()[k - 1].is_ascii_alphanumeric())
    else {
        return tag.to_string();
    };
    if !names_secret {
        return tag.to_string();
    }
    let mut start = k + "value=".len();
    // Inside a JSON string the quotes are escaped (`value=\"…\"`): the closing one is `\"`.
    let escaped = tag[start..].starts_with('\\');
    if escaped {
        start += 1;
    }
    let quote = tag[start..]
        .chars()
        .next()
        .filter(|c| *c == '"' || *c == '\'');
    if quote.is_some() {
        start += 1;
    }
    let end = match (quote, escaped) {
        (Some(q), true) => tag[start..]
            .find(&format!("\\{q}"))
            .map_or(tag.len() - 1, |e| start + e),
        (Some(q), false) => tag[start..].find(q).map_or(tag.len() - 1, |e| start + e),
        (None, _) => tag[start..]
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .map_or(tag.len() - 1, |e| start + e),
    };
    if end <= start || tag[start..end].ends_with("(redacted)") {
        return tag.to_string();
    }
    format!("{}{}{}", &tag[..start], mask(&tag[start..end]), &tag[end..])
}

/// True when the byte before `i` ends a word, or `i` follows a percent-encoded separator
/// (`Credential%3DAKIA…`, `…%2FAKIA…`).
fn starts_token(bytes: &[u8], i: usize) -> bool {
    i == 0
        || !bytes[i - 1].is_ascii_alphanumeric()
        || (i >= 3 && bytes[i - 3] == b'%' && bytes[i - 2].is_ascii_hexdigit())
}

/// AWS access key ids (AKIA/ASIA + 16) keep their prefix only.
fn redact_access_keys(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let candidate = bytes.len() >= i + 20
            && (&bytes[i..i + 4] == b"AKIA" || &bytes[i..i + 4] == b"ASIA")
            && bytes[i + 4..i + 20]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && (i + 20 == bytes.len() || !bytes[i + 20].is_ascii_alphanumeric())
            && starts_token(bytes, i);
        if candidate {
            out.push_str(&text[i..i + 4]);
            out.push_str("…(redacted)");
            i += 20;
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn is_secret_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'/' || b == b'+'
}

/// A bare secret access key: exactly 40 characters of base64's alphabet, mixing upper and lower
/// case letters (so SHA-1 hex digests and plain words are left alone).
fn is_bare_secret(s: &[u8]) -> bool {
    s.len() == 40
        && s.iter().any(u8::is_ascii_lowercase)
        && s.iter().any(u8::is_ascii_uppercase)
        && s.iter().filter(|b| b.is_ascii_alphabetic()).count() >= 20
}

fn redact_bare_secrets(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if is_secret_byte(bytes[i]) && starts_secret_run(bytes, i) {
            let len = bytes[i..]
                .iter()
                .take_while(|b| is_secret_byte(**b))
                .count();
            let run = &bytes[i..i + len];
            let after = bytes.get(i + len).copied();
            if is_bare_secret(run) && after != Some(b'=') {
                out.push_str(&mask(&text[i..i + len]));
            } else {
                out.push_str(&text[i..i + len]);
            }
            i += len;
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn starts_secret_run(bytes: &[u8], i: usize) -> bool {
    i == 0 || !is_secret_byte(bytes[i - 1])
}

#[cfg(test)]
mod tests;

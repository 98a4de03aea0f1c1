//! Masks what must never reach evidence, reports or logs: registration tokens, access keys,
//! secret keys, session tokens and signatures.

/// Keeps the first 4 characters of a secret-looking value and masks the rest.
fn mask(v: &str) -> String {
    let keep: String = v.chars().take(4).collect();
    format!("{keep}…(redacted)")
}

/// Redacts known secret-bearing fields in JSON-ish or form text, and AWS access key ids.
pub fn redact(text: &str) -> String {
    let mut out = text.to_string();
    for key in [
        "x-amzn-marketplace-token",
        "RegistrationToken",
        "registrationToken",
        "SecretAccessKey",
        "secret_access_key",
        // Environment-variable form, as pasted from a shell.
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "SessionToken",
        "session_token",
        "x-amz-security-token",
        "Signature",
        "Authorization",
        "authorization",
    ] {
        out = redact_after(&out, key);
    }
    redact_access_keys(&out)
}

/// Masks the value following `key` in `key=value`, `"key": "value"` or `key: value` forms.
fn redact_after(text: &str, key: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find(key) {
        let (before, after) = rest.split_at(pos + key.len());
        out.push_str(before);
        let sep_len = after
            .char_indices()
            .take_while(|(_, c)| matches!(c, '"' | ':' | '=' | ' ' | '\''))
            .map(|(i, c)| i + c.len_utf8())
            .last()
            .unwrap_or(0);
        if sep_len == 0 {
            rest = after;
            continue;
        }
        out.push_str(&after[..sep_len]);
        let value_part = &after[sep_len..];
        // Shell variables (`AWS_SECRET_ACCESS_KEY=… next words`) end at whitespace, so the
        // rest of a pasted line stays readable; header and JSON values may hold spaces.
        let shell = key.starts_with("AWS_");
        let end = value_part
            .find(|c: char| {
                matches!(c, '"' | '&' | ',' | '\n' | '\r' | '\'' | ';' | '}')
                    || (shell && c.is_whitespace())
            })
            .unwrap_or(value_part.len());
        let value = &value_part[..end];
        if value.is_empty() || value.ends_with("(redacted)") {
            out.push_str(value);
        } else {
            out.push_str(&mask(value));
        }
        rest = &value_part[end..];
    }
    out.push_str(rest);
    out
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
            && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_tokens_keys_and_signatures() {
        let form = "x-amzn-marketplace-token=SECRETTOKENVALUE123&other=1";
        let r = redact(form);
        assert!(!r.contains("SECRETTOKENVALUE123"), "{r}");
        assert!(r.contains("other=1"));
        let json = r#"{"RegistrationToken": "abcdefTOKEN", "AccessKeyId": "AKIAIOSFODNN7EXAMPLE"}"#;
        let r = redact(json);
        assert!(
            !r.contains("abcdefTOKEN") && !r.contains("IOSFODNN7EXAMPLE"),
            "{r}"
        );
        assert!(
            redact("Authorization: AWS4-HMAC-SHA256 Credential=x, Signature=deadbeef")
                .contains("(redacted)")
        );
        assert_eq!(redact("nothing secret here"), "nothing secret here");
        // A line pasted from a shell: each value masked, the words around it kept.
        assert_eq!(
            redact("export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG AWS_SESSION_TOKEN=FQoGZXIvYXdz then run it"),
            "export AWS_SECRET_ACCESS_KEY=wJal…(redacted) AWS_SESSION_TOKEN=FQoG…(redacted) then run it"
        );
    }
}

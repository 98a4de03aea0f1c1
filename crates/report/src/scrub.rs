//! What keeps secrets out of reports: every free text a person typed (notes, waiver reasons,
//! names, file names) or a check wrote passes through [`text`] before it enters the model, and
//! account ids are masked by [`account`].
//!
//! `la_core::redact` already masks `key=value` forms and AWS access key ids; a note can also hold a
//! bare secret key, session token or registration token pasted on its own, so long base64 runs
//! mixing cases and digits are masked too. SHA-256 hex (one case) and ordinary words are kept.

/// Shortest base64 run treated as a secret: AWS secret access keys are 40 characters.
const MIN_SECRET_RUN: usize = 40;

/// Masks secrets in a free text.
pub fn text(s: &str) -> String {
    mask_base64_runs(&la_core::redact::redact(s))
}

/// `111122223333` → `********3333`; anything that is not a 12-digit id is scrubbed as text.
pub fn account(id: &str) -> String {
    let id = id.trim();
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        format!("********{}", &id[8..])
    } else {
        text(id)
    }
}

fn is_b64(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=')
}

fn looks_secret(run: &str) -> bool {
    run.len() >= MIN_SECRET_RUN
        && run.bytes().any(|b| b.is_ascii_uppercase())
        && run.bytes().any(|b| b.is_ascii_lowercase())
        && run.bytes().any(|b| b.is_ascii_digit())
}

fn mask_base64_runs(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if looks_secret(run) {
            out.push_str(&run.chars().take(4).collect::<String>());
            out.push_str("…(redacted)");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in s.chars() {
        if is_b64(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_bare_secrets_and_keeps_ordinary_text() {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let out = text(&format!("pasted {secret} by mistake"));
        assert!(!out.contains(secret), "{out}");
        assert!(out.contains("wJal…(redacted)"));
        let key = "AKIAIOSFODNN7EXAMPLE";
        assert!(!text(&format!("key {key}")).contains(key));
        let hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        assert_eq!(text(hash), hash);
        let plain = "Sign-up form live on staging, see https://app.example.com/signup/step2";
        assert_eq!(text(plain), plain);
    }

    #[test]
    fn masks_accounts() {
        assert_eq!(account("111122223333"), "********3333");
        assert_eq!(account(""), "");
    }
}

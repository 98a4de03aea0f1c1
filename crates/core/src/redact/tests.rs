//! Each shape a secret arrives in, masked; the words around it kept. A property test plants
//! generated secrets in generated text of every shape and finds none afterwards.

use super::*;
use proptest::prelude::*;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "QkVBUkVSLVRPS0VOLXZhbHVl";

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

#[test]
fn html_hidden_inputs_in_any_attribute_order() {
    for html in [
        format!(r#"<input type="hidden" name="x-amzn-marketplace-token" value="{TOKEN}">"#),
        format!(r#"<input value="{TOKEN}" type="hidden" name="x-amzn-marketplace-token"/>"#),
        format!(r#"<INPUT NAME='x-amzn-marketplace-token' VALUE='{TOKEN}'>"#),
        format!(r#"<input name=x-amzn-marketplace-token value={TOKEN}>"#),
    ] {
        let r = redact(&html);
        assert!(!r.contains(TOKEN), "{html} → {r}");
        assert!(r.contains("(redacted)"), "{r}");
    }
    // Other inputs keep their values.
    let plain = r#"<input name="email" value="buyer@example.com">"#;
    assert_eq!(redact(plain), plain);
}

#[test]
fn header_names_in_any_case() {
    for h in [
        format!("X-Amz-Security-Token: {TOKEN}"),
        format!("x-amz-security-token:{TOKEN}"),
        format!("X-AMZ-SECURITY-TOKEN = {TOKEN}"),
        format!("authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261130/us-east-1/aws-marketplace/aws4_request, SignedHeaders=host, Signature={TOKEN}"),
    ] {
        let r = redact(&h);
        assert!(!r.contains(TOKEN), "{h} → {r}");
        assert!(!r.contains("IOSFODNN7EXAMPLE"), "{r}");
    }
}

#[test]
fn camel_case_json_keys_and_xml_elements() {
    let json = format!(
        r#"{{"accessKeyId":"AKIAIOSFODNN7EXAMPLE","secretAccessKey":"{SECRET}","sessionToken":"{TOKEN}"}}"#
    );
    let r = redact(&json);
    assert!(
        !r.contains(SECRET) && !r.contains(TOKEN) && !r.contains("IOSFODNN7"),
        "{r}"
    );
    assert!(r.contains("\"accessKeyId\""), "{r}");
    let xml = format!("<Credentials><AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId><SecretAccessKey>{SECRET}</SecretAccessKey><SessionToken>{TOKEN}</SessionToken></Credentials>");
    let r = redact(&xml);
    assert!(
        !r.contains(SECRET) && !r.contains(TOKEN) && !r.contains("IOSFODNN7"),
        "{r}"
    );
    assert!(r.contains("</SessionToken></Credentials>"), "{r}");
}

#[test]
fn percent_encoded_credential_scopes() {
    let q = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261130%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=abcdef0123";
    let r = redact(q);
    assert!(
        !r.contains("IOSFODNN7EXAMPLE") && !r.contains("abcdef0123"),
        "{r}"
    );
    let h = "Authorization%3A%20Credential%3DAKIAIOSFODNN7EXAMPLE%2F20261130";
    let r = redact(h);
    assert!(!r.contains("IOSFODNN7EXAMPLE"), "{r}");
}

#[test]
fn quoted_values_with_spaces() {
    let s = r#"SessionToken = "part one part two" and the rest"#;
    let r = redact(s);
    assert!(!r.contains("one part two"), "{r}");
    assert!(r.ends_with("\" and the rest"), "{r}");
    let s = "registration_token: 'a b c d' kept";
    let r = redact(s);
    assert!(!r.contains("b c d") && r.ends_with("' kept"), "{r}");
}

#[test]
fn bare_secret_access_keys_but_not_digests() {
    let s = format!("my key is {SECRET} ok");
    let r = redact(&s);
    assert!(
        !r.contains(SECRET) && r.starts_with("my key is wJal") && r.ends_with(" ok"),
        "{r}"
    );
    // A git SHA-1, a SHA-256 and ordinary identifiers are not secrets.
    for keep in [
        "commit 497daa1c2f4b0e9a8d7c6b5a4f3e2d1c0b9a8f7e",
        "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "prod-demostg4a7k2q demostg7ky5a0d3rqx2ub6y8m",
        "arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-demostg7ky5a0d3rqx2ub6y8m",
    ] {
        assert_eq!(redact(keep), keep);
    }
}

#[test]
fn mentions_of_a_key_name_without_a_value_stay() {
    for s in [
        "Set the SessionToken in the keyring.",
        "the Signature header is missing",
        "<SessionToken></SessionToken>",
    ] {
        assert_eq!(redact(s), s);
    }
}

/// A secret value as AWS issues them: access-key-like, 40-char secret, or token-like.
fn secret_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Z2-7]{16}".prop_map(|s| format!("AKIA{s}")),
        "[A-Z2-7]{16}".prop_map(|s| format!("ASIA{s}")),
        "[a-z]{10}[A-Z]{10}[0-9/+]{20}",
        "[A-Za-z0-9]{24,80}".prop_filter("not a plain word", |s| s
            .chars()
            .any(|c| c.is_ascii_digit())),
    ]
}

fn key_name() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "x-amzn-marketplace-token",
        "X-Amzn-Marketplace-Token",
        "RegistrationToken",
        "registrationToken",
        "registration_token",
        "SecretAccessKey",
        "secretAccessKey",
        "secret_access_key",
        "AWS_SECRET_ACCESS_KEY",
        "SessionToken",
        "sessionToken",
        "AWS_SESSION_TOKEN",
        "X-Amz-Security-Token",
        "x-amz-security-token",
        "Signature",
        "X-Amz-Signature",
    ])
}

/// The shapes text carries a key and its value in.
fn planted(shape: u8, key: &str, value: &str) -> String {
    match shape % 9 {
        0 => format!("{key}={value}&next=1"),
        1 => format!(r#"{{"{key}": "{value}", "other": 2}}"#),
        2 => format!("{key}: {value}\r\nHost: example.com"),
        3 => format!("<{key}>{value}</{key}>"),
        4 => format!(r#"<input type="hidden" name="{key}" value="{value}">"#),
        5 => format!(r#"<input value="{value}" name="{key}">"#),
        6 => format!("{key}%3D{value}%26next%3D1"),
        7 => format!("{key} = '{value}' trailing words"),
        _ => format!("export {key}={value} && run"),
    }
}

proptest! {
    #[test]
    fn planted_secrets_never_survive(
        before in "[a-zA-Z ,.:]{0,30}",
        after in "[a-zA-Z ,.:]{0,30}",
        key in key_name(),
        value in secret_value(),
        shape in 0u8..9,
    ) {
        let text = format!("{before}\n{}\n{after}", planted(shape, key, &value));
        let r = redact(&text);
        // The first 4 characters are kept on purpose; nothing past them may remain.
        let tail = &value[4..];
        prop_assert!(!r.contains(tail), "{text:?} → {r:?}");
    }

    #[test]
    fn bare_access_keys_anywhere(
        before in "[a-z ]{0,20}",
        key in "[A-Z2-7]{16}",
        sep in prop::sample::select(vec![" ", "/", "%2F", "%3D", "=", ":", "\"", "\n"]),
    ) {
        let id = format!("AKIA{key}");
        let text = format!("{before}{sep}{id}{sep}end");
        let r = redact(&text);
        prop_assert!(!r.contains(&key), "{text:?} → {r:?}");
    }

    #[test]
    fn redaction_is_idempotent_and_total(text in "\\PC{0,200}") {
        let once = redact(&text);
        prop_assert_eq!(redact(&once), once.clone());
    }
}

#[test]
fn html_inside_a_json_string() {
    let raw = format!(
        r#"{{"note":"<input type=\"hidden\" name=\"x-amzn-marketplace-token\" value=\"{TOKEN}\">"}}"#
    );
    let r = redact(&raw);
    assert!(!r.contains(TOKEN), "{r}");
    let v: serde_json::Value = serde_json::from_str(&r).expect("still JSON");
    assert!(v["note"].as_str().expect("note").contains("(redacted)"));
}

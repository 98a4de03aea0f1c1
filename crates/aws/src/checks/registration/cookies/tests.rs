//! The decoder on its own: encodings built here with the same crates the frameworks' formats
//! are made of (the frameworks themselves run in tests/registration_frameworks.rs), garbage that
//! must not panic, and a compression bomb that must stay bounded.

use super::*;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use std::io::Write;

/// A real-shaped token: base64 of 96 random bytes, as the probes post.
static TOKEN_CELL: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(crate::checks::registration::fresh_token);

fn needles() -> Needles {
    Needles::for_token(&TOKEN_CELL)
}

fn zlib(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b).expect("write");
    e.finish().expect("finish")
}

#[test]
fn plain_percent_hex_and_quoted_values_are_found() {
    let token = TOKEN_CELL.as_str();
    let n = needles();
    let plain = format!("mp={token}; Path=/");
    assert_eq!(
        find_in_set_cookie(&plain, &n).expect("plain").path,
        Vec::<&str>::new()
    );
    let pct: String = token.bytes().map(|b| format!("%{b:02X}")).collect();
    let f = find_in_set_cookie(&format!("mp=s%3A{pct}.sig; Path=/"), &n).expect("percent");
    assert_eq!(f.path, vec!["URL-encoding"]);
    let f = find_in_set_cookie(&format!("mp={}", hex::encode(token)), &n).expect("hex");
    assert_eq!(f.path, vec!["hex"]);
    let raw = STANDARD.decode(token).expect("raw");
    assert!(find_in_set_cookie(&format!("mp={}", hex::encode_upper(&raw)), &n).is_some());
    let octal: String = token.bytes().map(|b| format!("\\{b:03o}")).collect();
    let f = find_in_set_cookie(&format!("mp=\"{octal}:1uX:sig\"; Path=/"), &n).expect("octal");
    assert_eq!(f.path, vec!["quoted-string escapes"]);
}

#[test]
fn base64_json_compressed_or_not_is_found() {
    let token = TOKEN_CELL.as_str();
    let n = needles();
    let json = format!("{{\"mp_token\":\"{token}\",\"n\":1}}");
    let f = find_in_set_cookie(&format!("session={}; path=/", STANDARD.encode(&json)), &n)
        .expect("base64 json");
    assert_eq!(f.path, vec!["base64"]);
    let dotted = format!(
        "session=.{}.aB3.sig",
        URL_SAFE_NO_PAD.encode(zlib(json.as_bytes()))
    );
    let f = find_in_set_cookie(&dotted, &n).expect("zlib");
    assert!(
        f.path.contains(&"base64url → zlib") || f.path.contains(&"base64 → zlib"),
        "{f:?}"
    );
    assert!(f.describe().contains("zlib"), "{}", f.describe());
}

#[test]
fn another_token_is_not_found() {
    let other = crate::checks::registration::fresh_token();
    let json = format!("{{\"t\":\"{other}\"}}");
    let h = format!("s={}", STANDARD.encode(json));
    assert!(find_in_set_cookie(&h, &needles()).is_none());
    assert!(find_in_set_cookie("sessionid=opaque-id-123; HttpOnly", &needles()).is_none());
}

#[test]
fn garbage_never_panics() {
    use rand::Rng;
    let n = needles();
    let mut rng = rand::rng();
    for _ in 0..2000 {
        let len = rng.random_range(0..300);
        let alphabet = b"\\%\"=.:;-_+/0123456789abcdefABCDEFxyzu=&|";
        let s: String = (0..len)
            .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
            .collect();
        let _ = find_in_set_cookie(&s, &n);
    }
    for edge in [
        "", "=", ";", "a=\\", "a=\\u", "a=\\u12", "a=%", "a=%zz", "a=\\777", "a=eJw",
    ] {
        let _ = find_in_set_cookie(edge, &n);
    }
}

#[test]
fn a_compression_bomb_stays_bounded() {
    // 64 MiB of zeros compress to about 64 KiB; cut to MAX_VALUE and inflated at most
    // MAX_INFLATE bytes at a time, within the work budget.
    let bomb = zlib(&vec![0u8; 64 * 1024 * 1024]);
    let h = format!("s=.{}", URL_SAFE_NO_PAD.encode(&bomb));
    assert!(find_in_set_cookie(&h, &needles()).is_none());
    let (gzip, inflated) = inflate(&bomb).expect("zlib");
    assert!(!gzip);
    assert_eq!(
        inflated.len() as u64,
        MAX_INFLATE,
        "inflating stops at the cap"
    );
}

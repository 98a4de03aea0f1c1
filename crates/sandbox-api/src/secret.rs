//! The control API's per-launch secret: how a client learns it and how it is sent.
//!
//! Each sandbox generates a random secret when it starts and refuses `/_sandbox/*` calls that do
//! not carry it in [`SECRET_HEADER`], so a web page the seller happens to open (DNS rebinding onto
//! the loopback port) cannot drive it. The process that started the sandbox hands the secret
//! over: in-process, `la_sandbox::serve` calls [`register`] and every [`crate::Client`] of that
//! URL finds it here; across processes, `listing-assistant sandbox serve` prints it and the
//! CLI's commands take it from `--control-secret` or [`SECRET_ENV`].

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// The header a control call carries its secret in.
pub const SECRET_HEADER: &str = "x-la-sandbox-control-secret";
/// The environment variable a client reads the secret of a sandbox in another process from.
pub const SECRET_ENV: &str = "LA_SANDBOX_CONTROL_SECRET";
/// The longest injected delay the sandbox accepts (a minute outlasts every SDK's time-out, so
/// longer delays test nothing more and would only hold connections open).
pub const MAX_FAULT_DELAY_MS: u64 = 60_000;

fn registry() -> &'static Mutex<HashMap<String, String>> {
    static R: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
    R.get_or_init(|| Mutex::new(HashMap::new()))
}

fn key(endpoint: &str) -> String {
    endpoint.trim_end_matches('/').to_ascii_lowercase()
}

/// Records the secret of the sandbox at `endpoint` for this process's clients.
pub fn register(endpoint: &str, secret: &str) {
    registry()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key(endpoint), secret.to_string());
}

/// Forgets a stopped sandbox's secret.
pub fn unregister(endpoint: &str) {
    registry()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&key(endpoint));
}

/// The secret to send to the sandbox at `endpoint`: the one its in-process starter registered,
/// else [`SECRET_ENV`]'s value, else none (the sandbox will answer 401).
pub fn secret_for(endpoint: &str) -> Option<String> {
    let found = registry()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&key(endpoint))
        .cloned();
    found.or_else(|| std::env::var(SECRET_ENV).ok().filter(|s| !s.is_empty()))
}

/// Compares a presented secret with the expected one in time independent of where they differ.
pub fn secret_matches(presented: &[u8], expected: &[u8]) -> bool {
    if presented.len() != expected.len() {
        return false;
    }
    presented
        .iter()
        .zip(expected)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registered_secret_is_found_by_its_endpoint_only() {
        register("http://127.0.0.1:1234/", "s3cret");
        assert_eq!(
            secret_for("http://127.0.0.1:1234").as_deref(),
            Some("s3cret")
        );
        unregister("http://127.0.0.1:1234");
        assert_ne!(
            secret_for("http://127.0.0.1:1234").as_deref(),
            Some("s3cret")
        );
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(secret_matches(b"abc", b"abc"));
        assert!(!secret_matches(b"abd", b"abc"));
        assert!(!secret_matches(b"ab", b"abc"));
        assert!(!secret_matches(b"", b"abc"));
    }
}

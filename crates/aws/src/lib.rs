//! AWS access for Listing Assistant: SDK configuration built from an environment's settings
//! (default chain, named profile incl. SSO, assumed role, or access keys from the keyring; an
//! endpoint override for the sandbox), and the Marketplace calls the app makes, returning the
//! app's own serializable types (no SDK type leaks to the UI).

pub mod access;
pub mod checks;
pub mod engine;
pub mod logging;
pub mod marketplace;
pub mod redact;
pub mod run;

pub use access::{sdk_config, AccessError};
/// Re-exported so front ends can hold a config without depending on aws-config themselves.
pub use aws_config::SdkConfig;

/// An HTTP error with its causes, so "certificate not trusted" or "connection refused" shows.
pub fn http_error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        src = s.source();
    }
    parts.join(": ")
}

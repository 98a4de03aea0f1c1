//! The log filter the app and the CLI share. Logs go through `tracing` to stderr; the AWS SDK's
//! debug and trace events print resolved credentials with their access key ID (the SDK masks
//! only the secret), so its credential-handling crates are held at INFO whatever
//! `LISTING_ASSISTANT_LOG` asks for.

use tracing_subscriber::EnvFilter;

/// SDK crates whose DEBUG/TRACE events carry credentials or signed requests.
const CAPPED: &[&str] = &[
    "aws_smithy_runtime",
    "aws_smithy_runtime_api",
    "aws_config",
    "aws_credential_types",
    "aws_sigv4",
    "aws_runtime",
];

/// `LISTING_ASSISTANT_LOG` (or `default`), with the SDK's credential-bearing targets capped.
pub fn env_filter(default: &str) -> EnvFilter {
    let base = std::env::var("LISTING_ASSISTANT_LOG").unwrap_or_else(|_| default.to_string());
    capped(&base)
}

/// `directives` with the SDK's credential-bearing targets capped at INFO.
pub fn capped(directives: &str) -> EnvFilter {
    let mut f = EnvFilter::try_new(directives).unwrap_or_else(|_| EnvFilter::new("info"));
    for target in CAPPED {
        if let Ok(d) = format!("{target}=info").parse() {
            f = f.add_directive(d);
        }
    }
    f
}

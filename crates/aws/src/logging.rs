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
/// Without the variable the SDK's crates say errors only: their warnings (each credential
/// provider tried, each dispatch failure with its debug structures) repeat what the app says
/// in one line; `LISTING_ASSISTANT_LOG=aws_config=info` brings them back.
pub fn env_filter(default: &str) -> EnvFilter {
    match std::env::var("LISTING_ASSISTANT_LOG") {
        Ok(base) => capped(&base),
        Err(_) => with_sdk_at(default, "error"),
    }
}

/// `directives` with the SDK's credential-bearing targets capped at INFO.
pub fn capped(directives: &str) -> EnvFilter {
    with_sdk_at(directives, "info")
}

fn with_sdk_at(directives: &str, level: &str) -> EnvFilter {
    let mut f = EnvFilter::try_new(directives).unwrap_or_else(|_| EnvFilter::new("info"));
    for target in CAPPED {
        if let Ok(d) = format!("{target}={level}").parse() {
            f = f.add_directive(d);
        }
    }
    f
}

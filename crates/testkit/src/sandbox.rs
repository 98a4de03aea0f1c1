//! The Marketplace sandbox with the demo products, on a free loopback port.

use la_sandbox::server::ServeOptions;
use la_sandbox::{Config, Running};

/// A sandbox with the demo products and the default configuration (demo credentials, state in
/// memory, no SQS).
pub async fn seeded() -> Running {
    seeded_with(Config::default()).await
}

/// A sandbox with the demo products and `config`.
pub async fn seeded_with(config: Config) -> Running {
    la_sandbox::serve(
        config,
        ServeOptions {
            addr: "127.0.0.1:0".parse().expect("loopback address"),
            seed_demo: true,
            allow_remote: false,
        },
    )
    .await
    .expect("the sandbox starts")
}

#!/usr/bin/env bash
# BatchMeterUsage: the sandbox versus moto's server (see crates/sandbox/examples/meter_bench.rs).
# Release build: the first run compiles for a while.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
cargo build --release -p listing-assistant --bin listing-assistant
cargo build --release -p la-sandbox --example meter_bench
LA_CLI_BIN="$target/release/listing-assistant" "$target/release/examples/meter_bench"

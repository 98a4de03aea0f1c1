#!/usr/bin/env bash
# The live timeline of a test purchase session (see crates/app/examples/timeline_bench.rs): a
# notification in moto's SQS queue to the timeline (stored and announced), p99 against 1 s, and
# an idle session's CPU against 0.5 % of one core. Release build, as a user runs the app.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run -q --release -p la-app --example timeline_bench

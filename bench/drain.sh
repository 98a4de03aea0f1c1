#!/usr/bin/env bash
# Draining a moto SQS queue: the test purchase session's SQS watcher versus a one-message-at-a-time
# consumer (see crates/purchase/examples/drain_bench.rs). `bench/drain.sh [COUNT]`; 10,000 by
# default. moto's ReceiveMessage rescans the whole queue for every message it returns, so large
# counts take very long on moto whichever consumer drains them (README, "Measured").
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
cargo build -p la-purchase --example drain_bench
"$target/debug/examples/drain_bench" "${1:-10000}"

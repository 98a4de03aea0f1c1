#!/usr/bin/env bash
# The check engine's parallelism (see crates/aws/examples/parallel_bench.rs). Latency-bound, so
# the debug build the tests use is fine.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run -q -p la-aws --example parallel_bench

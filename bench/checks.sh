#!/usr/bin/env bash
# The check engine's parallelism (see crates/aws/examples/parallel_bench.rs): wall time over the
# critical path with 200 ms injected per call. Release build, so the figure is the engine's
# overlap rather than a debug build's CPU time on a small machine.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run -q --release -p la-aws --example parallel_bench

#!/usr/bin/env bash
# Report export benchmark: the Demo workspace with 10,000 evidence rows, exported as HTML and
# PDF in both languages (release build), against the 2-second budget per export.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release -p la-report --example export_bench -- "${1:-10000}"

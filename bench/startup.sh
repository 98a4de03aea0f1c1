#!/usr/bin/env bash
# Start-up against a blank Tauri window (bench/startup.py), under a private Xvfb display (or the
# current display if there is one). Builds what it measures first: the debug build, and with
# LA_BENCH_PROFILE=release or both, the release build too (a cold release build of the app takes
# a long while; CARGO_INCREMENTAL=0 keeps its size down).
set -euo pipefail
cd "$(dirname "$0")/.."
FEATURES=(--features tauri/custom-protocol)
profile="${LA_BENCH_PROFILE:-debug}"
(cd ui && npm run build --silent)
if [ "$profile" = debug ] || [ "$profile" = both ]; then
  cargo build -q "${FEATURES[@]}" --bin listing-assistant-app --bin blank-window
fi
if [ "$profile" = release ] || [ "$profile" = both ]; then
  cargo build -q --release "${FEATURES[@]}" --bin listing-assistant-app --bin blank-window
fi
if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1440x900x24" python3 bench/startup.py
fi
exec python3 bench/startup.py

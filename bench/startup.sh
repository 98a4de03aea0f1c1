#!/usr/bin/env bash
# Start-up against a blank Tauri window (bench/startup.py), under a private Xvfb display (or the
# current display if there is one). Builds what it measures first: by default both the release
# build (what users run; a cold release build of the app takes a long while) and the debug build;
# LA_BENCH_PROFILE=release or debug measures one.
set -euo pipefail
cd "$(dirname "$0")/.."
FEATURES=(--features tauri/custom-protocol)
profile="${LA_BENCH_PROFILE:-both}"
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

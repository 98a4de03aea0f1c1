#!/usr/bin/env bash
# Runs bench/startup.py under a private Xvfb display (or the current display if there is one).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1440x900x24" python3 bench/startup.py
fi
exec python3 bench/startup.py

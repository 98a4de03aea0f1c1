#!/usr/bin/env bash
# Opens the app on its embedded UI. Without a display (a server, CI), it starts a virtual one so
# the app still comes up; set LISTING_ASSISTANT_DATA_DIR to use another data folder.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${CARGO_TARGET_DIR:-target}/debug/listing-assistant-app"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: starting the app under Xvfb (virtual display :97)."
  exec xvfb-run -n 97 -s "-screen 0 1440x900x24" "$bin"
fi
exec "$bin"

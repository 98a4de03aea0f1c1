#!/usr/bin/env bash
# The keyring's Secret Service path (what Linux desktop users have), tested for real: a private
# D-Bus session (dbus-run-session) with gnome-keyring-daemon in it, unlocked with a known test
# password, in throwaway HOME/XDG folders so the user's own keyring is never touched. Runs the
# ignored tests of crates/core/tests/secret_service.rs, each in its own process:
#   1. store keys (with a session token); the daemon is stopped and started again;
#   2. read them back in another process, then delete them;
#   3. store again, lock the collection: reading and writing say "the keychain is locked";
#   4. outside any D-Bus session: "no keychain is available".
# Every wait is bounded (timeout on the session, a bounded poll for the daemon's bus name) and
# every daemon started here is killed and waited for: nothing is left to PID 1.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
PASSWORD="la-secret-service-test"
BUS_NAME="org.freedesktop.secrets"

# -- inside the private D-Bus session ----------------------------------------------------------
if [ "${1:-}" = "--inside" ]; then
  bin="$2"
  scratch="$(mktemp -d)"
  export HOME="$scratch/home" XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" \
    XDG_CACHE_HOME="$scratch/cache" XDG_RUNTIME_DIR="$scratch/run"
  mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
  chmod 700 "$XDG_RUNTIME_DIR"
  # No display: an unlock prompt cannot be shown, so a locked collection stays locked.
  unset DISPLAY WAYLAND_DISPLAY
  daemon=""
  stop_daemon() {
    if [ -n "$daemon" ]; then
      kill "$daemon" 2>/dev/null || true
      wait "$daemon" 2>/dev/null || true
      daemon=""
    fi
  }
  trap 'stop_daemon; rm -rf "$scratch"' EXIT
  name_owned() {
    dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
      org.freedesktop.DBus.NameHasOwner "string:$BUS_NAME" 2>/dev/null | grep -q "boolean true"
  }
  start_daemon() {
    # --unlock reads the password on stdin and creates (first time) or unlocks the login keyring.
    (printf %s "$PASSWORD" | exec gnome-keyring-daemon --foreground --unlock --components=secrets) \
      >"$scratch/daemon.log" 2>&1 &
    daemon=$!
    for _ in $(seq 100); do
      name_owned && return 0
      kill -0 "$daemon" 2>/dev/null || break
      sleep 0.1
    done
    echo "gnome-keyring-daemon did not take $BUS_NAME:" >&2
    cat "$scratch/daemon.log" >&2
    return 1
  }
  run() { timeout 60 "$bin" --ignored --exact --test-threads=1 "$1"; }

  echo "==> Secret Service: store keys, restart the daemon, read them back in another process"
  start_daemon
  run ss_1_store
  stop_daemon
  start_daemon
  [ -s "$XDG_DATA_HOME/keyrings/login.keyring" ] || { echo "no login keyring on disk" >&2; exit 1; }
  run ss_2_read_back_and_delete

  echo "==> Secret Service: a locked collection holding the keys"
  run ss_1_store
  collection=$(dbus-send --session --print-reply --dest="$BUS_NAME" /org/freedesktop/secrets \
    org.freedesktop.Secret.Service.ReadAlias string:default | sed -n 's/.*object path "\(.*\)"/\1/p')
  [ -n "$collection" ] && [ "$collection" != "/" ] || { echo "no default collection" >&2; exit 1; }
  dbus-send --session --print-reply --dest="$BUS_NAME" /org/freedesktop/secrets \
    org.freedesktop.Secret.Service.Lock "array:objpath:$collection" >/dev/null
  dbus-send --session --print-reply --dest="$BUS_NAME" "$collection" \
    org.freedesktop.DBus.Properties.Get string:org.freedesktop.Secret.Collection string:Locked \
    | grep -q "boolean true" || { echo "the collection did not lock" >&2; exit 1; }
  run ss_locked
  stop_daemon
  exit 0
fi

# -- outside: build once, then the session, then the no-keychain case --------------------------
for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
  command -v "$tool" >/dev/null || {
    echo "error: $tool is missing; run scripts/install-deps.sh (gnome-keyring, dbus)" >&2
    exit 1
  }
done
echo "==> build the Secret Service tests"
bin=$(cargo test -p la-core --test secret_service --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "secret_service":
        print(m["executable"])')
[ -x "$bin" ] || { echo "error: could not build crates/core/tests/secret_service.rs" >&2; exit 1; }

timeout 300 dbus-run-session -- "$0" --inside "$bin"

echo "==> no keychain: no D-Bus session at all"
# A bus address that cannot exist and no display to autolaunch one from; the kernel keyring
# (the OS store's cache) in a fresh session keyring so nothing cached answers instead.
timeout 60 env -u DISPLAY -u WAYLAND_DISPLAY \
  DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent/la-no-bus" \
  keyctl session - "$bin" --ignored --exact --test-threads=1 ss_no_keychain
echo "==> Secret Service tests passed"

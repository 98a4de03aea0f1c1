#!/usr/bin/env bash
# Crash safety: SIGKILL the backend (crates/aws/examples/crash_driver.rs: the app's core running
# check runs against the sandbox while writing statuses, notes, evidence files and purchase
# sessions) at a random moment, ROUNDS times (100 by default), on one data folder. After each kill
# the driver's verifier reopens the database and checks: integrity_check ok, no run or session
# left "running" (they are marked interrupted), and every write acknowledged before the kill (the
# driver's fsynced side file) is in the database, evidence files re-hashed.
# Usage: scripts/crash-test.sh [ROUNDS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
rounds="${1:-100}"
seed="${2:-$RANDOM}"
target="${CARGO_TARGET_DIR:-target}"
cargo build --workspace --features tauri/custom-protocol --example crash_driver --quiet
driver="$target/debug/examples/crash_driver"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
data="$work/data" ack="$work/acks.log"
RANDOM="$seed"
echo "crash test: $rounds SIGKILLs, seed $seed, data in $work"
started=$SECONDS
for round in $(seq 1 "$rounds"); do
  "$driver" write "$data" "$ack" "$round" >"$work/driver.out" 2>"$work/driver.err" &
  pid=$!
  # Wait until it is writing (sandbox up, Demo re-pointed), then kill 0-1.5 s later.
  for _ in $(seq 1 400); do
    grep -q ready "$work/driver.out" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.025
  done
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "round $round: the driver died before the kill:" >&2
    cat "$work/driver.err" >&2
    exit 1
  fi
  delay_ms=$((RANDOM % 1500))
  sleep "$((delay_ms / 1000)).$(printf '%03d' $((delay_ms % 1000)))"
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null || true
  if ! out="$("$driver" verify "$data" "$ack" 2>&1)"; then
    echo "round $round (killed after ${delay_ms} ms): $out" >&2
    exit 1
  fi
done
echo "$out"
# The verifier must be able to fail: a write the log claims but the database never saw.
ws="$(grep -m1 '^status ' "$ack" | cut -d' ' -f2)"
cp "$ack" "$work/forged.log"
echo "status $ws seller.public_profile never-written" >>"$work/forged.log"
if "$driver" verify "$data" "$work/forged.log" >/dev/null 2>&1; then
  echo "the verifier missed a forged acknowledged write" >&2
  exit 1
fi
echo "crash test: $rounds kills survived in $((SECONDS - started)) s (seed $seed)"

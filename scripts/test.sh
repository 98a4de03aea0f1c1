#!/usr/bin/env bash
# Every test: lint (rustfmt, clippy, Biome, tsc), Rust tests (incl. the bindings staleness check,
# the kill-mid-write test and the Secret Service test under a private D-Bus session), 100 SIGKILLs
# during check runs and writes, UI unit tests (Vitest), the fuzz targets' smoke run (build +
# 20,000 runs each), and the end-to-end suite driving the real app through tauri-driver +
# WebKitWebDriver under Xvfb. `scripts/test.sh PART` runs one part.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
FEATURES=(--features tauri/custom-protocol)
part="${1:-all}"
target="${CARGO_TARGET_DIR:-target}"

step() { printf '\n==> %s\n' "$*"; }

lint() {
  step "rustfmt"
  cargo fmt --all -- --check
  (cd fuzz && cargo fmt -- --check)
  step "clippy"
  cargo clippy --workspace --all-targets "${FEATURES[@]}" -- -D warnings
  step "cargo deny (licenses, bans, sources; deny.toml)"
  # Offline: advisories need GitHub's RustSec database, which this machine cannot reach.
  cargo deny --offline --log-level error check licenses bans sources
  step "biome + tsc"
  (cd ui && npx biome check src && npx tsc --noEmit)
}

build_ui() {
  step "ui build"
  (cd ui && npm run build --silent)
}

rust() {
  step "cargo test"
  # Inside a fresh session keyring, so any kernel-keyring use stays in this run.
  keyctl session la-tests cargo test --workspace "${FEATURES[@]}"
  step "Secret Service (gnome-keyring under a private D-Bus session; locked; no keychain)"
  ./scripts/secret-service-test.sh
}

crash() {
  step "crash safety (100 SIGKILLs during check runs and attestation writes)"
  ./scripts/crash-test.sh 100
}

ui() {
  step "vitest"
  (cd ui && npx vitest run)
}

fuzz() {
  step "fuzz targets: build, then a smoke run of each from the seeds (scripts/fuzz.sh)"
  ./scripts/fuzz.sh smoke
}

e2e() {
  step "end-to-end (tauri-driver + WebKitWebDriver under Xvfb)"
  cargo build "${FEATURES[@]}" --bins
  export LA_APP_BIN
  LA_APP_BIN="$(realpath "$target/debug/listing-assistant-app")"
  ./tests/e2e/run.sh
}

case "$part" in
  lint) lint ;;
  rust) build_ui; rust ;;
  crash) crash ;;
  ui) ui ;;
  e2e) build_ui; e2e ;;
  fuzz) fuzz ;;
  all) build_ui; lint; rust; crash; ui; fuzz; e2e ;;
  *) echo "usage: $0 [lint|rust|crash|ui|e2e|fuzz|all]" >&2; exit 2 ;;
esac
step "all requested tests passed ($part)"

#!/usr/bin/env bash
# Installs whatever is missing to build, run and test Listing Assistant on Debian/Ubuntu:
# apt packages, npm packages (ui/ and tests/e2e/), tauri-driver, and the Rust crates.
# Safe to run again: each step checks first and does nothing when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # Tauri on Linux
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev libssl-dev
  libxdo-dev pkg-config build-essential
  # keyring's Secret Service backend
  libdbus-1-dev
  # end-to-end tests: a display, the WebKit WebDriver, the kernel keyring for headless runs
  xvfb webkit2gtk-driver keyutils
  # the Secret Service test: gnome-keyring under a private D-Bus session (dbus-run-session)
  gnome-keyring dbus dbus-daemon
  # icons (rsvg-convert); CJK glyphs for screenshots and the font embedded in PDF reports
  librsvg2-bin fonts-noto-cjk
  # pdftotext/pdfinfo/pdffonts: the report tests read the PDFs back
  poppler-utils
  # tools the scripts use; python3-venv for moto (the AWS emulator the tests run, from PyPI)
  curl procps python3 python3-venv
)

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> apt: installing ${missing[*]}"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
  echo "error: Rust is not installed. Install it with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi
if ! command -v npm >/dev/null; then
  echo "==> apt: installing nodejs and npm"
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
fi

# npm packages, from the lock files; skipped when node_modules matches the lock already.
# crates/aws/tests/fixtures/frameworks/express: the Express registration pages the probes' tests run.
for dir in ui tests/e2e crates/aws/tests/fixtures/frameworks/express; do
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.deps-stamp" 2>/dev/null; then
    echo "==> npm: installing $dir"
    # `npm install --no-save` rather than `npm ci`: this npm writes lock files without other
    # platforms' optional packages, which `npm ci` then rejects as out of sync.
    (cd "$dir" && npm install --no-save --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$dir/node_modules/.deps-stamp"
  fi
done

# tauri-driver: the WebDriver bridge the end-to-end suite drives the app through.
if ! command -v tauri-driver >/dev/null && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "==> cargo: installing tauri-driver"
  cargo install tauri-driver --version '^2' --locked
fi

# cargo-deny: licenses, duplicate versions and sources of the dependency graph (lint step).
if ! command -v cargo-deny >/dev/null && [ ! -x "$HOME/.cargo/bin/cargo-deny" ]; then
  echo "==> cargo: installing cargo-deny"
  cargo install cargo-deny --version '^0.20' --locked
fi

# cargo-fuzz: builds and runs the libFuzzer targets in fuzz/ (scripts/fuzz.sh; stable rustc with
# RUSTC_BOOTSTRAP=1, so no nightly toolchain is needed).
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "==> cargo: installing cargo-fuzz"
  cargo install cargo-fuzz --version '^0.13' --locked
fi

# moto's server (SQS, SNS, IAM, STS, CloudTrail… emulated) and botocore's service models, in a
# virtualenv of the project's own: the sandbox tests deliver notifications to moto's SQS and check
# responses against botocore's models.
MOTO_SPEC='moto[server]>=5.2,<6'
if [ ! -x .tools/venv/bin/moto_server ]; then
  echo "==> pip: installing $MOTO_SPEC into .tools/venv"
  rm -rf .tools/venv
  python3 -m venv .tools/venv
  .tools/venv/bin/pip install --quiet --disable-pip-version-check "$MOTO_SPEC"
fi
# junitparser: a real JUnit consumer reads the check command's JUnit output in a test.
JUNITPARSER_SPEC='junitparser>=4,<6'
if ! .tools/venv/bin/python -c 'import junitparser' 2>/dev/null; then
  echo "==> pip: installing $JUNITPARSER_SPEC into .tools/venv"
  .tools/venv/bin/pip install --quiet --disable-pip-version-check "$JUNITPARSER_SPEC"
fi

# The registration probes' fixtures: pages written with Flask (+ Flask-WTF's CSRF, PyJWT) and
# Django, started by crates/aws/tests/registration_frameworks.rs.
FRAMEWORK_SPECS=('flask>=3,<4' 'flask-wtf>=1.2,<2' 'django>=5,<6' 'pyjwt>=2,<3')
if ! .tools/venv/bin/python -c 'import flask, flask_wtf, django, jwt' 2>/dev/null; then
  echo "==> pip: installing ${FRAMEWORK_SPECS[*]} into .tools/venv"
  .tools/venv/bin/pip install --quiet --disable-pip-version-check "${FRAMEWORK_SPECS[@]}"
fi

# Rust crates: fetched once, so builds need no network afterwards.
cargo fetch --locked >/dev/null 2>&1 || cargo fetch

# Listing Assistant. `make run` and `make test` install what is missing first (see
# scripts/install-deps.sh), so both work on a fresh Debian/Ubuntu machine.

SHELL := /bin/bash
FEATURES := --features tauri/custom-protocol
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: run test deps build ui app bindings lint test-rust test-ui test-e2e test-fuzz fuzz bench icons deb clean

run: deps build
	./scripts/run.sh

test: deps
	./scripts/test.sh

deps:
	./scripts/install-deps.sh

ui:
	cd ui && npm run build --silent

# One feature set everywhere (build, test, e2e), so nothing compiles twice.
app: ui
	cargo build $(FEATURES) --bins

build: app

bindings:
	cargo run $(FEATURES) --bin listing-assistant-app -- --export-bindings ui/src/ipc/bindings.ts

lint:
	./scripts/test.sh lint

test-rust:
	./scripts/test.sh rust

test-ui:
	./scripts/test.sh ui

test-e2e: build
	./scripts/test.sh e2e

# The fuzz targets' smoke run (each target 20,000 runs from the committed seeds); part of `test`.
test-fuzz: deps
	./scripts/test.sh fuzz

# The long fuzz campaigns: 10 million executions per target, one target at a time; prints the
# figures the README's "Reliability and security" section records. FUZZ_RUNS=N to change.
fuzz: deps
	./scripts/fuzz.sh long $(FUZZ_RUNS)

# Every issue-15 figure next to its target. Start-up is measured on the release build (what
# users run; a cold release build takes a long while) and the debug build; LA_BENCH_PROFILE=debug
# or release measures one.
bench: deps build
	./bench/startup.sh
	./bench/metering.sh
	./bench/timeline.sh
	./bench/report.sh
	./bench/checks.sh

icons:
	./scripts/icons.sh

# A Debian package (offline bundling works here; AppImage bundling downloads tools and fails).
deb: deps
	cd ui && npx tauri build --bundles deb --config ../src-tauri/tauri.conf.json

clean:
	cargo clean
	rm -rf ui/dist tests/e2e/.artifacts

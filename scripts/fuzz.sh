#!/usr/bin/env bash
# The fuzz targets (cargo-fuzz / libFuzzer, fuzz/): the notification parser, the environment-file
# parser, the report verifier and the sandbox's request decoding.
#
#   scripts/fuzz.sh smoke [RUNS]     build every target, run each RUNS times (default 20000) from
#                                    the committed seeds only — what `make test` runs
#   scripts/fuzz.sh long [RUNS]      run each target RUNS times (default 10 million), one after
#                                    another, growing fuzz/corpus/<target>, and print the figures
#                                    the README records — what `make fuzz` runs
#   scripts/fuzz.sh run TARGET [ARGS…]  one target, libFuzzer's own arguments passed through
#
# Stable Rust: cargo-fuzz passes nightly-only `-Z` flags, which RUSTC_BOOTSTRAP=1 lets stable
# rustc accept. No sanitizer (`--sanitizer none`): the fuzzed crates forbid `unsafe`, so
# AddressSanitizer would find nothing the Rust checks do not, at half the speed; the build keeps
# debug assertions and overflow checks on, so arithmetic overflow is a crash too.
# A crash leaves its input in fuzz/artifacts/<target>/ and fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export RUSTC_BOOTSTRAP=1
# The instrumented build has its own target dir (different RUSTFLAGS would rebuild the main one);
# CI points it at its cache outside the clone.
target_dir="$(realpath -m "${FUZZ_TARGET_DIR:-fuzz/target}")"
unset CARGO_TARGET_DIR

TARGETS=(notify_parse envfile_parse report_verify sandbox_request)
# 2 shared cores: the build uses one job and runs niced, campaigns run one process at a time.
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
FLAGS=(--sanitizer none --target-dir "$target_dir")
# Inputs up to 4 KiB (the seeds are under 3 KiB); a 10 s hang or 1 GiB of memory is a crash.
LIBFUZZER=(-max_len=4096 -timeout=10 -rss_limit_mb=1024 -print_final_stats=1)

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "error: cargo-fuzz is missing; scripts/install-deps.sh installs it" >&2
  exit 1
fi

build() {
  local start=$SECONDS
  (cd fuzz && nice -n 10 cargo fuzz build "${FLAGS[@]}")
  echo "==> fuzz targets built in $((SECONDS - start)) s"
}

# run TARGET CORPUS_DIR RUNS LOG: seeds are read-only, new inputs go to CORPUS_DIR.
run() {
  local t=$1 corpus=$2 runs=$3 log=$4
  mkdir -p "$corpus"
  corpus="$(realpath "$corpus")"
  # cargo-fuzz points -artifact_prefix at fuzz/artifacts/<target>/ itself.
  (cd fuzz && nice -n 10 cargo fuzz run "${FLAGS[@]}" "$t" "$corpus" "seeds/$t" -- \
    "${LIBFUZZER[@]}" -runs="$runs") 2>&1 | tee "$log" |
    grep -E '^(#[0-9]+[[:space:]]+DONE|==[0-9]+== ERROR|thread .* panicked|stat::number_of_executed_units|stat::average_exec_per_sec)' || true
  if ! grep -q 'stat::number_of_executed_units' "$log" || grep -qE 'panicked|==[0-9]+== ERROR|deadly signal' "$log"; then
    tail -n 40 "$log" >&2
    echo "error: fuzz target $t crashed; its input is in fuzz/artifacts/$t/" >&2
    return 1
  fi
}

stat() { grep -m1 "^stat::$1:" "$2" | awk '{print $2}'; }

case "${1:-smoke}" in
  smoke)
    runs="${2:-20000}"
    build
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    for t in "${TARGETS[@]}"; do
      echo "==> fuzz smoke: $t ($runs runs from the seeds)"
      run "$t" "$tmp/$t" "$runs" "$tmp/$t.log"
    done
    ;;
  long)
    runs="${2:-10000000}"
    build
    mkdir -p fuzz/logs
    rows=()
    for t in "${TARGETS[@]}"; do
      echo "==> fuzz campaign: $t ($runs runs)"
      log="fuzz/logs/$t.log"
      start=$SECONDS
      run "$t" "fuzz/corpus/$t" "$runs" "$log"
      wall=$((SECONDS - start))
      # libFuzzer's last line: "#N DONE cov: E ft: F corp: INPUTS/SIZE …"
      done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
      cov=$(grep -o 'cov: [0-9]*' <<<"$done_line" | cut -d' ' -f2)
      ft=$(grep -o 'ft: [0-9]*' <<<"$done_line" | cut -d' ' -f2)
      corp=$(grep -o 'corp: [^ ]*' <<<"$done_line" | cut -d' ' -f2)
      rows+=("| \`$t\` | $(stat number_of_executed_units "$log") | $(stat average_exec_per_sec "$log") | ${wall} s | ${corp%%/*} inputs, ${corp#*/} | $cov / $ft | $(stat peak_rss_mb "$log") MB |")
    done
    echo
    echo "| target | executions | exec/s | wall time | corpus | coverage (edges / features) | peak RSS |"
    echo "|---|---:|---:|---:|---|---|---:|"
    printf '%s\n' "${rows[@]}"
    ;;
  run)
    shift
    t="${1:?usage: $0 run TARGET [libFuzzer args…]}"
    shift
    mkdir -p "fuzz/corpus/$t"
    (cd fuzz && nice -n 10 cargo fuzz run "${FLAGS[@]}" "$t" "corpus/$t" "seeds/$t" -- \
      "${LIBFUZZER[@]}" "$@")
    ;;
  *)
    echo "usage: $0 [smoke [RUNS] | long [RUNS] | run TARGET [ARGS…]]" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# Fuzzing of the vault-core targets with cargo-fuzz (nightly, libFuzzer, AddressSanitizer,
# debug assertions and overflow checks on), one target at a time.
#
#   bash vault-core/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#       Each target (default: all) for SECONDS (default 20: the CI smoke run).
#   FUZZ_RUNS=10000000 bash vault-core/fuzz/run.sh [TARGET...]
#       Each target until it has run that many inputs (the long campaign; no time limit).
#
# Seeds come from the format vectors, cheap vaults, armor, codes, SLIP-39 vectors and legacy
# files made by the openssl command line; what the fuzzer finds is kept in corpus/TARGET and
# grows from run to run. An input that panics, trips the sanitizer or runs longer than 10 s
# (a hang) is saved under vault-core/fuzz/artifacts/TARGET/ and fails the script: fix the
# bug, then copy the input to vault-core/fuzz/regressions/TARGET/ so that the normal test
# suite replays it (tests/fuzz_regressions.rs).
set -euo pipefail
cd "$(dirname "$0")"
FUZZ=$PWD
ROOT=$(cd ../.. && pwd)
ALL=(parse_verify open_rewrite armor recovery_code slip39 legacy pbkdf2_diff)

# Where cargo writes what it builds here: CARGO_TARGET_DIR or build.target-dir if set,
# else ./target. Asked of cargo, never assumed.
cargo_target_dir() {
  cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])'
}

SECS=20
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
  SECS=$1
  shift
fi
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL[@]}")
for t in "${TARGETS[@]}"; do
  [[ " ${ALL[*]} " == *" $t "* ]] || { echo "unknown target $t (targets: ${ALL[*]})" >&2; exit 2; }
done
if [ -n "${FUZZ_RUNS:-}" ]; then
  LIMIT=(-runs="$FUZZ_RUNS")
  WHAT="$FUZZ_RUNS executions"
else
  LIMIT=(-max_total_time="$SECS")
  WHAT="${SECS}s"
fi

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal

SLIP39=${SLIP39_VECTORS:-$ROOT/tests/slip39/vectors.json}
[ -f "$SLIP39" ] || { echo "SLIP-39 vectors not found at $SLIP39" >&2; exit 1; }
rm -rf corpus-seed
cargo run --quiet --release --example make_seeds -- corpus-seed "$ROOT/tests/vectors" "$SLIP39"
mkdir -p corpus-seed/legacy
printf 'legacy secret\n' > corpus-seed/legacy.txt
openssl enc -aes-256-cbc -pbkdf2 -iter 1 -md sha256 -pass pass:password \
  -in corpus-seed/legacy.txt -out corpus-seed/legacy/openssl-pbkdf2.bin
# The target's first byte picks the KDF: 0x00 is PBKDF2-SHA256 with 1 iteration.
{ printf '\x00'; cat corpus-seed/legacy/openssl-pbkdf2.bin; } > corpus-seed/legacy/seed-pbkdf2
rm corpus-seed/legacy/openssl-pbkdf2.bin corpus-seed/legacy.txt

# slip39's wordlist lookup is constant-time: every input word is compared, branch-free,
# with all 1,024 words. Comparison tracing cannot guide the fuzzer through such code, yet
# traced it takes three quarters of each run; long runs (FUZZ_RUNS, or 600 s and more per
# target) build slip39 without it, about four times faster.
NO_TRACE_COMPARES=(slip39)
NO_TRACE_DIR=$(cargo_target_dir)/no-trace-compares
LONG=0
if [ -n "${FUZZ_RUNS:-}" ] || [ "$SECS" -ge 600 ]; then LONG=1; fi
flags_for() {
  if [ "$LONG" = 1 ] && [[ " ${NO_TRACE_COMPARES[*]} " == *" $1 "* ]]; then
    echo "--no-trace-compares --target-dir $NO_TRACE_DIR"
  fi
}

# -a: debug assertions and integer-overflow checks, so an overflow is a crash too.
cargo +nightly fuzz build --release -a
total_runs=0
printf '%-14s %14s %10s %9s %12s\n' target executions exec/s seconds "slowest unit"
for t in "${TARGETS[@]}"; do
  mkdir -p "corpus/$t"
  log=$(mktemp)
  start=$SECONDS
  # shellcheck disable=SC2046 # the flags are words
  if ! cargo +nightly fuzz run --release -a $(flags_for "$t") "$t" "corpus/$t" "corpus-seed/$t" -- \
      "${LIMIT[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz target $t FAILED (input saved under $FUZZ/artifacts/$t/)" >&2
    exit 1
  fi
  stat() { grep -E "^stat::$1" "$log" | awk '{print $2}' | tail -1; }
  runs=$(stat number_of_executed_units)
  total_runs=$((total_runs + ${runs:-0}))
  label=$t
  [ -z "$(flags_for "$t")" ] || label="$t*"
  printf '%-14s %14s %10s %9s %11ss\n' "$label" "${runs:-?}" "$(stat average_exec_per_sec)" \
    "$((SECONDS - start))" "$(stat slowest_unit_time_sec)"
  rm -f "$log"
done
untraced=0
for t in "${TARGETS[@]}"; do [ -z "$(flags_for "$t")" ] || untraced=1; done
[ "$untraced" = 0 ] || echo "* built without comparison tracing (see above)"
echo "fuzzing: ${#TARGETS[@]} targets × $WHAT, $total_runs executions, no crash, no hang"

#!/usr/bin/env bash
# Bounded fuzzing of every vault-core target with cargo-fuzz (nightly, libFuzzer).
#   bash vault-core/fuzz/run.sh [SECONDS_PER_TARGET]      (default 20: the CI smoke run)
# Seeds come from the format vectors, cheap vaults, armor, codes, SLIP-39 vectors and legacy
# files made by the openssl command line. A crash leaves its input under
# vault-core/fuzz/artifacts/TARGET/ and fails the script.
set -euo pipefail
cd "$(dirname "$0")"
FUZZ=$PWD
ROOT=$(cd ../.. && pwd)
SECS=${1:-20}
TARGETS=(parse_verify open_rewrite armor recovery_code slip39 legacy pbkdf2_diff)

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal

SLIP39=${SLIP39_VECTORS:-$ROOT/../shared/slip39/vectors.json}
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

cargo +nightly fuzz build --release
total_runs=0
for t in "${TARGETS[@]}"; do
  mkdir -p "corpus/$t"
  log=$(mktemp)
  if ! cargo +nightly fuzz run --release "$t" "corpus/$t" "corpus-seed/$t" -- \
      -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz target $t FAILED (input saved under $FUZZ/artifacts/$t/)" >&2
    exit 1
  fi
  runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -1)
  total_runs=$((total_runs + ${runs:-0}))
  printf '%-14s %12s executions in %ss, no crash\n' "$t" "${runs:-?}" "$SECS"
  rm -f "$log"
done
echo "fuzzing: ${#TARGETS[@]} targets, $total_runs executions, no crash"

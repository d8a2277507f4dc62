#!/usr/bin/env bash
# The browser tests (after tests/browser/setup.sh): builds the restore page and the
# command line, runs vault-wasm's tests compiled to wasm in headless Chromium and in Node,
# then the end-to-end tests of the page in Chromium. Screenshots and the unlock timings go
# to tests/browser/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/../.."

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
# Where cargo writes what it builds here: CARGO_TARGET_DIR or build.target-dir if set,
# else ./target. Asked of cargo, never assumed.
cargo_target_dir() {
  cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])'
}
START=$SECONDS

step "build the restore page (web/build.sh)"
bash web/build.sh

step "build the command line"
cargo build -p vault-cli
# The end-to-end tests run the binary just built, wherever cargo put it.
AIRVAULT_BIN=${AIRVAULT_BIN:-$(cargo_target_dir)/debug/airvault}
export AIRVAULT_BIN

step "vault-wasm in headless Chromium and in Node (every format vector, KDF, armor, recovery)"
CHROMEDRIVER=${CHROMEDRIVER:-$(command -v chromedriver)} \
  WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-300} \
  cargo test -p vault-wasm --target wasm32-unknown-unknown

step "restore page end to end (Chromium, file://, offline, CLI backups)"
(cd tests/browser && node --test --test-concurrency=1 e2e/)

step "browser tests passed in $((SECONDS - START)) s"

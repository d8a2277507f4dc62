#!/usr/bin/env bash
# The one test command: installs what it needs on a fresh machine, then runs every check
# and every test. `.ci/run` calls this script; README.md names it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
START=$SECONDS

# --- Tools ------------------------------------------------------------------------------
step "toolchain: rustfmt, clippy, targets"
rustup component add rustfmt clippy >/dev/null 2>&1 || true
rustup target add thumbv7em-none-eabihf wasm32-unknown-unknown >/dev/null

step "python packages for interop tests"
if ! python3 -c 'import cryptography, shamir_mnemonic, argon2.low_level' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check cryptography shamir-mnemonic \
    argon2-cffi
fi
command -v openssl >/dev/null || { echo "openssl command line is required" >&2; exit 1; }

step "browser test tools: Chromium, ChromeDriver, wasm-bindgen-cli, playwright-core"
bash tests/browser/setup.sh

# --- Static checks ------------------------------------------------------------------------
step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

# --- The core on its real targets -----------------------------------------------------------
step "vault-core builds for thumbv7em-none-eabihf and wasm32-unknown-unknown"
cargo build -p vault-core --target thumbv7em-none-eabihf
cargo build -p vault-core --target wasm32-unknown-unknown

step "no-alloc proof: a no_std, no_main binary using vault-core links for thumbv7em"
(cd tests/nostd-link && cargo build --release --target thumbv7em-none-eabihf)
if cargo tree -p vault-core --target thumbv7em-none-eabihf -e features | grep -E '"(std|alloc)"'; then
  echo "vault-core's dependency graph enables std or alloc" >&2
  exit 1
fi

# --- Tests -----------------------------------------------------------------------------------
step "workspace tests"
cargo test --workspace

step "OS keyring: GNOME Keyring in a private D-Bus session, cross-checked with secret-tool"
bash tests/keyring/run.sh

step "restore page: vault-wasm in Chromium and Node, the page end to end from file://"
bash tests/browser/run.sh

step "restore page is reproducible: built twice, in two directories, the same bytes"
bash tests/page_reproducible.sh

step "release bundle: the binary carrying the page, completions, man pages, SHA256SUMS"
BUNDLE=$(mktemp -d "${TMPDIR:-/tmp}/airvault-bundle.XXXXXX")
bash release/build.sh "$BUNDLE/out"
for f in airvault airvault-recovery.html SHA256SUMS completions/airvault.bash \
  completions/_airvault completions/airvault.fish man/airvault.1 man/airvault-backup.1; do
  [ -s "$BUNDLE/out/$f" ] || { echo "the release bundle lacks $f" >&2; exit 1; }
done
rm -rf "$BUNDLE"

step "the core on an emulated Cortex-M4 (QEMU): restore, footprint"
bash tests/firmware/run.sh

step "fuzzing smoke run: every target for ${FUZZ_SECONDS:-20} s"
bash vault-core/fuzz/run.sh "${FUZZ_SECONDS:-20}"

step "all checks passed in $((SECONDS - START)) s"

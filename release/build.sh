#!/usr/bin/env bash
# Builds a release bundle into OUTDIR (created; it must not hold anything yet):
#
#   airvault                  the command line, release build, carrying the restore page
#   airvault-recovery.html    the restore page, as `airvault page` writes it
#   completions/, man/        shell completions and man pages, when the binary makes them
#   SHA256SUMS                the SHA-256 of every file above (check: sha256sum -c SHA256SUMS)
#
# Usage: bash release/build.sh OUTDIR
#
# Needs rustup (the wasm32-unknown-unknown target is added), python3, and wasm-bindgen-cli
# of exactly the version in Cargo.lock: installed with `cargo install` if missing (about
# five minutes). The page comes from web/build.sh; the binary is built with AIRVAULT_PAGE
# naming it, so `airvault page --out DIR` writes exactly these bytes.
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: bash release/build.sh OUTDIR" >&2
  exit 2
fi
OUT=$1
if [ -e "$OUT" ] && [ -n "$(ls -A "$OUT" 2>/dev/null || echo x)" ]; then
  echo "release/build.sh: $OUT exists and is not an empty directory — choose a new OUTDIR" >&2
  exit 2
fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
cd "$(dirname "$0")/.."
ROOT=$PWD

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
# Where cargo writes what it builds here: CARGO_TARGET_DIR or build.target-dir if set,
# else ./target. Asked of cargo, never assumed.
cargo_target_dir() {
  cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])'
}

step "tools: the wasm32 target and wasm-bindgen-cli of the Cargo.lock version"
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  # (--locked fails for this crate: one of its locked dependencies left the registry.)
  cargo install wasm-bindgen-cli --version "$want"
fi

step "the restore page (web/build.sh)"
bash web/build.sh
PAGE=$ROOT/web/dist/airvault-recovery.html

step "the command line, release build, carrying the page"
AIRVAULT_PAGE=$PAGE cargo build --release --locked -p vault-cli
install -m 0755 "$(cargo_target_dir)/release/airvault" "$OUT/airvault"
BIN=$OUT/airvault

step "the page, written by the binary and compared with the build's"
"$BIN" page --out "$OUT"
cmp "$PAGE" "$OUT/airvault-recovery.html"
chmod 0644 "$OUT/airvault-recovery.html"

step "shell completions and man pages"
# Offered by the binary when it has `completions SHELL` / `man` commands (hidden ones too,
# so each is asked for directly rather than looked up in --help).
if "$BIN" completions --help >/dev/null 2>&1; then
  mkdir -p "$OUT/completions"
  "$BIN" completions bash >"$OUT/completions/airvault.bash"
  "$BIN" completions zsh >"$OUT/completions/_airvault"
  "$BIN" completions fish >"$OUT/completions/airvault.fish"
  echo "completions: bash, zsh, fish"
else
  echo "note: this airvault has no 'completions' command; the bundle has no completions"
fi
if "$BIN" man --help >/dev/null 2>&1; then
  mkdir -p "$OUT/man"
  if "$BIN" man --help 2>/dev/null | grep -q -- '--out-dir'; then
    "$BIN" man --out-dir "$OUT/man"
  else
    "$BIN" man >"$OUT/man/airvault.1"
  fi
  echo "man pages: $(cd "$OUT/man" && ls | tr '\n' ' ')"
else
  echo "note: this airvault has no 'man' command; the bundle has no man pages"
fi

step "SHA256SUMS"
(
  cd "$OUT"
  find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort |
    while IFS= read -r f; do sha256sum -- "$f"; done >SHA256SUMS
  sha256sum --quiet -c SHA256SUMS
)
cat "$OUT/SHA256SUMS"
echo
echo "release bundle in $OUT; publish SHA256SUMS (the page's line is what users check)."

#!/usr/bin/env bash
# Builds the restore page: ONE self-contained file, web/dist/airvault-recovery.html, with
# the wasm module (base64), the wasm-bindgen glue, the page script and the style sheet
# inlined. Prints the file's SHA-256 (to publish) and the page fingerprint it shows.
#
# Needs: cargo with the wasm32-unknown-unknown target, wasm-bindgen-cli of exactly the
# wasm-bindgen version in Cargo.lock (tests/browser/setup.sh installs it), python3.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# 400,000 until Argon2id: its memory-filling function and BLAKE2b, which WebCrypto does not
# have, add about 25 KB of wasm (33 KB as base64).
MAX_BYTES=430000

# Where cargo writes what it builds here: CARGO_TARGET_DIR or build.target-dir if set,
# else ./target. Asked of cargo, never assumed.
cargo_target_dir() {
  cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])'
}

lock_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}
want=$(lock_version)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  echo "web/build.sh: wasm-bindgen $want is needed (found: ${have:-none})." >&2
  echo "  cargo install wasm-bindgen-cli --version $want   (or: bash tests/browser/setup.sh)" >&2
  exit 1
fi
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true

# Source paths are remapped so that the module does not depend on where the checkout, the
# cargo registry or the target directory lives: the same sources and toolchain give the
# same page (tests/page_reproducible.sh builds it twice in two places and compares).
# The target directory's remap comes last, so it wins when that is inside the checkout.
CARGO_HOME_DIR=${CARGO_HOME:-$HOME/.cargo}
TARGET_DIR=$(cargo_target_dir)
export RUSTFLAGS="${RUSTFLAGS:-} --remap-path-prefix=$ROOT=/airvault --remap-path-prefix=$CARGO_HOME_DIR=/cargo --remap-path-prefix=$TARGET_DIR=/target"
cargo build -p vault-wasm --profile web --target wasm32-unknown-unknown
WASM=$TARGET_DIR/wasm32-unknown-unknown/web/vault_wasm.wasm

PKG=web/pkg
rm -rf "$PKG"
wasm-bindgen --target no-modules --no-typescript --remove-name-section \
  --remove-producers-section --out-dir "$PKG" \
  "$WASM"

crate_version=$(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && ! git diff --quiet HEAD -- vault-core vault-wasm web Cargo.toml Cargo.lock 2>/dev/null; then
  commit="$commit-modified"
fi
VERSION="$crate_version ($commit)"

mkdir -p web/dist
rm -f web/dist/airvault-recovery.html
python3 - "$VERSION" "$MAX_BYTES" <<'PY'
import base64, hashlib, re, sys

version, max_bytes = sys.argv[1], int(sys.argv[2])
template = open("web/src/index.html", encoding="utf-8").read()
parts = {
    "VERSION": version,
    "CONTENT_SHA256": "0" * 64,
    "STYLE": open("web/src/style.css", encoding="utf-8").read().strip(),
    "GLUE": open("web/pkg/vault_wasm.js", encoding="utf-8").read().strip(),
    "APP": open("web/src/app.js", encoding="utf-8").read().strip(),
    "WASM_BASE64": "\n".join(
        re.findall(".{1,120}", base64.b64encode(open("web/pkg/vault_wasm_bg.wasm", "rb").read()).decode())
    ),
}
for name in ("GLUE", "APP"):
    if re.search(r"</script", parts[name], re.I):
        sys.exit(f"web/build.sh: {name} contains '</script' and cannot be inlined")
if re.search(r"[<>&\"']", version):
    sys.exit("web/build.sh: the version must not contain markup characters")

# Substitute every placeholder in one pass, so that inserted text is never scanned again.
placeholders = re.findall(r"\{\{([A-Z0-9_]+)\}\}", template)
if sorted(set(placeholders)) != sorted(parts) or len(placeholders) != len(parts):
    sys.exit(f"web/build.sh: the template's placeholders are {placeholders}")
page = re.sub(r"\{\{([A-Z0-9_]+)\}\}", lambda m: parts[m.group(1)], template)

# The page fingerprint: SHA-256 of the page with its fingerprint field all zeros. It is
# written into that field; `sed` can zero the field again to check it (see web/README.md).
field = re.compile(r'(name="airvault-content-sha256" content=")0{64}(")')
if len(field.findall(page)) != 1:
    sys.exit("web/build.sh: the fingerprint field must occur exactly once")
content_sha256 = hashlib.sha256(page.encode("utf-8")).hexdigest()
page = field.sub(lambda m: m.group(1) + content_sha256 + m.group(2), page)

data = page.encode("utf-8")
if len(data) > max_bytes:
    sys.exit(f"web/build.sh: the page would be {len(data):,} bytes, over the {max_bytes:,}-byte budget")
open("web/dist/airvault-recovery.html", "wb").write(data)
wasm_len = len(open("web/pkg/vault_wasm_bg.wasm", "rb").read())
print(f"web/dist/airvault-recovery.html: {len(data):,} bytes "
      f"(wasm {wasm_len:,} bytes, {len(parts['WASM_BASE64']):,} as base64; "
      f"glue {len(parts['GLUE']):,}; page script {len(parts['APP']):,}; style {len(parts['STYLE']):,})")
print(f"version:          {version}")
print(f"page fingerprint: {content_sha256}   (shown by the page)")
print(f"file SHA-256:     {hashlib.sha256(data).hexdigest()}   (publish this; check with sha256sum)")
PY

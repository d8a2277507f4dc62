#!/usr/bin/env bash
# Installs what the browser tests need on a fresh Debian machine (run as root). Safe to run
# again: each step is skipped when what it installs is already there.
#   - Debian's Chromium and ChromeDriver (wasm-bindgen-test and playwright-core drive it);
#   - wasm-bindgen-cli of exactly the wasm-bindgen version in Cargo.lock (the page build
#     and wasm-bindgen-test-runner must match the library);
#   - playwright-core, pinned by tests/browser/package-lock.json (npm ci);
#   - shamir-mnemonic, the SLIP-39 reference implementation the shares test uses.
set -euo pipefail
cd "$(dirname "$0")/../.."

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Chromium and ChromeDriver"
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi
chromium --version 2>/dev/null | grep -v '^/' || true

step "wasm32 target and wasm-bindgen-cli"
rustup target add wasm32-unknown-unknown >/dev/null
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$want" ]; then
  echo "tests/browser/setup.sh: no wasm-bindgen in Cargo.lock" >&2
  exit 1
fi
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
runner=$(wasm-bindgen-test-runner --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ] || [ "$runner" != "$want" ]; then
  # Not --locked: one of the CLI's locked dependency versions is missing from the registry.
  cargo install wasm-bindgen-cli --version "$want"
fi
wasm-bindgen --version

step "Node.js packages (playwright-core)"
node_major=$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/' || echo 0)
if [ "${node_major:-0}" -lt 20 ]; then
  echo "tests/browser/setup.sh: Node.js 20 or newer is needed (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi
(cd tests/browser && npm ci --no-audit --no-fund)

step "shamir-mnemonic (SLIP-39 reference implementation)"
if ! python3 -c 'import shamir_mnemonic' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check shamir-mnemonic
fi

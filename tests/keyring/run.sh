#!/usr/bin/env bash
# The OS keyring tests against a real Secret Service: installs GNOME Keyring and libsecret's
# `secret-tool` on a fresh Debian machine (run as root; skipped when they are there), then
# starts gnome-keyring-daemon in a private D-Bus session with a throwaway home, an unlocked
# login keyring and nothing of the user's own, and runs the keyring tests there
# (`cargo test -p vault-cli --test keyring -- --include-ignored`, and the keyring prompts
# on a pseudo-terminal from `--test terminal`). The tests cross-check every item with
# `secret-tool`. Works with CARGO_TARGET_DIR anywhere.
set -euo pipefail
cd "$(dirname "$0")/../.."

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "GNOME Keyring, secret-tool and dbus-run-session"
missing=()
command -v gnome-keyring-daemon >/dev/null 2>&1 || missing+=(gnome-keyring)
command -v secret-tool >/dev/null 2>&1 || missing+=(libsecret-tools)
command -v dbus-run-session >/dev/null 2>&1 || missing+=(dbus)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

step "build the keyring tests"
cargo test -p vault-cli --test keyring --test terminal --no-run

step "keyring tests in a private D-Bus session with GNOME Keyring"
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/airvault-keyring.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
mkdir -m 700 "$SCRATCH/home" "$SCRATCH/runtime"
# The session gets a home of its own; cargo and rustup keep theirs.
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
# The session ends, and the daemon with it, when the inner script exits.
HOME="$SCRATCH/home" XDG_RUNTIME_DIR="$SCRATCH/runtime" \
  dbus-run-session -- bash -euo pipefail -c '
    # The login keyring, created and unlocked with a throwaway password read from stdin.
    printf "%s" "keyring-test-password" |
      gnome-keyring-daemon --unlock --components=secrets >/dev/null
    # The daemon is reachable and stores and reads an item before the tests begin.
    printf "probe" | secret-tool store --label=probe service airvault-probe username probe
    test "$(secret-tool lookup service airvault-probe username probe)" = probe
    secret-tool clear service airvault-probe username probe
    cargo test -p vault-cli --test keyring -- --include-ignored
    # The prompts before replacing an item, answered on a pseudo-terminal.
    cargo test -p vault-cli --test terminal -- --ignored keyring_
  ' 2> >(grep -v "Failed to set fd limit" >&2)

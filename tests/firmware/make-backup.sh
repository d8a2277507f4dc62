#!/usr/bin/env bash
# Makes the backup the firmware embeds, with the airvault CLI as a user would, and records
# what the CLI reports about it:
#   data/backup.airvault     the backup (`airvault backup`)
#   data/password.txt        its password (first line), as --password-file reads it
#   data/cli-transcript.txt  every command run and its --json output (the recovery code
#                            that `init` shows is left out)
#   data/argon2id-backup.airvault       a backup of a vault whose password keyslot is
#                                       Argon2id (8 MiB, 1 pass, 1 lane), which a reader
#                                       without 8 MiB of RAM opens only through the
#                                       recovery keyslot (PBKDF2)
#   data/argon2id-recovery-code.txt     that vault's recovery code (a test vault)
# The keys in it are random test keys; run this again to make a new backup, then commit
# data/. Needs openssl (for the PEM private key). AIRVAULT=path uses that CLI binary
# instead of building vault-cli.
set -euo pipefail
cd "$(dirname "$0")"
FW=$PWD
ROOT=$(cd ../.. && pwd)

# The format's minimum (vault_core::constants::MIN_ITERATIONS): the firmware reads the
# backup with the standard bounds, no test-only override.
ITERATIONS=100000

# Where cargo writes what it builds here: CARGO_TARGET_DIR or build.target-dir if set,
# else ./target. Asked of cargo, never assumed.
cargo_target_dir() {
  cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])'
}

AIRVAULT=${AIRVAULT:-}
if [ -z "$AIRVAULT" ]; then
  (cd "$ROOT" && cargo build -q -p vault-cli)
  AIRVAULT=$(cd "$ROOT" && cargo_target_dir)/debug/airvault
fi
command -v openssl >/dev/null || { echo "make-backup.sh needs openssl" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
printf 'correct horse battery staple\n' >password.txt
export AIRVAULT_VAULT=vault.airvault

TRANSCRIPT=$WORK/cli-transcript.txt
{
  echo "# What the airvault CLI reported while making backup.airvault (make-backup.sh)."
  echo "# Each command is run in a scratch directory; AIRVAULT_VAULT=vault.airvault."
} >"$TRANSCRIPT"
# Quotes an argument for the transcript when it is not a plain word.
quote() {
  case $1 in
    *[!A-Za-z0-9_./:=-]* | "") printf "'%s'" "$1" ;;
    *) printf '%s' "$1" ;;
  esac
}
# Runs the CLI and records the command line and its standard output.
record() {
  local line="\$ airvault" arg
  for arg in "$@"; do line+=" $(quote "$arg")"; done
  echo "$line" >>"$TRANSCRIPT"
  "$AIRVAULT" "$@" | tee -a "$TRANSCRIPT"
}

echo "\$ airvault init --iterations $ITERATIONS --password-file password.txt --json" >>"$TRANSCRIPT"
echo "(output not recorded: it shows the recovery code)" >>"$TRANSCRIPT"
"$AIRVAULT" init --iterations "$ITERATIONS" --password-file password.txt --json >/dev/null

printf 'Tr0ub4dor&3 but longer' >root-password.txt
openssl genpkey -algorithm ed25519 -out signing-key.pem 2>/dev/null

record generate "disk-encryption-key" --bytes 32 --password-file password.txt --json
record add "root password" --kind password --from-file root-password.txt \
  --password-file password.txt --json
record add "signing-key.pem" --kind private-key-pem --from-file signing-key.pem \
  --password-file password.txt --json
record generate "admin console TOTP" --kind totp-seed --bytes 20 \
  --password-file password.txt --json
record generate "Ünïcødé ✓ seed" --kind opaque --bytes 16 --password-file password.txt --json
record backup --out backup.airvault --password-file password.txt --json
record verify backup.airvault --json
record verify backup.airvault --password-file password.txt --json
record --vault backup.airvault list --password-file password.txt --json

# The Argon2id vault: the same password, its own recovery code, one entry.
mkdir argon2id
(
  cd argon2id
  export AIRVAULT_VAULT=vault.airvault
  "$AIRVAULT" init --kdf argon2id --memory 8 --passes 1 --lanes 1 \
    --password-file ../password.txt --json |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["recovery_code"])' \
      >../argon2id-recovery-code.txt
  "$AIRVAULT" generate "disk-encryption-key" --bytes 32 --password-file ../password.txt --json >/dev/null
  "$AIRVAULT" backup --out ../argon2id-backup.airvault --password-file ../password.txt --json >/dev/null
)

mkdir -p "$FW/data"
cp backup.airvault password.txt cli-transcript.txt argon2id-backup.airvault \
  argon2id-recovery-code.txt "$FW/data/"
echo "wrote ${FW#"$ROOT/"}/data/: backup.airvault ($(wc -c <backup.airvault) bytes), password.txt, cli-transcript.txt"

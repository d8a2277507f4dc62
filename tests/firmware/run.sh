#!/usr/bin/env bash
# Builds the firmware, runs it on the Cortex-M4 of QEMU's mps2-an386 board, and fails unless
#  - the firmware exits with success (every one of its checks passed),
#  - the entries it restored (name, kind, version, status, key check value) are exactly what
#    the airvault CLI says about the same backup, and
#  - its footprint fits the budget: flash <= 96 KiB, RAM (static + peak stack) <= 16 KiB.
# Installs qemu-system-arm, the thumbv7em target and llvm-tools if they are missing; needs
# python3 to compare JSON.
# Usage: tests/firmware/run.sh   (from anywhere)
#   RUN_TIMEOUT=seconds  limit for the emulated run (default 120)
#   AIRVAULT=path        the CLI binary to compare with (default: vault-cli built here)
set -euo pipefail
cd "$(dirname "$0")"
FW=$PWD
ROOT=$(cd ../.. && pwd)

TARGET=thumbv7em-none-eabihf
BACKUP=$FW/data/backup.airvault
PASSWORD_FILE=$FW/data/password.txt
TRANSCRIPT=$FW/data/cli-transcript.txt
FLASH_BUDGET=$((96 * 1024))
RAM_BUDGET=$((16 * 1024))
RUN_TIMEOUT=${RUN_TIMEOUT:-120}

step() { printf '\n\033[1m--> %s\033[0m\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
# Where cargo writes what it builds here: CARGO_TARGET_DIR or build.target-dir if set,
# else ./target. Asked of cargo, never assumed.
cargo_target_dir() {
  cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])'
}
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# --- Tools -----------------------------------------------------------------------------------
step "tools: qemu-system-arm, the $TARGET target, llvm-tools"
if ! command -v qemu-system-arm >/dev/null; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq qemu-system-arm >/dev/null
fi
rustup target list --installed | grep -qx "$TARGET" || rustup target add "$TARGET"
LLVM_BIN="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin"
[ -x "$LLVM_BIN/llvm-size" ] || rustup component add llvm-tools
qemu-system-arm --version | head -n 1

# --- Build -----------------------------------------------------------------------------------
step "build the firmware (release, $TARGET)"
t0=$(now)
cargo build --release --locked --target "$TARGET"
BUILD_S=$(since "$t0")
# The firmware just built (its own workspace: run here, in $FW).
ELF=$(cargo_target_dir)/$TARGET/release/airvault-firmware
[ -f "$ELF" ] || fail "cargo built no firmware at $ELF"

# --- Run -------------------------------------------------------------------------------------
step "run it on QEMU mps2-an386 (Cortex-M4), at most $RUN_TIMEOUT s"
t0=$(now)
status=0
timeout "$RUN_TIMEOUT" qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic \
  -semihosting-config enable=on,target=native -kernel "$ELF" >"$WORK/output.txt" || status=$?
RUN_S=$(since "$t0")
cat "$WORK/output.txt"
case $status in
  0) ;;
  124) fail "the firmware did not finish within $RUN_TIMEOUT s" ;;
  *) fail "the firmware exited with status $status: a check failed (see above)" ;;
esac
grep -qx 'result: pass ([0-9]* checks, 0 failed)' "$WORK/output.txt" ||
  fail "the firmware exited with success but did not report a pass"

# --- Compare with the CLI ----------------------------------------------------------------------
# The firmware's `entry` lines, in the CLI's terms: `airvault list --json` reports the newest
# version of each entry with the number of versions kept; the firmware prints every version.
step "compare the restored entries with what the CLI says about the same backup"
grep '^entry ' "$WORK/output.txt" >"$WORK/firmware-entries.txt" ||
  fail "the firmware printed no entries"

# Turns `airvault list --json` lines (any other JSON lines are skipped) into the firmware's
# `entry` line format: newest version first-hand, older versions only counted.
cli_entries() {
  python3 - "$1" <<'PY'
import json, sys
lines = []
for raw in open(sys.argv[1], encoding="utf-8"):
    raw = raw.strip()
    if not raw.startswith("{"):
        continue
    m = json.loads(raw)
    if m.get("type") != "entry":
        continue
    lines.append("entry kcv={kcv} kind={kind} version={version} status={status} name={name}"
                 .format(**m))
    lines.append("versions {versions} name={name}".format(**m))
print("\n".join(sorted(lines)))
PY
}

# The same view of the firmware's lines: its line for the newest version of each name, and
# the number of versions it printed for that name.
firmware_entries() {
  python3 - "$1" <<'PY'
import re, sys
newest, count = {}, {}
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    m = re.fullmatch(r"entry kcv=(?:[0-9A-F]{8}|-) kind=\S+ version=(\d+) status=\S+ name=(.+)", line)
    if not m:
        sys.exit(f"unexpected entry line: {line!r}")
    version, name = int(m.group(1)), m.group(2)
    count[name] = count.get(name, 0) + 1
    if name not in newest or version > newest[name][0]:
        newest[name] = (version, line)
lines = [v[1] for v in newest.values()] + [f"versions {n} name={k}" for k, n in count.items()]
print("\n".join(sorted(lines)))
PY
}

firmware_entries "$WORK/firmware-entries.txt" >"$WORK/firmware.txt"

# The CLI: $AIRVAULT if set, else built from this repository, else (in a tree without the
# CLI) the output make-backup.sh recorded when it made the backup.
AIRVAULT=${AIRVAULT:-}
if [ -z "$AIRVAULT" ] && [ -f "$ROOT/vault-cli/Cargo.toml" ]; then
  (cd "$ROOT" && cargo build -q -p vault-cli)
  AIRVAULT=$(cd "$ROOT" && cargo_target_dir)/debug/airvault
fi
if [ -n "$AIRVAULT" ]; then
  # The CLI reads a copy, so nothing can touch the committed backup.
  cp "$BACKUP" "$WORK/backup.airvault"
  "$AIRVAULT" --vault "$WORK/backup.airvault" --password-file "$PASSWORD_FILE" \
    list --json >"$WORK/cli-list.jsonl"
  cli_entries "$WORK/cli-list.jsonl" >"$WORK/cli.txt"
  echo "expected: 'airvault list --json' on the embedded backup, run now"
  if [ -f "$TRANSCRIPT" ]; then
    cli_entries "$TRANSCRIPT" >"$WORK/recorded.txt"
    diff -u "$WORK/recorded.txt" "$WORK/cli.txt" ||
      fail "the CLI now reports the embedded backup differently from ${TRANSCRIPT#"$ROOT/"}"
  fi
else
  [ -f "$TRANSCRIPT" ] || fail "no CLI to run and no recorded CLI transcript"
  cli_entries "$TRANSCRIPT" >"$WORK/cli.txt"
  echo "expected: the CLI output recorded in ${TRANSCRIPT#"$ROOT/"} (no CLI in this tree)"
fi
[ -s "$WORK/cli.txt" ] || fail "the CLI reported no entries"
diff -u "$WORK/cli.txt" "$WORK/firmware.txt" ||
  fail "the firmware's entries differ from the CLI's (- CLI, + firmware)"
echo "identical: $(grep -c '^entry ' "$WORK/firmware.txt") entries, $(wc -l <"$WORK/firmware-entries.txt") entry versions"

# --- Footprint -------------------------------------------------------------------------------
step "footprint"
# `llvm-size -A -d`: one "section size address" line per section, sizes in bytes.
"$LLVM_BIN/llvm-size" -A -d "$ELF" >"$WORK/sections.txt"
section() { awk -v s="$1" '$1 == s { print $2; found = 1 } END { if (!found) print 0 }' "$WORK/sections.txt"; }
vectors=$(section .vector_table)
text=$(section .text)
rodata=$(section .rodata)
data=$(section .data)
bss=$(section .bss)
uninit=$(section .uninit)
backup_len=$(wc -c <"$BACKUP")
footprint() { sed -n "s/^footprint .*\b$1=\([0-9]*\).*/\1/p" "$WORK/output.txt"; }
stack_peak=$(footprint stack_peak)
stack_restore=$(footprint stack_peak_restore)
if [ -z "$stack_peak" ] || [ -z "$stack_restore" ]; then
  fail "the firmware did not report its stack use"
fi
# Flash holds the code, the constants (with the embedded backup) and the initial values of
# .data; RAM holds .data, .bss and .uninit, and the stack.
flash=$((vectors + text + rodata + data))
static_ram=$((data + bss + uninit))
ram=$((static_ram + stack_peak))
row() { printf '%-44s %8s %10s\n' "$@"; }
kib() { awk -v b="$1" 'BEGIN { printf "%.1f KiB", b / 1024 }'; }
row "" "bytes" ""
row "flash: .vector_table" "$vectors" ""
row "flash: .text (code)" "$text" ""
row "flash: .rodata (constants, with the backup)" "$rodata" ""
row "  of which the embedded backup" "$backup_len" ""
row "flash: .data initial values" "$data" ""
row "flash total (budget $(kib $FLASH_BUDGET))" "$flash" "$(kib "$flash")"
row "RAM: .data + .bss + .uninit (static)" "$static_ram" ""
row "RAM: stack peak, restore alone" "$stack_restore" ""
row "RAM: stack peak, whole run" "$stack_peak" ""
row "RAM total (budget $(kib $RAM_BUDGET))" "$ram" "$(kib "$ram")"
echo
echo "timings: build ${BUILD_S} s, emulated run ${RUN_S} s (four PBKDF2 runs)"
[ "$flash" -le "$FLASH_BUDGET" ] || fail "flash $flash bytes exceeds the budget of $FLASH_BUDGET"
[ "$ram" -le "$RAM_BUDGET" ] || fail "RAM $ram bytes exceeds the budget of $RAM_BUDGET"
echo "firmware: all checks passed"

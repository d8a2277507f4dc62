#!/usr/bin/env bash
# The restore page is reproducible: builds it twice with web/build.sh, from two copies of
# these sources at two different paths (of different lengths), each with its own cargo
# target directory, and requires the two pages to be the same bytes. What is copied is the
# working tree as git sees it (tracked and untracked files, not ignored ones), so a change
# not yet committed is checked too; neither copy has git history, so both pages show the
# version "0.1.0 (unknown)" — a release build from a commit shows the commit instead.
#
# Needs what web/build.sh needs. Takes two release builds of vault-wasm (about a minute
# each on 2 cores); nothing of the usual target directory is reused, on purpose.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

WORK=$(mktemp -d "${TMPDIR:-/tmp}/airvault-reproducible.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

copy_sources() {
  mkdir -p "$1"
  git -C "$ROOT" ls-files -z --cached --others --exclude-standard |
    (cd "$ROOT" && xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) |
    tar -C "$ROOT" --null -T - -cf - | tar -C "$1" -xf -
}

build_in() { # SOURCE_DIR TARGET_DIR
  copy_sources "$1"
  (cd "$1" && CARGO_TARGET_DIR=$2 bash web/build.sh)
}

A=$WORK/a/airvault
B=$WORK/second-build/somewhere/deeper/airvault-copy
echo "==> build 1 in $A"
build_in "$A" "$WORK/target-1"
echo "==> build 2 in $B"
build_in "$B" "$WORK/t2"

PAGE=web/dist/airvault-recovery.html
if cmp "$A/$PAGE" "$B/$PAGE"; then
  echo "reproducible: both builds wrote the same page, SHA-256 $(sha256sum <"$A/$PAGE" | cut -d' ' -f1)"
else
  echo "NOT reproducible: the two builds of the restore page differ" >&2
  for x in "$A" "$B"; do sha256sum "$x/$PAGE" >&2; done
  exit 1
fi

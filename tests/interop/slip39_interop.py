#!/usr/bin/env python3
"""Interop helper for tests/slip39_interop.rs: drives the SLIP-39 reference
implementation (PyPI `shamir-mnemonic`, trezor/python-shamir-mnemonic).

Commands (JSON on stdin, JSON on stdout):

  check
      exit 0 and print the package version if shamir_mnemonic is importable.
  combine
      stdin:  {"sets": [[mnemonic, ...], ...], "passphrase": "..."}
      stdout: {"secrets": ["hex" | null, ...], "errors": ["..." | null, ...]}
  generate
      stdin:  {"group_threshold": GT, "groups": [[T, N], ...], "secret": "hex",
               "passphrase": "...", "extendable": bool, "iteration_exponent": e}
      stdout: {"groups": [[mnemonic, ...], ...]}

Exit code 3 means the package is missing.
"""
import json
import sys

MISSING = 3

try:
    import shamir_mnemonic
except ImportError as exc:  # pragma: no cover - reported by the Rust test
    print(f"cannot import shamir_mnemonic ({exc}); run: pip install shamir-mnemonic",
          file=sys.stderr)
    sys.exit(MISSING)


def version() -> str:
    try:
        from importlib.metadata import version as v
        return v("shamir-mnemonic")
    except Exception:  # noqa: BLE001
        return "unknown"


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "check":
        print(json.dumps({"version": version()}))
        return 0
    request = json.load(sys.stdin)
    passphrase = request.get("passphrase", "").encode("ascii")
    if command == "combine":
        secrets, errors = [], []
        for mnemonics in request["sets"]:
            try:
                secret = shamir_mnemonic.combine_mnemonics(mnemonics, passphrase)
                secrets.append(secret.hex())
                errors.append(None)
            except Exception as exc:  # noqa: BLE001 - reported to the Rust side
                secrets.append(None)
                errors.append(f"{type(exc).__name__}: {exc}")
        print(json.dumps({"secrets": secrets, "errors": errors}))
        return 0
    if command == "generate":
        groups = shamir_mnemonic.generate_mnemonics(
            request["group_threshold"],
            [tuple(g) for g in request["groups"]],
            bytes.fromhex(request["secret"]),
            passphrase,
            extendable=request["extendable"],
            iteration_exponent=request["iteration_exponent"],
        )
        print(json.dumps({"groups": groups}))
        return 0
    print(f"unknown command {command!r}; use check, combine or generate", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

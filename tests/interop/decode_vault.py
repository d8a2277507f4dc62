#!/usr/bin/env python3
"""An independent decoder of airvault files, format versions 1 and 2, written from
docs/FORMAT.md alone.

Version 2 differs from version 1 in: the header `version` field (2); a 104-byte metadata
plaintext (the 72 bytes of version 1, then a random 32-byte `check_key`); the entry `kcv`
rule (four zero bytes for a low-entropy entry, i.e. kind 3 password or a secret shorter
than 16 bytes; `KCV(secret)` otherwise); and audit plaintext byte 9 (`flags`, 0 or 1). The
check value shown for an entry is `KCV(secret)`, or for a low-entropy entry
`HMAC(check_key, "airvault v2 keyed check value" || secret)[0..4]` in version 2 and `-` in
version 1. Records are read the same way in both versions: one is opened only if its record
MAC verifies and its SHA-256 equals its table checksum. A password keyslot's KDF is
PBKDF2-HMAC-SHA256 (kdf 1) or Argon2id (kdf 2: lanes, passes and memory in KiB at slot bytes
2, 3 and 4..8), computed here by the reference implementation through `argon2-cffi`.

It uses Python's hashlib/hmac, the `cryptography` package (AES-256-CBC) and `argon2-cffi`
(Argon2id, the reference C implementation), nothing of airvault's own code. Usage:

    decode_vault.py FILE (--password PW | --recovery-hex HEX) [--dump-keys]
    decode_vault.py FILE --vmk-hex HEX

Prints one JSON object: {"outcome": ..., "keyless": ..., "entries": [...]} with the same
outcome names as the test vectors (docs/FORMAT.md, "Test vectors"), and the keyring origin
of each entry that has one ("keyring_origins": {entry id hex: {"service", "account"}}). With --dump-keys it
adds the master key, the record encryption key and each record's offset, for cross-checks
with openssl. With --vmk-hex it prints only whether that master key authenticates the header
and how many records it authenticates (revocation checks).
"""

import argparse
import hashlib
import hmac
import json
import struct
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

MAGIC = b"AIRVAULT"
TRAILER_MAGIC = b"AIRVTRLR"
TRAILER_LEN = 56
SLOT_LEN = 136
TE_LEN = 64
MIN_IT, MAX_IT = 100_000, 20_000_000
MAX_RECORDS = 1 << 20
MAX_RECORD_LEN = 65_888
VERSIONS = (1, 2)
META_LEN = {1: 72, 2: 104}
LOW_ENTROPY_KIND = 3  # password
LOW_ENTROPY_BELOW = 16  # secrets shorter than this many bytes are low-entropy
KINDS = {1: "symmetric-key", 2: "private-key-pem", 3: "password", 4: "totp-seed", 5: "opaque"}
STATUSES = {1: "active", 2: "retired"}


class Reject(Exception):
    def __init__(self, outcome):
        super().__init__(outcome)
        self.outcome = outcome


def u16(b, o):
    return struct.unpack_from("<H", b, o)[0]


def u32(b, o):
    return struct.unpack_from("<I", b, o)[0]


def u64(b, o):
    return struct.unpack_from("<Q", b, o)[0]


def sha256(b):
    return hashlib.sha256(b).digest()


def mac(key, *parts):
    return hmac.new(key, b"".join(parts), hashlib.sha256).digest()


def cbc_decrypt(key, iv, ct):
    d = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    pt = d.update(ct) + d.finalize()
    n = pt[-1] if pt else 0
    if n < 1 or n > 16 or pt[-n:] != bytes([n]) * n:
        return None
    return pt[:-n]


def header_len_for(slots, records):
    if not 1 <= slots <= 8 or records > MAX_RECORDS:
        return None
    return 64 + SLOT_LEN * slots + TE_LEN * records + 64


def probe(f, off):
    """('intact', bytes) | ('damaged',) | ('version', v) | ('short', n) | ('absent',)"""
    rest = f[off:]
    if len(rest) < 64:
        return ("short", 64) if rest.startswith(MAGIC) else ("absent",)
    if not rest.startswith(MAGIC):
        return ("absent",)
    if u16(rest, 8) not in VERSIONS:
        return ("version", u16(rest, 8))
    want = header_len_for(u16(rest, 48), u32(rest, 52))
    if want is None or want != u32(rest, 12):
        return ("damaged",)
    if want > len(rest):
        return ("short", want)
    h = rest[:want]
    return ("intact", h) if sha256(h[:-32]) == h[-32:] else ("damaged",)


def table(h):
    s = u16(h, 48)
    for i in range(u32(h, 52)):
        at = 64 + SLOT_LEN * s + TE_LEN * i
        yield h[at:at + TE_LEN]


def validate(h):
    if u16(h, 10) != 0 or u16(h, 50) != 0:
        raise Reject("malformed")
    recov = 0
    for i in range(u16(h, 48)):
        s = h[64 + SLOT_LEN * i:64 + SLOT_LEN * (i + 1)]
        if s[0] not in (1, 2) or s[1] not in (1, 2) or (s[0] == 2 and s[1] != 1):
            raise Reject("unsupported_slot")
        if s[1] == 1:
            if u16(s, 2) != 0:
                raise Reject("malformed")
            if not MIN_IT <= u32(s, 4) <= MAX_IT:
                raise Reject("kdf_cost_refused")
        elif not (1 <= s[2] <= 8 and 1 <= s[3] <= 16
                  and 8 * 1024 <= u32(s, 4) <= 2 * 1024 * 1024):
            raise Reject("kdf_cost_refused")
        recov += s[0] == 2
    if recov > 1:
        raise Reject("malformed")
    prev, body = None, 0
    for i, te in enumerate(table(h)):
        kind, length, ident, seq = te[0], u32(te, 4), te[8:24], u32(te, 24)
        if kind not in (1, 2, 3) or te[1] != 0 or u16(te, 2) != 0 or u32(te, 28) != 0:
            raise Reject("malformed")
        if not 64 <= length <= MAX_RECORD_LEN or (length - 48) % 16:
            raise Reject("malformed")
        if (i == 0) != (kind == 1) or (kind == 1 and (ident != bytes(16) or seq)):
            raise Reject("malformed")
        if (kind == 2 and seq == 0) or (kind == 3 and ident != bytes(16)):
            raise Reject("malformed")
        key = (kind, ident, seq)
        if prev is not None and prev >= key:
            raise Reject("malformed")
        prev, body = key, body + length
    if u32(h, 52) == 0 or body != u64(h, 56):
        raise Reject("malformed")


def parse(f):
    a = probe(f, 0)
    versions = [a[1]] if a[0] == "version" else []
    trailer = None
    if len(f) >= TRAILER_LEN and f[-TRAILER_LEN:].startswith(TRAILER_MAGIC):
        trailer = f[-TRAILER_LEN:]
    if a[0] == "intact":
        b_off = len(a[1]) + u64(a[1], 56)
    elif trailer is not None:
        b_off = len(f) - TRAILER_LEN - u32(trailer, 8)
    else:
        b_off = None
    b = probe(f, b_off) if b_off is not None and b_off >= 0 else ("absent",)
    if b[0] == "version":
        versions.append(b[1])
    if a[0] != "intact" and b[0] != "intact":
        # Search backwards for a copy (at most 16 candidates).
        end = len(f)
        for _ in range(16):
            pos = f.rfind(MAGIC, 0, end)
            if pos <= 0:
                break
            p = probe(f, pos)
            if p[0] == "intact":
                b, b_off = p, pos
                break
            end = pos + len(MAGIC) - 1
    if a[0] == "intact" and b[0] == "intact":
        if a[1] != b[1]:
            raise Reject("malformed")
        h, states = a[1], ("intact", "intact")
    elif a[0] == "intact":
        h, states = a[1], ("intact", "other")
    elif b[0] == "intact":
        h, states = b[1], ("other", "intact")
    elif a[0] == "absent" and b[0] == "absent" and trailer is None and not versions:
        raise Reject("not_a_vault")
    elif versions:
        raise Reject("unsupported_version")
    elif a[0] == "short":
        raise Reject("truncated")
    else:
        raise Reject("header_damaged")
    validate(h)
    return h, states, (b_off if states[1] == "intact" else None)


def records(f, h):
    off = len(h)
    for i, te in enumerate(table(h)):
        length = u32(te, 4)
        yield i, te, off, (f[off:off + length] if off + length <= len(f) else None)
        off += length


def keyless(f, h, states, b_off):
    ok = states == ("intact", "intact")
    hsum = h[-32:]
    root = hashlib.sha256(b"airvault v1 file checksum" + hsum)
    for _, te, _, rec in records(f, h):
        root.update(te[32:])
        ok = ok and rec is not None and sha256(rec) == te[32:]
    root.update(hsum)
    expected_len = 2 * len(h) + u64(h, 56) + TRAILER_LEN
    t_at = (b_off + len(h)) if b_off is not None else expected_len - TRAILER_LEN
    t = f[t_at:t_at + TRAILER_LEN]
    if len(t) != TRAILER_LEN or not t.startswith(TRAILER_MAGIC) or u32(t, 8) != len(h) \
            or u32(t, 12) != 0 or u64(t, 16) != u64(h, 56):
        return "damaged"
    root.update(t[:24])
    ok = ok and root.digest() == t[24:] and len(f) == expected_len
    return "intact" if ok else "damaged"


def slot_key(s, secret):
    """K_slot: PBKDF2(secret, salt, iterations) or Argon2id(secret, salt, m, t, p)."""
    if s[1] == 1:
        return hashlib.pbkdf2_hmac("sha256", secret, s[8:40], u32(s, 4), 32)
    from argon2.low_level import Type, hash_secret_raw
    return hash_secret_raw(secret, s[8:40], time_cost=s[3], memory_cost=u32(s, 4),
                           parallelism=s[2], hash_len=32, type=Type.ID, version=0x13)


def unlock(h, kind, secret):
    vault_id = h[16:32]
    any_slot = False
    for i in range(u16(h, 48)):
        s = h[64 + SLOT_LEN * i:64 + SLOT_LEN * (i + 1)]
        if s[0] != kind:
            continue
        any_slot = True
        k = slot_key(s, secret)
        k_enc = mac(k, b"airvault v1 slot encryption")
        k_mac = mac(k, b"airvault v1 slot authentication")
        if not hmac.compare_digest(mac(k_mac, vault_id, s[:104]), s[104:136]):
            continue
        vmk = cbc_decrypt(k_enc, s[40:56], s[56:104])
        if vmk is None or len(vmk) != 32:
            continue
        k_header = mac(vmk, b"airvault v1 header authentication")
        if not hmac.compare_digest(mac(k_header, h[:-64]), h[-64:-32]):
            raise Reject("header_auth_failed")
        return vmk
    raise Reject("wrong_password" if any_slot else "no_such_slot")


def text_ok(b, lo, hi):
    try:
        s = b.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not lo <= len(b) <= hi or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in s):
        return None
    return s


def decode_entry(pt, te, version, check_key):
    if len(pt) < 32 or pt[0] not in KINDS or pt[1] not in STATUSES:
        raise Reject("record_malformed")
    n, m = u16(pt, 2), u32(pt, 4)
    if 32 + n + m != len(pt) or not 1 <= m <= 65536:
        raise Reject("record_malformed")
    name = text_ok(pt[32:32 + n], 1, 256)
    secret = pt[32 + n:]
    if name is None:
        raise Reject("record_malformed")
    kcv = mac(secret, b"airvault v1 key check value")[:4]
    low_entropy = pt[0] == LOW_ENTROPY_KIND or len(secret) < LOW_ENTROPY_BELOW
    if version == 1:
        stored, shown = kcv, ("-" if low_entropy else kcv.hex().upper())
    elif low_entropy:
        stored = bytes(4)
        shown = mac(check_key, b"airvault v2 keyed check value", secret)[:4].hex().upper()
    else:
        stored, shown = kcv, kcv.hex().upper()
    if not hmac.compare_digest(stored, pt[28:32]):
        raise Reject("record_malformed")
    return {
        "name": name, "id_hex": te[8:24].hex(), "version": u32(te, 24),
        "kind": KINDS[pt[0]], "status": STATUSES[pt[1]], "secret_hex": secret.hex(),
        "kcv": shown, "created_at": u64(pt, 8), "rotated_at": u64(pt, 16),
        "policy_days": u32(pt, 24),
    }


def check_meta(pt, version):
    """Check a metadata plaintext; return its check key (version 2) or None (version 1)."""
    if len(pt) != META_LEN[version] or pt[0] & ~1 or pt[1:4] != bytes(3) or u32(pt, 36) != 0:
        raise Reject("record_malformed")
    if not pt[0] & 1 and pt[16:32] != bytes(16):
        raise Reject("record_malformed")
    return pt[72:104] if version == 2 else None


def event_hash(seq, pt):
    return sha256(b"airvault v1 audit event" + struct.pack("<I", seq) + pt)


def chain_verdict(events, meta):
    """events: [(seq, plaintext)] in table order; meta: the metadata plaintext."""
    next_seq, prev = 0, bytes(32)
    for seq, pt in events:
        gap_ok = pt[8] == 13 and seq > next_seq
        if seq != next_seq and not gap_ok:
            return "sequence"
        if pt[40:72] != prev:
            return "link"
        prev, next_seq = event_hash(seq, pt), seq + 1
    if u32(meta, 32) != next_seq or meta[40:72] != prev:
        return "head"
    return "valid"


def check_audit(pt, version):
    if len(pt) < 72:
        raise Reject("record_malformed")
    # Byte 9: reserved (0) in version 1; flags in version 2, bit 0 = the kcv may be shown.
    flags_ok = pt[9] == 0 if version == 1 else pt[9] in (0, 1)
    if not 1 <= pt[8] <= 16 or not flags_ok or u16(pt, 14) != 0:
        raise Reject("record_malformed")
    n, d = u16(pt, 10), u16(pt, 12)
    if 72 + n + d != len(pt):
        raise Reject("record_malformed")
    if text_ok(pt[72:72 + n], 0, 256) is None or text_ok(pt[72 + n:], 0, 256) is None:
        raise Reject("record_malformed")


KEYRING_PREFIX = b"from keyring "


def keyring_origins(events):
    """The keyring origin of each entry (docs/FORMAT.md, "Keyring origin"): the detail of
    its last add (2) or rotate (5) event that reads `from keyring SERVICE/ACCOUNT`."""
    origins = {}
    for _seq, pt in sorted(events, key=lambda e: e[0]):
        n, d = u16(pt, 10), u16(pt, 12)
        detail = pt[72 + n:72 + n + d]
        if pt[8] not in (2, 5) or not detail.startswith(KEYRING_PREFIX):
            continue
        service, slash, account = detail[len(KEYRING_PREFIX):].partition(b"/")
        if not slash or not service or not account:
            continue
        origins[pt[16:32].hex()] = {"service": service.decode("utf-8"),
                                    "account": account.decode("utf-8")}
    return origins


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--password")
    ap.add_argument("--recovery-hex")
    ap.add_argument("--dump-keys", action="store_true")
    ap.add_argument("--vmk-hex", help="only count what this master key authenticates")
    args = ap.parse_args()
    f = open(args.file, "rb").read()
    if args.vmk_hex is not None:
        # Revocation checks: does a master key (e.g. one unwrapped from an older copy with an
        # older secret) authenticate this file's header or any of its records?
        h, _, _ = parse(f)
        vmk = bytes.fromhex(args.vmk_hex)
        k_mac = mac(vmk, b"airvault v1 record authentication")
        k_header = mac(vmk, b"airvault v1 header authentication")
        n = len(h)
        header_ok = hmac.compare_digest(mac(k_header, h[:n - 64]), h[n - 64:n - 32])
        total = authenticated = 0
        for i, te, off, rec in records(f, h):
            total += 1
            if rec is not None and hmac.compare_digest(
                    mac(k_mac, h[16:32], te[:32], rec[:16], rec[16:-32]), rec[-32:]):
                authenticated += 1
        json.dump({"header_authenticated": header_ok, "records": total,
                   "records_authenticated": authenticated}, sys.stdout)
        print()
        return
    result = {"outcome": "success", "keyless": None, "entries": [], "audit_chain": None}
    events, meta, check_key = [], None, None
    try:
        h, states, b_off = parse(f)
        version = u16(h, 8)
        result["keyless"] = keyless(f, h, states, b_off)
        if args.password is not None:
            vmk = unlock(h, 1, args.password.encode("utf-8"))
        else:
            vmk = unlock(h, 2, bytes.fromhex(args.recovery_hex))
        k_enc = mac(vmk, b"airvault v1 record encryption")
        k_mac = mac(vmk, b"airvault v1 record authentication")
        if args.dump_keys:
            result["vmk_hex"] = vmk.hex()
            result["record_enc_key_hex"] = k_enc.hex()
            result["records"] = []
        for i, te, off, rec in records(f, h):
            if rec is None:
                raise Reject("record_missing")
            iv, ct, tag = rec[:16], rec[16:-32], rec[-32:]
            # Opened only if the MAC verifies AND the bytes match the table checksum.
            mac_ok = hmac.compare_digest(mac(k_mac, h[16:32], te[:32], iv, ct), tag)
            sum_ok = sha256(rec) == te[32:]
            if not mac_ok:
                raise Reject("record_auth_failed" if sum_ok else "record_damaged")
            if not sum_ok:
                # Authentic under this vault's keys but not the record this table lists:
                # a record from another copy of the same vault.
                raise Reject("record_foreign")
            pt = cbc_decrypt(k_enc, iv, ct)
            if pt is None:
                raise Reject("record_malformed")
            if args.dump_keys:
                result["records"].append({"offset": off, "length": len(rec), "kind": te[0],
                                          "plaintext_hex": pt.hex()})
            if te[0] == 1:
                check_key = check_meta(pt, version)
                meta = pt
            elif te[0] == 2:
                result["entries"].append(decode_entry(pt, te, version, check_key))
            else:
                check_audit(pt, version)
                events.append((u32(te, 24), pt))
        result["audit_chain"] = chain_verdict(events, meta)
        result["keyring_origins"] = keyring_origins(events)
    except Reject as r:
        result["outcome"] = r.outcome
        result["entries"] = []
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()

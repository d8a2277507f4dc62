//! Hostile parameters through the command line: files written by an attacker who knows the
//! format but not the key, with every unkeyed checksum recomputed so that only the rules of
//! the format stand in the way. Each is refused with exit 6 (refused parameters) or 5
//! (corrupted), quickly and without a large allocation: the binary runs under an
//! address-space limit of 256 MiB (`prlimit --as`, from util-linux), and every run must end
//! within 5 seconds — a bound that catches a hang or a runaway key derivation, not a
//! performance target (each refusal takes milliseconds). A control run shows that the limit
//! is real: reading a 300 MB file, which airvault accepts as input, dies under it.
//!
//! Every hostile file goes through `verify` (keyless and keyed), `restore`, `recover` with
//! the recovery code, `salvage`, and — as the live vault — `list`.
//!
//! **Nested or overlapping offsets cannot be written.** The format stores no offsets at all
//! (`docs/FORMAT.md`, "Overview"): record `i` starts at `header_len + Σ_{j<i} length_j`,
//! the second header copy at `header_len + body_len`, the trailer right after it. Only
//! lengths are stored, each bounded (a header by its formula `64 + 136·S + 64·R + 64` with
//! `S ≤ 8` and `R ≤ 1,048,576`, a record by 65,888 bytes), their sum must equal `body_len`,
//! and the file must be exactly `2·header_len + body_len + 56` bytes long. Two records can
//! therefore never overlap or nest, and no record can overlap a header copy. What an
//! attacker can write instead, and what is tested here: lengths that point past the end of
//! the file, a `body_len` that disagrees with the table, the largest counts the fields can
//! hold, and a trailer whose `header_len` places the second header copy inside the body or
//! on top of the first copy.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::*;
use sha2::{Digest, Sha256};

/// The address-space limit the binary runs under.
const AS_LIMIT: u64 = 256 << 20;
/// A run that takes longer than this is a hang.
const TIME_LIMIT: Duration = Duration::from_secs(5);

const H_HEADER_LEN: usize = 12;
const H_SLOT_COUNT: usize = 48;
const H_RECORD_COUNT: usize = 52;
const H_BODY_LEN: usize = 56;
const TRAILER_LEN: usize = 56;

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

/// A valid backup, its recovery code, and where to write hostile variants of it.
struct Fixture {
    env: Env,
    bytes: Vec<u8>,
    code_file: PathBuf,
}

fn fixture() -> Fixture {
    fixture_with(&["--iterations", ITER])
}

/// A fixture whose vault was made with `init KDF-OPTIONS`.
fn fixture_with(kdf: &[&str]) -> Fixture {
    let env = Env::new();
    let out = env
        .json()
        .arg("init")
        .args(kdf)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let init: Init = one(&out);
    let code_file = env.file("code.txt", format!("{}\n", init.recovery_code));
    env.generate("db-key");
    env.generate("api-key");
    let b = env.backup("good.airvault");
    Fixture {
        bytes: fs::read(b).unwrap(),
        env,
        code_file,
    }
}

/// Offsets of the two header copies of a well-formed file.
fn copies(f: &[u8]) -> [usize; 2] {
    let h = u32_at(f, H_HEADER_LEN) as usize;
    [0, f.len() - TRAILER_LEN - h]
}

/// Recomputes the checksum of the header copy at `at`, whose length is `len`.
fn reseal(f: &mut [u8], at: usize, len: usize) {
    let sum = Sha256::digest(&f[at..at + len - 32]);
    f[at + len - 32..at + len].copy_from_slice(&sum);
}

/// Applies `edit` to both header copies (given the copy's offset) and reseals both.
fn edit_headers(f: &mut [u8], edit: impl Fn(&mut [u8], usize)) {
    let len = u32_at(f, H_HEADER_LEN) as usize;
    for at in copies(f) {
        edit(f, at);
        reseal(f, at, len);
    }
}

/// Recomputes the trailer's file checksum (`docs/FORMAT.md`, "The trailer").
fn reseal_trailer(f: &mut [u8]) {
    let h = u32_at(f, H_HEADER_LEN) as usize;
    let slots = u16::from_le_bytes(f[H_SLOT_COUNT..H_SLOT_COUNT + 2].try_into().unwrap()) as usize;
    let records = u32_at(f, H_RECORD_COUNT) as usize;
    let t = f.len() - TRAILER_LEN;
    let mut sum = Sha256::new();
    sum.update(b"airvault v1 file checksum");
    sum.update(&f[h - 32..h]);
    for i in 0..records {
        let e = 64 + 136 * slots + 64 * i;
        sum.update(&f[e + 32..e + 64]);
    }
    sum.update(&f[h - 32..h]);
    sum.update(&f[t..t + 24]);
    let sum = sum.finalize();
    f[t + 24..].copy_from_slice(&sum);
}

/// Runs the binary under the address-space limit; returns its output and how long it took.
fn limited(env: &Env, args: &[&std::ffi::OsStr]) -> (Output, Duration) {
    assert!(
        Command::new("prlimit").arg("--version").output().is_ok(),
        "prlimit is required (Debian/Ubuntu: apt-get install util-linux)"
    );
    let start = Instant::now();
    let out = Command::new("prlimit")
        .arg(format!("--as={AS_LIMIT}"))
        .arg("--")
        .arg(assert_cmd::cargo::cargo_bin("airvault"))
        .args(args)
        .env_remove("AIRVAULT_VAULT")
        .env_remove("AIRVAULT_FAILPOINT")
        .env("HOME", env.dir.path())
        .current_dir(env.dir.path())
        .output()
        .unwrap();
    (out, start.elapsed())
}

/// Every command that reads `file` refuses it with one of `codes`, in time, under the
/// memory limit, writing nothing. Returns the number of runs.
fn refused(fx: &Fixture, name: &str, file: &Path, codes: &[i32]) -> usize {
    checked(fx, name, file, codes, false)
}

/// As [`refused`], except that the file's records and one header copy are intact and
/// authenticated, so the commands made to rescue or use what is intact — `recover`,
/// `salvage` and `list` on the live vault — may instead succeed, reporting the damage
/// (what they write must then be intact). `verify` and `restore` still refuse.
fn survivable(fx: &Fixture, name: &str, file: &Path, codes: &[i32]) -> usize {
    checked(fx, name, file, codes, true)
}

fn checked(fx: &Fixture, name: &str, file: &Path, codes: &[i32], survivable: bool) -> usize {
    let env = &fx.env;
    let out_vault = env.path(&format!("{name}.restored"));
    let os = |s: &str| std::ffi::OsString::from(s);
    let pw = env.pw.as_os_str().to_owned();
    let f = file.as_os_str().to_owned();
    let runs: Vec<(&str, Vec<std::ffi::OsString>)> = vec![
        ("verify", vec![os("verify"), f.clone()]),
        (
            "keyed verify",
            vec![os("--password-file"), pw.clone(), os("verify"), f.clone()],
        ),
        (
            "restore",
            vec![
                os("--password-file"),
                pw.clone(),
                os("restore"),
                f.clone(),
                os("--out"),
                out_vault.clone().into(),
            ],
        ),
        (
            "recover",
            vec![
                os("--password-file"),
                pw.clone(),
                os("recover"),
                f.clone(),
                os("--recovery-code-file"),
                fx.code_file.clone().into(),
                os("--out"),
                out_vault.clone().into(),
            ],
        ),
        (
            "salvage",
            vec![
                os("--password-file"),
                pw.clone(),
                os("salvage"),
                f.clone(),
                os("--out"),
                out_vault.clone().into(),
            ],
        ),
        (
            "list (as the vault)",
            vec![
                os("--vault"),
                f.clone(),
                os("--password-file"),
                pw.clone(),
                os("list"),
            ],
        ),
    ];
    for (what, args) in &runs {
        let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        let (out, took) = limited(env, &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(took < TIME_LIMIT, "{name}: {what} took {took:?}");
        assert!(!stderr.contains("panicked"), "{name}: {what}: {stderr}");
        let rescues = matches!(*what, "recover" | "salvage" | "list (as the vault)");
        if survivable && rescues && out.status.code() == Some(0) {
            // `recover` and `list` warn on standard error; `salvage` lists each file's
            // damage in its report.
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                (stderr.starts_with("warning: ") && stderr.contains("damaged"))
                    || (*what == "salvage" && stdout.contains("damaged")),
                "{name}: {what} did not report the damage: {stderr}{stdout}"
            );
            if out_vault.exists() {
                let (v, _) = limited(env, &["verify".as_ref(), out_vault.as_os_str()]);
                assert_eq!(v.status.code(), Some(0), "{name}: {what} wrote a bad vault");
                fs::remove_file(&out_vault).unwrap();
            }
            continue;
        }
        assert!(
            out.status.code().is_some_and(|c| codes.contains(&c)),
            "{name}: {what} exited {:?}, expected one of {codes:?}: {stderr}",
            out.status
        );
        assert!(stderr.starts_with("error: "), "{name}: {what}: {stderr}");
        assert!(!out_vault.exists(), "{name}: {what} wrote {out_vault:?}");
    }
    eprintln!(
        "{name}: {} commands, each {}",
        runs.len(),
        if survivable {
            "refused it or used only its intact, authenticated parts"
        } else {
            "refused it"
        }
    );
    runs.len()
}

fn write(fx: &Fixture, name: &str, bytes: &[u8]) -> PathBuf {
    fx.env.file(&format!("{name}.airvault"), bytes)
}

/// The limit is real: airvault reads a 300 MB file (under its 1 GiB input limit) into
/// memory, which the limit forbids, while without the limit it reads it and says it is not
/// an airvault file.
#[test]
fn the_memory_limit_bites() {
    let fx = fixture();
    let big = fx.env.path("big.airvault");
    fs::File::create(&big)
        .unwrap()
        .set_len(300_000_000)
        .unwrap();
    let (out, _) = limited(&fx.env, &["verify".as_ref(), big.as_os_str()]);
    assert!(
        !matches!(out.status.code(), Some(5)),
        "a 300 MB read succeeded under a 256 MiB limit: the limit does not work"
    );
    fx.env.bare().arg("verify").arg(&big).assert().code(5);
}

#[test]
fn hostile_kdf_costs_are_refused_with_exit_6() {
    let fx = fixture();
    let mut runs = 0;
    for (slot, n) in [(0usize, u32::MAX), (1, u32::MAX), (0, 20_000_001), (0, 0)] {
        let mut f = fx.bytes.clone();
        edit_headers(&mut f, |f, at| {
            let s = at + 64 + 136 * slot + 4;
            f[s..s + 4].copy_from_slice(&n.to_le_bytes());
        });
        reseal_trailer(&mut f);
        let name = format!("slot{slot}-iterations-{n}");
        let p = write(&fx, &name, &f);
        runs += refused(&fx, &name, &p, &[6]);
        // Keyless verify names the count.
        let (out, _) = limited(&fx.env, &["verify".as_ref(), p.as_os_str()]);
        assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("{n} PBKDF2 iterations")));
    }
    eprintln!("hostile KDF costs: {runs} refused runs");
}

/// Argon2id password keyslots with costs out of bounds (lanes at slot byte 2, passes at 3,
/// memory in KiB at 4..8) are refused by every command before any memory is asked for:
/// under the 256 MiB address-space limit, a 4 TiB or 2 GiB + 1 KiB request would fail if
/// it were made, and the run must end in time with exit 6 all the same.
#[test]
fn hostile_argon2id_costs_are_refused_with_exit_6() {
    let fx = fixture_with(&[
        "--kdf", "argon2id", "--memory", "8", "--passes", "1", "--lanes", "1",
    ]);
    assert_eq!(fx.bytes[64 + 1], 2, "the password keyslot is Argon2id");
    let mut runs = 0;
    for (name, lanes, passes, memory_kib) in [
        ("argon2id-memory-u32-max", 1u8, 1u8, u32::MAX),
        ("argon2id-memory-2GiB-plus-1KiB", 1, 1, 2 * 1024 * 1024 + 1),
        ("argon2id-memory-below-8MiB", 1, 1, 8 * 1024 - 1),
        ("argon2id-passes-17", 1, 17, 8 * 1024),
        ("argon2id-passes-255-memory-2GiB", 1, 255, 2 * 1024 * 1024),
        ("argon2id-lanes-0", 0, 1, 8 * 1024),
        ("argon2id-lanes-9", 9, 1, 8 * 1024),
    ] {
        let mut f = fx.bytes.clone();
        edit_headers(&mut f, |f, at| {
            let s = at + 64;
            f[s + 2] = lanes;
            f[s + 3] = passes;
            f[s + 4..s + 8].copy_from_slice(&memory_kib.to_le_bytes());
        });
        reseal_trailer(&mut f);
        let p = write(&fx, name, &f);
        runs += refused(&fx, name, &p, &[6]);
        let (out, _) = limited(&fx.env, &["verify".as_ref(), p.as_os_str()]);
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(&format!(
                "Argon2id with {memory_kib} KiB, {passes} passes, {lanes} lanes"
            )),
            "{name}"
        );
    }
    // A recovery keyslot may not be Argon2id (its secret has 128 bits).
    let mut f = fx.bytes.clone();
    edit_headers(&mut f, |f, at| {
        let s = at + 64 + 136;
        f[s + 1..s + 8].copy_from_slice(&[2, 1, 1, 0x00, 0x20, 0x00, 0x00]);
    });
    reseal_trailer(&mut f);
    let p = write(&fx, "argon2id-recovery-slot", &f);
    runs += refused(&fx, "argon2id-recovery-slot", &p, &[6]);
    eprintln!("hostile Argon2id costs: {runs} refused runs");
}

/// The largest cost the format accepts (2 GiB) on a system that will not give 2 GiB: the
/// file is intact, so the keyless check passes, but unlocking it by password says plainly
/// that the memory is not there (exit 6) and names the recovery code, instead of aborting.
#[test]
fn an_argon2id_cost_the_system_cannot_give_is_refused_cleanly() {
    let fx = fixture_with(&[
        "--kdf", "argon2id", "--memory", "8", "--passes", "1", "--lanes", "1",
    ]);
    let mut f = fx.bytes.clone();
    edit_headers(&mut f, |f, at| {
        let s = at + 64;
        f[s + 4..s + 8].copy_from_slice(&(2u32 * 1024 * 1024).to_le_bytes());
    });
    reseal_trailer(&mut f);
    let p = write(&fx, "argon2id-2GiB", &f);
    let (out, took) = limited(&fx.env, &["verify".as_ref(), p.as_os_str()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(took < TIME_LIMIT);
    let pw = fx.env.pw.as_os_str();
    let (out, took) = limited(
        &fx.env,
        &[
            "--password-file".as_ref(),
            pw,
            "verify".as_ref(),
            p.as_os_str(),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{stderr}");
    assert!(took < TIME_LIMIT);
    assert!(
        stderr.contains("2048 MiB of memory for Argon2id"),
        "{stderr}"
    );
    assert!(stderr.contains("--recovery-code-file"), "{stderr}");
    assert!(!stderr.contains("panicked"));
}

#[test]
fn lengths_past_the_end_and_inconsistent_lengths_are_refused_with_exit_5() {
    let fx = fixture();
    let slots = 2;
    let records = u32_at(&fx.bytes, H_RECORD_COUNT) as usize;
    let last = 64 + 136 * slots + 64 * (records - 1);
    let mut runs = 0;

    // The last record's length raised to the largest a record may have (65,888 bytes),
    // body_len raised to match: a consistent header whose records run past the end.
    let mut f = fx.bytes.clone();
    let old = u32_at(&f, last + 4);
    let grow = u64::from(65_888 - old);
    edit_headers(&mut f, |f, at| {
        f[at + last + 4..at + last + 8].copy_from_slice(&65_888u32.to_le_bytes());
        let body = u64::from_le_bytes(f[at + H_BODY_LEN..at + H_BODY_LEN + 8].try_into().unwrap());
        f[at + H_BODY_LEN..at + H_BODY_LEN + 8].copy_from_slice(&(body + grow).to_le_bytes());
    });
    let p = write(&fx, "record-past-the-end", &f);
    runs += refused(&fx, "record-past-the-end", &p, &[5]);

    // A record length of 2^32 − 1, and of 0 (checksums recomputed).
    for (name, len) in [("record-length-u32-max", u32::MAX), ("record-length-0", 0)] {
        let mut f = fx.bytes.clone();
        edit_headers(&mut f, |f, at| {
            f[at + last + 4..at + last + 8].copy_from_slice(&len.to_le_bytes());
        });
        let p = write(&fx, name, &f);
        runs += refused(&fx, name, &p, &[5]);
    }

    // body_len past the end of any file (2^64 − 1), and 16 bytes more than the table says.
    for (name, delta) in [
        ("body-len-u64-max", None),
        ("body-len-plus-16", Some(16u64)),
    ] {
        let mut f = fx.bytes.clone();
        edit_headers(&mut f, |f, at| {
            let r = at + H_BODY_LEN..at + H_BODY_LEN + 8;
            let body = u64::from_le_bytes(f[r.clone()].try_into().unwrap());
            let v = delta.map_or(u64::MAX, |d| body + d);
            f[r].copy_from_slice(&v.to_le_bytes());
        });
        let t = f.len() - TRAILER_LEN + 16;
        let v = u64::from_le_bytes(f[H_BODY_LEN..H_BODY_LEN + 8].try_into().unwrap());
        f[t..t + 8].copy_from_slice(&v.to_le_bytes());
        reseal_trailer(&mut f);
        let p = write(&fx, name, &f);
        runs += refused(&fx, name, &p, &[5]);
    }
    eprintln!("hostile lengths: {runs} refused runs");
}

#[test]
fn huge_counts_and_header_lengths_are_refused_with_exit_5() {
    let fx = fixture();
    let mut runs = 0;
    let h = u32_at(&fx.bytes, H_HEADER_LEN) as usize;
    let set_both = |f: &mut Vec<u8>, field: usize, bytes: &[u8], reseal_it: bool| {
        for at in copies(f) {
            f[at + field..at + field + bytes.len()].copy_from_slice(bytes);
            if reseal_it {
                reseal(f, at, h);
            }
        }
    };

    // A record count of 2^32 − 1 (the field cannot hold 2^32), checksums recomputed.
    let mut f = fx.bytes.clone();
    set_both(&mut f, H_RECORD_COUNT, &u32::MAX.to_le_bytes(), true);
    let p = write(&fx, "record-count-u32-max", &f);
    runs += refused(&fx, "record-count-u32-max", &p, &[5]);

    // A header length of 4 GiB − 1 in both copies and the trailer.
    let mut f = fx.bytes.clone();
    set_both(&mut f, H_HEADER_LEN, &u32::MAX.to_le_bytes(), true);
    let t = f.len() - TRAILER_LEN + 8;
    f[t..t + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    let p = write(&fx, "header-len-u32-max", &f);
    runs += refused(&fx, "header-len-u32-max", &p, &[5]);

    // The largest header the format allows (8 keyslots, 1,048,576 records: 64 MiB),
    // declared consistently in both copies and the trailer of a 2 KiB file.
    let mut f = fx.bytes.clone();
    let big: u32 = 64 + 136 * 8 + 64 * 1_048_576 + 64;
    set_both(&mut f, H_SLOT_COUNT, &8u16.to_le_bytes(), false);
    set_both(&mut f, H_RECORD_COUNT, &1_048_576u32.to_le_bytes(), false);
    set_both(&mut f, H_HEADER_LEN, &big.to_le_bytes(), false);
    f[t..t + 4].copy_from_slice(&big.to_le_bytes());
    let p = write(&fx, "header-64-mib", &f);
    runs += refused(&fx, "header-64-mib", &p, &[5]);

    // 65,535 keyslots.
    let mut f = fx.bytes.clone();
    set_both(&mut f, H_SLOT_COUNT, &u16::MAX.to_le_bytes(), true);
    let p = write(&fx, "slot-count-u16-max", &f);
    runs += refused(&fx, "slot-count-u16-max", &p, &[5]);

    // A file over the 1 GiB input limit (sparse): refused before it is read.
    let p = fx.env.path("over-1-gib.airvault");
    fs::File::create(&p)
        .unwrap()
        .set_len((1 << 30) + 1)
        .unwrap();
    runs += refused(&fx, "over-1-gib", &p, &[6]);

    // Armor announcing 2^64 − 1 and 2^32 − 1 bytes.
    for n in [u64::MAX, u64::from(u32::MAX)] {
        let text = format!(
            "-----BEGIN AIRVAULT BACKUP-----\nVersion: 1\nLength: {n}\n\n\
             0001: 0000 0000 0000 0000 0000 0000 0000 0000  0000\n\
             -----END AIRVAULT BACKUP-----\n"
        );
        let name = format!("armor-length-{n}");
        let p = fx.env.file(&format!("{name}.asc"), text);
        runs += refused(&fx, &name, &p, &[5]);
    }
    eprintln!("hostile counts and lengths: {runs} refused runs");
}

#[test]
fn a_trailer_pointing_the_second_copy_into_the_body_or_onto_the_first_is_refused() {
    let fx = fixture();
    let mut runs = 0;
    let h = u32_at(&fx.bytes, H_HEADER_LEN) as usize;
    let n = fx.bytes.len();
    let t = n - TRAILER_LEN + 8;
    for (name, declared) in [
        // The second copy would start at offset 0: on top of the first.
        ("trailer-copy-on-first", (n - TRAILER_LEN) as u32),
        // The second copy would start in the middle of the body.
        ("trailer-copy-in-body", (n - TRAILER_LEN - h - 100) as u32),
        // Past the start of the file.
        ("trailer-copy-before-start", u32::MAX),
    ] {
        // With the first copy intact the trailer's claim is simply wrong (exit 5); with the
        // first copy damaged the reader must still not trust it.
        for damage_a in [false, true] {
            let mut f = fx.bytes.clone();
            f[t..t + 4].copy_from_slice(&declared.to_le_bytes());
            reseal_trailer(&mut f);
            if damage_a {
                f[h - 1] ^= 1;
            }
            let name = format!("{name}{}", if damage_a { "-first-damaged" } else { "" });
            let p = write(&fx, &name, &f);
            runs += survivable(&fx, &name, &p, &[5]);
        }
    }
    // Two intact copies that differ (the second copy's generation raised and resealed).
    let mut f = fx.bytes.clone();
    let b = copies(&f)[1];
    f[b + 32] ^= 1;
    reseal(&mut f, b, h);
    let p = write(&fx, "copies-differ", &f);
    runs += refused(&fx, "copies-differ", &p, &[5]);
    eprintln!("hostile layouts: {runs} runs");
}

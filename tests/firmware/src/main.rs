//! airvault's core on a microcontroller: no operating system, no heap.
//!
//! This firmware holds a backup made by the airvault CLI and its password (both embedded
//! at build time from `data/`), restores the backup with vault-core on a Cortex-M4 and
//! reports over semihosting, one line per fact:
//!
//! ```text
//! entry kcv=<8 hex digits> kind=<kind> version=<n> status=<active|retired> name=<name>
//! check <what>: ok|FAIL (<detail>)
//! footprint stack_peak=<bytes> stack_peak_restore=<bytes> stack_region=<bytes>
//! result: pass|FAIL (<n> checks, <m> failed)
//! ```
//!
//! `entry` lines come in file order; the name is last and runs to the end of the line (a
//! name holds no control characters). Nothing secret is printed: no key, no password.
//!
//! The checks: the backup parses; keyless verification finds it intact; the password opens
//! it and every record authenticates and decodes; a wrong password is refused as such; and
//! in a RAM copy, one flipped bit in each part of the file (either header copy, every
//! record, the trailer) is found and located by keyless verification, and a flipped bit in
//! an entry record makes that record, and only it, fail to open. A second backup, whose
//! password keyslot is Argon2id, parses; its password keyslot is refused cleanly as needing
//! memory this firmware does not have (not as a wrong password), and its recovery keyslot
//! (PBKDF2) opens it with the recovery code. The firmware exits through semihosting with
//! success only if every check passed.

#![no_std]
#![no_main]

use core::fmt;

use cortex_m_rt::{entry, exception, ExceptionFrame};
use cortex_m_semihosting::{debug, hprintln};
use panic_semihosting as _;
use vault_core::{
    Error, KdfLimits, PartState, Record, RecordKind, SlotKind, UnlockedVault, VaultFile,
};
use zeroize::Zeroize;

/// The backup, as the CLI wrote it (see `make-backup.sh`).
const BACKUP: &[u8] = include_bytes!("../data/backup.airvault");
/// The file holding the backup's password on its first line, as `--password-file` reads it.
const PASSWORD_FILE: &str = include_str!("../data/password.txt");
/// A backup whose password keyslot is Argon2id (8 MiB) and its recovery code.
const ARGON2ID_BACKUP: &[u8] = include_bytes!("../data/argon2id-backup.airvault");
/// The recovery code of [`ARGON2ID_BACKUP`]'s vault, on its first line.
const ARGON2ID_RECOVERY_CODE: &str = include_str!("../data/argon2id-recovery-code.txt");
/// A password that must be refused.
const WRONG_PASSWORD: &[u8] = b"correct horse battery stapler";
/// Room for the largest record plaintext this firmware opens (entries with their name and
/// secret, audit events, the metadata record). Larger records fail with `buffer_too_small`.
const RECORD_BUF_LEN: usize = 1024;

/// The PBKDF2 bounds the backup is read with: the format's own, with no test override.
const LIMITS: KdfLimits = KdfLimits::STANDARD;

/// The password: the first line of [`PASSWORD_FILE`], without its line ending.
fn password() -> &'static [u8] {
    PASSWORD_FILE.lines().next().unwrap_or("").as_bytes()
}

/// Counts checks and prints each one as it is decided.
#[derive(Debug, Default)]
struct Checks {
    run: u32,
    failed: u32,
}

impl Checks {
    fn record(&mut self, what: &str, ok: bool, detail: fmt::Arguments<'_>) {
        self.run += 1;
        if !ok {
            self.failed += 1;
        }
        hprintln!(
            "check {}: {} ({})",
            what,
            if ok { "ok" } else { "FAIL" },
            detail
        );
    }

    fn passed(&self) -> bool {
        self.run > 0 && self.failed == 0
    }
}

#[entry]
fn main() -> ! {
    hprintln!(
        "airvault firmware: restoring an embedded backup of {} bytes with vault-core on a Cortex-M4",
        BACKUP.len()
    );
    let mut checks = Checks::default();
    let mut restore_peak = 0;
    if let Some(file) = parse(&mut checks) {
        keyless_verify(&mut checks, &file);
        if let Some(vault) = unlock(&mut checks, &file) {
            open_every_record(&mut checks, &file, &vault);
        }
        wrong_password(&mut checks, &file);
        // The restore is done; what follows only tests damage detection.
        restore_peak = stack::usage().peak;
        flipped_bits(&mut checks, &file);
    }
    argon2id_backup(&mut checks);

    let stack = stack::usage();
    hprintln!(
        "footprint stack_peak={} stack_peak_restore={} stack_region={}",
        stack.peak,
        restore_peak,
        stack.region
    );
    let pass = checks.passed();
    hprintln!(
        "result: {} ({} checks, {} failed)",
        if pass { "pass" } else { "FAIL" },
        checks.run,
        checks.failed
    );
    debug::exit(if pass {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    // Under QEMU the exit request does not return; should a host ignore it, stay here.
    loop {
        cortex_m::asm::wfi();
    }
}

// Each step is its own function, kept out of line, so that its buffers occupy the stack
// only while it runs and the peak measured after the restore does not include the RAM copy
// that only the damage checks need.

#[inline(never)]
fn parse(checks: &mut Checks) -> Option<VaultFile<'static>> {
    match VaultFile::parse(BACKUP, &LIMITS) {
        Ok(file) => {
            let h = file.header();
            let iterations = h.slots().map(|s| s.iterations()).max().unwrap_or(0);
            checks.record(
                "parse",
                true,
                format_args!(
                    "format version {}, {} keyslots, {} records, {} PBKDF2 iterations",
                    h.version(),
                    h.slot_count(),
                    h.record_count(),
                    iterations
                ),
            );
            Some(file)
        }
        Err(e) => {
            checks.record("parse", false, format_args!("{}: {}", e.code(), e));
            None
        }
    }
}

#[inline(never)]
fn keyless_verify(checks: &mut Checks, file: &VaultFile<'_>) {
    let v = file.verify();
    checks.record(
        "keyless verify",
        v.is_intact(),
        format_args!(
            "headers {}/{}, trailer {}, {} records, {} damaged, {} missing",
            state(v.header_a),
            state(v.header_b),
            state(v.trailer),
            v.records,
            v.records_damaged,
            v.records_missing
        ),
    );
}

#[inline(never)]
fn unlock<'a>(checks: &mut Checks, file: &VaultFile<'a>) -> Option<UnlockedVault<'a>> {
    match file.unlock(SlotKind::Password, password()) {
        Ok(vault) => {
            checks.record(
                "unlock with the password",
                true,
                format_args!("keyslot {}", vault.slot_index()),
            );
            Some(vault)
        }
        Err(e) => {
            checks.record(
                "unlock with the password",
                false,
                format_args!("{}: {}", e.code(), e),
            );
            None
        }
    }
}

/// Opens every record, printing one `entry` line per entry version.
#[inline(never)]
fn open_every_record(checks: &mut Checks, file: &VaultFile<'_>, vault: &UnlockedVault<'_>) {
    let mut buf = [0u8; RECORD_BUF_LEN];
    let (mut entries, mut metas, mut events) = (0u32, 0u32, 0u32);
    let mut failures = 0u32;
    // The check key is in the metadata record, which comes first: it keys the check values
    // of low-entropy secrets (none in a version-1 file: those print as `-`).
    let mut check_key: Option<vault_core::CheckKey> = None;
    for r in file.records() {
        match vault.open_record(&r, &mut buf) {
            Ok(Record::Entry(e)) => {
                entries += 1;
                let check = e.check_value(check_key.as_ref());
                let shown: &dyn core::fmt::Display = match &check {
                    Some(k) => k,
                    None => &"-",
                };
                hprintln!(
                    "entry kcv={} kind={} version={} status={} name={}",
                    shown,
                    e.kind.name(),
                    e.version,
                    e.status.name(),
                    e.name
                );
            }
            Ok(Record::Meta(m)) => {
                metas += 1;
                check_key = m.check_key.clone();
            }
            Ok(Record::Audit(_)) => events += 1,
            Err(e) => {
                failures += 1;
                hprintln!("record {} does not open: {}: {}", r.index, e.code(), e);
            }
        }
        // The buffer held decrypted secrets.
        buf.zeroize();
    }
    checks.record(
        "open every record",
        failures == 0 && metas == 1 && entries > 0,
        format_args!(
            "{entries} entry versions, {metas} metadata, {events} audit events, {failures} failed"
        ),
    );
}

/// The Argon2id backup: parsed, its password keyslot refused cleanly (no memory is given for
/// Argon2id: this board has 4 MiB of RAM and the firmware no heap), opened through its
/// recovery keyslot with the recovery code, every record read.
#[inline(never)]
fn argon2id_backup(checks: &mut Checks) {
    let file = match VaultFile::parse(ARGON2ID_BACKUP, &LIMITS) {
        Ok(file) => {
            let kdf = file.header().slot(0).map(|s| s.kdf());
            let is_argon2 = matches!(kdf, Some(vault_core::SlotKdf::Argon2id(_)));
            checks.record(
                "parse the Argon2id backup",
                is_argon2,
                format_args!("password keyslot: {:?}", kdf),
            );
            file
        }
        Err(e) => {
            checks.record(
                "parse the Argon2id backup",
                false,
                format_args!("{}: {}", e.code(), e),
            );
            return;
        }
    };
    let what = "Argon2id password keyslot refused cleanly";
    match file.unlock(SlotKind::Password, password()) {
        Err(e @ Error::KdfMemoryUnavailable { .. }) => {
            checks.record(what, true, format_args!("{}: {}", e.code(), e));
        }
        Err(e) => checks.record(what, false, format_args!("{}: {}", e.code(), e)),
        Ok(_) => checks.record(what, false, format_args!("it opened without memory")),
    }
    let code = ARGON2ID_RECOVERY_CODE.lines().next().unwrap_or("");
    let secret = match vault_core::recovery_code::parse(code) {
        Ok(secret) => secret,
        Err(_) => {
            checks.record(
                "Argon2id backup opened by recovery code",
                false,
                format_args!("the embedded recovery code does not parse"),
            );
            return;
        }
    };
    let what = "Argon2id backup opened by recovery code";
    match file.unlock(SlotKind::Recovery, secret.expose_secret()) {
        Ok(vault) => {
            let mut buf = [0u8; RECORD_BUF_LEN];
            let mut opened = 0u32;
            let mut failed = 0u32;
            for r in file.records() {
                match vault.open_record(&r, &mut buf) {
                    Ok(_) => opened += 1,
                    Err(_) => failed += 1,
                }
                buf.zeroize();
            }
            checks.record(
                what,
                failed == 0 && opened > 0,
                format_args!(
                    "keyslot {}, {opened} records opened, {failed} failed",
                    vault.slot_index()
                ),
            );
        }
        Err(e) => checks.record(what, false, format_args!("{}: {}", e.code(), e)),
    }
}

#[inline(never)]
fn wrong_password(checks: &mut Checks, file: &VaultFile<'_>) {
    let what = "wrong password refused";
    match file.unlock(SlotKind::Password, WRONG_PASSWORD) {
        Err(Error::WrongSecret) => checks.record(what, true, format_args!("wrong_password")),
        Err(e) => checks.record(what, false, format_args!("{}: {}", e.code(), e)),
        Ok(_) => checks.record(what, false, format_args!("the wrong password opened it")),
    }
}

/// A part of the file, where a bit is flipped.
#[derive(Clone, Copy, Debug)]
enum Part {
    HeaderA,
    Record { index: u32, kind: RecordKind },
    HeaderB,
    Trailer,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Part::HeaderA => f.write_str("header copy A"),
            Part::Record { index, kind } => write!(f, "record {index} ({kind:?})"),
            Part::HeaderB => f.write_str("header copy B"),
            Part::Trailer => f.write_str("trailer"),
        }
    }
}

/// Flips one bit in the middle of each part of a RAM copy of the backup in turn, and
/// checks that keyless verification finds the damage exactly there; then checks that
/// a flipped bit in an entry record stops that record, and only it, from opening.
#[inline(never)]
fn flipped_bits(checks: &mut Checks, file: &VaultFile<'_>) {
    let mut copy = [0u8; BACKUP.len()];
    copy.copy_from_slice(BACKUP);

    let header_len = file.header().len();
    let body_len = usize::try_from(file.header().body_len()).unwrap_or(usize::MAX);
    let middle = |start: usize, len: usize| start + len / 2;
    let parts = core::iter::once((Part::HeaderA, middle(0, header_len)))
        .chain(file.records().map(|r| {
            let part = Part::Record {
                index: r.index,
                kind: r.entry.kind,
            };
            let start = usize::try_from(r.offset).unwrap_or(usize::MAX);
            (part, middle(start, r.entry.length as usize))
        }))
        .chain([
            (Part::HeaderB, middle(header_len + body_len, header_len)),
            (
                Part::Trailer,
                middle(
                    2 * header_len + body_len,
                    vault_core::constants::TRAILER_LEN,
                ),
            ),
        ]);

    let mut keyed_target = None;
    for (part, at) in parts {
        let what = "flipped bit found by keyless verify";
        let Some(byte) = copy.get_mut(at) else {
            checks.record(
                what,
                false,
                format_args!("{part} at {at} is outside the file"),
            );
            continue;
        };
        *byte ^= 0x01;
        let (ok, d) = match VaultFile::parse(&copy, &LIMITS) {
            Ok(damaged) => {
                let v = damaged.verify();
                let located = match part {
                    Part::HeaderA => {
                        v.header_a == PartState::Damaged
                            && v.header_b == PartState::Intact
                            && v.records_damaged == 0
                    }
                    Part::HeaderB => {
                        v.header_b == PartState::Damaged
                            && v.header_a == PartState::Intact
                            && v.records_damaged == 0
                    }
                    Part::Trailer => {
                        v.trailer == PartState::Damaged
                            && v.header_a == PartState::Intact
                            && v.header_b == PartState::Intact
                            && v.records_damaged == 0
                    }
                    Part::Record { index, .. } => {
                        v.records_damaged == 1
                            && v.damaged.as_slice() == [index]
                            && v.header_a == PartState::Intact
                            && v.header_b == PartState::Intact
                    }
                };
                (
                    !v.is_intact() && located,
                    Detail::Verified(v.header_a, v.header_b, v.trailer, v.records_damaged),
                )
            }
            Err(e) => (false, Detail::Refused(e)),
        };
        checks.record(what, ok, format_args!("{part}, byte {at}: {d}"));
        if keyed_target.is_none() {
            if let Part::Record {
                index,
                kind: RecordKind::Entry,
            } = part
            {
                keyed_target = Some((index, at));
            }
        }
        copy[at] ^= 0x01;
    }

    let what = "flipped bit in an entry record found when opened";
    let Some((target, at)) = keyed_target else {
        checks.record(
            what,
            false,
            format_args!("the backup holds no entry record"),
        );
        return;
    };
    copy[at] ^= 0x01;
    let damaged = match VaultFile::parse(&copy, &LIMITS) {
        Ok(f) => f,
        Err(e) => {
            checks.record(what, false, format_args!("parse: {}: {}", e.code(), e));
            return;
        }
    };
    let vault = match damaged.unlock(SlotKind::Password, password()) {
        Ok(v) => v,
        Err(e) => {
            checks.record(what, false, format_args!("unlock: {}: {}", e.code(), e));
            return;
        }
    };
    let mut buf = [0u8; RECORD_BUF_LEN];
    let (mut refused_as_damaged, mut others_open, mut others_fail) = (false, 0u32, 0u32);
    for r in damaged.records() {
        let result = vault.open_record(&r, &mut buf);
        match (r.index == target, result) {
            (true, Err(Error::RecordDamaged { index })) => refused_as_damaged = index == target,
            (true, _) => {}
            (false, Ok(_)) => others_open += 1,
            (false, Err(_)) => others_fail += 1,
        }
        buf.zeroize();
    }
    checks.record(
        what,
        refused_as_damaged && others_fail == 0,
        format_args!(
            "record {target}, byte {at}: {}; {others_open} other records open, {others_fail} fail",
            if refused_as_damaged {
                "record_damaged"
            } else {
                "not refused as damaged"
            }
        ),
    );
}

/// What keyless verification (or parsing) said about a damaged copy.
enum Detail {
    Verified(PartState, PartState, PartState, u32),
    Refused(Error),
}

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Detail::Verified(a, b, t, records) => write!(
                f,
                "headers {}/{}, trailer {}, {} records damaged",
                state(*a),
                state(*b),
                state(*t),
                records
            ),
            Detail::Refused(e) => write!(f, "parse refused it: {}: {}", e.code(), e),
        }
    }
}

fn state(s: PartState) -> &'static str {
    match s {
        PartState::Intact => "intact",
        PartState::Damaged => "damaged",
        PartState::Missing => "missing",
    }
}

/// Peak stack use, from the paint cortex-m-rt's `paint-stack` feature applies at reset.
mod stack {
    use cortex_m_rt::STACK_PAINT_VALUE;

    extern "C" {
        /// Lowest address of the stack region (its end: the stack grows down to it).
        static _stack_end: u32;
        /// Highest address of the stack region (the initial stack pointer).
        static _stack_start: u32;
    }

    /// Bytes of stack used at the deepest point so far, and the size of the stack region.
    pub struct Usage {
        pub peak: usize,
        pub region: usize,
    }

    /// Scans up from the end of the stack region to the first word that is no longer
    /// paint. Frames that reserve stack without writing it are not seen, so this is a
    /// lower bound, as with every painting method.
    pub fn usage() -> Usage {
        let end = core::ptr::addr_of!(_stack_end) as usize;
        let start = core::ptr::addr_of!(_stack_start) as usize;
        let mut p = end;
        while p < start {
            // SAFETY: `_stack_end..._stack_start` is the stack region the linker script
            // reserves in RAM, and `p` is a word-aligned address inside it (both symbols
            // are 4-byte aligned). Everything below the current stack pointer is dead
            // stack that no Rust value refers to, and the scan stops at the first word
            // that is not paint, which is at or below the deepest frame ever used.
            #[allow(unsafe_code)]
            let word = unsafe { core::ptr::read_volatile(p as *const u32) };
            if word != STACK_PAINT_VALUE {
                break;
            }
            p += 4;
        }
        Usage {
            peak: start - p,
            region: start - end,
        }
    }
}

/// A fault ends the run with failure at once instead of hanging until the runner's timeout.
#[exception]
#[allow(unsafe_code)] // cortex-m-rt requires the HardFault handler to be an `unsafe fn`
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    hprintln!("hard fault at pc={:#010x}", frame.pc());
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}

//! Splicing: no part of another copy of the same vault — an older generation of the live
//! file, a backup, an armored backup — put into a vault or backup file is ever taken for
//! that file's content, and no replaced secret gets back in through a spliced file or
//! anything derived from one.
//!
//! **The reported case** ([`the_reported_splice_is_refused_everywhere`]): `init` (recovery
//! code A) → `generate k1` → the file copied → `recovery reset` (code B) → `generate k2` →
//! record 0 (the metadata record, which holds the recovery secret) of the old copy put in
//! place of the new file's record 0, the record table left alone. Keyless `verify`, `list`,
//! `backup`, `salvage`, `recover` of what salvage wrote, and `recovery show` are run with
//! the binary, each with what it must say.
//!
//! **The matrix** ([`splice_matrix`]). One vault is taken through five generations with
//! the binary — G0 `init` + `generate`, G1 `generate`, G2 `recovery reset`, G3 `passwd`,
//! G4 `rotate-master` — and backed up at each (binary backups of G0, G2, G3, armored ones
//! of G1 and G4, decoded with the core's armor decoder): ten files. Into each of them (the
//! *target*) each part of each other one (the *donor*) is copied byte for byte: every
//! record into every record position of equal length, every keyslot into every keyslot
//! position (in the first header copy, the second, or both), the whole header into the
//! first copy, the second or both (where the header lengths are equal), and the trailer.
//! Each splice is made twice: with the unkeyed checksums left as they are, and with them
//! recomputed as anyone can (the record's checksum in the table of both copies, the
//! checksum of both header copies, the trailer's file checksum). A splice whose result is
//! byte for byte the target is a no-op and is counted as such; one whose result equals an
//! earlier combination's is counted once. Splices that do not fit (record or header lengths
//! that differ) are counted as skipped, with the reason.
//!
//! Every combination is checked in this process, through the core, with each of the four
//! secrets the vault ever had (the two passwords, the two recovery codes):
//! `VaultFile::parse` → `verify` (keyless) → unlock → open **every** record, one by one
//! (not stopping at the first refusal, so that a record that would open next to a refused
//! one is seen); and through the restore page's own bindings (`vault-wasm`, called
//! natively): `Backup::open` → `unlock` → the listing → `rewrapWithPassword`, the page's
//! re-save, which is the core's `UnlockedVault::rewrite`. On a sample of combinations
//! (every kind of part, both checksum variants, six target/donor pairs) the command line's
//! library functions run the derived operations: `backup` (the spliced file as the live
//! vault), `restore`, `recover` with the current and with a replaced recovery code,
//! `salvage` with the password and with a replaced recovery code; and the binary runs
//! keyed `verify`, `list` and `restore` on a smaller sample.
//!
//! **What counts as accepted** (the test asserts there are none):
//! - a secret that does not open the target — a replaced password or recovery code, or one
//!   of a later generation — opens any record of the spliced file, lets the page list an
//!   entry, or opens anything written from it;
//! - a record of the spliced file opens (in the core or on the page) with content that is
//!   not the target's own (every opened metadata record, entry version and audit event is
//!   compared with the target's);
//! - a command exits 0, or writes a file (salvage writes one even when incomplete, with
//!   exit 5), and that file holds content that is not the target's own: an entry version
//!   that differs from the target's version of it, an audit event of the target's history
//!   that differs, or another generation's recovery secret;
//! - a spliced file opens whole, as the target's content, without any damage reported.
//!
//! **Why it is fast.** The key derivation (100,000 PBKDF2 iterations, the test cost) is
//! run once per (secret, salt, iteration count) and cached for the in-process checks,
//! which hand the cached key to the core's `unlock_with_slot_key` slot by slot, as
//! `unlock_with_progress` does; the commands run by the library functions and the binary
//! derive their keys themselves, which is why they run on a sample.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Instant;

use common::*;
use sha2::{Digest, Sha256};
use vault_cli::commands::backup::{backup, BackupOptions};
use vault_cli::commands::recover::{recover, RecoverOptions};
use vault_cli::commands::restore::restore;
use vault_cli::commands::salvage::{salvage, SalvageOptions};
use vault_cli::commands::Context;
use vault_cli::input::PasswordSource;
use vault_cli::material::RecoveryMaterial;
use vault_cli::progress::{self, Progress};
use vault_core::{
    armor, AuditOp, EntryKind, EntryStatus, Error, Kcv, KdfLimits, Meta, Record, SlotKey, SlotKind,
    UnlockedVault, VaultFile,
};
use zeroize::Zeroizing;

const P1: &str = "correct horse battery staple";
const P2: &str = "the password after passwd";
/// The password `recover` and `salvage --recovery-code-file` give the vault they write.
const PN: &str = "password of a recovered vault";
/// The password the restore page's re-save gives the file it writes.
const PW: &str = "password set on the restore page";
const PW_SALT: [u8; 32] = [7; 32];
const ITERATIONS: u32 = 100_000;
const TRAILER_LEN: usize = 56;
const SLOT_LEN: usize = 136;

// --- Byte layout and the unkeyed reseal (docs/FORMAT.md) ---------------------------------

fn sha256(b: &[u8]) -> [u8; 32] {
    Sha256::digest(b).into()
}

fn u32_at(b: &[u8], at: usize) -> usize {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap()) as usize
}

/// Where the parts of a genuine file are (read from its first header copy).
#[derive(Clone, Debug)]
struct Layout {
    header_len: usize,
    slots: usize,
    records: Vec<Range<usize>>,
    /// `(kind, id, seq)` of each record, from the table.
    idents: Vec<(u8, [u8; 16], u32)>,
    copy_b: usize,
}

impl Layout {
    fn of(b: &[u8]) -> Self {
        let header_len = u32_at(b, 12);
        let slots = u16::from_le_bytes(b[48..50].try_into().unwrap()) as usize;
        let count = u32_at(b, 52);
        let mut records = Vec::new();
        let mut idents = Vec::new();
        let mut at = header_len;
        for i in 0..count {
            let te = 64 + SLOT_LEN * slots + 64 * i;
            let len = u32_at(b, te + 4);
            records.push(at..at + len);
            idents.push((
                b[te],
                b[te + 8..te + 24].try_into().unwrap(),
                u32_at(b, te + 24) as u32,
            ));
            at += len;
        }
        assert_eq!(at + header_len + TRAILER_LEN, b.len());
        Self {
            header_len,
            slots,
            records,
            idents,
            copy_b: at,
        }
    }

    fn copies(&self, which: Copies) -> Vec<usize> {
        match which {
            Copies::First => vec![0],
            Copies::Second => vec![self.copy_b],
            Copies::Both => vec![0, self.copy_b],
        }
    }
}

/// Recomputes every unkeyed checksum of `f` (laid out as `l`) as anyone can without a key:
/// record `rec`'s checksum in the table of both header copies (if given), the checksum of
/// both copies, and the trailer's file checksum (from the first copy).
fn reseal(f: &mut [u8], l: &Layout, rec: Option<usize>) {
    let h = l.header_len;
    let offs = [0, l.copy_b];
    if let Some(i) = rec {
        let sum = sha256(&f[l.records[i].clone()]);
        for off in offs {
            let at = off + 64 + SLOT_LEN * l.slots + 64 * i + 32;
            f[at..at + 32].copy_from_slice(&sum);
        }
    }
    for off in offs {
        let sum = sha256(&f[off..off + h - 32]);
        f[off + h - 32..off + h].copy_from_slice(&sum);
    }
    // The first copy's own counts (a header spliced in has the same length, hence the same
    // slot and record counts).
    let slots = u16::from_le_bytes(f[48..50].try_into().unwrap()) as usize;
    let count = u32_at(f, 52);
    let t = f.len() - TRAILER_LEN;
    let mut root = Sha256::new();
    root.update(b"airvault v1 file checksum");
    root.update(&f[h - 32..h]);
    for i in 0..count {
        let at = 64 + SLOT_LEN * slots + 64 * i + 32;
        root.update(&f[at..at + 32]);
    }
    root.update(&f[h - 32..h]);
    root.update(&f[t..t + 24]);
    let root: [u8; 32] = root.finalize().into();
    f[t + 24..].copy_from_slice(&root);
}

// --- The files and their secrets ----------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Copies {
    First,
    Second,
    Both,
}

/// The four secrets the vault ever had.
#[derive(Clone)]
struct Secret {
    label: &'static str,
    kind: SlotKind,
    bytes: Zeroizing<Vec<u8>>,
    /// For a recovery code: the file holding its text, for the command line.
    code_file: Option<PathBuf>,
}

/// An entry version, owned and comparable.
#[derive(Clone, PartialEq, Eq)]
struct EntryItem {
    id: [u8; 16],
    version: u32,
    kind: EntryKind,
    status: EntryStatus,
    name: String,
    secret: Zeroizing<Vec<u8>>,
    created_at: u64,
    rotated_at: u64,
    policy_days: u32,
}

impl EntryItem {
    /// The same version of the same entry, whatever its status (salvage recomputes which
    /// version is active).
    fn same_version(&self, o: &Self) -> bool {
        Self {
            status: o.status,
            ..self.clone()
        } == *o
    }
}

/// An audit event, owned and comparable.
#[derive(Clone, PartialEq, Eq)]
struct EventItem {
    seq: u32,
    time: u64,
    op: AuditOp,
    entry_id: [u8; 16],
    version: u32,
    kcv: Kcv,
    prev_hash: [u8; 32],
    name: String,
    detail: String,
}

/// One opened record.
#[derive(Clone)]
enum Item {
    Meta(Meta),
    Entry(EntryItem),
    Event(EventItem),
}

fn item(r: Record<'_>) -> Item {
    match r {
        Record::Meta(m) => Item::Meta(m),
        Record::Entry(e) => Item::Entry(EntryItem {
            id: e.id,
            version: e.version,
            kind: e.kind,
            status: e.status,
            name: e.name.to_owned(),
            secret: Zeroizing::new(e.secret.to_vec()),
            created_at: e.created_at,
            rotated_at: e.rotated_at,
            policy_days: e.policy_days,
        }),
        Record::Audit(a) => Item::Event(EventItem {
            seq: a.seq,
            time: a.time,
            op: a.op,
            entry_id: a.entry_id,
            version: a.version,
            kcv: a.kcv,
            prev_hash: a.prev_hash,
            name: a.name.to_owned(),
            detail: a.detail.to_owned(),
        }),
    }
}

/// What a file holds, opened record by record.
#[derive(Clone)]
struct Content {
    meta: Meta,
    entries: Vec<EntryItem>,
    events: Vec<EventItem>,
}

impl Content {
    fn of(items: Vec<Item>) -> Self {
        let mut meta = None;
        let mut entries = Vec::new();
        let mut events = Vec::new();
        for i in items {
            match i {
                Item::Meta(m) => meta = Some(m),
                Item::Entry(e) => entries.push(e),
                Item::Event(e) => events.push(e),
            }
        }
        Self {
            meta: meta.unwrap(),
            entries,
            events,
        }
    }

    /// Whether an opened record of a spliced file is one of this file's own.
    fn holds(&self, it: &Item) -> bool {
        match it {
            Item::Meta(m) => *m == self.meta,
            Item::Entry(e) => self.entries.contains(e),
            Item::Event(e) => self.events.contains(e),
        }
    }

    fn recovery(&self) -> Option<[u8; 16]> {
        self.meta
            .recovery_secret
            .as_ref()
            .map(|s| *s.expose_secret())
    }
}

/// One copy of the vault, as its holder has it.
struct VaultCopy {
    name: &'static str,
    /// The binary container.
    bytes: Vec<u8>,
    /// An armored backup is spliced in its binary form and handed to the command line and
    /// the page as armor again (re-encoding needs no key).
    armored: bool,
    layout: Layout,
    /// Its password (index into the secrets).
    password: usize,
    /// Which of the four secrets open it.
    opens: [bool; 4],
    content: Content,
}

/// PBKDF2 outputs by (secret, salt, iteration count).
type KeyCache = Mutex<HashMap<(Vec<u8>, [u8; 32], u32), SlotKey>>;

fn derive_cached(secret: &[u8], salt: [u8; 32], iterations: u32, cache: &KeyCache) -> SlotKey {
    let id = (secret.to_vec(), salt, iterations);
    if let Some(k) = cache.lock().unwrap().get(&id) {
        return k.clone();
    }
    let k = progress::derive(secret, &salt, iterations, "", Progress::Silent).unwrap();
    cache.lock().unwrap().insert(id, k.clone());
    k
}

/// The core's `unlock_with_progress`, slot by slot, with the key derivation cached.
fn unlock_cached<'a>(
    file: &VaultFile<'a>,
    s: &Secret,
    cache: &KeyCache,
) -> Result<UnlockedVault<'a>, Error> {
    let mut any = false;
    for slot in file.header().slots().filter(|x| x.kind() == s.kind) {
        any = true;
        let key = derive_cached(&s.bytes, slot.salt(), slot.iterations(), cache);
        match file.unlock_with_slot_key(usize::from(slot.index()), &key) {
            Err(Error::WrongSecret) => continue,
            other => return other,
        }
    }
    Err(if any {
        Error::WrongSecret
    } else {
        Error::NoSuchSlot
    })
}

/// Parse → unlock → every record, one by one: the outcome (`opened`, or the code of the
/// first refusal), and the records that opened.
fn open_each(bytes: &[u8], s: &Secret, cache: &KeyCache) -> (String, Vec<(u32, Item)>) {
    let file = match VaultFile::parse(bytes, &KdfLimits::STANDARD) {
        Ok(f) => f,
        Err(e) => return (e.code().to_owned(), Vec::new()),
    };
    let unlocked = match unlock_cached(&file, s, cache) {
        Ok(u) => u,
        Err(e) => return (e.code().to_owned(), Vec::new()),
    };
    let mut first = None;
    let mut items = Vec::new();
    for r in file.records() {
        let mut buf = Zeroizing::new(vec![0u8; UnlockedVault::buffer_len(&r)]);
        match unlocked.open_record(&r, &mut buf) {
            Ok(rec) => items.push((r.index, item(rec))),
            Err(e) => {
                first.get_or_insert(e.code());
            }
        }
    }
    (first.unwrap_or("opened").to_owned(), items)
}

/// Checks a file written from a spliced target: it is intact, opens with `with` and every
/// record opens; nothing in it is foreign to the target; no secret that does not open the
/// target opens it. Returns the violations found.
fn check_output(
    bytes: &[u8],
    with: &Secret,
    target: &VaultCopy,
    secrets: &[Secret],
    cache: &KeyCache,
) -> Vec<String> {
    let mut bad = Vec::new();
    let bytes = decode(bytes);
    let (outcome, items) = open_each(&bytes, with, cache);
    if outcome != "opened" {
        bad.push(format!(
            "the output does not open with {}: {outcome}",
            with.label
        ));
    }
    let next = target.content.meta.audit_next_seq;
    let known: Vec<[u8; 16]> = secrets
        .iter()
        .filter(|s| s.kind == SlotKind::Recovery)
        .map(|s| s.bytes[..].try_into().unwrap())
        .collect();
    for (i, it) in &items {
        let own = match it {
            Item::Meta(m) => {
                let r = m.recovery_secret.as_ref().map(|s| *s.expose_secret());
                // The target's own, or a new one that salvage made: never another
                // generation's.
                r == target.content.recovery() || r.is_none_or(|r| !known.contains(&r))
            }
            Item::Entry(e) => target.content.entries.iter().any(|t| t.same_version(e)),
            Item::Event(e) if e.seq < next => target.content.events.contains(e),
            Item::Event(e) => matches!(
                e.op,
                AuditOp::Backup | AuditOp::Restore | AuditOp::Recover | AuditOp::Salvage
            ),
        };
        if !own {
            bad.push(format!("record {i} of the output is not the target's own"));
        }
    }
    for (s, opens) in secrets.iter().zip(target.opens) {
        if opens {
            continue;
        }
        let file = VaultFile::parse(&bytes, &KdfLimits::STANDARD).unwrap();
        if let Ok(u) = unlock_cached(&file, s, cache) {
            let n = file
                .records()
                .filter(|r| {
                    let mut buf = vec![0u8; UnlockedVault::buffer_len(r)];
                    u.open_record(r, &mut buf).is_ok()
                })
                .count();
            bad.push(format!(
                "{} (which does not open the target) opens the output ({n} records)",
                s.label
            ));
        }
    }
    bad
}

/// Binary bytes of a file that may be armored.
fn decode(bytes: &[u8]) -> Vec<u8> {
    if armor::is_armored(bytes) {
        let mut out = vec![0u8; armor::decoded_len_max(bytes.len())];
        let n = armor::decode(bytes, &mut out).unwrap();
        out.truncate(n);
        out
    } else {
        bytes.to_vec()
    }
}

fn encode(bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; armor::encoded_len(bytes.len())];
    let n = armor::encode(bytes, &mut out).unwrap();
    out.truncate(n);
    out
}

// --- The history --------------------------------------------------------------------------

/// `airvault --vault V --password-file F` for a password other than the Env's.
fn cmd_with(env: &Env, pw: &Path) -> assert_cmd::Command {
    let mut c = env.bare();
    c.arg("--vault")
        .arg(&env.vault)
        .arg("--password-file")
        .arg(pw);
    c
}

fn json_value(stdout: &[u8]) -> serde_json::Value {
    serde_json::from_slice(stdout).unwrap()
}

struct History {
    env: Env,
    secrets: Vec<Secret>,
    copies: Vec<VaultCopy>,
    /// Files holding each password, by secret index.
    pw_files: HashMap<usize, PathBuf>,
}

/// The five generations and five backups, made by the binary.
fn history(cache: &KeyCache) -> History {
    let env = Env::new();
    let p2 = env.file("p2.pw", format!("{P2}\n"));
    let out = env
        .json()
        .args(["init", "--iterations", ITER])
        .assert()
        .success();
    let code_a = one::<Init>(&out.get_output().stdout).recovery_code;
    let read = |name: &str| fs::read(env.path(name)).unwrap();
    let snapshot = |name: &str| fs::copy(&env.vault, env.path(name)).unwrap();
    let bin_backup = |name: &str, pw: &Path| {
        cmd_with(&env, pw)
            .args(["backup", "--out"])
            .arg(env.path(name))
            .assert()
            .success();
    };
    let armored_backup = |name: &str, pw: &Path| {
        cmd_with(&env, pw)
            .args(["backup", "--armor", "--out"])
            .arg(env.path(name))
            .assert()
            .success();
    };
    env.generate("k1");
    snapshot("G0.airvault");
    bin_backup("B0.airvault", &env.pw);
    env.generate("k2");
    snapshot("G1.airvault");
    armored_backup("A1.asc", &env.pw);
    let out = env.json().args(["recovery", "reset"]).assert().success();
    let code_b = json_value(&out.get_output().stdout)["recovery_code"]
        .as_str()
        .unwrap()
        .to_owned();
    snapshot("G2.airvault");
    bin_backup("B2.airvault", &env.pw);
    env.cmd()
        .args(["passwd", "--iterations", ITER, "--new-password-file"])
        .arg(&p2)
        .assert()
        .success();
    snapshot("G3.airvault");
    bin_backup("B3.airvault", &p2);
    cmd_with(&env, &p2).arg("rotate-master").assert().success();
    snapshot("G4.airvault");
    armored_backup("A4.asc", &p2);

    let code = |label: &'static str, text: &str, file: &str| Secret {
        label,
        kind: SlotKind::Recovery,
        bytes: Zeroizing::new(
            vault_core::recovery_code::parse(text)
                .unwrap()
                .expose_secret()
                .to_vec(),
        ),
        code_file: Some(env.file(file, format!("{text}\n"))),
    };
    let password = |label: &'static str, pw: &str| Secret {
        label,
        kind: SlotKind::Password,
        bytes: Zeroizing::new(pw.as_bytes().to_vec()),
        code_file: None,
    };
    let secrets = vec![
        password("the first password", P1),
        password("the password set by passwd", P2),
        code("recovery code A (replaced by reset)", &code_a, "code-a.txt"),
        code("recovery code B (made by reset)", &code_b, "code-b.txt"),
    ];
    let files: [(&'static str, &str, usize); 10] = [
        ("G0", "G0.airvault", 0),
        ("G1", "G1.airvault", 0),
        ("G2", "G2.airvault", 0),
        ("G3", "G3.airvault", 1),
        ("G4", "G4.airvault", 1),
        ("backup of G0", "B0.airvault", 0),
        ("armored backup of G1", "A1.asc", 0),
        ("backup of G2", "B2.airvault", 0),
        ("backup of G3", "B3.airvault", 1),
        ("armored backup of G4", "A4.asc", 1),
    ];
    let copies = files
        .iter()
        .map(|&(name, file, password)| {
            let raw = read(file);
            let armored = armor::is_armored(&raw);
            let bytes = decode(&raw);
            let mut opens = [false; 4];
            let mut content = None;
            for (i, s) in secrets.iter().enumerate() {
                let (outcome, items) = open_each(&bytes, s, cache);
                opens[i] = outcome == "opened";
                if i == password {
                    assert!(opens[i], "{name} opens with its password: {outcome}");
                    content = Some(Content::of(items.into_iter().map(|x| x.1).collect()));
                }
            }
            VaultCopy {
                name,
                layout: Layout::of(&bytes),
                bytes,
                armored,
                password,
                opens,
                content: content.unwrap(),
            }
        })
        .collect::<Vec<_>>();
    // Sanity: the later secrets are the only ones that open the later files, and the
    // other way round.
    assert_eq!(copies[0].opens, [true, false, true, false]);
    assert_eq!(copies[2].opens, [true, false, false, true]);
    assert_eq!(copies[4].opens, [false, true, false, true]);
    let pw_files = HashMap::from([(0, env.pw.clone()), (1, p2)]);
    History {
        env,
        secrets,
        copies,
        pw_files,
    }
}

// --- The reported case --------------------------------------------------------------------

/// The security review's reproduction, with the binary.
#[test]
fn the_reported_splice_is_refused_everywhere() {
    let env = Env::new();
    let out = env
        .json()
        .args(["init", "--iterations", ITER])
        .assert()
        .success();
    let code_a = one::<Init>(&out.get_output().stdout).recovery_code;
    let code_a_file = env.file("code-a.txt", format!("{code_a}\n"));
    env.generate("k1");
    let old = fs::read(&env.vault).unwrap();
    let out = env.json().args(["recovery", "reset"]).assert().success();
    let code_b = json_value(&out.get_output().stdout)["recovery_code"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(code_a, code_b);
    let code_b_file = env.file("code-b.txt", format!("{code_b}\n"));
    env.generate("k2");
    let new = fs::read(&env.vault).unwrap();

    // Whether `recovery reset` kept the master key decides what the old record looks like
    // under the new header: authentic but not the listed one (tampering), or not
    // authentic at all (damage). Both are refused; the message differs.
    let vmk = |b: &[u8]| {
        <vault_cli::model::Vault as vault_cli::model::VaultFiles>::open(
            b,
            P1.as_bytes(),
            Progress::Silent,
        )
        .unwrap()
        .vault
        .vmk
        .expose_secret()
        .to_vec()
    };
    let same_key = vmk(&old) == vmk(&new);

    let (lo, ln) = (Layout::of(&old), Layout::of(&new));
    assert_eq!(lo.records[0].len(), ln.records[0].len(), "same length");
    let mut spliced = new.clone();
    spliced[ln.records[0].clone()].copy_from_slice(&old[lo.records[0].clone()]);
    assert_ne!(spliced, new);
    fs::write(&env.vault, &spliced).unwrap();

    // Keyless verify: damaged, record 0 named.
    let out = env
        .bare()
        .args(["--json", "verify"])
        .arg(&env.vault)
        .assert()
        .code(5);
    let (files, _) = verify_output(&out.get_output().stdout);
    assert_eq!(files[0].status, "corrupted");
    assert_eq!(files[0].damaged_records, [0]);

    // list: refused (it opened everything with a warning, exit 0, before records were
    // bound to the table), naming record 0 and what it is.
    let out = env.cmd().arg("list").assert().code(5);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("record 0"), "{err}");
    if same_key {
        assert!(
            err.contains("tampering") && err.contains("another copy"),
            "{err}"
        );
    } else {
        assert!(err.contains("damaged"), "{err}");
    }
    assert!(out.get_output().stdout.is_empty());

    // backup: refused, nothing written.
    let before = env.listing();
    let target = env.path("backup.airvault");
    let out = env
        .cmd()
        .args(["backup", "--out"])
        .arg(&target)
        .assert()
        .code(5);
    assert!(!target.exists());
    assert_eq!(env.listing(), before, "backup left a file behind");
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("record 0"), "{err}");

    // recovery show: refused for the record, not for anything else.
    let out = env.cmd().args(["recovery", "show"]).assert().code(5);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("record 0"), "{err}");
    assert!(!err.contains("canonical order"), "{err}");
    if same_key {
        assert!(err.contains("tampering"), "{err}");
    }
    assert!(!String::from_utf8_lossy(&out.get_output().stdout).contains(&code_a));

    // salvage: with the password, with code B and with code A. Whatever it writes is
    // incomplete (exit 5: the metadata record is lost) and never opens with code A.
    let new_pw = env.file("new.pw", "a new password\n");
    let flag = std::ffi::OsStr::new("--recovery-code-file");
    let runs: [(&str, Vec<&std::ffi::OsStr>); 3] = [
        ("password", vec![]),
        ("code B", vec![flag, code_b_file.as_os_str()]),
        ("code A", vec![flag, code_a_file.as_os_str()]),
    ];
    let mut written = 0;
    for (i, (what, extra)) in runs.iter().enumerate() {
        let out_path = env.path(&format!("salvaged-{i}.airvault"));
        let out = env
            .cmd()
            .arg("--json")
            .arg("salvage")
            .arg(&env.vault)
            .arg("--out")
            .arg(&out_path)
            .args(extra)
            .arg("--new-password-file")
            .arg(&new_pw)
            .output()
            .unwrap();
        let code = out.status.code();
        assert_ne!(code, Some(0), "salvage with {what} reported it complete");
        if *what == "code A" {
            assert_eq!(code, Some(4), "code A opens nothing: {out:?}");
        }
        if out_path.exists() {
            written += 1;
            let report = json_value(&out.stdout);
            assert_eq!(report["complete"], false, "{report}");
            assert_eq!(code, Some(5));
            let recovered = env.path(&format!("recovered-{i}.airvault"));
            let r = env
                .bare()
                .arg("recover")
                .arg(&out_path)
                .arg("--recovery-code-file")
                .arg(&code_a_file)
                .arg("--new-password-file")
                .arg(&new_pw)
                .arg("--out")
                .arg(&recovered)
                .assert()
                .code(4);
            assert!(!recovered.exists(), "{:?}", r.get_output());
        }
    }
    assert_eq!(
        written, 2,
        "salvage with the password and with code B wrote a vault"
    );
}

// --- The matrix ---------------------------------------------------------------------------

/// One part of a donor copied into a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Splice {
    /// Donor record `from` in place of target record `at`.
    Record { at: usize, from: usize },
    /// Donor keyslot `from` (first copy) in place of target keyslot `at`.
    Slot {
        at: usize,
        from: usize,
        copies: Copies,
    },
    /// The donor's header in place of the target's.
    Header(Copies),
    /// The donor's trailer.
    Trailer,
}

#[derive(Clone, Debug)]
struct Combo {
    target: usize,
    donor: usize,
    splice: Splice,
    resealed: bool,
}

/// The bytes of a combination, or why the donor's part does not fit.
fn build(
    t: &VaultCopy,
    d: &VaultCopy,
    splice: Splice,
    resealed: bool,
) -> Result<Vec<u8>, &'static str> {
    let (tl, dl) = (&t.layout, &d.layout);
    let mut f = t.bytes.clone();
    let mut rec = None;
    match splice {
        Splice::Record { at, from } => {
            if tl.records[at].len() != dl.records[from].len() {
                return Err("record lengths differ");
            }
            f[tl.records[at].clone()].copy_from_slice(&d.bytes[dl.records[from].clone()]);
            rec = Some(at);
        }
        Splice::Slot { at, from, copies } => {
            let src = &d.bytes[64 + SLOT_LEN * from..64 + SLOT_LEN * (from + 1)];
            for off in tl.copies(copies) {
                let at = off + 64 + SLOT_LEN * at;
                f[at..at + SLOT_LEN].copy_from_slice(src);
            }
        }
        Splice::Header(copies) => {
            if tl.header_len != dl.header_len {
                return Err("header lengths differ (other slot or record counts)");
            }
            let h = tl.header_len;
            for off in tl.copies(copies) {
                f[off..off + h].copy_from_slice(&d.bytes[..h]);
            }
        }
        Splice::Trailer => {
            let n = f.len();
            f[n - TRAILER_LEN..].copy_from_slice(&d.bytes[d.bytes.len() - TRAILER_LEN..]);
        }
    }
    if resealed {
        reseal(&mut f, tl, rec);
    }
    Ok(f)
}

/// Every combination of every target with every other file as donor.
fn combinations(copies: &[VaultCopy]) -> Vec<Combo> {
    let mut v = Vec::new();
    for target in 0..copies.len() {
        for donor in (0..copies.len()).filter(|&d| d != target) {
            let (tl, dl) = (&copies[target].layout, &copies[donor].layout);
            let mut splices = Vec::new();
            for at in 0..tl.records.len() {
                for from in 0..dl.records.len() {
                    splices.push(Splice::Record { at, from });
                }
            }
            for copies in [Copies::First, Copies::Second, Copies::Both] {
                for at in 0..tl.slots {
                    for from in 0..dl.slots {
                        splices.push(Splice::Slot { at, from, copies });
                    }
                }
                splices.push(Splice::Header(copies));
            }
            splices.push(Splice::Trailer);
            for splice in splices {
                for resealed in [false, true] {
                    v.push(Combo {
                        target,
                        donor,
                        splice,
                        resealed,
                    });
                }
            }
        }
    }
    v
}

/// The kind of part a combination splices, for the sample and the report.
fn part_kind(c: &Combo, copies: &[VaultCopy]) -> String {
    let (tl, dl) = (&copies[c.target].layout, &copies[c.donor].layout);
    let kind = |k: u8| match k {
        1 => "metadata",
        2 => "entry",
        _ => "audit",
    };
    match c.splice {
        Splice::Record { at, from } if tl.idents[at] == dl.idents[from] => {
            format!("record ({}, same id and seq)", kind(tl.idents[at].0))
        }
        Splice::Record { at, from } => format!(
            "record ({} in place of {})",
            kind(dl.idents[from].0),
            kind(tl.idents[at].0)
        ),
        Splice::Slot { at, from, copies } if at == from => {
            format!("keyslot {at} into {copies:?} copy")
        }
        Splice::Slot { copies, .. } => format!("keyslot of the other kind into {copies:?} copy"),
        Splice::Header(copies) => format!("header into {copies:?} copy"),
        Splice::Trailer => "trailer".to_owned(),
    }
}

/// The coarser kind the command-line sample takes one combination of: each kind of record
/// (the same one of another copy, or another one), a keyslot into both copies (the same
/// kind, or the other kind) or into one copy, the header into each copy, the trailer.
fn sample_kind(c: &Combo, copies: &[VaultCopy]) -> String {
    let (tl, dl) = (&copies[c.target].layout, &copies[c.donor].layout);
    match c.splice {
        Splice::Record { at, from } if tl.idents[at] == dl.idents[from] => {
            format!("record, same {}", tl.idents[at].0)
        }
        Splice::Record { .. } => "record, another".to_owned(),
        Splice::Slot {
            copies: Copies::Both,
            at,
            from,
        } => format!("keyslot into both copies, same kind: {}", at == from),
        Splice::Slot { .. } => "keyslot into one copy".to_owned(),
        Splice::Header(copies) => format!("header into {copies:?}"),
        Splice::Trailer => "trailer".to_owned(),
    }
}

/// What the in-process checks found for one combination.
struct Checked {
    /// `caught keylessly` or `intact keylessly`.
    keyless: &'static str,
    /// The outcome with the target's own password.
    primary: String,
    /// Every acceptance found (must stay empty).
    accepted: Vec<String>,
}

/// The core and the page on one spliced file, with every secret.
fn check_in_process(
    c: &Combo,
    bytes: &[u8],
    h: &History,
    cache: &KeyCache,
    page_key: &SlotKey,
) -> Checked {
    let t = &h.copies[c.target];
    let mut accepted = Vec::new();
    let keyless = match VaultFile::parse(bytes, &KdfLimits::STANDARD) {
        Err(_) => "caught keylessly",
        Ok(f) if !f.verify().is_intact() => "caught keylessly",
        Ok(_) => "intact keylessly",
    };
    let mut primary = String::new();
    for (i, s) in h.secrets.iter().enumerate() {
        let (outcome, items) = open_each(bytes, s, cache);
        for (index, it) in &items {
            if !t.opens[i] {
                accepted.push(format!(
                    "core: {} (does not open the target) opened record {index}",
                    s.label
                ));
            } else if !t.content.holds(it) {
                accepted.push(format!(
                    "core: record {index} opened with {} holds content not the target's",
                    s.label
                ));
            }
        }
        if outcome == "opened" && keyless == "intact keylessly" {
            accepted.push(format!(
                "core: opened whole with {}, no damage reported",
                s.label
            ));
        }
        if i == t.password {
            primary = outcome;
        }
        accepted.extend(page(c, bytes, h, s, t.opens[i], cache, page_key));
    }
    Checked {
        keyless,
        primary,
        accepted,
    }
}

/// The restore page (its wasm bindings, natively): open, unlock with `s`, list, re-save.
fn page(
    c: &Combo,
    bytes: &[u8],
    h: &History,
    s: &Secret,
    opens_target: bool,
    cache: &KeyCache,
    page_key: &SlotKey,
) -> Vec<String> {
    let t = &h.copies[c.target];
    let mut bad = Vec::new();
    let input = if t.armored {
        encode(bytes)
    } else {
        bytes.to_vec()
    };
    let Ok(backup) = vault_wasm::Backup::open(&input) else {
        return bad;
    };
    let kind = match s.kind {
        SlotKind::Password => "password",
        SlotKind::Recovery => "recovery",
    };
    for slot in backup
        .slots()
        .unwrap()
        .into_iter()
        .filter(|x| x.kind() == kind)
    {
        let key = derive_cached(
            &s.bytes,
            slot.salt().try_into().unwrap(),
            slot.iterations(),
            cache,
        );
        let mut raw = *key.expose_secret();
        let Ok(vault) = backup.unlock(
            slot.index(),
            vault_wasm::SlotKey::from_bytes(&mut raw).unwrap(),
        ) else {
            continue;
        };
        for e in vault.entries() {
            if !opens_target {
                bad.push(format!(
                    "page: {} (does not open the target) lists {}",
                    s.label,
                    e.name()
                ));
            }
            let own = t.content.entries.iter().any(|x| {
                hex::encode(x.id) == e.id()
                    && x.version == e.version()
                    && x.name == e.name()
                    && vault_core::Kcv::of(&x.secret).to_string() == e.kcv()
            });
            if !own {
                bad.push(format!(
                    "page: lists {} v{}, not the target's",
                    e.name(),
                    e.version()
                ));
            }
        }
        let mut raw = *page_key.expose_secret();
        let new_key = vault_wasm::SlotKey::from_bytes(&mut raw).unwrap();
        if let Ok(out) = vault.rewrap_with_password(new_key, &PW_SALT, ITERATIONS, 1.0e9) {
            let pw = Secret {
                label: "the page's new password",
                kind: SlotKind::Password,
                bytes: Zeroizing::new(PW.as_bytes().to_vec()),
                code_file: None,
            };
            if !opens_target {
                bad.push(format!(
                    "page: {} (does not open the target) re-saved it",
                    s.label
                ));
            }
            for v in check_output(&out, &pw, t, &h.secrets, cache) {
                bad.push(format!("page re-save: {v}"));
            }
        }
    }
    bad
}

/// The command line's library functions on one spliced file. Returns each operation's
/// outcome and every acceptance found.
fn check_cli(
    c: &Combo,
    bytes: &[u8],
    h: &History,
    dir: &Path,
    cache: &KeyCache,
) -> (Vec<String>, Vec<String>) {
    let t = &h.copies[c.target];
    let mut outcomes = Vec::new();
    let mut bad = Vec::new();
    fs::create_dir_all(dir).unwrap();
    let input = dir.join(if t.armored { "in.asc" } else { "in.airvault" });
    fs::write(
        &input,
        if t.armored {
            encode(bytes)
        } else {
            bytes.to_vec()
        },
    )
    .unwrap();
    let binary = dir.join("live.airvault");
    fs::write(&binary, bytes).unwrap();
    let pw_t = &h.secrets[t.password];
    let given = |s: &str| PasswordSource::Given(Zeroizing::new(s.to_owned()));
    let pw_text = std::str::from_utf8(&pw_t.bytes).unwrap().to_owned();
    let ctx = |vault: &Path| {
        let mut ctx = Context::new(vault.to_path_buf(), given(&pw_text));
        ctx.warnings = false;
        ctx
    };
    let pn = Secret {
        label: "the new password",
        kind: SlotKind::Password,
        bytes: Zeroizing::new(PN.as_bytes().to_vec()),
        code_file: None,
    };
    let current_code = h
        .secrets
        .iter()
        .zip(t.opens)
        .find(|(s, o)| *o && s.kind == SlotKind::Recovery)
        .unwrap()
        .0;
    let other_code = h
        .secrets
        .iter()
        .zip(t.opens)
        .find(|(s, o)| !*o && s.kind == SlotKind::Recovery)
        .unwrap()
        .0;
    let mut judge = |op: &str, result: Result<u8, u8>, out: &Path, with: &Secret, revoked: bool| {
        let written = out.exists();
        outcomes.push(format!(
            "{op}: {}",
            match (result, written) {
                (Ok(0), true) => "written (exit 0)".to_owned(),
                (Ok(n), true) => format!("written, incomplete (exit {n})"),
                (Ok(n), false) => format!("exit {n}, nothing written"),
                (Err(n), false) => format!("refused (exit {n})"),
                (Err(n), true) => format!("refused (exit {n}) but a file was left"),
            }
        ));
        if written {
            if result.is_err() {
                bad.push(format!("{op}: failed but left {}", out.display()));
            }
            if revoked {
                bad.push(format!("{op}: {} wrote a vault", with.label));
            }
            for v in check_output(&fs::read(out).unwrap(), with, t, &h.secrets, cache) {
                bad.push(format!("{op}: {v}"));
            }
            fs::remove_file(out).unwrap();
        }
    };

    let out = dir.join("backup.airvault");
    let r = backup(
        &ctx(&binary),
        &BackupOptions {
            out: out.clone(),
            armor: false,
            new_password: None,
            entries: Vec::new(),
            force: false,
        },
    );
    judge("backup", exit(r.map(|_| 0)), &out, pw_t, false);

    let out = dir.join("restored.airvault");
    let r = restore(&ctx(&binary), &input, &out, false, false);
    judge("restore", exit(r.map(|_| 0)), &out, pw_t, false);

    for (which, code, revoked) in [
        ("current", current_code, false),
        ("replaced", other_code, true),
    ] {
        let out = dir.join(format!("recovered-{which}.airvault"));
        let r = recover(
            &ctx(&binary),
            &RecoverOptions {
                discard_newer: false,
                file: input.clone(),
                material: RecoveryMaterial::Code(code.code_file.clone().unwrap()),
                out: out.clone(),
                new_password: given(PN),
                force: false,
            },
        );
        judge(
            &format!("recover ({which} code)"),
            exit(r.map(|_| 0)),
            &out,
            &pn,
            revoked,
        );
    }

    for (which, material, revoked) in [
        ("password", None, false),
        (
            "replaced code",
            Some(RecoveryMaterial::Code(
                other_code.code_file.clone().unwrap(),
            )),
            true,
        ),
    ] {
        let out = dir.join(format!("salvaged-{which}.airvault").replace(' ', "-"));
        let with = if material.is_some() { &pn } else { pw_t };
        let r = salvage(
            &ctx(&binary),
            &SalvageOptions {
                discard_newer: false,
                files: vec![input.clone()],
                out: out.clone(),
                new_password: material.as_ref().map(|_| given(PN)),
                material,
                force: false,
            },
        );
        let result = match r {
            Ok(s) => Ok(s.exit.code()),
            Err(e) => Err(e.exit().code()),
        };
        judge(&format!("salvage ({which})"), result, &out, with, revoked);
    }
    (outcomes, bad)
}

fn exit(r: vault_cli::error::Result<u8>) -> Result<u8, u8> {
    r.map_err(|e| e.exit().code())
}

/// The binary on one spliced file: keyed `verify`, `list` and `restore`.
fn check_binary(c: &Combo, bytes: &[u8], h: &History, dir: &Path, cache: &KeyCache) -> Vec<String> {
    let t = &h.copies[c.target];
    let mut bad = Vec::new();
    fs::create_dir_all(dir).unwrap();
    let input = dir.join(if t.armored { "bin.asc" } else { "bin.airvault" });
    fs::write(
        &input,
        if t.armored {
            encode(bytes)
        } else {
            bytes.to_vec()
        },
    )
    .unwrap();
    let pw = &h.pw_files[&t.password];
    let run = |args: &[&str], vault: Option<&Path>| {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("airvault"));
        cmd.env_remove("AIRVAULT_VAULT")
            .env_remove("AIRVAULT_FAILPOINT")
            .env("HOME", dir)
            .current_dir(dir)
            .arg("--password-file")
            .arg(pw);
        if let Some(v) = vault {
            cmd.arg("--vault").arg(v);
        }
        cmd.args(args).output().unwrap()
    };
    let out = run(&["--json", "verify", input.to_str().unwrap()], None);
    if out.status.code() == Some(0) {
        bad.push("binary: keyed verify exit 0".to_owned());
    }
    // `list` reads the live vault: the binary form.
    let live = dir.join("bin-live.airvault");
    fs::write(&live, bytes).unwrap();
    let out = run(&["--json", "list"], Some(&live));
    if out.status.code() == Some(0) {
        let listed = lines::<Entry>(&out.stdout);
        let current: Vec<_> = {
            let mut newest: BTreeMap<[u8; 16], &EntryItem> = BTreeMap::new();
            for e in &t.content.entries {
                let n = newest.entry(e.id).or_insert(e);
                if e.version > n.version {
                    *n = e;
                }
            }
            newest.into_values().collect()
        };
        for l in &listed {
            if !current
                .iter()
                .any(|e| e.name == l.name && e.version == l.version && hex::encode(e.id) == l.id)
            {
                bad.push(format!("binary: list showed {} v{}", l.name, l.version));
            }
        }
    }
    let target = dir.join("bin-restored.airvault");
    let out = run(
        &[
            "restore",
            input.to_str().unwrap(),
            "--out",
            target.to_str().unwrap(),
        ],
        None,
    );
    if target.exists() {
        if out.status.code() != Some(0) {
            bad.push("binary: restore failed but left its output".to_owned());
        }
        for v in check_output(
            &fs::read(&target).unwrap(),
            &h.secrets[t.password],
            t,
            &h.secrets,
            cache,
        ) {
            bad.push(format!("binary restore: {v}"));
        }
        fs::remove_file(&target).unwrap();
    }
    bad
}

/// Runs `f` on every item over two threads, in order.
fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(usize, &T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = items.len().div_ceil(workers).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .enumerate()
            .map(|(w, part)| {
                let f = &f;
                s.spawn(move || {
                    part.iter()
                        .enumerate()
                        .map(|(i, t)| f(w * chunk + i, t))
                        .collect::<Vec<R>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

/// The (target, donor) pairs whose combinations the command line runs on: each generation
/// from the one before (the reported case among them), a file from a later one, and a
/// backup (binary and armored) from the vault file of its own generation — the one pair
/// whose headers have the same length.
const CLI_PAIRS: [(usize, usize); 6] = [(2, 1), (3, 2), (4, 3), (0, 1), (7, 2), (9, 4)];
/// The pairs the binary runs on.
const BINARY_PAIRS: [(usize, usize); 2] = [(2, 1), (7, 2)];

#[test]
fn splice_matrix() {
    let started = Instant::now();
    let cache = KeyCache::default();
    let h = history(&cache);
    let page_key = derive_cached(PW.as_bytes(), PW_SALT, ITERATIONS, &cache);
    let combos = combinations(&h.copies);

    // Build every combination; count what does not fit, the no-ops and the duplicates.
    let mut skipped: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut identical = 0usize;
    let mut duplicates = 0usize;
    let mut seen: HashSet<[u8; 32]> = HashSet::new();
    let mut built: Vec<(Combo, Vec<u8>)> = Vec::new();
    for c in &combos {
        let (t, d) = (&h.copies[c.target], &h.copies[c.donor]);
        match build(t, d, c.splice, c.resealed) {
            Err(why) => *skipped.entry(why).or_default() += 1,
            Ok(b) if b == t.bytes => identical += 1,
            Ok(b) => {
                assert_ne!(b, d.bytes, "{c:?} is the donor itself");
                if seen.insert(sha256(&b)) {
                    built.push((c.clone(), b));
                } else {
                    duplicates += 1;
                }
            }
        }
    }

    // In process: the core and the page, every combination, every secret.
    let checked = parallel(&built, |_, (c, b)| {
        check_in_process(c, b, &h, &cache, &page_key)
    });
    let mut classes: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_outcome: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut keyless: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut accepted: Vec<String> = Vec::new();
    for ((c, _), r) in built.iter().zip(&checked) {
        let group = match r.primary.as_str() {
            "record_foreign" | "header_auth_failed" | "record_auth_failed" => "tampering",
            "wrong_password" | "no_such_slot" => "wrong secret",
            "opened" => "opened as the target's own content, damage reported",
            _ => "damaged",
        };
        *by_outcome.entry(group).or_default() += 1;
        *keyless.entry(r.keyless).or_default() += 1;
        *classes
            .entry(format!(
                "{:<46} {:<10} {} → {}",
                part_kind(c, &h.copies),
                if c.resealed { "resealed" } else { "as is" },
                r.keyless,
                r.primary
            ))
            .or_default() += 1;
        for a in &r.accepted {
            accepted.push(format!(
                "{} ← {}: {:?}{}: {a}",
                h.copies[c.target].name,
                h.copies[c.donor].name,
                c.splice,
                if c.resealed { ", resealed" } else { "" }
            ));
        }
    }
    let in_process = started.elapsed();

    // The command line's library functions on a sample: the first combination of each
    // kind of part, both checksum variants, for each pair of CLI_PAIRS.
    let mut picked: HashSet<(usize, usize, String, bool)> = HashSet::new();
    let sample: Vec<&(Combo, Vec<u8>)> = built
        .iter()
        .filter(|(c, _)| {
            CLI_PAIRS.contains(&(c.target, c.donor))
                && picked.insert((c.target, c.donor, sample_kind(c, &h.copies), c.resealed))
        })
        .collect();
    let dir = h.env.path("cli");
    let cli = parallel(&sample, |i, (c, b)| {
        check_cli(c, b, &h, &dir.join(i.to_string()), &cache)
    });
    let mut cli_outcomes: BTreeMap<String, usize> = BTreeMap::new();
    for ((c, _), (outcomes, bad)) in sample.iter().zip(&cli) {
        for o in outcomes {
            *cli_outcomes.entry(o.clone()).or_default() += 1;
        }
        for a in bad {
            accepted.push(format!(
                "{} ← {}: {:?}{}: {a}",
                h.copies[c.target].name,
                h.copies[c.donor].name,
                c.splice,
                if c.resealed { ", resealed" } else { "" }
            ));
        }
    }
    let cli_time = started.elapsed() - in_process;

    // The binary on a smaller sample.
    let bin_started = Instant::now();
    let bin_sample: Vec<&&(Combo, Vec<u8>)> = sample
        .iter()
        .filter(|(c, _)| BINARY_PAIRS.contains(&(c.target, c.donor)) && !c.resealed)
        .collect();
    let bin = parallel(&bin_sample, |i, (c, b)| {
        check_binary(c, b, &h, &dir.join(format!("bin-{i}")), &cache)
    });
    for ((c, _), bad) in bin_sample.iter().zip(&bin) {
        for a in bad {
            accepted.push(format!(
                "{} ← {}: {:?}: {a}",
                h.copies[c.target].name, h.copies[c.donor].name, c.splice
            ));
        }
    }

    let bin_time = bin_started.elapsed();
    eprintln!(
        "splice classes (part, checksums, keyless check → outcome with the target's \
         password), {} combinations in process in {in_process:.1?}:",
        built.len()
    );
    for (class, n) in &classes {
        eprintln!("  {n:>6}  {class}");
    }
    eprintln!(
        "command line on {} sampled combinations ({cli_time:.1?}; the binary on {} of them, \
         {bin_time:.1?}):",
        sample.len(),
        bin_sample.len()
    );
    for (o, n) in &cli_outcomes {
        eprintln!("  {n:>6}  {o}");
    }
    let total = built.len() + identical;
    let skipped_total: usize = skipped.values().sum();
    eprintln!(
        "splice matrix: {total} combinations of {} files: {} refused as damaged, {} as \
         tampering (record_foreign / header_auth_failed / record_auth_failed), {} wrong \
         secret, {} opened as the target's own content with the damage reported, {identical} \
         identical (no-op); {} accepted. Caught without a key: {}, only with it: {}. Each \
         tried with 4 secrets in the core and on the page; {} sampled through backup, \
         restore, recover ×2, salvage ×2, {} through the binary. Not built: {duplicates} \
         duplicates, {skipped_total} that do not fit ({}). {:.1?}",
        h.copies.len(),
        by_outcome.get("damaged").unwrap_or(&0),
        by_outcome.get("tampering").unwrap_or(&0),
        by_outcome.get("wrong secret").unwrap_or(&0),
        by_outcome
            .get("opened as the target's own content, damage reported")
            .unwrap_or(&0),
        accepted.len(),
        keyless.get("caught keylessly").unwrap_or(&0),
        keyless.get("intact keylessly").unwrap_or(&0),
        sample.len(),
        bin_sample.len(),
        skipped
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect::<Vec<_>>()
            .join(", "),
        started.elapsed(),
    );
    assert!(
        accepted.is_empty(),
        "{} acceptances:\n{}",
        accepted.len(),
        accepted.join("\n")
    );
}

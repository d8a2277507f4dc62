//! Every single-bit flip and every truncation of a backup written by the command line is
//! caught by the command line, and located.
//!
//! The sample is a real backup: `airvault init --iterations 100000`, two small entries, then
//! `airvault backup`. For each of its `8 × len` single-bit flips and each of its `len`
//! truncations (lengths `0 … len − 1`):
//!
//! - **keyless `verify`** — [`vault_cli::commands::verify::check_file`], the function the
//!   binary calls for each file named on its command line, on a file holding the damaged
//!   bytes — must give exit 5 (`corrupted`), never 0, and must name the damaged part: the
//!   first or second header copy, the trailer, or the one record the flip is in;
//! - **keyed `verify --password-file`** — the same function with the password — must give
//!   exit 5, never 0 and never "wrong password";
//! - **keyed open** — what `restore`, `recover`, `backup` and every command on the live
//!   vault do after their keyless check: [`Vault::open`], split here into its two halves
//!   (see below) — must either fail on the damaged record, naming it, or, for damage to one
//!   header copy or the trailer, open every record with the other copy and report that
//!   copy damaged. A flip in the password keyslot of either header copy is never taken for
//!   a wrong password: the format can tell, because the other copy is intact.
//!
//! **Why in-process, and why the key derivation is cached.** A run of the binary costs a
//! process start and, keyed, 100,000 PBKDF2 iterations: about 20 ms each, so two runs for
//! each of the ~20,000 flips would take minutes on two cores. The keyless checks and the
//! keyed `verify` therefore call the command line's own library functions in this process
//! (what the binary adds — argument parsing and printing — is exercised by
//! [`binary_agrees_on_a_sample`], which runs the binary in parallel on a sample of flips and
//! truncations and checks its JSON against the in-process reports). For the keyed open,
//! [`Vault::open`] is `VaultFile::parse` → `VaultFile::verify` → `progress::unlock` (the
//! core's `unlock_with_progress`: for each password keyslot, PBKDF2 over the slot's salt and
//! iteration count, then `unlock_with_slot_key`) → [`Vault::from_unlocked`]. The test runs
//! the same steps, except that the PBKDF2 output is cached per (salt, iteration count)
//! through `progress::derive` (the command line's stepwise KDF with the standard bounds)
//! and handed to the core's `unlock_with_slot_key` exactly as `unlock_with_progress` does,
//! slot by slot. A flip in a salt or an iteration count changes the KDF input and would
//! miss the cache; every other flip does not. The test asserts at the end that the cache
//! holds exactly one key: no single flip ever reached the KDF with a changed input, because
//! a flipped header copy fails its checksum and the intact one is used. On a sample of the
//! flips (including every bit of both copies' first keyslot's salt and iteration count) it
//! also runs the real, uncached [`Vault::open`] and requires the same outcome.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;
use std::process::Command;
use std::sync::Mutex;
use std::time::Instant;

use common::*;
use vault_cli::commands::verify::check_file;
use vault_cli::model::{Opened, Vault, VaultFiles};
use vault_cli::output::VerifyReport;
use vault_cli::progress::{self, Progress};
use vault_core::{
    Error, KdfLimits, PartState, SlotKey, SlotKind, UnlockedVault, VaultFile, Verification,
};

const PASSWORD: &str = "correct horse battery staple";
const TRAILER_LEN: usize = 56;

/// A backup written by the command line, its layout, and what it holds.
struct Sample {
    env: Env,
    bytes: Vec<u8>,
    layout: Layout,
    reference: Vault,
}

/// Where the parts of the sample are.
#[derive(Clone, Debug)]
struct Layout {
    header_len: usize,
    /// `(start, end)` of each record.
    records: Vec<(usize, usize)>,
}

/// The part of the file a byte belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    HeaderA,
    Record(u32),
    HeaderB,
    Trailer,
}

impl Layout {
    fn of(bytes: &[u8]) -> Self {
        let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
        let header_len = u32_at(12) as usize;
        let slot_count = u16::from_le_bytes(bytes[48..50].try_into().unwrap()) as usize;
        let record_count = u32_at(52);
        let mut records = Vec::new();
        let mut at = header_len;
        for i in 0..record_count as usize {
            let len = u32_at(64 + 136 * slot_count + 64 * i + 4) as usize;
            records.push((at, at + len));
            at += len;
        }
        assert_eq!(
            2 * header_len + (at - header_len) + TRAILER_LEN,
            bytes.len()
        );
        Self {
            header_len,
            records,
        }
    }

    fn body_end(&self) -> usize {
        self.records.last().map_or(self.header_len, |r| r.1)
    }

    fn part(&self, at: usize) -> Part {
        if at < self.header_len {
            return Part::HeaderA;
        }
        if let Some(i) = self.records.iter().position(|&(s, e)| (s..e).contains(&at)) {
            return Part::Record(i as u32);
        }
        if at < self.body_end() + self.header_len {
            Part::HeaderB
        } else {
            Part::Trailer
        }
    }

    /// Byte ranges of the first keyslot's iteration count and salt in both header copies.
    fn slot0_kdf_inputs(&self) -> [std::ops::Range<usize>; 2] {
        let b = self.body_end();
        [64 + 4..64 + 40, b + 64 + 4..b + 64 + 40]
    }

    /// Byte ranges of the password keyslot (slot 0) in both header copies.
    fn slot0(&self) -> [std::ops::Range<usize>; 2] {
        let b = self.body_end();
        [64..64 + 136, b + 64..b + 64 + 136]
    }
}

fn sample() -> Sample {
    let env = Env::new();
    env.cmd()
        .args(["init", "--iterations", ITER])
        .assert()
        .success();
    env.cmd()
        .args(["generate", "db-key", "--bytes", "16"])
        .assert()
        .success();
    let pw = env.file("root.txt", "Tr0ub4dor&3\n");
    env.cmd()
        .args(["add", "root-pw", "--kind", "password", "--from-file"])
        .arg(&pw)
        .assert()
        .success();
    let path = env.backup("sample.airvault");
    let bytes = fs::read(&path).unwrap();
    let layout = Layout::of(&bytes);
    let Opened {
        vault,
        verification,
    } = Vault::open(&bytes, PASSWORD.as_bytes(), Progress::Silent).unwrap();
    assert!(verification.is_intact());
    assert_eq!(vault.entries.len(), 2);
    Sample {
        env,
        bytes,
        layout,
        reference: vault,
    }
}

/// PBKDF2 outputs by (salt, iteration count).
type KeyCache = Mutex<HashMap<([u8; 32], u32), SlotKey>>;

/// `progress::unlock` for a password, slot by slot as the core's `unlock_with_progress`
/// does it, with the PBKDF2 output taken from `cache` when the slot's salt and iteration
/// count were seen before.
fn unlock_cached<'a>(
    file: &VaultFile<'a>,
    password: &[u8],
    cache: &KeyCache,
) -> Result<UnlockedVault<'a>, Error> {
    let mut any = false;
    for slot in file
        .header()
        .slots()
        .filter(|s| s.kind() == SlotKind::Password)
    {
        any = true;
        let key = {
            let mut cache = cache.lock().unwrap();
            let id = (slot.salt(), slot.iterations());
            match cache.get(&id) {
                Some(k) => k.clone(),
                None => {
                    let k = progress::derive(
                        password,
                        &slot.salt(),
                        slot.iterations(),
                        "",
                        Progress::Silent,
                    )?;
                    cache.insert(id, k.clone());
                    k
                }
            }
        };
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

/// [`Vault::open`] with the cached unlock.
fn open_cached(bytes: &[u8], cache: &KeyCache) -> Result<Opened, Error> {
    let file = VaultFile::parse(bytes, &KdfLimits::STANDARD)?;
    let verification = file.verify();
    let unlocked = unlock_cached(&file, PASSWORD.as_bytes(), cache)?;
    Ok(Opened {
        vault: Vault::from_unlocked(&unlocked)?,
        verification,
    })
}

/// The outcome of a keyed open, for comparing two ways of getting it.
fn outcome(r: &Result<Opened, Error>) -> String {
    match r {
        Ok(o) => format!("opened, {:?}", o.verification),
        Err(e) => format!("error {e:?}"),
    }
}

fn same_contents(a: &Vault, b: &Vault) -> bool {
    a.vault_id == b.vault_id
        && a.generation == b.generation
        && a.vmk.expose_secret() == b.vmk.expose_secret()
        && a.meta == b.meta
        && a.entries == b.entries
        && a.events == b.events
}

fn state(s: Option<&'static str>) -> &'static str {
    s.unwrap_or("-")
}

/// What keyless `verify` must report for damage in `part` alone.
fn expect_located(r: &VerifyReport, part: Part, what: &str) {
    let damaged = |s: Option<&str>| matches!(s, Some("damaged" | "missing"));
    let intact = |s: Option<&str>| s == Some("intact");
    let ok = match part {
        Part::HeaderA => {
            damaged(r.header_a)
                && intact(r.header_b)
                && intact(r.trailer)
                && r.damaged_records.is_empty()
        }
        Part::HeaderB => {
            intact(r.header_a)
                && damaged(r.header_b)
                && intact(r.trailer)
                && r.damaged_records.is_empty()
        }
        Part::Trailer => {
            intact(r.header_a)
                && intact(r.header_b)
                && damaged(r.trailer)
                && r.damaged_records.is_empty()
        }
        Part::Record(i) => {
            intact(r.header_a)
                && intact(r.header_b)
                && intact(r.trailer)
                && r.damaged_records == [i]
        }
    };
    assert!(ok, "{what} in {part:?}: verify reported {r:?}");
}

/// What a keyed open must give for damage in `part` alone.
fn expect_open(r: &Result<Opened, Error>, part: Part, reference: &Vault, what: &str) {
    match (part, r) {
        (Part::Record(i), Err(Error::RecordDamaged { index })) if *index == i => {}
        (Part::HeaderA | Part::HeaderB | Part::Trailer, Ok(o)) => {
            let v = &o.verification;
            let located = match part {
                Part::HeaderA => v.header_a != PartState::Intact && v.header_b == PartState::Intact,
                Part::HeaderB => v.header_a == PartState::Intact && v.header_b != PartState::Intact,
                _ => v.trailer != PartState::Intact,
            };
            assert!(located, "{what} in {part:?}: open reported {v:?}");
            assert!(
                same_contents(&o.vault, reference),
                "{what}: opened with other contents"
            );
        }
        _ => panic!("{what} in {part:?}: keyed open gave {}", outcome(r)),
    }
}

/// Runs `f` on every item, split over the machine's cores; each worker gets its own
/// scratch file. Returns the per-item results in order.
fn parallel<T: Sync, R: Send>(
    dir: &Path,
    items: &[T],
    f: impl Fn(&Path, &T) -> R + Sync,
) -> Vec<R> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = items.len().div_ceil(workers).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .enumerate()
            .map(|(w, part)| {
                let f = &f;
                let scratch = dir.join(format!("worker-{w}.airvault"));
                s.spawn(move || part.iter().map(|t| f(&scratch, t)).collect::<Vec<R>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

/// Replaces the contents of `path` by `bytes` in place: no truncation to zero, which on
/// ext4 makes every close wait for the data to reach the disk.
fn overwrite(path: &Path, bytes: &[u8]) {
    use std::os::unix::fs::FileExt;
    let f = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .unwrap();
    f.write_all_at(bytes, 0).unwrap();
    f.set_len(bytes.len() as u64).unwrap();
}

/// The classification of one damaged file: what the keyless and keyed checks reported.
fn classify(keyless: &VerifyReport, keyed: &VerifyReport, open: &Result<Opened, Error>) -> String {
    let open = match open {
        Ok(_) => "opened from the intact parts".to_owned(),
        Err(e) => e.code().to_owned(),
    };
    format!(
        "verify {} (header A {}, header B {}, trailer {}, {} damaged record(s)); keyed verify {}; keyed open: {open}",
        keyless.exit_code,
        state(keyless.header_a),
        state(keyless.header_b),
        state(keyless.trailer),
        keyless.damaged_records.len(),
        keyed.exit_code,
    )
}

fn print_classes(title: &str, classes: &BTreeMap<String, usize>) {
    eprintln!("{title}:");
    for (class, n) in classes {
        eprintln!("  {n:>6}  {class}");
    }
}

#[test]
fn every_bit_flip_is_caught_and_located() {
    let s = sample();
    let started = Instant::now();
    let flips: Vec<(usize, u8)> = (0..s.bytes.len())
        .flat_map(|i| (0..8).map(move |b| (i, b)))
        .collect();
    let cache = KeyCache::default();
    let results = parallel(s.env.dir.path(), &flips, |scratch, &(at, bit)| {
        let mut damaged = s.bytes.clone();
        damaged[at] ^= 1 << bit;
        let what = format!("flip of bit {bit} of byte {at}");
        let part = s.layout.part(at);
        overwrite(scratch, &damaged);

        let keyless = check_file(scratch, None, None, None, Progress::Silent);
        assert_eq!(keyless.exit_code, 5, "{what}: keyless verify {keyless:?}");
        assert_eq!(keyless.status, "corrupted");
        expect_located(&keyless, part, &what);

        let keyed = check_file(
            scratch,
            Some(PASSWORD.as_bytes()),
            None,
            None,
            Progress::Silent,
        );
        assert_eq!(keyed.exit_code, 5, "{what}: keyed verify {keyed:?}");
        assert!(!keyed.message.as_deref().unwrap_or("").contains("password"));
        expect_located(&keyed, part, &what);

        let open = open_cached(&damaged, &cache);
        expect_open(&open, part, &s.reference, &what);
        classify(&keyless, &keyed, &open)
    });
    let mut classes = BTreeMap::new();
    for c in results {
        *classes.entry(c).or_insert(0usize) += 1;
    }
    assert_eq!(
        cache.lock().unwrap().len(),
        1,
        "only the intact header copy's salt ever reached the KDF"
    );
    print_classes(
        &format!(
            "{} bit flips of a {}-byte backup in {:.1?}",
            flips.len(),
            s.bytes.len(),
            started.elapsed()
        ),
        &classes,
    );

    // The real, uncached open agrees on a sample, including every bit of the KDF inputs
    // (salt and iteration count) of the first keyslot in both copies.
    let [a, b] = s.layout.slot0_kdf_inputs();
    let sample: Vec<(usize, u8)> = flips
        .iter()
        .copied()
        .filter(|&(at, bit)| {
            (at * 8 + bit as usize).is_multiple_of(211)
                || ((a.contains(&at) || b.contains(&at)) && bit == 3)
        })
        .collect();
    let real = parallel(s.env.dir.path(), &sample, |_, &(at, bit)| {
        let mut damaged = s.bytes.clone();
        damaged[at] ^= 1 << bit;
        let real = Vault::open(&damaged, PASSWORD.as_bytes(), Progress::Silent);
        let cached = open_cached(&damaged, &cache);
        assert_eq!(
            outcome(&real),
            outcome(&cached),
            "flip of bit {bit} of byte {at}"
        );
    });
    eprintln!(
        "uncached Vault::open agreed on {} sampled flips",
        real.len()
    );
}

#[test]
fn every_truncation_is_caught_and_located() {
    let s = sample();
    let started = Instant::now();
    let lens: Vec<usize> = (0..s.bytes.len()).collect();
    let cache = KeyCache::default();
    let body_end = s.layout.body_end();
    let results = parallel(s.env.dir.path(), &lens, |scratch, &len| {
        let cut = &s.bytes[..len];
        let what = format!("truncation to {len} bytes");
        overwrite(scratch, cut);
        let keyless = check_file(scratch, None, None, None, Progress::Silent);
        assert_eq!(keyless.exit_code, 5, "{what}: keyless verify {keyless:?}");
        let keyed = check_file(
            scratch,
            Some(PASSWORD.as_bytes()),
            None,
            None,
            Progress::Silent,
        );
        assert_eq!(keyed.exit_code, 5, "{what}: keyed verify {keyed:?}");
        let open = open_cached(cut, &cache);
        if len < s.layout.header_len {
            // No header copy is complete: refused as truncated (or, under 8 bytes, as not
            // an airvault file at all).
            assert_eq!(keyless.header_a, None, "{what}");
            match &open {
                Err(e) => assert_eq!(e.kind(), vault_core::ErrorKind::Corrupted, "{what}: {e:?}"),
                Ok(_) => panic!("{what}: opened"),
            }
        } else if len < body_end {
            // Records from the first one cut off are missing.
            let first_missing = s.layout.records.iter().position(|r| r.1 > len).unwrap() as u32;
            assert_eq!(keyless.header_a, Some("intact"), "{what}");
            assert_eq!(
                keyless.damaged_records.first(),
                Some(&first_missing),
                "{what}"
            );
            assert_eq!(keyless.trailer, Some("missing"), "{what}");
            match &open {
                Err(Error::RecordMissing { index }) => assert_eq!(*index, first_missing),
                _ => panic!("{what}: keyed open gave {}", outcome(&open)),
            }
        } else {
            // Every record is there; the trailer is not whole, nor the second copy unless
            // only (part of) the trailer is cut off.
            assert_eq!(keyless.header_a, Some("intact"), "{what}");
            if len < body_end + s.layout.header_len {
                assert!(
                    matches!(keyless.header_b, Some("damaged" | "missing")),
                    "{what}"
                );
            } else {
                assert_eq!(keyless.header_b, Some("intact"), "{what}");
            }
            assert!(
                matches!(keyless.trailer, Some("damaged" | "missing")),
                "{what}"
            );
            assert!(keyless.damaged_records.is_empty(), "{what}");
            match &open {
                Ok(o) => {
                    assert!(o.verification.is_truncated(), "{what}");
                    assert!(same_contents(&o.vault, &s.reference), "{what}");
                }
                Err(_) => panic!("{what}: keyed open gave {}", outcome(&open)),
            }
        }
        classify(&keyless, &keyed, &open)
    });
    let mut classes = BTreeMap::new();
    for c in results {
        *classes.entry(c).or_insert(0usize) += 1;
    }
    print_classes(
        &format!(
            "{} truncations of a {}-byte backup in {:.1?}",
            lens.len(),
            s.bytes.len(),
            started.elapsed()
        ),
        &classes,
    );
}

/// The binary, run in parallel on a sample of flips and truncations, gives exit 5 for
/// keyless `verify`, keyed `verify` and `restore` (writing nothing), and its JSON report
/// equals the in-process one. With a flipped password keyslot, the file still opens as a
/// vault with a warning naming the damage — never as a wrong password.
#[test]
fn binary_agrees_on_a_sample() {
    let s = sample();
    let started = Instant::now();
    let bits = s.bytes.len() * 8;
    let mut cases: Vec<(String, Vec<u8>, Option<Part>)> = Vec::new();
    // About 150 flips spread over the file, plus the first and last bit of every part.
    let mut picks: Vec<usize> = (0..bits).step_by(bits / 150).collect();
    let mut starts = vec![0, s.layout.header_len - 1, s.layout.body_end()];
    for &(a, e) in &s.layout.records {
        starts.extend([a, e - 1]);
    }
    starts.extend([
        s.layout.body_end() + s.layout.header_len - 1,
        s.layout.body_end() + s.layout.header_len,
        s.bytes.len() - 1,
    ]);
    picks.extend(starts.iter().flat_map(|&at| [at * 8, at * 8 + 7]));
    picks.sort_unstable();
    picks.dedup();
    for bit in picks {
        let mut d = s.bytes.clone();
        d[bit / 8] ^= 1 << (bit % 8);
        cases.push((
            format!("flip of bit {} of byte {}", bit % 8, bit / 8),
            d,
            Some(s.layout.part(bit / 8)),
        ));
    }
    let lens = s.bytes.len();
    for len in (0..lens).step_by(lens / 40).chain([
        7,
        8,
        63,
        64,
        s.layout.header_len - 1,
        s.layout.header_len,
        s.layout.body_end(),
        lens - TRAILER_LEN,
        lens - 1,
    ]) {
        cases.push((
            format!("truncation to {len} bytes"),
            s.bytes[..len].to_vec(),
            None,
        ));
    }
    let dir = s.env.dir.path();
    let run = |args: &[&str], file: &Path| {
        let mut c = Command::new(assert_cmd::cargo::cargo_bin("airvault"));
        c.args(args)
            .arg(file)
            .env_remove("AIRVAULT_VAULT")
            .env_remove("AIRVAULT_FAILPOINT")
            .env("HOME", dir)
            .current_dir(dir);
        c.output().unwrap()
    };
    let pw = s.env.pw.to_str().unwrap().to_owned();
    let done = parallel(dir, &cases, |scratch, (what, bytes, part)| {
        overwrite(scratch, bytes);
        let inproc = check_file(scratch, None, None, None, Progress::Silent);
        let out = run(&["--json", "verify"], scratch);
        assert_eq!(out.status.code(), Some(5), "{what}: verify");
        let (files, summary) = verify_output(&out.stdout);
        assert_eq!(summary.exit_code, 5);
        let v = &files[0];
        assert_eq!(
            (
                v.status.as_str(),
                v.header_a.as_deref(),
                v.header_b.as_deref(),
                v.trailer.as_deref(),
                &v.damaged_records,
                v.message.as_deref(),
            ),
            (
                inproc.status,
                inproc.header_a,
                inproc.header_b,
                inproc.trailer,
                &inproc.damaged_records,
                inproc.message.as_deref(),
            ),
            "{what}: the binary and the library disagree"
        );
        let out = run(&["--json", "--password-file", &pw, "verify"], scratch);
        assert_eq!(out.status.code(), Some(5), "{what}: keyed verify");
        let (files, _) = verify_output(&out.stdout);
        assert_eq!(files[0].status, "corrupted", "{what}");
        let target = scratch.with_extension("restored");
        let out = run(
            &[
                "--password-file",
                &pw,
                "restore",
                "--out",
                target.to_str().unwrap(),
            ],
            scratch,
        );
        assert_eq!(out.status.code(), Some(5), "{what}: restore");
        assert!(!target.exists(), "{what}: restore wrote its target");
        if let Some(Part::HeaderA | Part::HeaderB) = part {
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("header copy"), "{what}: {err}");
        }
        1
    });
    eprintln!(
        "binary: {} damaged files × (verify, verify --password-file, restore) in {:.1?}",
        done.len(),
        started.elapsed()
    );

    // A flipped password keyslot in either header copy: the vault opens through the other
    // copy with a warning, and keyed verify names the damaged copy — never a wrong
    // password.
    let slots = s.layout.slot0();
    let slot_flips: Vec<(usize, usize)> = slots
        .iter()
        .enumerate()
        .flat_map(|(copy, r)| {
            // kind, iterations, salt, IV, wrapped key, MAC
            [0usize, 4, 8, 40, 56, 104]
                .into_iter()
                .map(move |off| (copy, r.start + off))
        })
        .collect();
    parallel(dir, &slot_flips, |scratch, &(copy, at)| {
        let mut d = s.bytes.clone();
        d[at] ^= 0x10;
        overwrite(scratch, &d);
        let what = format!("flip in header copy {} keyslot byte {at}", copy + 1);
        let out = run(&["--json", "--password-file", &pw, "verify"], scratch);
        assert_eq!(out.status.code(), Some(5), "{what}");
        let (files, _) = verify_output(&out.stdout);
        let msg = files[0].message.clone().unwrap();
        let named = if copy == 0 { "first" } else { "second" };
        assert!(
            msg.contains(&format!("{named} header copy")) && !msg.contains("wrong password"),
            "{what}: {msg}"
        );
        let out = Command::new(assert_cmd::cargo::cargo_bin("airvault"))
            .args(["--json", "--password-file", &pw, "--vault"])
            .arg(scratch)
            .arg("list")
            .env_remove("AIRVAULT_FAILPOINT")
            .env("HOME", dir)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{what}: {err}");
        assert!(
            err.contains("is damaged but every record opened"),
            "{what}: {err}"
        );
        assert_eq!(lines::<Entry>(&out.stdout).len(), 2, "{what}");
    });
}

/// The sanity baseline of the checks above: the undamaged sample passes every one, and a
/// wrong password on it is exit 4, not damage.
#[test]
fn the_intact_sample_passes_and_a_wrong_password_is_not_damage() {
    let s = sample();
    let path = s.env.path("intact.airvault");
    fs::write(&path, &s.bytes).unwrap();
    let r = check_file(&path, None, None, None, Progress::Silent);
    assert_eq!(r.exit_code, 0, "{r:?}");
    let r = check_file(
        &path,
        Some(PASSWORD.as_bytes()),
        None,
        None,
        Progress::Silent,
    );
    assert_eq!((r.exit_code, r.entries), (0, Some(2)), "{r:?}");
    let r = check_file(&path, Some(b"wrong"), None, None, Progress::Silent);
    assert_eq!(r.exit_code, 4, "{r:?}");
    let cache = KeyCache::default();
    let o = open_cached(&s.bytes, &cache).unwrap();
    assert!(o.verification.is_intact());
    assert!(same_contents(&o.vault, &s.reference));
    let v: Verification = VaultFile::parse(&s.bytes, &KdfLimits::STANDARD)
        .unwrap()
        .verify();
    assert!(v.is_intact());
}

/// The same backup as ASCII armor, for paper: every single-bit flip of the text is either
/// caught by keyless `verify` (exit 5: a line check, the armor's structure, or — when a
/// line check happens to pass — the container's own checksums) or is one the armor rules
/// make harmless (letter case, `I`/`L` for `1`, `O` for `0`, whitespace), in which case the
/// text still decodes to exactly the original bytes. No flip ever yields other contents.
/// The one exception to exit 5: the digit of `Version: 1` flipped into another digit reads
/// as a newer armor version, which is *unsupported* (exit 6) — the header lines carry no
/// check, so a newer version and a flipped digit look the same; either way nothing opens.
#[test]
fn every_bit_flip_of_armor_is_caught_or_harmless() {
    let s = sample();
    let started = Instant::now();
    let asc = s.env.path("sample.asc");
    s.env
        .cmd()
        .args(["backup", "--armor", "--out"])
        .arg(&asc)
        .assert()
        .success();
    let text = fs::read(&asc).unwrap();
    let original = vault_cli::commands::decode_container(text.clone(), &asc)
        .unwrap()
        .0;
    let version_digit = text
        .windows(b"Version: 1".len())
        .position(|w| w == b"Version: 1")
        .unwrap()
        + b"Version: ".len();
    let flips: Vec<(usize, u8)> = (0..text.len())
        .flat_map(|i| (0..8).map(move |b| (i, b)))
        .collect();
    let results = parallel(s.env.dir.path(), &flips, |scratch, &(at, bit)| {
        let mut damaged = text.clone();
        damaged[at] ^= 1 << bit;
        overwrite(scratch, &damaged);
        let r = check_file(scratch, None, None, None, Progress::Silent);
        match r.exit_code {
            5 => "caught (exit 5)",
            6 if at == version_digit && damaged[at].is_ascii_digit() => {
                "the version digit changed: unsupported armor version (exit 6)"
            }
            0 => {
                let decoded = vault_cli::commands::decode_container(damaged, scratch)
                    .unwrap()
                    .0;
                assert_eq!(
                    decoded, original,
                    "flip of bit {bit} of byte {at} passed verify with other contents"
                );
                "harmless: decodes to the same bytes (exit 0)"
            }
            other => panic!("flip of bit {bit} of byte {at}: exit {other}: {r:?}"),
        }
    });
    let mut classes = BTreeMap::new();
    for c in results {
        *classes.entry(c.to_owned()).or_insert(0usize) += 1;
    }
    print_classes(
        &format!(
            "{} bit flips of the {}-byte armored backup in {:.1?}",
            flips.len(),
            text.len(),
            started.elapsed()
        ),
        &classes,
    );
}

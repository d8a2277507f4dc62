//! Crash safety of every command that writes: a crash at any moment leaves the old state or
//! the new one — never neither, never a mix — and never a partial file at a target name.
//!
//! Commands: `add`, `passwd` and `rotate-master` (which rewrite the vault), `backup`,
//! `restore` and `salvage` (which write a new file and leave the vault alone).
//!
//! 1. **Failpoints** (`AIRVAULT_FAILPOINT`, debug builds): each command is made to abort at
//!    each step of its atomic write — after writing the temporary file, after fsyncing it,
//!    after checking it (before the rename), after the rename. Before the rename the old
//!    state must be there, after it the new one.
//! 2. **SIGKILL at random moments**: each command's duration is measured (median of three
//!    full runs); then it is run again and again, each time killed with SIGKILL after a
//!    random delay drawn uniformly from 0 to 1.5 × that duration, so the kills fall from
//!    process start-up to after the command has finished. `AIRVAULT_KILL_RUNS` sets the
//!    runs per command (default 40: 240 runs in all); `AIRVAULT_KILL_SEED` repeats a run's
//!    delays. A longer campaign: `AIRVAULT_KILL_RUNS=200 cargo test -p vault-cli --test
//!    crash -- --nocapture` (1,200 runs). The test prints, for each command, the runs, how
//!    many left the old state and how many the new, how many had already finished when the
//!    kill came, and how many left a temporary file (killed in the middle of the write).
//!
//! After every run: the vault file exists and passes the keyless check; it opens with the
//! password (for `passwd`, the old or the new one) and with the recovery code; and what it
//! holds — generation, master key, every entry version and secret, every audit event — is
//! exactly the old state or exactly the new state (taken from an uninterrupted run with the
//! same fake clock). A target file (`backup`, `restore`, `salvage`) is either absent or the
//! complete file an uninterrupted run writes: intact, opening with its password, with the
//! same contents. Temporary files (`.airvault-*.tmp`) may be left behind, as documented.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::lifecycle::{entry_summary, master_key_by_recovery};
use common::*;
use vault_cli::model::{Vault, VaultFiles};
use vault_cli::progress::Progress;
use vault_core::{KdfLimits, VaultFile};

/// The fake clock every run uses, so that an interrupted run and an uninterrupted one
/// record the same audit events.
const NOW: &str = "1800000000";
const PASSWORD: &str = "correct horse battery staple";
const NEW_PASSWORD: &str = "a new password for the vault";
const FAILPOINTS: [&str; 4] = [
    "after-write",
    "after-fsync",
    "before-rename",
    "after-rename",
];

/// A command under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Cmd {
    Add,
    Backup,
    Passwd,
    RotateMaster,
    Restore,
    Salvage,
}

impl Cmd {
    const ALL: [Cmd; 6] = [
        Cmd::Add,
        Cmd::Backup,
        Cmd::Passwd,
        Cmd::RotateMaster,
        Cmd::Restore,
        Cmd::Salvage,
    ];

    fn name(self) -> &'static str {
        match self {
            Cmd::Add => "add",
            Cmd::Backup => "backup",
            Cmd::Passwd => "passwd",
            Cmd::RotateMaster => "rotate-master",
            Cmd::Restore => "restore",
            Cmd::Salvage => "salvage",
        }
    }

    /// The file the command writes, other than the vault.
    fn target(self, dir: &Path) -> Option<PathBuf> {
        match self {
            Cmd::Add | Cmd::Passwd | Cmd::RotateMaster => None,
            Cmd::Backup => Some(dir.join("new-backup.airvault")),
            Cmd::Restore => Some(dir.join("restored.airvault")),
            Cmd::Salvage => Some(dir.join("salvaged.airvault")),
        }
    }

    fn command(self, dir: &Path) -> Command {
        let mut c = Command::new(assert_cmd::cargo::cargo_bin("airvault"));
        c.current_dir(dir)
            .env_remove("AIRVAULT_VAULT")
            .env_remove("AIRVAULT_FAILPOINT")
            .env("AIRVAULT_TEST_NOW", NOW)
            .env("HOME", dir)
            // A fresh memory of generations for every run, beside the run's directory.
            .env("AIRVAULT_STATE_DIR", dir.with_extension("state"))
            .args(["--vault", "vault.airvault", "--password-file", "pw.txt"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        match self {
            Cmd::Add => c.args(["add", "new-entry", "--from-file", "secret.txt"]),
            Cmd::Backup => c.args(["backup", "--out", "new-backup.airvault"]),
            // The format's smallest Argon2id cost: one run per failpoint stays quick.
            Cmd::Passwd => c.args([
                "passwd",
                "--memory",
                "8",
                "--passes",
                "1",
                "--lanes",
                "1",
                "--new-password-file",
                "new-pw.txt",
            ]),
            Cmd::RotateMaster => c.arg("rotate-master"),
            Cmd::Restore => c.args(["restore", "backup.airvault", "--out", "restored.airvault"]),
            Cmd::Salvage => c.args(["salvage", "damaged.airvault", "--out", "salvaged.airvault"]),
        };
        c
    }
}

/// What a vault (or a written file) holds, compared across runs: everything but the entry
/// ids and the audit hashes, which are random or derived from random ids.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Contents {
    generation: u64,
    master_key: [u8; 32],
    entries: Vec<(String, u32, String, String, String)>,
    events: Vec<(u32, u64, String, String, u32, String)>,
    recovery_secret: Option<[u8; 16]>,
}

fn contents(v: &Vault) -> Contents {
    Contents {
        generation: v.generation,
        master_key: *v.vmk.expose_secret(),
        entries: entry_summary(&v.entries),
        events: v
            .events
            .iter()
            .map(|e| {
                (
                    e.seq,
                    e.time,
                    e.op.name().to_owned(),
                    e.name.clone(),
                    e.version,
                    e.detail.clone(),
                )
            })
            .collect(),
        recovery_secret: v.meta.recovery_secret.as_ref().map(|s| *s.expose_secret()),
    }
}

/// Whether two states are equal, up to the master key if `fresh_key`.
fn same(a: &Contents, b: &Contents, fresh_key: bool) -> bool {
    let key = |c: &Contents| if fresh_key { [0; 32] } else { c.master_key };
    Contents {
        master_key: key(a),
        ..a.clone()
    } == Contents {
        master_key: key(b),
        ..b.clone()
    }
}

/// Opens `path` with `password` after a keyless check; `None` if the password does not
/// open it. Panics on anything else: a missing, damaged or half-written file.
fn open(path: &Path, password: &str, what: &str) -> Option<Contents> {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{what}: {path:?} unreadable: {e}"));
    let file = VaultFile::parse(&bytes, &KdfLimits::STANDARD)
        .unwrap_or_else(|e| panic!("{what}: {path:?} does not parse: {e}"));
    assert!(file.verify().is_intact(), "{what}: {path:?} is damaged");
    match Vault::open(&bytes, password.as_bytes(), Progress::Silent) {
        Ok(o) => Some(contents(&o.vault)),
        Err(vault_core::Error::WrongSecret) => None,
        Err(e) => panic!("{what}: {path:?} does not open: {e}"),
    }
}

/// The starting point every run copies, and the states an uninterrupted run of each
/// command leads from and to.
struct Fixture {
    env: Env,
    recovery_code: String,
    before: Contents,
    after: BTreeMap<Cmd, (Contents, Option<Contents>)>,
}

/// The files of the starting point, copied into a fresh directory for every run.
const FILES: [&str; 6] = [
    "vault.airvault",
    "pw.txt",
    "new-pw.txt",
    "secret.txt",
    "backup.airvault",
    "damaged.airvault",
];

fn fixture() -> Fixture {
    let env = Env::new();
    let t = env.path("template");
    fs::create_dir(&t).unwrap();
    fs::write(t.join("pw.txt"), format!("{PASSWORD}\n")).unwrap();
    fs::write(t.join("new-pw.txt"), format!("{NEW_PASSWORD}\n")).unwrap();
    fs::write(t.join("secret.txt"), b"\x00\x01 a new secret \xfe\xff").unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(assert_cmd::cargo::cargo_bin("airvault"))
            .current_dir(&t)
            .env("AIRVAULT_TEST_NOW", NOW)
            .env("AIRVAULT_STATE_DIR", env.state.path())
            .env_remove("AIRVAULT_FAILPOINT")
            .args([
                "--json",
                "--vault",
                "vault.airvault",
                "--password-file",
                "pw.txt",
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        out.stdout
    };
    let init: Init = one(&run(&["init", "--iterations", ITER]));
    run(&["generate", "db-key"]);
    run(&["generate", "api-key", "--bytes", "48"]);
    run(&["backup", "--out", "backup.airvault"]);
    // A backup for salvage with one damaged entry record (the second record).
    let mut d = fs::read(t.join("backup.airvault")).unwrap();
    let h = u32::from_le_bytes(d[12..16].try_into().unwrap()) as usize;
    let first = u32::from_le_bytes(d[64 + 2 * 136 + 4..64 + 2 * 136 + 8].try_into().unwrap());
    d[h + first as usize + 20] ^= 0x40;
    fs::write(t.join("damaged.airvault"), d).unwrap();
    let before = open(&t.join("vault.airvault"), PASSWORD, "fixture").unwrap();

    let mut fx = Fixture {
        env,
        recovery_code: init.recovery_code,
        before,
        after: BTreeMap::new(),
    };
    for cmd in Cmd::ALL {
        let dir = fresh_dir(&fx, &format!("reference-{}", cmd.name()));
        let status = cmd.command(&dir).status().unwrap();
        assert!(
            status
                .code()
                .is_some_and(|c| c == 0 || (cmd == Cmd::Salvage && c == 5)),
            "{cmd:?}: {status:?}"
        );
        let pw = if cmd == Cmd::Passwd {
            NEW_PASSWORD
        } else {
            PASSWORD
        };
        let vault = open(&dir.join("vault.airvault"), pw, "reference").unwrap();
        let target = cmd
            .target(&dir)
            .map(|p| open(&p, PASSWORD, "reference").unwrap());
        fx.after.insert(cmd, (vault, target));
    }
    fx
}

/// A new directory holding a copy of the starting point.
fn fresh_dir(fx: &Fixture, name: &str) -> PathBuf {
    let dir = fx.env.path(name);
    fs::create_dir(&dir).unwrap();
    for f in FILES {
        fs::copy(fx.env.path("template").join(f), dir.join(f)).unwrap();
    }
    dir
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Old,
    New,
}

/// Checks the directory after a run of `cmd`: the vault in the old or new state, the
/// target absent or complete (and absent only with the old state of a vault-changing
/// command — a target appears only in runs that got that far). Returns which state, and
/// the number of temporary files left.
fn check(fx: &Fixture, cmd: Cmd, dir: &Path, what: &str) -> (Outcome, usize) {
    let (new_vault, new_target) = &fx.after[&cmd];
    let vault = dir.join("vault.airvault");
    assert!(vault.exists(), "{what}: the vault is gone");
    let state = match open(&vault, PASSWORD, what) {
        Some(c) => c,
        None if cmd == Cmd::Passwd => open(&vault, NEW_PASSWORD, what)
            .unwrap_or_else(|| panic!("{what}: neither password opens the vault")),
        None => panic!("{what}: the password does not open the vault"),
    };
    // The recovery code opens it too, with the same master key.
    assert_eq!(
        master_key_by_recovery(&vault, &fx.recovery_code),
        state.master_key,
        "{what}: the recovery slot does not hold the master key"
    );
    // rotate-master and passwd draw a new master key, so the new state is known up to its
    // key, which must differ from the old one.
    let fresh_key = matches!(cmd, Cmd::RotateMaster | Cmd::Passwd);
    let vault_outcome = if state == fx.before {
        Outcome::Old
    } else if same(&state, new_vault, fresh_key)
        && (!fresh_key || state.master_key != fx.before.master_key)
    {
        Outcome::New
    } else {
        panic!(
            "{what}: the vault holds neither the old nor the new state: {state:?}\nold {:?}\nnew {new_vault:?}",
            fx.before
        )
    };
    let outcome = match (cmd.target(dir), new_target) {
        (Some(target), Some(expected)) => {
            assert_eq!(vault_outcome, Outcome::Old, "{what}: the vault changed");
            if target.exists() {
                let got = open(&target, PASSWORD, what)
                    .unwrap_or_else(|| panic!("{what}: the password does not open the target"));
                // Backups and salvaged vaults get a fresh master key of their own.
                let fresh_key = matches!(cmd, Cmd::Backup | Cmd::Salvage);
                assert!(
                    same(&got, expected, fresh_key),
                    "{what}: the target is not the complete file: {got:?}"
                );
                Outcome::New
            } else {
                Outcome::Old
            }
        }
        _ => vault_outcome,
    };
    let mut temps = 0;
    for e in fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if name.starts_with(".airvault-") && name.ends_with(".tmp") {
            temps += 1;
        } else if name == ".airvault.lock" {
            // Left by a process that died holding the lock: the lock itself died with it.
        } else {
            assert!(
                FILES.contains(&name.as_str())
                    || cmd.target(dir).is_some_and(|t| t.ends_with(&name)),
                "{what}: unexpected file {name}"
            );
        }
    }
    (outcome, temps)
}

#[test]
fn a_crash_at_every_failpoint_leaves_the_old_or_the_new_state() {
    let fx = fixture();
    let mut runs = 0;
    for cmd in Cmd::ALL {
        for (i, point) in FAILPOINTS.iter().enumerate() {
            let what = format!("{} aborted at {point}", cmd.name());
            let dir = fresh_dir(&fx, &format!("fp-{}-{point}", cmd.name()));
            let status = cmd
                .command(&dir)
                .env("AIRVAULT_FAILPOINT", point)
                .status()
                .unwrap();
            assert_eq!(
                status.signal(),
                Some(6),
                "{what}: the command did not abort at its failpoint ({status:?})"
            );
            let (outcome, temps) = check(&fx, cmd, &dir, &what);
            let want = if *point == "after-rename" {
                Outcome::New
            } else {
                Outcome::Old
            };
            assert_eq!(outcome, want, "{what}");
            // The temporary file is left by an abort before the rename, not after it.
            assert_eq!(temps, usize::from(i < 3), "{what}: temporary files");
            runs += 1;
        }
    }
    eprintln!("failpoints: {runs} aborted runs, each left the expected state");
}

/// A small deterministic generator for the kill delays (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..=max`.
    fn below(&mut self, max: Duration) -> Duration {
        let n = u64::try_from(max.as_micros()).unwrap().max(1);
        Duration::from_micros(self.next() % (n + 1))
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not {v:?}")),
        Err(_) => default,
    }
}

#[derive(Default, Debug)]
struct Tally {
    runs: usize,
    old: usize,
    new: usize,
    finished_before_kill: usize,
    temp_files_left: usize,
    duration: Duration,
}

/// `runs` runs of `cmd`, each killed after a random delay.
fn kill_runs(fx: &Fixture, cmd: Cmd, runs: usize, seed: u64, k: usize) -> Tally {
    let mut rng = Rng((seed ^ 0x9E37_79B9_7F4A_7C15u64.wrapping_mul(k as u64 + 1)) | 1);
    // The command's own duration: the median of three full runs.
    let mut took: Vec<Duration> = (0..3)
        .map(|i| {
            let dir = fresh_dir(fx, &format!("time-{}-{i}", cmd.name()));
            let t = Instant::now();
            cmd.command(&dir).status().unwrap();
            t.elapsed()
        })
        .collect();
    took.sort();
    let duration = took[1];
    let mut tally = Tally {
        duration,
        ..Tally::default()
    };
    for i in 0..runs {
        let dir = fresh_dir(fx, &format!("kill-{}-{i}", cmd.name()));
        let delay = rng.below(duration * 3 / 2);
        let what = format!("{} killed after {delay:?} (run {i})", cmd.name());
        let mut child = cmd.command(&dir).spawn().unwrap();
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_some() {
            tally.finished_before_kill += 1;
        }
        let _ = child.kill();
        child.wait().unwrap();
        let (outcome, temps) = check(fx, cmd, &dir, &what);
        match outcome {
            Outcome::Old => tally.old += 1,
            Outcome::New => tally.new += 1,
        }
        tally.temp_files_left += temps;
        tally.runs += 1;
        fs::remove_dir_all(&dir).unwrap();
    }
    tally
}

#[test]
fn sigkill_at_random_moments_leaves_the_old_or_the_new_state() {
    let fx = fixture();
    let per_command = env_number("AIRVAULT_KILL_RUNS", 40) as usize;
    let seed = env_number(
        "AIRVAULT_KILL_SEED",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    );
    eprintln!("SIGKILL runs: {per_command} per command, AIRVAULT_KILL_SEED={seed}");
    let started = Instant::now();
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    // One command after another on each core; each command's delays come from its own
    // duration measured under the same load.
    let tallies: Vec<(Cmd, Tally)> = std::thread::scope(|s| {
        let fx = &fx;
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                s.spawn(move || {
                    Cmd::ALL
                        .iter()
                        .enumerate()
                        .filter(|(k, _)| k % workers == w)
                        .map(|(k, &cmd)| (cmd, kill_runs(fx, cmd, per_command, seed, k)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<(Cmd, Tally)> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        all.sort_by_key(|(c, _)| *c);
        all
    });
    let total: usize = tallies.iter().map(|(_, t)| t.runs).sum();
    eprintln!(
        "{:<14} {:>6} {:>6} {:>6} {:>9} {:>6} {:>9}",
        "command", "runs", "old", "new", "finished", "temps", "duration"
    );
    for (cmd, t) in &tallies {
        eprintln!(
            "{:<14} {:>6} {:>6} {:>6} {:>9} {:>6} {:>9.0?}",
            cmd.name(),
            t.runs,
            t.old,
            t.new,
            t.finished_before_kill,
            t.temp_files_left,
            t.duration
        );
        assert_eq!(t.old + t.new, t.runs);
    }
    eprintln!(
        "{total} SIGKILL runs in {:.1?}: every one left the old or the new state",
        started.elapsed()
    );
}

/// Changes made at the same time by separate commands are all kept: each command holds the
/// vault's lock from reading it to writing it back, so the second one reads what the first
/// wrote instead of overwriting it (without the lock, eight concurrent changes all report
/// success and all but one are lost).
#[test]
fn concurrent_changes_are_all_kept() {
    let env = Env::new();
    let run = |args: &[&str]| {
        Command::new(assert_cmd::cargo::cargo_bin("airvault"))
            .current_dir(env.dir.path())
            .env_remove("AIRVAULT_FAILPOINT")
            .args(["--json", "--vault"])
            .arg(&env.vault)
            .arg("--password-file")
            .arg(&env.pw)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    assert!(run(&["init", "--iterations", ITER])
        .wait()
        .unwrap()
        .success());
    let secret = env.file("secret.txt", "added while others ran");
    let mut children: Vec<(String, std::process::Child)> = (0..6)
        .map(|i| {
            let name = format!("key-{i}");
            let child = run(&["generate", &name]);
            (name, child)
        })
        .collect();
    children.push(("rotate-master".into(), run(&["rotate-master"])));
    children.push((
        "add".into(),
        run(&["add", "added", "--from-file", secret.to_str().unwrap()]),
    ));
    children.push(("policy".into(), run(&["policy", "--default-days", "30"])));
    for (what, child) in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{what}: {:?} {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let vault = common::lifecycle::open(&env.vault, &env.pw);
    let mut names: Vec<&str> = vault.entries.iter().map(|e| e.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["added", "key-0", "key-1", "key-2", "key-3", "key-4", "key-5"],
        "a change was lost"
    );
    assert_eq!(
        vault.meta.default_policy_days, 30,
        "the policy change was lost"
    );
    // init, six generates, rotate-master, add, policy: every change is in the trail, and
    // the generation counts every write.
    assert_eq!(vault.events.len(), 10);
    assert_eq!(vault.generation, 10);
}

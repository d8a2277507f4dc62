//! Shared helpers for the command-line tests: a scratch directory with a vault and
//! password files, commands pre-filled with them, typed JSON read-back, and the byte edits
//! that craft hostile files.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::large_enum_variant
)]

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The test KDF cost: the format's minimum, given explicitly on `init`.
pub const ITER: &str = "100000";

/// A scratch directory with a password file and a vault path (not yet created), and a
/// state directory of its own (`XDG_STATE_HOME`, where the generations seen are kept).
pub struct Env {
    pub dir: tempfile::TempDir,
    pub vault: PathBuf,
    pub pw: PathBuf,
    pub state: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let pw = dir.path().join("vault.pw");
        fs::write(&pw, "correct horse battery staple\n").unwrap();
        Self {
            vault: dir.path().join("vault.airvault"),
            pw,
            dir,
            state: tempfile::tempdir().unwrap(),
        }
    }

    /// An `Env` with an initialised vault.
    pub fn with_vault() -> Self {
        let env = Self::new();
        env.cmd()
            .args(["init", "--iterations", ITER])
            .assert()
            .success();
        env
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file in the scratch directory and returns its path.
    pub fn file(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        fs::write(&p, contents).unwrap();
        p
    }

    /// `airvault` with no vault or password arguments and a clean environment.
    pub fn bare(&self) -> Command {
        let mut c = Command::cargo_bin("airvault").unwrap();
        c.env_remove("AIRVAULT_VAULT")
            .env_remove("AIRVAULT_STATE_DIR")
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("xdg-data"))
            .env("XDG_STATE_HOME", self.state.path())
            .current_dir(self.dir.path())
            .timeout(std::time::Duration::from_secs(60));
        c
    }

    /// `airvault --vault V --password-file P`.
    pub fn cmd(&self) -> Command {
        let mut c = self.bare();
        c.arg("--vault")
            .arg(&self.vault)
            .arg("--password-file")
            .arg(&self.pw);
        c
    }

    /// `airvault --vault V --password-file P --json`.
    pub fn json(&self) -> Command {
        let mut c = self.cmd();
        c.arg("--json");
        c
    }

    pub fn generate(&self, name: &str) {
        self.cmd().args(["generate", name]).assert().success();
    }

    /// Writes a binary backup and returns its path.
    pub fn backup(&self, name: &str) -> PathBuf {
        let out = self.path(name);
        self.cmd()
            .args(["backup", "--out"])
            .arg(&out)
            .assert()
            .success();
        out
    }

    /// Names of files in the scratch directory, sorted.
    pub fn listing(&self) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

/// Parses every line of `stdout` as one JSON object of type `T`.
pub fn lines<T: DeserializeOwned>(stdout: &[u8]) -> Vec<T> {
    std::str::from_utf8(stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// Parses the single JSON line of `stdout`.
pub fn one<T: DeserializeOwned>(stdout: &[u8]) -> T {
    let mut v = lines::<T>(stdout);
    assert_eq!(v.len(), 1, "expected one JSON line");
    v.remove(0)
}

// --- Typed read-back of every JSON shape (docs/CLI.md). Unknown fields are errors, so a
// --- changed shape fails here.

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Init {
    #[serde(rename = "type")]
    pub kind: String,
    pub vault: String,
    pub vault_id: String,
    pub iterations: u32,
    pub password_kdf: String,
    pub recovery_code: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Added {
    #[serde(rename = "type")]
    pub kind_: String,
    pub op: String,
    pub vault: String,
    pub name: String,
    pub id: String,
    pub version: u32,
    pub kind: String,
    pub kcv: String,
    pub bytes: usize,
    #[serde(default)]
    pub entropy_bits: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    #[serde(rename = "type")]
    pub type_: String,
    pub name: String,
    pub id: String,
    pub kind: String,
    pub version: u32,
    pub versions: usize,
    pub status: String,
    pub kcv: String,
    pub bytes: usize,
    pub created_at: u64,
    pub rotated_at: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Secret {
    #[serde(rename = "type")]
    pub type_: String,
    pub name: String,
    pub id: String,
    pub version: u32,
    pub kind: String,
    pub kcv: String,
    pub bytes: usize,
    pub format: String,
    pub value: Option<String>,
    pub out: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Removed {
    #[serde(rename = "type")]
    pub type_: String,
    pub vault: String,
    pub name: String,
    pub id: String,
    pub versions: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    #[serde(rename = "type")]
    pub type_: String,
    pub vault: String,
    pub out: String,
    pub armored: bool,
    pub own_password: bool,
    pub entries: usize,
    pub versions: usize,
    pub audit_events: usize,
    pub generation: u64,
    pub bytes: usize,
    pub fingerprint: String,
    pub verified: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Restore {
    #[serde(rename = "type")]
    pub type_: String,
    pub backup: String,
    pub out: String,
    pub vault_id: String,
    pub generation: u64,
    pub entries: usize,
    pub versions: usize,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Stale {
    pub name: String,
    pub vault_version: u32,
    pub backup_version: u32,
}

/// A `verify` line or its closing `summary` line.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum VerifyLine {
    Verify(Verify),
    Summary(Summary),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verify {
    pub file: String,
    pub path_bytes: Option<String>,
    pub status: String,
    pub exit_code: u8,
    pub message: Option<String>,
    pub format: Option<String>,
    pub fingerprint: Option<String>,
    pub keyed: bool,
    pub vault_id: Option<String>,
    pub generation: Option<u64>,
    pub header_a: Option<String>,
    pub header_b: Option<String>,
    pub trailer: Option<String>,
    pub records: Option<u32>,
    pub damaged_records: Vec<u32>,
    pub entries: Option<usize>,
    pub missing: Vec<String>,
    pub stale: Vec<Stale>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub files: usize,
    pub ok: usize,
    pub failed: usize,
    pub exit_code: u8,
}

/// Splits `verify --json` output into per-file results and the summary.
pub fn verify_output(stdout: &[u8]) -> (Vec<Verify>, Summary) {
    items_and_summary(stdout, |line| match line {
        VerifyLine::Verify(v) => Ok(v),
        VerifyLine::Summary(s) => Err(s),
    })
}

/// Splits `--json` output of lines `L` into its item lines and its one summary line;
/// `split` tells them apart (`Ok` an item, `Err` the summary).
pub fn items_and_summary<L: DeserializeOwned, I, S>(
    stdout: &[u8],
    split: impl Fn(L) -> std::result::Result<I, S>,
) -> (Vec<I>, S) {
    let mut items = Vec::new();
    let mut summary = None;
    for line in lines::<L>(stdout) {
        match split(line) {
            Ok(item) => items.push(item),
            Err(s) => {
                assert!(summary.is_none(), "two summaries");
                summary = Some(s);
            }
        }
    }
    (items, summary.expect("a summary line"))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fingerprint {
    #[serde(rename = "type")]
    pub type_: String,
    pub file: String,
    pub sha256: String,
    pub bytes: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorLine {
    #[serde(rename = "type")]
    pub type_: String,
    pub exit_code: u8,
    pub status: String,
    pub message: String,
}

/// A `drill` line.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum DrillLine {
    DrillStep {
        step: usize,
        name: String,
        ok: bool,
        millis: u64,
        detail: String,
    },
    Drill {
        passed: bool,
        steps: usize,
        failed: usize,
        millis: u64,
    },
}

// --- Crafting hostile files -------------------------------------------------------------

const TRAILER_LEN: usize = 56;

/// Length of one header copy.
pub fn header_len(file: &[u8]) -> usize {
    u32::from_le_bytes(file[12..16].try_into().unwrap()) as usize
}

/// Offsets of the two header copies.
pub fn header_offsets(file: &[u8]) -> [usize; 2] {
    [0, file.len() - TRAILER_LEN - header_len(file)]
}

/// Recomputes the SHA-256 checksum at the end of the header copy at `at`.
pub fn reseal_header(file: &mut [u8], at: usize) {
    let h = header_len(file);
    let sum = Sha256::digest(&file[at..at + h - 32]);
    file[at + h - 32..at + h].copy_from_slice(&sum);
}

/// Sets the format version in both header copies (checksums left as they are: a version
/// is recognised before the checksum is checked).
pub fn set_version(path: &Path, version: u16) {
    let mut f = fs::read(path).unwrap();
    for at in header_offsets(&f) {
        f[at + 8..at + 10].copy_from_slice(&version.to_le_bytes());
    }
    fs::write(path, f).unwrap();
}

/// Sets keyslot 0's PBKDF2 iteration count in both header copies and recomputes both
/// header checksums, as a hostile writer without the key could.
pub fn set_iterations(path: &Path, iterations: u32) {
    let mut f = fs::read(path).unwrap();
    for at in header_offsets(&f) {
        f[at + 64 + 4..at + 64 + 8].copy_from_slice(&iterations.to_le_bytes());
        reseal_header(&mut f, at);
    }
    fs::write(path, f).unwrap();
}

/// Flips one bit of the byte at `at` (negative: from the end).
pub fn flip(path: &Path, at: isize) {
    let mut f = fs::read(path).unwrap();
    let i = if at < 0 {
        f.len() - at.unsigned_abs()
    } else {
        at as usize
    };
    f[i] ^= 0x01;
    fs::write(path, f).unwrap();
}

pub fn sha256_hex(path: &Path) -> String {
    hex::encode(Sha256::digest(fs::read(path).unwrap()))
}

/// The permission bits of a file.
#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

pub mod keyring;
pub mod lifecycle;

//! Helpers for the emergency-recovery tests: typed read-back of the JSON shapes of
//! `recovery`, `shares`, `recover`, `salvage` and `kit` (unknown fields are errors), every
//! secret of a vault, recovery-code and share files, and byte-level damage to real files.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::common::{header_len, header_offsets, lines, one, Entry, Env, Init, Secret};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryCode {
    #[serde(rename = "type")]
    pub type_: String,
    pub vault: String,
    pub vault_id: String,
    pub recovery_code: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareItem {
    pub share: usize,
    pub file: Option<String>,
    pub mnemonic: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shares {
    #[serde(rename = "type")]
    pub type_: String,
    pub vault: String,
    pub vault_id: String,
    pub threshold: u8,
    pub count: u8,
    pub set: u16,
    pub shares: Vec<ShareItem>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recover {
    #[serde(rename = "type")]
    pub type_: String,
    pub file: String,
    pub format: String,
    pub out: String,
    pub vault_id: String,
    pub generation: u64,
    pub method: String,
    pub shares_used: Option<usize>,
    pub entries: usize,
    pub versions: usize,
    pub iterations: u32,
    pub kdf: String,
    pub damage: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SalvageFile {
    pub file: String,
    pub status: String,
    pub message: Option<String>,
    pub format: Option<String>,
    pub vault_id: Option<String>,
    pub generation: Option<u64>,
    pub damage: Option<String>,
    pub records: Option<u32>,
    pub records_opened: usize,
    pub records_failed: Vec<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SalvagedEntry {
    pub name: String,
    pub id: String,
    pub version: u32,
    pub kind: String,
    pub status: String,
    pub kcv: String,
    pub from: String,
    pub renamed_from: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LostEntry {
    pub name: Option<String>,
    pub id: String,
    pub version: u32,
    pub files: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Salvage {
    #[serde(rename = "type")]
    pub type_: String,
    pub out: String,
    pub vault_id: String,
    pub generation: u64,
    pub complete: bool,
    pub exit_code: u8,
    pub files: Vec<SalvageFile>,
    pub recovered: Vec<SalvagedEntry>,
    pub lost: Vec<LostEntry>,
    pub audit_events_kept: usize,
    pub audit_events_lost: u32,
    pub metadata_from: Option<String>,
    pub recovery: String,
    pub recovery_code: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kit {
    #[serde(rename = "type")]
    pub type_: String,
    pub vault: String,
    pub out: String,
    pub vault_id: String,
    pub generation: u64,
    pub entries: usize,
    pub versions: usize,
    pub backup_bytes: usize,
    pub armor_lines: usize,
    pub fingerprint: String,
    pub recovery_code_included: bool,
    pub shares_included: usize,
    pub bytes: usize,
    pub page: Option<String>,
    pub page_sha256: Option<String>,
}

/// A vault (at the test KDF cost) with three keys of two kinds. Returns the environment
/// and the recovery code shown by `init`.
pub fn populated() -> (Env, String) {
    let env = Env::new();
    let out = env
        .json()
        .args(["init", "--iterations", crate::common::ITER])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let init: Init = one(&out);
    env.generate("db-key");
    env.generate("api-token");
    let pem = env.file(
        "k.pem",
        "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END EC PRIVATE KEY-----\n",
    );
    env.cmd()
        .args(["add", "tls", "--kind", "private-key-pem", "--from-file"])
        .arg(&pem)
        .assert()
        .success();
    (env, init.recovery_code)
}

/// Every entry's newest secret (hex) by name, read through the command line.
pub fn secrets(env: &Env, vault: &Path, pw: &Path) -> BTreeMap<String, String> {
    let run = |args: &[&str]| {
        env.bare()
            .arg("--vault")
            .arg(vault)
            .arg("--password-file")
            .arg(pw)
            .arg("--json")
            .args(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone()
    };
    lines::<Entry>(&run(&["list"]))
        .into_iter()
        .map(|e| {
            let s: Secret = one(&run(&["get", &e.name]));
            (e.name, s.value.unwrap())
        })
        .collect()
}

/// Writes a password file and returns its path.
pub fn password(env: &Env, name: &str, pw: &str) -> PathBuf {
    env.file(name, format!("{pw}\n"))
}

/// Writes a recovery-code file (with a comment line, as a person might keep it).
pub fn code_file(env: &Env, name: &str, code: &str) -> PathBuf {
    env.file(
        name,
        format!("# recovery code of the vault, written down at init\n\n{code}\n"),
    )
}

/// The record table of a file's first header copy: (offset, length) of every record.
pub fn records(file: &[u8]) -> Vec<(usize, usize)> {
    let h = header_len(file);
    let slots = u16::from_le_bytes(file[48..50].try_into().unwrap()) as usize;
    let count = u32::from_le_bytes(file[52..56].try_into().unwrap()) as usize;
    let mut at = h;
    (0..count)
        .map(|i| {
            let t = 64 + 136 * slots + 64 * i;
            let len = u32::from_le_bytes(file[t + 4..t + 8].try_into().unwrap()) as usize;
            let r = (at, len);
            at += len;
            r
        })
        .collect()
}

/// The index of the record holding entry `id` (hex), version 1, from the record table.
pub fn record_of(file: &[u8], id_hex: &str) -> usize {
    let id = hex::decode(id_hex).unwrap();
    let slots = u16::from_le_bytes(file[48..50].try_into().unwrap()) as usize;
    let count = u32::from_le_bytes(file[52..56].try_into().unwrap()) as usize;
    (0..count)
        .find(|i| {
            let t = 64 + 136 * slots + 64 * i;
            file[t] == 2 && file[t + 8..t + 24] == id[..]
        })
        .expect("no record of that entry")
}

/// Damage applied to a copy of a file.
pub enum Damage {
    /// Zero the first header copy.
    ZeroFirstHeader,
    /// Zero the second header copy.
    ZeroSecondHeader,
    /// Flip one byte in the middle of record `i`.
    FlipRecord(usize),
    /// Keep only the first half of the file.
    CutInHalf,
}

/// Copies `src` to `dst` with every damage in `damage` applied.
pub fn damaged_copy(src: &Path, dst: &Path, damage: &[Damage]) {
    let mut f = fs::read(src).unwrap();
    let table = records(&f);
    let [a, b] = header_offsets(&f);
    let h = header_len(&f);
    let mut cut = None;
    for d in damage {
        match d {
            Damage::ZeroFirstHeader => f[a..a + h].fill(0),
            Damage::ZeroSecondHeader => f[b..b + h].fill(0),
            Damage::FlipRecord(i) => {
                let (at, len) = table[*i];
                f[at + len / 2] ^= 0x40;
            }
            Damage::CutInHalf => cut = Some(f.len() / 2),
        }
    }
    if let Some(n) = cut {
        f.truncate(n);
    }
    fs::write(dst, f).unwrap();
}

/// Makes a new version of entry `name` with `airvault rotate` (the old one retired) and
/// returns its secret as hex.
pub fn rotate(env: &Env, name: &str) -> String {
    env.cmd().args(["rotate", name]).assert().success();
    let out = env
        .json()
        .args(["get", name])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    one::<Secret>(&out).value.unwrap()
}

//! Typed read-back of the lifecycle and import JSON shapes (docs/CLI.md), and opening a
//! vault through the libraries to compare states that the command line does not show (the
//! master key, retired versions, the audit trail) or to craft files it would never write.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::Path;

use serde::Deserialize;
use vault_cli::model::{OwnedEntry, OwnedEvent, Vault, VaultFiles};
use vault_cli::progress::Progress;
use vault_core::{KdfLimits, SlotKind, VaultFile};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Passwd {
    #[serde(rename = "type")]
    pub type_: String,
    pub vault: String,
    pub slot: u8,
    pub iterations: u32,
    pub previous_iterations: u32,
    pub kdf: String,
    pub previous_kdf: String,
    pub generation: u64,
    pub master_key_replaced: bool,
    pub other_password_slots: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotateMaster {
    #[serde(rename = "type")]
    pub type_: String,
    pub vault: String,
    pub versions: usize,
    pub audit_events: usize,
    pub keyslots: usize,
    pub recovery: bool,
    pub generation: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rotated {
    #[serde(rename = "type")]
    pub type_: String,
    pub op: String,
    pub vault: String,
    pub name: String,
    pub id: String,
    pub version: u32,
    pub previous_version: u32,
    pub kind: String,
    pub kcv: String,
    pub previous_kcv: String,
    pub bytes: usize,
    pub rotated_at: u64,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Override {
    pub name: String,
    pub days: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    #[serde(rename = "type")]
    pub type_: String,
    pub vault: String,
    pub default_days: u32,
    pub changed: Option<String>,
    pub overrides: Vec<Override>,
}

/// A `status` line: one per key, then the summary.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum StatusLine {
    KeyStatus(KeyStatus),
    Status(StatusSummary),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyStatus {
    pub name: String,
    pub id: String,
    pub kind: String,
    pub version: u32,
    pub rotated_at: u64,
    pub age_days: u64,
    pub policy_days: Option<u32>,
    pub policy_source: String,
    pub due_at: Option<u64>,
    pub overdue: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusSummary {
    pub vault: String,
    pub now: u64,
    pub default_policy_days: u32,
    pub policy_override: Option<u32>,
    pub keys: usize,
    pub overdue: usize,
    pub failed_unlocks: usize,
    pub exit_code: u8,
}

/// Splits `status --json` output into the keys and the summary.
pub fn status_output(stdout: &[u8]) -> (Vec<KeyStatus>, StatusSummary) {
    super::items_and_summary(stdout, |line| match line {
        StatusLine::KeyStatus(k) => Ok(k),
        StatusLine::Status(s) => Err(s),
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditEvent {
    #[serde(rename = "type")]
    pub type_: String,
    pub seq: u32,
    pub time: u64,
    pub op: String,
    pub name: Option<String>,
    pub entry_id: Option<String>,
    pub version: Option<u32>,
    pub kcv: Option<String>,
    pub detail: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditVerify {
    #[serde(rename = "type")]
    pub type_: String,
    pub vault: String,
    pub events: usize,
    pub ok: bool,
    pub salvage_gaps: u32,
    pub first_break: Option<u32>,
    pub message: Option<String>,
    pub exit_code: u8,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Benchmark {
    #[serde(rename = "type")]
    pub type_: String,
    pub kdf: String,
    pub iterations_per_second: u64,
    pub measured_iterations: u64,
    pub measured_millis: u64,
    pub iterations_for_1s: u64,
    pub target_time_1s: u32,
    pub default_iterations: u32,
    pub default_millis: u64,
    pub min_iterations: u32,
    pub max_iterations: u32,
    pub max_millis: u64,
    pub default_guesses_per_second: f64,
    pub argon2id: Argon2Benchmark,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Argon2Benchmark {
    pub kib_passes_per_second: u64,
    pub default: String,
    pub default_memory_kib: u32,
    pub default_passes: u32,
    pub default_lanes: u32,
    pub default_millis: u64,
    pub default_guesses_per_second: f64,
    pub target_time_1s: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Imported {
    #[serde(rename = "type")]
    pub type_: String,
    pub vault: String,
    pub format: String,
    pub file: String,
    pub name: String,
    pub id: String,
    pub version: u32,
    pub kind: String,
    pub kcv: String,
    pub bytes: usize,
    pub authenticated: bool,
    pub kdf: Option<String>,
    pub token_time: Option<u64>,
}

// --- States read through the libraries ------------------------------------------------

/// What a vault holds, as opened with its password.
#[derive(Debug)]
pub struct State {
    pub generation: u64,
    pub master_key: [u8; 32],
    pub entries: Vec<OwnedEntry>,
    pub events: Vec<OwnedEvent>,
    pub default_policy_days: u32,
}

/// Opens the vault at `path` with the password in `pw_file` (its first line).
pub fn state(path: &Path, pw_file: &Path) -> State {
    let vault = open(path, pw_file);
    State {
        generation: vault.generation,
        master_key: *vault.vmk.expose_secret(),
        entries: vault.entries.clone(),
        events: vault.events.clone(),
        default_policy_days: vault.meta.default_policy_days,
    }
}

/// The whole opened vault, for crafting a modified copy.
pub fn open(path: &Path, pw_file: &Path) -> Vault {
    let pw = fs::read_to_string(pw_file).unwrap();
    let pw = pw.lines().next().unwrap();
    Vault::open(&fs::read(path).unwrap(), pw.as_bytes(), Progress::Silent)
        .unwrap()
        .vault
}

/// Writes `vault` to `path` as it is (no event appended, generation unchanged): a file
/// airvault itself would never write, with valid MACs throughout.
pub fn write_raw(path: &Path, vault: &mut Vault) {
    let bytes = vault
        .serialize(1_700_000_000, &mut rand_core::OsRng)
        .unwrap();
    fs::write(path, &*bytes).unwrap();
}

/// The master key the recovery code opens the vault at `path` with, through the core.
pub fn master_key_by_recovery(path: &Path, code: &str) -> [u8; 32] {
    let bytes = fs::read(path).unwrap();
    let file = VaultFile::parse(&bytes, &KdfLimits::STANDARD).unwrap();
    let secret = vault_core::recovery_code::parse(code).unwrap();
    let unlocked = file
        .unlock(SlotKind::Recovery, &secret.expose_secret()[..])
        .unwrap();
    *unlocked.master_key().expose_secret()
}

/// The secrets, versions and statuses of every entry version, for comparing states.
pub fn entry_summary(entries: &[OwnedEntry]) -> Vec<(String, u32, String, String, String)> {
    let mut v: Vec<_> = entries
        .iter()
        .map(|e| {
            (
                e.name.clone(),
                e.version,
                e.status.name().to_owned(),
                hex::encode(&*e.secret),
                vault_core::Kcv::of(&e.secret).to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

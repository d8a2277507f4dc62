//! Typed read-back of the JSON of the keyring commands and the record of failed unlocks
//! (docs/CLI.md). Unknown fields are errors, so a changed shape fails here.

use serde::Deserialize;

/// One line of `get --to-keyring` or `keyring restore`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum KeyringLine {
    KeyringItem(KeyringItem),
    KeyringRestore(KeyringRestore),
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct KeyringItem {
    pub name: String,
    pub id: String,
    pub version: u32,
    pub kind: String,
    pub kcv: String,
    pub bytes: usize,
    pub service: String,
    pub account: String,
    pub action: String,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct KeyringRestore {
    pub file: String,
    pub items: usize,
    pub created: usize,
    pub replaced: usize,
    pub unchanged: usize,
    pub kept: usize,
    pub without_origin: usize,
}

/// Splits `keyring restore --json` output into the items and the summary.
pub fn restore_output(stdout: &[u8]) -> (Vec<KeyringItem>, KeyringRestore) {
    super::items_and_summary(stdout, |line| match line {
        KeyringLine::KeyringItem(i) => Ok(i),
        KeyringLine::KeyringRestore(s) => Err(s),
    })
}

/// One line of `audit --failures`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FailuresLine {
    FailedUnlock(FailedUnlock),
    Failures(Failures),
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct FailedUnlock {
    pub time: u64,
    pub slot: String,
    pub vault_id: String,
    pub generation: u64,
    pub header: String,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Failures {
    pub log: String,
    pub since: Option<u64>,
    pub failures: usize,
}

/// Splits `audit --failures --json` output into the failures and the summary.
pub fn failures_output(stdout: &[u8]) -> (Vec<FailedUnlock>, Failures) {
    super::items_and_summary(stdout, |line| match line {
        FailuresLine::FailedUnlock(f) => Ok(f),
        FailuresLine::Failures(s) => Err(s),
    })
}

//! What the OS keyring commands (`get --to-keyring`, `keyring restore`) and the record of
//! failed unlocks (`audit --failures`) report, and how each report reads as text. The
//! JSON shapes are documented in `docs/CLI.md`. None of them holds a secret.

use std::io::{self, Write};

use serde::Serialize;

use super::utc;

/// One entry written into the keyring (`get --to-keyring`, each item of `keyring restore`).
#[derive(Clone, Debug, Serialize)]
pub struct KeyringItemReport {
    /// Entry name.
    pub name: String,
    /// Entry id, hex.
    pub id: String,
    /// The version written.
    pub version: u32,
    /// Entry kind.
    pub kind: &'static str,
    /// Key check value of that version.
    pub kcv: String,
    /// Length of the secret.
    pub bytes: usize,
    /// The keyring item's service.
    pub service: String,
    /// The keyring item's account.
    pub account: String,
    /// `created` (no such item before), `replaced` (it held another secret), `unchanged`
    /// (it already held this one) or `kept` (it holds another secret, and replacing it
    /// was declined at the prompt).
    pub action: &'static str,
}

impl KeyringItemReport {
    /// Writes the report as text.
    ///
    /// # Errors
    /// Write errors.
    pub fn human(&self, w: &mut impl Write) -> io::Result<()> {
        let what = match self.action {
            "created" => "Wrote",
            "replaced" => "Replaced",
            "unchanged" => "Unchanged:",
            _ => "Kept (declined):",
        };
        writeln!(
            w,
            "{what} keyring item {}/{} <- {} version {} ({}, {} bytes, KCV {})",
            self.service, self.account, self.name, self.version, self.kind, self.bytes, self.kcv
        )
    }
}

/// The closing line of `keyring restore`.
#[derive(Clone, Debug, Serialize)]
pub struct KeyringRestoreReport {
    /// The vault or backup the keys were read from.
    pub file: String,
    /// Entries whose origin is a keyring item (one item line each).
    pub items: usize,
    /// Items created.
    pub created: usize,
    /// Items whose secret was replaced.
    pub replaced: usize,
    /// Items that already held the secret.
    pub unchanged: usize,
    /// Items left as they were because replacing them was declined.
    pub kept: usize,
    /// Entries with no keyring origin (not written).
    pub without_origin: usize,
}

impl KeyringRestoreReport {
    /// Writes the report as text.
    ///
    /// # Errors
    /// Write errors.
    pub fn human(&self, w: &mut impl Write) -> io::Result<()> {
        writeln!(
            w,
            "{} keyring item(s) from {}: {} created, {} replaced, {} unchanged, {} kept; {} \
             other entr{} not from the keyring.",
            self.items,
            self.file,
            self.created,
            self.replaced,
            self.unchanged,
            self.kept,
            self.without_origin,
            if self.without_origin == 1 { "y" } else { "ies" }
        )
    }
}

/// One failed unlock recorded on this machine (`audit --failures`).
#[derive(Clone, Debug, Serialize)]
pub struct FailedUnlockReport {
    /// When (Unix seconds).
    pub time: u64,
    /// The keyslot kind tried: `password` or `recovery` (recovery code or shares).
    pub slot: String,
    /// The vault id of the file, hex.
    pub vault_id: String,
    /// Its generation.
    pub generation: u64,
    /// The checksum of the header copy tried (64 hex digits): names the copy.
    pub header: String,
}

impl FailedUnlockReport {
    /// Writes the report as text.
    ///
    /// # Errors
    /// Write errors.
    pub fn human(&self, w: &mut impl Write) -> io::Result<()> {
        writeln!(
            w,
            "{}  failed  {:<8}  vault {} generation {}  header {}",
            utc(self.time),
            self.slot,
            self.vault_id,
            self.generation,
            self.header
        )
    }
}

/// The closing line of `audit --failures`.
#[derive(Clone, Debug, Serialize)]
pub struct FailuresReport {
    /// The log read.
    pub log: String,
    /// The start of the period shown (Unix seconds), or null for the whole log.
    pub since: Option<u64>,
    /// Failed unlocks shown.
    pub failures: usize,
}

impl FailuresReport {
    /// Writes the report as text.
    ///
    /// # Errors
    /// Write errors.
    pub fn human(&self, w: &mut impl Write) -> io::Result<()> {
        let since = self
            .since
            .map_or_else(String::new, |t| format!(" since {}", utc(t)));
        writeln!(
            w,
            "{} failed unlock(s){since} recorded in {}.",
            self.failures, self.log
        )
    }
}

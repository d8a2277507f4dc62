//! What the page shows of an opened backup, without its secrets: each entry version, each
//! record that could not be read, each audit event; and of a salvage, each entry version
//! recovered and each one lost.

use vault_core::model::{OwnedEntry, OwnedEvent};
use vault_core::{CheckKey, EntryKind};
use wasm_bindgen::prelude::*;

use crate::encode;
use crate::error::WasmError;
use crate::file::record_kind_name;

/// One entry version: everything but the secret.
#[wasm_bindgen]
#[derive(Clone, Debug)]
pub struct EntryInfo {
    pub(crate) record: u32,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) kind: EntryKind,
    pub(crate) status: &'static str,
    pub(crate) version: u32,
    pub(crate) created_at: u64,
    pub(crate) rotated_at: u64,
    pub(crate) policy_days: u32,
    pub(crate) kcv: String,
    pub(crate) secret_len: u32,
}

impl EntryInfo {
    pub(crate) fn of(record: u32, e: &OwnedEntry, check_key: Option<&CheckKey>) -> Self {
        Self {
            record,
            id: encode::hex_string(&e.id),
            name: e.name.clone(),
            kind: e.kind,
            status: e.status.name(),
            version: e.version,
            created_at: e.created_at,
            rotated_at: e.rotated_at,
            policy_days: e.policy_days,
            kcv: e.check_text(check_key),
            secret_len: e.secret.len() as u32,
        }
    }
}

#[wasm_bindgen]
impl EntryInfo {
    /// The record holding this version; pass it to [`Vault::reveal`](crate::Vault::reveal).
    #[wasm_bindgen(getter)]
    pub fn record(&self) -> u32 {
        self.record
    }
    /// The entry's stable id, in hex.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.id.clone()
    }
    /// The entry's name.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.name.clone()
    }
    /// `symmetric-key`, `private-key-pem`, `password`, `totp-seed` or `opaque`.
    #[wasm_bindgen(getter)]
    pub fn kind(&self) -> String {
        self.kind.name().into()
    }
    /// `active` or `retired`.
    #[wasm_bindgen(getter)]
    pub fn status(&self) -> String {
        self.status.into()
    }
    /// Version number, from 1.
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> u32 {
        self.version
    }
    /// When the entry was created (seconds since the Unix epoch).
    #[wasm_bindgen(getter, js_name = createdAt)]
    pub fn created_at(&self) -> f64 {
        self.created_at as f64
    }
    /// When this version was made (seconds since the Unix epoch).
    #[wasm_bindgen(getter, js_name = rotatedAt)]
    pub fn rotated_at(&self) -> f64 {
        self.rotated_at as f64
    }
    /// The entry's rotation policy in days (0: the vault's default).
    #[wasm_bindgen(getter, js_name = policyDays)]
    pub fn policy_days(&self) -> u32 {
        self.policy_days
    }
    /// The key check value: eight hex digits that confirm the secret without showing it.
    #[wasm_bindgen(getter)]
    pub fn kcv(&self) -> String {
        self.kcv.clone()
    }
    /// Length of the secret in bytes.
    #[wasm_bindgen(getter, js_name = secretLength)]
    pub fn secret_length(&self) -> u32 {
        self.secret_len
    }
}

/// A record that could not be read.
#[wasm_bindgen]
#[derive(Clone, Debug)]
pub struct LostRecord {
    pub(crate) record: u32,
    pub(crate) kind: &'static str,
    pub(crate) id: String,
    pub(crate) seq: u32,
    pub(crate) name: String,
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

impl LostRecord {
    pub(crate) fn of(l: &vault_core::model::LostRecord) -> Self {
        let err = WasmError::from(l.error);
        Self {
            record: l.index,
            kind: record_kind_name(l.kind),
            id: encode::hex_string(&l.id),
            seq: l.seq,
            name: String::new(),
            code: err.code(),
            message: err.message().into(),
        }
    }
}

#[wasm_bindgen]
impl LostRecord {
    /// Position in the record table.
    #[wasm_bindgen(getter)]
    pub fn record(&self) -> u32 {
        self.record
    }
    /// `metadata`, `entry` or `audit`.
    #[wasm_bindgen(getter)]
    pub fn kind(&self) -> String {
        self.kind.into()
    }
    /// The entry id in hex (zeros for other kinds).
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.id.clone()
    }
    /// The entry version, or the audit event's sequence number.
    #[wasm_bindgen(getter)]
    pub fn seq(&self) -> u32 {
        self.seq
    }
    /// The entry's name if another version of it opened, else empty.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.name.clone()
    }
    /// Why it was lost: `record_damaged`, `record_missing`, `record_auth_failed` or
    /// `record_malformed`.
    #[wasm_bindgen(getter)]
    pub fn code(&self) -> String {
        self.code.into()
    }
    /// The reason in words.
    #[wasm_bindgen(getter)]
    pub fn message(&self) -> String {
        self.message.clone()
    }
}

/// One audit event (names operations, entries and key check values; never a secret).
#[wasm_bindgen]
#[derive(Clone, Debug)]
pub struct AuditInfo {
    pub(crate) seq: u32,
    pub(crate) time: u64,
    pub(crate) op: &'static str,
    pub(crate) name: String,
    pub(crate) detail: String,
    pub(crate) version: u32,
    pub(crate) kcv: String,
}

impl AuditInfo {
    pub(crate) fn of(a: &OwnedEvent) -> Self {
        Self {
            seq: a.seq,
            time: a.time,
            op: a.op.name(),
            name: a.name.clone(),
            detail: a.detail.clone(),
            version: a.version,
            kcv: a
                .view()
                .check_value()
                .map(|k| k.to_string())
                .unwrap_or_default(),
        }
    }
}

#[wasm_bindgen]
impl AuditInfo {
    /// Position in the chain, from 0.
    #[wasm_bindgen(getter)]
    pub fn seq(&self) -> u32 {
        self.seq
    }
    /// When it happened (seconds since the Unix epoch).
    #[wasm_bindgen(getter)]
    pub fn time(&self) -> f64 {
        self.time as f64
    }
    /// The operation, as the command line names it (`init`, `add`, `backup`, …).
    #[wasm_bindgen(getter)]
    pub fn op(&self) -> String {
        self.op.into()
    }
    /// The entry concerned, or empty.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.name.clone()
    }
    /// Free text (e.g. a backup's file name), or empty.
    #[wasm_bindgen(getter)]
    pub fn detail(&self) -> String {
        self.detail.clone()
    }
    /// The entry version concerned, or 0.
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> u32 {
        self.version
    }
    /// The key check value of that version, or empty.
    #[wasm_bindgen(getter)]
    pub fn kcv(&self) -> String {
        self.kcv.clone()
    }
}

/// One entry version of a salvaged vault.
#[wasm_bindgen]
#[derive(Clone, Debug)]
pub struct SalvagedEntryInfo {
    pub(crate) entry: EntryInfo,
    pub(crate) from: u32,
    pub(crate) renamed_from: String,
}

#[wasm_bindgen]
impl SalvagedEntryInfo {
    /// The entry version (its `record` is the index for
    /// [`Salvaged::reveal`](crate::Salvaged::reveal)).
    #[wasm_bindgen(getter)]
    pub fn entry(&self) -> EntryInfo {
        self.entry.clone()
    }
    /// The copy it was taken from.
    #[wasm_bindgen(getter)]
    pub fn from(&self) -> u32 {
        self.from
    }
    /// Its name before salvage when it had to be renamed (another entry kept the name),
    /// else empty.
    #[wasm_bindgen(getter, js_name = renamedFrom)]
    pub fn renamed_from(&self) -> String {
        self.renamed_from.clone()
    }
}

/// An entry version no copy gave back.
#[wasm_bindgen]
#[derive(Clone, Debug)]
pub struct LostVersionInfo {
    pub(crate) name: String,
    pub(crate) id: String,
    pub(crate) version: u32,
    pub(crate) files: Vec<u32>,
}

#[wasm_bindgen]
impl LostVersionInfo {
    /// The entry's name if a surviving record or audit event names it, else empty.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.name.clone()
    }
    /// The entry id, in hex.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.id.clone()
    }
    /// The version.
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> u32 {
        self.version
    }
    /// The copies whose record table lists it.
    #[wasm_bindgen(getter)]
    pub fn files(&self) -> Vec<u32> {
        self.files.clone()
    }
}

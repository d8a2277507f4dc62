//! The vault held in memory between reading and writing: keys, keyslots, metadata, every
//! entry version and the audit trail, changed in memory and written back as a whole new
//! file (fresh IVs for every record).

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use rand_core::CryptoRngCore;
use zeroize::Zeroizing;

use super::contents::{open, record_buffer};
use super::entry::{clean_detail, OwnedEntry, OwnedEvent};
use crate::constants::{ENTRY_ID_LEN, VAULT_ID_LEN};
use crate::error::Error;
use crate::format::SlotKind;
use crate::kdf::SlotKdf;
use crate::records::{AuditOp, Entry, Meta, Record};
use crate::secrets::VaultMasterKey;
use crate::vault::UnlockedVault;
use crate::writer::{HeaderParams, Layout, SealedSlot, VaultWriter};

/// An opened vault (or backup): keys, header fields, metadata, entries and audit trail.
pub struct Vault {
    /// Random id fixed at creation, kept by every backup.
    pub vault_id: [u8; VAULT_ID_LEN],
    /// Write counter of the file this was read from (or will be written as).
    pub generation: u64,
    /// The master key.
    pub vmk: VaultMasterKey,
    /// Keyslots to write (they wrap `vmk`).
    pub slots: Vec<SealedSlot>,
    /// KDF and cost of the password slot that opened the file (or was sealed).
    pub password_kdf: SlotKdf,
    /// Iteration count of the recovery slot, if there is one.
    pub recovery_iterations: Option<u32>,
    /// The metadata record.
    pub meta: Meta,
    /// Every entry version, in `(id, version)` order.
    pub entries: Vec<OwnedEntry>,
    /// The audit trail, in `seq` order.
    pub events: Vec<OwnedEvent>,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vault")
            .field("vault_id", &self.vault_id)
            .field("generation", &self.generation)
            .field("slots", &self.slots.len())
            .field("entries", &self.entries)
            .field("events", &self.events.len())
            .finish_non_exhaustive()
    }
}

impl Vault {
    /// The vault of `unlocked` without its entries and events: keys, keyslots, header
    /// fields and `meta`.
    #[must_use]
    pub fn skeleton(unlocked: &UnlockedVault<'_>, meta: Meta) -> Self {
        let header = unlocked.file().header();
        let password_kdf = header
            .slot(usize::from(unlocked.slot_index()))
            .map_or(SlotKdf::Argon2id(Default::default()), |s| s.kdf());
        let recovery_iterations = header
            .slots()
            .find(|s| s.kind() == SlotKind::Recovery)
            .map(|s| s.iterations());
        Vault {
            vault_id: header.vault_id(),
            generation: header.generation(),
            vmk: unlocked.master_key().clone(),
            slots: header.slots().map(|s| SealedSlot::from_view(&s)).collect(),
            password_kdf,
            recovery_iterations,
            meta,
            entries: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Opens every record of an unlocked file, all or nothing: for a vault that will be
    /// changed and written back, where nothing may be silently dropped.
    ///
    /// # Errors
    /// The first record that fails to open, or [`Error::Malformed`] without a metadata
    /// record.
    pub fn from_unlocked(unlocked: &UnlockedVault<'_>) -> Result<Vault, Error> {
        let mut buf = record_buffer(unlocked);
        let mut meta = None;
        let mut entries = Vec::new();
        let mut events = Vec::new();
        for r in unlocked.file().records() {
            match open(unlocked, &r, &mut buf)? {
                Record::Meta(m) => meta = Some(m),
                Record::Entry(e) => entries.push(OwnedEntry::from_view(&e)),
                Record::Audit(a) => events.push(OwnedEvent::from_view(&a)),
            }
        }
        let meta = meta.ok_or(Error::Malformed {
            reason: "no metadata record",
        })?;
        let mut vault = Self::skeleton(unlocked, meta);
        vault.entries = entries;
        vault.events = events;
        Ok(vault)
    }

    /// Puts entries in `(id, version)` order and events in `seq` order: the order the
    /// format writes them in.
    pub fn sort(&mut self) {
        // The keys are unique, so an unstable sort gives the same order without the
        // scratch memory of a stable one.
        self.entries.sort_unstable_by_key(|e| (e.id, e.version));
        self.events.sort_unstable_by_key(|e| e.seq);
    }

    /// The record layout of the vault as it stands.
    #[must_use]
    pub fn layout(&self) -> Layout {
        let mut layout = Layout::new(self.slots.len());
        for e in &self.entries {
            layout.add_entry(&e.view());
        }
        for e in &self.events {
            layout.add_audit(&e.view());
        }
        layout
    }

    /// Writes the whole vault as a new file: every record encrypted with a fresh IV.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if an entry breaks a limit of the format.
    pub fn serialize(
        &mut self,
        written_at: u64,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        self.sort();
        let layout = self.layout();
        let len = layout.file_len().ok_or(Error::InvalidInput {
            reason: "too many records for one file",
        })?;
        let mut out = Zeroizing::new(alloc::vec![0u8; len]);
        let params = HeaderParams {
            vault_id: self.vault_id,
            generation: self.generation,
            written_at,
        };
        let mut w = VaultWriter::new(
            &mut out,
            &self.vmk,
            &params,
            &self.slots,
            &self.meta,
            layout.records(),
            rng,
        )?;
        for e in &self.entries {
            w.push_entry(&e.view(), rng)?;
        }
        for e in &self.events {
            w.push_audit(&e.view(), rng)?;
        }
        let n = w.finish()?;
        out.truncate(n);
        Ok(out)
    }

    /// Appends an audit event chained to the last one and updates the metadata record.
    /// `detail` is cut to the format's limit and stripped of control characters.
    pub fn record_event(
        &mut self,
        op: AuditOp,
        entry: Option<&OwnedEntry>,
        detail: &str,
        now: u64,
    ) {
        let event = chain_event(
            &mut self.meta,
            op,
            entry.map(OwnedEntry::view).as_ref(),
            detail,
            now,
        );
        self.events.push(event);
    }

    /// The newest version of the entry named `name`.
    #[must_use]
    pub fn newest(&self, name: &str) -> Option<&OwnedEntry> {
        self.entries
            .iter()
            .filter(|e| e.name == name)
            .max_by_key(|e| e.version)
    }

    /// The newest version of every entry, in name order.
    #[must_use]
    pub fn current(&self) -> Vec<&OwnedEntry> {
        let mut newest: BTreeMap<[u8; ENTRY_ID_LEN], &OwnedEntry> = BTreeMap::new();
        for e in &self.entries {
            let slot = newest.entry(e.id).or_insert(e);
            if e.version > slot.version {
                *slot = e;
            }
        }
        let mut v: Vec<&OwnedEntry> = newest.into_values().collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }

    /// Number of versions of the entry with `id`.
    #[must_use]
    pub fn version_count(&self, id: &[u8; ENTRY_ID_LEN]) -> usize {
        self.entries.iter().filter(|e| &e.id == id).count()
    }

    /// A fresh entry id that no entry uses.
    #[must_use]
    pub fn new_entry_id(&self, rng: &mut impl CryptoRngCore) -> [u8; ENTRY_ID_LEN] {
        loop {
            let mut id = [0u8; ENTRY_ID_LEN];
            rng.fill_bytes(&mut id);
            if id != [0; ENTRY_ID_LEN] && !self.entries.iter().any(|e| e.id == id) {
                return id;
            }
        }
    }
}

/// The audit event `op` (about `entry`, if any) chained after the trail `meta` ends with,
/// and `meta` moved on past it. `detail` is cut to the format's limit and stripped of
/// control characters.
pub(super) fn chain_event(
    meta: &mut Meta,
    op: AuditOp,
    entry: Option<&Entry<'_>>,
    detail: &str,
    now: u64,
) -> OwnedEvent {
    let check = entry.and_then(|e| e.check_value(meta.check_key.as_ref()));
    let event = OwnedEvent {
        seq: meta.audit_next_seq,
        time: now,
        op,
        entry_id: entry.map_or([0; ENTRY_ID_LEN], |e| e.id),
        version: entry.map_or(0, |e| e.version),
        kcv: check.unwrap_or_default(),
        kcv_showable: check.is_some(),
        prev_hash: meta.audit_head,
        name: entry.map_or_else(String::new, |e| e.name.into()),
        detail: clean_detail(detail),
    };
    meta.audit_head = event.view().hash();
    meta.audit_next_seq = meta.audit_next_seq.saturating_add(1);
    event
}

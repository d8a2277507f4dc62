//! Salvage: one vault rebuilt from damaged or partial copies of it.
//!
//! Every record that opens in any copy is a candidate. For each entry, every version found
//! in any copy is kept once (from the newest copy that holds it) and the newest version is
//! the active one. The audit trail is the longest chain that verifies link by link (it may
//! take events from several copies), followed by a `salvage` event whose sequence number
//! may jump over the events that were lost. What some copy's record table lists but no copy
//! gives back is reported as lost, with the copies that listed it.
//!
//! It reads in two passes, so that a host never holds the entries. The first
//! ([`Salvage`]) opens every record of every copy and keeps only what the merge decides
//! by — where each record lies, an entry version's id, version and name, an
//! event's sequence number and hashes — and the keys of each copy. The second
//! ([`Merged::write`]) reads the chosen records again, one at a time, through
//! [`CopyRecords`], checks that each is the very record the first pass opened, and
//! writes it into the new file.

mod finish;
mod merged;
mod names;
mod reread;
mod rows;

use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Reverse;

use zeroize::Zeroizing;

pub use merged::{LostVersion, Merged, RecoveryOutcome, SalvagedVersion};
pub use names::free_name;
pub use rows::{RecordAt, TableRows};

use super::contents::{open, record_buffer};
use crate::constants::{CHECKSUM_LEN, ENTRY_ID_LEN, VAULT_ID_LEN};
use crate::format::{RecordKind, RecordRef, SlotKind, TableEntry, VaultFile};
use crate::kdf::SlotKdf;
use crate::records::{AuditOp, Meta, Record};
use crate::vault::{RecordKeys, UnlockedVault};

type EntryId = [u8; ENTRY_ID_LEN];

/// The copies of a salvage, read again in its second pass.
pub trait CopyRecords {
    /// Copies the `buf.len()` bytes at `offset` of copy `file` (the index the first pass
    /// gave it) into `buf`; `false` if they cannot be read.
    fn read_at(&mut self, file: usize, offset: u64, buf: &mut [u8]) -> bool;
}

/// Copies held in memory, by index.
impl<B: AsRef<[u8]>> CopyRecords for [B] {
    fn read_at(&mut self, file: usize, offset: u64, buf: &mut [u8]) -> bool {
        let Some(bytes) = self.get(file) else {
            return false;
        };
        let Ok(start) = usize::try_from(offset) else {
            return false;
        };
        let Some(end) = start.checked_add(buf.len()) else {
            return false;
        };
        match bytes.as_ref().get(start..end) {
            Some(src) => {
                buf.copy_from_slice(src);
                true
            }
            None => false,
        }
    }
}

/// A name kept in the merge's one string of names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct NameRef {
    at: u32,
    len: u16,
}

/// An entry version found in an opened copy: where it lies and what the merge needs.
#[derive(Clone, Copy, Debug)]
struct Found {
    id: EntryId,
    version: u32,
    file: u32,
    index: u32,
    offset: u64,
    length: u32,
    checksum: [u8; CHECKSUM_LEN],
    name: NameRef,
}

/// An audit event found in an opened copy of the vault.
#[derive(Clone, Copy, Debug)]
struct Event {
    seq: u32,
    op: AuditOp,
    file: u32,
    index: u32,
    offset: u64,
    length: u32,
    prev_hash: [u8; 32],
    hash: [u8; 32],
}

/// An entry version some copy lists and did not open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Listed {
    id: EntryId,
    version: u32,
    file: u32,
}

/// The newest copy of the vault that opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewestCopy {
    /// Its index among the copies.
    pub file: usize,
    /// Its generation.
    pub generation: u64,
    /// The KDF and cost of its password keyslot, if it has one.
    pub password_kdf: Option<SlotKdf>,
    /// The iteration count of its recovery keyslot, if it has one.
    pub recovery_iterations: Option<u32>,
}

/// What one copy gave.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Taken {
    /// Records that opened.
    pub opened: usize,
    /// Indices of records that did not open (damaged, missing, or failing their MAC), in
    /// ascending order.
    pub failed: Vec<u32>,
}

/// The copy whose records are being taken, and the merge as it was before it (for
/// [`Salvage::abandon`]).
#[derive(Clone, Copy, Debug)]
struct Current {
    file: usize,
    own: bool,
    generation: u64,
    found: usize,
    events: usize,
    metas: usize,
    listed: usize,
    before: (Option<NewestCopy>, Option<u64>, u32),
}

/// The first pass of a merge. Copies are numbered by the caller (`file`, an index into its
/// own list). A copy that opens is taken whole ([`Salvage::take_file`]); or one record at
/// a time with its header held ([`Salvage::begin`], [`Salvage::take`] for each record in
/// table order, then [`Salvage::list`] with what did not open); or one record at a time
/// without it ([`Salvage::begin_rows`], [`Salvage::take_at`] for each row read again, and
/// [`Salvage::abandon`] if the rows were not the header's). A copy that does not open is
/// only listed. [`Salvage::finish`] ends the pass.
#[derive(Default)]
pub struct Salvage {
    vault_id: [u8; VAULT_ID_LEN],
    listed: Vec<Listed>,
    found: Vec<Found>,
    names: String,
    events: Vec<Event>,
    metas: Vec<(Meta, usize, u64)>,
    keys: Vec<Option<RecordKeys>>,
    generations: Vec<u64>,
    scratch: Zeroizing<Vec<u8>>,
    room: Option<(usize, usize)>,
    known_events: u32,
    newest: Option<NewestCopy>,
    opened: Option<u64>,
    used: usize,
    current: Option<Current>,
}

impl core::fmt::Debug for Salvage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Salvage")
            .field("found", &self.found.len())
            .field("events", &self.events.len())
            .field("used", &self.used)
            .finish_non_exhaustive()
    }
}

impl Salvage {
    /// A merge into the vault `vault_id`, of at most `copies` copies. Copies of another
    /// vault may be taken too: their entries are kept, their metadata and audit events
    /// are not.
    #[must_use]
    pub fn new(vault_id: [u8; VAULT_ID_LEN], copies: usize) -> Self {
        Self {
            vault_id,
            // A `Meta` holds the recovery secret: a growing Vec would copy it on
            // reallocation and free the old buffer unwiped. Each copy has one metadata
            // record, so this never grows.
            metas: Vec::with_capacity(copies),
            ..Self::default()
        }
    }

    /// The most common vault id among `ids` (the first one seen on a tie): the vault the
    /// copies are of.
    #[must_use]
    pub fn reference_id(ids: &[[u8; VAULT_ID_LEN]]) -> [u8; VAULT_ID_LEN] {
        let mut best = (0usize, [0u8; VAULT_ID_LEN]);
        for id in ids {
            let n = ids.iter().filter(|q| *q == id).count();
            if n > best.0 {
                best = (n, *id);
            }
        }
        best.1
    }

    /// Notes what copy `file`'s record table lists and did not give back: every entry
    /// version it lists when it did not open (`taken` is `None`), else those of
    /// `taken.failed`. What no copy gives back is reported as lost, with every copy that
    /// listed it. Listing a copy again, or listing one that opens later, changes nothing.
    pub fn list(&mut self, file: usize, copy: &VaultFile<'_>, taken: Option<&Taken>) {
        let own = copy.header().vault_id() == self.vault_id;
        let Ok(file) = u32::try_from(file) else {
            return;
        };
        for r in copy.records() {
            if own && r.entry.kind == RecordKind::Audit {
                self.known_events = self.known_events.max(r.entry.seq.saturating_add(1));
            }
            let unopened = taken.is_none_or(|t| t.failed.binary_search(&r.index).is_ok());
            if r.entry.kind == RecordKind::Entry && unopened {
                self.listed.push(Listed {
                    id: r.entry.id,
                    version: r.entry.seq,
                    file,
                });
            }
        }
    }

    /// Starts taking the records of copy `file`, unlocked; its keys are kept for the second
    /// pass.
    pub fn begin(&mut self, file: usize, unlocked: &UnlockedVault<'_>) {
        self.settle();
        let before = (self.newest, self.opened, self.known_events);
        let copy = unlocked.file();
        let h = copy.header();
        let generation = h.generation();
        self.used += 1;
        self.opened = self.opened.max(Some(generation));
        let own = h.vault_id() == self.vault_id;
        if own && self.newest.is_none_or(|n| generation > n.generation) {
            let slot = |kind| h.slots().find(|s| s.kind() == kind);
            self.newest = Some(NewestCopy {
                file,
                generation,
                password_kdf: slot(SlotKind::Password).map(|s| s.kdf()),
                recovery_iterations: slot(SlotKind::Recovery).map(|s| s.iterations()),
            });
        }
        if self.keys.len() <= file {
            self.keys.resize_with(file.saturating_add(1), || None);
            self.generations.resize(file.saturating_add(1), 0);
        }
        if let Some(k) = self.keys.get_mut(file) {
            *k = Some(unlocked.record_keys());
        }
        if let Some(g) = self.generations.get_mut(file) {
            *g = generation;
        }
        // Room for this copy's records, made when its first record is taken (by then a
        // caller reading it one record at a time no longer holds its header), so that the
        // lists grow by what they need and no more: doubling would leave up to half of
        // them unused.
        let count = |kind| copy.records().filter(|r| r.entry.kind == kind).count();
        let events = if own { count(RecordKind::Audit) } else { 0 };
        self.room = Some((count(RecordKind::Entry), events));
        self.current = Some(Current {
            file,
            own,
            generation,
            found: self.found.len(),
            events: self.events.len(),
            metas: self.metas.len(),
            listed: self.listed.len(),
            before,
        });
    }

    /// [`Salvage::begin`] for a copy whose header the caller will not hold while it reads
    /// the records: it reads the table rows again, one by one, alongside the records
    /// ([`TableRows::row`], then [`Salvage::take_at`]), and checks them all at the end
    /// ([`TableRows::finish`]).
    pub fn begin_rows(&mut self, file: usize, unlocked: &UnlockedVault<'_>) -> TableRows {
        self.begin(file, unlocked);
        TableRows::of(unlocked.file().header())
    }

    /// Opens the record `at` of the copy begun last (`file`) from `bytes` (`None` if it
    /// could not be read), with that copy's keys, and takes it. A record that does not open
    /// is listed (lost unless another copy has it). Returns whether it was taken.
    pub fn take_at(&mut self, file: usize, at: &RecordAt, bytes: Option<&[u8]>) -> bool {
        let Some(c) = self.current.filter(|c| c.file == file) else {
            return false;
        };
        let e = &at.entry;
        if c.own && e.kind == RecordKind::Audit {
            self.known_events = self.known_events.max(e.seq.saturating_add(1));
        }
        let mut buf = core::mem::take(&mut self.scratch);
        if buf.len() < e.length as usize {
            // Replaced rather than grown, so that no plaintext is left behind unwiped.
            buf = Zeroizing::new(alloc::vec![0u8; e.length as usize]);
        }
        let record = match (bytes, self.keys.get(file).and_then(Option::as_ref)) {
            (Some(bytes), Some(keys)) => keys.open(at.index, e, true, bytes, &mut buf).ok(),
            _ => None,
        };
        let taken = match record {
            Some(record) => self.take_record(c, at.index, at.offset, e, record),
            None => false,
        };
        self.scratch = buf;
        if !taken && e.kind == RecordKind::Entry {
            if let Ok(file) = u32::try_from(file) {
                self.listed.push(Listed {
                    id: e.id,
                    version: e.seq,
                    file,
                });
            }
        }
        taken
    }

    /// Forgets everything taken from the copy begun last (`file`): its table was not the
    /// one authenticated ([`TableRows::finish`]), so none of it is trusted. The copy
    /// counts as not opened.
    pub fn abandon(&mut self, file: usize) {
        let Some(c) = self.current.take().filter(|c| c.file == file) else {
            return;
        };
        self.found.truncate(c.found);
        self.events.truncate(c.events);
        self.metas.truncate(c.metas);
        self.listed.truncate(c.listed);
        if let Some(k) = self.keys.get_mut(file) {
            *k = None;
        }
        self.used = self.used.saturating_sub(1);
        (self.newest, self.opened, self.known_events) = c.before;
    }

    /// Takes record `r` of the copy begun last (`file`), opened as `record`. Returns
    /// `false` if it was not kept (a copy other than the one begun, or the merge is full).
    pub fn take(&mut self, file: usize, r: &RecordRef<'_>, record: Record<'_>) -> bool {
        match self.current.filter(|c| c.file == file) {
            Some(c) => self.take_record(c, r.index, r.offset, &r.entry, record),
            None => false,
        }
    }

    fn take_record(
        &mut self,
        c: Current,
        index: u32,
        offset: u64,
        entry: &TableEntry,
        record: Record<'_>,
    ) -> bool {
        let Ok(file) = u32::try_from(c.file) else {
            return false;
        };
        if let Some((entries, events)) = self.room.take() {
            let spare = |len: usize, cap: usize| cap.saturating_sub(len);
            if spare(self.found.len(), self.found.capacity()) < entries {
                self.found.reserve_exact(entries);
            }
            if spare(self.events.len(), self.events.capacity()) < events {
                self.events.reserve_exact(events);
            }
        }
        match record {
            Record::Meta(m) if c.own => {
                self.known_events = self.known_events.max(m.audit_next_seq);
                if self.metas.len() < self.metas.capacity() {
                    self.metas.push((m, c.file, c.generation));
                }
                true
            }
            Record::Entry(e) => {
                let Some(name) = self.name_ref(&e.id, e.name) else {
                    return false;
                };
                self.found.push(Found {
                    id: e.id,
                    version: e.version,
                    file,
                    index,
                    offset,
                    length: entry.length,
                    checksum: entry.checksum,
                    name,
                });
                true
            }
            Record::Audit(a) if c.own => {
                self.events.push(Event {
                    seq: a.seq,
                    op: a.op,
                    file,
                    index,
                    offset,
                    length: entry.length,
                    prev_hash: a.prev_hash,
                    hash: a.hash(),
                });
                true
            }
            _ => true,
        }
    }

    /// Takes every record of copy `file` (held whole) that opens, and lists those that do
    /// not.
    pub fn take_file(&mut self, file: usize, unlocked: &UnlockedVault<'_>) -> Taken {
        self.begin(file, unlocked);
        let mut taken = Taken::default();
        let mut buf = record_buffer(unlocked);
        for r in unlocked.file().records() {
            let kept = match open(unlocked, &r, &mut buf) {
                Ok(rec) => self.take(file, &r, rec),
                Err(_) => false,
            };
            if kept {
                taken.opened += 1;
            } else {
                taken.failed.push(r.index);
            }
        }
        self.list(file, unlocked.file(), Some(&taken));
        taken
    }

    /// The highest generation of any copy that opened (with copies of other vaults, of
    /// those too).
    #[must_use]
    pub fn opened_generation(&self) -> Option<u64> {
        self.opened
    }

    /// The newest copy of the vault that opened.
    #[must_use]
    pub fn newest(&self) -> Option<NewestCopy> {
        self.newest
    }

    /// The name `name` of entry `id` in the list of names: the previous version's when it
    /// is the same, so that an entry's versions share theirs.
    fn name_ref(&mut self, id: &EntryId, name: &str) -> Option<NameRef> {
        if let Some(last) = self.found.last().filter(|f| f.id == *id) {
            if self.name(last.name) == name {
                return Some(last.name);
            }
        }
        let at = u32::try_from(self.names.len()).ok()?;
        let len = u16::try_from(name.len()).ok()?;
        self.names.push_str(name);
        Some(NameRef { at, len })
    }

    fn name(&self, n: NameRef) -> &str {
        names::get(&self.names, n)
    }

    /// Puts what was taken in order and keeps each thing once: every entry version from
    /// the newest copy that holds it (the first taken on a tie), every distinct event
    /// once, and of the listed versions only those no copy gave back.
    fn settle(&mut self) {
        self.current = None;
        self.room = None;
        let generations = &self.generations;
        let generation = |file: u32| generations.get(file as usize).copied().unwrap_or(0);
        self.found
            .sort_unstable_by_key(|f| (f.id, f.version, Reverse(generation(f.file)), f.file));
        self.found.dedup_by_key(|f| (f.id, f.version));
        self.events
            .sort_unstable_by_key(|e| (e.seq, e.hash, e.file, e.index));
        self.events.dedup_by_key(|e| (e.seq, e.hash));
        let found = &self.found;
        self.listed.retain(|l| {
            found
                .binary_search_by_key(&(l.id, l.version), |f| (f.id, f.version))
                .is_err()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_first_pass_keeps_per_record_stays_small() {
        // README, Performance, Memory: 80 bytes for each entry version found.
        assert_eq!(core::mem::size_of::<Found>(), 80);
        assert!(core::mem::size_of::<Event>() <= 96);
    }
}

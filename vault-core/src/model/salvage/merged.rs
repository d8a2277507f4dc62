//! The end of the first pass ([`Salvage::finish`]) and the second ([`Merged::write`]).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use rand_core::CryptoRngCore;
use zeroize::Zeroizing;

use super::names::{self, resolve};
use super::{CopyRecords, EntryId, Event, Found, NameRef, NewestCopy, Salvage};
use crate::audit::ChainVerifier;
use crate::constants::{MAX_RECORD_LEN, TABLE_ENTRY_LEN, VAULT_ID_LEN};
use crate::error::Error;
use crate::format::{RecordKind, TableEntry};
use crate::model::entry::OwnedEntry;
use crate::model::vault::chain_event;
use crate::records::{AuditOp, Entry, EntryStatus, Meta, Record};
use crate::secrets::{CheckKey, RecoverySecret};
use crate::vault::RecordKeys;
use crate::writer::StreamWriter;

/// An entry version that some copy lists and none gave back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LostVersion {
    /// The entry's name, if a surviving record or audit event names it.
    pub name: Option<String>,
    /// Entry id (from the record table).
    pub id: EntryId,
    /// Version (from the record table).
    pub version: u32,
    /// The copies whose record table lists it.
    pub files: Vec<usize>,
}

/// Where the rebuilt vault's recovery secret comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecoveryOutcome {
    /// From the surviving metadata record.
    Kept,
    /// No metadata record held one: the recovery material the copies were opened with.
    FromMaterial,
    /// No metadata record survived: a new one was made; old codes and shares are void.
    New,
    /// The vault had none.
    None,
}

impl RecoveryOutcome {
    /// The name reports use: `kept`, `from-recovery-material`, `new`, `none`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Kept => "kept",
            Self::FromMaterial => "from-recovery-material",
            Self::New => "new",
            Self::None => "none",
        }
    }
}

/// One entry version of the rebuilt vault, as the merge knows it (its secret stays in the
/// copy it comes from until [`Merged::write`] or [`Merged::open_version`] reads it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SalvagedVersion<'a> {
    /// Entry id.
    pub id: EntryId,
    /// Version.
    pub version: u32,
    /// Its name in the rebuilt vault.
    pub name: &'a str,
    /// `Active` for the newest version of its entry, `Retired` for older ones.
    pub status: EntryStatus,
    /// The copy it is taken from.
    pub from: usize,
    /// Its name before salvage, when it had to be renamed (another entry kept the name).
    pub renamed_from: Option<&'a str>,
}

/// The result of the first pass: what the rebuilt vault will hold, where each of its
/// records lies in the copies, and what was lost.
pub struct Merged {
    /// The vault the copies are of.
    pub vault_id: [u8; VAULT_ID_LEN],
    found: Vec<Found>,
    names: String,
    renamed: Vec<(EntryId, NameRef)>,
    /// Entry versions some copy listed but none gave back, by name, id and version.
    pub lost: Vec<LostVersion>,
    events: Vec<KeptEvent>,
    /// Audit events known to have existed but not kept.
    pub events_lost: u32,
    salvage_seq: u32,
    audit_head: [u8; 32],
    first_event_time: Option<u64>,
    /// The newest surviving metadata record and the copy it came from.
    pub meta: Option<(Meta, usize)>,
    /// The newest copy of the vault that opened.
    pub newest: Option<NewestCopy>,
    /// The highest generation of any copy that opened.
    pub opened: Option<u64>,
    /// How many copies opened.
    pub used: usize,
    keys: Vec<Option<RecordKeys>>,
}

impl core::fmt::Debug for Merged {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Merged")
            .field("versions", &self.found.len())
            .field("lost", &self.lost)
            .field("events", &self.events.len())
            .field("events_lost", &self.events_lost)
            .finish_non_exhaustive()
    }
}

/// An audit event of the chain kept: where it lies. That it is the same event when read
/// again is proven by the chain itself: every link verifies and the last hash is the head
/// found in the first pass.
#[derive(Clone, Copy, Debug)]
struct KeptEvent {
    seq: u32,
    file: u32,
    index: u32,
    offset: u64,
    length: u32,
}

impl KeptEvent {
    fn table_entry(&self) -> TableEntry {
        TableEntry {
            kind: RecordKind::Audit,
            length: self.length,
            id: [0; 16],
            seq: self.seq,
            checksum: [0; 32],
        }
    }
}

/// Buffers for reading records again: the record's bytes and its plaintext, wiped on drop.
struct Reread {
    record: Zeroizing<Vec<u8>>,
    plain: Zeroizing<Vec<u8>>,
}

impl Reread {
    fn new(largest: u32) -> Self {
        let n = largest as usize;
        Self {
            record: Zeroizing::new(alloc::vec![0u8; n]),
            plain: Zeroizing::new(alloc::vec![0u8; n]),
        }
    }
}

/// Reads record `index` of copy `file` again (at `offset`, described by `entry`) and
/// opens it with that copy's keys; `checksum` as in [`RecordKeys::open`].
fn reopen<'b, S: CopyRecords + ?Sized>(
    keys: &[Option<RecordKeys>],
    copies: &mut S,
    (file, index, offset): (u32, u32, u64),
    entry: &TableEntry,
    checksum: bool,
    bufs: &'b mut Reread,
) -> Result<Record<'b>, Error> {
    let missing = Error::RecordMissing { index };
    let keys = keys
        .get(file as usize)
        .and_then(Option::as_ref)
        .ok_or(Error::InvalidInput {
            reason: "a copy that was not opened",
        })?;
    let Reread { record, plain } = bufs;
    let bytes = record
        .get_mut(..entry.length as usize)
        .ok_or(Error::BufferTooSmall {
            needed: entry.length as usize,
        })?;
    if !copies.read_at(file as usize, offset, bytes) {
        return Err(missing);
    }
    keys.open(index, entry, checksum, bytes, plain)
}

impl Found {
    fn table_entry(&self) -> TableEntry {
        TableEntry {
            kind: RecordKind::Entry,
            length: self.length,
            id: self.id,
            seq: self.version,
            checksum: self.checksum,
        }
    }
}

impl Event {
    fn table_entry(&self) -> TableEntry {
        TableEntry {
            kind: RecordKind::Audit,
            length: self.length,
            id: [0; 16],
            seq: self.seq,
            checksum: [0; 32],
        }
    }
}

impl Salvage {
    /// The merge of everything taken. `copies` gives the records of the copies again: the
    /// names of lost entries are looked up in audit events, and the creation time of a
    /// vault whose metadata was lost is that of its first event.
    #[must_use]
    pub fn finish<S: CopyRecords + ?Sized>(mut self, copies: &mut S) -> Merged {
        self.settle();
        // When entries share a name, the one changed last keeps it: when each was changed
        // is read again from its newest version (the first pass keeps no dates).
        let (generations, keys) = (&self.generations, &self.keys);
        let generation = |file: u32| generations.get(file as usize).copied().unwrap_or(0);
        let mut bufs = Reread::new(0);
        let changed = |f: &Found| {
            if bufs.record.len() < f.length as usize {
                bufs = Reread::new(f.length);
            }
            let at = (f.file, f.index, f.offset);
            match reopen(keys, copies, at, &f.table_entry(), true, &mut bufs) {
                Ok(Record::Entry(e)) => e.rotated_at,
                _ => 0,
            }
        };
        let renamed = resolve(&mut self.found, &mut self.names, generation, changed);

        // Lost entry versions: listed by some copy, opened from none.
        self.listed.sort_unstable();
        self.listed.dedup();
        let mut lost: Vec<LostVersion> = Vec::new();
        for l in &self.listed {
            match lost.last_mut() {
                Some(last) if last.id == l.id && last.version == l.version => {
                    last.files.push(l.file as usize);
                }
                _ => {
                    let first = self.found.partition_point(|f| f.id < l.id);
                    let name = self
                        .found
                        .get(first)
                        .filter(|f| f.id == l.id)
                        .map(|f| names::get(&self.names, f.name).into());
                    lost.push(LostVersion {
                        name,
                        id: l.id,
                        version: l.version,
                        files: alloc::vec![l.file as usize],
                    });
                }
            }
        }
        self.listed = Vec::new();
        self.name_lost_from_events(&mut lost, copies);
        lost.sort_by(|a, b| (&a.name, &a.id, a.version).cmp(&(&b.name, &b.id, b.version)));

        // The audit trail: the longest chain that verifies, from any of the copies. The
        // events are in `(seq, hash)` order.
        let mut chain = ChainVerifier::new();
        let mut kept = alloc::vec![false; self.events.len()];
        loop {
            let (next, head) = (chain.next_seq(), chain.head());
            let from = self.events.partition_point(|e| e.seq < next);
            let found = self.events[from..].iter().position(|e| {
                e.prev_hash == head && (e.seq == next || (e.op == AuditOp::Salvage && e.seq > next))
            });
            let Some(i) = found.map(|i| from + i) else {
                break;
            };
            let e = &self.events[i];
            if chain
                .push_hashed(e.seq, e.op, &e.prev_hash, e.hash)
                .is_err()
            {
                break;
            }
            kept[i] = true;
        }
        let mut k = kept.iter();
        self.events.retain(|_| k.next().copied().unwrap_or(false));
        drop(kept);
        let salvage_seq = self.known_events.max(chain.next_seq());
        let events_lost = salvage_seq - chain.next_seq();

        // The metadata of the newest copy whose metadata record survived.
        let best = self
            .metas
            .iter()
            .enumerate()
            .max_by(|(_, a), (_, b)| a.2.cmp(&b.2).then(b.1.cmp(&a.1)))
            .map(|(i, _)| i);
        let mut metas = core::mem::take(&mut self.metas);
        let meta = best.map(|i| {
            let (m, from, _) = metas.swap_remove(i);
            (m, from)
        });
        drop(metas);
        let first_event_time = match (&meta, self.events.first()) {
            (None, Some(e)) => {
                let mut bufs = Reread::new(e.length);
                let at = (e.file, e.index, e.offset);
                match reopen(&self.keys, copies, at, &e.table_entry(), false, &mut bufs) {
                    Ok(Record::Audit(a)) if a.hash() == e.hash => Some(a.time),
                    _ => None,
                }
            }
            _ => None,
        };
        // Collected in place (the same allocation, then shrunk): no second list is made.
        let mut events: Vec<KeptEvent> = self
            .events
            .into_iter()
            .map(|e| KeptEvent {
                seq: e.seq,
                file: e.file,
                index: e.index,
                offset: e.offset,
                length: e.length,
            })
            .collect();
        events.shrink_to_fit();
        self.found.shrink_to_fit();
        Merged {
            vault_id: self.vault_id,
            found: self.found,
            names: self.names,
            renamed,
            lost,
            events,
            events_lost,
            salvage_seq,
            audit_head: chain.head(),
            first_event_time,
            meta,
            newest: self.newest,
            opened: self.opened,
            used: self.used,
            keys: self.keys,
        }
    }

    /// Names the lost versions of entries of which no version survived, from the newest
    /// audit event that names them.
    fn name_lost_from_events<S: CopyRecords + ?Sized>(
        &self,
        lost: &mut [LostVersion],
        copies: &mut S,
    ) {
        let mut unnamed: Vec<EntryId> = lost
            .iter()
            .filter(|l| l.name.is_none())
            .map(|l| l.id)
            .collect();
        if unnamed.is_empty() {
            return;
        }
        unnamed.sort_unstable();
        unnamed.dedup();
        let mut named: Vec<(EntryId, String)> = Vec::new();
        let largest = self.events.iter().map(|e| e.length).max().unwrap_or(0);
        let mut bufs = Reread::new(largest);
        for e in self.events.iter().rev() {
            if named.len() == unnamed.len() {
                break;
            }
            let at = (e.file, e.index, e.offset);
            let Ok(Record::Audit(a)) =
                reopen(&self.keys, copies, at, &e.table_entry(), false, &mut bufs)
            else {
                continue;
            };
            if a.hash() != e.hash
                || a.name.is_empty()
                || unnamed.binary_search(&a.entry_id).is_err()
            {
                continue;
            }
            if !named.iter().any(|(id, _)| *id == a.entry_id) {
                named.push((a.entry_id, a.name.into()));
            }
        }
        for l in lost.iter_mut().filter(|l| l.name.is_none()) {
            l.name = named
                .iter()
                .find(|(id, _)| *id == l.id)
                .map(|(_, n)| n.clone());
        }
    }
}

impl Merged {
    /// How many entry versions the rebuilt vault holds.
    #[must_use]
    pub fn version_count(&self) -> usize {
        self.found.len()
    }

    /// Entry version `i` (in `(id, version)` order) of the rebuilt vault.
    #[must_use]
    pub fn version(&self, i: usize) -> Option<SalvagedVersion<'_>> {
        let f = self.found.get(i)?;
        let newest = self.found.get(i + 1).is_none_or(|n| n.id != f.id);
        Some(SalvagedVersion {
            id: f.id,
            version: f.version,
            name: names::get(&self.names, f.name),
            status: if newest {
                EntryStatus::Active
            } else {
                EntryStatus::Retired
            },
            from: f.file as usize,
            renamed_from: self
                .renamed
                .binary_search_by_key(&f.id, |(id, _)| *id)
                .ok()
                .map(|k| names::get(&self.names, self.renamed[k].1)),
        })
    }

    /// Every entry version of the rebuilt vault, in `(id, version)` order.
    pub fn versions(&self) -> impl Iterator<Item = SalvagedVersion<'_>> + '_ {
        (0..self.found.len()).filter_map(|i| self.version(i))
    }

    /// How many audit events are kept (the longest chain that verifies).
    #[must_use]
    pub fn events_kept(&self) -> usize {
        self.events.len()
    }

    /// How many records the rebuilt vault has: the metadata, every entry version, every
    /// kept event and the `salvage` event; `None` past the format's limit.
    #[must_use]
    pub fn record_count(&self) -> Option<u32> {
        let n = self
            .found
            .len()
            .checked_add(self.events.len())?
            .checked_add(2)?;
        u32::try_from(n).ok()
    }

    /// Reads entry version `i` from its copy again, as the rebuilt vault holds it (its
    /// name and status set).
    ///
    /// # Errors
    /// The record's error if it no longer reads or opens, or is not the one the first
    /// pass opened ([`Error::RecordForeign`]); [`Error::InvalidInput`] for no such version.
    pub fn open_version<S: CopyRecords + ?Sized>(
        &self,
        i: usize,
        copies: &mut S,
    ) -> Result<OwnedEntry, Error> {
        let f = self.found.get(i).ok_or(Error::InvalidInput {
            reason: "no such entry version",
        })?;
        let mut bufs = Reread::new(f.length);
        self.reopen_version(i, copies, &mut bufs, |e| OwnedEntry::from_view(&e))
    }

    fn reopen_version<S: CopyRecords + ?Sized, T>(
        &self,
        i: usize,
        copies: &mut S,
        bufs: &mut Reread,
        then: impl FnOnce(Entry<'_>) -> T,
    ) -> Result<T, Error> {
        let (Some(f), Some(v)) = (self.found.get(i), self.version(i)) else {
            return Err(Error::InvalidInput {
                reason: "no such entry version",
            });
        };
        let at = (f.file, f.index, f.offset);
        match reopen(&self.keys, copies, at, &f.table_entry(), true, bufs)? {
            Record::Entry(e) => Ok(then(Entry {
                name: v.name,
                status: v.status,
                ..e
            })),
            _ => Err(Error::RecordForeign { index: f.index }),
        }
    }

    /// The metadata record of the rebuilt vault and where its recovery secret comes from:
    /// the newest surviving metadata record (given `material`, the recovery secret the
    /// copies were opened with, if that record holds none); without one, a new record with
    /// `material` or a new recovery secret, a new check key (the old one was in the lost
    /// record, so check values of low-entropy secrets change), `default_policy_days`, and
    /// the time of the first kept event (else `now`) as the creation time.
    pub fn metadata(
        &mut self,
        material: Option<&RecoverySecret>,
        default_policy_days: u32,
        now: u64,
        rng: &mut impl CryptoRngCore,
    ) -> (Meta, RecoveryOutcome) {
        let (mut meta, outcome) = match self.meta.take() {
            Some((mut m, _)) => {
                let outcome = match (&m.recovery_secret, material) {
                    (Some(_), _) => RecoveryOutcome::Kept,
                    (None, Some(s)) => {
                        m.recovery_secret = Some(s.clone());
                        RecoveryOutcome::FromMaterial
                    }
                    (None, None) => RecoveryOutcome::None,
                };
                (m, outcome)
            }
            None => {
                let (secret, outcome) = match material {
                    Some(s) => (s.clone(), RecoveryOutcome::FromMaterial),
                    None => (RecoverySecret::generate(rng), RecoveryOutcome::New),
                };
                let meta = Meta {
                    recovery_secret: Some(secret),
                    default_policy_days,
                    created_at: self.first_event_time.unwrap_or(now),
                    audit_next_seq: 0,
                    audit_head: [0; 32],
                    check_key: Some(CheckKey::generate(rng)),
                };
                (meta, outcome)
            }
        };
        meta.audit_next_seq = self.salvage_seq;
        meta.audit_head = self.audit_head;
        (meta, outcome)
    }

    /// The second pass: writes the rebuilt vault into `w` (started by the caller with a
    /// fresh master key, its keyslots and [`Merged::record_count`] records), handing each
    /// record to `out` as it is sealed, with its table row for a writer without the table
    /// ([`StreamWriter::last_row`]): `meta` (from [`Merged::metadata`]) moved on past a
    /// last `salvage` event, every entry version read again from `copies` and re-encrypted
    /// under its new name and status (each also handed to `seen` with its index), every
    /// kept event, and that `salvage` event, saying how many of `copies_given` copies were
    /// used and how many events were lost. Each record read again must be the very one the
    /// first pass opened: an entry version by its checksum, the events by their chain
    /// (every link, and the last hash the head the first pass found).
    ///
    /// # Errors
    /// A record that no longer reads or opens, or is another one
    /// ([`Error::RecordForeign`]); the writer's errors; `out`'s errors.
    #[allow(clippy::too_many_arguments)]
    pub fn write<S, E>(
        &self,
        w: &mut StreamWriter<'_>,
        meta: &Meta,
        copies_given: usize,
        now: u64,
        copies: &mut S,
        rng: &mut impl CryptoRngCore,
        out: &mut (impl FnMut(&[u8], Option<[u8; TABLE_ENTRY_LEN]>) -> Result<(), E> + ?Sized),
        seen: &mut (impl FnMut(usize, &Entry<'_>) + ?Sized),
    ) -> Result<(), E>
    where
        S: CopyRecords + ?Sized,
        E: From<Error>,
    {
        let mut meta = meta.clone();
        let detail = format!(
            "rebuilt from {} of {copies_given} files; {} audit events lost",
            self.used, self.events_lost
        );
        let salvage = chain_event(&mut meta, AuditOp::Salvage, None, &detail, now);
        let largest = self
            .found
            .iter()
            .map(|f| f.length)
            .chain(self.events.iter().map(|e| e.length))
            .max()
            .unwrap_or(0);
        let mut bufs = Reread::new(largest);
        let mut rec = Zeroizing::new(alloc::vec![0u8; MAX_RECORD_LEN]);
        let n = w.push_meta(&meta, rng, &mut rec)?;
        out(&rec[..n], w.last_row())?;
        for i in 0..self.found.len() {
            let n = self.reopen_version(i, copies, &mut bufs, |e| {
                let n = w.push_entry(&e, rng, &mut rec);
                if n.is_ok() {
                    seen(i, &e);
                }
                n
            })??;
            out(&rec[..n], w.last_row())?;
        }
        let mut chain = ChainVerifier::new();
        for e in &self.events {
            let at = (e.file, e.index, e.offset);
            let foreign = Error::RecordForeign { index: e.index };
            let n = match reopen(&self.keys, copies, at, &e.table_entry(), false, &mut bufs)? {
                Record::Audit(a) if chain.push(&a).is_ok() => w.push_audit(&a, rng, &mut rec)?,
                _ => return Err(foreign.into()),
            };
            out(&rec[..n], w.last_row())?;
        }
        if chain.head() != self.audit_head {
            let index = self.events.last().map_or(0, |e| e.index);
            return Err(Error::RecordForeign { index }.into());
        }
        let n = w.push_audit(&salvage.view(), rng, &mut rec)?;
        out(&rec[..n], w.last_row())?;
        Ok(())
    }
}

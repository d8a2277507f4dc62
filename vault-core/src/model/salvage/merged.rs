//! The result of the first pass ([`Merged`]) and the second pass ([`Merged::write`]).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use rand_core::CryptoRngCore;
use zeroize::Zeroizing;

use super::names;
use super::reread::{reopen, KeptEvent, Reread};
use super::{CopyRecords, EntryId, Found, NameRef, NewestCopy};
use crate::audit::ChainVerifier;
use crate::constants::{MAX_RECORD_LEN, TABLE_ENTRY_LEN, VAULT_ID_LEN};
use crate::error::Error;
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
    pub(super) found: Vec<Found>,
    pub(super) names: String,
    pub(super) renamed: Vec<(EntryId, NameRef)>,
    /// Entry versions some copy listed but none gave back, by name, id and version.
    pub lost: Vec<LostVersion>,
    pub(super) events: Vec<KeptEvent>,
    /// Audit events known to have existed but not kept.
    pub events_lost: u32,
    pub(super) salvage_seq: u32,
    pub(super) audit_head: [u8; 32],
    pub(super) first_event_time: Option<u64>,
    /// The newest surviving metadata record and the copy it came from.
    pub meta: Option<(Meta, usize)>,
    /// The newest copy of the vault that opened.
    pub newest: Option<NewestCopy>,
    /// The highest generation of any copy that opened.
    pub opened: Option<u64>,
    /// How many copies opened.
    pub used: usize,
    pub(super) keys: Vec<Option<RecordKeys>>,
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

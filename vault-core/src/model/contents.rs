//! Reading every record of an unlocked file: strictly (the first record that fails to open
//! fails the whole, for a vault about to be changed) or tolerantly (every record that opens
//! is kept and every one that does not is listed, for a damaged backup).

use alloc::vec::Vec;

use zeroize::Zeroizing;

use super::entry::{OwnedEntry, OwnedEvent};
use crate::audit::{ChainError, ChainVerifier};
use crate::constants::ENTRY_ID_LEN;
use crate::error::Error;
use crate::format::{RecordKind, RecordRef};
use crate::records::{Meta, Record};
use crate::vault::UnlockedVault;

/// A buffer for one decrypted record at a time, large enough for every record of `file`'s
/// table, wiped when dropped.
pub(crate) fn record_buffer(unlocked: &UnlockedVault<'_>) -> Zeroizing<Vec<u8>> {
    let largest = unlocked
        .file()
        .records()
        .map(|r| UnlockedVault::buffer_len(&r))
        .max()
        .unwrap_or(0);
    Zeroizing::new(alloc::vec![0u8; largest])
}

/// Opens the record `r` of `unlocked` into `buf`, growing it if `r` needs more.
pub(crate) fn open<'b>(
    unlocked: &UnlockedVault<'_>,
    r: &RecordRef<'_>,
    buf: &'b mut Zeroizing<Vec<u8>>,
) -> Result<Record<'b>, Error> {
    let need = UnlockedVault::buffer_len(r);
    if buf.len() < need {
        // Replace rather than grow in place: a reallocation would leave the old bytes
        // behind unwiped.
        *buf = Zeroizing::new(alloc::vec![0u8; need]);
    }
    unlocked.open_record(r, &mut buf[..])
}

/// Reads the metadata record (record 0).
///
/// # Errors
/// The record's own error, or [`Error::Malformed`] when record 0 is not the metadata.
pub fn read_meta(unlocked: &UnlockedVault<'_>) -> Result<Meta, Error> {
    let first = unlocked.file().record(0).ok_or(Error::Malformed {
        reason: "no metadata record",
    })?;
    let mut buf = Zeroizing::new(Vec::new());
    match open(unlocked, &first, &mut buf)? {
        Record::Meta(m) => Ok(m),
        _ => Err(Error::Malformed {
            reason: "record 0 is not the metadata record",
        }),
    }
}

/// Reads the entry version in record `index`.
///
/// # Errors
/// The record's own error, or [`Error::InvalidInput`] when `index` is not an entry record.
pub fn read_entry(unlocked: &UnlockedVault<'_>, index: u32) -> Result<OwnedEntry, Error> {
    let not_entry = Error::InvalidInput {
        reason: "no entry record with that index",
    };
    let r = unlocked
        .file()
        .record(index)
        .filter(|r| r.entry.kind == RecordKind::Entry)
        .ok_or(not_entry)?;
    let mut buf = Zeroizing::new(Vec::new());
    match open(unlocked, &r, &mut buf)? {
        Record::Entry(e) => Ok(OwnedEntry::from_view(&e)),
        _ => Err(not_entry),
    }
}

/// A record that could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LostRecord {
    /// Position in the record table.
    pub index: u32,
    /// Its kind, from the table.
    pub kind: RecordKind,
    /// Entry id from the table (zero for other kinds).
    pub id: [u8; ENTRY_ID_LEN],
    /// Entry version or audit sequence number, from the table.
    pub seq: u32,
    /// Why it did not open.
    pub error: Error,
}

/// The verdict on an audit trail's hash chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainVerdict {
    /// Every event links to the one before and the metadata names the last.
    Valid,
    /// The first rule of the chain that the events break.
    Broken(ChainError),
    /// An audit record or the metadata record could not be read, so the trail cannot be
    /// judged.
    Incomplete,
}

impl ChainVerdict {
    /// Verifies `events` (in file order) against the head that `meta` names.
    #[must_use]
    pub fn of(events: &[OwnedEvent], meta: Option<&Meta>) -> Self {
        let mut verifier = ChainVerifier::new();
        for e in events {
            if let Err(e) = verifier.push(&e.view()) {
                return Self::Broken(e);
            }
        }
        match meta {
            Some(m) => match verifier.finish(m) {
                Ok(()) => Self::Valid,
                Err(e) => Self::Broken(e),
            },
            None => Self::Incomplete,
        }
    }
}

/// An entry version that opened, and where it is in its file.
#[derive(Clone, Debug)]
pub struct FoundEntry {
    /// Position in the record table.
    pub index: u32,
    /// The version.
    pub entry: OwnedEntry,
}

/// Everything a file holds that opened, and what did not.
#[derive(Debug)]
pub struct Contents {
    /// The metadata record, if it opened.
    pub meta: Option<Meta>,
    /// Every entry version that opened, in file order.
    pub entries: Vec<FoundEntry>,
    /// Every audit event that opened, in file order.
    pub events: Vec<OwnedEvent>,
    /// Every record that did not open, in file order.
    pub lost: Vec<LostRecord>,
    /// The audit trail's verdict.
    pub chain: ChainVerdict,
}

impl Contents {
    /// Opens every record of `unlocked`'s file; none failing stops the reading.
    #[must_use]
    pub fn read(unlocked: &UnlockedVault<'_>) -> Self {
        let mut buf = record_buffer(unlocked);
        let mut out = Self {
            meta: None,
            entries: Vec::new(),
            events: Vec::new(),
            lost: Vec::new(),
            chain: ChainVerdict::Valid,
        };
        let mut verifier = ChainVerifier::new();
        let mut chain = Ok(());
        for r in unlocked.file().records() {
            let opened = open(unlocked, &r, &mut buf);
            if let (Ok(Record::Audit(a)), Ok(())) = (&opened, &chain) {
                chain = verifier.push(a).map_err(ChainVerdict::Broken);
            }
            match opened {
                Ok(Record::Meta(m)) => out.meta = Some(m),
                Ok(Record::Entry(e)) => out.entries.push(FoundEntry {
                    index: r.index,
                    entry: OwnedEntry::from_view(&e),
                }),
                Ok(Record::Audit(a)) => out.events.push(OwnedEvent::from_view(&a)),
                Err(error) => {
                    // A lost audit or metadata record leaves the trail unjudged from here.
                    if r.entry.kind != RecordKind::Entry && chain.is_ok() {
                        chain = Err(ChainVerdict::Incomplete);
                    }
                    out.lost.push(LostRecord {
                        index: r.index,
                        kind: r.entry.kind,
                        id: r.entry.id,
                        seq: r.entry.seq,
                        error,
                    });
                }
            }
        }
        out.chain = match (chain, &out.meta) {
            (Err(v), _) => v,
            (Ok(()), None) => ChainVerdict::Incomplete,
            (Ok(()), Some(m)) => match verifier.finish(m) {
                Ok(()) => ChainVerdict::Valid,
                Err(e) => ChainVerdict::Broken(e),
            },
        };
        out
    }
}

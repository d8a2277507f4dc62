//! Reading a chosen record again: where it lies, the buffers it is read into, and opening
//! it with the keys of the copy it comes from.

use alloc::vec::Vec;

use zeroize::Zeroizing;

use super::{CopyRecords, Event, Found};
use crate::error::Error;
use crate::format::{RecordKind, TableEntry};
use crate::records::Record;
use crate::vault::RecordKeys;

/// An audit event of the chain kept: where it lies. That it is the same event when read
/// again is proven by the chain itself: every link verifies and the last hash is the head
/// found in the first pass.
#[derive(Clone, Copy, Debug)]
pub(super) struct KeptEvent {
    pub(super) seq: u32,
    pub(super) file: u32,
    pub(super) index: u32,
    pub(super) offset: u64,
    pub(super) length: u32,
}

impl KeptEvent {
    pub(super) fn table_entry(&self) -> TableEntry {
        audit_entry(self.seq, self.length)
    }
}

/// Buffers for reading records again: the record's bytes and its plaintext, wiped on drop.
pub(super) struct Reread {
    pub(super) record: Zeroizing<Vec<u8>>,
    pub(super) plain: Zeroizing<Vec<u8>>,
}

impl Reread {
    pub(super) fn new(largest: u32) -> Self {
        let n = largest as usize;
        Self {
            record: Zeroizing::new(alloc::vec![0u8; n]),
            plain: Zeroizing::new(alloc::vec![0u8; n]),
        }
    }
}

/// Reads record `index` of copy `file` again (at `offset`, described by `entry`) and
/// opens it with that copy's keys; `checksum` as in [`RecordKeys::open`].
pub(super) fn reopen<'b, S: CopyRecords + ?Sized>(
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
    pub(super) fn table_entry(&self) -> TableEntry {
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
    pub(super) fn table_entry(&self) -> TableEntry {
        audit_entry(self.seq, self.length)
    }
}

/// The table entry of audit event `seq`, `length` bytes long. Its checksum is not kept: an
/// event read again is proven the same by its hash, or by the chain.
fn audit_entry(seq: u32, length: u32) -> TableEntry {
    TableEntry {
        kind: RecordKind::Audit,
        length,
        id: [0; 16],
        seq,
        checksum: [0; 32],
    }
}

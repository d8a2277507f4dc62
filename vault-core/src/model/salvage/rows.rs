//! A copy's record table read again, row by row beside its records, by a reader that does
//! not hold the header meanwhile ([`TableRows`]).

use sha2::{Digest, Sha256};

use crate::constants::{HEADER_TAIL_LEN, MAX_RECORD_LEN, MIN_RECORD_LEN, TABLE_ENTRY_LEN};
use crate::format::{Header, TableEntry};

/// The record table of a copy taken without its header held
/// ([`Salvage::begin_rows`](super::Salvage::begin_rows)): each row is read again from the
/// copy alongside its record, and all of them together must be the rows of the header that
/// was authenticated when the copy was opened.
#[derive(Clone, Debug)]
pub struct TableRows {
    expected: [u8; 32],
    hash: Sha256,
    count: u32,
    next: u32,
    offset: u64,
    table_offset: u64,
    broken: bool,
}

/// Where one record lies in its copy, as a row read again describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordAt {
    /// Its index in the record table.
    pub index: u32,
    /// Its offset from the start of the copy.
    pub offset: u64,
    /// Its table entry.
    pub entry: TableEntry,
}

impl TableRows {
    /// The rows of `header` (authenticated), to be read again.
    pub(super) fn of(header: &Header<'_>) -> Self {
        let table = header.table_bytes();
        let table_offset = (header.len() - HEADER_TAIL_LEN - table.len()) as u64;
        TableRows {
            expected: Sha256::digest(table).into(),
            hash: Sha256::new(),
            count: header.record_count(),
            next: 0,
            offset: header.len() as u64,
            table_offset,
            broken: false,
        }
    }

    /// Where the rows start, in bytes from the start of the copy.
    #[must_use]
    pub fn table_offset(&self) -> u64 {
        self.table_offset
    }

    /// How many rows there are.
    #[must_use]
    pub fn count(&self) -> u32 {
        self.count
    }

    /// The next row, as read: where its record lies. `None` when the row cannot describe a
    /// record of this file (its kind or length is out of range, or every row was read):
    /// the table changed since it was authenticated, and [`TableRows::finish`] will say so.
    pub fn row(&mut self, bytes: &[u8; TABLE_ENTRY_LEN]) -> Option<RecordAt> {
        if self.next >= self.count {
            self.broken = true;
            return None;
        }
        self.hash.update(bytes);
        let entry = TableEntry::from_bytes(bytes)
            .filter(|e| (MIN_RECORD_LEN..=MAX_RECORD_LEN).contains(&(e.length as usize)));
        let Some(entry) = entry else {
            self.broken = true;
            return None;
        };
        let at = RecordAt {
            index: self.next,
            offset: self.offset,
            entry,
        };
        self.next += 1;
        self.offset = self.offset.saturating_add(u64::from(entry.length));
        Some(at)
    }

    /// Whether every row was read and they are exactly the rows of the authenticated
    /// header. If not, nothing taken from the copy may be kept
    /// ([`Salvage::abandon`](super::Salvage::abandon)).
    #[must_use]
    pub fn finish(self) -> bool {
        let got: [u8; 32] = self.hash.finalize().into();
        !self.broken && self.next == self.count && got == self.expected
    }
}

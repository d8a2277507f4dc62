//! A file read one record at a time from a [`ByteSource`]: each record opened as it
//! arrives and the whole file checked on the way ([`StreamCheck`]), so that a host never
//! holds the file whole.

use alloc::vec::Vec;

use zeroize::Zeroizing;

use super::stream::ByteSource;
use crate::error::Error;
use crate::format::{RecordRef, StreamCheck, Verification};
use crate::records::Record;
use crate::vault::UnlockedVault;

/// The records of an unlocked file, read in file order from the bytes after its first
/// header copy.
pub struct RecordReader<'u, 'f, S> {
    unlocked: &'u UnlockedVault<'f>,
    source: S,
    check: StreamCheck<'f>,
    record: Zeroizing<Vec<u8>>,
    buf: Zeroizing<Vec<u8>>,
    failed: bool,
}

impl<S> core::fmt::Debug for RecordReader<'_, '_, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RecordReader")
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

impl<'u, 'f, S: ByteSource> RecordReader<'u, 'f, S> {
    /// Starts reading `unlocked`'s records from `source`.
    pub fn new(unlocked: &'u UnlockedVault<'f>, source: S) -> Self {
        let largest = unlocked
            .file()
            .records()
            .map(|r| r.entry.length as usize)
            .max()
            .unwrap_or(0);
        Self {
            unlocked,
            source,
            check: StreamCheck::new(unlocked.file()),
            record: Zeroizing::new(alloc::vec![0u8; largest]),
            buf: Zeroizing::new(alloc::vec![0u8; largest]),
            failed: false,
        }
    }

    /// Whether the source failed or ended early.
    #[must_use]
    pub fn source_failed(&self) -> bool {
        self.failed
    }

    fn fill(&mut self, r: &RecordRef<'_>) -> Option<usize> {
        let len = r.entry.length as usize;
        let bytes = self.record.get_mut(..len)?;
        if !self.source.fill(bytes) {
            self.failed = true;
            return None;
        }
        self.check.update(bytes);
        Some(len)
    }

    /// Reads record `r` (the next one in file order) without opening it.
    pub fn skip(&mut self, r: &RecordRef<'_>) -> bool {
        self.fill(r).is_some()
    }

    /// Reads record `r` (the next one in file order) and opens it.
    ///
    /// # Errors
    /// [`Error::RecordMissing`] if the source ends or fails first; the record's own error.
    pub fn open(&mut self, r: &RecordRef<'_>) -> Result<Record<'_>, Error> {
        let len = self
            .fill(r)
            .ok_or(Error::RecordMissing { index: r.index })?;
        let bytes = &self.record[..len];
        self.unlocked
            .open_record(&(*r).with_bytes(bytes), &mut self.buf)
    }

    /// [`RecordReader::open`], returning the record's bytes as read too.
    ///
    /// # Errors
    /// As [`RecordReader::open`].
    pub fn open_with_bytes(&mut self, r: &RecordRef<'_>) -> Result<(Record<'_>, &[u8]), Error> {
        let len = self
            .fill(r)
            .ok_or(Error::RecordMissing { index: r.index })?;
        let bytes = &self.record[..len];
        let record = self
            .unlocked
            .open_record(&(*r).with_bytes(bytes), &mut self.buf)?;
        Ok((record, bytes))
    }

    /// Reads the rest of the file (the second header copy and the trailer): the keyless
    /// verification of everything read, or `None` if the file is not intact or the source
    /// failed.
    #[must_use]
    pub fn finish(mut self) -> Option<Verification> {
        let mut tail = [0u8; 8192];
        loop {
            match self.source.read_some(&mut tail)? {
                0 => break,
                n => self.check.update(&tail[..n]),
            }
        }
        self.check.finish()
    }
}

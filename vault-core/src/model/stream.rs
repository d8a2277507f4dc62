//! Reading a vault one record at a time, for hosts that do not hold the file whole: the
//! first header copy is parsed and unlocked by the caller, and the rest of the file comes
//! from a [`ByteSource`], each record opened as it arrives and the whole file checked on
//! the way ([`StreamCheck`]).

use super::reader::RecordReader;
use crate::format::{RecordKind, Verification};
use crate::records::{Meta, Record};
use crate::vault::UnlockedVault;

/// The bytes of a file after its first header copy.
pub trait ByteSource {
    /// Fills `buf` completely; `false` if the source ends or fails first.
    fn fill(&mut self, buf: &mut [u8]) -> bool;
    /// Reads at most `buf.len()` bytes: `Some(0)` at the end, `None` on failure.
    fn read_some(&mut self, buf: &mut [u8]) -> Option<usize>;
}

impl<S: ByteSource + ?Sized> ByteSource for &mut S {
    fn fill(&mut self, buf: &mut [u8]) -> bool {
        (**self).fill(buf)
    }

    fn read_some(&mut self, buf: &mut [u8]) -> Option<usize> {
        (**self).read_some(buf)
    }
}

/// Where [`read_records`] hands the entry and audit records it opens.
pub trait RecordSink {
    /// How many entry and audit records the file holds, before the first is handed over.
    fn sizes(&mut self, _entries: usize, _events: usize) {}
    /// One record, in file order; `false` stops the reading.
    fn record(&mut self, record: Record<'_>) -> bool;
}

/// Reads every record of `unlocked`'s file from `rest` (the bytes after its first header
/// copy), opening each and handing entries and audit events to `sink`, then the second
/// header copy and the trailer.
///
/// Returns the metadata record and the keyless verification — only if the first header
/// copy is intact, every record opens and the whole file is intact; otherwise `None` (the
/// caller reads the file whole to learn exactly what is wrong, or to salvage it).
pub fn read_records(
    unlocked: &UnlockedVault<'_>,
    rest: &mut impl ByteSource,
    sink: &mut dyn RecordSink,
) -> Option<(Meta, Verification)> {
    let header = unlocked.file().header();
    let count = |kind| {
        (0..header.record_count())
            .filter(|&i| header.table_entry(i).is_some_and(|e| e.kind == kind))
            .count()
    };
    sink.sizes(count(RecordKind::Entry), count(RecordKind::Audit));
    let mut reader = RecordReader::new(unlocked, rest);
    let mut meta = None;
    for r in unlocked.file().records() {
        match reader.open(&r).ok()? {
            Record::Meta(m) => meta = Some(m),
            other => {
                if !sink.record(other) {
                    return None;
                }
            }
        }
    }
    let verification = reader.finish()?;
    Some((meta?, verification))
}

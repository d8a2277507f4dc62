//! The vault as the command line holds it: the core's owned model
//! ([`vault_core::model`]), read from and written to files. What is the same for every host
//! (opening records, the audit verdict, salvage, comparison) is in the core; this module
//! adds what only the command line does: key derivation with a progress bar, reading a
//! file one record at a time from disk, and writing a vault to a file without holding it.

use std::io::{Read, Seek, SeekFrom, Write};

use rand_core::OsRng;
use vault_core::constants::{CHECKSUM_LEN, TABLE_ENTRY_LEN};
use vault_core::model::{read_records, ByteSource};
use vault_core::{
    Error, HeaderParams, PartState, Record, SlotKind, StreamWriter, UnlockedVault, VaultFile,
    Verification,
};
use zeroize::Zeroizing;

use crate::progress::{self, Progress};

pub use vault_core::model::{clean_detail, OwnedEntry, OwnedEvent, RecordSink, Vault};

/// The result of opening a file: the vault and what the keyless check found.
#[derive(Debug)]
pub struct Opened {
    /// The opened vault.
    pub vault: Vault,
    /// The keyless check of the file it came from.
    pub verification: Verification,
}

/// Which records [`VaultFiles::open_streaming`] keeps (it opens all of them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keep {
    /// Entry versions.
    pub entries: bool,
    /// Audit events.
    pub events: bool,
}

impl Keep {
    /// Every record: a vault that can be changed and written back.
    pub const ALL: Self = Self {
        entries: true,
        events: true,
    };
}

/// Why [`VaultFiles::write_to`] failed.
#[derive(Debug)]
pub enum WriteError {
    /// The vault breaks a limit of the format.
    Core(Error),
    /// The output failed.
    Io(std::io::Error),
}

impl From<Error> for WriteError {
    fn from(e: Error) -> Self {
        Self::Core(e)
    }
}

impl From<std::io::Error> for WriteError {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

/// The rest of a file after its first header copy (any reader), as the core's readers
/// take it ([`ByteSource`]); keeps the I/O error that stopped it, for the message.
#[derive(Debug)]
pub struct ReadSource<R> {
    inner: R,
    /// The error that ended the reading early, if one did.
    pub error: Option<std::io::Error>,
}

impl<R: Read> ReadSource<R> {
    /// Reads from `inner`.
    pub fn new(inner: R) -> Self {
        Self { inner, error: None }
    }

    /// The I/O error that ended the reading, or one saying the file ended early.
    pub fn take_error(&mut self) -> std::io::Error {
        self.error.take().unwrap_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the file ended early")
        })
    }
}

impl<R: Read> ByteSource for ReadSource<R> {
    fn fill(&mut self, buf: &mut [u8]) -> bool {
        match self.inner.read_exact(buf) {
            Ok(()) => true,
            Err(e) => {
                self.error = Some(e);
                false
            }
        }
    }

    fn read_some(&mut self, buf: &mut [u8]) -> Option<usize> {
        loop {
            match self.inner.read(buf) {
                Ok(n) => return Some(n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.error = Some(e);
                    return None;
                }
            }
        }
    }
}

/// Opening and writing the core's [`Vault`] with files and the command line's progress.
pub trait VaultFiles: Sized {
    /// Parses `bytes` (binary format) with the standard KDF bounds, opens it with a
    /// password, and opens every record.
    ///
    /// # Errors
    /// Any core error: parsing, a wrong password, or a record that fails to open.
    fn open(bytes: &[u8], password: &[u8], progress: Progress) -> Result<Opened, Error>;

    /// Opens a vault or backup whose first header copy (`head`, see
    /// [`files::read_head`](crate::files::read_head)) is already read, reading the rest from
    /// `rest` one record at a time, so that the file is never held whole: the memory a
    /// 10,000-entry vault needs is its header copy and the opened records. Records of a
    /// kind that `keep` leaves out are opened (authenticated and decoded) like every other
    /// record but not kept: for commands that only read (the result must not be written
    /// back; see [`crate::commands::read_vault`]).
    ///
    /// Returns `Ok(None)` — and the caller opens the whole file with [`VaultFiles::open`],
    /// which says exactly what is wrong — unless the first header copy is intact, every
    /// record opens and the rest of the file is intact. The errors it does return are those
    /// of unlocking, which depend on the header copy alone and are the same as
    /// [`VaultFiles::open`]'s.
    ///
    /// # Errors
    /// Unlocking: a wrong password, a refused KDF cost, a header that fails its MAC.
    fn open_streaming(
        head: &[u8],
        rest: &mut impl Read,
        password: &[u8],
        progress: Progress,
        keep: Keep,
    ) -> Result<Option<Opened>, Error>;

    /// The reading of [`VaultFiles::open_streaming`], handing each entry and audit record
    /// to `sink` in file order instead of keeping it. The vault returned has the metadata,
    /// keys and keyslots, and no entries or events.
    ///
    /// # Errors
    /// As [`VaultFiles::open_streaming`].
    fn open_streaming_with(
        head: &[u8],
        rest: &mut impl Read,
        password: &[u8],
        progress: Progress,
        sink: &mut dyn RecordSink,
    ) -> Result<Option<Opened>, Error>;

    /// [`VaultFiles::open_streaming_with`] opening the file through keyslot `index` with
    /// its slot key `key` (no key derivation): for checking a file just written with a
    /// keyslot whose key is at hand.
    ///
    /// # Errors
    /// As [`VaultFiles::open_streaming`].
    fn open_streaming_with_key(
        head: &[u8],
        rest: &mut impl Read,
        index: usize,
        key: &vault_core::SlotKey,
        sink: &mut dyn RecordSink,
    ) -> Result<Option<Opened>, Error>;

    /// Writes the whole vault as a new file into `out` (empty; it is sought in), one
    /// record at a time, every record encrypted with a fresh IV: the same file as
    /// [`Vault::serialize`] without holding it in memory. Returns the header copy written,
    /// for checking what reads back.
    ///
    /// # Errors
    /// [`WriteError::Core`] ([`Error::InvalidInput`]) if an entry breaks a limit of the
    /// format; [`WriteError::Io`] if `out` fails.
    fn write_to(
        &mut self,
        out: &mut (impl Write + Seek),
        written_at: u64,
    ) -> Result<Vec<u8>, WriteError>;
}

impl VaultFiles for Vault {
    fn open(bytes: &[u8], password: &[u8], progress: Progress) -> Result<Opened, Error> {
        let file = VaultFile::parse(bytes, &vault_core::KdfLimits::STANDARD)?;
        let verification = file.verify();
        let unlocked = progress::unlock(&file, SlotKind::Password, password, progress)?;
        Ok(Opened {
            vault: Vault::from_unlocked(&unlocked)?,
            verification,
        })
    }

    fn open_streaming(
        head: &[u8],
        rest: &mut impl Read,
        password: &[u8],
        progress: Progress,
        keep: Keep,
    ) -> Result<Option<Opened>, Error> {
        struct Keeper {
            keep: Keep,
            entries: Vec<OwnedEntry>,
            events: Vec<OwnedEvent>,
        }
        impl RecordSink for Keeper {
            fn sizes(&mut self, entries: usize, events: usize) {
                // Room for what a command adds (a new entry or version, its event), so
                // that adding one does not double a vector's capacity.
                if self.keep.entries {
                    self.entries.reserve_exact(entries + 2);
                }
                if self.keep.events {
                    self.events.reserve_exact(events + 2);
                }
            }
            fn record(&mut self, record: Record<'_>) -> bool {
                match record {
                    Record::Entry(e) if self.keep.entries => {
                        self.entries.push(OwnedEntry::from_view(&e));
                    }
                    Record::Audit(a) if self.keep.events => {
                        self.events.push(OwnedEvent::from_view(&a));
                    }
                    _ => {}
                }
                true
            }
        }
        let mut keeper = Keeper {
            keep,
            entries: Vec::new(),
            events: Vec::new(),
        };
        let opened = Self::open_streaming_with(head, rest, password, progress, &mut keeper)?;
        Ok(opened.map(|mut o| {
            o.vault.entries = keeper.entries;
            o.vault.events = keeper.events;
            o
        }))
    }

    fn open_streaming_with(
        head: &[u8],
        rest: &mut impl Read,
        password: &[u8],
        progress: Progress,
        sink: &mut dyn RecordSink,
    ) -> Result<Option<Opened>, Error> {
        open_streaming_unlocking(head, rest, sink, |file| {
            progress::unlock(file, SlotKind::Password, password, progress)
        })
    }

    fn open_streaming_with_key(
        head: &[u8],
        rest: &mut impl Read,
        index: usize,
        key: &vault_core::SlotKey,
        sink: &mut dyn RecordSink,
    ) -> Result<Option<Opened>, Error> {
        open_streaming_unlocking(head, rest, sink, |file| {
            file.unlock_with_slot_key(index, key)
        })
    }

    fn write_to(
        &mut self,
        out: &mut (impl Write + Seek),
        written_at: u64,
    ) -> Result<Vec<u8>, WriteError> {
        self.sort();
        let layout = self.layout();
        layout.file_len().ok_or(Error::InvalidInput {
            reason: "too many records for one file",
        })?;
        let params = HeaderParams {
            vault_id: self.vault_id,
            generation: self.generation,
            written_at,
        };
        // Each record's plaintext is encoded and encrypted in place here (wiped on drop),
        // so it holds the largest record this vault has.
        let largest = self
            .entries
            .iter()
            .map(|e| e.view().plaintext_len())
            .chain(self.events.iter().map(|e| e.view().plaintext_len()))
            .fold(vault_core::constants::META_LEN, usize::max);
        let mut rec = Zeroizing::new(vec![0u8; vault_core::format::record_len(largest)]);
        let (vault, rec) = (&*self, &mut rec);
        write_streamed(
            out,
            &vault.vmk,
            &params,
            &vault.slots,
            layout.records(),
            |w, body| {
                let n = w.push_meta(&vault.meta, &mut OsRng, rec)?;
                body(&rec[..n])?;
                for e in &vault.entries {
                    let n = w.push_entry(&e.view(), &mut OsRng, rec)?;
                    body(&rec[..n])?;
                }
                for e in &vault.events {
                    let n = w.push_audit(&e.view(), &mut OsRng, rec)?;
                    body(&rec[..n])?;
                }
                Ok(())
            },
        )
    }
}

/// Writes a file of `record_count` records without holding it: room for the first header
/// copy, then each record as `fill` seals it through the writer and hands it to `body`,
/// then the second header copy and the trailer, and at last the first header copy. Returns
/// that header.
///
/// # Errors
/// The writer's, `fill`'s and the output's errors.
pub fn write_streamed(
    out: &mut (impl Write + Seek),
    vmk: &vault_core::VaultMasterKey,
    params: &HeaderParams,
    slots: &[vault_core::SealedSlot],
    record_count: u32,
    fill: impl FnOnce(
        &mut StreamWriter<'_>,
        &mut dyn FnMut(&[u8]) -> Result<(), WriteError>,
    ) -> Result<(), WriteError>,
) -> Result<Vec<u8>, WriteError> {
    let header_len =
        vault_core::format::header_len(slots.len(), record_count).ok_or(Error::InvalidInput {
            reason: "too many records for one file",
        })?;
    let mut header = vec![0u8; header_len];
    let mut w = StreamWriter::new(&mut header, vmk, params, slots, record_count)?;
    out.seek(SeekFrom::Start(header_len as u64))?;
    let mut body = std::io::BufWriter::with_capacity(16 * 1024, &mut *out);
    fill(&mut w, &mut |rec| Ok(body.write_all(rec)?))?;
    let (head, trailer) = w.finish()?;
    body.write_all(head)?;
    body.write_all(&trailer)?;
    body.flush()?;
    drop(body);
    out.seek(SeekFrom::Start(0))?;
    out.write_all(head)?;
    Ok(header)
}

/// [`write_streamed`] without holding the record table: each record's row goes to `rows`
/// (an empty scratch file) as it is sealed, the writer reads them back to seal the
/// header, and both header copies are written from there. `fill` hands each record to
/// `body` with its row. Returns the header checksum, for reading the file back.
///
/// # Errors
/// The writer's, `fill`'s and the files' errors.
pub fn write_without_table(
    out: &mut (impl Write + Seek),
    rows: &mut (impl Read + Write + Seek),
    vmk: &vault_core::VaultMasterKey,
    params: &HeaderParams,
    slots: &[vault_core::SealedSlot],
    record_count: u32,
    fill: impl FnOnce(
        &mut StreamWriter<'_>,
        &mut dyn FnMut(&[u8], Option<[u8; TABLE_ENTRY_LEN]>) -> Result<(), WriteError>,
    ) -> Result<(), WriteError>,
) -> Result<[u8; CHECKSUM_LEN], WriteError> {
    let header_len =
        vault_core::format::header_len(slots.len(), record_count).ok_or(Error::InvalidInput {
            reason: "too many records for one file",
        })?;
    let mut prefix = vec![0u8; StreamWriter::table_start(slots.len())];
    let mut w = StreamWriter::new_without_table(&mut prefix, vmk, params, slots, record_count)?;
    out.seek(SeekFrom::Start(header_len as u64))?;
    let body_end = {
        let mut body = std::io::BufWriter::with_capacity(16 * 1024, &mut *out);
        let mut table = std::io::BufWriter::with_capacity(16 * 1024, &mut *rows);
        fill(&mut w, &mut |rec, row| {
            let row = row.ok_or(Error::InvalidInput {
                reason: "a record without its table row",
            })?;
            body.write_all(rec)?;
            table.write_all(&row)?;
            Ok(())
        })?;
        table.flush()?;
        body.stream_position()?
    };
    let mut failed = None;
    let mut read_rows = |first: u32, buf: &mut [u8]| {
        let at = (TABLE_ENTRY_LEN as u64) * u64::from(first);
        let read = rows
            .seek(SeekFrom::Start(at))
            .and_then(|_| rows.read_exact(buf));
        read.map_err(|e| failed = Some(e)).is_ok()
    };
    let sealed = w.finish_rows(&mut read_rows);
    let vault_core::writer::SealedHeader {
        start,
        end: tail,
        trailer,
    } = match (sealed, failed) {
        (Ok(s), _) => s,
        (Err(_), Some(e)) => return Err(WriteError::Io(e)),
        (Err(e), None) => return Err(WriteError::Core(e)),
    };
    let table_len = (TABLE_ENTRY_LEN as u64) * u64::from(record_count);
    for at in [body_end, 0] {
        out.seek(SeekFrom::Start(at))?;
        out.write_all(start)?;
        rows.seek(SeekFrom::Start(0))?;
        let copied = std::io::copy(&mut Read::by_ref(rows).take(table_len), out)?;
        if copied != table_len {
            return Err(WriteError::Io(std::io::ErrorKind::UnexpectedEof.into()));
        }
        out.write_all(&tail)?;
        if at == body_end {
            out.write_all(&trailer)?;
        }
    }
    let mut checksum = [0u8; CHECKSUM_LEN];
    checksum.copy_from_slice(&tail[tail.len() - CHECKSUM_LEN..]);
    Ok(checksum)
}

fn open_streaming_unlocking<'f>(
    head: &'f [u8],
    rest: &mut impl Read,
    sink: &mut dyn RecordSink,
    unlock: impl FnOnce(&VaultFile<'f>) -> Result<UnlockedVault<'f>, Error>,
) -> Result<Option<Opened>, Error> {
    let Ok(file) = VaultFile::parse(head, &vault_core::KdfLimits::STANDARD) else {
        return Ok(None);
    };
    if file.header_copies().0 != PartState::Intact {
        return Ok(None);
    }
    let unlocked = unlock(&file)?;
    Ok(
        read_records(&unlocked, &mut ReadSource::new(rest), sink).map(|(meta, verification)| {
            Opened {
                vault: Vault::skeleton(&unlocked, meta),
                verification,
            }
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use vault_core::{EntryKind, EntryStatus};

    #[test]
    fn debug_shows_no_secret() {
        let e = OwnedEntry {
            id: [1; 16],
            version: 1,
            kind: EntryKind::Password,
            status: EntryStatus::Active,
            name: "root".into(),
            secret: Zeroizing::new(b"hunter2".to_vec()),
            created_at: 0,
            rotated_at: 0,
            policy_days: 0,
        };
        let s = format!("{e:?}");
        assert!(s.contains("root") && !s.contains("hunter2") && !s.contains("104, 117"));
    }

    #[test]
    fn details_are_cut_and_cleaned() {
        assert_eq!(clean_detail("a\nb"), "a b");
        let long = "é".repeat(200);
        let d = clean_detail(&long);
        assert!(d.len() <= vault_core::constants::MAX_AUDIT_DETAIL_LEN);
        assert_eq!(d.chars().count(), 128);
    }
}

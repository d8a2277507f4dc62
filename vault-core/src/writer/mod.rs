//! Writing a file into a caller buffer: keyslots sealed around the master key, records
//! encrypted in place one by one, then the header MAC, both header copies and the trailer.

use core::fmt;

mod slot;
mod stream;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests;

pub use slot::SealedSlot;
pub use stream::{SealedHeader, StreamWriter};

use rand_core::CryptoRngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use crate::constants::*;
use crate::error::Error;
use crate::format::{
    self, RecordKind, RecordRef, SlotKind, SlotView, TableEntry, H_BODY_LEN, H_GENERATION,
    H_HEADER_LEN, H_RECORD_COUNT, H_SLOT_COUNT, H_VAULT_ID, H_VERSION, H_WRITTEN_AT,
    KDF_PBKDF2_SHA256, S_ITERATIONS, S_IV, S_KDF, S_KIND, S_MAC, S_SALT, S_WRAPPED, TR_BODY_LEN,
    TR_CHECKSUM, TR_HEADER_LEN, T_AUTHENTICATED_LEN,
};
use crate::kdf::{Argon2Block, KdfLimits, Pbkdf2, SlotKdf};
use crate::records::{AuditEvent, Entry, Meta};
use crate::sealing::{cbc_encrypt_in_place, hmac_sha256, sha256, HmacSha256};
use crate::secrets::{CheckKey, SlotKey, SlotKeys, VaultKeys, VaultMasterKey};
use crate::vault::authenticate_record;

/// The public fields of a header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeaderParams {
    /// The vault's random id (kept by its backups).
    pub vault_id: [u8; VAULT_ID_LEN],
    /// Write counter; raise it on every change.
    pub generation: u64,
    /// Seconds since the Unix epoch.
    pub written_at: u64,
}

/// The sizes a file will have, computed before writing so the caller can size its buffer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    slots: usize,
    records: u32,
    body_len: u64,
}

impl Layout {
    /// A layout with `slots` keyslots and the metadata record.
    #[must_use]
    pub fn new(slots: usize) -> Self {
        Self {
            slots,
            records: 1,
            body_len: format::record_len(META_LEN) as u64,
        }
    }

    /// Adds an entry record.
    pub fn add_entry(&mut self, entry: &Entry<'_>) {
        self.add(entry.plaintext_len());
    }

    /// Adds an audit record.
    pub fn add_audit(&mut self, event: &AuditEvent<'_>) {
        self.add(event.plaintext_len());
    }

    fn add(&mut self, plaintext_len: usize) {
        self.records = self.records.saturating_add(1);
        self.body_len += format::record_len(plaintext_len) as u64;
    }

    /// Number of records, the metadata record included.
    #[must_use]
    pub fn records(&self) -> u32 {
        self.records
    }

    /// The total file length, or `None` if the counts exceed the format's limits.
    #[must_use]
    pub fn file_len(&self) -> Option<usize> {
        let h = format::header_len(self.slots, self.records)?;
        usize::try_from(format::file_len(h, self.body_len)?).ok()
    }
}

/// Writes one file into a caller buffer. Create with [`VaultWriter::new`] (which writes
/// the metadata record), push entries in ascending `(id, version)` order, then audit
/// events in ascending sequence order, and [`VaultWriter::finish`]. Built on
/// [`StreamWriter`], which writes the same file without holding it whole.
pub struct VaultWriter<'o> {
    stream: StreamWriter<'o>,
    /// Everything after the first header copy.
    body: &'o mut [u8],
    /// Bytes of `body` written.
    pos: usize,
}

impl fmt::Debug for VaultWriter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VaultWriter")
            .field("record_count", &self.stream.record_count)
            .field("written", &self.stream.written)
            .finish_non_exhaustive()
    }
}

impl<'o> VaultWriter<'o> {
    /// Starts a file with `slots` and room for `record_count` records (the metadata record
    /// included; see [`Layout::records`]), and writes the metadata record.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for bad counts or slots (none, more than 8, two recovery
    /// slots); [`Error::BufferTooSmall`].
    pub fn new(
        out: &'o mut [u8],
        vmk: &VaultMasterKey,
        params: &HeaderParams,
        slots: &[SealedSlot],
        meta: &Meta,
        record_count: u32,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self, Error> {
        let header_len = StreamWriter::check(slots, record_count)?;
        let needed = header_len + format::record_len(META_LEN);
        if out.len() < needed {
            return Err(Error::BufferTooSmall { needed });
        }
        let (header, body) = out.split_at_mut(header_len);
        let mut stream = StreamWriter::new(header, vmk, params, slots, record_count)?;
        let pos = stream.push_meta(meta, rng, body)?;
        Ok(Self { stream, body, pos })
    }

    /// Encrypts and appends one entry version.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if the entry breaks a limit or the canonical order, or
    /// more records are pushed than declared; [`Error::BufferTooSmall`].
    pub fn push_entry(
        &mut self,
        entry: &Entry<'_>,
        rng: &mut impl CryptoRngCore,
    ) -> Result<(), Error> {
        let r = self
            .stream
            .push_entry(entry, rng, &mut self.body[self.pos..]);
        self.advance(r)
    }

    /// Encrypts and appends one audit event.
    ///
    /// # Errors
    /// As [`VaultWriter::push_entry`].
    pub fn push_audit(
        &mut self,
        event: &AuditEvent<'_>,
        rng: &mut impl CryptoRngCore,
    ) -> Result<(), Error> {
        let r = self
            .stream
            .push_audit(event, rng, &mut self.body[self.pos..]);
        self.advance(r)
    }

    /// Copies a record of another file of this vault unchanged, once its MAC checks (see
    /// [`StreamWriter::push_verbatim`]).
    pub(crate) fn push_verbatim(&mut self, record: &RecordRef<'_>) -> Result<(), Error> {
        let r = self
            .stream
            .push_verbatim(record, &mut self.body[self.pos..]);
        self.advance(r)
    }

    /// Moves past a record the stream wrote into the body; a buffer error names the
    /// length the whole file needs so far.
    fn advance(&mut self, written: Result<usize, Error>) -> Result<(), Error> {
        match written {
            Ok(n) => {
                self.pos += n;
                Ok(())
            }
            Err(Error::BufferTooSmall { needed }) => Err(Error::BufferTooSmall {
                needed: self.stream.header_len + self.pos + needed,
            }),
            Err(e) => Err(e),
        }
    }

    /// Writes the header MAC and checksum, the second header copy and the trailer;
    /// returns the file length.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if fewer records were pushed than declared;
    /// [`Error::BufferTooSmall`].
    pub fn finish(self) -> Result<usize, Error> {
        if self.stream.written != self.stream.record_count {
            return Err(Error::InvalidInput {
                reason: "fewer records than declared",
            });
        }
        let h = self.stream.header_len;
        let (pos, body) = (self.pos, self.body);
        let total = h + pos + h + TRAILER_LEN;
        if body.len() < pos + h + TRAILER_LEN {
            return Err(Error::BufferTooSmall { needed: total });
        }
        let (header, trailer) = self.stream.finish()?;
        body[pos..pos + h].copy_from_slice(header);
        body[pos + h..pos + h + TRAILER_LEN].copy_from_slice(&trailer);
        Ok(total)
    }
}

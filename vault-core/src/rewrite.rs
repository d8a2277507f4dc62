//! Writing an opened file out again with new keyslots: a changed password, a restored or
//! recovered vault, a new master key. Every record is authenticated on the way; none is
//! dropped. With the same master key the records are copied unchanged (a password change
//! does not re-encrypt them); with a new one each is re-encrypted under a fresh IV.

use rand_core::CryptoRngCore;

use crate::constants::{FORMAT_VERSION, META_LEN};
use crate::error::Error;
use crate::format;
use crate::records::{AuditEvent, Record};
use crate::secrets::VaultMasterKey;
use crate::vault::UnlockedVault;
use crate::writer::{HeaderParams, SealedSlot, VaultWriter};

/// What a rewrite changes.
#[derive(Clone, Copy, Debug)]
pub struct Rewrite<'s> {
    /// The new header's public fields. The vault id must stay the same when the master key
    /// is kept.
    pub params: HeaderParams,
    /// The new file's keyslots, sealed around the master key the new file uses.
    pub slots: &'s [SealedSlot],
    /// A new master key (every record re-encrypted), or `None` to keep the current one
    /// (records copied unchanged).
    pub new_master_key: Option<&'s VaultMasterKey>,
    /// An audit event to append. Its `seq` must be the metadata's `audit_next_seq` and its
    /// `prev_hash` the metadata's `audit_head`; the metadata is updated to follow it.
    pub event: Option<AuditEvent<'s>>,
}

impl UnlockedVault<'_> {
    /// Bytes of scratch buffer [`UnlockedVault::rewrite`] needs: the largest record's
    /// ciphertext.
    #[must_use]
    pub fn scratch_len(&self) -> usize {
        self.file()
            .records()
            .map(|r| Self::buffer_len(&r))
            .max()
            .unwrap_or(0)
            .max(META_LEN + 16)
    }

    /// Length of the file [`UnlockedVault::rewrite`] writes for `rewrite`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if the new counts exceed the format's limits.
    pub fn rewrite_len(&self, rewrite: &Rewrite<'_>) -> Result<usize, Error> {
        let h = self.file().header();
        let mut records = h.record_count();
        let mut body = h.body_len();
        if let Some(event) = &rewrite.event {
            records += 1;
            body += format::record_len(event.plaintext_len()) as u64;
        }
        format::header_len(rewrite.slots.len(), records)
            .and_then(|hl| format::file_len(hl, body))
            .and_then(|n| usize::try_from(n).ok())
            .ok_or(Error::InvalidInput {
                reason: "too many keyslots or records",
            })
    }

    /// Writes this vault into `out` (at least [`UnlockedVault::rewrite_len`] bytes) with
    /// the changes in `rewrite`, using `scratch` (at least
    /// [`UnlockedVault::scratch_len`] bytes, wiped on return) to authenticate and decrypt
    /// each record. Returns the new file's length.
    ///
    /// # Errors
    /// Any record error (a damaged record stops the rewrite: nothing is silently dropped),
    /// [`Error::InvalidInput`] for an inconsistent request, [`Error::BufferTooSmall`].
    pub fn rewrite(
        &self,
        out: &mut [u8],
        scratch: &mut [u8],
        rewrite: &Rewrite<'_>,
        rng: &mut impl CryptoRngCore,
    ) -> Result<usize, Error> {
        let result = self.rewrite_inner(out, scratch, rewrite, rng);
        scratch.fill(0);
        result
    }

    fn rewrite_inner(
        &self,
        out: &mut [u8],
        scratch: &mut [u8],
        rw: &Rewrite<'_>,
        rng: &mut impl CryptoRngCore,
    ) -> Result<usize, Error> {
        let file = *self.file();
        let same_key = rw.new_master_key.is_none();
        // Records are copied unchanged only between files of the current format version; a
        // version-1 entry stores its check value differently, so it is re-encrypted.
        let verbatim = same_key && file.header().version() == FORMAT_VERSION;
        if same_key && rw.params.vault_id != file.header().vault_id() {
            return Err(Error::InvalidInput {
                reason: "keeping the master key requires keeping the vault id",
            });
        }
        let mut records = file.records();
        let first = records.next().ok_or(Error::Malformed {
            reason: "no metadata record",
        })?;
        let mut meta = match self.open_record(&first, scratch)? {
            Record::Meta(m) => m,
            _ => {
                return Err(Error::Malformed {
                    reason: "record 0 is not the metadata record",
                })
            }
        };
        if let Some(event) = &rw.event {
            if event.seq != meta.audit_next_seq || event.prev_hash != meta.audit_head {
                return Err(Error::InvalidInput {
                    reason: "the new audit event does not follow the chain",
                });
            }
            meta.audit_next_seq = event.seq.checked_add(1).ok_or(Error::InvalidInput {
                reason: "audit sequence exhausted",
            })?;
            meta.audit_head = event.hash();
        }
        let mut layout_records = file.header().record_count();
        if rw.event.is_some() {
            layout_records += 1;
        }
        let vmk = rw.new_master_key.unwrap_or(self.master_key());
        let mut w = VaultWriter::new(out, vmk, &rw.params, rw.slots, &meta, layout_records, rng)?;
        drop(meta);
        for r in records {
            let decoded = self.open_record(&r, scratch)?;
            match (verbatim, decoded) {
                (true, _) => w.push_verbatim(&r)?,
                (false, Record::Entry(e)) => w.push_entry(&e, rng)?,
                (false, Record::Audit(a)) => w.push_audit(&a, rng)?,
                (false, Record::Meta(_)) => {
                    return Err(Error::RecordMalformed {
                        index: r.index,
                        reason: "a second metadata record",
                    })
                }
            }
        }
        if let Some(event) = &rw.event {
            w.push_audit(event, rng)?;
        }
        w.finish()
    }
}

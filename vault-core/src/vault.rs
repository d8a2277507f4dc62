//! Opening a parsed file with a secret: keyslot unwrapping, the header MAC, and record
//! decryption, each MAC checked in constant time before anything is decrypted.

use core::fmt;

use zeroize::Zeroize;

use crate::constants::*;
use crate::error::Error;
use crate::format::{array, RecordKind, RecordRef, SlotKind, SlotView, VaultFile};
use crate::kdf::{Argon2Block, Pbkdf2, SlotKdf};
use crate::records::{AuditEvent, Entry, Meta, Record};
use crate::sealing::{cbc_decrypt_in_place, sha256, verify_hmac_sha256};
use crate::secrets::{SlotKey, SlotKeys, VaultKeys, VaultMasterKey};

/// A file opened with a password or recovery secret: the master key is known and the
/// header MAC has verified. Records are decrypted on demand into caller buffers.
pub struct UnlockedVault<'a> {
    file: VaultFile<'a>,
    keys: VaultKeys,
    slot: u8,
}

impl fmt::Debug for UnlockedVault<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnlockedVault")
            .field("file", &self.file)
            .field("slot", &self.slot)
            .finish_non_exhaustive()
    }
}

/// Tries to unwrap the master key from `slot` with `slot_key`. `None` if the slot's MAC
/// does not verify (wrong secret), checked before decryption.
fn unwrap_slot(
    slot: &SlotView<'_>,
    slot_key: &SlotKey,
    vault_id: &[u8; VAULT_ID_LEN],
) -> Option<VaultMasterKey> {
    let keys = SlotKeys::derive(slot_key);
    if !verify_hmac_sha256(&keys.mac.0, &[vault_id, slot.authenticated()], slot.mac()) {
        return None;
    }
    let mut buf = [0u8; WRAPPED_KEY_LEN];
    buf.copy_from_slice(slot.wrapped());
    let n = cbc_decrypt_in_place(&keys.enc.0, &slot.iv(), &mut buf);
    let vmk = match n {
        Some(KEY_LEN) => Some(VaultMasterKey::from_bytes(array(&buf, 0))),
        _ => None,
    };
    buf.zeroize();
    vmk
}

/// Authenticates `record` under the record MAC key `mac_key`, for a table entry whose
/// authenticated part (every field but the checksum) is `authenticated`, and checks that
/// its bytes hash to the table's checksum. Returns its IV and ciphertext, to be decrypted
/// only now.
///
/// The MAC proves the record was written by a holder of the master key for this vault,
/// kind, length, id and sequence number; the checksum, bound by the header MAC, proves it
/// is the very record this header lists and not an older or newer one with the same
/// description. Both are required; the pair of results tells damage, forgery and
/// substitution apart.
///
/// # Errors
/// [`Error::RecordMissing`], [`Error::RecordDamaged`] (both fail, or the length is not the
/// table's), [`Error::RecordAuthFailed`] (the checksum holds, the MAC fails),
/// [`Error::RecordForeign`] (the MAC holds, the checksum fails).
pub(crate) fn authenticate_record<'r>(
    mac_key: &[u8],
    vault_id: &[u8; VAULT_ID_LEN],
    authenticated: &[u8],
    record: &RecordRef<'r>,
) -> Result<(&'r [u8], &'r [u8]), Error> {
    let index = record.index;
    let bytes = record.bytes.ok_or(Error::RecordMissing { index })?;
    let len = bytes.len();
    if len != record.entry.length as usize || len < BLOCK_LEN + MAC_LEN {
        return Err(Error::RecordDamaged { index });
    }
    let (iv, rest) = bytes.split_at(BLOCK_LEN);
    let (ct, tag) = rest.split_at(len - BLOCK_LEN - MAC_LEN);
    let mac_ok = verify_hmac_sha256(mac_key, &[vault_id, authenticated, iv, ct], tag);
    // The checksum is public (it is in the header), so comparing it need not be constant
    // time; it is computed whatever the MAC says, so both outcomes cost the same.
    let sum_ok = sha256(bytes) == record.entry.checksum;
    match (mac_ok, sum_ok) {
        (true, true) => Ok((iv, ct)),
        (true, false) => Err(Error::RecordForeign { index }),
        (false, true) => Err(Error::RecordAuthFailed { index }),
        (false, false) => Err(Error::RecordDamaged { index }),
    }
}

impl<'a> VaultFile<'a> {
    /// Opens the file with a password (`kind = Password`) or the 16-byte recovery secret
    /// (`kind = Recovery`), trying every keyslot of that kind. Runs the slot's KDF once per
    /// slot tried; the cost of every slot was checked when the file was parsed. Supplies
    /// no memory for Argon2id: see [`VaultFile::unlock_with_memory`].
    ///
    /// # Errors
    /// [`Error::KdfMemoryUnavailable`] if only Argon2id slots could have accepted it;
    /// [`Error::NoSuchSlot`] if no slot has that kind; [`Error::WrongSecret`] if none
    /// accepts the secret (the slots are intact: the header passed its checksum);
    /// [`Error::HeaderAuthFailed`] if a slot accepts it but the header MAC fails.
    pub fn unlock(&self, kind: SlotKind, secret: &[u8]) -> Result<UnlockedVault<'a>, Error> {
        self.unlock_with_progress(kind, secret, &mut |_, _| {})
    }

    /// As [`VaultFile::unlock`], calling `progress(done, total)` every 10,000 PBKDF2
    /// iterations and once at the end of each keyslot tried, so a caller can draw a
    /// progress bar. `total` is the iteration count of the slot being tried.
    ///
    /// Supplies no memory for Argon2id: see [`VaultFile::unlock_with_memory`].
    ///
    /// # Errors
    /// As [`VaultFile::unlock_with_memory`].
    pub fn unlock_with_progress(
        &self,
        kind: SlotKind,
        secret: &[u8],
        progress: &mut dyn FnMut(u32, u32),
    ) -> Result<UnlockedVault<'a>, Error> {
        self.unlock_with_memory(kind, secret, &mut [], progress)
    }

    /// Memory blocks (1 KiB each) that [`VaultFile::unlock_with_memory`] needs to try every
    /// keyslot of `kind`: the largest Argon2id memory among them, 0 if they are all PBKDF2.
    /// Bounded by the format (at most 2 GiB), checked when the file was parsed.
    #[must_use]
    pub fn kdf_memory_blocks(&self, kind: SlotKind) -> usize {
        self.header
            .slots()
            .filter(|s| s.kind() == kind)
            .map(|s| s.kdf().memory_blocks())
            .max()
            .unwrap_or(0)
    }

    /// Opens the file with a password or the recovery secret, trying every keyslot of
    /// `kind`, with `memory` as the working memory of Argon2id slots (at least
    /// [`VaultFile::kdf_memory_blocks`] blocks; wiped after each use).
    ///
    /// `progress(done, total)` is called as in [`VaultFile::unlock_with_progress`] for a
    /// PBKDF2 slot; an Argon2id slot runs in one call, reported as `(0, passes)` before
    /// and `(passes, passes)` after it.
    ///
    /// A slot whose Argon2id needs more memory than `memory` holds is passed over; if no
    /// other slot opens, the error is [`Error::KdfMemoryUnavailable`], so a reader with
    /// no memory to spare (a microcontroller) tells the user to use the recovery slot,
    /// not that the password is wrong.
    ///
    /// # Errors
    /// [`Error::NoSuchSlot`] if no slot has that kind; [`Error::WrongSecret`] if none
    /// accepts the secret (the slots are intact: the header passed its checksum);
    /// [`Error::KdfMemoryUnavailable`] (above); [`Error::HeaderAuthFailed`] if a slot
    /// accepts it but the header MAC fails.
    pub fn unlock_with_memory(
        &self,
        kind: SlotKind,
        secret: &[u8],
        memory: &mut [Argon2Block],
        progress: &mut dyn FnMut(u32, u32),
    ) -> Result<UnlockedVault<'a>, Error> {
        const CHUNK: u32 = 10_000;
        let mut any = false;
        let mut short_of_memory = None;
        for slot in self.header.slots().filter(|s| s.kind() == kind) {
            any = true;
            let key = match slot.kdf() {
                SlotKdf::Pbkdf2 { iterations } => {
                    let mut job = Pbkdf2::new(secret, &slot.salt(), iterations, &self.limits)?;
                    while job.step(CHUNK) > 0 {
                        progress(job.total() - job.remaining(), job.total());
                    }
                    progress(job.total(), job.total());
                    job.finish()
                }
                kdf @ SlotKdf::Argon2id(params) => {
                    // Costs and memory are checked before anything is computed.
                    self.limits.check_kdf(&kdf)?;
                    if memory.len() < params.blocks() {
                        short_of_memory = Some(Error::KdfMemoryUnavailable {
                            needed_kib: u32::try_from(params.blocks()).unwrap_or(u32::MAX),
                        });
                        continue;
                    }
                    progress(0, params.passes);
                    let key = kdf.derive(secret, &slot.salt(), &self.limits, memory)?;
                    progress(params.passes, params.passes);
                    key
                }
            };
            match self.unlock_with_slot_key(slot.index() as usize, &key) {
                Err(Error::WrongSecret) => continue,
                other => return other,
            }
        }
        Err(match (any, short_of_memory) {
            (false, _) => Error::NoSuchSlot,
            (true, Some(e)) => e,
            (true, None) => Error::WrongSecret,
        })
    }

    /// Opens the file through keyslot `slot` with a key the caller derived itself (for
    /// example in steps with [`Pbkdf2`], or with the browser's WebCrypto) with the slot's
    /// KDF ([`crate::format::SlotView::kdf`]): for PBKDF2,
    /// `PBKDF2-HMAC-SHA256(secret, slot.salt(), slot.iterations(), 32)`.
    ///
    /// # Errors
    /// As [`VaultFile::unlock`], for this one slot.
    pub fn unlock_with_slot_key(
        &self,
        slot: usize,
        slot_key: &SlotKey,
    ) -> Result<UnlockedVault<'a>, Error> {
        let view = self.header.slot(slot).ok_or(Error::NoSuchSlot)?;
        let vmk =
            unwrap_slot(&view, slot_key, &self.header.vault_id()).ok_or(Error::WrongSecret)?;
        let keys = VaultKeys::derive(&vmk);
        drop(vmk);
        if !verify_hmac_sha256(
            &keys.header_mac.0,
            &[self.header.mac_input()],
            self.header.mac(),
        ) {
            return Err(Error::HeaderAuthFailed);
        }
        Ok(UnlockedVault {
            file: *self,
            keys,
            slot: view.index(),
        })
    }
}

impl<'a> UnlockedVault<'a> {
    /// The parsed file.
    #[must_use]
    pub fn file(&self) -> &VaultFile<'a> {
        &self.file
    }

    /// The keyslot that opened the file.
    #[must_use]
    pub fn slot_index(&self) -> u8 {
        self.slot
    }

    /// The master key, for writing a new file (a changed vault, a backup, a rewrapped
    /// keyslot).
    ///
    /// # Security
    /// Secret. Clone it only into types that wipe themselves.
    #[must_use]
    pub fn master_key(&self) -> &VaultMasterKey {
        &self.keys.vmk
    }

    /// Bytes of buffer [`UnlockedVault::open_record`] needs for `record`.
    #[must_use]
    pub fn buffer_len(record: &RecordRef<'_>) -> usize {
        (record.entry.length as usize).saturating_sub(BLOCK_LEN + MAC_LEN)
    }

    /// Authenticates and decrypts one record into `buf` (at least
    /// [`UnlockedVault::buffer_len`] bytes) and decodes it. The MAC is checked in constant
    /// time before any decryption; the caller should wipe `buf` when done.
    ///
    /// A record is opened only if its MAC verifies **and** its bytes hash to the checksum in
    /// the record table, which the header MAC binds: an authentic record of this vault
    /// that the header does not list (one copied in from another copy or an older
    /// generation of the same vault) is refused, even though its own MAC verifies.
    ///
    /// # Errors
    /// [`Error::RecordMissing`] (truncated file), [`Error::RecordDamaged`] (MAC and
    /// checksum fail), [`Error::RecordAuthFailed`] (checksum holds but MAC fails),
    /// [`Error::RecordForeign`] (MAC holds but checksum fails),
    /// [`Error::RecordMalformed`], [`Error::BufferTooSmall`].
    pub fn open_record<'b>(
        &self,
        record: &RecordRef<'_>,
        buf: &'b mut [u8],
    ) -> Result<Record<'b>, Error> {
        open_with(
            &self.keys,
            &self.file.header.vault_id(),
            self.file.header.version(),
            record,
            buf,
        )
    }

    /// The keys that open this file's records, kept to open some of them again after the
    /// file itself is gone (salvage reads each chosen record a second time).
    #[cfg(feature = "alloc")]
    pub(crate) fn record_keys(&self) -> RecordKeys {
        RecordKeys {
            vault_id: self.file.header.vault_id(),
            format: self.file.header.version(),
            keys: VaultKeys::derive(&self.keys.vmk),
        }
    }
}

/// The record keys of one opened file, with what opening its records needs of its header.
#[cfg(feature = "alloc")]
pub(crate) struct RecordKeys {
    vault_id: [u8; VAULT_ID_LEN],
    format: u16,
    keys: VaultKeys,
}

#[cfg(feature = "alloc")]
impl fmt::Debug for RecordKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordKeys").finish_non_exhaustive()
    }
}

#[cfg(feature = "alloc")]
impl RecordKeys {
    /// [`UnlockedVault::open_record`] for record `index` of the file these keys came from,
    /// described by `entry` (read from that file's authenticated header). With `checksum`
    /// `false` the bytes are not compared with `entry.checksum`: only the MAC is checked,
    /// and the caller proves by other means that they are the record it opened before
    /// (salvage compares an audit event's hash, or checks the whole chain of events).
    pub(crate) fn open<'b>(
        &self,
        index: u32,
        entry: &crate::format::TableEntry,
        checksum: bool,
        bytes: &[u8],
        buf: &'b mut [u8],
    ) -> Result<Record<'b>, Error> {
        let mut entry = *entry;
        if !checksum {
            entry.checksum = sha256(bytes);
        }
        let table = entry.to_bytes();
        let record = RecordRef {
            index,
            entry,
            offset: 0,
            bytes: Some(bytes),
            table_bytes: &table,
        };
        open_with(&self.keys, &self.vault_id, self.format, &record, buf)
    }
}

/// Authenticates and decrypts `record` of a file of vault `vault_id` and format version
/// `format` with `keys` (see [`UnlockedVault::open_record`]).
fn open_with<'b>(
    keys: &VaultKeys,
    vault_id: &[u8; VAULT_ID_LEN],
    format: u16,
    record: &RecordRef<'_>,
    buf: &'b mut [u8],
) -> Result<Record<'b>, Error> {
    let index = record.index;
    let authenticated = &record.table_bytes[..crate::format::T_AUTHENTICATED_LEN];
    let (iv, ct) = authenticate_record(&keys.record_mac.0, vault_id, authenticated, record)?;
    let out = buf
        .get_mut(..ct.len())
        .ok_or(Error::BufferTooSmall { needed: ct.len() })?;
    out.copy_from_slice(ct);
    let n = cbc_decrypt_in_place(&keys.record_enc.0, &array(iv, 0), out).ok_or(
        Error::RecordMalformed {
            index,
            reason: "bad padding",
        },
    )?;
    let pt = &buf[..n];
    let e = &record.entry;
    let malformed = |reason| Error::RecordMalformed { index, reason };
    Ok(match e.kind {
        RecordKind::Meta => Record::Meta(Meta::decode(pt, format).map_err(malformed)?),
        RecordKind::Entry => {
            Record::Entry(Entry::decode(pt, e.id, e.seq, format).map_err(malformed)?)
        }
        RecordKind::Audit => {
            Record::Audit(AuditEvent::decode(pt, e.seq, format).map_err(malformed)?)
        }
    })
}

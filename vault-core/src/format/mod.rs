//! Byte layout of the v1 container and a zero-copy reader for it.
//!
//! ```text
//! file    = header_copy || record_0 || … || record_{n-1} || header_copy || trailer
//! header  = fixed(64) || slot(136) × S || table_entry(64) × R || header_mac(32) || checksum(32)
//! record  = iv(16) || ciphertext(16·k) || mac(32)
//! trailer = "AIRVTRLR" || header_len u32 || 0u32 || body_len u64 || file_checksum(32)
//! ```
//!
//! All integers are little-endian. `docs/FORMAT.md` is the normative description.
//! Parsing never trusts a length before checking it against the buffer, never allocates,
//! and never runs the key-derivation function.

mod check;
mod file;
mod header;

pub use check::{StreamCheck, Verification};
use file::trailer_state;
pub use file::{RecordRef, Records, VaultFile};
pub(crate) use header::{probe, Probe, MAX_SCAN_CANDIDATES};
pub use header::{Header, SlotView, TableEntry};

use sha2::{Digest, Sha256};

use crate::constants::*;
use crate::error::Error;
use crate::kdf::{KdfLimits, SlotKdf};
use crate::sealing::sha256;

// --- Offsets within the fixed part of the header -------------------------------------
pub(crate) const H_MAGIC: usize = 0;
pub(crate) const H_VERSION: usize = 8;
pub(crate) const H_FLAGS: usize = 10;
pub(crate) const H_HEADER_LEN: usize = 12;
pub(crate) const H_VAULT_ID: usize = 16;
pub(crate) const H_GENERATION: usize = 32;
pub(crate) const H_WRITTEN_AT: usize = 40;
pub(crate) const H_SLOT_COUNT: usize = 48;
pub(crate) const H_RESERVED: usize = 50;
pub(crate) const H_RECORD_COUNT: usize = 52;
pub(crate) const H_BODY_LEN: usize = 56;

// --- Offsets within a keyslot ----------------------------------------------------------
pub(crate) const S_KIND: usize = 0;
pub(crate) const S_KDF: usize = 1;
pub(crate) const S_RESERVED: usize = 2;
pub(crate) const S_ITERATIONS: usize = 4;
pub(crate) const S_SALT: usize = 8;
pub(crate) const S_IV: usize = 40;
pub(crate) const S_WRAPPED: usize = 56;
pub(crate) const S_MAC: usize = 104;

// --- Offsets within a record-table entry -----------------------------------------------
pub(crate) const T_KIND: usize = 0;
pub(crate) const T_FLAGS: usize = 1;
pub(crate) const T_RESERVED: usize = 2;
pub(crate) const T_LENGTH: usize = 4;
pub(crate) const T_ID: usize = 8;
pub(crate) const T_SEQ: usize = 24;
pub(crate) const T_RESERVED2: usize = 28;
pub(crate) const T_CHECKSUM: usize = 32;
/// The part of a table entry that a record's MAC covers (everything but the checksum).
pub(crate) const T_AUTHENTICATED_LEN: usize = 32;

// --- Offsets within the trailer ----------------------------------------------------------
pub(crate) const TR_HEADER_LEN: usize = 8;
pub(crate) const TR_RESERVED: usize = 12;
pub(crate) const TR_BODY_LEN: usize = 16;
pub(crate) const TR_CHECKSUM: usize = 24;

pub use crate::constants::{KDF_ARGON2ID, KDF_PBKDF2_SHA256};

pub(crate) fn le_u16(b: &[u8], at: usize) -> u16 {
    match b.get(at..at + 2) {
        Some(s) => u16::from_le_bytes([s[0], s[1]]),
        None => 0,
    }
}

pub(crate) fn le_u32(b: &[u8], at: usize) -> u32 {
    match b.get(at..at + 4) {
        Some(s) => u32::from_le_bytes([s[0], s[1], s[2], s[3]]),
        None => 0,
    }
}

pub(crate) fn le_u64(b: &[u8], at: usize) -> u64 {
    match b.get(at..at + 8) {
        Some(s) => {
            let mut a = [0u8; 8];
            a.copy_from_slice(s);
            u64::from_le_bytes(a)
        }
        None => 0,
    }
}

pub(crate) fn array<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    let mut a = [0u8; N];
    if let Some(s) = b.get(at..at + N) {
        a.copy_from_slice(s);
    }
    a
}

/// Length of a header with `slots` keyslots and `records` table entries, or `None` if
/// either count is out of bounds.
#[must_use]
pub fn header_len(slots: usize, records: u32) -> Option<usize> {
    if slots == 0 || slots > MAX_SLOTS || records > MAX_RECORDS {
        return None;
    }
    Some(HEADER_FIXED_LEN + SLOT_LEN * slots + TABLE_ENTRY_LEN * records as usize + HEADER_TAIL_LEN)
}

/// Total file length for a header of `header_len` bytes and a body of `body_len` bytes.
#[must_use]
pub fn file_len(header_len: usize, body_len: u64) -> Option<u64> {
    (header_len as u64)
        .checked_mul(2)?
        .checked_add(body_len)?
        .checked_add(TRAILER_LEN as u64)
}

/// Length on disk of a record whose plaintext is `plaintext_len` bytes.
#[must_use]
pub const fn record_len(plaintext_len: usize) -> usize {
    BLOCK_LEN + crate::sealing::padded_len(plaintext_len) + MAC_LEN
}

/// What a keyslot opens with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum SlotKind {
    /// A password chosen by a person.
    Password = 1,
    /// The 128-bit recovery secret (recovery code, SLIP-39 shares).
    Recovery = 2,
}

impl SlotKind {
    /// The kind with wire value `v`.
    #[must_use]
    pub const fn from_u8(v: u8) -> Option<Self> {
        match v {
            1 => Some(Self::Password),
            2 => Some(Self::Recovery),
            _ => None,
        }
    }
}

/// What a record holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum RecordKind {
    /// The vault metadata record (exactly one, first).
    Meta = 1,
    /// One version of one entry.
    Entry = 2,
    /// One audit event.
    Audit = 3,
}

impl RecordKind {
    /// The kind with wire value `v`.
    #[must_use]
    pub const fn from_u8(v: u8) -> Option<Self> {
        match v {
            1 => Some(Self::Meta),
            2 => Some(Self::Entry),
            3 => Some(Self::Audit),
            _ => None,
        }
    }
}

/// State of one redundant part of a file (a header copy or the trailer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartState {
    /// Present and matching its checksum.
    Intact,
    /// Present but damaged.
    Damaged,
    /// Not present (the file is truncated or the part could not be located).
    Missing,
}

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

use core::fmt;

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

/// A validated view of one keyslot.
#[derive(Clone, Copy)]
pub struct SlotView<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) index: u8,
}

impl<'a> SlotView<'a> {
    /// Position of the slot in the header.
    #[must_use]
    pub const fn index(&self) -> u8 {
        self.index
    }
    /// What the slot opens with.
    #[must_use]
    pub fn kind(&self) -> SlotKind {
        SlotKind::from_u8(self.bytes[S_KIND]).unwrap_or(SlotKind::Password)
    }
    /// PBKDF2 iteration count; for an Argon2id slot, the same four bytes hold its memory
    /// in KiB (see [`SlotView::kdf`]).
    #[must_use]
    pub fn iterations(&self) -> u32 {
        le_u32(self.bytes, S_ITERATIONS)
    }
    /// The slot's key-derivation function and its cost (validated when the file was
    /// parsed).
    #[must_use]
    pub fn kdf(&self) -> SlotKdf {
        SlotKdf::decode(&array(self.bytes, S_KDF)).unwrap_or(SlotKdf::Pbkdf2 {
            iterations: self.iterations(),
        })
    }
    /// The KDF salt.
    #[must_use]
    pub fn salt(&self) -> [u8; SALT_LEN] {
        array(self.bytes, S_SALT)
    }
    pub(crate) fn iv(&self) -> [u8; BLOCK_LEN] {
        array(self.bytes, S_IV)
    }
    pub(crate) fn wrapped(&self) -> &'a [u8] {
        &self.bytes[S_WRAPPED..S_WRAPPED + WRAPPED_KEY_LEN]
    }
    pub(crate) fn authenticated(&self) -> &'a [u8] {
        &self.bytes[..S_MAC]
    }
    pub(crate) fn mac(&self) -> &'a [u8] {
        &self.bytes[S_MAC..SLOT_LEN]
    }
    /// The slot's raw bytes (public: salt, IV, wrapped key, MAC).
    #[must_use]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl fmt::Debug for SlotView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlotView")
            .field("index", &self.index)
            .field("kind", &self.kind())
            .field("kdf", &self.kdf())
            .finish_non_exhaustive()
    }
}

/// One entry of the record table: where a record is, what it is, and its checksum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableEntry {
    /// What the record holds.
    pub kind: RecordKind,
    /// Length of the record on disk.
    pub length: u32,
    /// Entry id (entries), or zero.
    pub id: [u8; ENTRY_ID_LEN],
    /// Entry version (entries), event sequence number (audit), or zero (metadata).
    pub seq: u32,
    /// SHA-256 of the record's bytes.
    pub checksum: [u8; CHECKSUM_LEN],
}

impl TableEntry {
    /// Encodes the entry's 64 bytes.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; TABLE_ENTRY_LEN] {
        let mut b = [0u8; TABLE_ENTRY_LEN];
        b[T_KIND] = self.kind as u8;
        b[T_LENGTH..T_LENGTH + 4].copy_from_slice(&self.length.to_le_bytes());
        b[T_ID..T_ID + ENTRY_ID_LEN].copy_from_slice(&self.id);
        b[T_SEQ..T_SEQ + 4].copy_from_slice(&self.seq.to_le_bytes());
        b[T_CHECKSUM..].copy_from_slice(&self.checksum);
        b
    }
}

/// A header copy that passed its checksum and every structural rule.
#[derive(Clone, Copy)]
pub struct Header<'a> {
    pub(crate) bytes: &'a [u8],
}

impl<'a> Header<'a> {
    /// Format version (always 1 for a header this build accepted).
    #[must_use]
    pub fn version(&self) -> u16 {
        le_u16(self.bytes, H_VERSION)
    }
    /// Length of one header copy in bytes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.bytes.len()
    }
    /// Always false: a header holds at least its fixed part.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
    /// The random id fixed when the vault was created, shared by its backups.
    #[must_use]
    pub fn vault_id(&self) -> [u8; VAULT_ID_LEN] {
        array(self.bytes, H_VAULT_ID)
    }
    /// Write counter, raised by every change to the vault.
    #[must_use]
    pub fn generation(&self) -> u64 {
        le_u64(self.bytes, H_GENERATION)
    }
    /// When this file was written (seconds since the Unix epoch).
    #[must_use]
    pub fn written_at(&self) -> u64 {
        le_u64(self.bytes, H_WRITTEN_AT)
    }
    /// Number of keyslots.
    #[must_use]
    pub fn slot_count(&self) -> usize {
        le_u16(self.bytes, H_SLOT_COUNT) as usize
    }
    /// Number of records.
    #[must_use]
    pub fn record_count(&self) -> u32 {
        le_u32(self.bytes, H_RECORD_COUNT)
    }
    /// Total length of all records.
    #[must_use]
    pub fn body_len(&self) -> u64 {
        le_u64(self.bytes, H_BODY_LEN)
    }
    /// Keyslot `i`.
    #[must_use]
    pub fn slot(&self, i: usize) -> Option<SlotView<'a>> {
        if i >= self.slot_count() {
            return None;
        }
        let start = HEADER_FIXED_LEN + SLOT_LEN * i;
        Some(SlotView {
            bytes: self.bytes.get(start..start + SLOT_LEN)?,
            index: i as u8,
        })
    }
    /// All keyslots in order.
    pub fn slots(&self) -> impl Iterator<Item = SlotView<'a>> + '_ {
        (0..self.slot_count()).filter_map(move |i| self.slot(i))
    }
    pub(crate) fn table_entry_bytes(&self, i: u32) -> Option<&'a [u8]> {
        if i >= self.record_count() {
            return None;
        }
        let start = HEADER_FIXED_LEN + SLOT_LEN * self.slot_count() + TABLE_ENTRY_LEN * i as usize;
        self.bytes.get(start..start + TABLE_ENTRY_LEN)
    }
    /// Record-table entry `i`.
    #[must_use]
    pub fn table_entry(&self, i: u32) -> Option<TableEntry> {
        let b = self.table_entry_bytes(i)?;
        Some(TableEntry {
            kind: RecordKind::from_u8(b[T_KIND])?,
            length: le_u32(b, T_LENGTH),
            id: array(b, T_ID),
            seq: le_u32(b, T_SEQ),
            checksum: array(b, T_CHECKSUM),
        })
    }
    /// The bytes the header MAC covers.
    pub(crate) fn mac_input(&self) -> &'a [u8] {
        &self.bytes[..self.bytes.len() - HEADER_TAIL_LEN]
    }
    pub(crate) fn mac(&self) -> &'a [u8] {
        let end = self.bytes.len() - CHECKSUM_LEN;
        &self.bytes[end - MAC_LEN..end]
    }
    /// The header checksum (SHA-256 of everything before it).
    #[must_use]
    pub fn checksum(&self) -> [u8; CHECKSUM_LEN] {
        array(self.bytes, self.bytes.len() - CHECKSUM_LEN)
    }
    /// The header's raw bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Checks every rule of the format that the checksum cannot: reserved fields, slot
    /// kinds and KDF costs, table entries and their canonical order, the body length.
    fn validate(&self, limits: &KdfLimits) -> Result<(), Error> {
        let b = self.bytes;
        if le_u16(b, H_FLAGS) != 0 || le_u16(b, H_RESERVED) != 0 {
            return Err(Error::Malformed {
                reason: "reserved header field is not zero",
            });
        }
        let mut recovery_slots = 0;
        for slot in self.slots() {
            let kind = SlotKind::from_u8(slot.bytes[S_KIND]);
            let kdf = SlotKdf::decode(&array(slot.bytes, S_KDF));
            let (Some(kind), Some(kdf)) = (kind, kdf) else {
                return Err(Error::UnsupportedSlot { slot: slot.index });
            };
            // The recovery secret has 128 bits: its slot is always PBKDF2, so a reader
            // without memory for Argon2id can open every vault through it.
            if kind == SlotKind::Recovery && kdf.id() != KDF_PBKDF2_SHA256 {
                return Err(Error::UnsupportedSlot { slot: slot.index });
            }
            if kdf.id() == KDF_PBKDF2_SHA256 && le_u16(slot.bytes, S_RESERVED) != 0 {
                return Err(Error::Malformed {
                    reason: "reserved keyslot field is not zero",
                });
            }
            limits.check_kdf(&kdf)?;
            let kind = Some(kind);
            if kind == Some(SlotKind::Recovery) {
                recovery_slots += 1;
            }
        }
        if recovery_slots > 1 {
            return Err(Error::Malformed {
                reason: "more than one recovery keyslot",
            });
        }
        let mut body: u64 = 0;
        let mut prev: Option<TableEntry> = None;
        for i in 0..self.record_count() {
            let Some(raw) = self.table_entry_bytes(i) else {
                return Err(Error::Malformed {
                    reason: "record table",
                });
            };
            let Some(e) = self.table_entry(i) else {
                return Err(Error::Malformed {
                    reason: "unknown record kind",
                });
            };
            if raw[T_FLAGS] != 0 || le_u16(raw, T_RESERVED) != 0 || le_u32(raw, T_RESERVED2) != 0 {
                return Err(Error::Malformed {
                    reason: "reserved record-table field is not zero",
                });
            }
            let len = e.length as usize;
            if !(MIN_RECORD_LEN..=MAX_RECORD_LEN).contains(&len)
                || !(len - BLOCK_LEN - MAC_LEN).is_multiple_of(BLOCK_LEN)
            {
                return Err(Error::Malformed {
                    reason: "record length out of range",
                });
            }
            match e.kind {
                RecordKind::Meta => {
                    if i != 0 || e.id != [0; ENTRY_ID_LEN] || e.seq != 0 {
                        return Err(Error::Malformed {
                            reason: "metadata record must be record 0 with zero id and sequence",
                        });
                    }
                }
                RecordKind::Entry => {
                    if e.seq == 0 {
                        return Err(Error::Malformed {
                            reason: "entry version 0",
                        });
                    }
                }
                RecordKind::Audit => {
                    if e.id != [0; ENTRY_ID_LEN] {
                        return Err(Error::Malformed {
                            reason: "audit record with non-zero id",
                        });
                    }
                }
            }
            if i == 0 && e.kind != RecordKind::Meta {
                return Err(Error::Malformed {
                    reason: "record 0 is not the metadata record",
                });
            }
            if let Some(p) = prev {
                if (p.kind, p.id, p.seq) >= (e.kind, e.id, e.seq) {
                    return Err(Error::Malformed {
                        reason: "records out of canonical order or duplicated",
                    });
                }
            }
            prev = Some(e);
            body += e.length as u64;
        }
        if self.record_count() == 0 {
            return Err(Error::Malformed {
                reason: "no metadata record",
            });
        }
        if body != self.body_len() {
            return Err(Error::Malformed {
                reason: "body length does not match the record table",
            });
        }
        Ok(())
    }
}

impl fmt::Debug for Header<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Header")
            .field("len", &self.len())
            .field("generation", &self.generation())
            .field("slots", &self.slot_count())
            .field("records", &self.record_count())
            .finish_non_exhaustive()
    }
}

/// What was found where a header copy should be.
#[derive(Clone, Copy, Debug)]
enum Probe<'a> {
    /// A v1 header whose length fields are consistent and whose checksum matches.
    Intact(Header<'a>),
    /// The magic is there but the copy fails its checksum or its length fields disagree.
    Damaged,
    /// The magic is there with a version other than 1.
    UnknownVersion(u16),
    /// A consistent v1 header that the file ends in the middle of.
    Short(usize),
    /// No magic.
    Absent,
}

/// Looks for a header copy at `off`: magic, version, length fields, checksum.
fn probe(file: &[u8], off: usize) -> Probe<'_> {
    let Some(rest) = file.get(off..) else {
        return Probe::Absent;
    };
    if rest.len() < HEADER_FIXED_LEN {
        return if rest.starts_with(&MAGIC) {
            Probe::Short(HEADER_FIXED_LEN)
        } else {
            Probe::Absent
        };
    }
    if rest[H_MAGIC..H_MAGIC + 8] != MAGIC {
        return Probe::Absent;
    }
    let version = le_u16(rest, H_VERSION);
    if version != FORMAT_VERSION && version != FORMAT_VERSION_1 {
        return Probe::UnknownVersion(version);
    }
    let declared = le_u32(rest, H_HEADER_LEN) as usize;
    let slots = le_u16(rest, H_SLOT_COUNT) as usize;
    let records = le_u32(rest, H_RECORD_COUNT);
    match header_len(slots, records) {
        Some(len) if len == declared && len > rest.len() => Probe::Short(len),
        Some(len) if len == declared => {
            let bytes = &rest[..len];
            let (body, sum) = bytes.split_at(len - CHECKSUM_LEN);
            if sha256(body)[..] == *sum {
                Probe::Intact(Header { bytes })
            } else {
                Probe::Damaged
            }
        }
        _ => Probe::Damaged,
    }
}

/// Most header-copy candidates examined when searching a damaged file for its second copy.
const MAX_SCAN_CANDIDATES: usize = 16;

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

/// A parsed airvault file: an intact header copy chosen, both copies' states known, and
/// the KDF cost of every keyslot checked. Borrows the file bytes; copies nothing.
#[derive(Clone, Copy)]
pub struct VaultFile<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) header: Header<'a>,
    pub(crate) copy_a: PartState,
    pub(crate) copy_b: PartState,
    /// Where the second copy was found, if anywhere.
    copy_b_offset: Option<usize>,
    pub(crate) limits: KdfLimits,
}

impl fmt::Debug for VaultFile<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VaultFile")
            .field("len", &self.bytes.len())
            .field("header", &self.header)
            .field("copy_a", &self.copy_a)
            .field("copy_b", &self.copy_b)
            .finish_non_exhaustive()
    }
}

/// One record as located by the table: its entry and its bytes if they are present.
#[derive(Clone, Copy, Debug)]
pub struct RecordRef<'a> {
    /// Position in the record table.
    pub index: u32,
    /// The table entry.
    pub entry: TableEntry,
    /// Offset of the record in the file.
    pub offset: u64,
    /// The record's bytes, or `None` if the file ends before the record does.
    pub bytes: Option<&'a [u8]>,
    pub(crate) table_bytes: &'a [u8],
}

impl<'a> RecordRef<'a> {
    /// The same record with its bytes taken from `bytes`: for a reader that parsed only the
    /// start of a file and fetches each record itself. Nothing about `bytes` is trusted:
    /// [`crate::UnlockedVault::open_record`] authenticates them against this record's table
    /// entry, and [`RecordRef::checksum_ok`] compares them with its checksum.
    #[must_use]
    pub fn with_bytes<'b>(self, bytes: &'b [u8]) -> RecordRef<'b>
    where
        'a: 'b,
    {
        RecordRef {
            bytes: Some(bytes),
            ..self
        }
    }

    /// Whether the record's bytes are present and match the table checksum.
    #[must_use]
    pub fn checksum_ok(&self) -> bool {
        self.bytes.is_some_and(|b| sha256(b) == self.entry.checksum)
    }
}

impl<'a> VaultFile<'a> {
    /// Parses `bytes`: finds an intact header copy (the first, else the second, else a
    /// copy found by searching), and checks every structural rule and every keyslot's KDF
    /// cost against `limits`. Records are not read; see [`VaultFile::verify`].
    ///
    /// A file with one damaged header copy, damaged records or a truncated tail still
    /// parses, so that what is intact can be read; [`VaultFile::verify`] reports the
    /// damage.
    ///
    /// # Errors
    /// [`Error::NotAVault`], [`Error::UnsupportedVersion`], [`Error::HeaderDamaged`],
    /// [`Error::Malformed`], [`Error::KdfCostRefused`], [`Error::UnsupportedSlot`].
    pub fn parse(bytes: &'a [u8], limits: &KdfLimits) -> Result<Self, Error> {
        let a = probe(bytes, 0);
        let mut unknown_version = match a {
            Probe::UnknownVersion(v) => Some(v),
            _ => None,
        };
        let trailer = trailer_location(bytes);

        // Where the second copy should be, by the first copy or by the trailer.
        let expected_b = match a {
            Probe::Intact(h) => usize::try_from(h.body_len())
                .ok()
                .and_then(|b| b.checked_add(h.len())),
            _ => trailer.and_then(|(header_len, _)| {
                bytes
                    .len()
                    .checked_sub(TRAILER_LEN)?
                    .checked_sub(header_len)
            }),
        };
        let mut b = expected_b.map_or(Probe::Absent, |off| probe(bytes, off));
        let mut b_offset = expected_b;
        if let Probe::UnknownVersion(v) = b {
            unknown_version.get_or_insert(v);
        }
        if !matches!(a, Probe::Intact(_)) && !matches!(b, Probe::Intact(_)) {
            // Search for a copy from the end backwards (the trailer may be damaged too).
            if let Some((off, h)) = scan_for_copy(bytes) {
                b = Probe::Intact(h);
                b_offset = Some(off);
            }
        }

        let (header, copy_a, copy_b) = match (a, b) {
            (Probe::Intact(ha), Probe::Intact(hb)) => {
                if ha.bytes != hb.bytes {
                    return Err(Error::Malformed {
                        reason: "the two header copies differ",
                    });
                }
                (ha, PartState::Intact, PartState::Intact)
            }
            (Probe::Intact(ha), other) => (ha, PartState::Intact, missing_or_damaged(other)),
            (other, Probe::Intact(hb)) => (hb, missing_or_damaged(other), PartState::Intact),
            (Probe::Absent, Probe::Absent) if trailer.is_none() && unknown_version.is_none() => {
                return Err(Error::NotAVault)
            }
            (a, _) => {
                return Err(match (unknown_version, a) {
                    (Some(version), _) => Error::UnsupportedVersion { version },
                    (None, Probe::Short(needed)) => Error::Truncated {
                        expected: needed as u64,
                        actual: bytes.len() as u64,
                    },
                    (None, _) => Error::HeaderDamaged,
                })
            }
        };
        header.validate(limits)?;
        Ok(Self {
            bytes,
            header,
            copy_a,
            copy_b,
            copy_b_offset: if copy_b == PartState::Intact {
                b_offset
            } else {
                None
            },
            limits: *limits,
        })
    }

    /// The intact header copy in use.
    #[must_use]
    pub fn header(&self) -> &Header<'a> {
        &self.header
    }

    /// States of the first and second header copies.
    #[must_use]
    pub fn header_copies(&self) -> (PartState, PartState) {
        (self.copy_a, self.copy_b)
    }

    /// The file's bytes.
    #[must_use]
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The length the file's layout requires.
    #[must_use]
    pub fn expected_len(&self) -> u64 {
        file_len(self.header.len(), self.header.body_len()).unwrap_or(u64::MAX)
    }

    /// The records in table order, each with its bytes if present.
    pub fn records(&self) -> Records<'a> {
        Records {
            header: self.header,
            file: self.bytes,
            next: 0,
            offset: self.header.len() as u64,
        }
    }

    /// Record `index`, or `None` if there is no such record.
    #[must_use]
    pub fn record(&self, index: u32) -> Option<RecordRef<'a>> {
        self.records().nth(index as usize)
    }

    /// Checks the whole file without any key: both header copies, every record against
    /// its checksum, the trailer, and the file checksum over all parts. One pass of
    /// SHA-256 over the file.
    #[must_use]
    pub fn verify(&self) -> Verification {
        let mut v = Verification {
            header_a: self.copy_a,
            header_b: self.copy_b,
            trailer: PartState::Missing,
            records: self.header.record_count(),
            records_damaged: 0,
            records_missing: 0,
            damaged: heapless::Vec::new(),
            expected_len: self.expected_len(),
            actual_len: self.bytes.len() as u64,
        };
        for r in self.records() {
            match r.bytes.map(sha256) {
                Some(sum) if sum == r.entry.checksum => {}
                Some(_) => {
                    v.records_damaged += 1;
                    let _ = v.damaged.push(r.index);
                }
                None => {
                    v.records_missing += 1;
                    let _ = v.damaged.push(r.index);
                }
            }
        }
        // The trailer sits right after the second copy in an intact layout.
        let trailer_at = self
            .copy_b_offset
            .map(|off| off + self.header.len())
            .or_else(|| {
                usize::try_from(self.expected_len())
                    .ok()?
                    .checked_sub(TRAILER_LEN)
            });
        if let Some(t) = trailer_at.and_then(|at| self.bytes.get(at..at + TRAILER_LEN)) {
            v.trailer = trailer_state(&self.header, t);
        }
        v
    }
}

/// The state of a trailer found where `header` says it should be: its fields, and the file
/// checksum recomputed from the checksums the intact header expects (so that it judges the
/// trailer alone; each part is compared with its own checksum elsewhere).
fn trailer_state(header: &Header<'_>, t: &[u8]) -> PartState {
    if t.len() != TRAILER_LEN {
        return PartState::Damaged;
    }
    let fields_ok = t[..8] == TRAILER_MAGIC
        && le_u32(t, TR_HEADER_LEN) as usize == header.len()
        && le_u32(t, TR_RESERVED) == 0
        && le_u64(t, TR_BODY_LEN) == header.body_len();
    let mut root = Sha256::new();
    root.update(LABEL_FILE_CHECKSUM);
    root.update(header.checksum());
    for i in 0..header.record_count() {
        if let Some(b) = header.table_entry_bytes(i) {
            root.update(&b[T_CHECKSUM..]);
        }
    }
    root.update(header.checksum());
    root.update(&t[..TR_CHECKSUM]);
    let sum: [u8; 32] = root.finalize().into();
    if fields_ok && sum[..] == t[TR_CHECKSUM..] {
        PartState::Intact
    } else {
        PartState::Damaged
    }
}

/// The keyless check of a file that arrives in pieces, for a reader that does not hold the
/// whole file (a large backup, a vault on storage that cannot be mapped): one pass of
/// SHA-256 over the records, the second header copy compared byte for byte with the first,
/// and the trailer checked.
///
/// It only confirms that a file is intact. Create it from a [`VaultFile`] parsed from the
/// file's first bytes — at least its first header copy, which must be intact — and feed it
/// every byte that follows that copy, in order, in pieces of any size.
/// [`StreamCheck::finish`] then returns the same [`Verification`] as
/// [`VaultFile::verify`] on the whole file if the file is intact, and `None` otherwise:
/// the reader then reads the whole file and asks [`VaultFile::parse`] and
/// [`VaultFile::verify`] what and where the damage is.
#[derive(Clone)]
pub struct StreamCheck<'a> {
    header: Header<'a>,
    /// Bytes fed so far (they follow the first header copy).
    fed: u64,
    /// Index of the record being read, or of the next one.
    record: u32,
    /// Bytes of that record still to come (0: between records).
    record_left: u64,
    /// Its expected checksum.
    record_sum: [u8; CHECKSUM_LEN],
    sha: Sha256,
    trailer: [u8; TRAILER_LEN],
    intact: bool,
}

impl fmt::Debug for StreamCheck<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamCheck")
            .field("fed", &self.fed)
            .field("record", &self.record)
            .field("intact", &self.intact)
            .finish_non_exhaustive()
    }
}

impl<'a> StreamCheck<'a> {
    /// Starts the check of the file `file` was parsed from (see the type's documentation).
    /// If `file`'s first header copy is not intact, [`StreamCheck::finish`] returns `None`.
    #[must_use]
    pub fn new(file: &VaultFile<'a>) -> Self {
        Self {
            header: file.header,
            fed: 0,
            record: 0,
            record_left: 0,
            record_sum: [0; CHECKSUM_LEN],
            sha: Sha256::new(),
            trailer: [0; TRAILER_LEN],
            intact: file.copy_a == PartState::Intact,
        }
    }

    /// Where the first header copy ends: the offset in the file of the first byte to feed.
    #[must_use]
    pub fn start(&self) -> u64 {
        self.header.len() as u64
    }

    /// Bytes after the first header copy in an intact file: records, the second copy and
    /// the trailer.
    #[must_use]
    pub fn expected_rest(&self) -> u64 {
        self.header.body_len() + self.header.len() as u64 + TRAILER_LEN as u64
    }

    /// Feeds the next bytes of the file.
    pub fn update(&mut self, mut data: &[u8]) {
        let body = self.header.body_len();
        let h = self.header.len() as u64;
        while self.intact && !data.is_empty() {
            let n;
            if self.fed < body {
                if self.record_left == 0 {
                    let Some(e) = self.header.table_entry(self.record) else {
                        self.intact = false;
                        break;
                    };
                    self.record_left = u64::from(e.length);
                    self.record_sum = e.checksum;
                }
                n = data
                    .len()
                    .min(usize::try_from(self.record_left).unwrap_or(usize::MAX));
                self.sha.update(&data[..n]);
                self.record_left -= n as u64;
                if self.record_left == 0 {
                    let sum: [u8; 32] = self.sha.finalize_reset().into();
                    self.intact = sum == self.record_sum;
                    self.record += 1;
                }
            } else if self.fed < body + h {
                let at = (self.fed - body) as usize;
                n = data.len().min(self.header.len() - at);
                self.intact = data[..n] == self.header.bytes[at..at + n];
            } else if self.fed < body + h + TRAILER_LEN as u64 {
                let at = (self.fed - body - h) as usize;
                n = data.len().min(TRAILER_LEN - at);
                self.trailer[at..at + n].copy_from_slice(&data[..n]);
            } else {
                // More bytes than the layout has.
                self.intact = false;
                break;
            }
            self.fed += n as u64;
            data = &data[n..];
        }
    }

    /// The verification of an intact file, or `None` if anything is not as an intact file
    /// has it (including a file shorter or longer than its layout).
    #[must_use]
    pub fn finish(self) -> Option<Verification> {
        let complete = self.intact
            && self.fed == self.expected_rest()
            && self.record == self.header.record_count()
            && trailer_state(&self.header, &self.trailer) == PartState::Intact;
        let len = file_len(self.header.len(), self.header.body_len())?;
        complete.then(|| Verification {
            header_a: PartState::Intact,
            header_b: PartState::Intact,
            trailer: PartState::Intact,
            records: self.header.record_count(),
            records_damaged: 0,
            records_missing: 0,
            damaged: heapless::Vec::new(),
            expected_len: len,
            actual_len: len,
        })
    }
}

fn missing_or_damaged(p: Probe<'_>) -> PartState {
    match p {
        Probe::Absent => PartState::Missing,
        _ => PartState::Damaged,
    }
}

/// The header length and body length a trailer at the end of `bytes` declares, if the
/// trailer magic is there.
fn trailer_location(bytes: &[u8]) -> Option<(usize, u64)> {
    let t = bytes.get(bytes.len().checked_sub(TRAILER_LEN)?..)?;
    if t[..8] != TRAILER_MAGIC {
        return None;
    }
    Some((le_u32(t, TR_HEADER_LEN) as usize, le_u64(t, TR_BODY_LEN)))
}

/// Searches backwards for an intact v1 header copy other than at offset 0.
fn scan_for_copy(bytes: &[u8]) -> Option<(usize, Header<'_>)> {
    let mut candidates = 0;
    let mut end = bytes.len();
    while end > MAGIC.len() {
        let window = &bytes[..end];
        let pos = window.windows(MAGIC.len()).rposition(|w| w == MAGIC)?;
        if pos == 0 {
            return None;
        }
        if let Probe::Intact(h) = probe(bytes, pos) {
            return Some((pos, h));
        }
        candidates += 1;
        if candidates >= MAX_SCAN_CANDIDATES {
            return None;
        }
        end = pos + MAGIC.len() - 1;
    }
    None
}

/// Iterator over the records of a file, in table order.
#[derive(Clone, Debug)]
pub struct Records<'a> {
    header: Header<'a>,
    file: &'a [u8],
    next: u32,
    offset: u64,
}

impl<'a> Iterator for Records<'a> {
    type Item = RecordRef<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let index = self.next;
        let entry = self.header.table_entry(index)?;
        let table_bytes = self.header.table_entry_bytes(index)?;
        let offset = self.offset;
        let end = offset + entry.length as u64;
        let bytes = match (usize::try_from(offset), usize::try_from(end)) {
            (Ok(s), Ok(e)) => self.file.get(s..e),
            _ => None,
        };
        self.next += 1;
        self.offset = end;
        Some(RecordRef {
            index,
            entry,
            offset,
            bytes,
            table_bytes,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.header.record_count().saturating_sub(self.next) as usize;
        (left, Some(left))
    }
}

/// The result of a keyless check of a whole file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    /// The first header copy.
    pub header_a: PartState,
    /// The second header copy.
    pub header_b: PartState,
    /// The trailer, including the file checksum over all parts.
    pub trailer: PartState,
    /// Number of records in the table.
    pub records: u32,
    /// Records present but not matching their checksums.
    pub records_damaged: u32,
    /// Records beyond the end of a truncated file.
    pub records_missing: u32,
    /// Indices of the first damaged or missing records (at most 32 listed).
    pub damaged: heapless::Vec<u32, 32>,
    /// The length the layout requires.
    pub expected_len: u64,
    /// The length found.
    pub actual_len: u64,
}

impl Verification {
    /// True if every part of the file is present and matches its checksum.
    #[must_use]
    pub fn is_intact(&self) -> bool {
        self.header_a == PartState::Intact
            && self.header_b == PartState::Intact
            && self.trailer == PartState::Intact
            && self.records_damaged == 0
            && self.records_missing == 0
            && self.expected_len == self.actual_len
    }

    /// True if the file is shorter than its layout requires.
    #[must_use]
    pub fn is_truncated(&self) -> bool {
        self.actual_len < self.expected_len
    }
}

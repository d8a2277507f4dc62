//! The header: its fixed fields, keyslots and record table, read from one copy.

use core::fmt;

use super::*;

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
    /// Decodes one row (checked only for its kind: the header it comes from, or a check of
    /// all rows against one, vouches for the rest).
    pub(crate) fn from_bytes(b: &[u8; TABLE_ENTRY_LEN]) -> Option<TableEntry> {
        Some(TableEntry {
            kind: RecordKind::from_u8(b[T_KIND])?,
            length: le_u32(b, T_LENGTH),
            id: array(b, T_ID),
            seq: le_u32(b, T_SEQ),
            checksum: array(b, T_CHECKSUM),
        })
    }

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
        TableEntry::from_bytes(self.table_entry_bytes(i)?.try_into().ok()?)
    }
    /// The record table: every row, in order.
    #[cfg(feature = "alloc")]
    pub(crate) fn table_bytes(&self) -> &'a [u8] {
        let start = HEADER_FIXED_LEN + SLOT_LEN * self.slot_count();
        let end = start + TABLE_ENTRY_LEN * self.record_count() as usize;
        self.bytes.get(start..end).unwrap_or(&[])
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
    pub(super) fn validate(&self, limits: &KdfLimits) -> Result<(), Error> {
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
pub(crate) enum Probe<'a> {
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
pub(crate) fn probe(file: &[u8], off: usize) -> Probe<'_> {
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
pub(crate) const MAX_SCAN_CANDIDATES: usize = 16;

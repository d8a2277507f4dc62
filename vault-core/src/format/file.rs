//! A whole file: its two header copies located (the second found by the trailer, or by
//! scanning when the trailer is lost), its records, and their state.

use core::fmt;

use super::*;

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
pub(super) fn trailer_state(header: &Header<'_>, t: &[u8]) -> PartState {
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

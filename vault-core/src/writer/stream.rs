//! Writing a file one record at a time into a header buffer and the caller's output:
//! every record encrypted, MACed and listed in the table, the header MACed at the end.

use core::fmt;

use super::*;

/// Writes one file without holding it whole, for a writer with a file (or flash) to put it
/// in: the first header copy is kept in a caller buffer, and each record is encrypted into
/// a caller buffer to be written out in order right after that copy. Then
/// [`StreamWriter::finish`] completes the header; the file is
/// `header || records… || header || trailer`.
///
/// Push the metadata record first, then entries in ascending `(id, version)` order, then
/// audit events in ascending sequence order. [`VaultWriter`] is the same writer over one
/// buffer of the whole file.
pub struct StreamWriter<'h> {
    header: &'h mut [u8],
    keys: VaultKeys,
    vault_id: [u8; VAULT_ID_LEN],
    pub(super) header_len: usize,
    table_start: usize,
    pub(super) record_count: u32,
    pub(super) written: u32,
    body_len: u64,
    last: (RecordKind, [u8; ENTRY_ID_LEN], u32),
    /// Without the table held: the row of the record pushed last, for the caller.
    row: Option<[u8; TABLE_ENTRY_LEN]>,
}

impl fmt::Debug for StreamWriter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamWriter")
            .field("record_count", &self.record_count)
            .field("written", &self.written)
            .finish_non_exhaustive()
    }
}

impl<'h> StreamWriter<'h> {
    /// The header length for `slots` and `record_count`, or why they are refused.
    pub(super) fn check(slots: &[SealedSlot], record_count: u32) -> Result<usize, Error> {
        let header_len =
            format::header_len(slots.len(), record_count).ok_or(Error::InvalidInput {
                reason: "keyslot or record count out of range",
            })?;
        if record_count == 0 {
            return Err(Error::InvalidInput {
                reason: "a file holds at least the metadata record",
            });
        }
        if slots
            .iter()
            .filter(|s| s.kind() == SlotKind::Recovery)
            .count()
            > 1
        {
            return Err(Error::InvalidInput {
                reason: "more than one recovery keyslot",
            });
        }
        Ok(header_len)
    }

    /// Starts a file with `slots` and `record_count` records (the metadata record
    /// included), keeping its header in `header`, which must hold
    /// [`format::header_len`]`(slots.len(), record_count)` bytes.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for bad counts or slots (none, more than 8, two recovery
    /// slots); [`Error::BufferTooSmall`] if `header` is too short.
    pub fn new(
        header: &'h mut [u8],
        vmk: &VaultMasterKey,
        params: &HeaderParams,
        slots: &[SealedSlot],
        record_count: u32,
    ) -> Result<Self, Error> {
        let header_len = Self::check(slots, record_count)?;
        Self::start(header, header_len, vmk, params, slots, record_count, false)
    }

    /// A writer that does not hold the record table: `prefix` (at least
    /// [`StreamWriter::table_start`] bytes) takes the fixed part and the keyslots, each
    /// record's table row is handed out after it is pushed ([`StreamWriter::last_row`]) for
    /// the caller to keep (in a scratch file, say), and [`StreamWriter::finish_rows`] reads
    /// them back. For a writer whose file's table is larger than it wants to hold; the
    /// file written is the same.
    ///
    /// # Errors
    /// As [`StreamWriter::new`].
    pub fn new_without_table(
        prefix: &'h mut [u8],
        vmk: &VaultMasterKey,
        params: &HeaderParams,
        slots: &[SealedSlot],
        record_count: u32,
    ) -> Result<Self, Error> {
        let header_len = Self::check(slots, record_count)?;
        let table_start = HEADER_FIXED_LEN + SLOT_LEN * slots.len();
        Self::start(prefix, table_start, vmk, params, slots, record_count, true).map(|mut w| {
            w.header_len = header_len;
            w
        })
    }

    fn start(
        header: &'h mut [u8],
        held: usize,
        vmk: &VaultMasterKey,
        params: &HeaderParams,
        slots: &[SealedSlot],
        record_count: u32,
        rows_out: bool,
    ) -> Result<Self, Error> {
        let header_len = held;
        let Some(h) = header.get_mut(..held) else {
            return Err(Error::BufferTooSmall { needed: held });
        };
        h.fill(0);
        h[..8].copy_from_slice(&MAGIC);
        h[H_VERSION..H_VERSION + 2].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        let full_len = format::header_len(slots.len(), record_count).unwrap_or(0);
        h[H_HEADER_LEN..H_HEADER_LEN + 4].copy_from_slice(&(full_len as u32).to_le_bytes());
        h[H_VAULT_ID..H_VAULT_ID + VAULT_ID_LEN].copy_from_slice(&params.vault_id);
        h[H_GENERATION..H_GENERATION + 8].copy_from_slice(&params.generation.to_le_bytes());
        h[H_WRITTEN_AT..H_WRITTEN_AT + 8].copy_from_slice(&params.written_at.to_le_bytes());
        h[H_SLOT_COUNT..H_SLOT_COUNT + 2].copy_from_slice(&(slots.len() as u16).to_le_bytes());
        h[H_RECORD_COUNT..H_RECORD_COUNT + 4].copy_from_slice(&record_count.to_le_bytes());
        for (i, slot) in slots.iter().enumerate() {
            let at = HEADER_FIXED_LEN + SLOT_LEN * i;
            h[at..at + SLOT_LEN].copy_from_slice(&slot.bytes);
        }
        Ok(Self {
            header,
            keys: VaultKeys::derive(vmk),
            vault_id: params.vault_id,
            header_len,
            table_start: HEADER_FIXED_LEN + SLOT_LEN * slots.len(),
            record_count,
            written: 0,
            body_len: 0,
            last: (RecordKind::Meta, [0; ENTRY_ID_LEN], 0),
            row: rows_out.then_some([0; TABLE_ENTRY_LEN]),
        })
    }

    /// Where the record table starts in a header of `slots` keyslots (the end of the
    /// fixed part and the keyslots).
    #[must_use]
    pub fn table_start(slots: usize) -> usize {
        HEADER_FIXED_LEN + SLOT_LEN * slots
    }

    /// The table row of the record pushed last, for a writer without the table
    /// ([`StreamWriter::new_without_table`]; `None` for one that holds it).
    #[must_use]
    pub fn last_row(&self) -> Option<[u8; TABLE_ENTRY_LEN]> {
        self.row
    }

    /// Length of one header copy: where the records start.
    #[must_use]
    pub fn header_len(&self) -> usize {
        self.header_len
    }

    /// Encrypts the metadata record (always the first) into `out`; returns its length.
    /// A metadata record without a check key (read from a format version 1 file) is
    /// written with a fresh random one drawn from `rng`: the file written is version 2.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if a record was already pushed; [`Error::BufferTooSmall`].
    pub fn push_meta(
        &mut self,
        meta: &Meta,
        rng: &mut impl CryptoRngCore,
        out: &mut [u8],
    ) -> Result<usize, Error> {
        let fresh = match meta.check_key {
            Some(_) => CheckKey::from_bytes([0; CHECK_KEY_LEN]),
            None => CheckKey::generate(rng),
        };
        self.push(
            RecordKind::Meta,
            [0; ENTRY_ID_LEN],
            0,
            META_LEN,
            rng,
            out,
            |b| meta.encode(b, &fresh),
        )
    }

    /// Encrypts one entry version into `out`; returns the record's length.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if the entry breaks a limit or the canonical order, or
    /// more records are pushed than declared; [`Error::BufferTooSmall`] (the record's
    /// length) if `out` cannot hold it.
    pub fn push_entry(
        &mut self,
        entry: &Entry<'_>,
        rng: &mut impl CryptoRngCore,
        out: &mut [u8],
    ) -> Result<usize, Error> {
        entry
            .check()
            .map_err(|reason| Error::InvalidInput { reason })?;
        self.push(
            RecordKind::Entry,
            entry.id,
            entry.version,
            entry.plaintext_len(),
            rng,
            out,
            |b| entry.encode(b),
        )
    }

    /// Encrypts one audit event into `out`; returns the record's length.
    ///
    /// # Errors
    /// As [`StreamWriter::push_entry`].
    pub fn push_audit(
        &mut self,
        event: &AuditEvent<'_>,
        rng: &mut impl CryptoRngCore,
        out: &mut [u8],
    ) -> Result<usize, Error> {
        event
            .check()
            .map_err(|reason| Error::InvalidInput { reason })?;
        self.push(
            RecordKind::Audit,
            [0; ENTRY_ID_LEN],
            event.seq,
            event.plaintext_len(),
            rng,
            out,
            |b| event.encode(b),
        )
    }

    /// Checks the declared count and the canonical order for the next record and that
    /// `room` bytes hold its `len`.
    fn reserve(
        &self,
        kind: RecordKind,
        id: [u8; ENTRY_ID_LEN],
        seq: u32,
        len: usize,
        room: usize,
    ) -> Result<(), Error> {
        if self.written >= self.record_count {
            return Err(Error::InvalidInput {
                reason: "more records than declared",
            });
        }
        let first_is_meta = (self.written == 0) == (kind == RecordKind::Meta);
        if !first_is_meta || (self.written > 0 && self.last >= (kind, id, seq)) {
            return Err(Error::InvalidInput {
                reason: "records out of canonical order or duplicated",
            });
        }
        if room < len {
            return Err(Error::BufferTooSmall { needed: len });
        }
        Ok(())
    }

    /// Records a written record in the table and moves on.
    fn commit(&mut self, entry: &TableEntry) {
        match &mut self.row {
            Some(row) => *row = entry.to_bytes(),
            None => {
                let at = self.table_start + TABLE_ENTRY_LEN * self.written as usize;
                self.header[at..at + TABLE_ENTRY_LEN].copy_from_slice(&entry.to_bytes());
            }
        }
        self.body_len += u64::from(entry.length);
        self.written += 1;
        self.last = (entry.kind, entry.id, entry.seq);
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        kind: RecordKind,
        id: [u8; ENTRY_ID_LEN],
        seq: u32,
        plaintext_len: usize,
        rng: &mut impl CryptoRngCore,
        out: &mut [u8],
        encode: impl FnOnce(&mut [u8]),
    ) -> Result<usize, Error> {
        let len = format::record_len(plaintext_len);
        self.reserve(kind, id, seq, len, out.len())?;
        let mut entry = TableEntry {
            kind,
            length: len as u32,
            id,
            seq,
            checksum: [0; 32],
        };
        let table_bytes = entry.to_bytes();
        let rec = &mut out[..len];
        let (iv, rest) = rec.split_at_mut(BLOCK_LEN);
        rng.fill_bytes(iv);
        let ct_len = len - BLOCK_LEN - MAC_LEN;
        let (ct, tag) = rest.split_at_mut(ct_len);
        encode(ct);
        let iv_arr = format::array(iv, 0);
        if cbc_encrypt_in_place(&self.keys.record_enc.0, &iv_arr, ct, plaintext_len) != Some(ct_len)
        {
            ct.zeroize();
            return Err(Error::InvalidInput {
                reason: "record encryption",
            });
        }
        let mac = hmac_sha256(
            &self.keys.record_mac.0,
            &[&self.vault_id, &table_bytes[..T_AUTHENTICATED_LEN], iv, ct],
        );
        tag.copy_from_slice(&mac);
        entry.checksum = sha256(rec);
        self.commit(&entry);
        Ok(len)
    }

    /// Copies a record of another file of this vault into `out` unchanged — without
    /// decrypting it — and returns its length: for a rewrite that keeps the vault id and
    /// the master key (a new password, a recovered vault), reading the old file one record
    /// at a time ([`RecordRef::with_bytes`]). The record's MAC binds the vault id and the
    /// master key, so it is checked under this writer's keys first, and the table entry
    /// written gets the checksum of the bytes copied.
    ///
    /// # Errors
    /// [`Error::RecordMissing`] if `record` has no bytes; [`Error::RecordDamaged`] if they
    /// are not as long as its table entry says, or fail both MAC and checksum;
    /// [`Error::RecordAuthFailed`] if their MAC fails under this writer's keys (another
    /// vault or master key, or changed bytes); [`Error::RecordForeign`] if the MAC holds
    /// but the bytes are not those the source table's checksum names;
    /// [`Error::InvalidInput`] for the declared count or the canonical order;
    /// [`Error::BufferTooSmall`] if `out` cannot hold it.
    pub fn push_verbatim(
        &mut self,
        record: &RecordRef<'_>,
        out: &mut [u8],
    ) -> Result<usize, Error> {
        let mut e = record.entry;
        let len = e.length as usize;
        self.reserve(e.kind, e.id, e.seq, len, out.len())?;
        let table_bytes = e.to_bytes();
        // The same rule as opening: the MAC under this writer's keys, and the bytes as the
        // source header's table lists them, so that a record spliced in from another copy
        // of the vault is never carried into a new file with a fresh checksum.
        authenticate_record(
            &self.keys.record_mac.0,
            &self.vault_id,
            &table_bytes[..T_AUTHENTICATED_LEN],
            record,
        )?;
        let bytes = record.bytes.ok_or(Error::RecordMissing {
            index: record.index,
        })?;
        out[..len].copy_from_slice(bytes);
        e.checksum = sha256(bytes);
        self.commit(&e);
        Ok(len)
    }

    /// Completes the header (its body length, MAC and checksum) and returns it with the
    /// trailer: the file is this header, the records in the order pushed, this header
    /// again, and the trailer.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if fewer records were pushed than declared, or the writer
    /// does not hold the table ([`StreamWriter::finish_rows`]).
    pub fn finish(self) -> Result<(&'h [u8], [u8; TRAILER_LEN]), Error> {
        self.check_finished(false)?;
        let h = self.header_len;
        let out = &mut self.header[..h];
        out[H_BODY_LEN..H_BODY_LEN + 8].copy_from_slice(&self.body_len.to_le_bytes());
        let (prefix, rest) = out.split_at_mut(self.table_start);
        let (table, tail) = rest.split_at_mut(TABLE_ENTRY_LEN * self.record_count as usize);
        let mut rows = |first: u32, buf: &mut [u8]| {
            let at = TABLE_ENTRY_LEN * first as usize;
            match table.get(at..at + buf.len()) {
                Some(src) => {
                    buf.copy_from_slice(src);
                    true
                }
                None => false,
            }
        };
        let (sealed, trailer) = seal(
            &self.keys.header_mac.0,
            prefix,
            self.record_count,
            self.header_len,
            self.body_len,
            &mut rows,
        )?;
        tail.copy_from_slice(&sealed);
        let header: &'h [u8] = self.header;
        Ok((&header[..h], trailer))
    }

    /// [`StreamWriter::finish`] for a writer without the table: `rows(first, buf)` fills
    /// `buf` with the rows from `first` on, as [`StreamWriter::last_row`] gave them (it is
    /// asked for every row twice, in order). Returns the header's start (fixed part and
    /// keyslots), its end (MAC and checksum) and the trailer.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if fewer records were pushed than declared, the writer holds
    /// the table, or `rows` fails.
    pub fn finish_rows(
        self,
        rows: &mut dyn FnMut(u32, &mut [u8]) -> bool,
    ) -> Result<SealedHeader<'h>, Error> {
        self.check_finished(true)?;
        let prefix = &mut self.header[..self.table_start];
        prefix[H_BODY_LEN..H_BODY_LEN + 8].copy_from_slice(&self.body_len.to_le_bytes());
        let (tail, trailer) = seal(
            &self.keys.header_mac.0,
            prefix,
            self.record_count,
            self.header_len,
            self.body_len,
            rows,
        )?;
        let header: &'h [u8] = self.header;
        Ok(SealedHeader {
            start: &header[..self.table_start],
            end: tail,
            trailer,
        })
    }

    fn check_finished(&self, without_table: bool) -> Result<(), Error> {
        if self.written != self.record_count {
            return Err(Error::InvalidInput {
                reason: "fewer records than declared",
            });
        }
        if self.row.is_some() != without_table {
            return Err(Error::InvalidInput {
                reason: "finish a writer without its table with finish_rows",
            });
        }
        Ok(())
    }
}

/// What [`StreamWriter::finish_rows`] returns: each header copy is `start`, the table rows
/// and `end`; the file ends with `trailer`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SealedHeader<'h> {
    /// The fixed part and the keyslots.
    pub start: &'h [u8],
    /// The header MAC and checksum.
    pub end: [u8; HEADER_TAIL_LEN],
    /// The trailer.
    pub trailer: [u8; TRAILER_LEN],
}

/// The header's MAC and checksum and the trailer of a file whose header is `prefix` (the
/// fixed part, body length set, and the keyslots), then `count` table rows that `rows`
/// gives back a chunk at a time (twice), then the MAC and the checksum.
fn seal(
    mac_key: &[u8],
    prefix: &[u8],
    count: u32,
    header_len: usize,
    body_len: u64,
    rows: &mut dyn FnMut(u32, &mut [u8]) -> bool,
) -> Result<([u8; HEADER_TAIL_LEN], [u8; TRAILER_LEN]), Error> {
    // Rows read back at a time: 1 KiB of stack, for a microcontroller's small one.
    const CHUNK: u32 = 16;
    let unread = Error::InvalidInput {
        reason: "the record table could not be read back",
    };
    let mut buf = [0u8; TABLE_ENTRY_LEN * CHUNK as usize];
    // Every row, in order, a chunk at a time.
    let mut each_chunk = |f: &mut dyn FnMut(&[u8])| -> Result<(), Error> {
        let mut first = 0;
        while first < count {
            let n = (count - first).min(CHUNK) as usize;
            let chunk = &mut buf[..TABLE_ENTRY_LEN * n];
            if !rows(first, chunk) {
                return Err(unread);
            }
            f(chunk);
            first += n as u32;
        }
        Ok(())
    };
    let mut mac = HmacSha256::new(mac_key);
    let mut sum = Sha256::new();
    mac.update(prefix);
    sum.update(prefix);
    each_chunk(&mut |chunk| {
        mac.update(chunk);
        sum.update(chunk);
    })?;
    let mut tail = [0u8; HEADER_TAIL_LEN];
    let mut tag = [0u8; MAC_LEN];
    mac.finalize_into(&mut tag);
    sum.update(tag);
    let checksum: [u8; CHECKSUM_LEN] = sum.finalize().into();
    tail[..MAC_LEN].copy_from_slice(&tag);
    tail[MAC_LEN..].copy_from_slice(&checksum);

    let mut trailer = [0u8; TRAILER_LEN];
    trailer[..8].copy_from_slice(&TRAILER_MAGIC);
    trailer[TR_HEADER_LEN..TR_HEADER_LEN + 4].copy_from_slice(&(header_len as u32).to_le_bytes());
    trailer[TR_BODY_LEN..TR_BODY_LEN + 8].copy_from_slice(&body_len.to_le_bytes());
    let mut root = Sha256::new();
    root.update(LABEL_FILE_CHECKSUM);
    root.update(checksum);
    each_chunk(&mut |chunk| {
        for row in chunk.chunks_exact(TABLE_ENTRY_LEN) {
            root.update(&row[format::T_CHECKSUM..]);
        }
    })?;
    root.update(checksum);
    root.update(&trailer[..TR_CHECKSUM]);
    let sum: [u8; 32] = root.finalize().into();
    trailer[TR_CHECKSUM..].copy_from_slice(&sum);
    Ok((tail, trailer))
}

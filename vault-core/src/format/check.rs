//! The keyless check of a file: every part's state, whole ([`Verification`]) or fed one
//! chunk at a time ([`StreamCheck`]).

use core::fmt;

use super::*;

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

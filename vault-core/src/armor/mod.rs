//! ASCII armor for paper backups: the file's bytes as numbered lines of Crockford base32,
//! each line with its own check, so that a line mistyped from paper is named by number.
//!
//! ```text
//! -----BEGIN AIRVAULT BACKUP-----
//! Version: 1
//! Length: 1234
//!
//! 0001: 8G3B 5RQ2 … (8 groups of 4)  CHK1
//! …
//! -----END AIRVAULT BACKUP-----
//! ```
//!
//! Each data line carries 20 bytes (the last line fewer). Its check is the first 20 bits
//! of `SHA-256("airvault v1 armor line" || data_line_number (u32 LE) || line_bytes)`, as
//! four base32 characters: the last four characters of the line. Decoding ignores case,
//! all whitespace inside a data line and blank lines, and reads `I`/`L` as `1` and `O` as
//! `0` (Crockford's rule for hand-typed text) everywhere on a data line, its number
//! included. `docs/FORMAT.md` ("ASCII armor") states the rules this decoder follows.
//!
//! [`encode`] and [`decode`] work on whole buffers; [`Encoder`] and [`Decoder`] produce and
//! read the same text one line at a time, for data that is not held whole.

use core::fmt;

use sha2::{Digest, Sha256};

mod decode;
mod encode;
#[cfg(test)]
mod tests;

pub use decode::{decode, decoded_len_max, Decoder, Step};
pub use encode::{encode, encoded_len, Encoder, MAX_PIECE_LEN};

/// The line that opens an armored backup.
pub const BEGIN: &str = "-----BEGIN AIRVAULT BACKUP-----";

/// The line that closes an armored backup.
pub const END: &str = "-----END AIRVAULT BACKUP-----";

/// Bytes carried by each full data line.
pub const BYTES_PER_LINE: usize = 20;

/// Label prefixed to every line check's hash input.
pub const LABEL_ARMOR_LINE: &[u8] = b"airvault v1 armor line";

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

const CHECK_CHARS: usize = 4;

/// Why armored text could not be decoded. Line numbers count text lines from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArmorError {
    /// No `-----BEGIN AIRVAULT BACKUP-----` line.
    NoBeginLine,
    /// No `-----END AIRVAULT BACKUP-----` line after the data.
    NoEndLine,
    /// A header line (`Version:`, `Length:`) is missing, repeated, unknown or unreadable.
    BadHeader {
        /// Text line number.
        line: usize,
    },
    /// The armor declares a version other than 1: it was written by a newer airvault
    /// (an *unsupported* error, like an unknown file format version, not damage).
    UnsupportedVersion {
        /// Text line number.
        line: usize,
    },
    /// A character that is not in the base32 alphabet.
    BadCharacter {
        /// Text line number.
        line: usize,
    },
    /// A data line's check does not match its contents: the line is mistyped.
    BadLine {
        /// Text line number.
        line: usize,
        /// The data line's own number (as printed at its start).
        data_line: u32,
    },
    /// A data line's check matches, but its last data character has unused low bits that
    /// are not zero (no writer prints that character there): the line is mistyped.
    NonZeroPadding {
        /// Text line number.
        line: usize,
        /// The data line's own number (as printed at its start).
        data_line: u32,
    },
    /// A data line has the wrong number of characters.
    WrongLineLength {
        /// Text line number.
        line: usize,
        /// The data line's own number.
        data_line: u32,
    },
    /// A data line carries an unexpected number: a line is missing, repeated or out of
    /// order.
    WrongLineNumber {
        /// Text line number.
        line: usize,
        /// The number expected here.
        expected: u32,
    },
    /// The END line comes before all the data that `Length:` announced.
    MissingLines {
        /// Text line number of the END line.
        line: usize,
        /// The first data line that is missing.
        expected: u32,
    },
    /// The output buffer is too small.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
    },
}

impl fmt::Display for ArmorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoBeginLine => write!(f, "no '{BEGIN}' line found"),
            Self::NoEndLine => write!(f, "no '{END}' line found"),
            Self::BadHeader { line } => write!(
                f,
                "line {line}: expected 'Version: 1' and 'Length: N' header lines, once each"
            ),
            Self::UnsupportedVersion { line } => {
                write!(f, "line {line}: unsupported armor version (this build reads 1)")
            }
            Self::BadCharacter { line } => {
                write!(f, "line {line}: character not used in airvault armor — mistyped?")
            }
            Self::BadLine { line, data_line } => write!(
                f,
                "line {line} (data line {data_line}) is mistyped: its check does not match"
            ),
            Self::NonZeroPadding { line, data_line } => write!(
                f,
                "line {line} (data line {data_line}) is mistyped: its last data character \
                 cannot end a line (its unused low bits are not zero)"
            ),
            Self::WrongLineLength { line, data_line } => write!(
                f,
                "line {line} (data line {data_line}) has the wrong number of characters"
            ),
            Self::WrongLineNumber { line, expected } => write!(
                f,
                "line {line}: expected data line {expected} — a line is missing, repeated or out of order"
            ),
            Self::MissingLines { line, expected } => write!(
                f,
                "line {line}: the armor ends early; data line {expected} and later are missing"
            ),
            Self::BufferTooSmall { needed } => write!(f, "buffer too small: {needed} bytes needed"),
        }
    }
}

impl core::error::Error for ArmorError {}

/// Whether `bytes` look like armored text (they contain the BEGIN line, in any letter
/// case, as [`decode`] reads it).
#[must_use]
pub fn is_armored(bytes: &[u8]) -> bool {
    bytes
        .windows(BEGIN.len())
        .any(|w| w.eq_ignore_ascii_case(BEGIN.as_bytes()))
}

fn line_check(data_line: u32, bytes: &[u8]) -> [u8; CHECK_CHARS] {
    let digest = Sha256::new()
        .chain_update(LABEL_ARMOR_LINE)
        .chain_update(data_line.to_le_bytes())
        .chain_update(bytes)
        .finalize();
    let bits =
        (u32::from(digest[0]) << 12) | (u32::from(digest[1]) << 4) | (u32::from(digest[2]) >> 4);
    let mut out = [0u8; CHECK_CHARS];
    for (i, c) in out.iter_mut().enumerate() {
        *c = ALPHABET[((bits >> (15 - 5 * i)) & 31) as usize];
    }
    out
}

/// Number of base32 characters for `n` bytes.
const fn b32_len(n: usize) -> usize {
    (n * 8).div_ceil(5)
}

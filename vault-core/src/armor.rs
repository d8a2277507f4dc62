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

use crate::error::Error;

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

/// A sink that writes into a buffer or only counts.
struct Sink<'o> {
    out: Option<&'o mut [u8]>,
    pos: usize,
    overflow: bool,
}

impl Sink<'_> {
    fn put(&mut self, bytes: &[u8]) {
        if let Some(out) = self.out.as_deref_mut() {
            match out.get_mut(self.pos..self.pos + bytes.len()) {
                Some(dst) => dst.copy_from_slice(bytes),
                None => self.overflow = true,
            }
        }
        self.pos += bytes.len();
    }

    fn put_decimal(&mut self, mut v: u64, min_width: usize) {
        let mut digits = [b'0'; 20];
        let mut n = 0;
        while v > 0 || n < min_width.max(1) {
            digits[19 - n] = b'0' + (v % 10) as u8;
            v /= 10;
            n += 1;
        }
        self.put(&digits[20 - n..]);
    }
}

fn write_armor(data: &[u8], sink: &mut Sink<'_>) {
    write_begin(data.len(), sink);
    for (i, chunk) in data.chunks(BYTES_PER_LINE).enumerate() {
        write_line(i as u32 + 1, chunk, sink);
    }
    write_end(sink);
}

fn write_begin(data_len: usize, sink: &mut Sink<'_>) {
    sink.put(BEGIN.as_bytes());
    sink.put(b"\nVersion: 1\nLength: ");
    sink.put_decimal(data_len as u64, 1);
    sink.put(b"\n\n");
}

fn write_line(number: u32, chunk: &[u8], sink: &mut Sink<'_>) {
    sink.put_decimal(u64::from(number), 4);
    sink.put(b":");
    let mut chars = [0u8; 32];
    let n = encode_b32(chunk, &mut chars);
    for group in chars[..n].chunks(4) {
        sink.put(b" ");
        sink.put(group);
    }
    sink.put(b"  ");
    sink.put(&line_check(number, chunk));
    sink.put(b"\n");
}

fn write_end(sink: &mut Sink<'_>) {
    sink.put(END.as_bytes());
    sink.put(b"\n");
}

/// The longest piece of text one call of an [`Encoder`] writes: the BEGIN and header
/// lines with the blank line after them (a data line is shorter).
pub const MAX_PIECE_LEN: usize = BEGIN.len() + "\nVersion: 1\nLength: ".len() + 20 + 2;

/// Writes the same text as [`encode`] one line at a time, for data that is not held
/// whole: [`Encoder::begin`] once, [`Encoder::line`] for each [`BYTES_PER_LINE`] bytes of
/// the data in order (the last line fewer), [`Encoder::end`] once. Each call writes at
/// most [`MAX_PIECE_LEN`] bytes. The data's length must be known at the start: the header
/// announces it.
#[derive(Clone, Debug)]
pub struct Encoder {
    data_len: usize,
    done: usize,
    next_line: u32,
}

impl Encoder {
    /// An encoder for `data_len` bytes of data.
    #[must_use]
    pub const fn new(data_len: usize) -> Self {
        Self {
            data_len,
            done: 0,
            next_line: 1,
        }
    }

    /// Bytes of data the next [`Encoder::line`] takes: [`BYTES_PER_LINE`], fewer for the
    /// last line, 0 once all the data has been given.
    #[must_use]
    pub const fn next_line_len(&self) -> usize {
        let left = self.data_len - self.done;
        if left < BYTES_PER_LINE {
            left
        } else {
            BYTES_PER_LINE
        }
    }

    /// Writes the BEGIN line, the header lines and the blank line after them; returns the
    /// length written.
    pub fn begin(&self, out: &mut [u8; MAX_PIECE_LEN]) -> usize {
        let mut sink = Sink {
            out: Some(out),
            pos: 0,
            overflow: false,
        };
        write_begin(self.data_len, &mut sink);
        sink.pos
    }

    /// Writes the data line of `bytes`, the next [`Encoder::next_line_len`] bytes of the
    /// data; returns the length written.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if `bytes` is not that long or all the data was given.
    pub fn line(&mut self, bytes: &[u8], out: &mut [u8; MAX_PIECE_LEN]) -> Result<usize, Error> {
        if bytes.is_empty() || bytes.len() != self.next_line_len() {
            return Err(Error::InvalidInput {
                reason: "armor line of the wrong length",
            });
        }
        let mut sink = Sink {
            out: Some(out),
            pos: 0,
            overflow: false,
        };
        write_line(self.next_line, bytes, &mut sink);
        if sink.overflow {
            return Err(Error::BufferTooSmall { needed: sink.pos });
        }
        self.done += bytes.len();
        self.next_line = self.next_line.wrapping_add(1);
        Ok(sink.pos)
    }

    /// Writes the END line; returns the length written.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if not all the data was given.
    pub fn end(&self, out: &mut [u8; MAX_PIECE_LEN]) -> Result<usize, Error> {
        if self.done != self.data_len {
            return Err(Error::InvalidInput {
                reason: "armor ended before all its data",
            });
        }
        let mut sink = Sink {
            out: Some(out),
            pos: 0,
            overflow: false,
        };
        write_end(&mut sink);
        Ok(sink.pos)
    }
}

fn encode_b32(bytes: &[u8], out: &mut [u8; 32]) -> usize {
    let mut acc: u64 = 0;
    let mut bits = 0;
    let mut n = 0;
    for &b in bytes {
        acc = (acc << 8) | u64::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out[n] = ALPHABET[((acc >> bits) & 31) as usize];
            n += 1;
        }
    }
    if bits > 0 {
        out[n] = ALPHABET[((acc << (5 - bits)) & 31) as usize];
        n += 1;
    }
    n
}

/// Length of the armored text for `data_len` bytes.
#[must_use]
pub fn encoded_len(data_len: usize) -> usize {
    // The text's shape depends only on the data length; this mirrors `write_armor`, and
    // `encode` checks that the two agree.
    let mut sink = Sink {
        out: None,
        pos: 0,
        overflow: false,
    };
    write_begin(data_len, &mut sink);
    let lines = data_len.div_ceil(BYTES_PER_LINE);
    for i in 0..lines {
        let len = (data_len - i * BYTES_PER_LINE).min(BYTES_PER_LINE);
        let chars = b32_len(len);
        sink.put_decimal(i as u64 + 1, 4);
        // ':' + one space before each group of 4 + two spaces + check + newline
        sink.pos += 1 + chars + chars.div_ceil(4) + 2 + CHECK_CHARS + 1;
    }
    sink.pos + END.len() + 1
}

/// Writes the armor of `data` into `out`; returns its length ([`encoded_len`]).
///
/// # Errors
/// [`Error::BufferTooSmall`].
pub fn encode(data: &[u8], out: &mut [u8]) -> Result<usize, Error> {
    let needed = encoded_len(data.len());
    if out.len() < needed {
        return Err(Error::BufferTooSmall { needed });
    }
    let mut sink = Sink {
        out: Some(out),
        pos: 0,
        overflow: false,
    };
    write_armor(data, &mut sink);
    if sink.overflow || sink.pos != needed {
        return Err(Error::BufferTooSmall { needed: sink.pos });
    }
    Ok(sink.pos)
}

/// An upper bound on the decoded length of `text_len` bytes of armor.
#[must_use]
pub const fn decoded_len_max(text_len: usize) -> usize {
    text_len * 5 / 8 + 1
}

/// A character as read on a data line: upper case, `I`/`L` as `1`, `O` as `0`.
fn read_as(c: u8) -> u8 {
    match c.to_ascii_uppercase() {
        b'I' | b'L' => b'1',
        b'O' => b'0',
        other => other,
    }
}

fn b32_value(c: u8) -> Option<u8> {
    let c = read_as(c);
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u8)
}

/// A data line's number: the text before its `:`, whitespace ignored, read like the rest
/// of the line (so `OOOl` is 1: a line number is typed from paper as its data is). `None`
/// if there is no digit or a character that is not one; a value too large for a `u32`
/// saturates (it is then never the number expected).
fn line_number(prefix: &[u8]) -> Option<u32> {
    let mut value: u32 = 0;
    let mut digits = 0;
    for &c in prefix {
        if c.is_ascii_whitespace() {
            continue;
        }
        let d = read_as(c);
        if !d.is_ascii_digit() {
            return None;
        }
        value = value.saturating_mul(10).saturating_add(u32::from(d - b'0'));
        digits += 1;
    }
    (digits > 0).then_some(value)
}

fn trim(line: &[u8]) -> &[u8] {
    line.trim_ascii()
}

/// Decodes armored text (anything before the BEGIN line and after the END line is
/// ignored) into `out`; returns the number of bytes.
///
/// # Errors
/// An [`ArmorError`] naming the text line at fault.
pub fn decode(text: &[u8], out: &mut [u8]) -> Result<usize, ArmorError> {
    let mut decoder = Decoder::new(out.len());
    let mut written = 0;
    let mut line = [0u8; BYTES_PER_LINE];
    for l in text.split(|&b| b == b'\n') {
        match decoder.line(l, &mut line)? {
            Step::Data(n) => {
                out[written..written + n].copy_from_slice(&line[..n]);
                written += n;
            }
            Step::End(n) => return Ok(n),
            Step::Other => {}
        }
    }
    Err(decoder.finish())
}

/// What one text line was to a [`Decoder`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Not data: text before the BEGIN line, a header or blank line, text after END.
    Other,
    /// A data line: this many bytes of data (at most [`BYTES_PER_LINE`]) were decoded.
    Data(usize),
    /// The END line, after all the data: the data's length.
    End(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Begin,
    Header,
    Data,
    Done,
}

/// Decodes armored text one text line at a time, for text that is not held whole, with
/// the same results and errors as [`decode`]: give it every line in order (the text split
/// at each `\n`, the `\n` left out, including the piece after the last `\n`), then call
/// [`Decoder::finish`] if no line returned [`Step::End`].
#[derive(Clone, Debug)]
pub struct Decoder {
    capacity: usize,
    stage: Stage,
    line: usize,
    version: bool,
    length: Option<usize>,
    last_header_line: usize,
    written: usize,
    expected: u32,
}

impl Decoder {
    /// A decoder for data of at most `capacity` bytes (the room [`decode`] has; a larger
    /// `Length:` is [`ArmorError::BufferTooSmall`]).
    #[must_use]
    pub const fn new(capacity: usize) -> Self {
        Self {
            capacity,
            stage: Stage::Begin,
            line: 0,
            version: false,
            length: None,
            last_header_line: 0,
            written: 0,
            expected: 1,
        }
    }

    /// The length the header announces, once the header has been read.
    #[must_use]
    pub const fn length(&self) -> Option<usize> {
        match self.stage {
            Stage::Data | Stage::Done => self.length,
            Stage::Begin | Stage::Header => None,
        }
    }

    /// Takes the next text line (without its `\n`); a data line's bytes go to `out`.
    ///
    /// # Errors
    /// An [`ArmorError`] naming the text line at fault; the decoder must not be used
    /// after one.
    pub fn line(
        &mut self,
        text: &[u8],
        out: &mut [u8; BYTES_PER_LINE],
    ) -> Result<Step, ArmorError> {
        self.line += 1;
        let n = self.line;
        let l = trim(text);
        match self.stage {
            Stage::Done => Ok(Step::Other),
            Stage::Begin => {
                if l.eq_ignore_ascii_case(BEGIN.as_bytes()) {
                    self.stage = Stage::Header;
                }
                Ok(Step::Other)
            }
            Stage::Header => {
                self.last_header_line = n;
                let complete = self.version && self.length.is_some();
                if l.is_empty() {
                    if complete {
                        self.start_data()?;
                    }
                    return Ok(Step::Other);
                }
                let colon = l.iter().position(|&b| b == b':');
                let key = colon.map_or(l, |c| trim(&l[..c]));
                let value = colon.map_or(&[][..], |c| trim(&l[c + 1..]));
                if colon.is_some() && key.eq_ignore_ascii_case(b"version") {
                    // Each header line once: a second one (even an equal one) is refused
                    // rather than silently overriding the first.
                    if self.version {
                        return Err(ArmorError::BadHeader { line: n });
                    }
                    match parse_decimal(value) {
                        Some(1) => {}
                        Some(_) => return Err(ArmorError::UnsupportedVersion { line: n }),
                        None => return Err(ArmorError::BadHeader { line: n }),
                    }
                    self.version = true;
                    Ok(Step::Other)
                } else if colon.is_some() && key.eq_ignore_ascii_case(b"length") {
                    if self.length.is_some() {
                        return Err(ArmorError::BadHeader { line: n });
                    }
                    self.length =
                        Some(parse_decimal(value).ok_or(ArmorError::BadHeader { line: n })?);
                    Ok(Step::Other)
                } else if complete
                    && (l.eq_ignore_ascii_case(END.as_bytes())
                        || (colon.is_some() && line_number(key).is_some()))
                {
                    // The blank line after the header is what writers print; a reader
                    // does not need it.
                    self.start_data()?;
                    self.data_line(n, l, out)
                } else {
                    Err(ArmorError::BadHeader { line: n })
                }
            }
            Stage::Data => self.data_line(n, l, out),
        }
    }

    /// The error for text that ended here, without an END line after all its data.
    /// ([`ArmorError::NoEndLine`] if the END line was seen: nothing is missing.)
    #[must_use]
    pub fn finish(&self) -> ArmorError {
        match self.stage {
            Stage::Begin => ArmorError::NoBeginLine,
            Stage::Header => match (self.version, self.length) {
                (true, Some(length)) if self.capacity < length => {
                    ArmorError::BufferTooSmall { needed: length }
                }
                (true, Some(_)) => ArmorError::NoEndLine,
                _ => ArmorError::BadHeader {
                    line: self.last_header_line.max(1),
                },
            },
            Stage::Data | Stage::Done => ArmorError::NoEndLine,
        }
    }

    fn start_data(&mut self) -> Result<(), ArmorError> {
        let length = self.length.unwrap_or(0);
        if self.capacity < length {
            return Err(ArmorError::BufferTooSmall { needed: length });
        }
        self.stage = Stage::Data;
        Ok(())
    }

    fn data_line(
        &mut self,
        n: usize,
        l: &[u8],
        out: &mut [u8; BYTES_PER_LINE],
    ) -> Result<Step, ArmorError> {
        let length = self.length.unwrap_or(0);
        let expected = self.expected;
        if l.is_empty() {
            return Ok(Step::Other);
        }
        if l.eq_ignore_ascii_case(END.as_bytes()) {
            if self.written < length {
                return Err(ArmorError::MissingLines { line: n, expected });
            }
            self.stage = Stage::Done;
            return Ok(Step::End(self.written));
        }
        if self.written >= length {
            return Err(ArmorError::WrongLineNumber { line: n, expected });
        }
        let colon = l
            .iter()
            .position(|&b| b == b':')
            .ok_or(ArmorError::BadCharacter { line: n })?;
        let number = line_number(&l[..colon]).ok_or(ArmorError::BadCharacter { line: n })?;
        if number != expected {
            return Err(ArmorError::WrongLineNumber { line: n, expected });
        }
        let line_bytes = (length - self.written).min(BYTES_PER_LINE);
        let want_chars = b32_len(line_bytes) + CHECK_CHARS;
        // Collect the line's characters, ignoring whitespace.
        let mut chars = [0u8; 32 + CHECK_CHARS];
        let mut count = 0;
        for &c in &l[colon + 1..] {
            if c.is_ascii_whitespace() {
                continue;
            }
            let v = b32_value(c).ok_or(ArmorError::BadCharacter { line: n })?;
            if count < chars.len() {
                chars[count] = v;
            }
            count += 1;
        }
        if count != want_chars {
            return Err(ArmorError::WrongLineLength {
                line: n,
                data_line: number,
            });
        }
        let (data_chars, check) = chars[..count].split_at(count - CHECK_CHARS);
        let dst = &mut out[..line_bytes];
        // The check first: a line whose check fails is mistyped somewhere, and saying so
        // is the truth; only a line that matches its check yet ends in a character no
        // writer prints there has the padding as its fault.
        let padding_zero = decode_b32(data_chars, dst);
        let want = line_check(number, dst);
        if want
            .iter()
            .zip(check.iter())
            .any(|(w, &c)| ALPHABET[c as usize] != *w)
        {
            return Err(ArmorError::BadLine {
                line: n,
                data_line: number,
            });
        }
        if !padding_zero {
            return Err(ArmorError::NonZeroPadding {
                line: n,
                data_line: number,
            });
        }
        self.written += line_bytes;
        self.expected += 1;
        Ok(Step::Data(line_bytes))
    }
}

/// Decodes base32 values (0..32) into `out.len()` bytes (the caller gives exactly
/// `⌈8·len/5⌉` values); false if the last value's unused low bits are not zero (a
/// non-canonical, hence mistyped, last character). `out` is filled either way.
fn decode_b32(values: &[u8], out: &mut [u8]) -> bool {
    let mut acc: u64 = 0;
    let mut bits = 0;
    let mut n = 0;
    for &v in values {
        acc = (acc << 5) | u64::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            if n < out.len() {
                out[n] = (acc >> bits) as u8;
            }
            n += 1;
        }
        acc &= (1 << bits) - 1;
    }
    n == out.len() && acc == 0
}

/// A header value: one or more ASCII digits (leading zeros allowed) whose value fits a
/// `usize` on this target; checked, so that a 32-bit target cannot overflow.
fn parse_decimal(s: &[u8]) -> Option<usize> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.iter().try_fold(0usize, |a, &d| {
        a.checked_mul(10)?.checked_add(usize::from(d - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::{String, ToString};
    use std::vec::Vec;

    fn armor(data: &[u8]) -> String {
        let mut out = vec![0u8; encoded_len(data.len())];
        let n = encode(data, &mut out).unwrap();
        assert_eq!(n, out.len());
        String::from_utf8(out).unwrap()
    }

    fn unarmor(text: &str) -> Result<Vec<u8>, ArmorError> {
        let mut out = vec![0u8; decoded_len_max(text.len())];
        let n = decode(text.as_bytes(), &mut out)?;
        out.truncate(n);
        Ok(out)
    }

    #[test]
    fn round_trips_every_length_up_to_three_lines() {
        for len in 0..=61 {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let text = armor(&data);
            assert!(is_armored(text.as_bytes()));
            assert_eq!(unarmor(&text).unwrap(), data, "len {len}");
        }
    }

    fn armor_streaming(data: &[u8]) -> Vec<u8> {
        let mut enc = Encoder::new(data.len());
        let mut piece = [0u8; MAX_PIECE_LEN];
        let mut text = Vec::new();
        let n = enc.begin(&mut piece);
        text.extend_from_slice(&piece[..n]);
        let mut rest = data;
        while enc.next_line_len() > 0 {
            let (line, r) = rest.split_at(enc.next_line_len());
            rest = r;
            let n = enc.line(line, &mut piece).unwrap();
            text.extend_from_slice(&piece[..n]);
        }
        assert!(enc.line(b"x", &mut piece).is_err());
        let n = enc.end(&mut piece).unwrap();
        text.extend_from_slice(&piece[..n]);
        text
    }

    fn unarmor_streaming(text: &[u8], capacity: usize) -> Result<Vec<u8>, ArmorError> {
        let mut dec = Decoder::new(capacity);
        let mut out = Vec::new();
        let mut line = [0u8; BYTES_PER_LINE];
        for l in text.split(|&b| b == b'\n') {
            match dec.line(l, &mut line)? {
                Step::Data(n) => out.extend_from_slice(&line[..n]),
                Step::End(n) => {
                    assert_eq!(n, out.len());
                    assert_eq!(dec.length(), Some(n));
                    return Ok(out);
                }
                Step::Other => {}
            }
        }
        Err(dec.finish())
    }

    #[test]
    fn the_streaming_encoder_writes_the_same_text() {
        for len in (0..=61).chain([199, 200, 201, 20 * 10_000 + 7]) {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 + i / 256) as u8).collect();
            let text = armor(&data);
            assert_eq!(armor_streaming(&data), text.as_bytes(), "len {len}");
            assert_eq!(
                unarmor_streaming(text.as_bytes(), usize::MAX).unwrap(),
                data
            );
        }
        let mut enc = Encoder::new(21);
        let mut piece = [0u8; MAX_PIECE_LEN];
        assert!(enc.end(&mut piece).is_err());
        assert!(enc.line(&[0; 21], &mut piece).is_err());
        assert!(enc.line(&[0; 20], &mut piece).is_ok());
        assert!(enc.end(&mut piece).is_err());
    }

    #[test]
    fn the_streaming_decoder_reports_what_decode_reports() {
        let data: Vec<u8> = (0..70u8).collect();
        let text = armor(&data);
        let mut cases: Vec<Vec<u8>> = vec![
            Vec::new(),
            b"hello".to_vec(),
            BEGIN.as_bytes().to_vec(),
            format!("{BEGIN}\nVersion: 1\n").into_bytes(),
            format!("{BEGIN}\nVersion: 1\nLength: 5").into_bytes(),
            format!("{BEGIN}\nVersion: 1\nLength: 500\n").into_bytes(),
            format!("{BEGIN}\nLength: 5\n\n").into_bytes(),
        ];
        let bytes = text.as_bytes();
        for i in 0..bytes.len() {
            let mut t = bytes.to_vec();
            t[i] ^= 0x01;
            cases.push(t);
            cases.push([&bytes[..i], &bytes[i + 1..]].concat());
            cases.push(bytes[..i].to_vec());
        }
        for t in &cases {
            for capacity in [10, 70, 200] {
                let mut out = vec![0u8; capacity];
                let whole = decode(t, &mut out).map(|n| out[..n].to_vec());
                assert_eq!(unarmor_streaming(t, capacity), whole);
            }
        }
    }

    #[test]
    fn layout_is_stable() {
        let text = armor(b"airvault armor test vector, 40 bytes...");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], BEGIN);
        assert_eq!(lines[1], "Version: 1");
        assert_eq!(lines[2], "Length: 39");
        assert_eq!(lines[3], "");
        assert!(lines[4].starts_with("0001: "));
        assert_eq!(lines[4].len(), "0001: ".len() + 32 + 7 + 2 + 4);
        assert!(lines[5].starts_with("0002: "));
        assert_eq!(lines[6], END);
    }

    #[test]
    fn tolerates_case_whitespace_and_lookalikes() {
        let data: Vec<u8> = (0..=255u8).collect();
        let text = armor(&data);
        let sloppy: String = text
            .lines()
            .map(|l| {
                if l.starts_with(|c: char| c.is_ascii_digit()) {
                    let lower = l.to_ascii_lowercase().replace('1', "l").replace('0', "o");
                    // keep the line number digits intact; spacing changes freely
                    let (num, rest) = l.split_at(5);
                    let rest_lower = &lower[5..];
                    let _ = rest;
                    format!("  {num}{}   \r", rest_lower.replace(' ', "  "))
                } else {
                    format!("{l}  ")
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let framed = format!("Some notes from paper\n\n{sloppy}\n\ntrailing words");
        assert_eq!(unarmor(&framed).unwrap(), data);
    }

    #[test]
    fn a_typo_is_named_by_line() {
        let data: Vec<u8> = (0..100u8).collect();
        let text = armor(&data);
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        // Data line 3 is text line 7. Change one character of its data.
        let l = &mut lines[6];
        let pos = 8;
        let c = l.as_bytes()[pos];
        let replacement = if c == b'A' { "B" } else { "A" };
        l.replace_range(pos..pos + 1, replacement);
        let typo = lines.join("\n");
        assert_eq!(
            unarmor(&typo),
            Err(ArmorError::BadLine {
                line: 7,
                data_line: 3
            })
        );
        let msg = format!("{}", unarmor(&typo).unwrap_err());
        assert!(msg.contains("line 7"), "{msg}");
    }

    #[test]
    fn every_single_character_substitution_is_caught() {
        let data: Vec<u8> = (0..45u8).map(|i| i.wrapping_mul(91)).collect();
        let text = armor(&data);
        let bytes = text.as_bytes();
        for (i, &c) in bytes.iter().enumerate() {
            if c == b'\n' || c == b' ' {
                continue;
            }
            for &r in ALPHABET.iter() {
                if r.eq_ignore_ascii_case(&c) || b32_value(r) == b32_value(c) {
                    continue;
                }
                let mut t = bytes.to_vec();
                t[i] = r;
                let t = String::from_utf8(t).unwrap();
                if let Ok(d) = unarmor(&t) {
                    // The only accepted substitutions are in parts that carry no data.
                    assert_eq!(d, data, "substitution at {i} changed the data silently");
                }
            }
        }
    }

    #[test]
    fn missing_swapped_and_extra_lines() {
        let data: Vec<u8> = (0..70u8).collect();
        let text = armor(&data);
        let lines: Vec<&str> = text.lines().collect();
        let without = |skip: usize| -> String {
            lines
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, l)| *l)
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            unarmor(&without(5)),
            Err(ArmorError::WrongLineNumber {
                line: 6,
                expected: 2
            })
        );
        assert!(matches!(
            unarmor(&without(7)),
            Err(ArmorError::MissingLines { expected: 4, .. })
        ));
        assert_eq!(unarmor(&without(8)), Err(ArmorError::NoEndLine));
        assert_eq!(unarmor("hello"), Err(ArmorError::NoBeginLine));
        let mut swapped = lines.clone();
        swapped.swap(4, 5);
        assert!(matches!(
            unarmor(&swapped.join("\n")),
            Err(ArmorError::WrongLineNumber { line: 5, .. })
        ));
        let bad_version = text.replace("Version: 1", "Version: 2");
        assert_eq!(
            unarmor(&bad_version),
            Err(ArmorError::UnsupportedVersion { line: 2 })
        );
        let bad_len = text.replace("Length: 70", "Length: 71");
        assert!(unarmor(&bad_len).is_err());
        let mut small = [0u8; 10];
        assert_eq!(
            decode(text.as_bytes(), &mut small),
            Err(ArmorError::BufferTooSmall { needed: 70 })
        );
    }

    /// The armor of `data` with its text lines changed by `edit`.
    fn edited(data: &[u8], edit: impl FnOnce(&mut Vec<String>)) -> String {
        let mut lines: Vec<String> = armor(data).lines().map(String::from).collect();
        edit(&mut lines);
        lines.join("\n")
    }

    #[test]
    fn the_line_number_is_read_like_the_data() {
        let data: Vec<u8> = (0..45u8).collect();
        // `OOOl` is 0001, `ooo2` is 0002, and whitespace inside the number is ignored.
        let text = edited(&data, |l| {
            l[4] = l[4].replacen("0001", "OOOl", 1);
            l[5] = l[5].replacen("0002", "ooo2", 1);
            l[6] = l[6].replacen("0003", "0 0 0 3", 1);
        });
        assert_eq!(unarmor(&text).unwrap(), data);
        // Any number of leading zeros, or none.
        let text = edited(&data, |l| {
            l[4] = l[4].replacen("0001", "1", 1);
            l[5] = l[5].replacen("0002", "000000000000000002", 1);
        });
        assert_eq!(unarmor(&text).unwrap(), data);
        // Still a number: other letters are refused, and a number far too large is simply
        // not the one expected.
        let text = edited(&data, |l| l[5] = l[5].replacen("0002", "000A", 1));
        assert_eq!(unarmor(&text), Err(ArmorError::BadCharacter { line: 6 }));
        // Without the blank line, the first data line ends the header: one that is not a
        // line number is an unknown header line.
        let text = edited(&data, |l| {
            l.remove(3);
            l[3] = l[3].replacen("0001", "000A", 1);
        });
        assert_eq!(unarmor(&text), Err(ArmorError::BadHeader { line: 4 }));
        let text = edited(&data, |l| {
            l[5] = l[5].replacen("0002", "99999999999999999999", 1);
        });
        assert_eq!(
            unarmor(&text),
            Err(ArmorError::WrongLineNumber {
                line: 6,
                expected: 2
            })
        );
    }

    #[test]
    fn the_check_is_the_last_four_characters_whatever_the_spacing() {
        let data: Vec<u8> = (0..45u8).collect();
        let text = edited(&data, |l| {
            for line in &mut l[4..7] {
                let (num, rest) = line.split_at(5);
                *line = format!("{num}{}", rest.replace(' ', ""));
            }
            l[5] = l[5].chars().flat_map(|c| [c, ' ']).collect();
        });
        assert_eq!(unarmor(&text).unwrap(), data);
    }

    #[test]
    fn header_lines_once_each_in_either_order_the_blank_line_optional() {
        let data: Vec<u8> = (0..45u8).collect();
        let swapped = edited(&data, |l| l.swap(1, 2));
        assert_eq!(unarmor(&swapped).unwrap(), data);
        let no_blank = edited(&data, |l| {
            l.remove(3);
        });
        assert_eq!(unarmor(&no_blank).unwrap(), data);
        let blanks = edited(&data, |l| {
            l.insert(2, String::new());
            l.insert(1, "   ".into());
            l.insert(4, String::new());
        });
        assert_eq!(unarmor(&blanks).unwrap(), data);
        let spaced = edited(&data, |l| {
            l[1] = "  version :  0001 ".into();
            l[2] = "LENGTH:045".into();
        });
        assert_eq!(unarmor(&spaced).unwrap(), data);
        // Repeated, unknown, missing or unreadable header lines.
        let twice = edited(&data, |l| l.insert(2, "Version: 1".into()));
        assert_eq!(unarmor(&twice), Err(ArmorError::BadHeader { line: 3 }));
        let twice = edited(&data, |l| l.insert(3, "Length: 45".into()));
        assert_eq!(unarmor(&twice), Err(ArmorError::BadHeader { line: 4 }));
        let extra = edited(&data, |l| l.insert(3, "Comment: from the safe".into()));
        assert_eq!(unarmor(&extra), Err(ArmorError::BadHeader { line: 4 }));
        // After the blank line that follows both header lines, every line is data.
        let extra = edited(&data, |l| l.insert(4, "Comment: from the safe".into()));
        assert_eq!(unarmor(&extra), Err(ArmorError::BadCharacter { line: 5 }));
        let missing = edited(&data, |l| {
            l.remove(1);
        });
        assert_eq!(unarmor(&missing), Err(ArmorError::BadHeader { line: 4 }));
        let unreadable = edited(&data, |l| l[2] = "Length: 4 5".into());
        assert_eq!(unarmor(&unreadable), Err(ArmorError::BadHeader { line: 3 }));
        let unreadable = edited(&data, |l| l[1] = "Version: one".into());
        assert_eq!(unarmor(&unreadable), Err(ArmorError::BadHeader { line: 2 }));
        let huge = edited(&data, |l| l[2] = format!("Length: {}0", usize::MAX));
        assert_eq!(unarmor(&huge), Err(ArmorError::BadHeader { line: 3 }));
        // An empty armor needs no blank line either.
        assert_eq!(
            unarmor(&format!("{BEGIN}\nVersion: 1\nLength: 0\n{END}\n")),
            Ok(Vec::new())
        );
        assert_eq!(unarmor(&armor(&[])), Ok(Vec::new()));
    }

    #[test]
    fn an_unknown_version_is_unsupported_not_malformed() {
        let data: Vec<u8> = (0..45u8).collect();
        for v in ["2", "0", "10", "002"] {
            let text = edited(&data, |l| l[1] = format!("Version: {v}"));
            assert_eq!(
                unarmor(&text),
                Err(ArmorError::UnsupportedVersion { line: 2 }),
                "{v}"
            );
        }
        let msg = ArmorError::UnsupportedVersion { line: 2 }.to_string();
        assert!(msg.contains("unsupported"), "{msg}");
    }

    #[test]
    fn a_non_zero_final_padding_has_its_own_error() {
        // 21 bytes: data line 2 carries one byte, two characters with 2 unused bits.
        let data: Vec<u8> = (0..21u8).map(|i| i.wrapping_mul(40)).collect();
        let text = armor(&data);
        let lines: Vec<&str> = text.lines().collect();
        let line2 = lines[5];
        let (head, check) = line2.rsplit_once("  ").unwrap();
        let last = head.as_bytes()[head.len() - 1];
        let value = b32_value(last).unwrap();
        assert_eq!(value & 0b11, 0);
        // The same byte with its unused bits set: the check still matches.
        let padded = ALPHABET[usize::from(value | 0b01)] as char;
        let bad = format!("{}{padded}  {check}", &head[..head.len() - 1]);
        let t = text.replace(line2, &bad);
        assert_eq!(
            unarmor(&t),
            Err(ArmorError::NonZeroPadding {
                line: 6,
                data_line: 2
            })
        );
        let msg = ArmorError::NonZeroPadding {
            line: 6,
            data_line: 2,
        }
        .to_string();
        assert!(msg.contains("line 6") && !msg.contains("check"), "{msg}");
        // A character that changes the data too fails the check, which is reported.
        let changed = ALPHABET[usize::from((value ^ 0b100) | 0b01)] as char;
        let bad = format!("{}{changed}  {check}", &head[..head.len() - 1]);
        let t = text.replace(line2, &bad);
        assert_eq!(
            unarmor(&t),
            Err(ArmorError::BadLine {
                line: 6,
                data_line: 2
            })
        );
    }

    #[test]
    fn the_begin_line_is_found_in_any_case() {
        let text = armor(b"abc").replace(BEGIN, &BEGIN.to_ascii_lowercase());
        assert!(is_armored(text.as_bytes()));
        assert_eq!(unarmor(&text).unwrap(), b"abc");
        assert!(!is_armored(b"-----BEGIN AIRVAULT BACKUP----"));
    }
}

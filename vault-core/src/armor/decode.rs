//! Reading armor: whole buffers ([`decode`]) or one line at a time ([`Decoder`]), every
//! line checked and a mistyped one named by its number.

use super::{b32_len, line_check, ArmorError, ALPHABET, BEGIN, BYTES_PER_LINE, CHECK_CHARS, END};

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

pub(super) fn b32_value(c: u8) -> Option<u8> {
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

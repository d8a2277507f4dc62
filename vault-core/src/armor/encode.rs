//! Writing armor: whole buffers ([`encode`]) or one line at a time ([`Encoder`]).

use super::{b32_len, line_check, ALPHABET, BEGIN, BYTES_PER_LINE, CHECK_CHARS, END};
use crate::error::Error;

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

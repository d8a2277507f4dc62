//! Strict, streaming base64 decoding on top of `base64ct`.
//!
//! `base64ct` does the character work (constant time, canonical encodings only: non-zero
//! trailing bits and misplaced `=` are rejected). This file only frames the text into 4-char
//! groups, so a whole token never has to be decoded into a buffer: callers read the decoded
//! bytes straight into the MAC or the cipher, in as many passes as they need.

use base64ct::{Base64, Base64Unpadded, Base64Url, Base64UrlUnpadded, Encoding};
use zeroize::Zeroize;

/// Which 64-character alphabet the text uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Alphabet {
    /// RFC 4648 §4 (`+`, `/`): what `openssl enc -a` writes.
    Standard,
    /// RFC 4648 §5 (`-`, `_`): what Fernet uses.
    UrlSafe,
}

/// Where whitespace may appear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Layout {
    /// One run of base64 characters, optionally surrounded by ASCII whitespace.
    SingleLine,
    /// Line-wrapped text (`openssl enc -a` wraps at 64 columns): ASCII whitespace, including
    /// `\n` and `\r\n` line breaks, may appear anywhere and is skipped.
    Wrapped,
}

/// The input is not valid base64 in the expected alphabet and layout, or ended early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct ReadError;

/// A source of bytes read front to back in exact amounts.
pub(super) trait ByteSource {
    /// Fills all of `dst` from the source, or fails if the source is invalid or too short.
    /// On failure the contents of `dst` are unspecified.
    fn read_exact(&mut self, dst: &mut [u8]) -> Result<(), ReadError>;
}

impl ByteSource for &[u8] {
    fn read_exact(&mut self, dst: &mut [u8]) -> Result<(), ReadError> {
        let (head, tail) = self.split_at_checked(dst.len()).ok_or(ReadError)?;
        dst.copy_from_slice(head);
        *self = tail;
        Ok(())
    }
}

/// Decodes base64 text lazily, group by group. Padding is optional; when present it must be
/// canonical and may only end the text.
#[derive(Clone)]
pub(super) struct Base64Reader<'a> {
    /// Text not yet consumed.
    rest: &'a [u8],
    alphabet: Alphabet,
    layout: Layout,
    /// Bytes of the current group; `group[pos..len]` are not yet handed out.
    group: [u8; 3],
    len: usize,
    pos: usize,
    /// A final (padded or short) group has been decoded, or the text ran out.
    finished: bool,
}

impl<'a> Base64Reader<'a> {
    /// Starts reading `text`. Validation is lazy: errors surface from the reads.
    pub(super) fn new(text: &'a [u8], alphabet: Alphabet, layout: Layout) -> Self {
        let rest = match layout {
            Layout::SingleLine => text.trim_ascii(),
            Layout::Wrapped => text,
        };
        Self {
            rest,
            alphabet,
            layout,
            group: [0; 3],
            len: 0,
            pos: 0,
            finished: false,
        }
    }

    /// Decodes the next group into `self.group`. Returns the number of bytes it holds (`0` at
    /// the end of valid input).
    fn next_group(&mut self) -> Result<usize, ReadError> {
        self.pos = 0;
        self.len = 0;
        if self.finished {
            return Ok(0);
        }
        let mut chars = [0u8; 4];
        let mut n = 0;
        while n < chars.len() {
            let Some((&c, tail)) = self.rest.split_first() else {
                break;
            };
            self.rest = tail;
            if self.layout == Layout::Wrapped && c.is_ascii_whitespace() {
                continue;
            }
            if let Some(slot) = chars.get_mut(n) {
                *slot = c;
            }
            n += 1;
        }
        let decoded = match chars.get(..n) {
            // End of input on a group boundary (`[]` only: `n` is at most 4).
            Some([]) => Ok(0),
            // Unpadded short final group (2 or 3 characters).
            Some(short @ ([_, _] | [_, _, _])) => {
                let r = match self.alphabet {
                    Alphabet::Standard => Base64Unpadded::decode(short, &mut self.group),
                    Alphabet::UrlSafe => Base64UrlUnpadded::decode(short, &mut self.group),
                };
                r.map(<[u8]>::len)
            }
            // A full group, which may carry `=` padding.
            Some(full @ [_, _, _, _]) => {
                let r = match self.alphabet {
                    Alphabet::Standard => Base64::decode(full, &mut self.group),
                    Alphabet::UrlSafe => Base64Url::decode(full, &mut self.group),
                };
                r.map(<[u8]>::len)
            }
            // A single dangling character can never be valid.
            _ => Err(base64ct::Error::InvalidEncoding),
        };
        // The text may encode a secret key.
        chars.zeroize();
        let len = decoded.map_err(|_| ReadError)?;
        if len < 3 {
            // Padding, a short group or the end of the text: nothing may follow.
            self.finished = true;
            let trailing_ok = match self.layout {
                Layout::SingleLine => self.rest.is_empty(),
                Layout::Wrapped => self.rest.iter().all(u8::is_ascii_whitespace),
            };
            if !trailing_ok {
                self.group.zeroize();
                return Err(ReadError);
            }
        }
        self.len = len;
        Ok(len)
    }

    /// Decodes and validates all the remaining input, returning how many bytes it holds.
    pub(super) fn remaining_len(mut self) -> Result<usize, ReadError> {
        let mut total = self.len.saturating_sub(self.pos);
        loop {
            match self.next_group()? {
                0 => return Ok(total),
                n => total = total.checked_add(n).ok_or(ReadError)?,
            }
        }
    }

    /// Succeeds only if every byte has been read and the rest of the text is valid padding or
    /// whitespace.
    pub(super) fn finish(mut self) -> Result<(), ReadError> {
        if self.pos < self.len || self.next_group()? != 0 {
            return Err(ReadError);
        }
        Ok(())
    }
}

impl ByteSource for Base64Reader<'_> {
    fn read_exact(&mut self, dst: &mut [u8]) -> Result<(), ReadError> {
        for byte in dst.iter_mut() {
            if self.pos >= self.len && self.next_group()? == 0 {
                return Err(ReadError);
            }
            *byte = *self.group.get(self.pos).ok_or(ReadError)?;
            self.pos += 1;
        }
        Ok(())
    }
}

impl Drop for Base64Reader<'_> {
    fn drop(&mut self) {
        self.group.zeroize();
    }
}

impl core::fmt::Debug for Base64Reader<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never print the decoded bytes: they may be key material.
        f.debug_struct("Base64Reader")
            .field("alphabet", &self.alphabet)
            .field("layout", &self.layout)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes all of `text` into `buf`, returning the decoded bytes.
    fn decode<'b>(
        text: &[u8],
        alphabet: Alphabet,
        layout: Layout,
        buf: &'b mut [u8],
    ) -> Result<&'b [u8], ReadError> {
        let len = Base64Reader::new(text, alphabet, layout).remaining_len()?;
        let out = buf.get_mut(..len).ok_or(ReadError)?;
        let mut reader = Base64Reader::new(text, alphabet, layout);
        reader.read_exact(out)?;
        reader.finish()?;
        Ok(out)
    }

    fn std_wrapped(text: &[u8]) -> Result<([u8; 32], usize), ReadError> {
        let mut buf = [0u8; 32];
        let len = decode(text, Alphabet::Standard, Layout::Wrapped, &mut buf)?.len();
        Ok((buf, len))
    }

    fn url_line(text: &[u8]) -> Result<([u8; 32], usize), ReadError> {
        let mut buf = [0u8; 32];
        let len = decode(text, Alphabet::UrlSafe, Layout::SingleLine, &mut buf)?.len();
        Ok((buf, len))
    }

    #[test]
    fn rfc4648_vectors_padded_and_unpadded() {
        let vectors: [(&[u8], &[u8]); 7] = [
            (b"", b""),
            (b"f", b"Zg=="),
            (b"fo", b"Zm8="),
            (b"foo", b"Zm9v"),
            (b"foob", b"Zm9vYg=="),
            (b"fooba", b"Zm9vYmE="),
            (b"foobar", b"Zm9vYmFy"),
        ];
        for (plain, enc) in vectors {
            for text in [
                enc,
                enc.strip_suffix(b"==")
                    .or(enc.strip_suffix(b"="))
                    .unwrap_or(enc),
            ] {
                let (buf, len) = std_wrapped(text).unwrap();
                assert_eq!(&buf[..len], plain);
                let (buf, len) = url_line(text).unwrap();
                assert_eq!(&buf[..len], plain);
            }
        }
    }

    #[test]
    fn alphabets_are_strict() {
        assert_eq!(std_wrapped(b"+/+/").unwrap().1, 3);
        assert!(std_wrapped(b"-_-_").is_err());
        assert_eq!(url_line(b"-_-_").unwrap().1, 3);
        assert!(url_line(b"+/+/").is_err());
    }

    #[test]
    fn whitespace_rules() {
        // Wrapped: anywhere. Single line: only around the text.
        assert_eq!(std_wrapped(b" Zm9v\r\nYmFy\n\n").unwrap().1, 6);
        assert_eq!(std_wrapped(b"Z m 9 v").unwrap().1, 3);
        assert_eq!(url_line(b" \tZm9vYmFy\r\n").unwrap().1, 6);
        assert!(url_line(b"Zm9v YmFy").is_err());
        assert!(url_line(b"Zm9v\nYmFy").is_err());
    }

    #[test]
    fn padding_and_canonical_form() {
        for bad in [
            &b"Z"[..],     // dangling character
            b"Zm9vY",      // dangling character after a full group
            b"Zg=",        // incomplete padding
            b"Zg===",      // too much padding
            b"Z===",       // padding for a single character
            b"=Zg=",       // padding first
            b"Zg==Zm9v",   // data after padding
            b"Zg==\nZm9v", // data after padding on the next line
            b"Zh==",       // non-zero trailing bits
            b"Zm9=",       // non-zero trailing bits
            b"Zh",         // non-zero trailing bits, unpadded
        ] {
            assert!(std_wrapped(bad).is_err(), "{bad:?}");
            assert!(url_line(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn reads_past_the_end_fail() {
        let mut reader = Base64Reader::new(b"Zm9v", Alphabet::Standard, Layout::Wrapped);
        let mut four = [0u8; 4];
        assert_eq!(reader.read_exact(&mut four), Err(ReadError));
        let mut reader = Base64Reader::new(b"Zm9vYg==", Alphabet::Standard, Layout::Wrapped);
        let mut three = [0u8; 3];
        assert!(reader.read_exact(&mut three).is_ok());
        assert!(reader.clone().finish().is_err(), "one byte left");
        assert_eq!(reader.clone().remaining_len(), Ok(1));
        let mut one = [0u8; 1];
        assert!(reader.read_exact(&mut one).is_ok());
        assert_eq!(&one, b"b");
        assert!(reader.finish().is_ok());
    }
}

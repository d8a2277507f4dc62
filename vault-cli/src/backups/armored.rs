//! Armored backups without holding them: the binary backup is written to an unnamed
//! scratch file, encoded from there line by line into the output, and the output read back
//! and decoded line by line (the core's [`armor::Encoder`] and [`armor::Decoder`]).

use std::io::{BufRead, Read, Write};
use std::path::Path;

use sha2::{Digest, Sha256};
use vault_core::armor::{self, ArmorError, Decoder, Encoder, Step, BYTES_PER_LINE};

use super::copy::compare_opened;
use crate::commands::Context;
use crate::error::Result;
use crate::files;
use crate::model::Vault;

/// What [`write_armor`] wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ArmorSums {
    /// SHA-256 of the armor text.
    pub text_sha: [u8; 32],
    /// Length of the armor text.
    pub text_len: u64,
    /// SHA-256 of the data it carries.
    pub data_sha: [u8; 32],
}

/// Encodes the `data_len` bytes read from `data` as armor into `out`, line by line; the
/// text is [`armor::encode`]'s, byte for byte.
///
/// # Errors
/// Read and write errors; a `data` shorter than `data_len`.
pub(crate) fn write_armor(
    data: &mut impl Read,
    data_len: u64,
    out: &mut impl Write,
) -> std::io::Result<ArmorSums> {
    let len = usize::try_from(data_len).map_err(std::io::Error::other)?;
    let mut enc = Encoder::new(len);
    let mut piece = [0u8; armor::MAX_PIECE_LEN];
    let mut text_sha = Sha256::new();
    let mut data_sha = Sha256::new();
    let mut text_len = 0u64;
    let mut out = std::io::BufWriter::with_capacity(16 * 1024, out);
    let mut put = |bytes: &[u8], out: &mut std::io::BufWriter<_>| {
        text_sha.update(bytes);
        text_len += bytes.len() as u64;
        out.write_all(bytes)
    };
    let n = enc.begin(&mut piece);
    put(&piece[..n], &mut out)?;
    let mut chunk = vec![0u8; BYTES_PER_LINE * 819];
    let mut left = len;
    while left > 0 {
        let take = left.min(chunk.len());
        data.read_exact(&mut chunk[..take])?;
        data_sha.update(&chunk[..take]);
        left -= take;
        for line in chunk[..take].chunks(BYTES_PER_LINE) {
            let n = enc.line(line, &mut piece).map_err(std::io::Error::other)?;
            put(&piece[..n], &mut out)?;
        }
    }
    let n = enc.end(&mut piece).map_err(std::io::Error::other)?;
    put(&piece[..n], &mut out)?;
    out.flush()?;
    Ok(ArmorSums {
        text_sha: text_sha.finalize().into(),
        text_len,
        data_sha: data_sha.finalize().into(),
    })
}

/// The data carried by the armor in a text read line by line: [`armor::decode`]'s result
/// as a reader. Text before the BEGIN line and after the END line is skipped; an armor
/// error is a read error ([`ArmorReader::error`] says which).
pub(crate) struct ArmorReader<R> {
    inner: R,
    decoder: Decoder,
    line: Vec<u8>,
    buf: [u8; BYTES_PER_LINE],
    pos: usize,
    len: usize,
    done: bool,
    eof: bool,
    error: Option<ArmorError>,
}

impl<R: BufRead> ArmorReader<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self {
            inner,
            decoder: Decoder::new(usize::try_from(files::MAX_FILE_LEN).unwrap_or(usize::MAX)),
            line: Vec::with_capacity(256),
            buf: [0; BYTES_PER_LINE],
            pos: 0,
            len: 0,
            done: false,
            eof: false,
            error: None,
        }
    }

    /// Whether the END line was reached after all the data.
    pub(crate) fn ended(&self) -> bool {
        self.done
    }

    /// The armor error met, if any.
    pub(crate) fn error(&self) -> Option<ArmorError> {
        self.error
    }

    fn fail(&mut self, e: ArmorError) -> std::io::Error {
        self.error = Some(e);
        std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string())
    }
}

impl<R: BufRead> Read for ArmorReader<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.pos < self.len {
                let n = out.len().min(self.len - self.pos);
                out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            if self.done || out.is_empty() {
                return Ok(0);
            }
            if let Some(e) = self.error {
                return Err(self.fail(e));
            }
            if self.eof {
                let e = self.decoder.finish();
                return Err(self.fail(e));
            }
            // The text is split at each '\n' as `armor::decode` splits it, the piece after
            // the last one included.
            self.line.clear();
            self.inner.read_until(b'\n', &mut self.line)?;
            let text = match self.line.split_last() {
                Some((b'\n', text)) => text,
                _ => {
                    self.eof = true;
                    &self.line[..]
                }
            };
            match self.decoder.line(text, &mut self.buf) {
                Ok(Step::Data(n)) => {
                    self.pos = 0;
                    self.len = n;
                }
                Ok(Step::End(_)) => self.done = true,
                Ok(Step::Other) => {}
                Err(e) => return Err(self.fail(e)),
            }
        }
    }
}

/// A reader that hashes and counts what passes through it.
struct Hashing<R> {
    inner: R,
    sha: Sha256,
    len: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        self.sha.update(&out[..n]);
        self.len += n as u64;
        Ok(n)
    }
}

/// Reads the armor in `tmp` back line by line and checks it as a restore would, never
/// holding it: it decodes to the backup written (`sums.data_sha`, `data_len`, whose first
/// header copy is `header`), which is intact, opens with `password` and holds exactly the
/// records of `expected`. `false` if anything differs or fails: the caller then checks it
/// whole, which says exactly what is wrong.
#[allow(clippy::too_many_arguments)]
pub(crate) fn check_armor_streaming(
    tmp: &Path,
    header: &[u8],
    sums: &ArmorSums,
    data_len: u64,
    expected: &Vault,
    password: &str,
    out: &Path,
    ctx: &Context,
) -> bool {
    let Ok(file) = std::fs::File::open(tmp) else {
        return false;
    };
    let mut data = Hashing {
        inner: ArmorReader::new(std::io::BufReader::with_capacity(16 * 1024, file)),
        sha: Sha256::new(),
        len: 0,
    };
    let mut head = vec![0u8; header.len()];
    if data.read_exact(&mut head).is_err() || head != header {
        return false;
    }
    let opened: Result<_> = compare_opened(&head, &mut data, expected, password, out, ctx);
    if !opened.is_ok_and(|v| v.is_intact()) {
        return false;
    }
    // The opening reads to the end of the data; nothing may follow but the END line.
    let mut rest = [0u8; 64];
    if !matches!(data.read(&mut rest), Ok(0)) || !data.inner.ended() {
        return false;
    }
    data.inner.error().is_none()
        && data.len == data_len
        && <[u8; 32]>::from(data.sha.finalize()) == sums.data_sha
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_the_same_armor_both_ways() {
        for len in [0usize, 1, 19, 20, 21, 16_380, 16_381, 50_000] {
            let data: Vec<u8> = (0..len).map(|i| (i * 31 + i / 253) as u8).collect();
            let mut whole = vec![0u8; armor::encoded_len(len)];
            let n = armor::encode(&data, &mut whole).unwrap();
            let mut text = Vec::new();
            let sums = write_armor(&mut &data[..], len as u64, &mut text).unwrap();
            assert_eq!(text, whole[..n]);
            assert_eq!(sums.text_len, n as u64);
            assert_eq!(sums.text_sha, <[u8; 32]>::from(Sha256::digest(&text)));
            assert_eq!(sums.data_sha, <[u8; 32]>::from(Sha256::digest(&data)));
            for framed in [
                text.clone(),
                [b"<pre>\n".as_slice(), &text, b"</pre>"].concat(),
            ] {
                let mut r = ArmorReader::new(&framed[..]);
                let mut back = Vec::new();
                r.read_to_end(&mut back).unwrap();
                assert!(r.ended() && r.error().is_none());
                assert_eq!(back, data);
            }
            let cut = &text[..text.len() - 10];
            let mut r = ArmorReader::new(cut);
            let mut back = Vec::new();
            assert!(r.read_to_end(&mut back).is_err());
            let mut out = vec![0u8; len];
            assert_eq!(r.error(), armor::decode(cut, &mut out).err());
        }
    }
}

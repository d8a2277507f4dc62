//! A single SLIP-39 share and its mnemonic encoding.
//!
//! ```text
//! | id 15 | ext 1 | e 4 | GI 4 | Gt 4 | g 4 | I 4 | t 4 | padded value | checksum 30 |
//! ```
//!
//! Word 1 and the high 5 bits of word 2 hold the identifier, then the
//! extendable flag and iteration exponent; words 3 and 4 hold the group and
//! member parameters; the value is left-padded with zero bits to a multiple of
//! 10 bits; the last 3 words are the RS1024 checksum.

use core::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::error::{MnemonicError, Slip39Error};
use super::rs1024::{self, CHECKSUM_WORDS};
use super::wordlist::{self, MAX_WORD_LEN};
use super::{MAX_SECRET_LEN, MAX_WORDS, MIN_SECRET_LEN, MIN_WORDS};

/// Bits per word.
const RADIX_BITS: usize = 10;
/// Words before the share value: identifier/flag/exponent (2) + parameters (2).
const HEADER_WORDS: usize = 4;
/// Words that are not part of the share value.
const METADATA_WORDS: usize = HEADER_WORDS + CHECKSUM_WORDS;

/// One parsed SLIP-39 share.
///
/// The public parameters are available through accessors. The share value is
/// secret; it is kept in a fixed-capacity buffer that is zeroized on drop and
/// is left out of the `Debug` output.
///
/// Shares are created only by [`parse_mnemonic`] and [`split`](super::split),
/// so every `Share` satisfies the format's invariants.
#[derive(Clone)]
pub struct Share {
    pub(super) identifier: u16,
    pub(super) extendable: bool,
    pub(super) iteration_exponent: u8,
    pub(super) group_index: u8,
    pub(super) group_threshold: u8,
    pub(super) group_count: u8,
    pub(super) member_index: u8,
    pub(super) member_threshold: u8,
    pub(super) value: heapless::Vec<u8, MAX_SECRET_LEN>,
}

impl Share {
    /// The random 15-bit identifier shared by all shares of one set.
    #[must_use]
    pub fn identifier(&self) -> u16 {
        self.identifier
    }

    /// The extendable backup flag (`ext`): when set, the identifier is not
    /// part of the encryption salt.
    #[must_use]
    pub fn extendable(&self) -> bool {
        self.extendable
    }

    /// The iteration exponent `e` (0–15): PBKDF2 runs `10000 << e` iterations.
    #[must_use]
    pub fn iteration_exponent(&self) -> u8 {
        self.iteration_exponent
    }

    /// The 0-based index of this share's group (its x-coordinate).
    #[must_use]
    pub fn group_index(&self) -> u8 {
        self.group_index
    }

    /// The number of groups needed to recover the secret (1–16).
    #[must_use]
    pub fn group_threshold(&self) -> u8 {
        self.group_threshold
    }

    /// The total number of groups (1–16).
    #[must_use]
    pub fn group_count(&self) -> u8 {
        self.group_count
    }

    /// The 0-based index of this share within its group (its x-coordinate).
    #[must_use]
    pub fn member_index(&self) -> u8 {
        self.member_index
    }

    /// The number of shares of this group needed to recover the group (1–16).
    #[must_use]
    pub fn member_threshold(&self) -> u8 {
        self.member_threshold
    }

    /// The share value. **Secret**: handle like key material.
    #[must_use]
    pub fn value(&self) -> &[u8] {
        &self.value
    }

    /// The number of words in this share's mnemonic (20 for a 128-bit secret,
    /// 33 for a 256-bit secret).
    #[must_use]
    pub fn word_count(&self) -> usize {
        word_count_for_value_len(self.value.len())
    }
}

impl fmt::Debug for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Share")
            .field("identifier", &self.identifier)
            .field("extendable", &self.extendable)
            .field("iteration_exponent", &self.iteration_exponent)
            .field("group_index", &self.group_index)
            .field("group_threshold", &self.group_threshold)
            .field("group_count", &self.group_count)
            .field("member_index", &self.member_index)
            .field("member_threshold", &self.member_threshold)
            .finish_non_exhaustive()
    }
}

impl Drop for Share {
    fn drop(&mut self) {
        self.value.zeroize();
    }
}

impl ZeroizeOnDrop for Share {}

/// Number of mnemonic words for a share value of `len` bytes.
fn word_count_for_value_len(len: usize) -> usize {
    METADATA_WORDS + (len * 8).div_ceil(RADIX_BITS)
}

/// Number of padding bits for a mnemonic of `words` words, if that length is
/// valid and supported (padding of at most 8 bits, value of 16–32 bytes).
fn padding_bits(words: usize) -> Option<usize> {
    if !(MIN_WORDS..=MAX_WORDS).contains(&words) {
        return None;
    }
    let value_bits = RADIX_BITS * (words - METADATA_WORDS);
    let padding = value_bits % 16;
    if padding > 8 {
        return None;
    }
    let value_len = (value_bits - padding) / 8;
    if (MIN_SECRET_LEN..=MAX_SECRET_LEN).contains(&value_len) {
        Some(padding)
    } else {
        None
    }
}

/// Parses one share mnemonic.
///
/// Words are separated by any whitespace; each word may be in any case and may
/// be abbreviated to a unique prefix of at least four letters (see
/// [`word_index`](super::word_index)). Checks, in order: every word is known
/// (the error names the first unknown word among the first 33), the word count is valid (20 or 33
/// words for 128- or 256-bit secrets, or any length in between with at most 8
/// padding bits), the RS1024 checksum with the customization string selected
/// by the extendable flag (on failure the error names the mistyped word when a
/// single wrong word explains it), zero padding bits, and group threshold ≤
/// group count.
///
/// # Errors
///
/// [`Slip39Error::Mnemonic`] describing the first problem found.
pub fn parse_mnemonic(mnemonic: &str) -> Result<Share, Slip39Error> {
    parse(mnemonic).map_err(Slip39Error::Mnemonic)
}

pub(super) fn parse(mnemonic: &str) -> Result<Share, MnemonicError> {
    let mut words = Zeroizing::new([0u16; MAX_WORDS]);
    let mut count = 0usize;
    for (position, word) in mnemonic.split_whitespace().enumerate() {
        count = position + 1;
        // Past the longest supported share, only count (bounds the work on
        // oversized input; such a mnemonic is rejected for its length).
        if let Some(slot) = words.get_mut(position) {
            *slot = wordlist::word_index(word).ok_or(MnemonicError::UnknownWord { word: count })?;
        }
    }
    let padding = padding_bits(count).ok_or(MnemonicError::WordCount { words: count })?;
    let words = words
        .get(..count)
        .ok_or(MnemonicError::WordCount { words: count })?;
    let (header, rest) = words
        .split_first_chunk::<HEADER_WORDS>()
        .ok_or(MnemonicError::WordCount { words: count })?;
    let value_words = rest
        .get(..rest.len().saturating_sub(CHECKSUM_WORDS))
        .ok_or(MnemonicError::WordCount { words: count })?;

    let [w0, w1, w2, w3] = header.map(u32::from);
    let id_exp = (w0 << 10) | w1;
    let extendable = (id_exp >> 4) & 1 == 1;

    if !rs1024::verify_checksum(extendable, words) {
        return Err(MnemonicError::Checksum {
            suspect_word: rs1024::locate_single_error(words).map(|p| p + 1),
        });
    }

    let mut value = heapless::Vec::new();
    if !decode_value(value_words, padding, &mut value) {
        value.zeroize();
        return Err(MnemonicError::Padding);
    }

    let params = (w2 << 10) | w3;
    // Each field is masked to 4 bits, so the conversions cannot fail.
    let nibble = |shift: u32| u8::try_from((params >> shift) & 0xf).unwrap_or(0);
    let group_threshold = nibble(12) + 1;
    let group_count = nibble(8) + 1;
    if group_threshold > group_count {
        value.zeroize();
        return Err(MnemonicError::GroupThreshold {
            threshold: group_threshold,
            count: group_count,
        });
    }

    Ok(Share {
        identifier: u16::try_from(id_exp >> 5).unwrap_or(0),
        extendable,
        iteration_exponent: u8::try_from(id_exp & 0xf).unwrap_or(0),
        group_index: nibble(16),
        group_threshold,
        group_count,
        member_index: nibble(4),
        member_threshold: nibble(0) + 1,
        value,
    })
}

/// Unpacks the share value from its 10-bit words, dropping `padding` leading
/// bits. Returns `false` if any padding bit is set. Branch-free in the data.
fn decode_value(
    value_words: &[u16],
    padding: usize,
    out: &mut heapless::Vec<u8, MAX_SECRET_LEN>,
) -> bool {
    out.clear();
    let mut accumulator: u32 = 0;
    let mut bits = 0usize;
    let mut padding_set: u16 = 0;
    for (i, &word) in value_words.iter().enumerate() {
        let (value, width) = if i == 0 {
            // padding <= 8 < RADIX_BITS, so the padding lies in the first word.
            let keep = RADIX_BITS - padding;
            padding_set = word >> keep;
            (u32::from(word) & ((1 << keep) - 1), keep)
        } else {
            (u32::from(word), RADIX_BITS)
        };
        accumulator = (accumulator << width) | value;
        bits += width;
        while bits >= 8 {
            bits -= 8;
            // Truncation to the low byte is intended.
            let byte = (accumulator >> bits).to_le_bytes()[0];
            if out.push(byte).is_err() {
                accumulator.zeroize();
                return false;
            }
        }
        accumulator &= (1 << bits) - 1;
    }
    accumulator.zeroize();
    padding_set == 0 && bits == 0
}

/// Packs the share into its mnemonic word indices. Returns the number of
/// words, or `None` if the share violates the format (impossible for shares
/// made by this module).
fn encode(share: &Share, words: &mut [u16; MAX_WORDS]) -> Option<usize> {
    let count = word_count_for_value_len(share.value.len());
    let padding = padding_bits(count)?;
    let fields_ok = share.identifier < (1 << 15)
        && share.iteration_exponent < 16
        && share.group_index < 16
        && (1..=16).contains(&share.group_threshold)
        && (1..=16).contains(&share.group_count)
        && share.member_index < 16
        && (1..=16).contains(&share.member_threshold);
    if !fields_ok {
        return None;
    }

    let id_exp = (u32::from(share.identifier) << 5)
        | (u32::from(share.extendable) << 4)
        | u32::from(share.iteration_exponent);
    let params = (u32::from(share.group_index) << 16)
        | (u32::from(share.group_threshold - 1) << 12)
        | (u32::from(share.group_count - 1) << 8)
        | (u32::from(share.member_index) << 4)
        | u32::from(share.member_threshold - 1);
    let word = |v: u32| u16::try_from(v & 0x3ff).unwrap_or(0);

    let (data, _) = words.split_at_mut(count.checked_sub(CHECKSUM_WORDS)?);
    let (header, value_words) = data.split_first_chunk_mut::<HEADER_WORDS>()?;
    *header = [
        word(id_exp >> 10),
        word(id_exp),
        word(params >> 10),
        word(params),
    ];

    // Big-endian bit stream: `padding` zero bits, then the value bytes.
    let mut accumulator: u32 = 0;
    let mut bits = padding;
    let mut slots = value_words.iter_mut();
    for &byte in share.value.iter() {
        accumulator = (accumulator << 8) | u32::from(byte);
        bits += 8;
        if bits >= RADIX_BITS {
            bits -= RADIX_BITS;
            *slots.next()? = word(accumulator >> bits);
            accumulator &= (1 << bits) - 1;
        }
    }
    accumulator.zeroize();
    if bits != 0 || slots.next().is_some() {
        return None;
    }

    let checksum = rs1024::create_checksum(share.extendable, data);
    words
        .get_mut(count - CHECKSUM_WORDS..count)?
        .copy_from_slice(&checksum);
    Some(count)
}

/// Writes the share's mnemonic: lowercase words separated by single spaces.
///
/// The output is as secret as the share itself; write it only to a sink that
/// is treated accordingly. Words are looked up in constant time.
///
/// # Errors
///
/// Any error of `out`.
pub fn write_mnemonic(share: &Share, out: &mut impl fmt::Write) -> fmt::Result {
    let mut words = Zeroizing::new([0u16; MAX_WORDS]);
    let count = encode(share, &mut words).ok_or(fmt::Error)?;
    let mut buffer = Zeroizing::new([0u8; MAX_WORD_LEN]);
    for (position, &index) in words.iter().take(count).enumerate() {
        if position > 0 {
            out.write_char(' ')?;
        }
        let len = wordlist::select_word(index, &mut buffer);
        // Words are lowercase ASCII; writing them byte by byte avoids UTF-8
        // validation branching on the (secret) letters.
        for &letter in buffer.iter().take(len) {
            out.write_char(char::from(letter))?;
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    extern crate std;
    use super::*;
    use std::string::String;

    #[test]
    fn supported_lengths() {
        let valid: std::vec::Vec<usize> = (0..40).filter(|&w| padding_bits(w).is_some()).collect();
        assert_eq!(valid, [20, 22, 23, 25, 27, 28, 30, 31, 33]);
        for len in (16..=32).step_by(2) {
            assert!(padding_bits(word_count_for_value_len(len)).is_some());
        }
        assert_eq!(word_count_for_value_len(16), 20);
        assert_eq!(word_count_for_value_len(32), 33);
    }

    #[test]
    fn encode_parse_round_trip_all_lengths() {
        let bytes: [u8; MAX_SECRET_LEN] =
            core::array::from_fn(|i| (i as u8).wrapping_mul(73) ^ 0xa5);
        for len in (MIN_SECRET_LEN..=MAX_SECRET_LEN).step_by(2) {
            for extendable in [false, true] {
                let share = Share {
                    identifier: 0x7abc,
                    extendable,
                    iteration_exponent: 15,
                    group_index: 3,
                    group_threshold: 2,
                    group_count: 4,
                    member_index: 15,
                    member_threshold: 16,
                    value: heapless::Vec::from_slice(&bytes[..len]).unwrap(),
                };
                let mut text = String::new();
                write_mnemonic(&share, &mut text).unwrap();
                assert_eq!(text.split(' ').count(), share.word_count());
                let parsed = parse_mnemonic(&text).unwrap();
                assert_eq!(std::format!("{parsed:?}"), std::format!("{share:?}"));
                assert_eq!(parsed.value(), share.value());
            }
        }
    }

    #[test]
    fn non_zero_padding_is_rejected() {
        // A 20-word share has 2 padding bits at the top of word 5; set one and
        // recompute the checksum so that only the padding is wrong.
        let share = Share {
            identifier: 1,
            extendable: true,
            iteration_exponent: 0,
            group_index: 0,
            group_threshold: 1,
            group_count: 1,
            member_index: 0,
            member_threshold: 1,
            value: heapless::Vec::from_slice(&[0u8; 16]).unwrap(),
        };
        let mut words = [0u16; MAX_WORDS];
        let count = encode(&share, &mut words).unwrap();
        words[HEADER_WORDS] |= 1 << 9;
        let checksum = rs1024::create_checksum(true, &words[..count - CHECKSUM_WORDS]);
        words[count - CHECKSUM_WORDS..count].copy_from_slice(&checksum);
        let text: std::vec::Vec<&str> = words[..count]
            .iter()
            .map(|&w| WORDLIST_FOR_TESTS[usize::from(w)])
            .collect();
        assert_eq!(
            parse_mnemonic(&text.join(" ")).unwrap_err(),
            Slip39Error::Mnemonic(MnemonicError::Padding)
        );
    }

    use super::super::WORDLIST as WORDLIST_FOR_TESTS;
}

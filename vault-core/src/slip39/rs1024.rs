//! The RS1024 checksum of SLIP-39 (a Reed-Solomon code over GF(1024)).
//!
//! The checksum covers the share's words, which encode the secret share value,
//! so the implementation is branch-free in the data (the generator selection
//! uses masks rather than `if`).

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

/// Number of checksum words at the end of every mnemonic.
pub(super) const CHECKSUM_WORDS: usize = 3;

/// Customization string for shares with `ext = 0`.
const CUSTOMIZATION_ORIGINAL: &[u8] = b"shamir";
/// Customization string for shares with `ext = 1`.
const CUSTOMIZATION_EXTENDABLE: &[u8] = b"shamir_extendable";

const GEN: [u32; 10] = [
    0x00e0_e040,
    0x01c1_c080,
    0x0383_8100,
    0x0707_0200,
    0x0e0e_0009,
    0x1c0c_2412,
    0x3808_6c24,
    0x3090_fc48,
    0x21b1_f890,
    0x03f3_f120,
];

/// The customization string for the given extendable flag.
fn customization(extendable: bool) -> &'static [u8] {
    if extendable {
        CUSTOMIZATION_EXTENDABLE
    } else {
        CUSTOMIZATION_ORIGINAL
    }
}

/// One step of the polymod: feeds the 10-bit value `value` into `chk`.
#[inline]
fn step(chk: u32, value: u32) -> u32 {
    let top = chk >> 20;
    let mut chk = ((chk & 0x000f_ffff) << 10) ^ value;
    for (bit, generator) in GEN.iter().enumerate() {
        chk ^= generator & ((top >> bit) & 1).wrapping_neg();
    }
    chk
}

fn polymod(values: impl Iterator<Item = u32>) -> u32 {
    values.fold(1, step)
}

fn prefixed<'a>(extendable: bool, words: &'a [u16]) -> impl Iterator<Item = u32> + 'a {
    customization(extendable)
        .iter()
        .map(|&c| u32::from(c))
        .chain(words.iter().map(|&w| u32::from(w)))
}

/// Computes the three checksum words for the data words `data`.
pub(super) fn create_checksum(extendable: bool, data: &[u16]) -> [u16; CHECKSUM_WORDS] {
    let residue = polymod(prefixed(extendable, data).chain([0u32; CHECKSUM_WORDS])) ^ 1;
    // Each word is masked to 10 bits, so the conversions cannot fail.
    let word = |shift: u32| u16::try_from((residue >> shift) & 0x3ff).unwrap_or(0);
    [word(20), word(10), word(0)]
}

/// Returns whether `words` (data followed by the checksum) has a valid checksum.
pub(super) fn verify_checksum(extendable: bool, words: &[u16]) -> bool {
    polymod(prefixed(extendable, words)) == 1
}

/// Looks for a single mistyped word that would explain a checksum failure and
/// returns its 0-based position.
///
/// RS1024 has minimum distance 4, so when exactly one word is wrong its
/// position is always found, and when two words are wrong no position is
/// suggested (barring a negligible chance, through the other customization
/// string, when the word holding the extendable flag is one of them). With
/// three or more wrong words a suggestion may be wrong, which is why callers
/// present it as "probably". Following the spec, the correction itself is
/// never revealed, only where to look.
///
/// The word that holds the extendable flag (position 1) may itself be the
/// mistyped word, which changes the customization string, so both strings are
/// tried, each accepted only if it agrees with the (corrected) flag.
///
/// Runs in time that depends only on the number of words.
pub(super) fn locate_single_error(words: &[u16]) -> Option<usize> {
    let typed_ext = words.get(1).map_or(0, |w| (w >> 4) & 1);
    let mut hits = 0u32;
    let mut position = 0u32;
    for extendable in [false, true] {
        let ext_bit = u16::from(extendable);
        // An error pattern e changes the polymod by the linear map L(e); we
        // need e with a single non-zero word such that L(e) = polymod ^ 1.
        let target = polymod(prefixed(extendable, words)) ^ 1;
        // basis[b] = image of bit b of the error word at the current position:
        // the bit pushed through the remaining steps with zero input.
        let mut basis = [0u32; 10];
        for (bit, slot) in basis.iter_mut().enumerate() {
            *slot = 1 << bit;
        }
        for (pos, &typed) in words.iter().enumerate().rev() {
            let pos32 = u32::try_from(pos).unwrap_or(u32::MAX);
            // Enumerate every non-zero 10-bit error in Gray-code order, so
            // that each step flips a single bit of the error.
            let mut image = 0u32;
            for counter in 1u16..1024 {
                let flipped = counter.trailing_zeros();
                image ^= usize::try_from(flipped)
                    .ok()
                    .and_then(|bit| basis.get(bit))
                    .copied()
                    .unwrap_or(0);
                let error = counter ^ (counter >> 1);
                let corrected_ext = if pos == 1 {
                    ((typed ^ error) >> 4) & 1
                } else {
                    typed_ext
                };
                let hit: Choice = image.ct_eq(&target) & corrected_ext.ct_eq(&ext_bit);
                hits += u32::from(hit.unwrap_u8());
                position.conditional_assign(&pos32, hit);
            }
            for slot in basis.iter_mut() {
                *slot = step(*slot, 0);
            }
        }
    }
    if hits == 1 {
        usize::try_from(position).ok()
    } else {
        None
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;

    fn sample(extendable: bool) -> [u16; 23] {
        let mut words = [0u16; 23];
        for (i, w) in words.iter_mut().enumerate().take(20) {
            *w = u16::try_from((i * 397 + 11) % 1024).unwrap();
        }
        words[1] = (words[1] & !0x10) | (u16::from(extendable) << 4);
        let checksum = create_checksum(extendable, &words[..20]);
        words[20..].copy_from_slice(&checksum);
        words
    }

    #[test]
    fn checksum_round_trip() {
        for extendable in [false, true] {
            let words = sample(extendable);
            assert!(verify_checksum(extendable, &words));
            assert!(!verify_checksum(!extendable, &words));
        }
    }

    #[test]
    fn locates_every_single_word_error() {
        for extendable in [false, true] {
            let good = sample(extendable);
            for pos in 0..good.len() {
                for delta in [1u16, 0x10, 0x3ff, 0x155] {
                    let mut bad = good;
                    bad[pos] ^= delta;
                    let ext = (bad[1] >> 4) & 1 == 1;
                    assert!(!verify_checksum(ext, &bad));
                    assert_eq!(
                        locate_single_error(&bad),
                        Some(pos),
                        "pos {pos} delta {delta}"
                    );
                }
            }
        }
    }

    #[test]
    fn never_misplaces_a_double_error() {
        let good = sample(true);
        for (a, b) in [(0, 5), (3, 4), (1, 22), (10, 19)] {
            let mut bad = good;
            bad[a] ^= 0x2a5;
            bad[b] ^= 0x013;
            let found = locate_single_error(&bad);
            assert!(
                found.is_none(),
                "double error at {a},{b} located at {found:?}"
            );
        }
    }
}

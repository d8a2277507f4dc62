//! Generated passwords and passphrases, for `generate --kind password`: characters drawn
//! uniformly from a fixed set, or words drawn uniformly from the SLIP-39 wordlist, with the
//! entropy that follows from the choice (every draw is uniform, so it is exact).

use rand_core::{CryptoRngCore, RngCore};
use vault_core::slip39::WORDLIST;
use zeroize::Zeroizing;

/// Printable ASCII without the space: 94 characters.
const PRINTABLE: &[u8] =
    b"!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
/// Letters and digits: 62 characters.
const ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Shortest and longest password `--length` accepts.
pub const LENGTH_RANGE: std::ops::RangeInclusive<u32> = 8..=1024;
/// Fewest and most words `--words` accepts.
pub const WORDS_RANGE: std::ops::RangeInclusive<u32> = 4..=64;
/// Characters of a password when neither `--length` nor `--words` is given.
pub const DEFAULT_LENGTH: u32 = 24;

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `length` characters, from printable ASCII (`symbols`) or letters and digits only.
    Characters {
        /// Number of characters.
        length: u32,
        /// Whether punctuation is drawn too.
        symbols: bool,
    },
    /// `count` words of the SLIP-39 wordlist, joined by `-`.
    Words {
        /// Number of words.
        count: u32,
    },
}

impl Shape {
    /// Bits of entropy of a password of this shape: `n · log2(alphabet)`, rounded down.
    #[must_use]
    pub fn entropy_bits(self) -> u32 {
        let (n, alphabet) = match self {
            Shape::Characters { length, symbols } => {
                (length, if symbols { PRINTABLE } else { ALPHANUMERIC }.len())
            }
            Shape::Words { count } => (count, WORDLIST.len()),
        };
        // Exact for the word list (2^10 words); for characters, log2 in f64 is far more
        // precise than the rounding.
        (f64::from(n) * (alphabet as f64).log2()).floor() as u32
    }

    /// Draws a password of this shape from `rng`.
    #[must_use]
    pub fn generate(self, rng: &mut impl CryptoRngCore) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::new());
        match self {
            Shape::Characters { length, symbols } => {
                let set = if symbols { PRINTABLE } else { ALPHANUMERIC };
                out.reserve_exact(length as usize);
                for _ in 0..length {
                    out.push(char::from(set[uniform(rng, set.len() as u32) as usize]));
                }
            }
            Shape::Words { count } => {
                // Longest SLIP-39 word: 8 letters; reserved up front so the string never
                // reallocates and leaves a copy behind.
                out.reserve_exact(count as usize * 9);
                for i in 0..count {
                    if i > 0 {
                        out.push('-');
                    }
                    out.push_str(WORDLIST[uniform(rng, WORDLIST.len() as u32) as usize]);
                }
            }
        }
        out
    }
}

/// A uniform draw from `0..n` (`n ≥ 1`), by rejection, so no value is likelier than another.
fn uniform(rng: &mut impl RngCore, n: u32) -> u32 {
    let zone = u32::MAX - (u32::MAX % n);
    loop {
        let v = rng.next_u32();
        if v < zone {
            return v % n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::OsRng;

    #[test]
    fn shapes_and_entropy() {
        let p = Shape::Characters {
            length: 24,
            symbols: true,
        };
        assert_eq!(p.entropy_bits(), 157); // 24 · log2(94) = 157.3
        let pw = p.generate(&mut OsRng);
        assert_eq!(pw.len(), 24);
        assert!(pw.bytes().all(|b| PRINTABLE.contains(&b)));
        let a = Shape::Characters {
            length: 20,
            symbols: false,
        };
        assert_eq!(a.entropy_bits(), 119); // 20 · log2(62) = 119.08
        assert!(a
            .generate(&mut OsRng)
            .bytes()
            .all(|b| b.is_ascii_alphanumeric()));
        let w = Shape::Words { count: 12 };
        assert_eq!(w.entropy_bits(), 120);
        let phrase = w.generate(&mut OsRng);
        let words: Vec<&str> = phrase.split('-').collect();
        assert_eq!(words.len(), 12);
        assert!(words.iter().all(|w| WORDLIST.contains(w)));
    }

    #[test]
    fn draws_are_uniform_enough() {
        // 94 buckets, 94,000 draws: every bucket within ±20% of 1,000.
        let mut counts = [0u32; 94];
        for _ in 0..94_000 {
            counts[uniform(&mut OsRng, 94) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (800..=1200).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    fn sets_are_what_they_claim() {
        assert_eq!(PRINTABLE.len(), 94);
        assert!(PRINTABLE.iter().all(|b| (33..=126).contains(b)));
        assert_eq!(ALPHANUMERIC.len(), 62);
    }
}

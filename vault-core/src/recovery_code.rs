//! The recovery code: the 128-bit recovery secret as eight groups of six digits, each group
//! with its own check, so that a person typing it back is told which group is wrong.
//!
//! Group `i` (0-based) encodes bytes `2i` and `2i+1` of the secret as a big-endian 16-bit
//! value `v`, written as the six decimal digits of `11·v + i` (zero-padded). A group is
//! valid when its number `d` satisfies `d mod 11 = i` and `d / 11 ≤ 65535`. The mod-11
//! check catches every single wrong digit, every swap of two adjacent digits and every
//! group typed in the wrong position.

use core::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::constants::RECOVERY_SECRET_LEN;
use crate::secrets::RecoverySecret;

/// Number of groups in a recovery code.
pub const GROUPS: usize = 8;
/// Digits per group.
pub const GROUP_DIGITS: usize = 6;
/// Length of the formatted code: eight groups joined by `-`.
pub const CODE_LEN: usize = GROUPS * GROUP_DIGITS + GROUPS - 1;

/// A formatted recovery code. Secret: it opens the vault. Wiped on drop; `Debug` shows
/// nothing.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct RecoveryCode([u8; CODE_LEN]);

impl RecoveryCode {
    /// The code as text, e.g. `123456-654321-…`.
    ///
    /// # Security
    /// Secret. Show it to the person who must write it down, and nowhere else.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        // Only ASCII digits and '-' are ever written.
        core::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecoveryCode").finish_non_exhaustive()
    }
}

/// Why a typed recovery code was not accepted. Group numbers count from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecoveryCodeError {
    /// The text does not hold eight groups of six digits.
    WrongShape {
        /// Number of digits found.
        digits: usize,
    },
    /// A character other than a digit, space or dash.
    BadCharacter,
    /// A group's check fails: it is mistyped (or typed in the wrong place).
    BadGroup {
        /// Which group, from 1.
        group: usize,
    },
}

impl fmt::Display for RecoveryCodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongShape { digits } => write!(
                f,
                "a recovery code is 8 groups of 6 digits (48 digits); found {digits} digits"
            ),
            Self::BadCharacter => {
                f.write_str("a recovery code holds only digits, separated by spaces or dashes")
            }
            Self::BadGroup { group } => {
                write!(f, "group {group} of the recovery code is wrong — check it")
            }
        }
    }
}

impl core::error::Error for RecoveryCodeError {}

/// Formats `secret` as a recovery code.
#[must_use]
pub fn encode(secret: &RecoverySecret) -> RecoveryCode {
    let s = secret.expose_secret();
    let mut out = [b'-'; CODE_LEN];
    for i in 0..GROUPS {
        let v = u32::from(u16::from_be_bytes([s[2 * i], s[2 * i + 1]]));
        let mut d = v * 11 + i as u32;
        let start = i * (GROUP_DIGITS + 1);
        for k in (0..GROUP_DIGITS).rev() {
            out[start + k] = b'0' + (d % 10) as u8;
            d /= 10;
        }
    }
    RecoveryCode(out)
}

/// Parses a typed recovery code. Groups may be separated by dashes, spaces, or nothing;
/// leading and trailing whitespace is ignored.
///
/// # Errors
/// [`RecoveryCodeError`] naming the first wrong group.
pub fn parse(text: &str) -> Result<RecoverySecret, RecoveryCodeError> {
    let mut digits = [0u8; GROUPS * GROUP_DIGITS];
    let mut n = 0;
    for c in text.bytes() {
        match c {
            b'0'..=b'9' => {
                if n < digits.len() {
                    digits[n] = c - b'0';
                }
                n += 1;
            }
            b'-' | b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => {
                digits.zeroize();
                return Err(RecoveryCodeError::BadCharacter);
            }
        }
    }
    if n != digits.len() {
        digits.zeroize();
        return Err(RecoveryCodeError::WrongShape { digits: n });
    }
    let mut secret = [0u8; RECOVERY_SECRET_LEN];
    let mut result = Ok(());
    for (i, group) in digits.chunks_exact(GROUP_DIGITS).enumerate() {
        let d = group.iter().fold(0u32, |a, &x| a * 10 + u32::from(x));
        let v = d / 11;
        if d % 11 != i as u32 || v > 0xFFFF {
            result = Err(RecoveryCodeError::BadGroup { group: i + 1 });
            break;
        }
        secret[2 * i..2 * i + 2].copy_from_slice(&(v as u16).to_be_bytes());
    }
    digits.zeroize();
    let out = result.map(|()| RecoverySecret::from_bytes(secret));
    secret.zeroize();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::String;

    #[test]
    fn round_trip_and_shape() {
        for seed in 0..64u8 {
            let bytes: [u8; 16] =
                core::array::from_fn(|i| seed.wrapping_mul(31).wrapping_add(i as u8 * 17));
            let secret = RecoverySecret::from_bytes(bytes);
            let code = encode(&secret);
            let text = code.expose_secret();
            assert_eq!(text.len(), CODE_LEN);
            assert_eq!(text.split('-').count(), 8);
            assert_eq!(parse(text).unwrap(), secret);
            assert_eq!(parse(&text.replace('-', " ")).unwrap(), secret);
            assert_eq!(parse(&text.replace('-', "")).unwrap(), secret);
        }
        let max = RecoverySecret::from_bytes([0xFF; 16]);
        assert_eq!(parse(encode(&max).expose_secret()).unwrap(), max);
        let zero = RecoverySecret::from_bytes([0; 16]);
        assert_eq!(
            encode(&zero).expose_secret(),
            "000000-000001-000002-000003-000004-000005-000006-000007"
        );
    }

    #[test]
    fn every_single_digit_error_and_adjacent_swap_names_its_group() {
        let secret = RecoverySecret::from_bytes(
            *b"\x12\x34\x56\x78\x9a\xbc\xde\xf0\x0f\xed\xcb\xa9\x87\x65\x43\x21",
        );
        let text = String::from(encode(&secret).expose_secret());
        let bytes = text.as_bytes();
        for pos in 0..bytes.len() {
            if bytes[pos] == b'-' {
                continue;
            }
            let group = pos / 7 + 1;
            for d in b'0'..=b'9' {
                if d == bytes[pos] {
                    continue;
                }
                let mut t = bytes.to_vec();
                t[pos] = d;
                let t = String::from_utf8(t).unwrap();
                assert_eq!(parse(&t), Err(RecoveryCodeError::BadGroup { group }), "{t}");
            }
            if pos + 1 < bytes.len() && bytes[pos + 1] != b'-' && bytes[pos] != bytes[pos + 1] {
                let mut t = bytes.to_vec();
                t.swap(pos, pos + 1);
                let t = String::from_utf8(t).unwrap();
                assert_eq!(parse(&t), Err(RecoveryCodeError::BadGroup { group }));
            }
        }
        // Two groups exchanged.
        let groups: std::vec::Vec<&str> = text.split('-').collect();
        let mut swapped = groups.clone();
        swapped.swap(2, 5);
        assert_eq!(
            parse(&swapped.join("-")),
            Err(RecoveryCodeError::BadGroup { group: 3 })
        );
        assert_eq!(
            parse(&text[..text.len() - 1]),
            Err(RecoveryCodeError::WrongShape { digits: 47 })
        );
        assert_eq!(parse("12345x"), Err(RecoveryCodeError::BadCharacter));
        assert_eq!(
            format!("{}", RecoveryCodeError::BadGroup { group: 5 }),
            "group 5 of the recovery code is wrong — check it"
        );
    }

    #[test]
    fn debug_hides_the_code() {
        let code = encode(&RecoverySecret::from_bytes([0x42; 16]));
        let d = format!("{code:?}");
        assert!(!d.contains(&code.expose_secret()[..6]));
    }
}

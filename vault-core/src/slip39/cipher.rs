//! Encryption of the master secret: the four-round Feistel network of SLIP-39
//! with PBKDF2-HMAC-SHA256 as the round function.
//!
//! ```text
//! F(i, R) = PBKDF2(HMAC-SHA256, password = i || passphrase,
//!                  salt = salt_prefix || R, iterations = 2500 << e, dkLen = n/2)
//! salt_prefix = ""                          if ext = 1
//!             = "shamir" || id (2 bytes BE) if ext = 0
//! ```

use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use super::MAX_SECRET_LEN;

/// Half of the longest supported master secret.
const MAX_HALF: usize = MAX_SECRET_LEN / 2;
/// PBKDF2 iterations per round for iteration exponent 0 (10000 / 4 rounds).
const BASE_ROUND_ITERATIONS: u32 = 2500;
/// Number of Feistel rounds.
const ROUNDS: u8 = 4;
/// Salt prefix for shares with `ext = 0`, followed by the identifier.
const SALT_PREFIX: &[u8] = b"shamir";
/// Length of the salt prefix for `ext = 0`: "shamir" || id.
const SALT_PREFIX_LEN: usize = 8;
/// SHA-256 block size; HMAC keys longer than this are replaced by their hash.
const SHA256_BLOCK_LEN: usize = 64;
/// Largest iteration exponent (4-bit field).
pub(super) const MAX_ITERATION_EXPONENT: u8 = 15;

/// Public parameters of the encryption.
#[derive(Clone, Copy)]
pub(super) struct Params {
    pub(super) identifier: u16,
    pub(super) extendable: bool,
    pub(super) iteration_exponent: u8,
}

/// Invalid cipher input: odd or oversized length, mismatched output, or an
/// iteration exponent above 15. Callers validate all of these first.
#[derive(Debug)]
pub(super) struct InvalidInput;

/// Encrypts `master_secret` into `out` (same length).
pub(super) fn encrypt(
    master_secret: &[u8],
    passphrase: &[u8],
    params: Params,
    out: &mut [u8],
) -> Result<(), InvalidInput> {
    feistel(master_secret, passphrase, params, [0, 1, 2, 3], out)
}

/// Decrypts `encrypted` into `out` (same length).
pub(super) fn decrypt(
    encrypted: &[u8],
    passphrase: &[u8],
    params: Params,
    out: &mut [u8],
) -> Result<(), InvalidInput> {
    feistel(encrypted, passphrase, params, [3, 2, 1, 0], out)
}

fn feistel(
    input: &[u8],
    passphrase: &[u8],
    params: Params,
    round_order: [u8; ROUNDS as usize],
    out: &mut [u8],
) -> Result<(), InvalidInput> {
    let n = input.len();
    if !n.is_multiple_of(2)
        || n > MAX_SECRET_LEN
        || out.len() != n
        || params.iteration_exponent > MAX_ITERATION_EXPONENT
    {
        return Err(InvalidInput);
    }
    let half = n / 2;
    let iterations = BASE_ROUND_ITERATIONS << params.iteration_exponent;

    let mut salt_prefix = [0u8; SALT_PREFIX_LEN];
    let salt_prefix_len = if params.extendable {
        0
    } else {
        let (name, id) = salt_prefix.split_at_mut(SALT_PREFIX.len());
        name.copy_from_slice(SALT_PREFIX);
        id.copy_from_slice(&params.identifier.to_be_bytes());
        SALT_PREFIX_LEN
    };
    let salt_prefix = salt_prefix.get(..salt_prefix_len).ok_or(InvalidInput)?;

    let (input_left, input_right) = input.split_at(half);
    let mut left = Zeroizing::new([0u8; MAX_HALF]);
    let mut right = Zeroizing::new([0u8; MAX_HALF]);
    let mut round_output = Zeroizing::new([0u8; MAX_HALF]);
    let left_half = left.get_mut(..half).ok_or(InvalidInput)?;
    left_half.copy_from_slice(input_left);
    let right_half = right.get_mut(..half).ok_or(InvalidInput)?;
    right_half.copy_from_slice(input_right);

    for round in round_order {
        // (L, R) <- (R, L xor F(i, R))
        let f = round_output.get_mut(..half).ok_or(InvalidInput)?;
        let r = right.get(..half).ok_or(InvalidInput)?;
        round_function(round, passphrase, salt_prefix, r, iterations, f);
        for (l, f) in left.iter_mut().zip(round_output.iter()) {
            *l ^= f;
        }
        core::mem::swap(&mut *left, &mut *right);
    }

    // The result is R || L.
    let (out_first, out_second) = out.split_at_mut(half);
    out_first.copy_from_slice(right.get(..half).ok_or(InvalidInput)?);
    out_second.copy_from_slice(left.get(..half).ok_or(InvalidInput)?);
    Ok(())
}

/// `F(i, R)`, written to `out` (`dkLen = out.len()`).
fn round_function(
    round: u8,
    passphrase: &[u8],
    salt_prefix: &[u8],
    r: &[u8],
    iterations: u32,
    out: &mut [u8],
) {
    // Salt = salt_prefix || R, at most 8 + 16 bytes.
    let mut salt = Zeroizing::new([0u8; SALT_PREFIX_LEN + MAX_HALF]);
    let mut salt_len = 0;
    for (dst, src) in salt.iter_mut().zip(salt_prefix.iter().chain(r)) {
        *dst = *src;
        salt_len += 1;
    }
    let salt = salt.get(..salt_len).unwrap_or(&[]);

    // Password = i || passphrase. HMAC replaces keys longer than the hash block
    // by their hash (RFC 2104), so doing that here gives the same PRF without
    // needing a buffer as long as the passphrase.
    let mut key = Zeroizing::new([0u8; SHA256_BLOCK_LEN]);
    let key_len = if passphrase.len() < SHA256_BLOCK_LEN {
        let (first, rest) = key.split_at_mut(1);
        first.copy_from_slice(&[round]);
        for (dst, src) in rest.iter_mut().zip(passphrase) {
            *dst = *src;
        }
        1 + passphrase.len()
    } else {
        let mut digest = Sha256::new()
            .chain_update([round])
            .chain_update(passphrase)
            .finalize();
        for (dst, src) in key.iter_mut().zip(digest.iter()) {
            *dst = *src;
        }
        digest.as_mut_slice().zeroize();
        32
    };
    let key = key.get(..key_len).unwrap_or(&[]);

    pbkdf2::pbkdf2_hmac::<Sha256>(key, salt, iterations, out);
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

    #[test]
    fn round_trip_all_lengths_and_modes() {
        let secret: [u8; 32] = core::array::from_fn(|i| u8::try_from(i * 7 + 1).unwrap());
        for len in (16..=32).step_by(2) {
            for extendable in [false, true] {
                let params = Params {
                    identifier: 0x1234,
                    extendable,
                    iteration_exponent: 0,
                };
                let mut enc = [0u8; 32];
                let mut dec = [0u8; 32];
                encrypt(&secret[..len], b"TREZOR", params, &mut enc[..len]).unwrap();
                assert_ne!(&enc[..len], &secret[..len]);
                decrypt(&enc[..len], b"TREZOR", params, &mut dec[..len]).unwrap();
                assert_eq!(&dec[..len], &secret[..len]);
            }
        }
    }

    #[test]
    fn long_passphrase_is_hashed_like_hmac_does() {
        // A 70-byte passphrase exceeds the HMAC block; compare against the
        // pbkdf2 crate given the full password directly.
        let passphrase = [b'x'; 70];
        let mut password = [0u8; 71];
        password[0] = 2;
        password[1..].copy_from_slice(&passphrase);
        let r = [9u8; 8];
        let mut expected = [0u8; 8];
        pbkdf2::pbkdf2_hmac::<Sha256>(&password, &r, 2500, &mut expected);
        let mut got = [0u8; 8];
        round_function(2, &passphrase, &[], &r, 2500, &mut got);
        assert_eq!(got, expected);
        // And a 63-byte passphrase (64-byte key, not hashed).
        let passphrase = [b'y'; 63];
        let mut password = [0u8; 64];
        password[0] = 1;
        password[1..].copy_from_slice(&passphrase);
        pbkdf2::pbkdf2_hmac::<Sha256>(&password, &r, 2500, &mut expected);
        round_function(1, &passphrase, &[], &r, 2500, &mut got);
        assert_eq!(got, expected);
    }

    #[test]
    fn rejects_bad_input() {
        let params = Params {
            identifier: 0,
            extendable: true,
            iteration_exponent: 0,
        };
        let mut out = [0u8; 34];
        assert!(encrypt(&[0u8; 17], b"", params, &mut out[..17]).is_err());
        assert!(encrypt(&[0u8; 34], b"", params, &mut out).is_err());
        assert!(encrypt(&[0u8; 16], b"", params, &mut out[..18]).is_err());
        let params = Params {
            iteration_exponent: 16,
            ..params
        };
        assert!(encrypt(&[0u8; 16], b"", params, &mut out[..16]).is_err());
    }
}

//! PBKDF2-HMAC-SHA256 for keyslots: cost bounds checked before any work, and a derivation
//! that runs in steps so callers can show progress or keep a user interface responsive.
//!
//! The output is always exactly one 32-byte block (`dkLen = 32`), so PBKDF2 runs its
//! iteration loop exactly once.
//!
//! The loop works on SHA-256 compression states: the HMAC inner and outer pads are
//! compressed once, and every iteration is then exactly two compressions (RFC 2104 with the
//! message length fixed at 32 bytes). On x86 CPUs with the SHA extensions the loop runs in
//! [`shani`] with everything in registers; elsewhere it uses `sha2::compress256`. Both are
//! checked against RFC 7914, against each other, and against the `pbkdf2` crate.

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
mod shani;

use core::fmt;

use sha2::digest::generic_array::GenericArray;
use zeroize::Zeroize;

use crate::constants::{KEY_LEN, MAX_ITERATIONS, MIN_ITERATIONS};
use crate::error::Error;
use crate::sealing::HmacSha256;
use crate::secrets::SlotKey;

/// The PBKDF2 iteration counts a reader accepts from a file and a writer accepts from a
/// caller. Checked before any key derivation runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KdfLimits {
    min: u32,
    max: u32,
}

impl KdfLimits {
    /// The format's bounds: [`MIN_ITERATIONS`]`..=`[`MAX_ITERATIONS`].
    pub const STANDARD: Self = Self {
        min: MIN_ITERATIONS,
        max: MAX_ITERATIONS,
    };

    /// **Insecure: for tests only.** Accepts any iteration count from 1 up to
    /// [`MAX_ITERATIONS`], so unit tests and test firmware can run quickly. Exists only
    /// when the `insecure-test-kdf` feature is enabled (or in this crate's own tests).
    #[cfg(any(test, feature = "insecure-test-kdf"))]
    #[must_use]
    pub const fn insecure_test_only() -> Self {
        Self {
            min: 1,
            max: MAX_ITERATIONS,
        }
    }

    /// The smallest accepted iteration count.
    #[must_use]
    pub const fn min(&self) -> u32 {
        self.min
    }

    /// The largest accepted iteration count.
    #[must_use]
    pub const fn max(&self) -> u32 {
        self.max
    }

    /// Checks `iterations` against the bounds.
    ///
    /// # Errors
    /// [`Error::KdfCostRefused`] if out of bounds.
    pub const fn check(&self, iterations: u32) -> Result<(), Error> {
        if iterations < self.min || iterations > self.max {
            Err(Error::KdfCostRefused {
                iterations,
                min: self.min,
                max: self.max,
            })
        } else {
            Ok(())
        }
    }
}

impl Default for KdfLimits {
    fn default() -> Self {
        Self::STANDARD
    }
}

type Block = GenericArray<u8, sha2::digest::consts::U64>;

/// One block holding a 32-byte message after a 64-byte key block: the message, `0x80`,
/// zeros and the bit length 768 (`(64 + 32) * 8`), as SHA-256 pads it.
fn padded_digest_block(digest: &[u32; 8]) -> Block {
    let mut block = Block::default();
    for (chunk, word) in block.chunks_exact_mut(4).zip(digest.iter()) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    block[32] = 0x80;
    block[62] = 0x03; // 768 = 0x0300, big-endian in the last 8 bytes
    block
}

fn words_to_bytes(words: &[u32; 8], out: &mut [u8; 32]) {
    for (chunk, word) in out.chunks_exact_mut(4).zip(words.iter()) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
}

fn bytes_to_words(bytes: &[u8; 32], words: &mut [u32; 8]) {
    for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(4)) {
        *word = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    }
}

/// A PBKDF2-HMAC-SHA256 derivation of one 32-byte block, run in steps.
///
/// ```
/// # use vault_core::kdf::{KdfLimits, Pbkdf2};
/// let mut job = Pbkdf2::new(b"password", b"salt", 100_000, &KdfLimits::STANDARD)?;
/// while job.remaining() > 0 {
///     job.step(10_000); // show progress between steps
/// }
/// let key = job.finish();
/// # Ok::<(), vault_core::Error>(())
/// ```
pub struct Pbkdf2 {
    inner: [u32; 8],
    outer: [u32; 8],
    /// `U_j` of the last completed iteration, as SHA-256 state words.
    u: [u32; 8],
    /// `U_1 ^ … ^ U_j`, as words.
    acc: [u32; 8],
    done: u32,
    total: u32,
}

impl Pbkdf2 {
    /// Prepares a derivation of `PBKDF2-HMAC-SHA256(password, salt, iterations, 32)`.
    ///
    /// # Errors
    /// [`Error::KdfCostRefused`] if `iterations` is outside `limits`; nothing is computed.
    pub fn new(
        password: &[u8],
        salt: &[u8],
        iterations: u32,
        limits: &KdfLimits,
    ) -> Result<Self, Error> {
        limits.check(iterations)?;

        // Every key-dependent value is written straight into the job (wiped on drop) or
        // into a temporary wiped here: the HMAC's key-block states, which are as good as
        // the password, come from `sealing::HmacSha256`, which wipes its own (the `hmac`
        // crate's type does not, nor does `sha2` wipe a long password's hash).
        let mut job = Self {
            inner: [0; 8],
            outer: [0; 8],
            u: [0; 8],
            acc: [0; 8],
            done: 1,
            total: iterations,
        };
        // U_1 = HMAC(password, salt || INT(1)) for a salt of any length.
        let mut mac = HmacSha256::new(password);
        mac.key_states_into(&mut job.inner, &mut job.outer);
        mac.update(salt);
        mac.update(&1u32.to_be_bytes());
        let mut u1 = [0u8; 32];
        mac.finalize_into(&mut u1);
        bytes_to_words(&u1, &mut job.u);
        job.acc = job.u;
        u1.zeroize();
        Ok(job)
    }

    /// Runs up to `max_iterations` more iterations; returns how many remain.
    pub fn step(&mut self, max_iterations: u32) -> u32 {
        let n = max_iterations.min(self.remaining());
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        if shani::iterate(&self.inner, &self.outer, &mut self.u, &mut self.acc, n).is_some() {
            self.done += n;
            return self.remaining();
        }
        self.step_portable(n)
    }

    /// The loop on `sha2::compress256`, for CPUs without SHA extensions.
    fn step_portable(&mut self, n: u32) -> u32 {
        let mut u = self.u;
        let mut acc = self.acc;
        for _ in 0..n {
            let mut block = padded_digest_block(&u);
            let mut state = self.inner;
            sha2::compress256(&mut state, core::slice::from_ref(&block));
            block = padded_digest_block(&state);
            u = self.outer;
            sha2::compress256(&mut u, core::slice::from_ref(&block));
            for (a, x) in acc.iter_mut().zip(u.iter()) {
                *a ^= x;
            }
            block.zeroize();
            state.zeroize();
        }
        self.u = u;
        self.acc = acc;
        u.zeroize();
        acc.zeroize();
        self.done += n;
        self.remaining()
    }

    /// Iterations still to run.
    #[must_use]
    pub const fn remaining(&self) -> u32 {
        self.total - self.done
    }

    /// Total iterations of this derivation.
    #[must_use]
    pub const fn total(&self) -> u32 {
        self.total
    }

    /// Runs any remaining iterations and returns the derived key.
    #[must_use]
    pub fn finish(mut self) -> SlotKey {
        self.step(u32::MAX);
        let mut out = [0u8; KEY_LEN];
        words_to_bytes(&self.acc, &mut out);
        let key = SlotKey::from_bytes(out);
        out.zeroize();
        key
    }
}

impl Drop for Pbkdf2 {
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
        self.u.zeroize();
        self.acc.zeroize();
    }
}

impl fmt::Debug for Pbkdf2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pbkdf2")
            .field("done", &self.done)
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

/// `PBKDF2-HMAC-SHA256(password, salt, iterations, 32)` in one call.
///
/// # Errors
/// [`Error::KdfCostRefused`] if `iterations` is outside `limits`; nothing is computed.
pub fn derive_slot_key(
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    limits: &KdfLimits,
) -> Result<SlotKey, Error> {
    Ok(Pbkdf2::new(password, salt, iterations, limits)?.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::hex;

    const ANY: KdfLimits = KdfLimits::insecure_test_only();

    /// RFC 7914 §11, PBKDF2-HMAC-SHA256 test vectors (first 32 bytes of each output).
    #[test]
    fn rfc7914_section11() {
        let key = derive_slot_key(b"passwd", b"salt", 1, &ANY).unwrap();
        assert_eq!(
            hex(key.expose_secret()),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        );
        let key = derive_slot_key(b"Password", b"NaCl", 80_000, &ANY).unwrap();
        assert_eq!(
            hex(key.expose_secret()),
            "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
        );
    }

    /// RFC 6070's cases recomputed for SHA-256 (widely published values).
    #[test]
    fn sha256_variants_of_rfc6070() {
        let key = derive_slot_key(b"password", b"salt", 4096, &ANY).unwrap();
        assert_eq!(
            hex(key.expose_secret()),
            "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"
        );
    }

    #[test]
    fn bounds_checked_before_work() {
        let limits = KdfLimits::STANDARD;
        assert_eq!(
            derive_slot_key(b"p", b"s", 99_999, &limits).err(),
            Some(Error::KdfCostRefused {
                iterations: 99_999,
                min: MIN_ITERATIONS,
                max: MAX_ITERATIONS
            })
        );
        assert!(matches!(
            derive_slot_key(b"p", b"s", u32::MAX, &limits),
            Err(Error::KdfCostRefused { .. })
        ));
        assert!(matches!(
            derive_slot_key(b"p", b"s", 0, &limits),
            Err(Error::KdfCostRefused { .. })
        ));
        assert!(limits.check(MIN_ITERATIONS).is_ok());
        assert!(limits.check(MAX_ITERATIONS).is_ok());
        assert!(limits.check(MAX_ITERATIONS + 1).is_err());
    }

    #[test]
    fn steps_give_the_same_key() {
        let whole = derive_slot_key(b"pw", b"salty", 1000, &ANY).unwrap();
        let mut job = Pbkdf2::new(b"pw", b"salty", 1000, &ANY).unwrap();
        let mut rounds = 0;
        while job.remaining() > 0 {
            job.step(77);
            rounds += 1;
        }
        assert_eq!(rounds, 13);
        assert_eq!(job.finish().expose_secret(), whole.expose_secret());
    }

    /// The SHA-extension loop and the portable loop agree on many random inputs (on CPUs
    /// without the extensions both calls take the portable path).
    #[test]
    fn register_loop_equals_portable_loop() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..300 {
            let pw: std::vec::Vec<u8> = (0..next() % 130).map(|_| next() as u8).collect();
            let salt: std::vec::Vec<u8> = (0..next() % 70).map(|_| next() as u8).collect();
            let iterations = 1 + (next() % 400) as u32;
            let mut fast = Pbkdf2::new(&pw, &salt, iterations, &ANY).unwrap();
            let mut slow = Pbkdf2::new(&pw, &salt, iterations, &ANY).unwrap();
            let chunk = 1 + (next() % 50) as u32;
            while fast.remaining() > 0 {
                fast.step(chunk);
            }
            slow.step_portable(iterations - 1);
            assert_eq!(fast.acc, slow.acc);
            assert_eq!(fast.u, slow.u);
        }
    }

    #[test]
    fn debug_shows_no_state() {
        let job = Pbkdf2::new(b"hunter2", b"s", 10, &ANY).unwrap();
        let s = format!("{job:?}");
        assert!(s.contains("Pbkdf2") && !s.contains("inner") && !s.contains("acc"));
    }
}

//! The keyslot KDFs: PBKDF2-HMAC-SHA256 (every keyslot kind) and Argon2id ([`argon2`],
//! password keyslots), their cost bounds checked before any work, and a PBKDF2 derivation
//! that runs in steps so callers can show progress or keep a user interface responsive.
//!
//! The output is always exactly one 32-byte block (`dkLen = 32`), so PBKDF2 runs its
//! iteration loop exactly once.
//!
//! The loop works on SHA-256 compression states: the HMAC inner and outer pads are
//! compressed once, and every iteration is then exactly two compressions (RFC 2104 with the
//! message length fixed at 32 bytes). On x86 CPUs with the SHA extensions the loop runs in
//! `shani` with everything in registers; elsewhere it uses `sha2::compress256`. Both are
//! checked against RFC 7914, against each other, and against the `pbkdf2` crate.

pub mod argon2;
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
mod shani;

pub use self::argon2::{derive_argon2id, Argon2Block, Argon2Params};

use core::fmt;

use sha2::digest::generic_array::GenericArray;
use zeroize::Zeroize;

use crate::constants::{
    KDF_ARGON2ID, KDF_PBKDF2_SHA256, KEY_LEN, MAX_ARGON2_LANES, MAX_ARGON2_MEMORY_KIB,
    MAX_ARGON2_PASSES, MAX_ITERATIONS, MIN_ARGON2_MEMORY_KIB, MIN_ITERATIONS,
};
use crate::error::Error;
use crate::sealing::HmacSha256;
use crate::secrets::SlotKey;

/// The KDF costs a reader accepts from a file and a writer accepts from a caller: PBKDF2
/// iteration counts, and Argon2id memory, passes and lanes. Checked before any key
/// derivation runs and before any memory for it is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KdfLimits {
    min: u32,
    max: u32,
    min_memory_kib: u32,
}

impl KdfLimits {
    /// The format's bounds: [`MIN_ITERATIONS`]`..=`[`MAX_ITERATIONS`] PBKDF2 iterations;
    /// Argon2id with [`MIN_ARGON2_MEMORY_KIB`]`..=`[`MAX_ARGON2_MEMORY_KIB`] KiB,
    /// `1..=`[`MAX_ARGON2_PASSES`] passes and `1..=`[`MAX_ARGON2_LANES`] lanes.
    pub const STANDARD: Self = Self {
        min: MIN_ITERATIONS,
        max: MAX_ITERATIONS,
        min_memory_kib: MIN_ARGON2_MEMORY_KIB,
    };

    /// **Insecure: for tests only.** Accepts any iteration count from 1 up to
    /// [`MAX_ITERATIONS`], and Argon2id memory down to Argon2's own minimum of 8 KiB per
    /// lane, so unit tests and test firmware can run quickly. Exists only when the
    /// `insecure-test-kdf` feature is enabled (or in this crate's own tests).
    #[cfg(any(test, feature = "insecure-test-kdf"))]
    #[must_use]
    pub const fn insecure_test_only() -> Self {
        Self {
            min: 1,
            max: MAX_ITERATIONS,
            min_memory_kib: 8,
        }
    }

    /// Checks Argon2id parameters: memory (and at least Argon2's 8 KiB per lane), passes
    /// and lanes.
    ///
    /// # Errors
    /// [`Error::Argon2CostRefused`] if out of bounds.
    pub const fn check_argon2(&self, params: &Argon2Params) -> Result<(), Error> {
        let Argon2Params {
            memory_kib,
            passes,
            lanes,
        } = *params;
        if memory_kib < self.min_memory_kib
            || memory_kib > MAX_ARGON2_MEMORY_KIB
            || passes < 1
            || passes > MAX_ARGON2_PASSES
            || lanes < 1
            || lanes > MAX_ARGON2_LANES
            || memory_kib < 8 * lanes
        {
            Err(Error::Argon2CostRefused {
                memory_kib,
                passes,
                lanes,
            })
        } else {
            Ok(())
        }
    }

    /// Checks a keyslot's KDF and its cost.
    ///
    /// # Errors
    /// [`Error::KdfCostRefused`] or [`Error::Argon2CostRefused`] if out of bounds.
    pub const fn check_kdf(&self, kdf: &SlotKdf) -> Result<(), Error> {
        match kdf {
            SlotKdf::Pbkdf2 { iterations } => self.check(*iterations),
            SlotKdf::Argon2id(params) => self.check_argon2(params),
        }
    }

    /// The least Argon2id memory accepted, in KiB.
    #[must_use]
    pub const fn min_argon2_memory_kib(&self) -> u32 {
        self.min_memory_kib
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

/// The key-derivation function of one keyslot and its cost, as stored in keyslot bytes
/// 1..8 (`docs/FORMAT.md`, "Keyslot").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SlotKdf {
    /// PBKDF2-HMAC-SHA256 (kdf `1`) with this many iterations.
    Pbkdf2 {
        /// The iteration count `c`.
        iterations: u32,
    },
    /// Argon2id (kdf `2`), RFC 9106 version 0x13; password keyslots only.
    Argon2id(Argon2Params),
}

impl SlotKdf {
    /// Reads bytes 1..8 of a keyslot: the KDF id, then its parameters (for PBKDF2, bytes
    /// 2..4 are reserved and not read here). `None` for an unknown KDF id.
    #[must_use]
    pub fn decode(b: &[u8; 7]) -> Option<Self> {
        match b[0] {
            KDF_PBKDF2_SHA256 => Some(Self::Pbkdf2 {
                iterations: u32::from_le_bytes([b[3], b[4], b[5], b[6]]),
            }),
            KDF_ARGON2ID => Some(Self::Argon2id(Argon2Params {
                lanes: u32::from(b[1]),
                passes: u32::from(b[2]),
                memory_kib: u32::from_le_bytes([b[3], b[4], b[5], b[6]]),
            })),
            _ => None,
        }
    }

    /// Bytes 1..8 of a keyslot for this KDF, or `None` for Argon2id lanes or passes that
    /// do not fit a byte (no bounds accept them).
    #[must_use]
    pub fn encode(&self) -> Option<[u8; 7]> {
        let mut b = [0u8; 7];
        match self {
            Self::Pbkdf2 { iterations } => {
                b[0] = KDF_PBKDF2_SHA256;
                b[3..].copy_from_slice(&iterations.to_le_bytes());
            }
            Self::Argon2id(p) => {
                b[0] = KDF_ARGON2ID;
                b[1] = u8::try_from(p.lanes).ok()?;
                b[2] = u8::try_from(p.passes).ok()?;
                b[3..].copy_from_slice(&p.memory_kib.to_le_bytes());
            }
        }
        Some(b)
    }

    /// The KDF's id in the file (`1` PBKDF2-HMAC-SHA256, `2` Argon2id).
    #[must_use]
    pub const fn id(&self) -> u8 {
        match self {
            Self::Pbkdf2 { .. } => KDF_PBKDF2_SHA256,
            Self::Argon2id(_) => KDF_ARGON2ID,
        }
    }

    /// The Argon2id parameters, if this is Argon2id.
    #[must_use]
    pub const fn argon2(&self) -> Option<Argon2Params> {
        match self {
            Self::Argon2id(p) => Some(*p),
            Self::Pbkdf2 { .. } => None,
        }
    }

    /// Memory blocks (1 KiB each) a derivation needs from its caller: 0 for PBKDF2.
    #[must_use]
    pub const fn memory_blocks(&self) -> usize {
        match self {
            Self::Argon2id(p) => p.blocks(),
            Self::Pbkdf2 { .. } => 0,
        }
    }

    /// A stable name for `--json` output and the restore page: `pbkdf2-hmac-sha256` or
    /// `argon2id`.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Pbkdf2 { .. } => "pbkdf2-hmac-sha256",
            Self::Argon2id(_) => "argon2id",
        }
    }

    /// Derives the slot key from `secret` and the slot's `salt`: PBKDF2 in one go, or
    /// Argon2id in `memory` (which must hold [`SlotKdf::memory_blocks`] blocks).
    ///
    /// # Errors
    /// The cost errors of [`KdfLimits::check_kdf`], checked first;
    /// [`Error::KdfMemoryUnavailable`] if `memory` is too small for Argon2id.
    pub fn derive(
        &self,
        secret: &[u8],
        salt: &[u8],
        limits: &KdfLimits,
        memory: &mut [Argon2Block],
    ) -> Result<SlotKey, Error> {
        match self {
            Self::Pbkdf2 { iterations } => derive_slot_key(secret, salt, *iterations, limits),
            Self::Argon2id(p) => derive_argon2id(secret, salt, p, limits, memory),
        }
    }
}

impl fmt::Display for SlotKdf {
    /// `PBKDF2-HMAC-SHA256, 600000 iterations` or `Argon2id, 256 MiB, 3 passes, 4 lanes`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pbkdf2 { iterations } => {
                write!(f, "PBKDF2-HMAC-SHA256, {iterations} iterations")
            }
            Self::Argon2id(p) => p.fmt(f),
        }
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

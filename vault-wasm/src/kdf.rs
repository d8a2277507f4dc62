//! Keyslot keys: derived by the browser's WebCrypto (and handed in with
//! [`SlotKey::from_bytes`]) or by vault-core's stepwise PBKDF2 ([`KdfJob`]), which the page
//! runs a slice at a time so that it stays responsive and can show progress; and Argon2id
//! ([`derive_argon2id`]), which WebCrypto does not have, in wasm memory allocated here
//! after the cost is checked.

use core::fmt;

use rand_core::{OsRng, RngCore};
use subtle::ConstantTimeEq;
use vault_core::constants::{KEY_LEN, SALT_LEN};
use vault_core::{Argon2Block, Argon2Params, KdfLimits, Pbkdf2};
use wasm_bindgen::prelude::*;
use zeroize::Zeroize;

use crate::error::WasmError;

/// A keyslot key: `PBKDF2-HMAC-SHA256(secret, salt, iterations, 32)`. Opaque to
/// JavaScript; wiped when freed (`free()`) or consumed.
#[wasm_bindgen]
pub struct SlotKey {
    pub(crate) inner: vault_core::SlotKey,
}

#[wasm_bindgen]
impl SlotKey {
    /// Takes a key derived elsewhere (WebCrypto's `deriveBits`), exactly 32 bytes. The
    /// caller's array is wiped (its copy in wasm memory and, through wasm-bindgen's copy
    /// back, the JavaScript `Uint8Array` itself).
    ///
    /// # Errors
    /// `invalid_input` if `bytes` is not 32 bytes long (it is wiped all the same).
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &mut [u8]) -> Result<SlotKey, WasmError> {
        let result = <[u8; KEY_LEN]>::try_from(&*bytes)
            .map(|mut raw| {
                let inner = vault_core::SlotKey::from_bytes(raw);
                raw.zeroize();
                SlotKey { inner }
            })
            .map_err(|_| WasmError::invalid("a keyslot key is 32 bytes"));
        bytes.zeroize();
        result
    }
}

impl PartialEq for SlotKey {
    /// Constant-time comparison (used by tests proving WebCrypto and the wasm KDF agree).
    fn eq(&self, other: &Self) -> bool {
        self.inner
            .expose_secret()
            .ct_eq(other.inner.expose_secret())
            .into()
    }
}

impl Eq for SlotKey {}

impl fmt::Debug for SlotKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlotKey").finish_non_exhaustive()
    }
}

/// A PBKDF2-HMAC-SHA256 derivation run in steps: the fallback when WebCrypto is missing.
///
/// ```js
/// const job = new KdfJob(secretBytes, salt, iterations); // secretBytes is wiped
/// while (job.step(20000) > 0) await nextTick();           // progress: job.done / job.total
/// const key = job.finish();
/// ```
#[wasm_bindgen]
pub struct KdfJob {
    inner: Pbkdf2,
}

#[wasm_bindgen]
impl KdfJob {
    /// Prepares the derivation. The iteration count is checked against the format's bounds
    /// (100,000 to 20,000,000) before anything is computed. `secret` is wiped.
    ///
    /// # Errors
    /// `kdf_cost_refused` (category `unsupported`) for a count out of bounds.
    #[wasm_bindgen(constructor)]
    pub fn new(secret: &mut [u8], salt: &[u8], iterations: u32) -> Result<KdfJob, WasmError> {
        let result = Pbkdf2::new(secret, salt, iterations, &KdfLimits::STANDARD);
        secret.zeroize();
        Ok(KdfJob { inner: result? })
    }

    /// Runs up to `max_iterations` more iterations; returns how many remain.
    pub fn step(&mut self, max_iterations: u32) -> u32 {
        self.inner.step(max_iterations)
    }

    /// Iterations still to run.
    #[wasm_bindgen(getter)]
    pub fn remaining(&self) -> u32 {
        self.inner.remaining()
    }

    /// Iterations done so far.
    #[wasm_bindgen(getter)]
    pub fn done(&self) -> u32 {
        self.inner.total() - self.inner.remaining()
    }

    /// Total iterations of this derivation.
    #[wasm_bindgen(getter)]
    pub fn total(&self) -> u32 {
        self.inner.total()
    }

    /// Runs what remains and returns the key; the job's state is wiped.
    pub fn finish(self) -> SlotKey {
        SlotKey {
            inner: self.inner.finish(),
        }
    }
}

impl fmt::Debug for KdfJob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KdfJob")
            .field("done", &self.done())
            .field("total", &self.total())
            .finish_non_exhaustive()
    }
}

/// `Argon2id(secret, salt, memoryKib, passes, lanes)` (RFC 9106, version 0x13, 32 bytes),
/// the key of an Argon2id keyslot. The cost is checked against the format's bounds (8 MiB
/// to 2 GiB, 1 to 16 passes, 1 to 8 lanes) before any memory is asked for; the memory is
/// then reserved without aborting on failure, used, wiped and freed. Runs in one call:
/// the page cannot show its progress, only an estimate of its duration. `secret` is wiped.
///
/// # Errors
/// `kdf_cost_refused` (category `unsupported`) for a cost out of bounds;
/// `kdf_memory_unavailable` (category `unsupported`) if the browser will not give the
/// memory.
#[wasm_bindgen(js_name = deriveArgon2id)]
pub fn derive_argon2id(
    secret: &mut [u8],
    salt: &[u8],
    memory_kib: u32,
    passes: u32,
    lanes: u32,
) -> Result<SlotKey, WasmError> {
    let result = derive_argon2id_inner(secret, salt, memory_kib, passes, lanes);
    secret.zeroize();
    result
}

fn derive_argon2id_inner(
    secret: &[u8],
    salt: &[u8],
    memory_kib: u32,
    passes: u32,
    lanes: u32,
) -> Result<SlotKey, WasmError> {
    let params = Argon2Params {
        memory_kib,
        passes,
        lanes,
    };
    KdfLimits::STANDARD.check_argon2(&params)?;
    let blocks = params.blocks();
    let mut memory: Vec<Argon2Block> = Vec::new();
    memory
        .try_reserve_exact(blocks)
        .map_err(|_| vault_core::Error::KdfMemoryUnavailable {
            needed_kib: u32::try_from(blocks).unwrap_or(u32::MAX),
        })?;
    memory.resize(blocks, Argon2Block::new());
    let inner =
        vault_core::kdf::derive_argon2id(secret, salt, &params, &KdfLimits::STANDARD, &mut memory)?;
    Ok(SlotKey { inner })
}

/// 32 fresh random bytes (`crypto.getRandomValues`) for a new keyslot's salt.
#[wasm_bindgen(js_name = randomSalt)]
#[must_use]
pub fn random_salt() -> Vec<u8> {
    let mut salt = vec![0u8; SALT_LEN];
    OsRng.fill_bytes(&mut salt);
    salt
}

/// The iteration count for new password keyslots when nothing else is known: 600,000,
/// the OWASP recommendation (`vault_core::constants::DEFAULT_ITERATIONS`).
#[wasm_bindgen(js_name = defaultIterations)]
#[must_use]
pub fn default_iterations() -> u32 {
    vault_core::constants::DEFAULT_ITERATIONS
}

//! A keyslot sealed around the master key: the bytes a writer puts in the header.

use core::fmt;

use super::*;

/// A keyslot ready to be written: the master key wrapped under a key derived from a
/// password or the recovery secret. Holds no secret in the clear.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SealedSlot {
    pub(super) bytes: [u8; SLOT_LEN],
}

impl fmt::Debug for SealedSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealedSlot")
            .field("kind", &self.kind())
            .field("kdf", &self.kdf())
            .finish_non_exhaustive()
    }
}

impl SealedSlot {
    /// Seals `vmk` under `secret` with a fresh salt and IV: runs PBKDF2 with `iterations`.
    ///
    /// # Errors
    /// [`Error::KdfCostRefused`] if `iterations` is outside `limits` (checked first).
    pub fn seal(
        kind: SlotKind,
        secret: &[u8],
        iterations: u32,
        limits: &KdfLimits,
        vmk: &VaultMasterKey,
        vault_id: &[u8; VAULT_ID_LEN],
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self, Error> {
        let mut salt = [0u8; SALT_LEN];
        rng.fill_bytes(&mut salt);
        let key = Pbkdf2::new(secret, &salt, iterations, limits)?.finish();
        Ok(Self::seal_with_key(
            kind, iterations, salt, &key, vmk, vault_id, rng,
        ))
    }

    /// Seals `vmk` under `secret` with a fresh salt and IV, deriving the slot key with
    /// `kdf` (Argon2id in `memory`, which must hold [`SlotKdf::memory_blocks`] blocks;
    /// PBKDF2 needs none).
    ///
    /// # Errors
    /// [`Error::KdfCostRefused`] or [`Error::Argon2CostRefused`] if the cost is outside
    /// `limits`, [`Error::InvalidInput`] for Argon2id in a recovery slot (checked first);
    /// [`Error::KdfMemoryUnavailable`] if `memory` is too small.
    #[allow(clippy::too_many_arguments)]
    pub fn seal_with_kdf(
        kind: SlotKind,
        secret: &[u8],
        kdf: SlotKdf,
        limits: &KdfLimits,
        memory: &mut [Argon2Block],
        vmk: &VaultMasterKey,
        vault_id: &[u8; VAULT_ID_LEN],
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self, Error> {
        limits.check_kdf(&kdf)?;
        if kind == SlotKind::Recovery && kdf.id() != format::KDF_PBKDF2_SHA256 {
            return Err(Error::InvalidInput {
                reason: "the recovery keyslot is always PBKDF2",
            });
        }
        let mut salt = [0u8; SALT_LEN];
        rng.fill_bytes(&mut salt);
        let key = kdf.derive(secret, &salt, limits, memory)?;
        Self::seal_with_kdf_key(kind, kdf, salt, &key, vmk, vault_id, rng)
    }

    /// Seals `vmk` under a slot key the caller derived as
    /// `PBKDF2-HMAC-SHA256(secret, salt, iterations, 32)` (in steps, or with WebCrypto).
    /// `salt` must be fresh random bytes. `iterations` is what the slot records; the
    /// caller is responsible for having derived `slot_key` with it.
    pub fn seal_with_key(
        kind: SlotKind,
        iterations: u32,
        salt: [u8; SALT_LEN],
        slot_key: &SlotKey,
        vmk: &VaultMasterKey,
        vault_id: &[u8; VAULT_ID_LEN],
        rng: &mut impl CryptoRngCore,
    ) -> Self {
        let mut b = [0u8; SLOT_LEN];
        b[S_KDF] = KDF_PBKDF2_SHA256;
        b[S_ITERATIONS..S_ITERATIONS + 4].copy_from_slice(&iterations.to_le_bytes());
        Self::seal_bytes(b, kind, salt, slot_key, vmk, vault_id, rng)
    }

    /// Seals `vmk` under a slot key the caller derived with `kdf` from the secret and
    /// `salt` (fresh random bytes). The slot records `kdf`; the caller is responsible for
    /// having derived `slot_key` with it.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for Argon2id lanes or passes that do not fit the slot's
    /// bytes, or Argon2id in a recovery slot. The cost is not checked here: the slot's key
    /// already exists.
    pub fn seal_with_kdf_key(
        kind: SlotKind,
        kdf: SlotKdf,
        salt: [u8; SALT_LEN],
        slot_key: &SlotKey,
        vmk: &VaultMasterKey,
        vault_id: &[u8; VAULT_ID_LEN],
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self, Error> {
        if kind == SlotKind::Recovery && kdf.id() != format::KDF_PBKDF2_SHA256 {
            return Err(Error::InvalidInput {
                reason: "the recovery keyslot is always PBKDF2",
            });
        }
        let params = kdf.encode().ok_or(Error::InvalidInput {
            reason: "Argon2id lanes or passes out of range",
        })?;
        let mut b = [0u8; SLOT_LEN];
        b[S_KDF..S_KDF + params.len()].copy_from_slice(&params);
        Ok(Self::seal_bytes(
            b, kind, salt, slot_key, vmk, vault_id, rng,
        ))
    }

    /// Fills in a slot whose KDF bytes (1..8) are already set.
    fn seal_bytes(
        mut b: [u8; SLOT_LEN],
        kind: SlotKind,
        salt: [u8; SALT_LEN],
        slot_key: &SlotKey,
        vmk: &VaultMasterKey,
        vault_id: &[u8; VAULT_ID_LEN],
        rng: &mut impl CryptoRngCore,
    ) -> Self {
        let keys = SlotKeys::derive(slot_key);
        b[S_KIND] = kind as u8;
        b[S_SALT..S_SALT + SALT_LEN].copy_from_slice(&salt);
        let mut iv = [0u8; BLOCK_LEN];
        rng.fill_bytes(&mut iv);
        b[S_IV..S_IV + BLOCK_LEN].copy_from_slice(&iv);
        let wrapped = &mut b[S_WRAPPED..S_WRAPPED + WRAPPED_KEY_LEN];
        wrapped[..KEY_LEN].copy_from_slice(vmk.expose_secret());
        // 32 bytes of key always pad to exactly 48 bytes.
        let _ = cbc_encrypt_in_place(&keys.enc.0, &iv, wrapped, KEY_LEN);
        let tag = hmac_sha256(&keys.mac.0, &[vault_id, &b[..S_MAC]]);
        b[S_MAC..].copy_from_slice(&tag);
        Self { bytes: b }
    }

    /// A copy of an existing keyslot, to carry it into a new file of the same vault with
    /// the same master key (its MAC binds the vault id).
    #[must_use]
    pub fn from_view(view: &SlotView<'_>) -> Self {
        Self {
            bytes: format::array(view.as_bytes(), 0),
        }
    }

    /// What the slot opens with.
    #[must_use]
    pub fn kind(&self) -> SlotKind {
        SlotKind::from_u8(self.bytes[S_KIND]).unwrap_or(SlotKind::Password)
    }

    /// The slot's key-derivation function and its cost.
    #[must_use]
    pub fn kdf(&self) -> SlotKdf {
        SlotKdf::decode(&format::array(&self.bytes, S_KDF)).unwrap_or(SlotKdf::Pbkdf2 {
            iterations: format::le_u32(&self.bytes, S_ITERATIONS),
        })
    }

    /// The slot's bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; SLOT_LEN] {
        &self.bytes
    }
}

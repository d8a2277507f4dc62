//! Types that hold key material. Each wipes itself on drop and prints no secret in `Debug`.
//!
//! Moving a value can leave a copy of its bytes behind (see the `zeroize` crate's
//! documentation), so the core creates these in place and hands out references.

use core::fmt;

use rand_core::CryptoRngCore;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::constants::{
    CHECK_KEY_LEN, KEY_LEN, LABEL_HEADER_MAC, LABEL_RECORD_ENC, LABEL_RECORD_MAC, LABEL_SLOT_ENC,
    LABEL_SLOT_MAC, RECOVERY_SECRET_LEN,
};
use crate::sealing::hmac_sha256;

macro_rules! secret_bytes {
    ($(#[$doc:meta])* $name:ident, $len:expr) => {
        $(#[$doc])*
        #[derive(Clone, Zeroize, ZeroizeOnDrop)]
        pub struct $name([u8; $len]);

        impl $name {
            /// Wraps raw key bytes. The caller should wipe its own copy.
            #[must_use]
            pub const fn from_bytes(bytes: [u8; $len]) -> Self {
                Self(bytes)
            }

            /// The raw bytes.
            ///
            /// # Security
            /// These are secret. Do not log, print or persist them unprotected.
            #[must_use]
            pub const fn expose_secret(&self) -> &[u8; $len] {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name)).finish_non_exhaustive()
            }
        }
    };
}

secret_bytes!(
    /// The 256-bit vault master key (VMK). It encrypts and authenticates every record and
    /// the header; keyslots wrap it.
    VaultMasterKey,
    KEY_LEN
);

secret_bytes!(
    /// The 32-byte output of a keyslot's PBKDF2 run, from which the slot's encryption and
    /// MAC keys are derived.
    SlotKey,
    KEY_LEN
);

secret_bytes!(
    /// The vault's check key: 32 random bytes made when the vault is created, kept in its
    /// metadata record under the master key, and carried unchanged through every new
    /// master key, password and recovery secret and into every backup. It keys the check
    /// values of low-entropy secrets, so that a printed check value cannot be used to test
    /// guesses of a password offline.
    CheckKey,
    CHECK_KEY_LEN
);

secret_bytes!(
    /// The 128-bit recovery secret. It opens the recovery keyslot and is what the recovery
    /// code and the SLIP-39 shares encode.
    RecoverySecret,
    RECOVERY_SECRET_LEN
);

impl VaultMasterKey {
    /// Draws a fresh master key from `rng`.
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        let mut key = Self([0; KEY_LEN]);
        rng.fill_bytes(&mut key.0);
        key
    }
}

impl CheckKey {
    /// Draws a fresh check key from `rng`.
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        let mut key = Self([0; CHECK_KEY_LEN]);
        rng.fill_bytes(&mut key.0);
        key
    }
}

impl PartialEq for CheckKey {
    /// Constant-time comparison.
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for CheckKey {}

impl RecoverySecret {
    /// Draws a fresh recovery secret from `rng`.
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        let mut secret = Self([0; RECOVERY_SECRET_LEN]);
        rng.fill_bytes(&mut secret.0);
        secret
    }
}

impl PartialEq for RecoverySecret {
    /// Constant-time comparison.
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for RecoverySecret {}

/// A derived 32-byte subkey (encryption or MAC).
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct Subkey(pub(crate) [u8; KEY_LEN]);

impl Subkey {
    /// `HMAC-SHA256(parent, label)`.
    pub(crate) fn derive(parent: &[u8; KEY_LEN], label: &[u8]) -> Self {
        Self(hmac_sha256(parent, &[label]))
    }
}

impl fmt::Debug for Subkey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subkey").finish_non_exhaustive()
    }
}

/// The two keys of a keyslot, derived from its [`SlotKey`].
#[derive(Debug)]
pub(crate) struct SlotKeys {
    pub(crate) enc: Subkey,
    pub(crate) mac: Subkey,
}

impl SlotKeys {
    pub(crate) fn derive(slot_key: &SlotKey) -> Self {
        Self {
            enc: Subkey::derive(&slot_key.0, LABEL_SLOT_ENC),
            mac: Subkey::derive(&slot_key.0, LABEL_SLOT_MAC),
        }
    }
}

/// The master key and the three keys derived from it.
pub(crate) struct VaultKeys {
    pub(crate) vmk: VaultMasterKey,
    pub(crate) header_mac: Subkey,
    pub(crate) record_enc: Subkey,
    pub(crate) record_mac: Subkey,
}

impl VaultKeys {
    pub(crate) fn derive(vmk: &VaultMasterKey) -> Self {
        Self {
            vmk: vmk.clone(),
            header_mac: Subkey::derive(&vmk.0, LABEL_HEADER_MAC),
            record_enc: Subkey::derive(&vmk.0, LABEL_RECORD_ENC),
            record_mac: Subkey::derive(&vmk.0, LABEL_RECORD_MAC),
        }
    }
}

impl fmt::Debug for VaultKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VaultKeys").finish_non_exhaustive()
    }
}

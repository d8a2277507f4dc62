//! The metadata record: recovery secret, policy, creation time, audit-chain head, check key.

use core::fmt;

use super::*;

/// The vault metadata record: settings, the recovery secret, and the head of the audit
/// chain.
#[derive(Clone, PartialEq, Eq)]
pub struct Meta {
    /// The recovery secret, kept under the master key so that recovery material survives
    /// master-key rotation and can be shown again with the password.
    pub recovery_secret: Option<RecoverySecret>,
    /// Default rotation policy in days for entries without their own (0: none).
    pub default_policy_days: u32,
    /// When the vault was created (seconds since the Unix epoch).
    pub created_at: u64,
    /// Sequence number the next audit event will take.
    pub audit_next_seq: u32,
    /// Hash of the last audit event (zero when there is none).
    pub audit_head: [u8; 32],
    /// The vault's check key, which keys the check values of low-entropy secrets. `None`
    /// only in a metadata record read from a format version 1 file; a writer given `None`
    /// writes a fresh random one.
    pub check_key: Option<CheckKey>,
}

impl fmt::Debug for Meta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Meta")
            .field("has_recovery_secret", &self.recovery_secret.is_some())
            .field("default_policy_days", &self.default_policy_days)
            .field("created_at", &self.created_at)
            .field("audit_next_seq", &self.audit_next_seq)
            .field("has_check_key", &self.check_key.is_some())
            .finish_non_exhaustive()
    }
}

const META_FLAG_RECOVERY: u8 = 1;

impl Meta {
    /// Writes the version-2 plaintext into `out[..META_LEN]`, with `check_key` in place
    /// of the record's own if it has none.
    pub(crate) fn encode(&self, out: &mut [u8], fresh_check_key: &CheckKey) {
        out[..META_LEN].fill(0);
        let check_key = self.check_key.as_ref().unwrap_or(fresh_check_key);
        out[META_LEN_V1..META_LEN].copy_from_slice(check_key.expose_secret());
        if let Some(secret) = &self.recovery_secret {
            out[0] = META_FLAG_RECOVERY;
            out[16..32].copy_from_slice(secret.expose_secret());
        }
        out[4..8].copy_from_slice(&self.default_policy_days.to_le_bytes());
        out[8..16].copy_from_slice(&self.created_at.to_le_bytes());
        out[32..36].copy_from_slice(&self.audit_next_seq.to_le_bytes());
        out[40..72].copy_from_slice(&self.audit_head);
    }

    /// Decodes the plaintext of a file of format version `format`.
    pub(crate) fn decode(pt: &[u8], format: u16) -> Result<Self, &'static str> {
        let want = if format == FORMAT_VERSION_1 {
            META_LEN_V1
        } else {
            META_LEN
        };
        if pt.len() != want {
            return Err("metadata record has the wrong length");
        }
        let check_key = (format != FORMAT_VERSION_1).then(|| {
            let mut raw: [u8; CHECK_KEY_LEN] = array(pt, META_LEN_V1);
            let key = CheckKey::from_bytes(raw);
            raw.zeroize();
            key
        });
        let flags = pt[0];
        if flags & !META_FLAG_RECOVERY != 0 || pt[1..4] != [0; 3] || le_u32(pt, 36) != 0 {
            return Err("reserved metadata field is not zero");
        }
        let recovery_secret = if flags & META_FLAG_RECOVERY != 0 {
            let mut raw: [u8; RECOVERY_SECRET_LEN] = array(pt, 16);
            let secret = RecoverySecret::from_bytes(raw);
            raw.zeroize();
            Some(secret)
        } else {
            if pt[16..32] != [0; 16] {
                return Err("recovery secret present without its flag");
            }
            None
        };
        Ok(Self {
            recovery_secret,
            default_policy_days: le_u32(pt, 4),
            created_at: le_u64(pt, 8),
            audit_next_seq: le_u32(pt, 32),
            audit_head: array(pt, 40),
            check_key,
        })
    }
}

//! An audit event record: the operation, the entry concerned, and its place in the hash
//! chain.

use super::*;

/// What an audit event records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
#[non_exhaustive]
pub enum AuditOp {
    /// The vault was created.
    Init = 1,
    /// An entry was added from outside (file, stdin, import).
    Add = 2,
    /// An entry was generated from random bytes.
    Generate = 3,
    /// An entry (all its versions) was removed.
    Remove = 4,
    /// A new version of an entry was made.
    Rotate = 5,
    /// A password keyslot was rewrapped.
    Passwd = 6,
    /// The master key was replaced and every record re-encrypted.
    RotateMaster = 7,
    /// Reserved for "a backup was written": accepted when read, never written (a backup
    /// leaves the live vault unchanged; see `docs/FORMAT.md`, audit record).
    Backup = 8,
    /// The vault was restored from a backup.
    Restore = 9,
    /// The vault was opened with recovery material and given a new password.
    Recover = 10,
    /// The recovery secret was replaced.
    RecoveryReset = 11,
    /// The recovery secret was split into shares.
    SharesSplit = 12,
    /// The vault was rebuilt from damaged backups.
    Salvage = 13,
    /// An entry was imported from a legacy format.
    ImportLegacy = 14,
    /// A rotation policy was changed.
    Policy = 15,
    /// The recovery secret was shown again.
    RecoveryShow = 16,
}

impl AuditOp {
    const ALL: [Self; 16] = [
        Self::Init,
        Self::Add,
        Self::Generate,
        Self::Remove,
        Self::Rotate,
        Self::Passwd,
        Self::RotateMaster,
        Self::Backup,
        Self::Restore,
        Self::Recover,
        Self::RecoveryReset,
        Self::SharesSplit,
        Self::Salvage,
        Self::ImportLegacy,
        Self::Policy,
        Self::RecoveryShow,
    ];

    /// The operation with wire value `v`.
    #[must_use]
    pub fn from_u8(v: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|op| *op as u8 == v)
    }

    /// The operation's name as the command line spells it.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Init => "init",
            Self::Add => "add",
            Self::Generate => "generate",
            Self::Remove => "remove",
            Self::Rotate => "rotate",
            Self::Passwd => "passwd",
            Self::RotateMaster => "rotate-master",
            Self::Backup => "backup",
            Self::Restore => "restore",
            Self::Recover => "recover",
            Self::RecoveryReset => "recovery-reset",
            Self::SharesSplit => "shares-split",
            Self::Salvage => "salvage",
            Self::ImportLegacy => "import-legacy",
            Self::Policy => "policy",
            Self::RecoveryShow => "recovery-show",
        }
    }
}

/// One audit event. Names an operation, an entry and its key check value; never a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuditEvent<'a> {
    /// Position in the chain, from 0.
    pub seq: u32,
    /// When it happened (seconds since the Unix epoch).
    pub time: u64,
    /// What happened.
    pub op: AuditOp,
    /// The entry concerned, or zero.
    pub entry_id: [u8; ENTRY_ID_LEN],
    /// The entry version concerned, or 0.
    pub version: u32,
    /// The check value of the entry version concerned (see [`Entry::check_value`]), or
    /// zero.
    pub kcv: Kcv,
    /// Whether `kcv` may be shown: set by version-2 writers on every event that stores a
    /// check value. Events carried over from a format version 1 file have it clear, and
    /// their `kcv` — the unkeyed KCV, even of a password — is never shown.
    pub kcv_showable: bool,
    /// Hash of the previous event (zero for the first).
    pub prev_hash: [u8; 32],
    /// The entry's name, or empty (0–256 bytes, no control characters).
    pub name: &'a str,
    /// Free text such as a backup's file name (0–256 bytes, no control characters).
    pub detail: &'a str,
}

impl<'a> AuditEvent<'a> {
    /// The check value to show for this event, if any.
    #[must_use]
    pub fn check_value(&self) -> Option<Kcv> {
        self.kcv_showable.then_some(self.kcv)
    }

    /// Length of the encoded plaintext.
    #[must_use]
    pub fn plaintext_len(&self) -> usize {
        AUDIT_FIXED_LEN + self.name.len() + self.detail.len()
    }

    pub(crate) fn check(&self) -> Result<(), &'static str> {
        if !text_ok(self.name, 0, MAX_NAME_LEN) || !text_ok(self.detail, 0, MAX_AUDIT_DETAIL_LEN) {
            return Err("audit text must be at most 256 bytes without control characters");
        }
        Ok(())
    }

    fn fixed(&self) -> [u8; AUDIT_FIXED_LEN] {
        let mut b = [0u8; AUDIT_FIXED_LEN];
        b[0..8].copy_from_slice(&self.time.to_le_bytes());
        b[8] = self.op as u8;
        b[9] = u8::from(self.kcv_showable);
        b[10..12].copy_from_slice(&(self.name.len() as u16).to_le_bytes());
        b[12..14].copy_from_slice(&(self.detail.len() as u16).to_le_bytes());
        b[16..32].copy_from_slice(&self.entry_id);
        b[32..36].copy_from_slice(&self.version.to_le_bytes());
        b[36..40].copy_from_slice(&self.kcv.0);
        b[40..72].copy_from_slice(&self.prev_hash);
        b
    }

    pub(crate) fn encode(&self, out: &mut [u8]) {
        let n = self.name.len();
        out[..AUDIT_FIXED_LEN].copy_from_slice(&self.fixed());
        out[72..72 + n].copy_from_slice(self.name.as_bytes());
        out[72 + n..72 + n + self.detail.len()].copy_from_slice(self.detail.as_bytes());
    }

    /// `SHA-256("airvault v1 audit event" || seq (u32 LE) || plaintext)`: the chain link
    /// the next event stores as its `prev_hash`.
    #[must_use]
    pub fn hash(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(LABEL_AUDIT_HASH);
        h.update(self.seq.to_le_bytes());
        h.update(self.fixed());
        h.update(self.name.as_bytes());
        h.update(self.detail.as_bytes());
        h.finalize().into()
    }

    /// Decodes the plaintext of event `seq` in a file of format version `format`.
    pub(crate) fn decode(pt: &'a [u8], seq: u32, format: u16) -> Result<Self, &'static str> {
        if pt.len() < AUDIT_FIXED_LEN {
            return Err("audit plaintext too short");
        }
        let op = AuditOp::from_u8(pt[8]).ok_or("unknown audit operation")?;
        let flags_ok = if format == FORMAT_VERSION_1 {
            pt[9] == 0
        } else {
            pt[9] <= 1
        };
        if !flags_ok || le_u16(pt, 14) != 0 {
            return Err("reserved audit field is not zero");
        }
        let name_len = le_u16(pt, 10) as usize;
        let detail_len = le_u16(pt, 12) as usize;
        // Both lengths are at most 65,535, so the sum cannot wrap.
        if AUDIT_FIXED_LEN + name_len + detail_len != pt.len() {
            return Err("audit lengths do not add up");
        }
        let name =
            core::str::from_utf8(&pt[72..72 + name_len]).map_err(|_| "audit name is not UTF-8")?;
        let detail =
            core::str::from_utf8(&pt[72 + name_len..]).map_err(|_| "audit detail is not UTF-8")?;
        let event = Self {
            seq,
            time: le_u64(pt, 0),
            op,
            entry_id: array(pt, 16),
            version: le_u32(pt, 32),
            kcv: Kcv(array(pt, 36)),
            kcv_showable: pt[9] == 1,
            prev_hash: array(pt, 40),
            name,
            detail,
        };
        event.check()?;
        Ok(event)
    }
}

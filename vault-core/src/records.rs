//! The plaintext of each record kind: vault metadata, entries (one version of one key) and
//! audit events. Encoding is canonical: one byte string per value, and decoding rejects
//! anything else.

use core::fmt;

use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use crate::constants::*;
use crate::format::{array, le_u16, le_u32, le_u64};
use crate::sealing::hmac_sha256;
use crate::secrets::{CheckKey, RecoverySecret};

/// A check value: four bytes that let a person confirm that a restored key equals the
/// original without showing the key. Displays as eight upper-case hex digits.
///
/// For a secret that cannot be guessed (at least 128 bits, not a password) it is the
/// unkeyed key check value [`Kcv::of`], comparable across systems and vaults. For a
/// low-entropy secret ([`is_low_entropy`]) an unkeyed value would let anyone who sees it
/// test password guesses offline at HMAC speed, so its check value is keyed with the
/// vault's [`CheckKey`] ([`Kcv::keyed`]) and is never stored outside the encryption.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Kcv(pub [u8; KCV_LEN]);

impl Kcv {
    /// The unkeyed key check value of `secret`: `HMAC-SHA256(secret, "airvault v1 key
    /// check value")[0..4]`.
    ///
    /// # Security
    /// An offline guessing oracle for a low-entropy secret: show it only for secrets that
    /// are not [`is_low_entropy`].
    #[must_use]
    pub fn of(secret: &[u8]) -> Self {
        let mut tag = hmac_sha256(secret, &[LABEL_KCV]);
        let kcv = array(&tag, 0);
        tag.zeroize();
        Self(kcv)
    }

    /// The keyed check value of `secret`: `HMAC-SHA256(check_key, "airvault v2 keyed check
    /// value" || secret)[0..4]`. Without the vault's check key it tells nothing about the
    /// secret.
    #[must_use]
    pub fn keyed(check_key: &CheckKey, secret: &[u8]) -> Self {
        let mut tag = hmac_sha256(check_key.expose_secret(), &[LABEL_KEYED_CHECK, secret]);
        let kcv = array(&tag, 0);
        tag.zeroize();
        Self(kcv)
    }
}

/// Whether a secret of this kind and length counts as low-entropy — a password or
/// passphrase, or anything shorter than 128 bits — and so gets a keyed check value.
#[must_use]
pub const fn is_low_entropy(kind: EntryKind, secret_len: usize) -> bool {
    matches!(kind, EntryKind::Password) || secret_len < LOW_ENTROPY_SECRET_LEN
}

impl fmt::Display for Kcv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Kcv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kcv({self})")
    }
}

/// What kind of secret an entry holds. Tells readers how to present it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum EntryKind {
    /// Raw symmetric key bytes.
    SymmetricKey = 1,
    /// A private key in PEM text.
    PrivateKeyPem = 2,
    /// A password or other UTF-8 text.
    Password = 3,
    /// A TOTP shared secret (raw bytes; shown as base32).
    TotpSeed = 4,
    /// Any other bytes.
    Opaque = 5,
}

impl EntryKind {
    /// The kind with wire value `v`.
    #[must_use]
    pub const fn from_u8(v: u8) -> Option<Self> {
        match v {
            1 => Some(Self::SymmetricKey),
            2 => Some(Self::PrivateKeyPem),
            3 => Some(Self::Password),
            4 => Some(Self::TotpSeed),
            5 => Some(Self::Opaque),
            _ => None,
        }
    }

    /// The kind's name as users type it.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::SymmetricKey => "symmetric-key",
            Self::PrivateKeyPem => "private-key-pem",
            Self::Password => "password",
            Self::TotpSeed => "totp-seed",
            Self::Opaque => "opaque",
        }
    }

    /// The kind named `name` (as [`EntryKind::name`] spells it).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::SymmetricKey,
            Self::PrivateKeyPem,
            Self::Password,
            Self::TotpSeed,
            Self::Opaque,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }
}

/// Whether an entry version is the current one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum EntryStatus {
    /// The current version.
    Active = 1,
    /// Superseded by a later version; kept readable.
    Retired = 2,
}

impl EntryStatus {
    /// The status with wire value `v`.
    #[must_use]
    pub const fn from_u8(v: u8) -> Option<Self> {
        match v {
            1 => Some(Self::Active),
            2 => Some(Self::Retired),
            _ => None,
        }
    }

    /// Lower-case name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Retired => "retired",
        }
    }
}

/// Checks a name or detail text: UTF-8 (guaranteed by `&str`), within `max` bytes, no
/// control characters.
fn text_ok(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && !s.chars().any(char::is_control)
}

/// Whether `name` is acceptable as an entry name: 1 to 256 bytes of UTF-8 with no control
/// characters.
#[must_use]
pub fn valid_entry_name(name: &str) -> bool {
    text_ok(name, 1, MAX_NAME_LEN)
}

/// One version of one entry. Borrowed from the caller when writing, from the decryption
/// buffer when reading.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    /// Stable random id, shared by every version of the entry.
    pub id: [u8; ENTRY_ID_LEN],
    /// Version number, from 1.
    pub version: u32,
    /// What kind of secret this is.
    pub kind: EntryKind,
    /// Active or retired.
    pub status: EntryStatus,
    /// The entry's name (1–256 bytes of UTF-8, no control characters).
    pub name: &'a str,
    /// The secret itself (1–65,536 bytes).
    pub secret: &'a [u8],
    /// When the entry (its first version) was created, in seconds since the Unix epoch.
    pub created_at: u64,
    /// When this version was made, in seconds since the Unix epoch.
    pub rotated_at: u64,
    /// Rotation policy in days for this entry; 0 means the vault's default.
    pub policy_days: u32,
}

impl fmt::Debug for Entry<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("name", &self.name)
            .field("version", &self.version)
            .field("kind", &self.kind)
            .field("status", &self.status)
            .field("secret_len", &self.secret.len())
            .field("kcv", &self.kcv())
            .finish_non_exhaustive()
    }
}

impl<'a> Entry<'a> {
    /// The unkeyed key check value of the secret ([`Kcv::of`]).
    ///
    /// # Security
    /// For a low-entropy secret this is a guessing oracle: show [`Entry::check_value`]
    /// instead.
    #[must_use]
    pub fn kcv(&self) -> Kcv {
        Kcv::of(self.secret)
    }

    /// Whether the secret is low-entropy ([`is_low_entropy`]).
    #[must_use]
    pub fn is_low_entropy(&self) -> bool {
        is_low_entropy(self.kind, self.secret.len())
    }

    /// The check value to show for this version: the unkeyed KCV for a high-entropy
    /// secret; for a low-entropy one the value keyed with the vault's check key, or `None`
    /// if the vault has none (a format version 1 file not yet rewritten).
    #[must_use]
    pub fn check_value(&self, check_key: Option<&CheckKey>) -> Option<Kcv> {
        if self.is_low_entropy() {
            check_key.map(|k| Kcv::keyed(k, self.secret))
        } else {
            Some(self.kcv())
        }
    }

    /// The `kcv` field as stored in a version-2 record: the unkeyed KCV of a high-entropy
    /// secret, zero for a low-entropy one (its check value is keyed and never stored).
    fn stored_kcv(&self) -> Kcv {
        if self.is_low_entropy() {
            Kcv::default()
        } else {
            self.kcv()
        }
    }

    /// Length of the encoded plaintext.
    #[must_use]
    pub fn plaintext_len(&self) -> usize {
        ENTRY_FIXED_LEN + self.name.len() + self.secret.len()
    }

    /// Checks the limits of the format.
    pub(crate) fn check(&self) -> Result<(), &'static str> {
        if !valid_entry_name(self.name) {
            return Err("entry name must be 1 to 256 bytes of UTF-8 without control characters");
        }
        if self.secret.is_empty() || self.secret.len() > MAX_SECRET_LEN {
            return Err("secret must be 1 to 65536 bytes");
        }
        if self.version == 0 {
            return Err("entry version must be at least 1");
        }
        Ok(())
    }

    /// Writes the plaintext into `out[..plaintext_len()]`.
    pub(crate) fn encode(&self, out: &mut [u8]) {
        let n = self.name.len();
        out[0] = self.kind as u8;
        out[1] = self.status as u8;
        out[2..4].copy_from_slice(&(n as u16).to_le_bytes());
        out[4..8].copy_from_slice(&(self.secret.len() as u32).to_le_bytes());
        out[8..16].copy_from_slice(&self.created_at.to_le_bytes());
        out[16..24].copy_from_slice(&self.rotated_at.to_le_bytes());
        out[24..28].copy_from_slice(&self.policy_days.to_le_bytes());
        out[28..32].copy_from_slice(&self.stored_kcv().0);
        out[32..32 + n].copy_from_slice(self.name.as_bytes());
        out[32 + n..32 + n + self.secret.len()].copy_from_slice(self.secret);
    }

    /// Decodes a plaintext of a file of format version `format`; `id` and `version` come
    /// from the authenticated table entry.
    pub(crate) fn decode(
        pt: &'a [u8],
        id: [u8; ENTRY_ID_LEN],
        version: u32,
        format: u16,
    ) -> Result<Self, &'static str> {
        if pt.len() < ENTRY_FIXED_LEN {
            return Err("entry plaintext too short");
        }
        let kind = EntryKind::from_u8(pt[0]).ok_or("unknown entry kind")?;
        let status = EntryStatus::from_u8(pt[1]).ok_or("unknown entry status")?;
        let name_len = le_u16(pt, 2) as usize;
        let secret_len = le_u32(pt, 4) as usize;
        // Checked: on a 32-bit target a crafted secret length could wrap the sum.
        if ENTRY_FIXED_LEN
            .checked_add(name_len)
            .and_then(|n| n.checked_add(secret_len))
            != Some(pt.len())
        {
            return Err("entry lengths do not add up");
        }
        let name =
            core::str::from_utf8(&pt[32..32 + name_len]).map_err(|_| "entry name is not UTF-8")?;
        let entry = Entry {
            id,
            version,
            kind,
            status,
            name,
            secret: &pt[32 + name_len..],
            created_at: le_u64(pt, 8),
            rotated_at: le_u64(pt, 16),
            policy_days: le_u32(pt, 24),
        };
        entry.check()?;
        let stored = Kcv(array(pt, 28));
        let expected = if format == FORMAT_VERSION_1 {
            entry.kcv()
        } else {
            entry.stored_kcv()
        };
        if stored != expected {
            return Err("key check value does not match the secret");
        }
        Ok(entry)
    }
}

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

/// A decrypted record.
#[derive(Debug)]
pub enum Record<'a> {
    /// The metadata record.
    Meta(Meta),
    /// One version of one entry.
    Entry(Entry<'a>),
    /// One audit event.
    Audit(AuditEvent<'a>),
}

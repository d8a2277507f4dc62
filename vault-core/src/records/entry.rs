//! An entry version record: its kind, status, name rules, secret and check value.

use core::fmt;

use super::*;

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
pub(super) fn text_ok(s: &str, min: usize, max: usize) -> bool {
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

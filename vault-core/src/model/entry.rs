//! Entry versions and audit events owned on the heap: what a vault holds once its records
//! are opened, with every secret wiped when dropped.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use zeroize::Zeroizing;

use crate::constants::{ENTRY_ID_LEN, MAX_AUDIT_DETAIL_LEN};
use crate::records::{AuditEvent, AuditOp, Entry, EntryKind, EntryStatus, Kcv};
use crate::secrets::CheckKey;

/// One version of one entry, owned; the secret is wiped on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct OwnedEntry {
    /// Stable random id shared by every version.
    pub id: [u8; ENTRY_ID_LEN],
    /// Version, from 1.
    pub version: u32,
    /// What the secret is.
    pub kind: EntryKind,
    /// Active or retired.
    pub status: EntryStatus,
    /// Unique name.
    pub name: String,
    /// The secret.
    pub secret: Zeroizing<Vec<u8>>,
    /// When the first version was created (Unix seconds).
    pub created_at: u64,
    /// When this version was made (Unix seconds).
    pub rotated_at: u64,
    /// Rotation policy in days (0: the vault's default).
    pub policy_days: u32,
}

impl fmt::Debug for OwnedEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedEntry")
            .field("name", &self.name)
            .field("version", &self.version)
            .field("kind", &self.kind)
            .field("status", &self.status)
            .field("secret_len", &self.secret.len())
            .finish_non_exhaustive()
    }
}

impl OwnedEntry {
    /// A borrowed view, for the writers and the check value.
    #[must_use]
    pub fn view(&self) -> Entry<'_> {
        Entry {
            id: self.id,
            version: self.version,
            kind: self.kind,
            status: self.status,
            name: &self.name,
            secret: &self.secret,
            created_at: self.created_at,
            rotated_at: self.rotated_at,
            policy_days: self.policy_days,
        }
    }

    /// An owned copy of a decoded entry record.
    #[must_use]
    pub fn from_view(e: &Entry<'_>) -> Self {
        Self {
            id: e.id,
            version: e.version,
            kind: e.kind,
            status: e.status,
            name: e.name.to_owned(),
            secret: Zeroizing::new(e.secret.to_vec()),
            created_at: e.created_at,
            rotated_at: e.rotated_at,
            policy_days: e.policy_days,
        }
    }

    /// The check value to show for this version (see [`Entry::check_value`]): `None` for a
    /// low-entropy secret of a vault without a check key (a format version 1 file).
    #[must_use]
    pub fn check_value(&self, check_key: Option<&CheckKey>) -> Option<Kcv> {
        self.view().check_value(check_key)
    }

    /// [`OwnedEntry::check_value`] as shown: eight hex digits, or `-` when there is none.
    #[must_use]
    pub fn check_text(&self, check_key: Option<&CheckKey>) -> String {
        check_text(self.check_value(check_key))
    }
}

/// A check value as shown: eight hex digits, or `-` when there is none.
#[must_use]
pub fn check_text(kcv: Option<Kcv>) -> String {
    use core::fmt::Write;
    let mut s = String::new();
    match kcv {
        Some(k) => {
            let _ = write!(s, "{k}");
        }
        None => s.push('-'),
    }
    s
}

/// One audit event, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedEvent {
    /// Position in the chain.
    pub seq: u32,
    /// Unix seconds.
    pub time: u64,
    /// What happened.
    pub op: AuditOp,
    /// Entry concerned, or zero.
    pub entry_id: [u8; ENTRY_ID_LEN],
    /// Entry version concerned, or 0.
    pub version: u32,
    /// Check value of that version, or zero.
    pub kcv: Kcv,
    /// Whether `kcv` may be shown ([`AuditEvent::kcv_showable`]).
    pub kcv_showable: bool,
    /// Hash of the previous event.
    pub prev_hash: [u8; 32],
    /// Entry name, or empty.
    pub name: String,
    /// Short detail (a file name), never a secret.
    pub detail: String,
}

impl OwnedEvent {
    /// A borrowed view, for the writers and the hash chain.
    #[must_use]
    pub fn view(&self) -> AuditEvent<'_> {
        AuditEvent {
            seq: self.seq,
            time: self.time,
            op: self.op,
            entry_id: self.entry_id,
            version: self.version,
            kcv: self.kcv,
            kcv_showable: self.kcv_showable,
            prev_hash: self.prev_hash,
            name: &self.name,
            detail: &self.detail,
        }
    }

    /// An owned copy of a decoded audit record.
    #[must_use]
    pub fn from_view(e: &AuditEvent<'_>) -> Self {
        Self {
            seq: e.seq,
            time: e.time,
            op: e.op,
            entry_id: e.entry_id,
            version: e.version,
            kcv: e.kcv,
            kcv_showable: e.kcv_showable,
            prev_hash: e.prev_hash,
            name: e.name.to_owned(),
            detail: e.detail.to_owned(),
        }
    }
}

/// Audit details are short public text: control characters become spaces and the text is
/// cut (at a character boundary) to the format's limit.
#[must_use]
pub fn clean_detail(detail: &str) -> String {
    let mut out = String::new();
    for c in detail.chars() {
        let c = if c.is_control() { ' ' } else { c };
        if out.len() + c.len_utf8() > MAX_AUDIT_DETAIL_LEN {
            break;
        }
        out.push(c);
    }
    out
}

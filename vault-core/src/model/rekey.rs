//! Re-keying checked: a vault rewritten around new keyslots or a new master key (the core's
//! [`Rewrite`]) must hold exactly the records of the vault it replaces, plus the one audit
//! event appended. The rule is here once, for every host that rewrites a vault and reads
//! the result back before it replaces anything.

use core::fmt;

use super::contents::{open, record_buffer};
use crate::error::Error;
use crate::format::VaultFile;
use crate::records::{AuditEvent, Meta, Record};
use crate::rewrite::Rewrite;
use crate::secrets::SlotKey;
use crate::vault::UnlockedVault;

/// Whether `new` is the metadata record `old` becomes in a rewrite that appends `event`
/// (or none): the same recovery secret, policy and creation time; the check key kept (or,
/// for a format version 1 vault that had none, one added); the audit chain's head moved to
/// `event`, or unchanged without one.
#[must_use]
pub fn meta_after_rewrite(old: &Meta, new: &Meta, event: Option<&AuditEvent<'_>>) -> bool {
    old.recovery_secret == new.recovery_secret
        && new.check_key.is_some()
        && (old.check_key.is_none() || old.check_key == new.check_key)
        && old.default_policy_days == new.default_policy_days
        && old.created_at == new.created_at
        && match event {
            Some(e) => {
                e.seq.checked_add(1) == Some(new.audit_next_seq) && new.audit_head == e.hash()
            }
            None => new.audit_next_seq == old.audit_next_seq && new.audit_head == old.audit_head,
        }
}

/// Whether record `new` of a rewritten vault is record `old` of the vault it replaces,
/// where the rewrite appended `event` (or none).
#[must_use]
pub fn same_record(old: &Record<'_>, new: &Record<'_>, event: Option<&AuditEvent<'_>>) -> bool {
    match (old, new) {
        (Record::Meta(m), Record::Meta(n)) => meta_after_rewrite(m, n, event),
        (Record::Entry(e), Record::Entry(f)) => e == f,
        (Record::Audit(e), Record::Audit(f)) => e == f,
        _ => false,
    }
}

/// How a rewritten vault differs from what it should hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// The new file does not parse.
    Unparsable(Error),
    /// The new file is not intact.
    NotIntact,
    /// No keyslot was given to check.
    NoKeyslot,
    /// A new keyslot does not open the new file.
    Keyslot {
        /// The keyslot.
        index: usize,
        /// Why.
        error: Error,
    },
    /// A keyslot opens a master key other than the one meant.
    WrongMasterKey,
    /// The new file holds another number of records.
    RecordCount {
        /// Records of the vault replaced.
        old: u32,
        /// Records of the new file.
        new: u32,
    },
    /// A record of either file does not open.
    Unreadable {
        /// The record.
        index: u32,
        /// Why.
        error: Error,
    },
    /// A record differs from the one it should copy.
    Differs {
        /// The record.
        index: u32,
    },
    /// The appended audit event is missing.
    EventMissing,
    /// The appended audit event differs.
    EventDiffers,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unparsable(e) => write!(f, "{e}"),
            Self::NotIntact => f.write_str("it is not intact"),
            Self::NoKeyslot => f.write_str("no keyslot was checked"),
            Self::Keyslot { index, error } => write!(f, "keyslot {index}: {error}"),
            Self::WrongMasterKey => f.write_str("a keyslot holds the wrong master key"),
            Self::RecordCount { old, new } => write!(f, "{new} records where {old} were"),
            Self::Unreadable { error, .. } => write!(f, "{error}"),
            Self::Differs { index } => write!(f, "record {index} differs"),
            Self::EventMissing => f.write_str("the new audit event is missing"),
            Self::EventDiffers => f.write_str("the new audit event differs"),
        }
    }
}

/// Opens `written` (the file a rewrite produced, held whole) through every one of `keys`
/// (keyslot index and slot key) and compares it with the vault it replaces, `old`: the
/// master key meant by `rw`, the same records in the same order (the metadata record's
/// audit fields excepted, see [`meta_after_rewrite`]), then exactly `rw`'s audit event.
///
/// # Errors
/// The first [`Mismatch`].
pub fn check_rewritten(
    written: &VaultFile<'_>,
    old: &UnlockedVault<'_>,
    rw: &Rewrite<'_>,
    keys: &[(usize, &SlotKey)],
) -> Result<(), Mismatch> {
    let mut opened = None;
    for (index, key) in keys {
        let unlocked =
            written
                .unlock_with_slot_key(*index, key)
                .map_err(|error| Mismatch::Keyslot {
                    index: *index,
                    error,
                })?;
        opened = Some(unlocked);
    }
    let new = opened.ok_or(Mismatch::NoKeyslot)?;
    let want_key = rw.new_master_key.unwrap_or(old.master_key());
    if new.master_key().expose_secret() != want_key.expose_secret() {
        return Err(Mismatch::WrongMasterKey);
    }
    let old_count = old.file().header().record_count();
    let new_count = written.header().record_count();
    if Some(new_count) != old_count.checked_add(u32::from(rw.event.is_some())) {
        return Err(Mismatch::RecordCount {
            old: old_count,
            new: new_count,
        });
    }
    let mut a = record_buffer(old);
    let mut b = record_buffer(&new);
    let mut new_records = written.records();
    let unreadable = |index, error| Mismatch::Unreadable { index, error };
    for (ro, rn) in old.file().records().zip(new_records.by_ref()) {
        let x = open(old, &ro, &mut a).map_err(|e| unreadable(ro.index, e))?;
        let y = open(&new, &rn, &mut b).map_err(|e| unreadable(rn.index, e))?;
        if !same_record(&x, &y, rw.event.as_ref()) {
            return Err(Mismatch::Differs { index: ro.index });
        }
    }
    if let Some(event) = &rw.event {
        let last = new_records.next().ok_or(Mismatch::EventMissing)?;
        match open(&new, &last, &mut b).map_err(|e| unreadable(last.index, e))? {
            Record::Audit(e) if e == *event => {}
            _ => return Err(Mismatch::EventDiffers),
        }
    }
    Ok(())
}

//! The plaintext of each record kind: vault metadata, entries (one version of one key) and
//! audit events. Encoding is canonical: one byte string per value, and decoding rejects
//! anything else.

mod audit;
mod entry;
mod meta;

pub use audit::{AuditEvent, AuditOp};
use entry::text_ok;
pub use entry::{is_low_entropy, valid_entry_name, Entry, EntryKind, EntryStatus, Kcv};
pub use meta::Meta;

use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use crate::constants::*;
use crate::format::{array, le_u16, le_u32, le_u64};
use crate::sealing::hmac_sha256;
use crate::secrets::{CheckKey, RecoverySecret};

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

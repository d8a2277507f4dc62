//! A file's bytes parsed with the format's bounds, and the names the page shows for the
//! parts of a file.

use vault_core::{KdfLimits, PartState, RecordKind, SlotKind, VaultFile};

use crate::error::WasmError;

/// The name of a record kind as the page shows it.
pub(crate) fn record_kind_name(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Meta => "metadata",
        RecordKind::Entry => "entry",
        RecordKind::Audit => "audit",
    }
}

pub(crate) fn slot_kind_name(kind: SlotKind) -> &'static str {
    match kind {
        SlotKind::Password => "password",
        SlotKind::Recovery => "recovery",
    }
}

pub(crate) fn part_state_name(state: PartState) -> &'static str {
    match state {
        PartState::Intact => "intact",
        PartState::Damaged => "damaged",
        PartState::Missing => "missing",
    }
}

/// Parses `bytes` with the format's standard KDF bounds.
pub(crate) fn parse(bytes: &[u8]) -> Result<VaultFile<'_>, WasmError> {
    Ok(VaultFile::parse(bytes, &KdfLimits::STANDARD)?)
}

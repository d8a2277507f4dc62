//! A new vault's password keyslot, and the new file checked as a later reader would check
//! it: shared by every command that writes a vault with a fresh master key.

use std::path::Path;

use rand_core::{OsRng, RngCore};
use vault_core::constants::SALT_LEN;
use vault_core::model::Vault;
use vault_core::{KdfLimits, SealedSlot, SlotKey, SlotKind, VaultFile};

use crate::commands::Context;
use crate::error::{show, CliError, Doing, Exit, Result};
use crate::progress;

/// A new password keyslot sealed around the master key of `unlocked`, with the key kept
/// so that the written file can be checked without another key derivation.
pub(crate) fn password_slot(
    password: &str,
    kdf: vault_core::SlotKdf,
    vmk: &vault_core::VaultMasterKey,
    vault_id: &[u8; 16],
    ctx: &Context,
    path: &Path,
) -> Result<(SealedSlot, SlotKey)> {
    let mut salt = [0u8; SALT_LEN];
    OsRng.fill_bytes(&mut salt);
    let key = progress::derive_kdf(
        password.as_bytes(),
        &salt,
        kdf,
        progress::sealing_label(SlotKind::Password),
        ctx.progress,
    )
    .map_err(|e| CliError::core(e, path, Doing::Write))?;
    let slot = SealedSlot::seal_with_kdf_key(
        SlotKind::Password,
        kdf,
        salt,
        &key,
        vmk,
        vault_id,
        &mut OsRng,
    )
    .map_err(|e| CliError::core(e, path, Doing::Write))?;
    Ok((slot, key))
}

/// Checks a newly written vault as a later reader would: it parses, every part is intact,
/// keyslot 0 opens with `key`, and every record opens. Returns (entries, versions).
pub(crate) fn check_written(bytes: &[u8], key: &SlotKey, path: &Path) -> Result<(usize, usize)> {
    let failed = |what: String| {
        CliError::new(
            Exit::Corrupted,
            format!("{} failed verification after writing: {what}", show(path)),
        )
        .hint("nothing was written; check the medium and try again")
    };
    let file = VaultFile::parse(bytes, &KdfLimits::STANDARD).map_err(|e| failed(e.to_string()))?;
    if !file.verify().is_intact() {
        return Err(failed("it is not intact".to_owned()));
    }
    let unlocked = file
        .unlock_with_slot_key(0, key)
        .map_err(|e| failed(e.to_string()))?;
    let vault = Vault::from_unlocked(&unlocked).map_err(|e| failed(e.to_string()))?;
    Ok((vault.current().len(), vault.entries.len()))
}

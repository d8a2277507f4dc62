//! `airvault restore`: a backup (binary or armored) opened with its password and written
//! as a vault.

use crate::damage::describe_damage;
use std::path::Path;

use vault_core::{AuditOp, KdfLimits, VaultFile};

use super::{decode_container, now, stamp, write_vault, Context};
use crate::error::{show, CliError, Doing, Exit, Result};
use crate::files;
use crate::generations;
use crate::model::VaultFiles;
use crate::model::{Keep, Opened, Vault};
use crate::output::RestoreReport;

/// Restores the backup at `backup` into a vault at `out`: the backup must be intact and
/// every record must open. The vault keeps the backup's master key and keyslots (so it
/// opens with the backup's password and the recovery code), its audit trail gains a
/// `restore` event, and its generation is one above the backup's, the replaced file's and
/// the newest remembered ([`crate::generations`]).
///
/// # Errors
/// Exit 2 if `out` exists without `force`, or is a newer generation of the same vault
/// without `discard_newer`; 3 if the backup cannot be read; 4 for a wrong password; 5 if
/// the backup is damaged in any way (then nothing is written); 6 for an unsupported file.
pub fn restore(
    ctx: &Context,
    backup: &Path,
    out: &Path,
    force: bool,
    discard_newer: bool,
) -> Result<RestoreReport> {
    files::check_writable(out, force)?;
    // Before the password is asked, from the backup's header; again once it is opened.
    if let Some(input) = generations::peek(backup) {
        generations::check_replace(out, input, &show(backup), discard_newer)?;
    }
    let mut vault = match open_streaming(ctx, backup)? {
        Some(vault) => vault,
        None => open_whole(ctx, backup)?,
    };
    generations::check_replace(out, stamp(&vault), &show(backup), discard_newer)?;
    vault.generation = ctx.seen.next_generation(out, stamp(&vault));
    vault.record_event(
        AuditOp::Restore,
        None,
        &format!("from {}", files::file_name(backup)),
        now(),
    );
    files::ensure_parent_dir(out)?;
    write_vault(out, &mut vault, force)?;
    ctx.seen.written(out, stamp(&vault));
    let versions = vault.entries.len();
    Ok(RestoreReport {
        backup: show(backup),
        out: show(out),
        vault_id: hex::encode(vault.vault_id),
        generation: vault.generation,
        entries: vault.current().len(),
        versions,
    })
}

/// An intact binary backup, checked keylessly in one pass and then opened record by
/// record, never held whole; `None` for anything else (armor, damage), which
/// [`open_whole`] then reads and reports on.
fn open_streaming(ctx: &Context, backup: &Path) -> Result<Option<Vault>> {
    let Some(mut head) = super::intact_streaming(backup) else {
        return Ok(None);
    };
    let password = ctx.password.read(&files::file_name(backup))?;
    let mut rest = std::io::BufReader::with_capacity(16 * 1024, &mut head.file);
    let opened = Vault::open_streaming(
        &head.bytes,
        &mut rest,
        password.as_bytes(),
        ctx.progress,
        Keep::ALL,
    )
    .map_err(|e| CliError::core(e, backup, Doing::Restore))?;
    match opened {
        Some(Opened { vault, .. }) => Ok(Some(vault)),
        // Read it whole to say what is wrong (the password was read already).
        None => open_whole(
            &Context {
                password: crate::input::PasswordSource::Given(password),
                ..ctx.clone()
            },
            backup,
        )
        .map(Some),
    }
}

/// The backup read whole: decoded if armored, checked keylessly, opened.
fn open_whole(ctx: &Context, backup: &Path) -> Result<Vault> {
    let raw = files::read_file(backup)?;
    let (bytes, _) = decode_container(raw, backup)?;
    let file = VaultFile::parse(&bytes, &KdfLimits::STANDARD)
        .map_err(|e| CliError::core(e, backup, Doing::Restore))?;
    let check = file.verify();
    if !check.is_intact() {
        return Err(CliError::new(
            Exit::Corrupted,
            format!("{} is damaged: {}", show(backup), describe_damage(&check)),
        )
        .hint(format!(
            "restore from another backup, or run 'airvault salvage {} --out NEW-VAULT' to rescue what is intact",
            show(backup)
        )));
    }
    let password = ctx.password.read(&files::file_name(backup))?;
    let Opened { vault, .. } = Vault::open(&bytes, password.as_bytes(), ctx.progress)
        .map_err(|e| CliError::core(e, backup, Doing::Restore))?;
    Ok(vault)
}

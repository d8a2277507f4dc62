//! `airvault backup`: a new file of the same vault (same id and generation) under a fresh
//! master key, re-read and opened before it is reported written.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use vault_core::{SlotKind, VaultMasterKey};
use zeroize::Zeroizing;

use super::{check_intact, decode_container, encode_armor, load_vault, now, Context};
use crate::error::{show, CliError, Doing, Exit, Result};
use crate::files;
use crate::input::PasswordSource;
use crate::model::{Opened, Vault};
use crate::output::BackupReport;
use crate::progress;

/// Options of `backup`.
#[derive(Debug, Clone)]
pub struct BackupOptions {
    /// The backup file.
    pub out: PathBuf,
    /// Write ASCII armor.
    pub armor: bool,
    /// The backup's own password, if it has one.
    pub new_password: Option<PasswordSource>,
    /// Names of the entries to include (all when empty).
    pub entries: Vec<String>,
    /// Replace an existing file.
    pub force: bool,
}

/// Writes and verifies a backup of the vault at `ctx.vault`. The vault is only read.
///
/// # Errors
/// Exit 2 for an unknown entry, an existing `out` without `force`, or `out` naming the
/// vault; the vault's errors; exit 3/5 if the backup cannot be written or does not verify
/// (then no file is left at `out`).
pub fn backup(ctx: &Context, opts: &BackupOptions) -> Result<BackupReport> {
    if same_file(&opts.out, &ctx.vault) {
        return Err(CliError::usage("the backup would replace the vault itself")
            .hint("write the backup to another file"));
    }
    files::check_writable(&opts.out, opts.force)?;
    let (vault, password) = load_vault(ctx)?;

    let mut ids = Vec::new();
    for name in &opts.entries {
        let e = vault.newest(name).ok_or_else(|| {
            CliError::usage(format!("no entry named '{name}'"))
                .hint("'airvault list' shows the entries")
        })?;
        ids.push(e.id);
    }
    let backup_password = match &opts.new_password {
        Some(src) => src.read_new(&files::file_name(&opts.out))?,
        None => password.clone(),
    };

    let mut copy = backup_copy(ctx, &vault, &ids, &backup_password, &opts.out)?;
    let binary = copy
        .serialize(now())
        .map_err(|e| CliError::core(e, &opts.out, Doing::Write))?;
    let bytes = if opts.armor {
        Zeroizing::new(encode_armor(&binary, &opts.out)?)
    } else {
        binary.clone()
    };
    let out = opts.out.as_path();
    files::write_atomic(out, &bytes, opts.force, |written| {
        check_backup(written, &binary, &copy, &backup_password, out, ctx)
    })?;

    // Once more from its final name: the bytes there must be the ones verified.
    let fingerprint = hex::encode(Sha256::digest(&*bytes));
    let reread = files::read_file(out).map(|b| hex::encode(Sha256::digest(&b)));
    if reread.as_deref().ok() != Some(fingerprint.as_str()) {
        let _ = std::fs::remove_file(out);
        return Err(CliError::new(
            Exit::Corrupted,
            format!("{} changed after it was written; it was removed", show(out)),
        )
        .hint("the medium may be failing; write to another one"));
    }

    let versions = copy.entries.len();
    let mut distinct: Vec<_> = copy.entries.iter().map(|e| e.id).collect();
    distinct.dedup();
    Ok(BackupReport {
        vault: show(&ctx.vault),
        out: show(out),
        armored: opts.armor,
        own_password: opts.new_password.is_some(),
        entries: distinct.len(),
        versions,
        audit_events: copy.events.len(),
        generation: copy.generation,
        bytes: bytes.len(),
        fingerprint,
        verified: true,
    })
}

/// The backup as a vault of its own: same id, generation, metadata and audit trail; a
/// fresh master key with a password slot and (if the vault has a recovery secret) a
/// recovery slot; the selected entries with all their versions.
pub(crate) fn backup_copy(
    ctx: &Context,
    vault: &Vault,
    ids: &[[u8; 16]],
    password: &str,
    out: &Path,
) -> Result<Vault> {
    let vmk = VaultMasterKey::generate(&mut rand_core::OsRng);
    let seal_err = |e| CliError::core(e, out, Doing::Write);
    let mut slots = vec![progress::seal(
        SlotKind::Password,
        password.as_bytes(),
        vault.password_iterations,
        &vmk,
        &vault.vault_id,
        ctx.progress,
    )
    .map_err(seal_err)?];
    if let Some(secret) = &vault.meta.recovery_secret {
        slots.push(
            progress::seal(
                SlotKind::Recovery,
                secret.expose_secret(),
                vault
                    .recovery_iterations
                    .unwrap_or(vault.password_iterations),
                &vmk,
                &vault.vault_id,
                ctx.progress,
            )
            .map_err(seal_err)?,
        );
    }
    Ok(Vault {
        vault_id: vault.vault_id,
        generation: vault.generation,
        vmk,
        slots,
        password_iterations: vault.password_iterations,
        recovery_iterations: vault.recovery_iterations,
        meta: vault.meta.clone(),
        entries: vault
            .entries
            .iter()
            .filter(|e| ids.is_empty() || ids.contains(&e.id))
            .cloned()
            .collect(),
        events: vault.events.clone(),
    })
}

/// Checks the written backup as a restore would: decode, keyless verify, open with the
/// backup's password, and compare every record with what was meant to be written.
pub(crate) fn check_backup(
    written: &[u8],
    binary: &[u8],
    expected: &Vault,
    password: &str,
    out: &Path,
    ctx: &Context,
) -> Result<()> {
    let (decoded, _) = decode_container(written.to_vec(), out)?;
    let failed = |what: &str| {
        CliError::new(
            Exit::Corrupted,
            format!("backup {} failed verification: {what}", show(out)),
        )
        .hint("nothing was written; check the medium and try again")
    };
    if decoded != binary {
        return Err(failed("it does not decode to the bytes written"));
    }
    check_intact(&decoded, out)?;
    let Opened { vault, .. } = Vault::open(&decoded, password.as_bytes(), ctx.progress)
        .map_err(|e| failed(&e.to_string()))?;
    if vault.vault_id != expected.vault_id || vault.generation != expected.generation {
        return Err(failed("its header differs"));
    }
    if vault.meta != expected.meta {
        return Err(failed("its metadata differs"));
    }
    if vault.entries != expected.entries {
        return Err(failed("its entries differ"));
    }
    if vault.events != expected.events {
        return Err(failed("its audit trail differs"));
    }
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

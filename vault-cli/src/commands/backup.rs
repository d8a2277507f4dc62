//! `airvault backup`: a new file of the same vault (same id and generation) under a fresh
//! master key, re-read and opened before it is reported written.

use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::{check_written, load_vault, now, Context};
use crate::backups::armored::{check_armor_streaming, write_armor};
use crate::backups::copy::{
    backup_copy, check_armor_whole, check_backup_streaming, same_file, write_scratch,
};
use crate::error::{show, CliError, Doing, Exit, Result};
use crate::files;
use crate::input::PasswordSource;
use crate::model::VaultFiles;
use crate::model::{Vault, WriteError};
use crate::output::BackupReport;

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
        let e = vault
            .newest(name)
            .ok_or_else(|| crate::suggestion::no_such_entry(&vault, name))?;
        ids.push(e.id);
    }
    let backup_password = match &opts.new_password {
        Some(src) => src.read_new(&files::file_name(&opts.out))?,
        None => password.clone(),
    };

    // Missing parent directories are made (0700), as `restore` and `recover` do.
    files::ensure_parent_dir(&opts.out)?;
    if !opts.armor {
        let copy = backup_copy_owned(ctx, vault, &ids, &backup_password, &opts.out)?;
        return backup_binary(ctx, opts, copy, &backup_password);
    }
    let copy = backup_copy_owned(ctx, vault, &ids, &backup_password, &opts.out)?;
    backup_armored(ctx, opts, copy, &backup_password)
}

/// An armored backup: the binary backup written record by record to an unnamed scratch
/// file, encoded from there line by line, and the armor read back and checked line by line
/// ([`check_armor_streaming`]; whole, as before, if anything there differs, so that the
/// error says exactly what), never holding the file.
fn backup_armored(
    ctx: &Context,
    opts: &BackupOptions,
    mut copy: Vault,
    password: &str,
) -> Result<BackupReport> {
    let out = opts.out.as_path();
    let (mut bin, header, bin_len) = write_scratch(&mut copy, out)?;
    let mut sums = None;
    let bin = &mut bin;
    files::write_atomic_with(
        out,
        opts.force,
        move |f| {
            bin.seek(SeekFrom::Start(0))
                .and_then(|_| write_armor(bin, bin_len, f))
                .map(|written| (written, bin))
                .map_err(|e| CliError::io("write", out, &e))
        },
        |tmp, (written, bin)| {
            sums = Some(written);
            if check_armor_streaming(tmp, &header, &written, bin_len, &copy, password, out, ctx) {
                return Ok(());
            }
            check_armor_whole(tmp, bin, &copy, password, out, ctx)
        },
    )?;
    let Some(sums) = sums else {
        return Err(files::not_as_written(out));
    };
    // Once more from its final name: the bytes there must be the ones verified.
    let reread = std::fs::File::open(out)
        .and_then(|mut f| files::read_hashing(&[], &mut f, sums.text_len, |_| true));
    if !matches!(reread, Ok(Some(d)) if d == sums.text_sha) {
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
        armored: true,
        own_password: opts.new_password.is_some(),
        entries: distinct.len(),
        versions,
        audit_events: copy.events.len(),
        generation: copy.generation,
        bytes: usize::try_from(sums.text_len).unwrap_or(usize::MAX),
        fingerprint: hex::encode(sums.text_sha),
        verified: true,
    })
}

/// A binary backup written record by record and checked the same way (keylessly, then
/// opened with its password and compared record by record), never holding the file.
fn backup_binary(
    ctx: &Context,
    opts: &BackupOptions,
    mut copy: Vault,
    password: &str,
) -> Result<BackupReport> {
    let out = opts.out.as_path();
    let mut written = None;
    files::write_atomic_with(
        out,
        opts.force,
        |f| {
            let copy = &mut copy;
            let header = copy.write_to(f, now()).map_err(|e| match e {
                WriteError::Core(e) => CliError::core(e, out, Doing::Write),
                WriteError::Io(e) => CliError::io("write", out, &e),
            })?;
            Ok((header, &*copy))
        },
        |tmp, (header, copy)| {
            written = Some(check_written(tmp, &header, out)?);
            drop(header);
            check_backup_streaming(tmp, copy, password, out, ctx)
        },
    )?;
    let Some((digest, bytes)) = written else {
        return Err(files::not_as_written(out));
    };
    // Once more from its final name: the bytes there must be the ones verified.
    let reread = std::fs::File::open(out)
        .and_then(|mut f| files::read_hashing(&[], &mut f, bytes, |_| true));
    if !matches!(reread, Ok(Some(d)) if d == digest) {
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
        armored: false,
        own_password: opts.new_password.is_some(),
        entries: distinct.len(),
        versions,
        audit_events: copy.events.len(),
        generation: copy.generation,
        bytes: usize::try_from(bytes).unwrap_or(usize::MAX),
        fingerprint: hex::encode(digest),
        verified: true,
    })
}

/// [`backup_copy`] taking the vault, so that its entries and events are moved into the
/// copy rather than cloned.
pub(crate) fn backup_copy_owned(
    ctx: &Context,
    mut vault: Vault,
    ids: &[[u8; 16]],
    password: &str,
    out: &Path,
) -> Result<Vault> {
    let entries = std::mem::take(&mut vault.entries);
    let events = std::mem::take(&mut vault.events);
    let mut copy = backup_copy(ctx, &vault, ids, password, out)?;
    copy.entries = entries;
    copy.entries
        .retain(|e| ids.is_empty() || ids.contains(&e.id));
    copy.events = events;
    Ok(copy)
}

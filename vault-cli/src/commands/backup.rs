//! `airvault backup`: a new file of the same vault (same id and generation) under a fresh
//! master key, re-read and opened before it is reported written.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use vault_core::{SlotKind, VaultMasterKey};
use zeroize::Zeroizing;

use super::armored::{check_armor_streaming, write_armor};
use super::{
    check_intact, check_written, decode_container, encode_armor, load_vault, now, Context,
};
use crate::error::{show, CliError, Doing, Exit, Result};
use crate::files;
use crate::input::PasswordSource;
use crate::model::Opened;
use crate::model::{OwnedEntry, OwnedEvent, RecordSink, Vault, WriteError};
use crate::output::BackupReport;
use crate::progress;
use vault_core::{Record, Verification};

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

/// Writes `copy` record by record into an unnamed scratch file next to `out` (it leaves no
/// name behind, whatever happens). Returns the file, the header copy written and the
/// file's length.
///
/// # Errors
/// Exit 3 on write errors; the core's errors for a vault that breaks a limit.
pub(crate) fn write_scratch(copy: &mut Vault, out: &Path) -> Result<(File, Vec<u8>, u64)> {
    let mut bin = files::scratch_file(out)?;
    let header = copy.write_to(&mut bin, now()).map_err(|e| match e {
        WriteError::Core(e) => CliError::core(e, out, Doing::Write),
        WriteError::Io(e) => CliError::io("write", out, &e),
    })?;
    let len = bin
        .seek(SeekFrom::End(0))
        .map_err(|e| CliError::io("write", out, &e))?;
    Ok((bin, header, len))
}

/// The whole-file check of an armored backup, as it was before the streaming one: the
/// text read back must be the armor of the binary backup in `bin`, and pass
/// [`check_backup`].
///
/// # Errors
/// As [`check_backup`]; exit 3 if the text does not read back as written.
pub(crate) fn check_armor_whole(
    tmp: &Path,
    bin: &mut File,
    copy: &Vault,
    password: &str,
    out: &Path,
    ctx: &Context,
) -> Result<()> {
    let binary = read_scratch(bin, out)?;
    let armor = encode_armor(&binary, out)?;
    let written = files::read_file(tmp)?;
    if written != armor {
        return Err(files::not_as_written(out));
    }
    check_backup(&written, &binary, copy, password, out, ctx)
}

/// The whole binary backup in a scratch file from [`write_scratch`].
///
/// # Errors
/// Exit 3 on read errors.
pub(crate) fn read_scratch(bin: &mut File, out: &Path) -> Result<Zeroizing<Vec<u8>>> {
    let mut binary = Zeroizing::new(Vec::new());
    bin.seek(SeekFrom::Start(0))
        .and_then(|_| bin.read_to_end(&mut binary))
        .map_err(|e| CliError::io("read", out, &e))?;
    Ok(binary)
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

/// [`check_backup`] for a binary backup read back from `tmp` record by record: opened with
/// its password, every record compared with `expected` as it is opened.
fn check_backup_streaming(
    tmp: &Path,
    expected: &Vault,
    password: &str,
    out: &Path,
    ctx: &Context,
) -> Result<()> {
    let Some(mut head) = files::read_head(tmp) else {
        return Err(verification_failed(out, "it does not read back"));
    };
    let mut rest = std::io::BufReader::with_capacity(16 * 1024, &mut head.file);
    compare_opened(&head.bytes, &mut rest, expected, password, out, ctx).map(|_| ())
}

fn verification_failed(out: &Path, what: &str) -> CliError {
    CliError::new(
        Exit::Corrupted,
        format!("backup {} failed verification: {what}", show(out)),
    )
    .hint("nothing was written; check the medium and try again")
}

/// Opens a backup whose first header copy is `head` and whose rest is read from `rest`
/// with its password, comparing every record with `expected` as it is opened, and its
/// header fields and metadata after. Returns the keyless check of what was read.
///
/// # Errors
/// Exit 5 naming `out` for anything that does not open or differs.
pub(crate) fn compare_opened(
    head: &[u8],
    rest: &mut impl std::io::Read,
    expected: &Vault,
    password: &str,
    out: &Path,
    ctx: &Context,
) -> Result<Verification> {
    struct Compare<'v> {
        expected: &'v Vault,
        entries: usize,
        events: usize,
        differs: Option<&'static str>,
    }
    impl RecordSink for Compare<'_> {
        fn record(&mut self, record: Record<'_>) -> bool {
            let same = match record {
                Record::Entry(e) => {
                    self.entries += 1;
                    let same = self.expected.entries.get(self.entries - 1)
                        == Some(&OwnedEntry::from_view(&e));
                    if !same {
                        self.differs = Some("its entries differ");
                    }
                    same
                }
                Record::Audit(a) => {
                    self.events += 1;
                    let same = self.expected.events.get(self.events - 1)
                        == Some(&OwnedEvent::from_view(&a));
                    if !same {
                        self.differs = Some("its audit trail differs");
                    }
                    same
                }
                Record::Meta(_) => false,
            };
            same
        }
    }
    let failed = |what: &str| verification_failed(out, what);
    let mut cmp = Compare {
        expected,
        entries: 0,
        events: 0,
        differs: None,
    };
    let opened =
        Vault::open_streaming_with(head, rest, password.as_bytes(), ctx.progress, &mut cmp)
            .map_err(|e| failed(&e.to_string()))?;
    let Some(Opened {
        vault,
        verification,
    }) = opened
    else {
        return Err(failed(cmp.differs.unwrap_or("a record does not open")));
    };
    if vault.vault_id != expected.vault_id || vault.generation != expected.generation {
        return Err(failed("its header differs"));
    }
    if vault.meta != expected.meta {
        return Err(failed("its metadata differs"));
    }
    if cmp.entries != expected.entries.len() {
        return Err(failed("its entries differ"));
    }
    if cmp.events != expected.events.len() {
        return Err(failed("its audit trail differs"));
    }
    Ok(verification)
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
    let mut slots = vec![progress::seal_kdf(
        SlotKind::Password,
        password.as_bytes(),
        vault.password_kdf,
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
                    .unwrap_or(vault_core::constants::DEFAULT_ITERATIONS),
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
        password_kdf: vault.password_kdf,
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

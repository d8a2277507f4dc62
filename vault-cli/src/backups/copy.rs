//! A backup as a vault of its own, written to a scratch file and read back: the copy's
//! entries, events and keyslots, and the check that what was written opens with the new
//! password and holds exactly what was meant.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use vault_core::{Record, SlotKind, VaultMasterKey, Verification};
use zeroize::Zeroizing;

use crate::commands::{check_intact, decode_container, encode_armor, now, Context};
use crate::error::{show, CliError, Doing, Exit, Result};
use crate::files;
use crate::model::{Opened, OwnedEntry, OwnedEvent, RecordSink, Vault, VaultFiles, WriteError};
use crate::progress;

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

/// [`check_backup`] for a binary backup read back from `tmp` record by record: opened with
/// its password, every record compared with `expected` as it is opened.
pub(crate) fn check_backup_streaming(
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

pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

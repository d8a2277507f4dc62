//! `airvault salvage`: a vault rebuilt from damaged or partial copies of it.
//!
//! Every file (binary or armored) with an intact header copy is opened with the one
//! secret given (each backup has its own master key); every record whose MAC verifies is
//! kept. For each entry, every version found in any file is kept once and the newest is
//! the active one. The audit trail is the longest chain that verifies link by link (it
//! may take events from several files), followed by a `salvage` event whose sequence
//! number may jump over the events that were lost. The result is a new vault (fresh
//! master key, the same vault id) and a report of exactly what was recovered, from
//! which file, and what was lost.

mod copies;

pub use crate::output::recovery::{LostEntry, SalvageFile, SalvageReport, SalvagedEntry};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use rand_core::OsRng;
use vault_core::constants::{DEFAULT_ITERATIONS, DEFAULT_POLICY_DAYS};
use vault_core::model::Salvage;
use vault_core::{
    recovery_code, EntryKind, Error, HeaderParams, Kcv, KdfLimits, Record, SlotKind, VaultFile,
    VaultMasterKey,
};
use zeroize::Zeroizing;

use self::copies::{load, take_streaming, take_whole, Copies, Key};
use super::{now, Context};
use crate::damage::describe_damage;
use crate::error::{show, CliError, Doing, Exit, Result};
use crate::files;
use crate::generations::{self, Stamp};
use crate::input::PasswordSource;
use crate::material::{read_material, RecoveryMaterial};
use crate::model::VaultFiles;
use crate::model::{write_without_table, RecordSink, Vault, WriteError};
use crate::progress;
use crate::sealing::{check_written, password_slot};

/// How the input is named when a newer generation at `--out` is not replaced.
const NEWEST: &str = "the newest file given";

/// Options of `salvage`.
#[derive(Debug, Clone)]
pub struct SalvageOptions {
    /// The damaged or partial copies.
    pub files: Vec<PathBuf>,
    /// Where to write the rebuilt vault.
    pub out: PathBuf,
    /// Open the files with the recovery code or shares instead of the password.
    pub material: Option<RecoveryMaterial>,
    /// The rebuilt vault's password, if not the one the files opened with (required in
    /// effect with recovery material; a prompt when `None` there).
    pub new_password: Option<PasswordSource>,
    /// Replace an existing `out`, and include files of another vault.
    pub force: bool,
    /// Replace `out` even when it is a newer generation of the same vault.
    pub discard_newer: bool,
}

/// The result of a salvage run: the report and its exit code.
#[derive(Debug)]
pub struct Salvaged {
    /// What was done.
    pub report: SalvageReport,
    /// 0 when complete; 5 when the vault was written but something was lost.
    pub exit: Exit,
}

/// `salvage`.
///
/// # Errors
/// Exit 2 if `out` exists without `force`, or is a newer generation of the same vault
/// than every file without `discard_newer`, a file belongs to another vault (without
/// `force`), or the recovery material is mistyped; when no file can be opened, the worst
/// of the files' own results (3, 4, 5, 6). Then nothing is written.
#[allow(clippy::too_many_lines)]
pub fn salvage(ctx: &Context, opts: &SalvageOptions) -> Result<Salvaged> {
    files::check_writable(&opts.out, opts.force)?;

    // Keyless: read, decode and parse every file, one at a time (none is kept).
    let mut reports: Vec<SalvageFile> = Vec::new();
    let mut failures: Vec<Exit> = Vec::new();
    // The files that parsed: index into the reports, vault id, generation, and whether it
    // is an intact binary file (read one record at a time).
    let mut parsed: Vec<(usize, [u8; 16], u64, bool)> = Vec::new();
    for path in &opts.files {
        let mut r = SalvageFile {
            file: show(path),
            status: "unusable",
            ..SalvageFile::default()
        };
        // An intact binary file is checked in one pass and never held whole; anything else
        // is read whole, which says exactly what is wrong.
        let streamed = super::intact_streaming(path).and_then(|head| {
            let file = VaultFile::parse(&head.bytes, &KdfLimits::STANDARD).ok()?;
            let h = file.header();
            Some((h.vault_id(), h.generation(), h.record_count()))
        });
        let loaded = match streamed {
            Some((vault_id, generation, records)) => {
                r.format = Some(super::Encoding::Binary.name());
                r.vault_id = Some(hex::encode(vault_id));
                r.generation = Some(generation);
                r.records = Some(records);
                Ok((vault_id, generation, true))
            }
            None => load(path).and_then(|(bytes, enc)| {
                let file = VaultFile::parse(&bytes, &KdfLimits::STANDARD)
                    .map_err(|e| CliError::core(e, path, Doing::Restore))?;
                let h = file.header();
                let check = file.verify();
                r.format = Some(enc.name());
                r.vault_id = Some(hex::encode(h.vault_id()));
                r.generation = Some(h.generation());
                r.records = Some(h.record_count());
                r.damage = (!check.is_intact()).then(|| describe_damage(&check));
                Ok((h.vault_id(), h.generation(), false))
            }),
        };
        match loaded {
            Ok((vault_id, generation, intact)) => {
                parsed.push((reports.len(), vault_id, generation, intact));
            }
            Err(e) => {
                r.message = Some(e.what().to_owned());
                failures.push(e.exit());
            }
        }
        reports.push(r);
    }
    let ids: Vec<[u8; 16]> = parsed.iter().map(|p| p.1).collect();
    let vault_id = Salvage::reference_id(&ids);
    if !opts.force {
        if let Some(p) = parsed.iter().find(|p| p.1 != vault_id) {
            return Err(CliError::usage(format!(
                "{} is a copy of another vault (id {}, not {})",
                reports[p.0].file,
                hex::encode(p.1),
                hex::encode(vault_id)
            ))
            .hint("leave it out, or pass --force to salvage it together with the others"));
        }
    }
    if parsed.is_empty() {
        return Err(nothing_opened(&reports, &failures));
    }
    // Before the secret is asked, from the headers; again once the files are opened.
    let newest_parsed = parsed.iter().filter(|p| p.1 == vault_id).map(|p| p.2).max();
    if let Some(generation) = newest_parsed {
        let input = Stamp {
            vault_id,
            generation,
        };
        generations::check_replace(&opts.out, input, NEWEST, opts.discard_newer)?;
    }

    // The secret, asked once.
    let key = match &opts.material {
        Some(m) => Key::Recovery(read_material(m)?),
        None => Key::Password(ctx.password.read("the backups")?),
    };

    // Open every file, one at a time; the core keeps where every record that opens lies,
    // and each file stays open (a damaged one held decoded) to be read again.
    let mut merge = Salvage::new(vault_id, parsed.len());
    let mut copies = Copies(Vec::new());
    copies.0.resize_with(opts.files.len(), || None);
    for &(index, _, _, intact) in &parsed {
        let path = &opts.files[index];
        let taken = if intact {
            take_streaming(&mut merge, index, path, &key, ctx)
        } else {
            None
        };
        let taken = match taken {
            Some(taken) => taken,
            None => take_whole(&mut merge, index, path, &key, ctx),
        };
        match taken {
            Ok((taken, copy)) => {
                copies.0[index] = Some(copy);
                let report = &mut reports[index];
                report.status = "used";
                report.records_opened = taken.opened;
                report.records_failed = taken.failed;
            }
            Err((exit, why)) => {
                reports[index].message = Some(why);
                failures.push(exit);
            }
        }
    }
    let Some(opened) = merge.opened_generation() else {
        return Err(nothing_opened(&reports, &failures));
    };
    let newest = merge.newest();
    let input = Stamp {
        vault_id,
        generation: newest.map_or(opened, |n| n.generation),
    };
    generations::check_replace(&opts.out, input, NEWEST, opts.discard_newer)?;
    let mut merged = merge.finish(&mut copies);

    let lost: Vec<LostEntry> = merged
        .lost
        .iter()
        .map(|l| {
            let mut names: Vec<String> = l.files.iter().map(|&i| reports[i].file.clone()).collect();
            names.dedup();
            LostEntry {
                name: l.name.clone(),
                id: hex::encode(l.id),
                version: l.version,
                files: names,
            }
        })
        .collect();
    let metadata_from = merged
        .meta
        .as_ref()
        .map(|(_, from)| reports[*from].file.clone());
    let material = match &key {
        Key::Recovery(r) => Some(&r.secret),
        Key::Password(_) => None,
    };
    let (meta, recovery) = merged.metadata(material, DEFAULT_POLICY_DAYS, now(), &mut OsRng);
    let recovery = recovery.name();

    // The new vault's password and keyslots.
    let password = match (&opts.new_password, &key) {
        (Some(src), _) => src.read_new(&files::file_name(&opts.out))?,
        (None, Key::Password(pw)) => pw.clone(),
        (None, Key::Recovery(_)) => {
            PasswordSource::Prompt.read_new(&files::file_name(&opts.out))?
        }
    };
    let password_kdf = newest
        .and_then(|n| n.password_kdf)
        .unwrap_or(vault_core::SlotKdf::Argon2id(Default::default()));
    let recovery_iterations = newest
        .and_then(|n| n.recovery_iterations)
        .unwrap_or(DEFAULT_ITERATIONS);
    let vmk = VaultMasterKey::generate(&mut OsRng);
    let (slot, slot_key) = password_slot(&password, password_kdf, &vmk, &vault_id, ctx, &opts.out)?;
    let mut slots = vec![slot];
    if let Some(secret) = &meta.recovery_secret {
        slots.push(
            progress::seal(
                SlotKind::Recovery,
                secret.expose_secret(),
                recovery_iterations,
                &vmk,
                &vault_id,
                ctx.progress,
            )
            .map_err(|e| CliError::core(e, &opts.out, Doing::Write))?,
        );
    }
    let recovery_code = (recovery == "new")
        .then_some(meta.recovery_secret.as_ref())
        .flatten()
        .map(|s| Zeroizing::new(recovery_code::encode(s).expose_secret().to_owned()));

    let audit_events_kept = merged.events_kept();
    let audit_events_lost = merged.events_lost;
    let generation = ctx.seen.next_generation(&opts.out, input);
    let params = HeaderParams {
        vault_id,
        generation,
        written_at: now(),
    };
    let count = merged.version_count();
    let record_count = merged.record_count().ok_or_else(|| {
        CliError::core(
            Error::InvalidInput {
                reason: "too many records for one file",
            },
            &opts.out,
            Doing::Write,
        )
    })?;
    // What the report says of each version that only its record knows.
    let mut checks: Vec<(EntryKind, Option<Kcv>)> = Vec::with_capacity(count);
    files::ensure_parent_dir(&opts.out)?;
    let out = opts.out.as_path();
    let failed = |e: WriteError| write_failed(e, out);
    files::write_atomic_with(
        out,
        opts.force,
        |f| {
            checks.clear();
            // The new file's record table goes to a scratch file, not memory.
            let mut rows = files::scratch_file(out)?;
            write_without_table(
                f,
                &mut rows,
                &vmk,
                &params,
                &slots,
                record_count,
                |w, body| {
                    merged.write(
                        w,
                        &meta,
                        reports.len(),
                        params.written_at,
                        &mut copies,
                        &mut OsRng,
                        body,
                        &mut |_, e| checks.push((e.kind, e.check_value(meta.check_key.as_ref()))),
                    )
                },
            )
            .map_err(failed)
        },
        |tmp, checksum| {
            // Read back in one pass: keylessly, then opened with the new keyslot; if
            // anything there fails, whole, which says exactly what.
            let keyless = check_written_checksum(tmp, &checksum, out);
            if keyless.is_ok() && opens_with_key(tmp, &slot_key) {
                return Ok(());
            }
            let written = files::read_file(tmp)?;
            check_written(&written, &slot_key, out)?;
            keyless
        },
    )?;
    drop(copies);
    let sources: Vec<Rc<str>> = reports.iter().map(|r| Rc::from(r.file.as_str())).collect();
    let mut recovered: Vec<SalvagedEntry> = Vec::with_capacity(count);
    for (v, (kind, kcv)) in merged.versions().zip(checks) {
        recovered.push(SalvagedEntry {
            name: v.name.into(),
            id: v.id,
            version: v.version,
            kind,
            status: v.status,
            kcv,
            from: Rc::clone(&sources[v.from]),
            renamed_from: v.renamed_from.map(Into::into),
        });
    }
    drop(merged);
    recovered.sort_by(|a, b| (&a.name, a.version).cmp(&(&b.name, b.version)));
    ctx.seen.written(
        out,
        Stamp {
            vault_id,
            generation,
        },
    );

    let mut report = SalvageReport {
        out: show(&opts.out),
        vault_id: hex::encode(vault_id),
        generation,
        complete: false,
        exit_code: 0,
        files: reports,
        recovered,
        lost,
        audit_events_kept,
        audit_events_lost,
        metadata_from,
        recovery,
        recovery_code,
    };
    let exit = if report.shortfall().is_none() {
        Exit::Ok
    } else {
        Exit::Corrupted
    };
    report.complete = exit == Exit::Ok;
    report.exit_code = exit.code();
    Ok(Salvaged { report, exit })
}

/// The error of writing the rebuilt vault to `out`. A record that no longer reads as the
/// first pass opened it means that a file given changed while salvage read it.
fn write_failed(e: WriteError, out: &Path) -> CliError {
    match e {
        WriteError::Core(
            Error::RecordDamaged { index }
            | Error::RecordMissing { index }
            | Error::RecordAuthFailed { index }
            | Error::RecordForeign { index }
            | Error::RecordMalformed { index, .. },
        ) => CliError::new(
            Exit::Corrupted,
            format!(
                "a file given changed while salvage read it (its record {index} no longer \
                 reads as it did); {} was not written",
                show(out)
            ),
        )
        .hint("make sure nothing else writes to the files, then run salvage again"),
        WriteError::Core(e) => CliError::core(e, out, Doing::Write),
        WriteError::Io(e) => CliError::io("write", out, &e),
    }
}

/// The keyless read-back of a file written without its table held: its first header copy
/// must be the one sealed (`checksum`), then [`super::check_written`].
fn check_written_checksum(tmp: &Path, checksum: &[u8; 32], out: &Path) -> Result<()> {
    let head = files::read_head(tmp).ok_or_else(|| files::not_as_written(out))?;
    let sealed = VaultFile::parse(&head.bytes, &KdfLimits::STANDARD)
        .is_ok_and(|f| f.header().checksum() == *checksum);
    if !sealed {
        return Err(files::not_as_written(out));
    }
    super::check_written(tmp, &head.bytes, out).map(|_| ())
}

/// Whether the file at `tmp` is intact and opens, every record of it, through keyslot 0
/// with `key`, read in one pass without holding it.
fn opens_with_key(tmp: &Path, key: &vault_core::SlotKey) -> bool {
    struct Any;
    impl RecordSink for Any {
        fn record(&mut self, _: Record<'_>) -> bool {
            true
        }
    }
    let Some(mut head) = files::read_head(tmp) else {
        return false;
    };
    let mut rest = std::io::BufReader::with_capacity(16 * 1024, &mut head.file);
    matches!(
        Vault::open_streaming_with_key(&head.bytes, &mut rest, 0, key, &mut Any),
        Ok(Some(o)) if o.verification.is_intact()
    )
}

/// The error when no file could be opened: the worst of their results, every reason in
/// one line.
fn nothing_opened(reports: &[SalvageFile], failures: &[Exit]) -> CliError {
    let exit = failures.iter().fold(Exit::Ok, |a, &b| a.worst(b));
    let exit = if exit == Exit::Ok {
        Exit::Corrupted
    } else {
        exit
    };
    let reasons: Vec<String> = reports
        .iter()
        .map(|r| {
            format!(
                "{}: {}",
                r.file,
                r.message.as_deref().unwrap_or("not opened")
            )
        })
        .collect();
    let hint = if exit == Exit::Authentication {
        "give the password the files were written with, or open them with \
         --recovery-code-file or --share-file"
    } else {
        "find another copy of the vault or a backup; nothing was written"
    };
    CliError::new(
        exit,
        format!(
            "no file could be opened ({}): {}",
            reports.len(),
            reasons.join("; ")
        ),
    )
    .hint(hint)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use vault_core::constants::MAX_NAME_LEN;
    use vault_core::model::free_name;
    use vault_core::Error;

    use super::write_failed;
    use crate::error::Exit;
    use crate::model::WriteError;

    #[test]
    fn a_record_changed_between_the_passes_is_named_as_a_changed_file() {
        let out = Path::new("rebuilt.airvault");
        let e = write_failed(WriteError::Core(Error::RecordForeign { index: 7 }), out);
        assert_eq!(e.exit(), Exit::Corrupted);
        assert!(e
            .what()
            .contains("a file given changed while salvage read it"));
        assert!(e.what().contains("record 7") && e.what().contains("was not written"));
        let limit = Error::InvalidInput {
            reason: "too many records for one file",
        };
        let e = write_failed(WriteError::Core(limit), out);
        assert!(!e.what().contains("changed while"));
    }

    #[test]
    fn free_names_are_unique_and_bounded() {
        let taken = vec!["a".to_owned(), "a (salvaged)".to_owned()];
        assert_eq!(free_name("a", &taken), "a (salvaged 2)");
        let long = "x".repeat(MAX_NAME_LEN);
        let n = free_name(&long, &[]);
        assert!(n.len() <= MAX_NAME_LEN && n.ends_with(" (salvaged)"));
    }
}

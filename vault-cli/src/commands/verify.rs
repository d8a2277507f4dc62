//! `airvault verify`: checks backups without a password (structure, both header copies,
//! every checksum, the fingerprint) or with one (every record opened, MACs and key check
//! values checked by the core), and compares them with the live vault.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use vault_core::{KdfLimits, PartState, StreamCheck, VaultFile};
use zeroize::Zeroizing;

use super::{decode_container, stamp, Context, Encoding};
use crate::damage::describe_damage;
use crate::error::{show, CliError, Doing, Exit, Result};
use crate::files;
use crate::input::PasswordSource;
use crate::model::VaultFiles;
use crate::model::{Keep, Opened, Vault};
use crate::output::{StaleEntry, SummaryReport, VerifyReport};
use crate::progress::Progress;
use vault_core::model::Difference;

/// Options of `verify`.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Files and directories to check.
    pub files: Vec<PathBuf>,
    /// Open every file with the password from the context.
    pub keyed: bool,
    /// The live vault to compare with (implies `keyed`).
    pub against: Option<PathBuf>,
    /// The vault's password, if it differs from the backups'.
    pub against_password: Option<PasswordSource>,
    /// The fingerprint every file must have.
    pub expect_fingerprint: Option<String>,
}

/// The results of a `verify` run.
#[derive(Debug)]
pub struct VerifyRun {
    /// One result per file, in the order checked.
    pub reports: Vec<VerifyReport>,
    /// The totals.
    pub summary: SummaryReport,
    /// The exit code: the worst result.
    pub exit: Exit,
}

/// Whether a file in a directory is taken as a backup: a regular file whose name ends in
/// `.airvault` or `.asc` and does not start with a dot (temporary files do).
#[must_use]
pub fn is_backup_name(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let Some(name) = name else { return false };
    !name.starts_with('.') && (name.ends_with(".airvault") || name.ends_with(".asc"))
}

/// What to check: named files as they are, directories expanded (not recursively) to
/// their backup files in name order. A directory with none is an I/O failure of its own.
fn expand(paths: &[PathBuf]) -> Vec<std::result::Result<PathBuf, (PathBuf, CliError)>> {
    let mut out = Vec::new();
    for p in paths {
        if !p.is_dir() {
            out.push(Ok(p.clone()));
            continue;
        }
        let listing = std::fs::read_dir(p).and_then(|rd| {
            rd.map(|e| e.map(|e| e.path()))
                .collect::<std::io::Result<Vec<_>>>()
        });
        match listing {
            Err(e) => out.push(Err((p.clone(), CliError::io("list", p, &e)))),
            Ok(mut found) => {
                found.retain(|f| f.is_file() && is_backup_name(f));
                found.sort();
                if found.is_empty() {
                    out.push(Err((
                        p.clone(),
                        CliError::new(
                            Exit::Io,
                            format!("no backup files (*.airvault, *.asc) in {}", show(p)),
                        )
                        .hint("check that the backups are where the job expects them"),
                    )));
                }
                out.extend(found.into_iter().map(Ok));
            }
        }
    }
    out
}

/// Checks every file; one report each.
///
/// # Errors
/// Only for problems of the run as a whole: no password available for a keyed check, or
/// the `--against` vault cannot be opened. Problems of a file are reported in its result.
pub fn verify(ctx: &Context, opts: &VerifyOptions) -> Result<VerifyRun> {
    let keyed = opts.keyed || opts.against.is_some();
    let password = if keyed {
        Some(ctx.password.read("the backups")?)
    } else {
        None
    };
    let against = match &opts.against {
        Some(path) => {
            let live = open_against(ctx, path, opts, password.as_ref())?;
            ctx.seen.opened(path, stamp(&live));
            Some(live)
        }
        None => None,
    };
    let mut reports = Vec::new();
    let mut exit = Exit::Ok;
    for item in expand(&opts.files) {
        let report = match item {
            Ok(path) => check_file(
                &path,
                password.as_ref().map(|p| p.as_bytes()),
                against.as_ref(),
                opts.expect_fingerprint.as_deref(),
                ctx.progress,
            ),
            Err((path, err)) => failed(VerifyReport::new(&path), &err),
        };
        let e = exit_of(&report);
        exit = exit.worst(e);
        reports.push(report);
    }
    let ok = reports.iter().filter(|r| r.exit_code == 0).count();
    let summary = SummaryReport {
        files: reports.len(),
        ok,
        failed: reports.len() - ok,
        exit_code: exit.code(),
    };
    Ok(VerifyRun {
        reports,
        summary,
        exit,
    })
}

fn exit_of(r: &VerifyReport) -> Exit {
    Exit::from_code(r.exit_code).unwrap_or(Exit::Corrupted)
}

fn open_against(
    ctx: &Context,
    path: &Path,
    opts: &VerifyOptions,
    backup_password: Option<&Zeroizing<String>>,
) -> Result<Vault> {
    let head = files::read_head(path);
    let bytes = match head {
        Some(_) => None,
        None => Some(files::read_file(path)?),
    };
    let password = match (&opts.against_password, backup_password) {
        (Some(src), _) => src.read(&files::file_name(path))?,
        (None, Some(pw)) => pw.clone(),
        (None, None) => ctx.password.read(&files::file_name(path))?,
    };
    if let Some(mut head) = head {
        // Record by record; anything unexpected is left to the whole-file open below.
        let mut rest = std::io::BufReader::with_capacity(16 * 1024, &mut head.file);
        let keep = Keep {
            entries: true,
            events: false,
        };
        let opened = Vault::open_streaming(
            &head.bytes,
            &mut rest,
            password.as_bytes(),
            ctx.progress,
            keep,
        )
        .map_err(|e| CliError::core(e, path, Doing::Vault))?;
        if let Some(Opened { vault, .. }) = opened {
            return Ok(vault);
        }
    }
    let bytes = match bytes {
        Some(b) => b,
        None => files::read_file(path)?,
    };
    let Opened { vault, .. } = Vault::open(&bytes, password.as_bytes(), ctx.progress)
        .map_err(|e| CliError::core(e, path, Doing::Vault))?;
    Ok(vault)
}

impl VerifyReport {
    fn new(path: &Path) -> Self {
        let file = show(path);
        Self {
            path_bytes: (path.to_str() != Some(file.as_str())).then(|| path_bytes_hex(path)),
            file,
            status: Exit::Ok.name(),
            ..Self::default()
        }
    }
}

/// The path's bytes as the operating system has them, in hex.
fn path_bytes_hex(path: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        hex::encode(path.as_os_str().as_bytes())
    }
    #[cfg(not(unix))]
    {
        hex::encode(path.as_os_str().as_encoded_bytes())
    }
}

fn failed(mut r: VerifyReport, err: &CliError) -> VerifyReport {
    r.status = err.exit().name();
    r.exit_code = err.exit().code();
    r.message = Some(err.to_string());
    r
}

fn part(s: PartState) -> &'static str {
    match s {
        PartState::Intact => "intact",
        PartState::Damaged => "damaged",
        PartState::Missing => "missing",
    }
}

/// Checks one file and reports on it.
#[must_use]
pub fn check_file(
    path: &Path,
    password: Option<&[u8]>,
    against: Option<&Vault>,
    expect_fingerprint: Option<&str>,
    progress: Progress,
) -> VerifyReport {
    let mut r = VerifyReport::new(path);
    match check_into(
        &mut r,
        path,
        password,
        against,
        expect_fingerprint,
        progress,
    ) {
        Ok(()) => r,
        Err(e) => failed(r, &e),
    }
}

fn check_into(
    r: &mut VerifyReport,
    path: &Path,
    password: Option<&[u8]>,
    against: Option<&Vault>,
    expect_fingerprint: Option<&str>,
    progress: Progress,
) -> Result<()> {
    if let Some(fingerprint) = check_streaming(r, path) {
        expect(path, &fingerprint, expect_fingerprint)?;
        let Some(password) = password else {
            return Ok(());
        };
        // Then open it record by record; anything unexpected is left to the whole-file
        // check below.
        if let Some(mut head) = files::read_head(path) {
            r.keyed = true;
            let mut rest = std::io::BufReader::with_capacity(16 * 1024, &mut head.file);
            let keep = Keep {
                entries: true,
                events: false,
            };
            let opened = Vault::open_streaming(&head.bytes, &mut rest, password, progress, keep)
                .map_err(|e| CliError::core(e, path, Doing::Verify))?;
            if let Some(Opened { vault, .. }) = opened {
                r.entries = Some(vault.current().len());
                if let Some(live) = against {
                    compare(r, &vault, live, path)?;
                }
                return Ok(());
            }
        }
    }
    let raw = files::read_file(path)?;
    let fingerprint = hex::encode(Sha256::digest(&raw));
    r.fingerprint = Some(fingerprint.clone());
    let (bytes, encoding) = decode_container(raw, path)?;
    r.format = Some(encoding.name());
    let file = VaultFile::parse(&bytes, &KdfLimits::STANDARD)
        .map_err(|e| CliError::core(e, path, Doing::Verify))?;
    let header = file.header();
    r.vault_id = Some(hex::encode(header.vault_id()));
    r.generation = Some(header.generation());
    let check = file.verify();
    r.header_a = Some(part(check.header_a));
    r.header_b = Some(part(check.header_b));
    r.trailer = Some(part(check.trailer));
    r.records = Some(check.records);
    r.damaged_records = check.damaged.iter().copied().collect();
    if !check.is_intact() {
        return Err(CliError::new(
            Exit::Corrupted,
            format!("{} is damaged: {}", show(path), describe_damage(&check)),
        )
        .hint("replace this backup; 'airvault salvage FILE... --out NEW-VAULT' rescues what is intact"));
    }
    expect(path, &fingerprint, expect_fingerprint)?;
    let Some(password) = password else {
        return Ok(());
    };
    r.keyed = true;
    let Opened { vault, .. } = Vault::open(&bytes, password, progress)
        .map_err(|e| CliError::core(e, path, Doing::Verify))?;
    r.entries = Some(vault.current().len());
    if let Some(live) = against {
        compare(r, &vault, live, path)?;
    }
    Ok(())
}

/// Exit 7 unless the file's fingerprint is the one expected (if one is).
fn expect(path: &Path, fingerprint: &str, expect_fingerprint: Option<&str>) -> Result<()> {
    match expect_fingerprint {
        Some(want) if want != fingerprint => Err(CliError::new(
            Exit::Mismatch,
            format!(
                "{} has fingerprint {fingerprint}, expected {want}",
                show(path)
            ),
        )
        .hint("the file is intact but is not the one recorded; find the recorded backup")),
        _ => Ok(()),
    }
}

/// The keyless check of an intact binary file in one read, in chunks: the core's
/// [`StreamCheck`] checks the parts while a second thread computes the fingerprint over the
/// same chunks, so memory stays small and the file is hashed at about the speed of one
/// SHA-256 pass. Fills the report and returns the fingerprint if the file is intact;
/// returns `None` for anything else (armor, damage, a read error), and the caller then
/// reads the whole file and reports exactly what is wrong.
fn check_streaming(r: &mut VerifyReport, path: &Path) -> Option<String> {
    let files::Head {
        file: mut f,
        bytes: head,
        len,
    } = files::read_head(path)?;
    let file = VaultFile::parse(&head, &KdfLimits::STANDARD).ok()?;
    let mut check = StreamCheck::new(&file);
    let digest = files::read_hashing(&head, &mut f, len, |chunk| {
        check.update(chunk);
        true
    })
    .ok()??;
    let verification = check.finish()?;
    let header = file.header();
    r.fingerprint = Some(hex::encode(digest));
    r.format = Some(Encoding::Binary.name());
    r.vault_id = Some(hex::encode(header.vault_id()));
    r.generation = Some(header.generation());
    r.header_a = Some(part(verification.header_a));
    r.header_b = Some(part(verification.header_b));
    r.trailer = Some(part(verification.trailer));
    r.records = Some(verification.records);
    r.fingerprint.clone()
}

/// Compares a backup with the live vault by entry id: entries the backup lacks, and
/// entries whose newest version in the backup is older than the vault's.
fn compare(r: &mut VerifyReport, backup: &Vault, live: &Vault, path: &Path) -> Result<()> {
    match vault_core::model::compare(backup, live) {
        Ok(()) => return Ok(()),
        Err(Difference::OtherVault) => {
            return Err(CliError::new(
                Exit::Mismatch,
                format!("{} is a backup of another vault", show(path)),
            )
            .hint("compare it with the vault it was made from"))
        }
        Err(Difference::Behind { missing, stale }) => {
            r.missing = missing;
            r.stale = stale
                .into_iter()
                .map(|s| StaleEntry {
                    name: s.name,
                    vault_version: s.vault_version,
                    backup_version: s.backup_version,
                })
                .collect();
        }
    }

    Err(CliError::new(
        Exit::Mismatch,
        format!(
            "{} is behind the vault: {} entries missing, {} stale",
            show(path),
            r.missing.len(),
            r.stale.len()
        ),
    )
    .hint("make a new backup with 'airvault backup'"))
}

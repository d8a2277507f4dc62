//! `airvault kit`: a printable emergency sheet — one self-contained HTML file with no
//! network access, scripts or external resources — holding a freshly written and
//! verified armored backup, fill-in fields, and step-by-step restore instructions for the
//! restore page and the command line.
//!
//! When the binary carries the restore page ([`crate::page`]), the kit writes it beside
//! the sheet as `airvault-recovery.html`, and the sheet prints its SHA-256.
//!
//! The armor sits on lines of its own inside the page, so `airvault restore`, `verify`,
//! `recover` and `salvage` read it straight from the saved HTML file too.

pub use crate::output::kit::KitReport;
use std::io::{Seek, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use vault_core::slip39::{self, Share, MAX_MNEMONIC_LEN};
use vault_core::{recovery_code, AuditOp};
use zeroize::Zeroizing;

use super::{decode_container, encode_armor, load_vault, now, save_vault, Context};
use crate::backups::armored::{check_armor_streaming, write_armor};
use crate::backups::copy::{backup_copy, check_backup, read_scratch, write_scratch};
use crate::error::{show, CliError, Exit, Result};
use crate::files;
use crate::material::{read_material, read_share_file, RecoveryMaterial};
use crate::output::utc;
use crate::page::{self, EmbeddedPage, Written};

mod sheet;

pub use sheet::esc;
use sheet::Sheet;

/// The Content-Security-Policy of the sheet: nothing may load or run; inline styles only.
pub const CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

/// Options of `kit`.
#[derive(Debug, Clone)]
pub struct KitOptions {
    /// The HTML file to write.
    pub out: PathBuf,
    /// Print the recovery code on the sheet.
    pub include_recovery_code: bool,
    /// A directory of share files to add as pages.
    pub include_shares: Option<PathBuf>,
    /// Replace an existing file (the sheet, and another file where the page goes).
    pub force: bool,
    /// The restore page to write beside the sheet ([`page::EMBEDDED`] in the binary);
    /// `None` writes only the sheet.
    pub page: Option<EmbeddedPage>,
}

/// A share to print: its public parameters and its words.
struct SharePage {
    file: String,
    member: u8,
    threshold: u8,
    set: u16,
    words: Zeroizing<String>,
}

/// Reads the share files (`*.txt`, in name order) of `dir`.
fn read_share_dir(dir: &Path) -> Result<(Vec<PathBuf>, Vec<Share>)> {
    let listing = std::fs::read_dir(dir)
        .and_then(|rd| {
            rd.map(|e| e.map(|e| e.path()))
                .collect::<std::io::Result<Vec<_>>>()
        })
        .map_err(|e| CliError::io("list", dir, &e))?;
    let mut paths: Vec<PathBuf> = listing
        .into_iter()
        .filter(|p| {
            p.is_file()
                && p.file_name()
                    .map(|n| n.to_string_lossy())
                    .is_some_and(|n| !n.starts_with('.') && n.ends_with(".txt"))
        })
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(
            CliError::new(Exit::Io, format!("no share files (*.txt) in {}", show(dir)))
                .hint("make them with 'airvault shares split --out-dir DIR'"),
        );
    }
    let shares = paths
        .iter()
        .map(|p| read_share_file(p))
        .collect::<Result<Vec<_>>>()?;
    Ok((paths, shares))
}

/// `kit`.
///
/// # Errors
/// Exit 2 if `out` exists without `force`, the vault has no recovery secret to print, or
/// the shares are not shares of the vault's current recovery secret; the vault's errors;
/// exit 3/5 if the sheet cannot be written or its backup does not verify (then nothing is
/// left at `out`).
#[allow(clippy::too_many_lines)]
pub fn kit(ctx: &Context, opts: &KitOptions) -> Result<KitReport> {
    files::check_writable(&opts.out, opts.force)?;
    let page_beside = match opts.page {
        Some(p) => Some((page::require(Some(p))?, page_path(&opts.out)?)),
        None => None,
    };
    if let Some((p, path)) = &page_beside {
        page::check_target(p, path, opts.force)?;
    }
    let shares = match &opts.include_shares {
        Some(dir) => Some(read_share_dir(dir)?),
        None => None,
    };
    let (mut vault, password) = load_vault(ctx)?;

    let code = if opts.include_recovery_code {
        let secret = vault.meta.recovery_secret.as_ref().ok_or_else(|| {
            CliError::usage(format!("{} has no recovery secret", show(&ctx.vault)))
                .hint("create one with 'airvault recovery reset'")
        })?;
        Some(Zeroizing::new(
            recovery_code::encode(secret).expose_secret().to_owned(),
        ))
    } else {
        None
    };

    let mut pages = Vec::new();
    if let Some((paths, parsed)) = &shares {
        let threshold = parsed.first().map_or(1, Share::member_threshold);
        if parsed.len() >= usize::from(threshold) {
            let got = read_material(&RecoveryMaterial::Shares(paths.clone()))?;
            if vault.meta.recovery_secret.as_ref() != Some(&got.secret) {
                return Err(CliError::usage(format!(
                    "the shares in {} do not recover this vault's recovery secret",
                    show(opts.include_shares.as_deref().unwrap_or(Path::new(".")))
                ))
                .hint("they belong to another vault or an earlier recovery secret; make new ones with 'airvault shares split'"));
            }
        } else {
            ctx.warn(&format!(
                "only {} shares given, fewer than the {threshold} needed: they could not be \
                 checked against the vault",
                parsed.len()
            ));
        }
        for (path, share) in paths.iter().zip(parsed) {
            let mut words = Zeroizing::new(String::with_capacity(MAX_MNEMONIC_LEN));
            slip39::write_mnemonic(share, &mut *words)
                .map_err(|_| CliError::usage(format!("{}: cannot print this share", show(path))))?;
            pages.push(SharePage {
                file: files::file_name(path),
                member: share.member_index() + 1,
                threshold: share.member_threshold(),
                set: share.identifier(),
                words,
            });
        }
    }

    // A backup like `backup --armor`, with the vault's password: written record by record
    // to an unnamed scratch file, its armor encoded from there line by line — once to learn
    // its fingerprint, which the sheet prints before it, once into the sheet — and the
    // sheet read back and checked line by line, never holding the backup. The entries and
    // events are moved into the copy, and back after.
    let entries = std::mem::take(&mut vault.entries);
    let events = std::mem::take(&mut vault.events);
    let mut copy = backup_copy(ctx, &vault, &[], &password, &opts.out)?;
    copy.entries = entries;
    copy.events = events;
    let out = opts.out.as_path();
    let (mut bin, header, bin_len) = write_scratch(&mut copy, out)?;
    let sums = bin
        .seek(SeekFrom::Start(0))
        .and_then(|_| write_armor(&mut bin, bin_len, &mut std::io::sink()))
        .map_err(|e| CliError::io("write", out, &e))?;
    let fingerprint = hex::encode(sums.text_sha);
    // `write_scratch` sorted the entries by (id, version).
    let entries = copy
        .entries
        .iter()
        .zip(copy.entries.iter().skip(1))
        .filter(|(a, b)| a.id != b.id)
        .count()
        + usize::from(!copy.entries.is_empty());
    let versions = copy.entries.len();
    let backup_bytes = usize::try_from(bin_len).unwrap_or(usize::MAX);
    let armor_lines = backup_bytes.div_ceil(vault_core::armor::BYTES_PER_LINE);

    let sheet = Sheet {
        vault_id: hex::encode(vault.vault_id),
        made: utc(now()),
        generation: copy.generation,
        entries,
        versions,
        backup_bytes,
        armor_lines,
        fingerprint: fingerprint.clone(),
        code: code.as_ref().map(|c| c.as_str()),
        shares: &pages,
        page_sha256: page_beside.as_ref().map(|(p, _)| p.sha256),
    };
    let (head, tail) = sheet.render();
    let html_len = head.len() + usize::try_from(sums.text_len).unwrap_or(usize::MAX) + tail.len();

    let bin = &mut bin;
    files::write_atomic_with(
        out,
        opts.force,
        |f| {
            // The armor needs no escaping in HTML: it is letters, digits, spaces, ':',
            // '-' and newlines.
            f.write_all(head.as_bytes())
                .and_then(|()| bin.seek(SeekFrom::Start(0)))
                .and_then(|_| write_armor(bin, bin_len, f))
                .and_then(|written| f.write_all(tail.as_bytes()).map(|()| (written, bin)))
                .map_err(|e| CliError::io("write", out, &e))
        },
        |tmp, (written, bin)| {
            if written == sums
                && check_armor_streaming(tmp, &header, &sums, bin_len, &copy, &password, out, ctx)
            {
                return Ok(());
            }
            check_sheet_whole(tmp, bin, &head, &tail, &copy, &password, out, ctx)
        },
    )?;

    // The page after the sheet, so that a sheet that failed leaves no page behind; if the
    // page fails, the sheet goes too.
    let mut page_written = None;
    if let Some((p, path)) = &page_beside {
        match page::write(p, path, opts.force) {
            Ok(w) => page_written = Some(w),
            Err(e) => {
                let _ = std::fs::remove_file(out);
                return Err(e);
            }
        }
    }

    if code.is_some() {
        vault.entries = std::mem::take(&mut copy.entries);
        vault.events = std::mem::take(&mut copy.events);
        vault.record_event(
            AuditOp::RecoveryShow,
            None,
            &format!("printed in kit {}", files::file_name(out)),
            now(),
        );
        if let Err(e) = save_vault(ctx, &mut vault) {
            let _ = std::fs::remove_file(out);
            if let (Some(Written::Written), Some((_, path))) = (page_written, &page_beside) {
                let _ = std::fs::remove_file(path);
            }
            return Err(e);
        }
    }
    Ok(KitReport {
        vault: show(&ctx.vault),
        out: show(out),
        vault_id: hex::encode(vault.vault_id),
        generation: copy.generation,
        entries,
        versions,
        backup_bytes,
        armor_lines,
        fingerprint,
        recovery_code_included: code.is_some(),
        shares_included: pages.len(),
        bytes: html_len,
        page: page_beside.as_ref().map(|(_, path)| show(path)),
        page_sha256: page_beside.as_ref().map(|(p, _)| p.sha256.to_owned()),
    })
}

/// Where the restore page goes: beside the sheet. A sheet named like the page is refused.
fn page_path(sheet: &Path) -> Result<PathBuf> {
    if sheet.file_name() == Some(std::ffi::OsStr::new(page::FILE_NAME)) {
        return Err(CliError::usage(format!(
            "the sheet cannot be named {}: the restore page is written beside it under that name",
            page::FILE_NAME
        ))
        .hint("choose another name for the sheet, e.g. --out kit.html"));
    }
    Ok(sheet.with_file_name(page::FILE_NAME))
}

/// The whole-file checks of a sheet, as they were before the streaming one: the armor of
/// the binary backup in `bin` passes [`check_backup`], the text read back is the sheet
/// written, and its armor decodes to the backup.
#[allow(clippy::too_many_arguments)]
fn check_sheet_whole(
    tmp: &Path,
    bin: &mut std::fs::File,
    head: &str,
    tail: &str,
    copy: &crate::model::Vault,
    password: &str,
    out: &Path,
    ctx: &Context,
) -> Result<()> {
    let binary = read_scratch(bin, out)?;
    let armor = encode_armor(&binary, out)?;
    check_backup(&armor, &binary, copy, password, out, ctx)?;
    let html = Zeroizing::new([head.as_bytes(), &armor, tail.as_bytes()].concat());
    let written = files::read_file(tmp)?;
    if written != *html {
        return Err(files::not_as_written(out));
    }
    let (decoded, _) = decode_container(written, out)?;
    if decoded == *binary {
        Ok(())
    } else {
        Err(CliError::new(
            Exit::Corrupted,
            format!(
                "{}: the armor on the sheet does not decode to the backup",
                show(out)
            ),
        )
        .hint("nothing was written; check the medium and try again"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}

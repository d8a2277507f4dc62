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
use std::fmt::Write as _;
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

/// Escapes text for HTML element content and attribute values.
#[must_use]
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 10.5pt/1.45 system-ui, 'Segoe UI', 'DejaVu Sans', Arial, sans-serif; color: #000;
  background: #fff; max-width: 190mm; margin: 0 auto; padding: 8mm; }
h1 { font-size: 19pt; margin: 0 0 1mm; }
h2 { font-size: 13pt; border-bottom: 1.5pt solid #000; padding-bottom: 1mm; margin: 7mm 0 2mm; }
h3 { font-size: 11pt; margin: 4mm 0 1mm; }
p { margin: 1.5mm 0; }
.sub { margin-bottom: 4mm; }
.mono, code, pre { font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace; }
code { font-size: 9.5pt; background: #f1f1f1; padding: 0 1mm; }
table { border-collapse: collapse; width: 100%; }
.facts th, .fill th { text-align: left; width: 40%; font-weight: 600; vertical-align: bottom;
  padding: 1.3mm 3mm 1.3mm 0; }
.facts td { padding: 1.3mm 0; }
.facts td.mono { word-break: break-all; }
.fill td { border-bottom: 0.7pt solid #000; height: 9mm; }
.grid th, .grid td { border: 0.7pt solid #000; padding: 1mm 2mm; height: 9mm; text-align: left; }
.grid th { height: auto; background: #eee; }
.codeboxes { display: flex; gap: 2.5mm; margin: 2mm 0 1mm; }
.codeboxes div { flex: 1; border: 0.8pt solid #000; height: 11mm; position: relative; }
.codeboxes div span { position: absolute; left: 1mm; top: 0.3mm; font-size: 7pt; }
.code { font-size: 14pt; white-space: nowrap; margin: 2mm 0; }
.warning { border: 2.2pt solid #000; padding: 3mm 4mm; margin: 4mm 0; font-weight: 600; }
.note { font-size: 9pt; }
ol.steps li { margin: 1.2mm 0; }
pre.armor { font-size: 10pt; line-height: 1.35; white-space: pre; margin: 2mm 0 0;
  border: 0.7pt solid #000; padding: 3mm; }
ol.words { columns: 4; column-gap: 6mm; font-size: 12.5pt; padding-left: 9mm; margin: 3mm 0; }
ol.words li { margin: 1mm 0; }
.page { break-before: page; }
footer { margin-top: 8mm; font-size: 8.5pt; border-top: 0.7pt solid #000; padding-top: 1.5mm; }
@page { size: A4; margin: 12mm; }
@media print {
  body { padding: 0; max-width: none; }
  h2, h3 { break-after: avoid; }
  tr, li, .warning, .codeboxes { break-inside: avoid; }
  code { background: none; }
}
";

/// What goes on the sheet.
struct Sheet<'a> {
    vault_id: String,
    made: String,
    generation: u64,
    entries: usize,
    versions: usize,
    backup_bytes: usize,
    armor_lines: usize,
    fingerprint: String,
    code: Option<&'a str>,
    shares: &'a [SharePage],
    /// SHA-256 of the restore page written beside the sheet.
    page_sha256: Option<&'a str>,
}

impl Sheet<'_> {
    /// The HTML document before the armor and after it (the armor's lines go between
    /// the two as they are). Held in memory that is wiped on drop: they may carry the
    /// recovery code and shares.
    #[allow(clippy::too_many_lines)]
    fn render(&self) -> (Zeroizing<String>, Zeroizing<String>) {
        let mut h = Zeroizing::new(String::with_capacity(16 * 1024));
        let id = esc(&self.vault_id);
        let short_id = esc(self.vault_id.get(..8).unwrap_or(&self.vault_id));
        let (threshold, count) = self
            .shares
            .first()
            .map_or((None, 0), |s| (Some(s.threshold), self.shares.len()));
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
             <meta name=\"referrer\" content=\"no-referrer\">\n\
             <meta name=\"robots\" content=\"noindex\">\n\
             <title>airvault emergency kit · vault {short_id}</title>\n\
             <style>{STYLE}</style>\n</head>\n<body>\n"
        );
        let _ = write!(
            h,
            "<h1>airvault emergency kit</h1>\n\
             <p class=\"sub\">Everything needed to get the keys of this vault back when the \
             computer, the password or the backup medium is lost. Keep it with the USB stick \
             that holds the restore page, and apart from the password.</p>\n\
             <table class=\"facts\">\n\
             <tr><th>Vault id</th><td class=\"mono\">{id}</td></tr>\n\
             <tr><th>Kit made</th><td>{made}</td></tr>\n\
             <tr><th>Backup on this sheet</th><td>generation {gen}; {entries} entries \
             ({versions} versions); {bytes} bytes as {lines} lines of armor</td></tr>\n\
             <tr><th>Armor fingerprint (SHA-256)</th><td class=\"mono\">{fp}</td></tr>\n\
             <tr><th>The backup opens with</th><td>the vault's password, or the recovery \
             code, or enough recovery shares</td></tr>\n\
             </table>\n",
            made = esc(&self.made),
            gen = self.generation,
            entries = self.entries,
            versions = self.versions,
            bytes = self.backup_bytes,
            lines = self.armor_lines,
            fp = esc(&self.fingerprint),
        );
        if self.code.is_some() || !self.shares.is_empty() {
            let what = match (self.code.is_some(), self.shares.is_empty()) {
                (true, true) => "the recovery code",
                (true, false) => "the recovery code and recovery shares",
                _ => "recovery shares",
            };
            let _ = writeln!(
                h,
                "<div class=\"warning\">WARNING: this sheet holds {what} as well as the \
                 backup. Together they open the vault WITHOUT the password: anyone who \
                 holds this sheet holds the keys. Store it as safely as the keys themselves, \
                 or cut the secret parts off and keep them elsewhere.</div>"
            );
        }

        // 1. Fill in.
        h.push_str(
            "<h2>1. Fill in by hand</h2>\n<table class=\"fill\">\n\
             <tr><th>Printed on (date)</th><td></td></tr>\n\
             <tr><th>Prepared by</th><td></td></tr>\n\
             <tr><th>This sheet is kept at</th><td></td></tr>\n\
             <tr><th>The restore page (airvault-recovery.html) is on</th><td></td></tr>\n\
             <tr><th>The password is held by</th><td></td></tr>\n\
             <tr><th>The recovery code is kept at</th><td></td></tr>\n\
             </table>\n",
        );
        h.push_str("<h3>Who holds which recovery share</h3>\n");
        match threshold {
            Some(t) => {
                let _ = writeln!(
                    h,
                    "<p>Any {t} of the shares of set {} recover the vault.</p>",
                    self.shares.first().map_or(0, |s| s.set)
                );
            }
            None => h.push_str(
                "<p>If the recovery secret was split ('airvault shares split'): any ____ of \
                 the ____ shares recover the vault.</p>\n",
            ),
        }
        h.push_str(
            "<table class=\"grid\">\n<tr><th style=\"width:14%\">Share</th>\
             <th style=\"width:38%\">Held by</th><th>Where it is kept / how to reach them</th></tr>\n",
        );
        let rows = if count > 0 { count } else { 5 };
        for i in 0..rows {
            let label = self
                .shares
                .get(i)
                .map_or_else(String::new, |s| format!("{} of {}", s.member, count));
            let _ = writeln!(h, "<tr><td>{label}</td><td></td><td></td></tr>");
        }
        h.push_str("</table>\n<h3>Recovery code</h3>\n");
        match self.code {
            Some(code) => {
                let _ = write!(
                    h,
                    "<p class=\"code mono\">{}</p>\n<p class=\"note\">Eight groups of six \
                     digits; each group has its own check, so a mistyped group is named.</p>\n",
                    esc(code)
                );
            }
            None => {
                h.push_str(
                    "<p class=\"note\">Not printed: the recovery code opens this backup \
                     without the password. Write it in only if this sheet is kept as safely \
                     as the keys themselves; otherwise note above where it is kept.</p>\n\
                     <div class=\"codeboxes\">",
                );
                for g in 1..=8 {
                    let _ = write!(h, "<div><span>{g}</span></div>");
                }
                h.push_str("</div>\n");
            }
        }

        // 2. Restore page.
        let _ = write!(
            h,
            "<h2>2. Restore in a browser with the restore page</h2>\n<ol class=\"steps\">\n\
             <li>On any computer, open <b>airvault-recovery.html</b> from the USB stick \
             (double-click it). It is one self-contained file: it needs no network, no \
             installation and no server.</li>\n\
             <li>Copy or type the armored backup of section 4 — every line from the one \
             starting with five dashes and BEGIN to the one with END — into the \
             <b>armor box</b>. Each numbered line ends in a four-character check, so a \
             mistyped line is named by its number; case and spaces do not matter, and I or L \
             read as 1, O as 0.</li>\n\
             <li>Type the vault's <b>password</b>. If it is lost, choose the <b>recovery \
             code</b> and type its 48 digits (a mistyped group is named), or choose \
             <b>shares</b> and type {enough} of them, in any order.</li>\n\
             <li>Compare each key's check value (KCV) with your records, then copy the keys \
             or save them as files. Close the page when done.</li>\n</ol>\n",
            enough = threshold.map_or_else(|| "enough".to_owned(), |t| t.to_string()),
        );
        if let Some(sha) = self.page_sha256 {
            let _ = writeln!(
                h,
                "<p>Before trusting a copy of the restore page, check it on a computer you \
                 trust: <code>sha256sum airvault-recovery.html</code> (or <code>airvault \
                 fingerprint airvault-recovery.html</code>) must print</p>\n\
                 <p class=\"mono\">{}</p>",
                esc(sha)
            );
        }

        // 3. Command line.
        h.push_str(
            "<h2>3. Restore with the airvault command line</h2>\n<ol class=\"steps\">\n\
             <li>Save the armor as a text file, e.g. <code>backup.asc</code> (airvault also \
             reads it straight out of this HTML file), and check it: \
             <code>airvault verify backup.asc</code>. A mistyped line is named.</li>\n\
             <li>With the password: <code>airvault restore backup.asc --out \
             vault.airvault</code></li>\n\
             <li>With the recovery code (typed into <code>code.txt</code>): \
             <code>airvault recover backup.asc --recovery-code-file code.txt --out \
             vault.airvault</code> — it asks for a new password.</li>\n\
             <li>With shares (one per file): <code>airvault recover backup.asc --share-file \
             share-1.txt --share-file share-3.txt --out vault.airvault</code></li>\n\
             <li>If this copy is damaged: <code>airvault salvage backup.asc \
             other-copy.airvault --out vault.airvault</code> keeps every intact record from \
             all copies and lists exactly what was lost.</li>\n\
             <li>Then <code>airvault --vault vault.airvault list</code> shows every key with \
             its KCV.</li>\n</ol>\n",
        );

        // 4. The armor.
        let _ = write!(
            h,
            "<section class=\"page\">\n<h2>4. Armored backup</h2>\n\
             <p>Vault {id}, generation {gen}. The backup is encrypted: without the \
             password, the recovery code or enough shares it reveals nothing but its size. \
             Armor fingerprint: <span class=\"mono\">{fp}</span>.</p>\n\
             <pre class=\"armor\">\n",
            gen = self.generation,
            fp = esc(&self.fingerprint),
        );
        let head = h;
        let mut h = Zeroizing::new(String::with_capacity(1024 + 1024 * self.shares.len()));
        h.push_str("</pre>\n</section>\n");

        // Share pages.
        for s in self.shares {
            let _ = write!(
                h,
                "<section class=\"page\">\n<h2>Recovery share {m} of {count}</h2>\n\
                 <p>Vault {id} · share set {set} · any {t} shares of this set recover the \
                 vault · from {file}</p>\n<ol class=\"words mono\">\n",
                m = s.member,
                set = s.set,
                t = s.threshold,
                file = esc(&s.file),
            );
            for w in s.words.split(' ') {
                let _ = writeln!(h, "<li>{}</li>", esc(w));
            }
            let _ = write!(
                h,
                "</ol>\n<table class=\"fill\">\n<tr><th>Held by</th><td></td></tr>\n\
                 <tr><th>Handed over on</th><td></td></tr>\n</table>\n\
                 <p class=\"note\">Keep this share apart from the other shares and from the \
                 password. To recover, {t} custodians bring their shares to the restore page \
                 or to <code>airvault recover BACKUP --share-file …</code>.</p>\n</section>\n",
                t = s.threshold,
            );
        }
        let _ = write!(
            h,
            "<footer>airvault emergency kit · vault {id} · made {} by airvault {} · \
             self-contained: it loads nothing and runs no code.</footer>\n</body>\n</html>\n",
            esc(&self.made),
            env!("CARGO_PKG_VERSION"),
        );
        (head, h)
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

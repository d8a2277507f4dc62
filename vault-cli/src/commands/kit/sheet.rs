//! The printed sheet of the kit: one HTML page (its style, the recovery code, the shares,
//! the armored backup, the steps to follow), every value escaped.

use std::fmt::Write as _;
use zeroize::Zeroizing;

use super::*;

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
pub(super) struct Sheet<'a> {
    pub(super) vault_id: String,
    pub(super) made: String,
    pub(super) generation: u64,
    pub(super) entries: usize,
    pub(super) versions: usize,
    pub(super) backup_bytes: usize,
    pub(super) armor_lines: usize,
    pub(super) fingerprint: String,
    pub(super) code: Option<&'a str>,
    pub(super) shares: &'a [SharePage],
    /// SHA-256 of the restore page written beside the sheet.
    pub(super) page_sha256: Option<&'a str>,
}

impl Sheet<'_> {
    /// The HTML document before the armor and after it (the armor's lines go between
    /// the two as they are). Held in memory that is wiped on drop: they may carry the
    /// recovery code and shares.
    #[allow(clippy::too_many_lines)]
    pub(super) fn render(&self) -> (Zeroizing<String>, Zeroizing<String>) {
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

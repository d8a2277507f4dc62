//! What `kit` and `page` report.

use serde::Serialize;

/// A kit written.
#[derive(Clone, Debug, Serialize)]
pub struct KitReport {
    /// The vault.
    pub vault: String,
    /// The HTML file.
    pub out: String,
    /// The vault's id.
    pub vault_id: String,
    /// Generation of the backup on the sheet.
    pub generation: u64,
    /// Entries in the backup.
    pub entries: usize,
    /// Entry versions in the backup.
    pub versions: usize,
    /// Size of the backup (binary).
    pub backup_bytes: usize,
    /// Data lines of armor on the sheet.
    pub armor_lines: usize,
    /// SHA-256 of the armor text as printed (BEGIN line to END line and its newline): what
    /// `airvault fingerprint` prints for a file holding exactly that text.
    pub fingerprint: String,
    /// Whether the recovery code is printed on the sheet.
    pub recovery_code_included: bool,
    /// Share pages on the sheet.
    pub shares_included: usize,
    /// Size of the HTML file.
    pub bytes: usize,
    /// The restore page beside the sheet (written now, or already there byte for byte),
    /// or `None` when this binary carries no page.
    pub page: Option<String>,
    /// The restore page's SHA-256, printed on the sheet too.
    pub page_sha256: Option<String>,
}

impl KitReport {
    /// Text for a person.
    ///
    /// # Errors
    /// Write errors.
    pub fn human(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        writeln!(
            w,
            "Wrote emergency kit {} ({} bytes): armored backup of {} entries ({} versions, \
             {} lines), re-read and verified.",
            self.out, self.bytes, self.entries, self.versions, self.armor_lines
        )?;
        writeln!(w, "Armor fingerprint: {}", self.fingerprint)?;
        if self.recovery_code_included {
            writeln!(
                w,
                "The sheet holds the recovery code: anyone who has it can open the vault \
                 without the password. Store it as safely as the keys."
            )?;
        }
        if self.shares_included > 0 {
            writeln!(
                w,
                "{} share pages follow the backup: cut them apart and hand each to its \
                 custodian.",
                self.shares_included
            )?;
        }
        match (&self.page, &self.page_sha256) {
            (Some(page), Some(sha)) => {
                writeln!(
                    w,
                    "Restore page {page} beside it, SHA-256 {sha} (on the sheet too)."
                )?;
                writeln!(
                    w,
                    "Print the sheet, and keep it with a USB stick holding the restore page."
                )
            }
            _ => writeln!(
                w,
                "Print it, and keep airvault-recovery.html on the USB stick with it."
            ),
        }
    }
}

/// The restore page: where it was written and how to check it.
#[derive(Clone, Debug, Serialize)]
pub struct PageReport {
    /// The file written (or already holding the page), or `None` without `--out`.
    pub out: Option<String>,
    /// Whether the file was written now (`false`: the same bytes were already there, or
    /// nothing was asked to be written).
    pub written: bool,
    /// Size of the page.
    pub bytes: usize,
    /// SHA-256 of the page: what `sha256sum` and `airvault fingerprint` print for a good
    /// copy.
    pub sha256: String,
    /// The page fingerprint the page shows at its top.
    pub page_fingerprint: Option<String>,
    /// The version the page shows.
    pub version: Option<String>,
}

impl PageReport {
    /// Text for a person.
    ///
    /// # Errors
    /// Write errors.
    pub fn human(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        let version = self.version.as_deref().unwrap_or("unknown version");
        match (&self.out, self.written) {
            (Some(out), true) => writeln!(
                w,
                "Wrote the restore page {out} ({} bytes, {version}), read back and checked.",
                self.bytes
            )?,
            (Some(out), false) => writeln!(
                w,
                "The restore page {out} is already there, byte for byte ({} bytes, {version}).",
                self.bytes
            )?,
            (None, _) => writeln!(
                w,
                "This airvault carries the restore page ({} bytes, {version}); write it \
                 with --out DIR.",
                self.bytes
            )?,
        }
        writeln!(w, "SHA-256: {}", self.sha256)?;
        if let Some(f) = &self.page_fingerprint {
            writeln!(w, "The page shows the fingerprint {f}.")?;
        }
        writeln!(
            w,
            "Check every copy before trusting it: sha256sum {} must print that SHA-256.",
            crate::page::FILE_NAME
        )
    }
}

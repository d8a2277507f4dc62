//! `airvault page`: writes the restore page this binary carries (`airvault-recovery.html`)
//! into a directory, and prints its SHA-256 to check copies against.

use std::path::PathBuf;

use serde::Serialize;

use crate::error::{show, CliError, Exit, Result};
use crate::page::{self, EmbeddedPage, Written};

/// Options of `page`.
#[derive(Debug, Clone)]
pub struct PageOptions {
    /// The directory to write `airvault-recovery.html` into; `None` only prints its facts.
    pub out: Option<PathBuf>,
    /// Replace another file of that name.
    pub force: bool,
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
            page::FILE_NAME
        )
    }
}

/// `page`: writes `page` as `airvault-recovery.html` into `opts.out`, atomically with mode
/// 0600, read back and checked against its SHA-256; an identical file already there is
/// left as it is.
///
/// # Errors
/// Exit 2 if the binary has no page or another file is in the way without `force`;
/// exit 3 if `opts.out` is not a directory or the file cannot be written; exit 5 if the
/// carried page is damaged.
pub fn page(page: Option<EmbeddedPage>, opts: &PageOptions) -> Result<PageReport> {
    let page = page::require(page)?;
    let (out, written) = match &opts.out {
        None => (None, false),
        Some(dir) => {
            if dir.exists() && !dir.is_dir() {
                return Err(
                    CliError::new(Exit::Io, format!("{} is not a directory", show(dir))).hint(
                        format!(
                            "--out names the directory to write {} into",
                            page::FILE_NAME
                        ),
                    ),
                );
            }
            let path = dir.join(page::FILE_NAME);
            let w = page::write(&page, &path, opts.force)?;
            (Some(show(&path)), w == Written::Written)
        }
    };
    Ok(PageReport {
        out,
        written,
        bytes: page.bytes.len(),
        sha256: page.sha256.to_owned(),
        page_fingerprint: page.fingerprint(),
        version: page.version(),
    })
}

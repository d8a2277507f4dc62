//! `airvault page`: writes the restore page this binary carries (`airvault-recovery.html`)
//! into a directory, and prints its SHA-256 to check copies against.

pub use crate::output::kit::PageReport;
use std::path::PathBuf;

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

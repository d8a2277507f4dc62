//! The restore page the `airvault` binary carries, when it was built with one.
//!
//! `release/build.sh` builds the page (`web/build.sh`) and then the binary with
//! `AIRVAULT_PAGE` naming it; `build.rs` copies the page into the binary with its SHA-256.
//! A plain `cargo build` carries no page: [`EMBEDDED`] is `None`, and the commands that
//! would write one say where to get it.

use std::fmt;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{show, CliError, Exit, Result};
use crate::files;

/// The file name of the restore page.
pub const FILE_NAME: &str = "airvault-recovery.html";

/// A restore page held in memory: its bytes and their SHA-256 (lower-case hex).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EmbeddedPage {
    /// The page, byte for byte as `web/build.sh` wrote it.
    pub bytes: &'static [u8],
    /// SHA-256 of `bytes`, computed when the binary was built.
    pub sha256: &'static str,
}

impl fmt::Debug for EmbeddedPage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmbeddedPage")
            .field("bytes", &self.bytes.len())
            .field("sha256", &self.sha256)
            .finish()
    }
}

// `pub const EMBEDDED: Option<EmbeddedPage>`, written by build.rs.
include!(concat!(env!("OUT_DIR"), "/embedded_page.rs"));

impl EmbeddedPage {
    /// The version the page shows (`0.1.0 (<commit>)`), from its `airvault-version` field.
    #[must_use]
    pub fn version(&self) -> Option<String> {
        meta(self.bytes, "airvault-version")
    }

    /// The page fingerprint the page shows at its top (see web/README.md).
    #[must_use]
    pub fn fingerprint(&self) -> Option<String> {
        meta(self.bytes, "airvault-content-sha256")
    }

    /// Whether `bytes` hash to [`EmbeddedPage::sha256`].
    #[must_use]
    pub fn is_whole(&self) -> bool {
        sha256_hex(self.bytes) == self.sha256
    }
}

/// The value of `<meta name="NAME" content="VALUE">` in the page's head.
fn meta(page: &[u8], name: &str) -> Option<String> {
    let head = page.get(..page.len().min(4096))?;
    let text = String::from_utf8_lossy(head);
    let field = format!("<meta name=\"{name}\" content=\"");
    let rest = &text[text.find(&field)? + field.len()..];
    rest.find('"').map(|end| rest[..end].to_owned())
}

/// Lower-case hex SHA-256 of `bytes`.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The page this binary carries.
///
/// # Errors
/// Exit 2 if it carries none (a build without `AIRVAULT_PAGE`); exit 5 if its bytes do not
/// hash to the value recorded when it was built.
pub fn embedded() -> Result<EmbeddedPage> {
    require(EMBEDDED)
}

/// `page`, or the error that says this binary has none.
///
/// # Errors
/// As [`embedded`].
pub fn require(page: Option<EmbeddedPage>) -> Result<EmbeddedPage> {
    let page = page.ok_or_else(|| {
        CliError::usage("this airvault binary was built without the restore page").hint(
            "use the airvault of a release bundle (bash release/build.sh OUTDIR makes one), \
             or build the page with web/build.sh",
        )
    })?;
    if page.is_whole() {
        Ok(page)
    } else {
        Err(CliError::new(
            Exit::Corrupted,
            "the restore page in this airvault binary does not match its recorded SHA-256",
        )
        .hint("the binary is damaged; take it again from the release bundle"))
    }
}

/// What happened to the page at a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    /// The page was written there.
    Written,
    /// The very same bytes were already there; the file was left alone.
    Unchanged,
}

/// Refuses early (before any other work) when a file other than `page` is at `path` and
/// `force` is not set. Returns whether the file already there is `page` itself.
///
/// # Errors
/// Exit 2 for another file without `force`; exit 3 if it cannot be read.
pub fn check_target(page: &EmbeddedPage, path: &Path, force: bool) -> Result<bool> {
    if std::fs::symlink_metadata(path).is_err() {
        return Ok(false);
    }
    if path.is_file() {
        let max = u64::try_from(page.bytes.len()).unwrap_or(u64::MAX);
        if let Ok(there) = files::read_bounded(path, max) {
            if there == page.bytes {
                return Ok(true);
            }
        }
    }
    if force {
        return Ok(false);
    }
    Err(CliError::usage(format!(
        "{} already exists and is not this restore page; refusing to overwrite it",
        show(path)
    ))
    .hint("pass --force to replace it, or choose another directory"))
}

/// Writes `page` to `path` atomically (mode 0600), read back and checked against its
/// SHA-256, unless the very same bytes are already there.
///
/// # Errors
/// As [`check_target`]; exit 3 if it cannot be written or does not read back as written.
pub fn write(page: &EmbeddedPage, path: &Path, force: bool) -> Result<Written> {
    if check_target(page, path, force)? {
        return Ok(Written::Unchanged);
    }
    files::ensure_parent_dir(path)?;
    files::write_atomic(path, page.bytes, force, |written| {
        if sha256_hex(written) == page.sha256 {
            Ok(())
        } else {
            Err(files::not_as_written(path))
        }
    })?;
    Ok(Written::Written)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAKE: &[u8] = b"<!DOCTYPE html>\n<html><head>\n\
        <meta name=\"airvault-version\" content=\"9.9.9 (abc)\">\n\
        <meta name=\"airvault-content-sha256\" content=\"00ff\">\n</head></html>\n";

    fn fake(sha256: &'static str) -> EmbeddedPage {
        EmbeddedPage {
            bytes: FAKE,
            sha256,
        }
    }

    #[test]
    fn fields_of_the_page() {
        let p = fake("");
        assert_eq!(p.version().as_deref(), Some("9.9.9 (abc)"));
        assert_eq!(p.fingerprint().as_deref(), Some("00ff"));
        assert!(!format!("{p:?}").contains("DOCTYPE"));
    }

    #[test]
    fn no_page_and_a_damaged_page_are_refused() {
        let e = require(None).unwrap_err();
        assert_eq!(e.exit(), Exit::Usage);
        assert!(e.to_string().contains("release/build.sh"));
        let e = require(Some(fake("00"))).unwrap_err();
        assert_eq!(e.exit(), Exit::Corrupted);
    }
}

//! `airvault fingerprint`: the SHA-256 of a file's bytes, the same value `sha256sum`
//! prints, to record now and check later with `verify --expect-fingerprint`.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{show, Result};
use crate::files;
use crate::output::FingerprintReport;

/// The fingerprint of one file.
///
/// # Errors
/// Exit 3 if the file cannot be read.
pub fn fingerprint(path: &Path) -> Result<FingerprintReport> {
    let bytes = files::read_file(path)?;
    Ok(FingerprintReport {
        file: show(path),
        sha256: hex::encode(Sha256::digest(&bytes)),
        bytes: bytes.len() as u64,
    })
}

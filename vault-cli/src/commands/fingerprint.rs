//! `airvault fingerprint`: the SHA-256 of a file's bytes, the same value `sha256sum`
//! prints, to record now and check later with `verify --expect-fingerprint`.

use std::path::Path;

use sha2::{Digest, Sha256};

use std::fs::File;
use std::io::Read;

use crate::error::{show, CliError, Exit, Result};
use crate::files;
use crate::output::FingerprintReport;

/// The fingerprint of one file.
///
/// # Errors
/// Exit 3 if the file cannot be read.
pub fn fingerprint(path: &Path) -> Result<FingerprintReport> {
    // Hashed as it is read, in 64 KiB pieces: any size of file in the same small memory.
    let mut f = File::open(path).map_err(|e| CliError::io("read", path, &e))?;
    let meta = f.metadata().map_err(|e| CliError::io("read", path, &e))?;
    if meta.is_dir() {
        return Err(
            CliError::new(Exit::Io, format!("{} is a directory", show(path))).hint("name a file"),
        );
    }
    if meta.len() > files::MAX_FILE_LEN {
        return Err(files::too_large(path, files::MAX_FILE_LEN));
    }
    let mut sha = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut bytes = 0u64;
    loop {
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                sha.update(&buf[..n]);
                bytes += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(CliError::io("read", path, &e)),
        }
    }
    Ok(FingerprintReport {
        file: show(path),
        sha256: hex::encode(sha.finalize()),
        bytes,
    })
}

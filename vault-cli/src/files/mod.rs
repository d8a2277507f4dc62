//! Reading and writing files: bounded reads, crash-safe atomic writes with mode 0600 that
//! never replace an existing file unless asked, and the default vault location.

use std::path::{Path, PathBuf};

mod read;
mod write;

pub use read::*;
pub use write::*;

use zeroize::Zeroizing;

use crate::error::{show, CliError, Exit, Result};
use crate::failpoint::{self, Point};

/// Largest file airvault reads as a vault or backup. A vault holding a thousand keys of
/// the largest size is well under this; anything larger is refused before it is read.
pub const MAX_FILE_LEN: u64 = 1 << 30;

/// Largest password file read (the password is its first line).
pub const MAX_PASSWORD_FILE_LEN: u64 = 64 * 1024;

/// File name of the vault in the default data directory.
pub const DEFAULT_VAULT_NAME: &str = "vault.airvault";

/// The default vault path: `vault.airvault` in the user's data directory (on Linux
/// `$XDG_DATA_HOME/airvault`, usually `~/.local/share/airvault`).
///
/// # Errors
/// Exit 3 if no home directory is known.
pub fn default_vault_path() -> Result<PathBuf> {
    directories::ProjectDirs::from("", "", "airvault")
        .map(|d| d.data_dir().join(DEFAULT_VAULT_NAME))
        .ok_or_else(|| {
            CliError::new(Exit::Io, "no home directory to keep the vault in")
                .hint("pass --vault PATH or set AIRVAULT_VAULT")
        })
}

/// The final component of a path, for audit details and messages.
#[must_use]
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| show(path), |n| n.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::read::{CHUNK, CHUNKS};
    use super::*;
    use std::fs;

    #[test]
    fn atomic_write_refuses_to_clobber_and_leaves_nothing_on_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.bin");
        write_atomic(&p, b"one", false, |_| Ok(())).unwrap();
        let e = write_atomic(&p, b"two", false, |_| Ok(())).unwrap_err();
        assert_eq!(e.exit(), Exit::Usage);
        assert_eq!(fs::read(&p).unwrap(), b"one");
        let q = dir.path().join("b.bin");
        let e = write_atomic(&q, b"x", false, |_| Err(CliError::usage("no"))).unwrap_err();
        assert_eq!(e.what(), "no");
        assert!(!q.exists());
        write_atomic(&p, b"three", true, |_| Ok(())).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"three");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&p).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn read_hashing_sees_every_byte_once_in_order() {
        use sha2::{Digest, Sha256};
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, CHUNKS * CHUNK + 17] {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 + i / 251) as u8).collect();
            for (split, hint) in [(0, 0), (len / 3, PARALLEL_FROM)] {
                let (prefix, rest) = data.split_at(split);
                let mut seen = Vec::new();
                let mut r = rest;
                let digest = read_hashing(prefix, &mut r, hint, |c| {
                    seen.extend_from_slice(c);
                    true
                })
                .unwrap();
                assert_eq!(digest, Some(<[u8; 32]>::from(Sha256::digest(&data))));
                assert_eq!(seen, rest);
            }
        }
        let data = vec![1u8; 3 * CHUNK];
        let mut calls = 0;
        let stopped = read_hashing(&[], &mut &data[..], PARALLEL_FROM, |_| {
            calls += 1;
            false
        });
        assert_eq!((stopped.unwrap(), calls), (None, 1));
    }

    #[test]
    fn secrets_are_bounded() {
        let mut r: &[u8] = b"12345";
        assert_eq!(&read_secret(&mut r, 5).unwrap()[..], b"12345");
        let mut r: &[u8] = b"123456";
        assert!(matches!(
            read_secret(&mut r, 5),
            Err(ReadSecretError::TooLong)
        ));
    }
}

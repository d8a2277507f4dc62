//! One change to a vault at a time.
//!
//! A command that changes the vault reads it, changes it in memory and writes it back whole.
//! Two such commands running at once (a cron job's `rotate` while someone runs `add`) would
//! both read the same vault and the second write would silently drop the first one's
//! change, after both reported success. The binary therefore holds an exclusive advisory
//! lock (`flock`) on the directory of the file a command changes or replaces, from before
//! it reads the vault until it exits: a second command waits, then reads what the first
//! wrote. Commands that only read (`list`, `get`, `verify`, `backup`, …) take no lock: every
//! write is an atomic rename, so they always see a whole file. The lock is released by the
//! kernel when the process ends, however it ends, so a crash never leaves a stale lock.
//!
//! The library functions in [`crate::commands`] take no lock; the drill and the tests call
//! them on vaults of their own.

use std::path::{Path, PathBuf};

use crate::cli::{Cli, Command};

/// A held lock; dropping it (or the process ending) releases it.
#[derive(Debug)]
pub struct VaultLock {
    #[cfg(unix)]
    _dir: std::fs::File,
}

/// The file `cli`'s command changes or replaces, if it changes one: the vault, or the
/// `--out` of `restore`, `recover` and `salvage`. `None` for commands that only read.
#[must_use]
pub fn target(cli: &Cli, vault: Option<PathBuf>) -> Option<PathBuf> {
    match &cli.command {
        Command::List
        | Command::Get(_)
        | Command::Backup(_)
        | Command::Verify(_)
        | Command::Fingerprint(_)
        | Command::Drill
        | Command::Status(_)
        | Command::Audit(_)
        | Command::Benchmark => None,
        Command::Restore(a) => a.out.clone().or(vault),
        Command::Recover(a) => a.out.clone().or(vault),
        Command::Salvage(a) => Some(a.out.clone()),
        _ => vault,
    }
}

/// Locks the directory holding `path`, waiting (with a note on standard error) while
/// another airvault command holds it. Best effort: `None`, and no lock, if the directory
/// does not exist yet or its file system does not support locks.
#[must_use]
pub fn acquire(path: &Path) -> Option<VaultLock> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    lock_dir(dir)
}

#[cfg(unix)]
fn lock_dir(dir: &Path) -> Option<VaultLock> {
    use rustix::fs::{flock, FlockOperation};
    use rustix::io::Errno;

    let file = std::fs::File::open(dir).ok()?;
    match flock(&file, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => {}
        Err(Errno::WOULDBLOCK) => {
            eprintln!(
                "waiting: another airvault command is changing a vault in {}",
                crate::error::show(dir)
            );
            flock(&file, FlockOperation::LockExclusive).ok()?;
        }
        Err(_) => return None,
    }
    Some(VaultLock { _dir: file })
}

#[cfg(not(unix))]
fn lock_dir(_dir: &Path) -> Option<VaultLock> {
    None
}

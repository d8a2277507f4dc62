//! One change to a vault at a time.
//!
//! A command that changes the vault reads it, changes it in memory and writes it back whole.
//! Two such commands running at once (a cron job's `rotate` while someone runs `add`) would
//! both read the same vault and the second write would silently drop the first one's
//! change, after both reported success. The binary therefore takes an exclusive lock before
//! it reads the vault to change it (or writes a file with `restore`, `recover`, `salvage`)
//! and holds it until the change is written: a second command waits, then reads what the
//! first wrote. Commands that only read take no lock: every write is an atomic rename, so
//! they always see a whole file.
//!
//! Ask first, lock second: every prompt and confirmation comes before the lock is taken
//! ([`enter`] is called where the vault is read or written, after the password is known),
//! and a wrong password typed again lets it go while asking ([`leave`]). So a command
//! waiting at a prompt never blocks another one.
//!
//! The lock is `flock` on a lock file, `.airvault.lock`, in the directory of the file
//! changed: opened without following symbolic links, mode 0600, and refused unless it is a
//! regular file owned by the user and private to them — so only the vault's owner can hold
//! it (the vault's directory is 0700). The holder writes its process id and command into
//! it, which a waiter shows; the holder removes it when done (a waiter that locked a
//! removed file opens the new one). Waiting is bounded (`--wait SECONDS`); the kernel
//! releases the lock when the process ends, however it ends, so a crash never leaves a
//! stale lock (at most a stale file, which the next command takes over). A directory that
//! does not exist or whose file system cannot lock is an error, not a silent skip.
//!
//! The library functions in [`crate::commands`] call [`enter`], which does nothing unless
//! the binary [`arm`]ed a lock: the drill and the tests call them on vaults of their own.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::cli::{Cli, Command};
use crate::error::{show, CliError, Exit, Result};

/// The lock file's name, in the directory of the file a command changes.
pub const LOCK_FILE: &str = ".airvault.lock";

/// How long a command waits for the lock unless `--wait` says otherwise.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(30);

/// How often a waiting command tries again.
const POLL: Duration = Duration::from_millis(50);

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
        | Command::Keyring(_)
        | Command::Benchmark
        | Command::Completions(_)
        | Command::Man(_)
        | Command::Page(_) => None,
        Command::Restore(a) => a.out.clone().or(vault),
        Command::Recover(a) => a.out.clone().or(vault),
        Command::Salvage(a) => Some(a.out.clone()),
        _ => vault,
    }
}

/// The lock a command will take, and the lock file while it is held.
#[derive(Debug)]
struct Armed {
    /// The lock file.
    path: PathBuf,
    /// The directory it is in, for messages.
    dir: PathBuf,
    wait: Duration,
    /// `airvault <command>`, written into the lock file for waiters to show.
    holder: String,
    held: Option<std::fs::File>,
    /// Whether waiting goes unannounced (`--quiet`).
    quiet: bool,
}

static ARMED: Mutex<Option<Armed>> = Mutex::new(None);

fn armed() -> std::sync::MutexGuard<'static, Option<Armed>> {
    ARMED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Makes [`enter`] lock the directory of `path` (the file the command changes), waiting at
/// most `wait`; `command` names the command for waiters. With `quiet` (`--quiet`), waiting
/// is not announced.
pub fn arm(path: &Path, wait: Duration, command: &str, quiet: bool) {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    *armed() = Some(Armed {
        path: dir.join(LOCK_FILE),
        dir,
        wait,
        holder: format!("airvault {command}"),
        held: None,
        quiet,
    });
}

/// Takes the armed lock unless it is held already; does nothing if none was armed.
///
/// # Errors
/// Exit 3 if the directory is missing, the lock file is not the user's own, the file
/// system cannot lock, or the wait timed out; the interruption error on a signal.
pub fn enter() -> Result<()> {
    let mut guard = armed();
    let Some(a) = guard.as_mut() else {
        return Ok(());
    };
    if a.held.is_none() {
        a.held = Some(take(a)?);
    }
    Ok(())
}

/// Lets the lock go (to ask again for a mistyped password); [`enter`] takes it again.
pub fn leave() {
    if let Some(a) = armed().as_mut() {
        if let Some(file) = a.held.take() {
            release(&a.path, file);
        }
    }
}

/// Lets the lock go and disarms it: the command is done.
pub fn disarm() {
    leave();
    *armed() = None;
}

#[cfg(unix)]
fn take(a: &Armed) -> Result<std::fs::File> {
    use rustix::fs::{flock, FlockOperation};
    use rustix::io::Errno;
    use std::io::Write;

    let started = Instant::now();
    let mut told = false;
    loop {
        crate::signals::check()?;
        let file = open_own(a)?;
        match flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => {
                // A holder removes the file as it lets go: a file locked after its removal
                // is no lock; open the new one.
                if !still_linked(&file, &a.path) {
                    continue;
                }
                let mut f = &file;
                let note = format!("{} {}\n", std::process::id(), a.holder);
                let _ = f.set_len(0).and_then(|()| f.write_all(note.as_bytes()));
                return Ok(file);
            }
            Err(Errno::WOULDBLOCK) => {
                let waited = started.elapsed();
                if waited >= a.wait {
                    return Err(CliError::new(
                        Exit::Io,
                        format!(
                            "gave up after {} s waiting for the lock on {}: {}",
                            a.wait.as_secs(),
                            show(&a.dir),
                            holder(&a.path)
                        ),
                    )
                    .hint(
                        "let that command finish and run this one again, or pass --wait SECONDS",
                    ));
                }
                if !told && !a.quiet {
                    eprintln!(
                        "waiting: {} is changing a vault in {} (at most {} s; --wait SECONDS)",
                        holder(&a.path),
                        show(&a.dir),
                        a.wait.as_secs()
                    );
                    told = true;
                }
                std::thread::sleep(POLL.min(a.wait.saturating_sub(waited)));
            }
            Err(e) => {
                return Err(CliError::new(
                    Exit::Io,
                    format!("cannot lock {}: {}", show(&a.path), std::io::Error::from(e)),
                )
                .hint("keep the vault on a local file system that supports locks"))
            }
        }
    }
}

/// Opens (creating) the lock file: never through a symbolic link, and only if it is a
/// regular file owned by this user that no one else can open.
#[cfg(unix)]
fn open_own(a: &Armed) -> Result<std::fs::File> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    if !a.dir.is_dir() {
        return Err(CliError::new(
            Exit::Io,
            format!("cannot lock {}: no such directory", show(&a.dir)),
        )
        .hint("check the path, or create the vault there with 'airvault init'"));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags((rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::CLOEXEC).bits() as i32)
        .open(&a.path)
        .map_err(|e| CliError::io("open the lock file", &a.path, &e))?;
    let meta = file
        .metadata()
        .map_err(|e| CliError::io("open the lock file", &a.path, &e))?;
    let mine = meta.uid() == rustix::process::geteuid().as_raw();
    if !meta.is_file() || !mine || meta.mode() & 0o077 != 0 {
        return Err(CliError::new(
            Exit::Io,
            format!(
                "the lock file {} is not a private file of this user",
                show(&a.path)
            ),
        )
        .hint(
            "someone else may be blocking changes: check who owns it and its directory, \
             remove it, and keep the vault's directory mode 0700",
        ));
    }
    Ok(file)
}

#[cfg(unix)]
fn still_linked(file: &std::fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Who holds the lock, as its file says: `airvault generate (pid 1234)`.
fn holder(path: &Path) -> String {
    let text = std::fs::read(path).unwrap_or_default();
    let text = String::from_utf8_lossy(&text[..text.len().min(200)]).into_owned();
    let line = text.lines().next().unwrap_or("");
    match line.split_once(' ') {
        Some((pid, cmd)) if pid.bytes().all(|b| b.is_ascii_digit()) && !pid.is_empty() => {
            let cmd: String = cmd
                .chars()
                .map(|c| if c.is_control() { '?' } else { c })
                .collect();
            format!("{cmd} (pid {pid})")
        }
        _ => "another airvault command".to_owned(),
    }
}

#[cfg(unix)]
fn release(path: &Path, file: std::fs::File) {
    // Removed while still locked, so that no one locks a file about to vanish unseen.
    if still_linked(&file, path) {
        let _ = std::fs::remove_file(path);
    }
    drop(file);
}

#[cfg(not(unix))]
fn take(_a: &Armed) -> Result<std::fs::File> {
    Err(
        CliError::new(Exit::Io, "cannot lock the vault on this system")
            .hint("airvault's changes need a Unix system"),
    )
}

#[cfg(not(unix))]
fn release(_path: &Path, _file: std::fs::File) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_directory_is_an_error_not_a_skip() {
        // Through `take` itself, not the process-wide `arm`: other tests run alongside.
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("gone");
        let a = Armed {
            path: gone.join(LOCK_FILE),
            dir: gone,
            wait: Duration::ZERO,
            holder: "airvault test".to_owned(),
            held: None,
            quiet: false,
        };
        let e = take(&a).unwrap_err();
        assert_eq!(e.exit(), Exit::Io);
        assert!(e.what().contains("no such directory"), "{e}");
    }

    #[test]
    fn holder_is_read_from_the_file_and_sanitised() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(LOCK_FILE);
        std::fs::write(&p, "1234 airvault generate\n").unwrap();
        assert_eq!(holder(&p), "airvault generate (pid 1234)");
        std::fs::write(&p, "junk").unwrap();
        assert_eq!(holder(&p), "another airvault command");
        std::fs::write(&p, "7 a\x1bb\n").unwrap();
        assert_eq!(holder(&p), "a?b (pid 7)");
    }
}

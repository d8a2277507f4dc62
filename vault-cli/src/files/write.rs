//! Writing files: never over an existing file without `--force`, atomically through a
//! private temporary file that is checked before it is renamed, then synced.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::Path;

use super::*;

/// Refuses early (before any key derivation) when `path` exists and `force` is not set.
///
/// # Errors
/// Exit 2 if the file exists.
pub fn check_writable(path: &Path, force: bool) -> Result<()> {
    match fs::symlink_metadata(path) {
        // A directory is never replaced, not even with --force: the path was meant as the
        // directory to write into.
        Ok(m) if m.is_dir() => Err(CliError::usage(format!(
            "{} is a directory, not a file name",
            show(path)
        ))
        .hint(format!(
            "name the file to write, e.g. {}",
            show(&path.join("vault-backup.airvault"))
        ))),
        Ok(_) if !force => Err(exists(path)),
        _ => Ok(()),
    }
}

fn exists(path: &Path) -> CliError {
    CliError::usage(format!(
        "{} already exists; refusing to overwrite it",
        show(path)
    ))
    .hint("pass --force to replace it, or choose another path")
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes `bytes` to `path` atomically: a temporary file (mode 0600) in the same
/// directory, written and fsynced, then `check` run on what was read back from it, then
/// renamed over the target (or linked without replacing, unless `force`), then the
/// directory fsynced. On any error nothing is left at `path` and an existing file there is
/// untouched. Debug builds can be made to abort between these steps ([`crate::failpoint`]).
///
/// # Errors
/// Exit 3 on I/O errors; exit 2 if `path` exists and `force` is not set; any error that
/// `check` returns.
pub fn write_atomic(
    path: &Path,
    bytes: &[u8],
    force: bool,
    check: impl FnOnce(&[u8]) -> Result<()>,
) -> Result<()> {
    write_atomic_with(
        path,
        force,
        |f| {
            f.write_all(bytes)
                .map_err(|e| CliError::io("write", path, &e))
        },
        |tmp, ()| {
            // Read back through a fresh handle, as a later reader would.
            let written = read_file(tmp)?;
            if written != bytes {
                return Err(not_as_written(path));
            }
            check(&written)
        },
    )
}

/// Writes a plaintext file (`get --out`) so that the plaintext never has any other name
/// on disk, even if the process is killed: on Linux it is written to an unnamed temporary
/// file (`O_TMPFILE`, mode 0600) in the target's directory, fsynced and read back, then
/// given the target's name (`linkat` through `/proc/self/fd`); a file left by a kill has
/// no name and is freed by the kernel. With `force`, an existing target is removed just
/// before. Where that is not supported it falls back to [`write_atomic`], whose named
/// temporary file is removed on every exit path the process sees (errors and SIGINT,
/// SIGTERM, SIGHUP), though not on SIGKILL.
///
/// # Errors
/// As [`write_atomic`].
pub fn write_private(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    check_writable(path, force)?;
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if let Some(done) = write_unnamed(path, bytes, force) {
        return done;
    }
    write_atomic(path, bytes, force, |_| Ok(()))
}

/// [`write_private`] through `O_TMPFILE`; `None` if the file system or the system does not
/// support it (nothing was written then).
#[cfg(any(target_os = "linux", target_os = "android"))]
fn write_unnamed(path: &Path, bytes: &[u8], force: bool) -> Option<Result<()>> {
    use rustix::fs::{linkat, openat, unlinkat, AtFlags, Mode, OFlags, CWD};
    use rustix::io::Errno;
    use std::os::fd::AsRawFd;

    let dir = parent_dir(path);
    let name = path.file_name()?;
    let dirfd = match File::open(dir) {
        Ok(d) => d,
        Err(e) => return Some(Err(CliError::io("open directory", dir, &e))),
    };
    let fd = match openat(
        &dirfd,
        ".",
        OFlags::TMPFILE | OFlags::RDWR | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o600),
    ) {
        Ok(fd) => fd,
        Err(Errno::OPNOTSUPP | Errno::ISDIR | Errno::NOENT | Errno::INVAL) => return None,
        Err(e) => return Some(Err(CliError::io("write", path, &e.into()))),
    };
    let proc_path = format!("/proc/self/fd/{}", fd.as_raw_fd());
    if std::fs::symlink_metadata(&proc_path).is_err() {
        return None;
    }
    let mut file = File::from(fd);
    let io = |e: std::io::Error| CliError::io("write", path, &e);
    let written = (|| -> Result<()> {
        file.write_all(bytes).map_err(io)?;
        failpoint::hit(Point::AfterWrite);
        file.sync_all().map_err(io)?;
        failpoint::hit(Point::AfterFsync);
        let mut back = Zeroizing::new(Vec::with_capacity(bytes.len()));
        use std::io::{Seek, SeekFrom};
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        (&mut file)
            .take(bytes.len() as u64 + 1)
            .read_to_end(&mut back)
            .map_err(io)?;
        if back.as_slice() != bytes {
            return Err(not_as_written(path));
        }
        failpoint::hit(Point::BeforeRename);
        // The last moment to stop on a signal with nothing written.
        crate::signals::check()?;
        if force {
            match unlinkat(&dirfd, name, AtFlags::empty()) {
                Ok(()) | Err(Errno::NOENT) => {}
                Err(e) => return Err(CliError::io("replace", path, &e.into())),
            }
        }
        match linkat(
            CWD,
            proc_path.as_str(),
            &dirfd,
            name,
            AtFlags::SYMLINK_FOLLOW,
        ) {
            Ok(()) => {}
            Err(Errno::EXIST) => return Err(exists(path)),
            Err(e) => return Err(CliError::io("write", path, &e.into())),
        }
        failpoint::hit(Point::AfterRename);
        dirfd
            .sync_all()
            .map_err(|e| CliError::io("sync directory", dir, &e))
    })();
    Some(written)
}

/// Writes a small bookkeeping file (not a vault, backup or secret) atomically, with the
/// steps of [`write_atomic`] — a temporary file (mode 0600) in the same directory, written,
/// fsynced, renamed over `path`, the directory fsynced — but without its failpoints: a
/// test that aborts at a vault's write steps must reach that vault's write.
///
/// # Errors
/// Exit 3 on I/O errors; nothing is left at `path` but the old file or the new one.
pub fn write_bookkeeping(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = parent_dir(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(".airvault-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| CliError::io("create a file in", dir, &e))?;
    set_private(tmp.as_file(), tmp.path())?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.flush())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| CliError::io("write", path, &e))?;
    tmp.persist(path)
        .map_err(|e| CliError::io("write", path, &e.error))?;
    sync_dir(dir)
}

/// An unnamed scratch file (mode 0600) in the directory `path` goes into, for writing
/// something out before it is transformed into `path`; it is gone once closed, and leaves
/// no name behind even if the process dies.
///
/// # Errors
/// Exit 3 if it cannot be created.
pub fn scratch_file(path: &Path) -> Result<File> {
    let dir = parent_dir(path);
    let f = tempfile::tempfile_in(dir).map_err(|e| CliError::io("create a file in", dir, &e))?;
    set_private(&f, dir)?;
    Ok(f)
}

/// The error of a file that does not read back as it was written.
#[must_use]
pub fn not_as_written(path: &Path) -> CliError {
    CliError::new(
        Exit::Io,
        format!("{} did not read back as written", show(path)),
    )
    .hint("the medium may be failing; write to another one")
}

/// [`write_atomic`] for a writer that produces the file itself (`write` gets the empty
/// temporary file, and may seek in it) and a `check` that reads the temporary file back
/// from its path (with what `write` returned): the same steps, without the file's bytes in
/// memory.
///
/// # Errors
/// As [`write_atomic`], and whatever `write` or `check` return.
pub fn write_atomic_with<T>(
    path: &Path,
    force: bool,
    write: impl FnOnce(&mut File) -> Result<T>,
    check: impl FnOnce(&Path, T) -> Result<()>,
) -> Result<()> {
    check_writable(path, force)?;
    // A command that changes a vault holds its lock from here at the latest.
    crate::lock::enter()?;
    let dir = parent_dir(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(".airvault-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| CliError::io("create a file in", dir, &e))?;
    set_private(tmp.as_file(), tmp.path())?;
    let written = write(tmp.as_file_mut())?;
    tmp.flush().map_err(|e| CliError::io("write", path, &e))?;
    failpoint::hit(Point::AfterWrite);
    tmp.as_file()
        .sync_all()
        .map_err(|e| CliError::io("write", path, &e))?;
    failpoint::hit(Point::AfterFsync);
    check(tmp.path(), written)?;
    failpoint::hit(Point::BeforeRename);
    // The last moment to stop on a signal with nothing written (the temporary file goes
    // with `tmp`).
    crate::signals::check()?;
    let persisted = if force {
        tmp.persist(path)
    } else {
        tmp.persist_noclobber(path)
    };
    persisted.map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            exists(path)
        } else {
            CliError::io("write", path, &e.error)
        }
    })?;
    failpoint::hit(Point::AfterRename);
    sync_dir(dir)
}

#[cfg(unix)]
fn set_private(f: &File, path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    f.set_permissions(fs::Permissions::from_mode(0o600))
        .map_err(|e| CliError::io("set permissions on", path, &e))
}

#[cfg(not(unix))]
fn set_private(_f: &File, _path: &Path) -> Result<()> {
    Ok(())
}

/// Fsyncs a directory so that a rename in it survives a crash.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| CliError::io("sync directory", dir, &e))
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> Result<()> {
    Ok(())
}

/// Creates the directory a new vault goes into (mode 0700) if it does not exist.
///
/// # Errors
/// Exit 3 if it cannot be created.
pub fn ensure_parent_dir(path: &Path) -> Result<()> {
    let dir = parent_dir(path);
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| CliError::io("create directory", dir, &e))
}

//! Reading and writing files: bounded reads, crash-safe atomic writes with mode 0600 that
//! never replace an existing file unless asked, and the default vault location.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

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

/// Reads a whole vault or backup file, refusing files larger than [`MAX_FILE_LEN`].
///
/// # Errors
/// Exit 3 if the file cannot be read, exit 6 if it is too large.
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    read_bounded(path, MAX_FILE_LEN)
}

/// Reads at most `max` bytes of `path`; larger files are refused (exit 6).
///
/// # Errors
/// As [`read_file`].
pub fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>> {
    let mut f = File::open(path).map_err(|e| CliError::io("read", path, &e))?;
    let meta = f.metadata().map_err(|e| CliError::io("read", path, &e))?;
    if meta.is_dir() {
        return Err(
            CliError::new(Exit::Io, format!("{} is a directory", show(path))).hint("name a file"),
        );
    }
    if meta.len() > max {
        return Err(too_large(path, max));
    }
    let mut buf = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    (&mut f)
        .take(max + 1)
        .read_to_end(&mut buf)
        .map_err(|e| CliError::io("read", path, &e))?;
    if buf.len() as u64 > max {
        return Err(too_large(path, max));
    }
    Ok(buf)
}

/// An open vault or backup file whose first header copy has been read: for readers that
/// go through the rest once, in order, without holding the whole file.
#[derive(Debug)]
pub struct Head {
    /// The file, positioned just after the first header copy.
    pub file: File,
    /// The first header copy (its length as the fixed part declares it).
    pub bytes: Vec<u8>,
    /// The file's length.
    pub len: u64,
}

/// Opens `path` and reads its first header copy, if it starts like a binary airvault file
/// (the magic, a header length the file can hold). `None` for anything else — armor, a
/// directory, a missing or unreadable file, a file over [`MAX_FILE_LEN`] — which the
/// caller then reads whole the usual way, with the usual errors.
#[must_use]
pub fn read_head(path: &Path) -> Option<Head> {
    use vault_core::constants::{HEADER_FIXED_LEN, MAGIC};
    let mut file = File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() > MAX_FILE_LEN {
        return None;
    }
    let mut fixed = [0u8; HEADER_FIXED_LEN];
    file.read_exact(&mut fixed).ok()?;
    if fixed[..MAGIC.len()] != MAGIC {
        return None;
    }
    let header_len = u32::from_le_bytes([fixed[12], fixed[13], fixed[14], fixed[15]]) as usize;
    if header_len < HEADER_FIXED_LEN || header_len as u64 > meta.len() {
        return None;
    }
    let mut bytes = vec![0u8; header_len];
    bytes[..HEADER_FIXED_LEN].copy_from_slice(&fixed);
    file.read_exact(&mut bytes[HEADER_FIXED_LEN..]).ok()?;
    Some(Head {
        file,
        bytes,
        len: meta.len(),
    })
}

/// Files from this size on are read, hashed and checked on three threads by
/// [`read_hashing`]; smaller ones on the calling thread alone.
pub const PARALLEL_FROM: u64 = 1 << 20;

/// Bytes read at a time by [`read_hashing`] on one thread.
const SMALL_CHUNK: usize = 64 * 1024;

/// Bytes read at a time by [`read_hashing`] on three threads.
const CHUNK: usize = 256 * 1024;

/// Chunks in flight in [`read_hashing`]: one being read, the others being hashed or
/// checked.
const CHUNKS: usize = 4;

struct Chunk {
    buf: Vec<u8>,
    len: usize,
}

/// Reads `r` to its end once, in chunks, hands each chunk to `each` in order, and returns
/// the SHA-256 of `prefix` (bytes the caller already read from the same source) followed
/// by everything read. Three threads share the work: this one reads, one hashes, one runs
/// `each`, all over the same chunks, so that a check that hashes the data itself costs
/// about one pass of SHA-256 on a machine with two cores, not two passes plus the reading.
/// Memory: four 256 KiB chunks, whatever the file's size.
///
/// `each` returns `false` to stop early (the result is then `None`: nothing was hashed to
/// the end). `len_hint` is how many bytes are expected: below [`PARALLEL_FROM`] all of it
/// is done on this thread, where starting threads would cost more than they save.
///
/// # Errors
/// Read errors.
pub fn read_hashing(
    prefix: &[u8],
    r: &mut impl Read,
    len_hint: u64,
    mut each: impl FnMut(&[u8]) -> bool + Send,
) -> std::io::Result<Option<[u8; 32]>> {
    use sha2::{Digest, Sha256};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{mpsc, Arc};

    if len_hint < PARALLEL_FROM {
        let mut sha = Sha256::new();
        sha.update(prefix);
        let mut buf = vec![0u8; SMALL_CHUNK];
        loop {
            let n = match r.read(&mut buf) {
                Ok(0) => return Ok(Some(sha.finalize().into())),
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            sha.update(&buf[..n]);
            if !each(&buf[..n]) {
                return Ok(None);
            }
        }
    }
    let stopped = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (hash_tx, hash_rx) = mpsc::sync_channel::<Arc<Chunk>>(CHUNKS);
        let (each_tx, each_rx) = mpsc::sync_channel::<Arc<Chunk>>(CHUNKS);
        let (free_tx, free_rx) = mpsc::channel::<Arc<Chunk>>();
        let free_hashed = free_tx.clone();
        let hasher = scope.spawn(move || {
            let mut sha = Sha256::new();
            sha.update(prefix);
            for c in hash_rx {
                sha.update(&c.buf[..c.len]);
                // The reader may have stopped listening; the chunk is then simply dropped.
                let _ = free_hashed.send(c);
            }
            <[u8; 32]>::from(sha.finalize())
        });
        let stop = &stopped;
        let mut each = each;
        let checker = scope.spawn(move || {
            for c in each_rx {
                if !stop.load(Ordering::Relaxed) && !each(&c.buf[..c.len]) {
                    stop.store(true, Ordering::Relaxed);
                }
                let _ = free_tx.send(c);
            }
        });
        let mut spare: Vec<Chunk> = Vec::new();
        let mut made = 0;
        let outcome = loop {
            if stopped.load(Ordering::Relaxed) {
                break Ok(());
            }
            let mut chunk = match spare.pop() {
                Some(c) => c,
                None if made < CHUNKS => {
                    made += 1;
                    Chunk {
                        buf: vec![0; CHUNK],
                        len: 0,
                    }
                }
                // A chunk comes back once from each of the two workers; it is free when
                // the second has let go of it.
                None => match free_rx.recv() {
                    Ok(c) => match Arc::try_unwrap(c) {
                        Ok(c) => c,
                        Err(_) => continue,
                    },
                    Err(_) => break Err(std::io::Error::other("a worker thread stopped")),
                },
            };
            chunk.len = 0;
            while chunk.len < chunk.buf.len() {
                match r.read(&mut chunk.buf[chunk.len..]) {
                    Ok(0) => break,
                    Ok(n) => chunk.len += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            if chunk.len == 0 {
                break Ok(());
            }
            let chunk = Arc::new(chunk);
            if hash_tx.send(Arc::clone(&chunk)).is_err() || each_tx.send(chunk).is_err() {
                break Err(std::io::Error::other("a worker thread stopped"));
            }
        };
        drop(hash_tx);
        drop(each_tx);
        let digest = hasher
            .join()
            .map_err(|_| std::io::Error::other("the hashing thread failed"))?;
        checker
            .join()
            .map_err(|_| std::io::Error::other("the checking thread failed"))?;
        outcome?;
        Ok((!stopped.load(Ordering::Relaxed)).then_some(digest))
    })
}

/// Reads a secret-bearing file into memory that is wiped on drop, refusing more than
/// `max` bytes (exit 2: the input breaks a limit of the format).
///
/// # Errors
/// Exit 3 if the file cannot be read; exit 2 if it is larger than `max`.
pub fn read_secret_file(path: &Path, max: usize) -> Result<Zeroizing<Vec<u8>>> {
    let mut f = File::open(path).map_err(|e| CliError::io("read", path, &e))?;
    read_secret(&mut f, max).map_err(|e| match e {
        ReadSecretError::Io(e) => CliError::io("read", path, &e),
        ReadSecretError::TooLong => {
            CliError::usage(format!("{} holds more than {max} bytes", show(path)))
                .hint("an entry holds at most 65536 bytes")
        }
    })
}

/// Why [`read_secret`] failed.
#[derive(Debug)]
pub enum ReadSecretError {
    /// The reader failed.
    Io(std::io::Error),
    /// More than the allowed number of bytes.
    TooLong,
}

/// Reads at most `max` bytes from `r` into a buffer allocated once, so that no copy of the
/// secret is left behind by a reallocation.
///
/// # Errors
/// [`ReadSecretError`].
pub fn read_secret(r: &mut impl Read, max: usize) -> Result<Zeroizing<Vec<u8>>, ReadSecretError> {
    let mut buf = Zeroizing::new(vec![0u8; max + 1]);
    let mut n = 0;
    loop {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => {
                n += k;
                if n > max {
                    return Err(ReadSecretError::TooLong);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ReadSecretError::Io(e)),
        }
    }
    buf.truncate(n);
    Ok(buf)
}

/// The refusal of a file larger than `max` bytes (exit 6).
#[must_use]
pub fn too_large(path: &Path, max: u64) -> CliError {
    CliError::new(
        Exit::Unsupported,
        format!("{} is larger than {max} bytes", show(path)),
    )
    .hint("this is not an airvault file of any size airvault writes")
}

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

/// The final component of a path, for audit details and messages.
#[must_use]
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| show(path), |n| n.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

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

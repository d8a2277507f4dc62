//! Reading files: bounded, whole or the first header copy alone, hashed on the way, and
//! secrets read into memory that is wiped.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::*;

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
pub(super) const SMALL_CHUNK: usize = 64 * 1024;

/// Bytes read at a time by [`read_hashing`] on three threads.
pub(super) const CHUNK: usize = 256 * 1024;

/// Chunks in flight in [`read_hashing`]: one being read, the others being hashed or
/// checked.
pub(super) const CHUNKS: usize = 4;

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

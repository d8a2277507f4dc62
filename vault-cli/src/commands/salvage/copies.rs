//! The copies `salvage` is given: each opened in the first pass (an intact binary file one
//! record at a time, without even its header held while its records are read; anything
//! else read whole and kept decoded) and kept open to have its chosen records read again
//! in the second ([`Copies`]).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use vault_core::model::{CopyRecords, Salvage, Taken};
use vault_core::{Error, KdfLimits, SlotKind, VaultFile};
use zeroize::Zeroizing;

use super::super::{decode_container, Context, Encoding};
use crate::error::{CliError, Doing, Exit, Result};
use crate::files;
use crate::material::Recovered;
use crate::progress;

/// The secret the files are opened with.
pub(super) enum Key {
    Password(Zeroizing<String>),
    Recovery(Recovered),
}

impl Key {
    pub(super) fn kind(&self) -> SlotKind {
        match self {
            Key::Password(_) => SlotKind::Password,
            Key::Recovery(_) => SlotKind::Recovery,
        }
    }

    pub(super) fn secret(&self) -> &[u8] {
        match self {
            Key::Password(pw) => pw.as_bytes(),
            Key::Recovery(r) => r.secret.expose_secret(),
        }
    }
}

/// A copy read whole and decoded (binary or armored).
pub(super) fn load(path: &Path) -> Result<(Vec<u8>, Encoding)> {
    let raw = files::read_file(path)?;
    decode_container(raw, path)
}

/// The reason a file could not be opened, as a short phrase.
pub(super) fn unlock_reason(e: Error, key: &Key, path: &Path) -> (Exit, String) {
    match (e, key) {
        (Error::WrongSecret, Key::Password(_)) => (
            Exit::Authentication,
            "the password does not open it (a backup written with --new-password-file has \
             its own)"
                .to_owned(),
        ),
        (Error::WrongSecret, Key::Recovery(_)) => (
            Exit::Authentication,
            "the recovery secret given does not open it".to_owned(),
        ),
        (Error::NoSuchSlot, _) => (
            Exit::Authentication,
            "it has no keyslot of that kind".to_owned(),
        ),
        (other, _) => {
            let e = CliError::core(other, path, Doing::Restore);
            (e.exit(), e.what().to_owned())
        }
    }
}

/// A copy opened in the first pass, kept to read its chosen records again in the second.
pub(super) enum Copy {
    /// An intact binary file, read where each record lies.
    File(File),
    /// Any other copy, held as decoded.
    Held(Vec<u8>),
}

/// Every copy opened, by its index among the files given.
pub(super) struct Copies(pub(super) Vec<Option<Copy>>);

impl CopyRecords for Copies {
    fn read_at(&mut self, file: usize, offset: u64, buf: &mut [u8]) -> bool {
        match self.0.get_mut(file) {
            Some(Some(Copy::File(f))) => {
                f.seek(SeekFrom::Start(offset)).is_ok() && f.read_exact(buf).is_ok()
            }
            Some(Some(Copy::Held(bytes))) => [bytes].read_at(0, offset, buf),
            _ => false,
        }
    }
}

/// What opening one copy gave: what was taken, and the copy to read again.
pub(super) type Opened = std::result::Result<(Taken, Copy), (Exit, String)>;

/// Lists and opens one copy read whole (armored, damaged, or anything not read one record
/// at a time), and takes every record of it that opens.
pub(super) fn take_whole(
    merge: &mut Salvage,
    index: usize,
    path: &Path,
    key: &Key,
    ctx: &Context,
) -> Opened {
    let failed = |e: CliError| (e.exit(), e.what().to_owned());
    let (bytes, _) = load(path).map_err(failed)?;
    let taken = {
        let file = VaultFile::parse(&bytes, &KdfLimits::STANDARD)
            .map_err(|e| failed(CliError::core(e, path, Doing::Restore)))?;
        match progress::unlock(&file, key.kind(), key.secret(), ctx.progress) {
            Ok(unlocked) => merge.take_file(index, &unlocked),
            Err(e) => {
                merge.list(index, &file, None);
                return Err(unlock_reason(e, key, path));
            }
        }
    };
    Ok((taken, Copy::Held(bytes)))
}

/// Lists and opens one intact binary copy, reading it one record at a time so that it is
/// never held whole, nor its header while its records are read (the table rows are read
/// again beside them and checked together against the header at the end); `None`
/// (nothing taken) if its first header copy no longer reads as intact, for the caller to
/// read it whole.
pub(super) fn take_streaming(
    merge: &mut Salvage,
    index: usize,
    path: &Path,
    key: &Key,
    ctx: &Context,
) -> Option<Opened> {
    let head = files::read_head(path)?;
    let mut rows = {
        let file = VaultFile::parse(&head.bytes, &KdfLimits::STANDARD).ok()?;
        if file.header_copies().0 != vault_core::PartState::Intact {
            return None;
        }
        match progress::unlock(&file, key.kind(), key.secret(), ctx.progress) {
            Ok(unlocked) => merge.begin_rows(index, &unlocked),
            Err(e) => {
                merge.list(index, &file, None);
                return Some(Err(unlock_reason(e, key, path)));
            }
        }
    };
    let mut body = head.file;
    drop(head.bytes);
    let changed = || {
        (
            Exit::Corrupted,
            "it changed while it was being read".to_owned(),
        )
    };
    let table = File::open(path).and_then(|mut f| {
        f.seek(SeekFrom::Start(rows.table_offset()))?;
        Ok(f)
    });
    let Ok(table) = table else {
        merge.abandon(index);
        return Some(Err(changed()));
    };
    let mut table = std::io::BufReader::with_capacity(16 * 1024, table);
    let mut records = std::io::BufReader::with_capacity(16 * 1024, &mut body);
    let mut bytes = Zeroizing::new(vec![0u8; vault_core::constants::MAX_RECORD_LEN]);
    let mut readable = true;
    let mut taken = Taken::default();
    for _ in 0..rows.count() {
        let mut row = [0u8; vault_core::constants::TABLE_ENTRY_LEN];
        if table.read_exact(&mut row).is_err() {
            break;
        }
        let Some(at) = rows.row(&row) else {
            break;
        };
        let record = &mut bytes[..at.entry.length as usize];
        readable = readable && records.read_exact(record).is_ok();
        if merge.take_at(index, &at, readable.then_some(&record[..])) {
            taken.opened += 1;
        } else {
            taken.failed.push(at.index);
        }
    }
    if !rows.finish() {
        merge.abandon(index);
        return Some(Err(changed()));
    }
    drop(records);
    Some(Ok((taken, Copy::File(body))))
}

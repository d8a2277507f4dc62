//! Rewriting the vault around its keyslots: `passwd` and `rotate-master` (a new master key,
//! every record re-encrypted; `passwd` keeps the master key, copying records unchanged, only
//! when other password keyslots would be locked out), and `recover`. Each
//! append one audit event, and the new file is read back and checked — it opens with every
//! new keyslot and holds exactly the old records plus that event — before it atomically
//! replaces the vault. An intact vault is read one record at a time while the new file is
//! written (`stream_rewrite`, on the core's `StreamWriter`); anything else is read whole
//! and rewritten with the core's [`UnlockedVault::rewrite`].

use std::path::Path;

use rand_core::{OsRng, RngCore};
use vault_core::constants::{META_LEN, SALT_LEN, VAULT_ID_LEN};
use vault_core::{
    AuditEvent, AuditOp, Error, HeaderParams, KdfLimits, Meta, PartState, Record, RecordRef,
    Rewrite, SealedSlot, SlotKdf, SlotKey, SlotKind, StreamWriter, UnlockedVault, VaultFile,
    VaultMasterKey,
};
use zeroize::Zeroizing;

use crate::commands::{check_intact, read_vault_bytes, Context};
use crate::error::{show, CliError, Doing, Exit, Result};
use crate::files;
use crate::generations::Stamp;
use crate::model::{OwnedEntry, OwnedEvent, ReadSource};
use crate::progress::{self, Progress};
use vault_core::model::{meta_after_rewrite, read_meta, RecordReader};

/// The vault file opened with its password: the unlocked file, its metadata record and the
/// password that opened it.
pub(crate) struct Opened<'a> {
    /// The unlocked file.
    pub unlocked: UnlockedVault<'a>,
    /// Its metadata record.
    pub meta: Meta,
    /// The password that opened it.
    pub password: Zeroizing<String>,
}

/// Parses `bytes` (the vault at `ctx.vault`), asks for the password (unless `password`
/// was read already) and opens it.
///
/// # Errors
/// Exit 4 for a wrong password, 5/6 as the core reports.
pub(crate) fn open_with<'a>(
    ctx: &Context,
    bytes: &'a [u8],
    password: Option<Zeroizing<String>>,
) -> Result<Opened<'a>> {
    let path = &ctx.vault;
    let file = VaultFile::parse(bytes, &KdfLimits::STANDARD)
        .map_err(|e| CliError::core(e, path, Doing::Vault))?;
    if !file.verify().is_intact() {
        ctx.warn(&format!(
            "{} is damaged; it is rewritten whole only if every record still opens",
            show(path)
        ));
    }
    let password = match password {
        Some(pw) => pw,
        None => ctx.password.read(&files::file_name(path))?,
    };
    let unlocked = progress::unlock(&file, SlotKind::Password, password.as_bytes(), ctx.progress)
        .map_err(|e| CliError::core(e, path, Doing::Vault))?;
    ctx.seen.opened(path, Stamp::of(&file));
    let meta = read_meta(&unlocked).map_err(|e| CliError::core(e, path, Doing::Vault))?;
    Ok(Opened {
        unlocked,
        meta,
        password,
    })
}

/// Seals `vmk` in a new keyslot under `secret` with a fresh salt, and returns the slot key
/// too, so that the written file can be checked to open with it without another KDF run.
///
/// # Errors
/// [`Error::KdfCostRefused`] / [`Error::Argon2CostRefused`] if the cost is outside the
/// format's bounds; [`Error::KdfMemoryUnavailable`] if Argon2id's memory cannot be had.
pub(crate) fn seal(
    kind: SlotKind,
    secret: &[u8],
    kdf: SlotKdf,
    vmk: &VaultMasterKey,
    vault_id: &[u8; VAULT_ID_LEN],
    progress: Progress,
) -> Result<(SealedSlot, SlotKey), Error> {
    let mut salt = [0u8; SALT_LEN];
    OsRng.fill_bytes(&mut salt);
    let key = progress::derive_kdf(secret, &salt, kdf, progress::sealing_label(kind), progress)?;
    let slot = SealedSlot::seal_with_kdf_key(kind, kdf, salt, &key, vmk, vault_id, &mut OsRng)?;
    Ok((slot, key))
}

/// Rewrites the opened vault as `rw` says and replaces the file at `ctx.vault` with the
/// result, atomically, once it has been read back, checked keylessly, opened through each
/// of `keys` (keyslot index and slot key) and compared record by record with the vault it
/// replaces.
///
/// # Errors
/// Exit 5 if a record of the vault does not open (nothing is written) or the new file does
/// not check out (nothing is replaced); exit 3 on write errors.
pub(crate) fn write(
    ctx: &Context,
    unlocked: &UnlockedVault<'_>,
    rw: &Rewrite<'_>,
    keys: &[(usize, &SlotKey)],
) -> Result<()> {
    let path = &ctx.vault;
    let len = unlocked
        .rewrite_len(rw)
        .map_err(|e| CliError::core(e, path, Doing::Write))?;
    let mut out = vec![0u8; len];
    let mut scratch = Zeroizing::new(vec![0u8; unlocked.scratch_len()]);
    let n = unlocked
        .rewrite(&mut out, &mut scratch, rw, &mut OsRng)
        .map_err(|e| CliError::core(e, path, Doing::Vault))?;
    out.truncate(n);
    files::write_atomic(path, &out, true, |written| {
        check_intact(written, path)?;
        check_rewritten(written, unlocked, rw, keys).map_err(|what| {
            CliError::new(
                Exit::Corrupted,
                format!(
                    "{} did not read back as meant after rewriting: {what}",
                    show(path)
                ),
            )
            .hint("nothing was replaced; the medium may be failing")
        })
    })
}

/// Opens `written` through every new keyslot and compares it with the vault it replaces,
/// by the core's rule ([`vault_core::model::check_rewritten`]).
fn check_rewritten(
    written: &[u8],
    old: &UnlockedVault<'_>,
    rw: &Rewrite<'_>,
    keys: &[(usize, &SlotKey)],
) -> std::result::Result<(), String> {
    let file = VaultFile::parse(written, &KdfLimits::STANDARD).map_err(|e| e.to_string())?;
    vault_core::model::check_rewritten(&file, old, rw, keys).map_err(|m| m.to_string())
}

/// An audit event about the vault as a whole (no entry), following `meta`'s chain head.
pub(crate) fn vault_event<'d>(
    meta: &Meta,
    op: vault_core::AuditOp,
    time: u64,
    detail: &'d str,
) -> AuditEvent<'d> {
    AuditEvent {
        seq: meta.audit_next_seq,
        time,
        op,
        entry_id: [0; vault_core::constants::ENTRY_ID_LEN],
        version: 0,
        kcv: vault_core::Kcv::default(),
        kcv_showable: false,
        prev_hash: meta.audit_head,
        name: "",
        detail,
    }
}

/// What a rewrite puts in the new file, decided once the old file's metadata is open: the
/// same for the streaming and the whole-file path, so that falling back to the whole file
/// asks for nothing twice and seals nothing twice.
pub(crate) struct Plan {
    /// The new header's public fields.
    pub params: HeaderParams,
    /// The new file's keyslots.
    pub slots: Vec<SealedSlot>,
    /// The new keyslots to check the written file with: index and slot key.
    pub keys: Vec<(usize, SlotKey)>,
    /// A new master key (every record re-encrypted), or `None` (records copied).
    pub new_master_key: Option<VaultMasterKey>,
    /// The audit event appended: what, when, and its detail.
    pub op: AuditOp,
    /// Unix seconds of the event.
    pub time: u64,
    /// The event's detail.
    pub detail: String,
}

impl Plan {
    /// The core's rewrite request for a file whose metadata record is `meta`.
    pub fn rewrite<'a>(&'a self, meta: &Meta) -> Rewrite<'a> {
        Rewrite {
            params: self.params,
            slots: &self.slots,
            new_master_key: self.new_master_key.as_ref(),
            event: Some(vault_event(meta, self.op, self.time, &self.detail)),
        }
    }

    /// The vault id and generation of the file this plan writes.
    pub fn stamp(&self) -> Stamp {
        Stamp {
            vault_id: self.params.vault_id,
            generation: self.params.generation,
        }
    }

    fn key_refs(&self) -> Vec<(usize, &SlotKey)> {
        self.keys.iter().map(|(i, k)| (*i, k)).collect()
    }
}

/// `passwd` and `rotate-master`: opens the vault at `ctx.vault` with its password, lets
/// `plan` decide the new file from the unlocked file, its metadata and the password, and
/// replaces the vault with the rewritten file (see [`write()`]).
///
/// An intact vault (checked keylessly first, in one pass) is read one record at a time
/// while the new file is written, and never held whole; anything else — or anything not
/// as expected on the way — goes the whole-file way, which reports exactly what is wrong.
///
/// # Errors
/// Those of [`open_with`], `plan` and [`write()`].
pub(crate) fn rekey<T, F>(ctx: &Context, plan: F) -> Result<T>
where
    F: FnOnce(&UnlockedVault<'_>, &Meta, &Zeroizing<String>) -> Result<(Plan, T)>,
{
    if std::fs::symlink_metadata(&ctx.vault).is_err() {
        // No vault: say so before asking for its password.
        read_vault_bytes(&ctx.vault)?;
    }
    // The password first (again if mistyped on the terminal), then the lock, then the
    // vault as it is now.
    let mut plan = Some(plan);
    crate::input::with_retries(&ctx.password, &files::file_name(&ctx.vault), |given| {
        crate::lock::enter()?;
        let once = Context {
            password: given.clone(),
            ..ctx.clone()
        };
        rekey_once(&once, &mut plan)
    })
}

fn rekey_once<T, F>(ctx: &Context, plan: &mut Option<F>) -> Result<T>
where
    F: FnOnce(&UnlockedVault<'_>, &Meta, &Zeroizing<String>) -> Result<(Plan, T)>,
{
    let path = &ctx.vault;
    let mut password = None;
    let mut planned = None;
    if let Some(mut head) = crate::commands::intact_streaming(path) {
        if let Some(file) = intact_head(&head.bytes) {
            let pw = ctx.password.read(&files::file_name(path))?;
            let unlocked = progress::unlock(&file, SlotKind::Password, pw.as_bytes(), ctx.progress)
                .map_err(|e| CliError::core(e, path, Doing::Vault))?;
            ctx.seen.opened(path, Stamp::of(&file));
            let mut src = Source::new(&file, &unlocked, &mut head.file);
            if let Some(meta) = src.meta() {
                let Some(plan) = plan.take() else {
                    return Err(CliError::core(
                        Error::Malformed { reason: "no plan" },
                        path,
                        Doing::Vault,
                    ));
                };
                let (p, report) = plan(&unlocked, &meta, &pw)?;
                let mismatch = |what: String| {
                    CliError::new(
                        Exit::Corrupted,
                        format!(
                            "{} did not read back as meant after rewriting: {what}",
                            show(path)
                        ),
                    )
                    .hint("nothing was replaced; the medium may be failing")
                };
                if stream_rewrite(src, meta, &p, path, path, true, mismatch)?.is_some() {
                    ctx.seen.written(path, p.stamp());
                    return Ok(report);
                }
                planned = Some((p, report));
            }
            password = Some(pw);
        }
    }
    let bytes = read_vault_bytes(path)?;
    let opened = open_with(ctx, &bytes, password)?;
    let (p, report) = match (planned, plan.take()) {
        (Some(done), _) => done,
        (None, Some(plan)) => plan(&opened.unlocked, &opened.meta, &opened.password)?,
        (None, None) => {
            return Err(CliError::core(
                Error::Malformed { reason: "no plan" },
                path,
                Doing::Vault,
            ))
        }
    };
    write(
        ctx,
        &opened.unlocked,
        &p.rewrite(&opened.meta),
        &p.key_refs(),
    )?;
    ctx.seen.written(path, p.stamp());
    Ok(report)
}

/// The first header copy parsed, if it is intact.
pub(crate) fn intact_head(head: &[u8]) -> Option<VaultFile<'_>> {
    let file = VaultFile::parse(head, &KdfLimits::STANDARD).ok()?;
    (file.header_copies().0 == PartState::Intact).then_some(file)
}

/// A file being read one record at a time after its first header copy: the core's
/// [`RecordReader`] (each record authenticated and decoded with the unlocked header, and
/// everything read checked keylessly) over the file.
pub(crate) struct Source<'f, 'u> {
    file: &'f VaultFile<'f>,
    unlocked: &'u UnlockedVault<'f>,
    reader: RecordReader<'u, 'f, ReadSource<std::io::BufReader<&'u mut std::fs::File>>>,
}

impl<'f, 'u> Source<'f, 'u> {
    /// Reads `rest`, positioned just after the first header copy of `file`.
    pub fn new(
        file: &'f VaultFile<'f>,
        unlocked: &'u UnlockedVault<'f>,
        rest: &'u mut std::fs::File,
    ) -> Self {
        let rest = ReadSource::new(std::io::BufReader::with_capacity(16 * 1024, rest));
        Self {
            file,
            unlocked,
            reader: RecordReader::new(unlocked, rest),
        }
    }

    /// The metadata record, which must come first; `None` if it does not open.
    pub fn meta(&mut self) -> Option<Meta> {
        let first = self.file.records().next()?;
        match self.next(&first)? {
            (Record::Meta(m), _) => Some(m),
            _ => None,
        }
    }

    /// Reads record `r` (the next one) and opens it; `None` if it cannot be read or does
    /// not open. Returns the record and its bytes.
    fn next(&mut self, r: &RecordRef<'_>) -> Option<(Record<'_>, &[u8])> {
        self.reader.open_with_bytes(r).ok()
    }

    /// Reads the rest of the file (the second header copy and the trailer): whether
    /// everything read was intact.
    fn finish(self) -> bool {
        self.reader.finish().is_some_and(|v| v.is_intact())
    }
}

/// Entries (distinct ids) and entry versions of a file.
pub(crate) type Counts = (usize, usize);

/// Writes the file `src` reads (its metadata record `meta` already read) rewritten as
/// `plan` says into `out`, atomically, one record at a time: records copied unchanged
/// under the same master key, re-encrypted under a new one, then the plan's audit event.
/// Before the rename the new file is checked back as [`write()`] checks it — keylessly,
/// its first header copy byte for byte, then opened through each of the plan's keyslots
/// and compared record by record with the file it was written from (read again from
/// `src_path`); `mismatch` makes the error for a difference. Returns `Ok(None)`, having
/// written nothing, if anything read from `src` was not intact or did not open, for the
/// caller to go the whole-file way.
///
/// # Errors
/// Exit 3 on write errors; exit 5 if the written file does not check out (nothing is
/// replaced).
pub(crate) fn stream_rewrite(
    mut src: Source<'_, '_>,
    meta: Meta,
    plan: &Plan,
    src_path: &Path,
    out: &Path,
    force: bool,
    mismatch: impl Fn(String) -> CliError,
) -> Result<Option<Counts>> {
    use std::io::{Seek, SeekFrom, Write};
    let fallback = std::cell::Cell::new(false);
    let give_up = || {
        fallback.set(true);
        CliError::new(Exit::Corrupted, "the vault changed while it was read")
    };
    let old = src.unlocked;
    let file = *src.file;
    let event = plan.rewrite(&meta).event.ok_or_else(give_up)?;
    let mut new_meta = meta.clone();
    new_meta.audit_next_seq = event.seq.checked_add(1).ok_or_else(give_up)?;
    new_meta.audit_head = event.hash();
    let record_count = file.header().record_count() + 1;
    let vmk = plan.new_master_key.as_ref().unwrap_or(old.master_key());
    let io = |e: std::io::Error| CliError::io("write", out, &e);
    let mut counts = (0, 0);
    let result = files::write_atomic_with(
        out,
        force,
        |f| {
            let core = |e| CliError::core(e, out, Doing::Write);
            let header_len = vault_core::format::header_len(plan.slots.len(), record_count)
                .ok_or(Error::InvalidInput {
                    reason: "too many keyslots or records",
                })
                .map_err(core)?;
            let mut header = vec![0u8; header_len];
            let mut w =
                StreamWriter::new(&mut header, vmk, &plan.params, &plan.slots, record_count)
                    .map_err(core)?;
            let largest = file
                .records()
                .map(|r| r.entry.length as usize)
                .chain([event.plaintext_len(), META_LEN].map(vault_core::format::record_len))
                .max()
                .unwrap_or(0);
            let mut rec = Zeroizing::new(vec![0u8; largest]);
            f.seek(SeekFrom::Start(header_len as u64)).map_err(io)?;
            let mut body = std::io::BufWriter::with_capacity(16 * 1024, &mut *f);
            let n = w.push_meta(&new_meta, &mut OsRng, &mut rec).map_err(core)?;
            body.write_all(&rec[..n]).map_err(io)?;
            // Copied unchanged only under the same master key and between files of the
            // current format version (a version-1 entry stores its check value otherwise).
            let verbatim = plan.new_master_key.is_none()
                && file.header().version() == vault_core::constants::FORMAT_VERSION;
            for r in file.records().skip(1) {
                let (record, bytes) = src.next(&r).ok_or_else(give_up)?;
                let pushed = match (verbatim, record) {
                    (true, _) => w.push_verbatim(&r.with_bytes(bytes), &mut rec),
                    (false, Record::Entry(e)) => w.push_entry(&e, &mut OsRng, &mut rec),
                    (false, Record::Audit(a)) => w.push_audit(&a, &mut OsRng, &mut rec),
                    (false, Record::Meta(_)) => return Err(give_up()),
                };
                let n = pushed.map_err(|_| give_up())?;
                body.write_all(&rec[..n]).map_err(io)?;
            }
            let n = w.push_audit(&event, &mut OsRng, &mut rec).map_err(core)?;
            body.write_all(&rec[..n]).map_err(io)?;
            if !src.finish() {
                return Err(give_up());
            }
            let (head, trailer) = w.finish().map_err(core)?;
            body.write_all(head).map_err(io)?;
            body.write_all(&trailer).map_err(io)?;
            body.flush().map_err(io)?;
            drop(body);
            f.seek(SeekFrom::Start(0)).map_err(io)?;
            f.write_all(head).map_err(io)?;
            Ok(header)
        },
        |tmp, header| {
            crate::commands::check_written(tmp, &header, out)?;
            counts = compare_streaming(tmp, &header, old, src_path, &new_meta, &event, plan)
                .map_err(&mismatch)?;
            Ok(())
        },
    );
    match result {
        Ok(()) => Ok(Some(counts)),
        Err(_) if fallback.get() => Ok(None),
        Err(e) => Err(e),
    }
}

/// The streaming [`check_rewritten`]: opens the file just written at `tmp` (first header
/// copy `header`) through each of the plan's keyslots, and reads it alongside the file it
/// was written from (`src_path`, unlocked as `old`), comparing them record by record: the
/// same records in the same order, the metadata record with its audit fields following
/// `event`, then exactly `event`. Returns the entries and versions.
fn compare_streaming(
    tmp: &Path,
    header: &[u8],
    old: &UnlockedVault<'_>,
    src_path: &Path,
    new_meta: &Meta,
    event: &AuditEvent<'_>,
    plan: &Plan,
) -> std::result::Result<Counts, String> {
    use std::io::Read;
    let file = VaultFile::parse(header, &KdfLimits::STANDARD).map_err(|e| e.to_string())?;
    let mut opened = None;
    for (index, key) in &plan.keys {
        let unlocked = file
            .unlock_with_slot_key(*index, key)
            .map_err(|e| format!("keyslot {index}: {e}"))?;
        opened = Some(unlocked);
    }
    let new = opened.ok_or("no keyslot was checked")?;
    let want_key = plan.new_master_key.as_ref().unwrap_or(old.master_key());
    if new.master_key().expose_secret() != want_key.expose_secret() {
        return Err("a keyslot holds the wrong master key".into());
    }
    let old_count = old.file().header().record_count();
    let new_count = file.header().record_count();
    if new_count != old_count + 1 {
        return Err(format!("{new_count} records where {old_count} were"));
    }
    let read_err = |e: std::io::Error| e.to_string();
    let mut new_file = std::fs::File::open(tmp).map_err(read_err)?;
    let mut old_file = std::fs::File::open(src_path).map_err(read_err)?;
    let skip = |f: &mut std::fs::File, n: usize| -> std::result::Result<(), String> {
        std::io::copy(&mut f.take(n as u64), &mut std::io::sink())
            .map_err(read_err)
            .and_then(|k| {
                if k == n as u64 {
                    Ok(())
                } else {
                    Err("the file ends early".to_owned())
                }
            })
    };
    skip(&mut new_file, header.len())?;
    skip(&mut old_file, old.file().header().len())?;
    let mut new_src = Source::new(&file, &new, &mut new_file);
    let mut old_src = Source::new(old.file(), old, &mut old_file);
    let mut versions = 0;
    let mut entries = 0;
    let mut last_id = None;
    let mut new_records = file.records();
    for (ro, rn) in old.file().records().zip(new_records.by_ref()) {
        let x = old_src.next(&ro).map(|(r, _)| r);
        let Some(x) = x else {
            return Err(format!(
                "record {} of the vault does not read again",
                ro.index
            ));
        };
        // Only one record of each file is open at a time; compare owned copies.
        let x = OwnedRecord::from(x);
        let (y, _) = new_src
            .next(&rn)
            .ok_or_else(|| format!("record {} does not open", rn.index))?;
        let same = match (&x, &y) {
            (OwnedRecord::Meta(m), Record::Meta(n)) => {
                meta_after_rewrite(m, n, Some(event))
                    && n.audit_next_seq == new_meta.audit_next_seq
                    && n.audit_head == new_meta.audit_head
            }
            (OwnedRecord::Entry(e), Record::Entry(f)) => {
                versions += 1;
                if last_id != Some(f.id) {
                    entries += 1;
                    last_id = Some(f.id);
                }
                e.view() == *f
            }
            (OwnedRecord::Audit(e), Record::Audit(f)) => e.view() == *f,
            _ => false,
        };
        if !same {
            return Err(format!("record {} differs", ro.index));
        }
    }
    let last = new_records.next().ok_or("the new audit event is missing")?;
    match new_src.next(&last) {
        Some((Record::Audit(e), _)) if e == *event => {}
        _ => return Err("the new audit event differs".into()),
    }
    if !new_src.finish() {
        return Err("it is not intact".into());
    }
    Ok((entries, versions))
}

/// One record, owned (its secret wiped on drop), to compare with a record of another file.
enum OwnedRecord {
    Meta(Meta),
    Entry(OwnedEntry),
    Audit(OwnedEvent),
}

impl From<Record<'_>> for OwnedRecord {
    fn from(r: Record<'_>) -> Self {
        match r {
            Record::Meta(m) => Self::Meta(m),
            Record::Entry(e) => Self::Entry(OwnedEntry::from_view(&e)),
            Record::Audit(a) => Self::Audit(OwnedEvent::from_view(&a)),
        }
    }
}

//! The vault as the command line holds it between reading and writing: every record
//! opened into owned structures whose secrets are wiped on drop, changed in memory, and
//! written back as a whole new file (fresh IVs for every record) through the core's writer.

use std::fmt;

use rand_core::{OsRng, RngCore};
use vault_core::constants::{ENTRY_ID_LEN, MAX_AUDIT_DETAIL_LEN, MAX_RECORD_LEN, VAULT_ID_LEN};
use vault_core::{
    AuditEvent, AuditOp, CheckKey, Entry, EntryKind, EntryStatus, Error, HeaderParams, Kcv, Layout,
    Meta, Record, SealedSlot, SlotKind, StreamWriter, UnlockedVault, VaultFile, VaultMasterKey,
    VaultWriter, Verification,
};
use zeroize::Zeroizing;

use crate::progress::{self, Progress};

/// One version of one entry, owned; the secret is wiped on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct OwnedEntry {
    /// Stable random id shared by every version.
    pub id: [u8; ENTRY_ID_LEN],
    /// Version, from 1.
    pub version: u32,
    /// What the secret is.
    pub kind: EntryKind,
    /// Active or retired.
    pub status: EntryStatus,
    /// Unique name.
    pub name: String,
    /// The secret.
    pub secret: Zeroizing<Vec<u8>>,
    /// When the first version was created (Unix seconds).
    pub created_at: u64,
    /// When this version was made (Unix seconds).
    pub rotated_at: u64,
    /// Rotation policy in days (0: the vault's default).
    pub policy_days: u32,
}

impl fmt::Debug for OwnedEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedEntry")
            .field("name", &self.name)
            .field("version", &self.version)
            .field("kind", &self.kind)
            .field("status", &self.status)
            .field("secret_len", &self.secret.len())
            .finish_non_exhaustive()
    }
}

impl OwnedEntry {
    /// A borrowed view for the core's writer.
    #[must_use]
    pub fn view(&self) -> Entry<'_> {
        Entry {
            id: self.id,
            version: self.version,
            kind: self.kind,
            status: self.status,
            name: &self.name,
            secret: &self.secret,
            created_at: self.created_at,
            rotated_at: self.rotated_at,
            policy_days: self.policy_days,
        }
    }

    pub(crate) fn from_view(e: &Entry<'_>) -> Self {
        Self {
            id: e.id,
            version: e.version,
            kind: e.kind,
            status: e.status,
            name: e.name.to_owned(),
            secret: Zeroizing::new(e.secret.to_vec()),
            created_at: e.created_at,
            rotated_at: e.rotated_at,
            policy_days: e.policy_days,
        }
    }

    /// The check value to show for this version (see [`Entry::check_value`]): `None` for a
    /// low-entropy secret of a vault without a check key (a format version 1 file).
    #[must_use]
    pub fn check_value(&self, check_key: Option<&CheckKey>) -> Option<Kcv> {
        self.view().check_value(check_key)
    }

    /// [`OwnedEntry::check_value`] as printed: eight hex digits, or `-` when there is none.
    #[must_use]
    pub fn check_text(&self, check_key: Option<&CheckKey>) -> String {
        self.check_value(check_key)
            .map_or_else(|| "-".to_owned(), |k| k.to_string())
    }
}

/// One audit event, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedEvent {
    /// Position in the chain.
    pub seq: u32,
    /// Unix seconds.
    pub time: u64,
    /// What happened.
    pub op: AuditOp,
    /// Entry concerned, or zero.
    pub entry_id: [u8; ENTRY_ID_LEN],
    /// Entry version concerned, or 0.
    pub version: u32,
    /// Check value of that version, or zero.
    pub kcv: Kcv,
    /// Whether `kcv` may be shown ([`AuditEvent::kcv_showable`]).
    pub kcv_showable: bool,
    /// Hash of the previous event.
    pub prev_hash: [u8; 32],
    /// Entry name, or empty.
    pub name: String,
    /// Short detail (a file name), never a secret.
    pub detail: String,
}

impl OwnedEvent {
    /// A borrowed view for the core's writer and hash.
    #[must_use]
    pub fn view(&self) -> AuditEvent<'_> {
        AuditEvent {
            seq: self.seq,
            time: self.time,
            op: self.op,
            entry_id: self.entry_id,
            version: self.version,
            kcv: self.kcv,
            kcv_showable: self.kcv_showable,
            prev_hash: self.prev_hash,
            name: &self.name,
            detail: &self.detail,
        }
    }

    pub(crate) fn from_view(e: &AuditEvent<'_>) -> Self {
        Self {
            seq: e.seq,
            time: e.time,
            op: e.op,
            entry_id: e.entry_id,
            version: e.version,
            kcv: e.kcv,
            kcv_showable: e.kcv_showable,
            prev_hash: e.prev_hash,
            name: e.name.to_owned(),
            detail: e.detail.to_owned(),
        }
    }
}

/// An opened vault (or backup): keys, header fields, metadata, entries and audit trail.
pub struct Vault {
    /// Random id fixed at creation, kept by every backup.
    pub vault_id: [u8; VAULT_ID_LEN],
    /// Write counter of the file this was read from (or will be written as).
    pub generation: u64,
    /// The master key.
    pub vmk: VaultMasterKey,
    /// Keyslots to write (they wrap `vmk`).
    pub slots: Vec<SealedSlot>,
    /// KDF and cost of the password slot that opened the file (or was sealed).
    pub password_kdf: vault_core::SlotKdf,
    /// Iteration count of the recovery slot, if there is one.
    pub recovery_iterations: Option<u32>,
    /// The metadata record.
    pub meta: Meta,
    /// Every entry version, in `(id, version)` order.
    pub entries: Vec<OwnedEntry>,
    /// The audit trail, in `seq` order.
    pub events: Vec<OwnedEvent>,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vault")
            .field("vault_id", &hex::encode(self.vault_id))
            .field("generation", &self.generation)
            .field("slots", &self.slots.len())
            .field("entries", &self.entries)
            .field("events", &self.events.len())
            .finish_non_exhaustive()
    }
}

/// The result of opening a file: the vault and what the keyless check found.
#[derive(Debug)]
pub struct Opened {
    /// The opened vault.
    pub vault: Vault,
    /// The keyless check of the file it came from.
    pub verification: Verification,
}

impl Vault {
    /// Parses `bytes` (binary format) with the standard KDF bounds, opens it with a
    /// password, and opens every record.
    ///
    /// # Errors
    /// Any core error: parsing, a wrong password, or a record that fails to open.
    pub fn open(bytes: &[u8], password: &[u8], progress: Progress) -> Result<Opened, Error> {
        let file = VaultFile::parse(bytes, &vault_core::KdfLimits::STANDARD)?;
        let verification = file.verify();
        let unlocked = progress::unlock(&file, SlotKind::Password, password, progress)?;
        Ok(Opened {
            vault: Self::from_unlocked(&unlocked)?,
            verification,
        })
    }

    /// Opens every record of a file unlocked through one of its password keyslots: the
    /// second half of [`Vault::open`], for callers that derived the keyslot key themselves
    /// (the exhaustive corruption tests, which derive it once per salt).
    ///
    /// # Errors
    /// The first record that fails to open, or [`Error::Malformed`] without a metadata
    /// record.
    pub fn from_unlocked(unlocked: &UnlockedVault<'_>) -> Result<Vault, Error> {
        let file = unlocked.file();
        let header = file.header();
        let password_kdf = header
            .slot(usize::from(unlocked.slot_index()))
            .map_or(vault_core::SlotKdf::Argon2id(Default::default()), |s| {
                s.kdf()
            });
        let recovery_iterations = header
            .slots()
            .find(|s| s.kind() == SlotKind::Recovery)
            .map(|s| s.iterations());
        let slots = header.slots().map(|s| SealedSlot::from_view(&s)).collect();
        let mut buf = Zeroizing::new(vec![0u8; MAX_RECORD_LEN]);
        let mut meta = None;
        let mut entries = Vec::new();
        let mut events = Vec::new();
        for r in file.records() {
            match unlocked.open_record(&r, &mut buf)? {
                Record::Meta(m) => meta = Some(m),
                Record::Entry(e) => entries.push(OwnedEntry::from_view(&e)),
                Record::Audit(a) => events.push(OwnedEvent::from_view(&a)),
            }
        }
        let meta = meta.ok_or(Error::Malformed {
            reason: "no metadata record",
        })?;
        Ok(Vault {
            vault_id: header.vault_id(),
            generation: header.generation(),
            vmk: unlocked.master_key().clone(),
            slots,
            password_kdf,
            recovery_iterations,
            meta,
            entries,
            events,
        })
    }

    /// Opens a vault or backup whose first header copy (`head`, see
    /// [`files::read_head`](crate::files::read_head)) is already read, reading the rest from
    /// `rest` one record at a time, so that the file is never held whole: the memory a
    /// 10,000-entry vault needs is its header copy and the opened records. Records of a
    /// kind that `keep` leaves out are opened (authenticated and decoded) like every other
    /// record but not kept: for commands that only read (the result must not be written
    /// back; see [`crate::commands::read_vault`]).
    ///
    /// Returns `Ok(None)` — and the caller opens the whole file with [`Vault::open`], which
    /// says exactly what is wrong — unless the first header copy is intact, every record
    /// opens and the rest of the file is intact (the core's
    /// [`StreamCheck`](vault_core::StreamCheck)). The errors it does return are those of
    /// unlocking, which depend on the header copy alone and are the same as
    /// [`Vault::open`]'s.
    ///
    /// # Errors
    /// Unlocking: a wrong password, a refused KDF cost, a header that fails its MAC.
    pub fn open_streaming(
        head: &[u8],
        rest: &mut impl std::io::Read,
        password: &[u8],
        progress: Progress,
        keep: Keep,
    ) -> Result<Option<Opened>, Error> {
        struct Keeper {
            keep: Keep,
            entries: Vec<OwnedEntry>,
            events: Vec<OwnedEvent>,
        }
        impl RecordSink for Keeper {
            fn sizes(&mut self, entries: usize, events: usize) {
                // Room for what a command adds (a new entry or version, its event), so
                // that adding one does not double a vector's capacity.
                if self.keep.entries {
                    self.entries.reserve_exact(entries + 2);
                }
                if self.keep.events {
                    self.events.reserve_exact(events + 2);
                }
            }
            fn record(&mut self, record: Record<'_>) -> bool {
                match record {
                    Record::Entry(e) if self.keep.entries => {
                        self.entries.push(OwnedEntry::from_view(&e));
                    }
                    Record::Audit(a) if self.keep.events => {
                        self.events.push(OwnedEvent::from_view(&a));
                    }
                    _ => {}
                }
                true
            }
        }
        let mut keeper = Keeper {
            keep,
            entries: Vec::new(),
            events: Vec::new(),
        };
        let opened = Self::open_streaming_with(head, rest, password, progress, &mut keeper)?;
        Ok(opened.map(|mut o| {
            o.vault.entries = keeper.entries;
            o.vault.events = keeper.events;
            o
        }))
    }

    /// The reading of [`Vault::open_streaming`], handing each entry and audit record to
    /// `sink` in file order instead of keeping it (if [`RecordSink::record`] returns
    /// `false` the result is `Ok(None)`). The vault returned has the metadata, keys and
    /// keyslots, and no entries or events.
    ///
    /// # Errors
    /// As [`Vault::open_streaming`].
    pub fn open_streaming_with(
        head: &[u8],
        rest: &mut impl std::io::Read,
        password: &[u8],
        progress: Progress,
        sink: &mut dyn RecordSink,
    ) -> Result<Option<Opened>, Error> {
        Self::open_streaming_unlocking(head, rest, sink, |file| {
            progress::unlock(file, SlotKind::Password, password, progress)
        })
    }

    /// [`Vault::open_streaming_with`] opening the file through keyslot `index` with its
    /// slot key `key` (no key derivation): for checking a file just written with a keyslot
    /// whose key is at hand.
    ///
    /// # Errors
    /// As [`Vault::open_streaming`].
    pub fn open_streaming_with_key(
        head: &[u8],
        rest: &mut impl std::io::Read,
        index: usize,
        key: &vault_core::SlotKey,
        sink: &mut dyn RecordSink,
    ) -> Result<Option<Opened>, Error> {
        Self::open_streaming_unlocking(head, rest, sink, |file| {
            file.unlock_with_slot_key(index, key)
        })
    }

    fn open_streaming_unlocking<'f>(
        head: &'f [u8],
        rest: &mut impl std::io::Read,
        sink: &mut dyn RecordSink,
        unlock: impl FnOnce(&VaultFile<'f>) -> Result<UnlockedVault<'f>, Error>,
    ) -> Result<Option<Opened>, Error> {
        let Ok(file) = VaultFile::parse(head, &vault_core::KdfLimits::STANDARD) else {
            return Ok(None);
        };
        if file.header_copies().0 != vault_core::PartState::Intact {
            return Ok(None);
        }
        let unlocked = unlock(&file)?;
        let header = file.header();
        let mut check = vault_core::StreamCheck::new(&file);
        let count = |kind| {
            (0..header.record_count())
                .filter(|&i| header.table_entry(i).is_some_and(|e| e.kind == kind))
                .count()
        };
        sink.sizes(
            count(vault_core::RecordKind::Entry),
            count(vault_core::RecordKind::Audit),
        );
        let largest = (0..header.record_count())
            .filter_map(|i| header.table_entry(i))
            .map(|e| e.length as usize)
            .max()
            .unwrap_or(0);
        let mut record = Zeroizing::new(vec![0u8; largest]);
        let mut buf = Zeroizing::new(vec![0u8; largest]);
        let mut meta = None;
        for r in file.records() {
            let bytes = &mut record[..r.entry.length as usize];
            if rest.read_exact(bytes).is_err() {
                return Ok(None);
            }
            check.update(bytes);
            match unlocked.open_record(&r.with_bytes(bytes), &mut buf) {
                Ok(Record::Meta(m)) => meta = Some(m),
                Ok(other) => {
                    if !sink.record(other) {
                        return Ok(None);
                    }
                }
                Err(_) => return Ok(None),
            }
        }
        // The second header copy and the trailer.
        let mut tail = [0u8; 8192];
        loop {
            match rest.read(&mut tail) {
                Ok(0) => break,
                Ok(n) => check.update(&tail[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return Ok(None),
            }
        }
        let (Some(verification), Some(meta)) = (check.finish(), meta) else {
            return Ok(None);
        };
        let password_kdf = header
            .slot(usize::from(unlocked.slot_index()))
            .map_or(vault_core::SlotKdf::Argon2id(Default::default()), |s| {
                s.kdf()
            });
        let recovery_iterations = header
            .slots()
            .find(|s| s.kind() == SlotKind::Recovery)
            .map(|s| s.iterations());
        Ok(Some(Opened {
            vault: Vault {
                vault_id: header.vault_id(),
                generation: header.generation(),
                vmk: unlocked.master_key().clone(),
                slots: header.slots().map(|s| SealedSlot::from_view(&s)).collect(),
                password_kdf,
                recovery_iterations,
                meta,
                entries: Vec::new(),
                events: Vec::new(),
            },
            verification,
        }))
    }

    /// Writes the whole vault as a new file into `out` (empty; it is sought in), one
    /// record at a time, every record encrypted with a fresh IV: the same file as
    /// [`Vault::serialize`] without holding it in memory. Returns the header copy written,
    /// for checking what reads back.
    ///
    /// # Errors
    /// [`WriteError::Core`] ([`Error::InvalidInput`]) if an entry breaks a limit of the
    /// format; [`WriteError::Io`] if `out` fails.
    pub fn write_to(
        &mut self,
        out: &mut (impl std::io::Write + std::io::Seek),
        written_at: u64,
    ) -> Result<Vec<u8>, WriteError> {
        use std::io::{SeekFrom, Write};
        // The keys are unique, so an unstable sort gives the same order without the
        // scratch memory of a stable one.
        self.entries.sort_unstable_by_key(|e| (e.id, e.version));
        self.events.sort_unstable_by_key(|e| e.seq);
        let mut layout = Layout::new(self.slots.len());
        for e in &self.entries {
            layout.add_entry(&e.view());
        }
        for e in &self.events {
            layout.add_audit(&e.view());
        }
        let too_many = Error::InvalidInput {
            reason: "too many records for one file",
        };
        layout.file_len().ok_or(too_many)?;
        let header_len =
            vault_core::format::header_len(self.slots.len(), layout.records()).ok_or(too_many)?;
        let mut header = vec![0u8; header_len];
        let params = HeaderParams {
            vault_id: self.vault_id,
            generation: self.generation,
            written_at,
        };
        let mut w = StreamWriter::new(
            &mut header,
            &self.vmk,
            &params,
            &self.slots,
            layout.records(),
        )?;
        // Each record's plaintext is encoded and encrypted in place here (wiped on drop),
        // so it holds the largest record this vault has.
        let largest = self
            .entries
            .iter()
            .map(|e| e.view().plaintext_len())
            .chain(self.events.iter().map(|e| e.view().plaintext_len()))
            .fold(vault_core::constants::META_LEN, usize::max);
        let mut rec = Zeroizing::new(vec![0u8; vault_core::format::record_len(largest)]);
        out.seek(SeekFrom::Start(header_len as u64))?;
        let mut body = std::io::BufWriter::with_capacity(16 * 1024, &mut *out);
        let n = w.push_meta(&self.meta, &mut OsRng, &mut rec)?;
        body.write_all(&rec[..n])?;
        for e in &self.entries {
            let n = w.push_entry(&e.view(), &mut OsRng, &mut rec)?;
            body.write_all(&rec[..n])?;
        }
        for e in &self.events {
            let n = w.push_audit(&e.view(), &mut OsRng, &mut rec)?;
            body.write_all(&rec[..n])?;
        }
        let (head, trailer) = w.finish()?;
        body.write_all(head)?;
        body.write_all(&trailer)?;
        body.flush()?;
        drop(body);
        out.seek(SeekFrom::Start(0))?;
        out.write_all(head)?;
        Ok(header)
    }

    /// Writes the whole vault as a new file: every record encrypted with a fresh IV.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if an entry breaks a limit of the format.
    pub fn serialize(&mut self, written_at: u64) -> Result<Zeroizing<Vec<u8>>, Error> {
        self.entries.sort_by_key(|e| (e.id, e.version));
        self.events.sort_by_key(|e| e.seq);
        let mut layout = Layout::new(self.slots.len());
        for e in &self.entries {
            layout.add_entry(&e.view());
        }
        for e in &self.events {
            layout.add_audit(&e.view());
        }
        let len = layout.file_len().ok_or(Error::InvalidInput {
            reason: "too many records for one file",
        })?;
        let mut out = Zeroizing::new(vec![0u8; len]);
        let params = HeaderParams {
            vault_id: self.vault_id,
            generation: self.generation,
            written_at,
        };
        let mut w = VaultWriter::new(
            &mut out,
            &self.vmk,
            &params,
            &self.slots,
            &self.meta,
            layout.records(),
            &mut OsRng,
        )?;
        for e in &self.entries {
            w.push_entry(&e.view(), &mut OsRng)?;
        }
        for e in &self.events {
            w.push_audit(&e.view(), &mut OsRng)?;
        }
        let n = w.finish()?;
        out.truncate(n);
        Ok(out)
    }

    /// Appends an audit event chained to the last one and updates the metadata record.
    /// `detail` is cut to the format's limit and stripped of control characters.
    pub fn record_event(
        &mut self,
        op: AuditOp,
        entry: Option<&OwnedEntry>,
        detail: &str,
        now: u64,
    ) {
        let check = entry.and_then(|e| e.check_value(self.meta.check_key.as_ref()));
        let event = OwnedEvent {
            seq: self.meta.audit_next_seq,
            time: now,
            op,
            entry_id: entry.map_or([0; ENTRY_ID_LEN], |e| e.id),
            version: entry.map_or(0, |e| e.version),
            kcv: check.unwrap_or_default(),
            kcv_showable: check.is_some(),
            prev_hash: self.meta.audit_head,
            name: entry.map_or_else(String::new, |e| e.name.clone()),
            detail: clean_detail(detail),
        };
        self.meta.audit_head = event.view().hash();
        self.meta.audit_next_seq = self.meta.audit_next_seq.saturating_add(1);
        self.events.push(event);
    }

    /// The newest version of the entry named `name`.
    #[must_use]
    pub fn newest(&self, name: &str) -> Option<&OwnedEntry> {
        self.entries
            .iter()
            .filter(|e| e.name == name)
            .max_by_key(|e| e.version)
    }

    /// The newest version of every entry, in name order.
    #[must_use]
    pub fn current(&self) -> Vec<&OwnedEntry> {
        let mut newest: std::collections::BTreeMap<[u8; ENTRY_ID_LEN], &OwnedEntry> =
            std::collections::BTreeMap::new();
        for e in &self.entries {
            let slot = newest.entry(e.id).or_insert(e);
            if e.version > slot.version {
                *slot = e;
            }
        }
        let mut v: Vec<&OwnedEntry> = newest.into_values().collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }

    /// Number of versions of the entry with `id`.
    #[must_use]
    pub fn version_count(&self, id: &[u8; ENTRY_ID_LEN]) -> usize {
        self.entries.iter().filter(|e| &e.id == id).count()
    }

    /// A fresh entry id that no entry uses.
    #[must_use]
    pub fn new_entry_id(&self) -> [u8; ENTRY_ID_LEN] {
        loop {
            let mut id = [0u8; ENTRY_ID_LEN];
            OsRng.fill_bytes(&mut id);
            if id != [0; ENTRY_ID_LEN] && !self.entries.iter().any(|e| e.id == id) {
                return id;
            }
        }
    }
}

/// Where [`Vault::open_streaming_with`] hands the entry and audit records it opens.
pub trait RecordSink {
    /// How many entry and audit records the file holds, before the first is handed over.
    fn sizes(&mut self, _entries: usize, _events: usize) {}
    /// One record, in file order; `false` stops the reading.
    fn record(&mut self, record: Record<'_>) -> bool;
}

/// Which records [`Vault::open_streaming`] keeps (it opens all of them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keep {
    /// Entry versions.
    pub entries: bool,
    /// Audit events.
    pub events: bool,
}

impl Keep {
    /// Every record: a vault that can be changed and written back.
    pub const ALL: Self = Self {
        entries: true,
        events: true,
    };
}

/// Why [`Vault::write_to`] failed.
#[derive(Debug)]
pub enum WriteError {
    /// The vault breaks a limit of the format.
    Core(Error),
    /// The output failed.
    Io(std::io::Error),
}

impl From<Error> for WriteError {
    fn from(e: Error) -> Self {
        Self::Core(e)
    }
}

impl From<std::io::Error> for WriteError {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

/// Audit details are short public text: control characters become spaces and the text is
/// cut (at a character boundary) to the format's limit.
#[must_use]
pub fn clean_detail(detail: &str) -> String {
    let mut out = String::new();
    for c in detail.chars() {
        let c = if c.is_control() { ' ' } else { c };
        if out.len() + c.len_utf8() > MAX_AUDIT_DETAIL_LEN {
            break;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_secret() {
        let e = OwnedEntry {
            id: [1; 16],
            version: 1,
            kind: EntryKind::Password,
            status: EntryStatus::Active,
            name: "root".into(),
            secret: Zeroizing::new(b"hunter2".to_vec()),
            created_at: 0,
            rotated_at: 0,
            policy_days: 0,
        };
        let s = format!("{e:?}");
        assert!(s.contains("root") && !s.contains("hunter2") && !s.contains("104, 117"));
    }

    #[test]
    fn details_are_cut_and_cleaned() {
        assert_eq!(clean_detail("a\nb"), "a b");
        let long = "é".repeat(200);
        let d = clean_detail(&long);
        assert!(d.len() <= MAX_AUDIT_DETAIL_LEN);
        assert_eq!(d.chars().count(), 128);
    }
}

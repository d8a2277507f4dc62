//! `airvault salvage`: a vault rebuilt from damaged or partial copies of it.
//!
//! Every file (binary or armored) with an intact header copy is opened with the one
//! secret given (each backup has its own master key); every record whose MAC verifies is
//! kept. For each entry, every version found in any file is kept once and the newest is
//! the active one. The audit trail is the longest chain that verifies link by link (it
//! may take events from several files), followed by a `salvage` event whose sequence
//! number may jump over the events that were lost. The result is a new vault (fresh
//! master key, the same vault id) and a report of exactly what was recovered, from
//! which file, and what was lost.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use rand_core::OsRng;
use serde::{Serialize, Serializer};
use vault_core::audit::ChainVerifier;
use vault_core::constants::{DEFAULT_ITERATIONS, ENTRY_ID_LEN, MAX_NAME_LEN, MAX_RECORD_LEN};
use vault_core::{
    recovery_code, AuditOp, CheckKey, EntryStatus, Error, KdfLimits, Meta, Record, RecordKind,
    RecoverySecret, SlotKind, VaultFile, VaultMasterKey,
};
use zeroize::Zeroizing;

use super::init::DEFAULT_POLICY_DAYS;
use super::recover::{check_written, password_slot};
use super::recovery::{read_material, Recovered, RecoveryMaterial};
use super::restore::describe_damage;
use super::{decode_container, now, Context};
use crate::error::{show, CliError, Doing, Exit, Result};
use crate::files;
use crate::generations::{self, Stamp};
use crate::input::PasswordSource;
use crate::model::{OwnedEntry, OwnedEvent, RecordSink, Vault, WriteError};
use crate::progress;

/// How the input is named when a newer generation at `--out` is not replaced.
const NEWEST: &str = "the newest file given";

/// Options of `salvage`.
#[derive(Debug, Clone)]
pub struct SalvageOptions {
    /// The damaged or partial copies.
    pub files: Vec<PathBuf>,
    /// Where to write the rebuilt vault.
    pub out: PathBuf,
    /// Open the files with the recovery code or shares instead of the password.
    pub material: Option<RecoveryMaterial>,
    /// The rebuilt vault's password, if not the one the files opened with (required in
    /// effect with recovery material; a prompt when `None` there).
    pub new_password: Option<PasswordSource>,
    /// Replace an existing `out`, and include files of another vault.
    pub force: bool,
    /// Replace `out` even when it is a newer generation of the same vault.
    pub discard_newer: bool,
}

/// What became of one input file.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SalvageFile {
    /// The file.
    pub file: String,
    /// `used` (opened; its intact records were taken) or `unusable`.
    pub status: &'static str,
    /// Why it could not be used, or null.
    pub message: Option<String>,
    /// `binary` or `armored`, once read.
    pub format: Option<&'static str>,
    /// Its vault id, once parsed.
    pub vault_id: Option<String>,
    /// Its generation, once parsed.
    pub generation: Option<u64>,
    /// What a keyless check found wrong, or null if intact.
    pub damage: Option<String>,
    /// Records in its table, once parsed.
    pub records: Option<u32>,
    /// Records whose MAC verified and that opened.
    pub records_opened: usize,
    /// Indices of records that did not open (damaged, missing, or failing their MAC).
    pub records_failed: Vec<u32>,
}

/// One entry version in the rebuilt vault.
#[derive(Clone, Debug, Serialize)]
pub struct SalvagedEntry {
    /// Its name in the rebuilt vault.
    pub name: String,
    /// Entry id, hex.
    pub id: String,
    /// Version.
    pub version: u32,
    /// Entry kind.
    pub kind: &'static str,
    /// `active` (the newest version found) or `retired`.
    pub status: &'static str,
    /// Key check value.
    pub kcv: String,
    /// The file it was taken from.
    pub from: String,
    /// Its name before salvage, when it had to be renamed (another entry kept the name).
    pub renamed_from: Option<String>,
}

/// One entry version that no file could give back.
#[derive(Clone, Debug, Serialize)]
pub struct LostEntry {
    /// The entry's name, if any surviving record or audit event names it, else null.
    pub name: Option<String>,
    /// Entry id, hex (from the record table).
    pub id: String,
    /// Version (from the record table).
    pub version: u32,
    /// The files whose record table lists it.
    pub files: Vec<String>,
}

fn opt_secret_str<S: Serializer>(
    v: &Option<Zeroizing<String>>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_str(v),
        None => s.serialize_none(),
    }
}

/// The result of `salvage`.
#[derive(Serialize)]
pub struct SalvageReport {
    /// The vault written.
    pub out: String,
    /// Its vault id.
    pub vault_id: String,
    /// Its generation (one above the newest file opened).
    pub generation: u64,
    /// Whether everything every file listed was recovered and every file was used.
    pub complete: bool,
    /// 0 when complete, else 5 (the vault was still written).
    pub exit_code: u8,
    /// Every input file, in the order given.
    pub files: Vec<SalvageFile>,
    /// Every entry version in the rebuilt vault, by name and version.
    pub recovered: Vec<SalvagedEntry>,
    /// Entry versions listed by some file but recovered from none.
    pub lost: Vec<LostEntry>,
    /// Audit events kept (the longest chain that verifies).
    pub audit_events_kept: usize,
    /// Audit events known to have existed but not kept.
    pub audit_events_lost: u32,
    /// The file whose metadata record (recovery secret, policy) was kept, or null if
    /// none survived.
    pub metadata_from: Option<String>,
    /// The recovery secret: `kept` (from the metadata), `from-recovery-material` (no
    /// metadata survived; the one given was used), `new` (none survived: a new one was
    /// made; old codes and shares are void), or `none` (the vault had none).
    pub recovery: &'static str,
    /// The new recovery code when `recovery` is `new` (shown only now), else null.
    #[serde(serialize_with = "opt_secret_str")]
    pub recovery_code: Option<Zeroizing<String>>,
}

impl fmt::Debug for SalvageReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SalvageReport")
            .field("out", &self.out)
            .field("complete", &self.complete)
            .field("files", &self.files)
            .field("recovered", &self.recovered)
            .field("lost", &self.lost)
            .finish_non_exhaustive()
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

impl SalvageReport {
    /// The one-line account of what is missing, or `None` when complete.
    #[must_use]
    pub fn shortfall(&self) -> Option<String> {
        let mut parts = Vec::new();
        if !self.lost.is_empty() {
            parts.push(format!(
                "{} lost",
                plural(self.lost.len(), "entry version", "entry versions")
            ));
        }
        if self.audit_events_lost > 0 {
            parts.push(format!(
                "{} lost",
                plural(
                    self.audit_events_lost as usize,
                    "audit event",
                    "audit events"
                )
            ));
        }
        if self.metadata_from.is_none() {
            parts.push("the metadata record lost".to_owned());
        }
        let unusable = self.files.iter().filter(|f| f.status != "used").count();
        if unusable > 0 {
            parts.push(format!("{} unusable", plural(unusable, "file", "files")));
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    /// Text for a person.
    ///
    /// # Errors
    /// Write errors.
    pub fn human(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        writeln!(
            w,
            "Salvaged vault written to {} (vault {}, generation {}).",
            self.out, self.vault_id, self.generation
        )?;
        writeln!(w, "\nFiles:")?;
        for f in &self.files {
            match &f.message {
                Some(m) => writeln!(w, "  {}: not used — {m}", f.file)?,
                None => {
                    let mut parts = vec![f.damage.clone().unwrap_or_else(|| "intact".to_owned())];
                    parts.push(format!(
                        "{} of {} records opened",
                        f.records_opened,
                        f.records.unwrap_or(0)
                    ));
                    writeln!(w, "  {}: used — {}", f.file, parts.join("; "))?;
                }
            }
        }
        let entries = {
            let mut ids: Vec<&str> = self.recovered.iter().map(|e| e.id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            ids.len()
        };
        writeln!(
            w,
            "\nRecovered {} ({}):",
            plural(entries, "entry", "entries"),
            plural(self.recovered.len(), "version", "versions")
        )?;
        for e in &self.recovered {
            write!(
                w,
                "  {:<24} v{:<3} {:<7} KCV {}  from {}",
                e.name, e.version, e.status, e.kcv, e.from
            )?;
            if let Some(old) = &e.renamed_from {
                write!(w, "  (renamed from '{old}': another entry has that name)")?;
            }
            writeln!(w)?;
        }
        if !self.lost.is_empty() {
            writeln!(w, "\nLost (no file holds an intact copy):")?;
            for l in &self.lost {
                writeln!(
                    w,
                    "  {:<24} v{:<3} entry {}  listed in {}",
                    l.name.as_deref().unwrap_or("(name unknown)"),
                    l.version,
                    l.id,
                    l.files.join(", ")
                )?;
            }
        }
        writeln!(
            w,
            "\nAudit trail: {} kept, {} lost.",
            plural(self.audit_events_kept, "event", "events"),
            self.audit_events_lost
        )?;
        match (self.recovery, &self.metadata_from, &self.recovery_code) {
            (_, _, Some(code)) => {
                writeln!(
                    w,
                    "No metadata record survived: the vault has a NEW recovery code; the old \
                     code and shares no longer open it (shown only now; write it down):"
                )?;
                writeln!(w, "\n    {}\n", code.as_str())?;
            }
            ("from-recovery-material", None, None) => writeln!(
                w,
                "No metadata record survived: the recovery secret given is kept; the \
                 default rotation policy is reset."
            )?,
            (_, Some(from), None) => {
                writeln!(w, "Metadata (recovery secret, policy) from {from}.")?
            }
            _ => {}
        }
        match self.shortfall() {
            None => writeln!(w, "COMPLETE: everything the files listed was recovered."),
            Some(s) => writeln!(
                w,
                "INCOMPLETE: {s}. Everything that could be recovered is in {}.",
                self.out
            ),
        }
    }
}

/// The result of a salvage run: the report and its exit code.
#[derive(Debug)]
pub struct Salvaged {
    /// What was done.
    pub report: SalvageReport,
    /// 0 when complete; 5 when the vault was written but something was lost.
    pub exit: Exit,
}

/// The secret the files are opened with.
enum Key {
    Password(Zeroizing<String>),
    Recovery(Recovered),
}

impl Key {
    fn kind(&self) -> SlotKind {
        match self {
            Key::Password(_) => SlotKind::Password,
            Key::Recovery(_) => SlotKind::Recovery,
        }
    }

    fn secret(&self) -> &[u8] {
        match self {
            Key::Password(pw) => pw.as_bytes(),
            Key::Recovery(r) => r.secret.expose_secret(),
        }
    }
}

/// A file that parsed.
struct Parsed {
    /// Index into the file reports.
    report: usize,
    bytes: Vec<u8>,
    vault_id: [u8; 16],
    generation: u64,
}

/// An entry version found in an opened file.
struct Candidate {
    entry: OwnedEntry,
    from: usize,
    generation: u64,
}

fn load(path: &Path) -> Result<(Vec<u8>, super::Encoding)> {
    let raw = files::read_file(path)?;
    decode_container(raw, path)
}

/// The reason a file could not be opened, as a short phrase.
fn unlock_reason(e: Error, key: &Key, path: &Path) -> (Exit, String) {
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

/// The most common vault id among the parsed files (the first one seen on a tie).
fn reference_id(parsed: &[Parsed]) -> [u8; 16] {
    let mut best = (0usize, [0u8; 16]);
    for p in parsed {
        let n = parsed.iter().filter(|q| q.vault_id == p.vault_id).count();
        if n > best.0 {
            best = (n, p.vault_id);
        }
    }
    best.1
}

/// A name for `name` that no other entry uses: `name (salvaged)`, `name (salvaged 2)`, …
/// cut to the format's limit.
fn free_name(name: &str, taken: &[String]) -> String {
    for n in 1.. {
        let suffix = if n == 1 {
            " (salvaged)".to_owned()
        } else {
            format!(" (salvaged {n})")
        };
        let mut base = name.to_owned();
        while base.len() + suffix.len() > MAX_NAME_LEN {
            base.pop();
        }
        let candidate = base + &suffix;
        if !taken.contains(&candidate) {
            return candidate;
        }
    }
    unreachable_name()
}

#[cold]
fn unreachable_name() -> String {
    String::from("salvaged entry")
}

/// `salvage`.
///
/// # Errors
/// Exit 2 if `out` exists without `force`, or is a newer generation of the same vault
/// than every file without `discard_newer`, a file belongs to another vault (without
/// `force`), or the recovery material is mistyped; when no file can be opened, the worst
/// of the files' own results (3, 4, 5, 6). Then nothing is written.
#[allow(clippy::too_many_lines)]
pub fn salvage(ctx: &Context, opts: &SalvageOptions) -> Result<Salvaged> {
    files::check_writable(&opts.out, opts.force)?;

    // Keyless: read, decode and parse every file.
    let mut reports: Vec<SalvageFile> = Vec::new();
    let mut failures: Vec<Exit> = Vec::new();
    let mut parsed: Vec<Parsed> = Vec::new();
    for path in &opts.files {
        let mut r = SalvageFile {
            file: show(path),
            status: "unusable",
            ..SalvageFile::default()
        };
        let loaded = load(path).and_then(|(bytes, enc)| {
            let file = VaultFile::parse(&bytes, &KdfLimits::STANDARD)
                .map_err(|e| CliError::core(e, path, Doing::Restore))?;
            let h = file.header();
            let check = file.verify();
            r.format = Some(enc.name());
            r.vault_id = Some(hex::encode(h.vault_id()));
            r.generation = Some(h.generation());
            r.records = Some(h.record_count());
            r.damage = (!check.is_intact()).then(|| describe_damage(&check));
            Ok((h.vault_id(), h.generation(), bytes))
        });
        match loaded {
            Ok((vault_id, generation, bytes)) => parsed.push(Parsed {
                report: reports.len(),
                bytes,
                vault_id,
                generation,
            }),
            Err(e) => {
                r.message = Some(e.what().to_owned());
                failures.push(e.exit());
            }
        }
        reports.push(r);
    }
    let vault_id = reference_id(&parsed);
    if !opts.force {
        if let Some(p) = parsed.iter().find(|p| p.vault_id != vault_id) {
            return Err(CliError::usage(format!(
                "{} is a copy of another vault (id {}, not {})",
                reports[p.report].file,
                hex::encode(p.vault_id),
                hex::encode(vault_id)
            ))
            .hint("leave it out, or pass --force to salvage it together with the others"));
        }
    }
    if parsed.is_empty() {
        return Err(nothing_opened(&reports, &failures));
    }
    // Before the secret is asked, from the headers; again once the files are opened.
    let newest_parsed = parsed
        .iter()
        .filter(|p| p.vault_id == vault_id)
        .map(|p| p.generation)
        .max();
    if let Some(generation) = newest_parsed {
        let input = Stamp {
            vault_id,
            generation,
        };
        generations::check_replace(&opts.out, input, NEWEST, opts.discard_newer)?;
    }

    // The secret, asked once.
    let key = match &opts.material {
        Some(m) => Key::Recovery(read_material(m)?),
        None => Key::Password(ctx.password.read("the backups")?),
    };

    // Open every file; keep every record that opens.
    let mut listed: BTreeMap<(RecordKind, [u8; ENTRY_ID_LEN], u32), Vec<usize>> = BTreeMap::new();
    let mut candidates: BTreeMap<([u8; ENTRY_ID_LEN], u32), Candidate> = BTreeMap::new();
    let mut events: Vec<OwnedEvent> = Vec::new();
    // A `Meta` holds the recovery secret: a growing Vec would copy it on reallocation and
    // free the old buffer unwiped. Each file has one metadata record, so this never grows.
    let mut metas: Vec<(Meta, usize, u64)> = Vec::with_capacity(parsed.len());
    let mut known_events: u32 = 0;
    // The newest file of this vault opened: its generation and keyslot costs are kept.
    let mut newest: Option<u64> = None;
    // The highest generation of any file opened (with --force, of another vault too).
    let mut opened: Option<u64> = None;
    let mut iterations: (Option<vault_core::SlotKdf>, Option<u32>) = (None, None);
    let mut buf = Zeroizing::new(vec![0u8; MAX_RECORD_LEN]);
    for p in &parsed {
        let path = &opts.files[p.report];
        let own_vault = p.vault_id == vault_id;
        let file = match VaultFile::parse(&p.bytes, &KdfLimits::STANDARD) {
            Ok(f) => f,
            Err(e) => {
                let e = CliError::core(e, path, Doing::Restore);
                reports[p.report].message = Some(e.what().to_owned());
                failures.push(e.exit());
                continue;
            }
        };
        for r in file.records() {
            listed
                .entry((r.entry.kind, r.entry.id, r.entry.seq))
                .or_default()
                .push(p.report);
            if own_vault && r.entry.kind == RecordKind::Audit {
                known_events = known_events.max(r.entry.seq.saturating_add(1));
            }
        }
        let unlocked = match progress::unlock(&file, key.kind(), key.secret(), ctx.progress) {
            Ok(u) => u,
            Err(e) => {
                let (exit, why) = unlock_reason(e, &key, path);
                reports[p.report].message = Some(why);
                failures.push(exit);
                continue;
            }
        };
        let report = &mut reports[p.report];
        report.status = "used";
        opened = opened.max(Some(p.generation));
        if own_vault && newest.is_none_or(|g| p.generation > g) {
            newest = Some(p.generation);
            let h = file.header();
            iterations = (
                h.slots()
                    .find(|s| s.kind() == SlotKind::Password)
                    .map(|s| s.kdf()),
                h.slots()
                    .find(|s| s.kind() == SlotKind::Recovery)
                    .map(|s| s.iterations()),
            );
        }
        for r in file.records() {
            match unlocked.open_record(&r, &mut buf) {
                Ok(rec) => {
                    report.records_opened += 1;
                    match rec {
                        Record::Meta(m) if own_vault => {
                            known_events = known_events.max(m.audit_next_seq);
                            metas.push((m, p.report, p.generation));
                        }
                        Record::Entry(e) => {
                            let better = candidates
                                .get(&(e.id, e.version))
                                .is_none_or(|c| p.generation > c.generation);
                            if better {
                                candidates.insert(
                                    (e.id, e.version),
                                    Candidate {
                                        entry: OwnedEntry::from_view(&e),
                                        from: p.report,
                                        generation: p.generation,
                                    },
                                );
                            }
                        }
                        Record::Audit(a) if own_vault => {
                            let ev = OwnedEvent::from_view(&a);
                            if !events.iter().any(|x| x == &ev) {
                                events.push(ev);
                            }
                        }
                        _ => {}
                    }
                }
                Err(_) => report.records_failed.push(r.index),
            }
        }
    }
    buf.fill(0);
    drop(buf);
    drop(parsed);
    if opened.is_none() {
        return Err(nothing_opened(&reports, &failures));
    }
    let input = Stamp {
        vault_id,
        generation: newest.or(opened).unwrap_or(0),
    };
    generations::check_replace(&opts.out, input, NEWEST, opts.discard_newer)?;

    // Entries: every version once; the newest of each entry active, older ones retired.
    // For each entry, the newest file that holds any version of it.
    let mut seen_in: BTreeMap<[u8; ENTRY_ID_LEN], u64> = BTreeMap::new();
    for c in candidates.values() {
        let g = seen_in.entry(c.entry.id).or_insert(0);
        *g = (*g).max(c.generation);
    }
    let mut entries: Vec<(OwnedEntry, usize)> = candidates
        .into_values()
        .map(|c| (c.entry, c.from))
        .collect();
    let mut newest_version: BTreeMap<[u8; ENTRY_ID_LEN], u32> = BTreeMap::new();
    for (e, _) in &entries {
        let v = newest_version.entry(e.id).or_insert(0);
        *v = (*v).max(e.version);
    }
    for (e, _) in &mut entries {
        e.status = if newest_version.get(&e.id) == Some(&e.version) {
            EntryStatus::Active
        } else {
            EntryStatus::Retired
        };
    }
    let renamed = resolve_names(&mut entries, &seen_in);

    // Lost entry versions: listed by some file, opened from none.
    let mut lost = Vec::new();
    for ((kind, id, seq), in_files) in &listed {
        if *kind != RecordKind::Entry
            || entries
                .iter()
                .any(|(e, _)| e.id == *id && e.version == *seq)
        {
            continue;
        }
        let name = entries
            .iter()
            .find(|(e, _)| e.id == *id)
            .map(|(e, _)| renamed.get(id).cloned().unwrap_or_else(|| e.name.clone()))
            .or_else(|| {
                events
                    .iter()
                    .rev()
                    .find(|ev| ev.entry_id == *id && !ev.name.is_empty())
                    .map(|ev| ev.name.clone())
            });
        let mut names: Vec<String> = in_files.iter().map(|&i| reports[i].file.clone()).collect();
        names.dedup();
        lost.push(LostEntry {
            name,
            id: hex::encode(id),
            version: *seq,
            files: names,
        });
    }
    lost.sort_by(|a, b| (&a.name, &a.id, a.version).cmp(&(&b.name, &b.id, b.version)));

    // The audit trail: the longest chain that verifies, from any of the files.
    events.sort_by_key(|e| e.seq);
    let mut chain = ChainVerifier::new();
    let mut kept: Vec<OwnedEvent> = Vec::new();
    loop {
        let (next, head) = (chain.next_seq(), chain.head());
        let found = events.iter().find(|e| {
            e.prev_hash == head && (e.seq == next || (e.op == AuditOp::Salvage && e.seq > next))
        });
        match found {
            Some(e) if chain.push(&e.view()).is_ok() => kept.push(e.clone()),
            _ => break,
        }
    }
    let salvage_seq = known_events.max(chain.next_seq());
    let events_lost = salvage_seq - chain.next_seq();

    // The metadata of the newest file whose metadata record survived.
    let best_meta = metas
        .iter()
        .max_by(|a, b| a.2.cmp(&b.2).then(b.1.cmp(&a.1)))
        .map(|(m, from, _)| (m.clone(), *from));
    let (mut meta, metadata_from, recovery) = match (best_meta, &key) {
        (Some((mut m, from)), key) => {
            let state = match (&m.recovery_secret, key) {
                (Some(_), _) => "kept",
                (None, Key::Recovery(r)) => {
                    m.recovery_secret = Some(r.secret.clone());
                    "from-recovery-material"
                }
                (None, Key::Password(_)) => "none",
            };
            (m, Some(reports[from].file.clone()), state)
        }
        (None, key) => {
            let (secret, state) = match key {
                Key::Recovery(r) => (r.secret.clone(), "from-recovery-material"),
                Key::Password(_) => (RecoverySecret::generate(&mut OsRng), "new"),
            };
            let created_at = kept.first().map_or_else(now, |e| e.time);
            (
                Meta {
                    recovery_secret: Some(secret),
                    default_policy_days: DEFAULT_POLICY_DAYS,
                    created_at,
                    audit_next_seq: 0,
                    audit_head: [0; 32],
                    // The check key was in the lost metadata record: the rebuilt vault
                    // gets a new one, so the check values of its low-entropy secrets differ
                    // from the old ones (the report says so).
                    check_key: Some(CheckKey::generate(&mut OsRng)),
                },
                None,
                state,
            )
        }
    };
    meta.audit_next_seq = salvage_seq;
    meta.audit_head = chain.head();

    // The new vault's password and keyslots.
    let password = match (&opts.new_password, &key) {
        (Some(src), _) => src.read_new(&files::file_name(&opts.out))?,
        (None, Key::Password(pw)) => pw.clone(),
        (None, Key::Recovery(_)) => {
            PasswordSource::Prompt.read_new(&files::file_name(&opts.out))?
        }
    };
    let password_kdf = iterations
        .0
        .unwrap_or(vault_core::SlotKdf::Argon2id(Default::default()));
    let recovery_iterations = iterations.1.unwrap_or(DEFAULT_ITERATIONS);
    let vmk = VaultMasterKey::generate(&mut OsRng);
    let (slot, slot_key) = password_slot(&password, password_kdf, &vmk, &vault_id, ctx, &opts.out)?;
    let mut slots = vec![slot];
    if let Some(secret) = &meta.recovery_secret {
        slots.push(
            progress::seal(
                SlotKind::Recovery,
                secret.expose_secret(),
                recovery_iterations,
                &vmk,
                &vault_id,
                ctx.progress,
            )
            .map_err(|e| CliError::core(e, &opts.out, Doing::Write))?,
        );
    }
    let recovery_code = (recovery == "new")
        .then_some(meta.recovery_secret.as_ref())
        .flatten()
        .map(|s| Zeroizing::new(recovery_code::encode(s).expose_secret().to_owned()));

    let used = reports.iter().filter(|r| r.status == "used").count();
    let detail = format!(
        "rebuilt from {used} of {} files; {events_lost} audit events lost",
        reports.len()
    );
    let recovered: Vec<SalvagedEntry> = {
        let mut v: Vec<SalvagedEntry> = entries
            .iter()
            .map(|(e, from)| SalvagedEntry {
                name: e.name.clone(),
                id: hex::encode(e.id),
                version: e.version,
                kind: e.kind.name(),
                status: e.status.name(),
                kcv: e.check_text(meta.check_key.as_ref()),
                from: reports[*from].file.clone(),
                renamed_from: renamed_from(&renamed, e),
            })
            .collect();
        v.sort_by(|a, b| (&a.name, a.version).cmp(&(&b.name, b.version)));
        v
    };
    let mut vault = Vault {
        vault_id,
        generation: ctx.seen.next_generation(&opts.out, input),
        vmk,
        slots,
        password_kdf,
        recovery_iterations: meta.recovery_secret.as_ref().map(|_| recovery_iterations),
        meta,
        entries: entries.into_iter().map(|(e, _)| e).collect(),
        events: kept,
    };
    let audit_events_kept = vault.events.len();
    vault.record_event(AuditOp::Salvage, None, &detail, now());
    files::ensure_parent_dir(&opts.out)?;
    let out = opts.out.as_path();
    files::write_atomic_with(
        out,
        opts.force,
        |f| {
            vault.write_to(f, now()).map_err(|e| match e {
                WriteError::Core(e) => CliError::core(e, out, Doing::Write),
                WriteError::Io(e) => CliError::io("write", out, &e),
            })
        },
        |tmp, header| {
            // Read back in one pass: keylessly, then opened with the new keyslot; if
            // anything there fails, whole, which says exactly what.
            let keyless = super::check_written(tmp, &header, out);
            if keyless.is_ok() && opens_with_key(tmp, &slot_key) {
                return Ok(());
            }
            let written = files::read_file(tmp)?;
            check_written(&written, &slot_key, out)?;
            keyless.map(|_| ())
        },
    )?;
    ctx.seen.written(
        out,
        Stamp {
            vault_id,
            generation: vault.generation,
        },
    );

    let mut report = SalvageReport {
        out: show(&opts.out),
        vault_id: hex::encode(vault_id),
        generation: vault.generation,
        complete: false,
        exit_code: 0,
        files: reports,
        recovered,
        lost,
        audit_events_kept,
        audit_events_lost: events_lost,
        metadata_from,
        recovery,
        recovery_code,
    };
    let exit = if report.shortfall().is_none() {
        Exit::Ok
    } else {
        Exit::Corrupted
    };
    report.complete = exit == Exit::Ok;
    report.exit_code = exit.code();
    Ok(Salvaged { report, exit })
}

/// Whether the file at `tmp` is intact and opens, every record of it, through keyslot 0
/// with `key`, read in one pass without holding it.
fn opens_with_key(tmp: &Path, key: &vault_core::SlotKey) -> bool {
    struct Any;
    impl RecordSink for Any {
        fn record(&mut self, _: Record<'_>) -> bool {
            true
        }
    }
    let Some(mut head) = files::read_head(tmp) else {
        return false;
    };
    let mut rest = std::io::BufReader::with_capacity(16 * 1024, &mut head.file);
    matches!(
        Vault::open_streaming_with_key(&head.bytes, &mut rest, 0, key, &mut Any),
        Ok(Some(o)) if o.verification.is_intact()
    )
}

/// Gives every entry a name no other entry has: when two entries (different ids) share a
/// name — one removed and a new one made under its name, say — the one found in the
/// newest file (then the one changed last) keeps it and the others are renamed. Returns
/// the renamed ids' new names.
fn resolve_names(
    entries: &mut [(OwnedEntry, usize)],
    seen_in: &BTreeMap<[u8; ENTRY_ID_LEN], u64>,
) -> BTreeMap<[u8; ENTRY_ID_LEN], String> {
    // Each id's newest version: its name and when it was made.
    let mut ids: BTreeMap<[u8; ENTRY_ID_LEN], (String, u64, u32)> = BTreeMap::new();
    for (e, _) in entries.iter() {
        let slot = ids
            .entry(e.id)
            .or_insert_with(|| (e.name.clone(), e.rotated_at, e.version));
        if e.version > slot.2 {
            *slot = (e.name.clone(), e.rotated_at, e.version);
        }
    }
    // Per name, the entries holding it: (id, (newest file's generation, last change)).
    type Holders = Vec<([u8; ENTRY_ID_LEN], (u64, u64))>;
    let mut by_name: BTreeMap<String, Holders> = BTreeMap::new();
    for (id, (name, at, _)) in &ids {
        let generation = seen_in.get(id).copied().unwrap_or(0);
        by_name
            .entry(name.clone())
            .or_default()
            .push((*id, (generation, *at)));
    }
    let mut taken: Vec<String> = by_name.keys().cloned().collect();
    let mut renamed = BTreeMap::new();
    for (name, mut holders) in by_name {
        if holders.len() < 2 {
            continue;
        }
        holders.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        for (id, _) in holders.into_iter().skip(1) {
            let new = free_name(&name, &taken);
            taken.push(new.clone());
            renamed.insert(id, new);
        }
    }
    for (e, _) in entries.iter_mut() {
        if let Some(new) = renamed.get(&e.id) {
            e.name.clone_from(new);
        }
    }
    renamed
}

fn renamed_from(renamed: &BTreeMap<[u8; ENTRY_ID_LEN], String>, e: &OwnedEntry) -> Option<String> {
    renamed.get(&e.id).map(|new| {
        new.rsplit_once(" (salvaged")
            .map_or_else(|| new.clone(), |(base, _)| base.to_owned())
    })
}

/// The error when no file could be opened: the worst of their results, every reason in
/// one line.
fn nothing_opened(reports: &[SalvageFile], failures: &[Exit]) -> CliError {
    let exit = failures.iter().fold(Exit::Ok, |a, &b| a.worst(b));
    let exit = if exit == Exit::Ok {
        Exit::Corrupted
    } else {
        exit
    };
    let reasons: Vec<String> = reports
        .iter()
        .map(|r| {
            format!(
                "{}: {}",
                r.file,
                r.message.as_deref().unwrap_or("not opened")
            )
        })
        .collect();
    let hint = if exit == Exit::Authentication {
        "give the password the files were written with, or open them with \
         --recovery-code-file or --share-file"
    } else {
        "find another copy of the vault or a backup; nothing was written"
    };
    CliError::new(
        exit,
        format!(
            "no file could be opened ({}): {}",
            reports.len(),
            reasons.join("; ")
        ),
    )
    .hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_names_are_unique_and_bounded() {
        let taken = vec!["a".to_owned(), "a (salvaged)".to_owned()];
        assert_eq!(free_name("a", &taken), "a (salvaged 2)");
        let long = "x".repeat(MAX_NAME_LEN);
        let n = free_name(&long, &[]);
        assert!(n.len() <= MAX_NAME_LEN && n.ends_with(" (salvaged)"));
    }
}

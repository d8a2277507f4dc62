//! What the recovery commands report: `recovery show` and `reset`, `shares split`,
//! `recover` and `salvage`.

use std::fmt;
use std::rc::Rc;

use serde::{Serialize, Serializer};
use vault_core::model::check_text;
use vault_core::records::{EntryKind, EntryStatus, Kcv};
use zeroize::Zeroizing;

fn secret_str<S: Serializer>(v: &Zeroizing<String>, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(v)
}

/// A recovery code shown by `recovery show` or issued by `recovery reset`.
#[derive(Serialize)]
pub struct RecoveryCodeReport {
    /// Path of the vault.
    pub vault: String,
    /// The vault's id, hex.
    pub vault_id: String,
    /// The recovery code.
    #[serde(serialize_with = "secret_str")]
    pub recovery_code: Zeroizing<String>,
}

impl fmt::Debug for RecoveryCodeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecoveryCodeReport")
            .field("vault", &self.vault)
            .finish_non_exhaustive()
    }
}

impl RecoveryCodeReport {
    /// Text for `recovery show`.
    ///
    /// # Errors
    /// Write errors.
    pub fn human_show(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        writeln!(w, "Recovery code of {}:", self.vault)?;
        writeln!(w)?;
        writeln!(w, "    {}", self.recovery_code.as_str())?;
        writeln!(w)?;
        writeln!(
            w,
            "It opens the vault and its backups if the password is lost: \
             'airvault recover FILE --recovery-code-file CODE-FILE'."
        )
    }

    /// Text for `recovery reset`.
    ///
    /// # Errors
    /// Write errors.
    pub fn human_reset(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        writeln!(w, "New recovery code of {} (shown only now; write it down and keep it apart from the password):", self.vault)?;
        writeln!(w)?;
        writeln!(w, "    {}", self.recovery_code.as_str())?;
        writeln!(w)?;
        writeln!(w, "{RESET_WARNING}")
    }
}

/// The result of `shares split`.
#[derive(Debug, Serialize)]
pub struct SharesReport {
    /// Path of the vault.
    pub vault: String,
    /// The vault's id, hex.
    pub vault_id: String,
    /// Shares needed to recover.
    pub threshold: u8,
    /// Shares made.
    pub count: u8,
    /// The share set's 15-bit identifier (public; it is in every share's words).
    pub set: u16,
    /// The shares.
    pub shares: Vec<ShareItem>,
}

impl SharesReport {
    /// Text for a person.
    ///
    /// # Errors
    /// Write errors.
    pub fn human(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        let rule = if self.threshold == 1 {
            "the one share recovers the vault".to_owned()
        } else {
            format!(
                "any {} of these {} shares recover the vault",
                self.threshold, self.count
            )
        };
        writeln!(
            w,
            "Recovery shares of {} (set {}): {rule}.",
            self.vault, self.set
        )?;
        for s in &self.shares {
            match (&s.file, &s.mnemonic) {
                (Some(file), _) => writeln!(w, "  share {} of {}: {file}", s.share, self.count)?,
                (None, Some(words)) => {
                    writeln!(w)?;
                    writeln!(w, "Share {} of {}:", s.share, self.count)?;
                    writeln!(w, "    {}", words.as_str())?;
                }
                (None, None) => {}
            }
        }
        writeln!(w)?;
        writeln!(
            w,
            "Give each share to a different custodian, apart from the password. They stay \
             valid until 'airvault recovery reset'."
        )
    }
}

/// A vault recovered.
#[derive(Clone, Debug, Serialize)]
pub struct RecoverReport {
    /// The file opened.
    pub file: String,
    /// `binary` or `armored`.
    pub format: &'static str,
    /// The vault written.
    pub out: String,
    /// The vault's id.
    pub vault_id: String,
    /// The new vault's generation.
    pub generation: u64,
    /// `recovery-code` or `shares`.
    pub method: &'static str,
    /// Shares combined (shares only), else null.
    pub shares_used: Option<usize>,
    /// Number of entries.
    pub entries: usize,
    /// Number of entry versions.
    pub versions: usize,
    /// PBKDF2 iterations of the new password keyslot; 0 when it is Argon2id (see `kdf`).
    pub iterations: u32,
    /// The new password keyslot's KDF and cost: the same as the file's password keyslot
    /// (Argon2id's default if it has none).
    pub kdf: String,
    /// What was wrong with the file (a damaged header copy or trailer), or null.
    pub damage: Option<String>,
}

impl RecoverReport {
    /// Text for a person.
    ///
    /// # Errors
    /// Write errors.
    pub fn human(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        let with = match self.shares_used {
            Some(n) => format!("{n} shares"),
            None => "the recovery code".to_owned(),
        };
        writeln!(
            w,
            "Recovered {} with {with} into {} (generation {}): {} entries, {} versions.",
            self.file, self.out, self.generation, self.entries, self.versions
        )?;
        if let Some(d) = &self.damage {
            writeln!(w, "The file was damaged ({d}); every record was intact.")?;
        }
        writeln!(
            w,
            "The vault opens with the new password, and still with the same recovery code \
             and shares."
        )
    }
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

/// One entry version in the rebuilt vault. Held for every version until the report is
/// printed, so it is kept small: the id, kind, status and check value as the core has
/// them, and the file it came from shared with every other version from that file.
#[derive(Clone, Debug, Serialize)]
pub struct SalvagedEntry {
    /// Its name in the rebuilt vault.
    pub name: Box<str>,
    /// Entry id, hex.
    #[serde(serialize_with = "hex_id")]
    pub id: [u8; 16],
    /// Version.
    pub version: u32,
    /// Entry kind.
    #[serde(serialize_with = "kind_name")]
    pub kind: EntryKind,
    /// `active` (the newest version found) or `retired`.
    #[serde(serialize_with = "status_name")]
    pub status: EntryStatus,
    /// Key check value.
    #[serde(serialize_with = "check_value")]
    pub kcv: Option<Kcv>,
    /// The file it was taken from.
    #[serde(serialize_with = "shared_str")]
    pub from: Rc<str>,
    /// Its name before salvage, when it had to be renamed (another entry kept the name).
    pub renamed_from: Option<Box<str>>,
}

fn hex_id<S: Serializer>(v: &[u8; 16], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(v))
}

fn kind_name<S: Serializer>(v: &EntryKind, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(v.name())
}

fn status_name<S: Serializer>(v: &EntryStatus, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(v.name())
}

fn check_value<S: Serializer>(v: &Option<Kcv>, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&check_text(*v))
}

fn shared_str<S: Serializer>(v: &Rc<str>, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(v)
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
            let mut ids: Vec<&[u8; 16]> = self.recovered.iter().map(|e| &e.id).collect();
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
                e.name,
                e.version,
                e.status.name(),
                check_text(e.kcv),
                e.from
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

/// One share made by `shares split`.
#[derive(Serialize)]
pub struct ShareItem {
    /// Share number, from 1.
    pub share: usize,
    /// The file it was written to, or null when printed.
    pub file: Option<String>,
    /// The 20 words, or null when written to a file.
    #[serde(serialize_with = "opt_secret_str")]
    pub mnemonic: Option<Zeroizing<String>>,
}

impl fmt::Debug for ShareItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShareItem")
            .field("share", &self.share)
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

/// What `recovery reset` voids, as shown to the user.
pub const RESET_WARNING: &str = "Old recovery codes and shares no longer open this vault, \
     nor anything written from now on: a new master key encrypts every record, so a copy \
     made before now, opened with the old code, shows only what it held then. Backups made \
     before now still open with the old code: replace them (or keep the old code with \
     them), and split new shares with 'airvault shares split'.";

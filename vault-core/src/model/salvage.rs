//! Salvage: one vault rebuilt from damaged or partial copies of it.
//!
//! Every record that opens in any copy is a candidate. For each entry, every version found
//! in any copy is kept once (from the newest copy that holds it) and the newest version is
//! the active one. The audit trail is the longest chain that verifies link by link (it may
//! take events from several copies), followed by a `salvage` event whose sequence number
//! may jump over the events that were lost. What some copy's record table lists but no copy
//! gives back is reported as lost, with the copies that listed it.

use alloc::borrow::ToOwned;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use rand_core::CryptoRngCore;

use super::contents::{open, record_buffer};
use super::entry::{OwnedEntry, OwnedEvent};
use super::vault::Vault;
use crate::audit::ChainVerifier;
use crate::constants::{ENTRY_ID_LEN, MAX_NAME_LEN, VAULT_ID_LEN};
use crate::format::{RecordKind, SlotKind, VaultFile};
use crate::kdf::SlotKdf;
use crate::records::{AuditOp, EntryStatus, Meta, Record};
use crate::secrets::{CheckKey, RecoverySecret, VaultMasterKey};
use crate::vault::UnlockedVault;
use crate::writer::SealedSlot;

type EntryId = [u8; ENTRY_ID_LEN];

/// An entry version found in an opened copy.
struct Candidate {
    entry: OwnedEntry,
    from: usize,
    generation: u64,
}

/// The newest copy of the vault that opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewestCopy {
    /// Its index among the copies.
    pub file: usize,
    /// Its generation.
    pub generation: u64,
    /// The KDF and cost of its password keyslot, if it has one.
    pub password_kdf: Option<SlotKdf>,
    /// The iteration count of its recovery keyslot, if it has one.
    pub recovery_iterations: Option<u32>,
}

/// What one copy gave.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Taken {
    /// Records that opened.
    pub opened: usize,
    /// Indices of records that did not open (damaged, missing, or failing their MAC).
    pub failed: Vec<u32>,
}

/// The merge in progress. Copies are numbered by the caller (`file`, an index into its own
/// list); each is first listed ([`Salvage::list`]), then, if it opens, its records are
/// taken ([`Salvage::take_file`], or [`Salvage::begin`] and [`Salvage::take`] for a copy
/// read one record at a time).
#[derive(Default)]
pub struct Salvage {
    vault_id: [u8; VAULT_ID_LEN],
    listed: BTreeMap<(RecordKind, EntryId, u32), Vec<usize>>,
    candidates: BTreeMap<(EntryId, u32), Candidate>,
    events: Vec<OwnedEvent>,
    metas: Vec<(Meta, usize, u64)>,
    known_events: u32,
    newest: Option<NewestCopy>,
    opened: Option<u64>,
    used: usize,
}

impl core::fmt::Debug for Salvage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Salvage")
            .field("candidates", &self.candidates.len())
            .field("events", &self.events.len())
            .field("used", &self.used)
            .finish_non_exhaustive()
    }
}

impl Salvage {
    /// A merge into the vault `vault_id`, of at most `copies` copies. Copies of another
    /// vault may be taken too: their entries are kept, their metadata and audit events
    /// are not.
    #[must_use]
    pub fn new(vault_id: [u8; VAULT_ID_LEN], copies: usize) -> Self {
        Self {
            vault_id,
            // A `Meta` holds the recovery secret: a growing Vec would copy it on
            // reallocation and free the old buffer unwiped. Each copy has one metadata
            // record, so this never grows.
            metas: Vec::with_capacity(copies),
            ..Self::default()
        }
    }

    /// The most common vault id among `ids` (the first one seen on a tie): the vault the
    /// copies are of.
    #[must_use]
    pub fn reference_id(ids: &[[u8; VAULT_ID_LEN]]) -> [u8; VAULT_ID_LEN] {
        let mut best = (0usize, [0u8; VAULT_ID_LEN]);
        for id in ids {
            let n = ids.iter().filter(|q| *q == id).count();
            if n > best.0 {
                best = (n, *id);
            }
        }
        best.1
    }

    /// Notes what copy `file`'s record table lists (whether or not it will open): what no
    /// copy gives back is reported as lost.
    pub fn list(&mut self, file: usize, copy: &VaultFile<'_>) {
        let own = copy.header().vault_id() == self.vault_id;
        for r in copy.records() {
            self.listed
                .entry((r.entry.kind, r.entry.id, r.entry.seq))
                .or_default()
                .push(file);
            if own && r.entry.kind == RecordKind::Audit {
                self.known_events = self.known_events.max(r.entry.seq.saturating_add(1));
            }
        }
    }

    /// Starts taking the records of copy `file`, unlocked.
    pub fn begin(&mut self, file: usize, unlocked: &UnlockedVault<'_>) {
        let h = unlocked.file().header();
        let generation = h.generation();
        self.used += 1;
        self.opened = self.opened.max(Some(generation));
        let own = h.vault_id() == self.vault_id;
        if own && self.newest.is_none_or(|n| generation > n.generation) {
            let slot = |kind| h.slots().find(|s| s.kind() == kind);
            self.newest = Some(NewestCopy {
                file,
                generation,
                password_kdf: slot(SlotKind::Password).map(|s| s.kdf()),
                recovery_iterations: slot(SlotKind::Recovery).map(|s| s.iterations()),
            });
        }
    }

    /// Takes one record of copy `file` (of vault `vault_id` and `generation`), opened.
    pub fn take(
        &mut self,
        file: usize,
        vault_id: &[u8; VAULT_ID_LEN],
        generation: u64,
        record: Record<'_>,
    ) {
        let own = *vault_id == self.vault_id;
        match record {
            Record::Meta(m) if own => {
                self.known_events = self.known_events.max(m.audit_next_seq);
                if self.metas.len() < self.metas.capacity() {
                    self.metas.push((m, file, generation));
                }
            }
            Record::Entry(e) => {
                let better = self
                    .candidates
                    .get(&(e.id, e.version))
                    .is_none_or(|c| generation > c.generation);
                if better {
                    self.candidates.insert(
                        (e.id, e.version),
                        Candidate {
                            entry: OwnedEntry::from_view(&e),
                            from: file,
                            generation,
                        },
                    );
                }
            }
            Record::Audit(a) if own => {
                let ev = OwnedEvent::from_view(&a);
                if !self.events.iter().any(|x| x == &ev) {
                    self.events.push(ev);
                }
            }
            _ => {}
        }
    }

    /// Takes every record of copy `file` (held whole) that opens.
    pub fn take_file(&mut self, file: usize, unlocked: &UnlockedVault<'_>) -> Taken {
        self.begin(file, unlocked);
        let h = unlocked.file().header();
        let (vault_id, generation) = (h.vault_id(), h.generation());
        let mut taken = Taken::default();
        let mut buf = record_buffer(unlocked);
        for r in unlocked.file().records() {
            match open(unlocked, &r, &mut buf) {
                Ok(rec) => {
                    taken.opened += 1;
                    self.take(file, &vault_id, generation, rec);
                }
                Err(_) => taken.failed.push(r.index),
            }
        }
        taken
    }

    /// The highest generation of any copy that opened (with copies of other vaults, of
    /// those too).
    #[must_use]
    pub fn opened_generation(&self) -> Option<u64> {
        self.opened
    }

    /// The newest copy of the vault that opened.
    #[must_use]
    pub fn newest(&self) -> Option<NewestCopy> {
        self.newest
    }

    /// The merge of everything taken.
    #[must_use]
    pub fn finish(self) -> Merged {
        // For each entry, the newest copy that holds any version of it.
        let mut seen_in: BTreeMap<EntryId, u64> = BTreeMap::new();
        for c in self.candidates.values() {
            let g = seen_in.entry(c.entry.id).or_insert(0);
            *g = (*g).max(c.generation);
        }
        let mut entries: Vec<SalvagedEntry> = self
            .candidates
            .into_values()
            .map(|c| SalvagedEntry {
                entry: c.entry,
                from: c.from,
                renamed_from: None,
            })
            .collect();
        // Every version once; the newest of each entry active, older ones retired.
        let mut newest_version: BTreeMap<EntryId, u32> = BTreeMap::new();
        for s in &entries {
            let v = newest_version.entry(s.entry.id).or_insert(0);
            *v = (*v).max(s.entry.version);
        }
        for s in &mut entries {
            s.entry.status = if newest_version.get(&s.entry.id) == Some(&s.entry.version) {
                EntryStatus::Active
            } else {
                EntryStatus::Retired
            };
        }
        let renamed = resolve_names(&mut entries, &seen_in);

        // Lost entry versions: listed by some copy, opened from none.
        let mut lost = Vec::new();
        for ((kind, id, seq), in_files) in &self.listed {
            if *kind != RecordKind::Entry
                || entries
                    .iter()
                    .any(|s| s.entry.id == *id && s.entry.version == *seq)
            {
                continue;
            }
            let name = entries
                .iter()
                .find(|s| s.entry.id == *id)
                .map(|s| {
                    renamed
                        .get(id)
                        .cloned()
                        .unwrap_or_else(|| s.entry.name.clone())
                })
                .or_else(|| {
                    self.events
                        .iter()
                        .rev()
                        .find(|ev| ev.entry_id == *id && !ev.name.is_empty())
                        .map(|ev| ev.name.clone())
                });
            let mut files = in_files.clone();
            files.dedup();
            lost.push(LostVersion {
                name,
                id: *id,
                version: *seq,
                files,
            });
        }
        lost.sort_by(|a, b| (&a.name, &a.id, a.version).cmp(&(&b.name, &b.id, b.version)));

        // The audit trail: the longest chain that verifies, from any of the copies.
        let mut events = self.events;
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
        let salvage_seq = self.known_events.max(chain.next_seq());
        let events_lost = salvage_seq - chain.next_seq();

        // The metadata of the newest copy whose metadata record survived.
        let best = self
            .metas
            .iter()
            .enumerate()
            .max_by(|(_, a), (_, b)| a.2.cmp(&b.2).then(b.1.cmp(&a.1)))
            .map(|(i, _)| i);
        let mut metas = self.metas;
        let meta = best.map(|i| {
            let (m, from, _) = metas.swap_remove(i);
            (m, from)
        });
        Merged {
            vault_id: self.vault_id,
            entries,
            lost,
            events: kept,
            events_lost,
            salvage_seq,
            audit_head: chain.head(),
            meta,
            newest: self.newest,
            opened: self.opened,
            used: self.used,
        }
    }
}

/// One entry version of the rebuilt vault.
#[derive(Clone, Debug)]
pub struct SalvagedEntry {
    /// The version, under the name it has in the rebuilt vault.
    pub entry: OwnedEntry,
    /// The copy it was taken from.
    pub from: usize,
    /// Its name before salvage, when it had to be renamed (another entry kept the name).
    pub renamed_from: Option<String>,
}

/// An entry version that some copy lists and none gave back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LostVersion {
    /// The entry's name, if a surviving record or audit event names it.
    pub name: Option<String>,
    /// Entry id (from the record table).
    pub id: EntryId,
    /// Version (from the record table).
    pub version: u32,
    /// The copies whose record table lists it.
    pub files: Vec<usize>,
}

/// Where the rebuilt vault's recovery secret comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecoveryOutcome {
    /// From the surviving metadata record.
    Kept,
    /// No metadata record held one: the recovery material the copies were opened with.
    FromMaterial,
    /// No metadata record survived: a new one was made; old codes and shares are void.
    New,
    /// The vault had none.
    None,
}

impl RecoveryOutcome {
    /// The name reports use: `kept`, `from-recovery-material`, `new`, `none`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Kept => "kept",
            Self::FromMaterial => "from-recovery-material",
            Self::New => "new",
            Self::None => "none",
        }
    }
}

/// The result of a salvage: what the rebuilt vault will hold, and what was lost.
#[derive(Clone)]
pub struct Merged {
    /// The vault the copies are of.
    pub vault_id: [u8; VAULT_ID_LEN],
    /// Every entry version recovered, in `(id, version)` order.
    pub entries: Vec<SalvagedEntry>,
    /// Entry versions some copy listed but none gave back, by name, id and version.
    pub lost: Vec<LostVersion>,
    /// The audit events kept: the longest chain that verifies.
    pub events: Vec<OwnedEvent>,
    /// Audit events known to have existed but not kept.
    pub events_lost: u32,
    salvage_seq: u32,
    audit_head: [u8; 32],
    /// The newest surviving metadata record and the copy it came from.
    pub meta: Option<(Meta, usize)>,
    /// The newest copy of the vault that opened.
    pub newest: Option<NewestCopy>,
    /// The highest generation of any copy that opened.
    pub opened: Option<u64>,
    /// How many copies opened.
    pub used: usize,
}

impl core::fmt::Debug for Merged {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Merged")
            .field("entries", &self.entries)
            .field("lost", &self.lost)
            .field("events", &self.events.len())
            .field("events_lost", &self.events_lost)
            .finish_non_exhaustive()
    }
}

impl Merged {
    /// The metadata record of the rebuilt vault and where its recovery secret comes from:
    /// the newest surviving metadata record (given `material`, the recovery secret the
    /// copies were opened with, if that record holds none); without one, a new record with
    /// `material` or a new recovery secret, a new check key (the old one was in the lost
    /// record, so check values of low-entropy secrets change), `default_policy_days`, and
    /// the time of the first kept event (else `now`) as the creation time.
    pub fn metadata(
        &mut self,
        material: Option<&RecoverySecret>,
        default_policy_days: u32,
        now: u64,
        rng: &mut impl CryptoRngCore,
    ) -> (Meta, RecoveryOutcome) {
        let (mut meta, outcome) = match self.meta.take() {
            Some((mut m, _)) => {
                let outcome = match (&m.recovery_secret, material) {
                    (Some(_), _) => RecoveryOutcome::Kept,
                    (None, Some(s)) => {
                        m.recovery_secret = Some(s.clone());
                        RecoveryOutcome::FromMaterial
                    }
                    (None, None) => RecoveryOutcome::None,
                };
                (m, outcome)
            }
            None => {
                let (secret, outcome) = match material {
                    Some(s) => (s.clone(), RecoveryOutcome::FromMaterial),
                    None => (RecoverySecret::generate(rng), RecoveryOutcome::New),
                };
                let meta = Meta {
                    recovery_secret: Some(secret),
                    default_policy_days,
                    created_at: self.events.first().map_or(now, |e| e.time),
                    audit_next_seq: 0,
                    audit_head: [0; 32],
                    check_key: Some(CheckKey::generate(rng)),
                };
                (meta, outcome)
            }
        };
        meta.audit_next_seq = self.salvage_seq;
        meta.audit_head = self.audit_head;
        (meta, outcome)
    }

    /// The rebuilt vault: `meta` (from [`Merged::metadata`]), a master key and keyslots
    /// sealed by the caller, every recovered entry version and kept event, and a `salvage`
    /// event saying how many of `copies` were used and how many events were lost.
    #[must_use]
    pub fn into_vault(self, meta: Meta, keys: RebuiltKeys, copies: usize, now: u64) -> Vault {
        let detail = format!(
            "rebuilt from {} of {copies} files; {} audit events lost",
            self.used, self.events_lost
        );
        let mut vault = Vault {
            vault_id: self.vault_id,
            generation: keys.generation,
            vmk: keys.vmk,
            slots: keys.slots,
            password_kdf: keys.password_kdf,
            recovery_iterations: keys.recovery_iterations,
            meta,
            entries: self.entries.into_iter().map(|s| s.entry).collect(),
            events: self.events,
        };
        vault.record_event(AuditOp::Salvage, None, &detail, now);
        vault
    }
}

/// The keys and header fields of a rebuilt vault, made by the caller.
#[derive(Debug)]
pub struct RebuiltKeys {
    /// A fresh master key.
    pub vmk: VaultMasterKey,
    /// Keyslots wrapping it.
    pub slots: Vec<SealedSlot>,
    /// The generation to write.
    pub generation: u64,
    /// The password keyslot's KDF and cost.
    pub password_kdf: SlotKdf,
    /// The recovery keyslot's iteration count, if there is one.
    pub recovery_iterations: Option<u32>,
}

/// A name for `name` that no other entry uses: `name (salvaged)`, `name (salvaged 2)`, …
/// cut to the format's limit.
#[must_use]
pub fn free_name(name: &str, taken: &[String]) -> String {
    let mut n = 1u32;
    loop {
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
        n = n.saturating_add(1);
    }
}

/// Gives every entry a name no other entry has: when two entries (different ids) share a
/// name — one removed and a new one made under its name, say — the one found in the
/// newest copy (then the one changed last) keeps it and the others are renamed. Returns
/// the renamed ids' new names.
fn resolve_names(
    entries: &mut [SalvagedEntry],
    seen_in: &BTreeMap<EntryId, u64>,
) -> BTreeMap<EntryId, String> {
    // Each id's newest version: its name and when it was made.
    let mut ids: BTreeMap<EntryId, (String, u64, u32)> = BTreeMap::new();
    for s in entries.iter() {
        let e = &s.entry;
        let slot = ids
            .entry(e.id)
            .or_insert_with(|| (e.name.clone(), e.rotated_at, e.version));
        if e.version > slot.2 {
            *slot = (e.name.clone(), e.rotated_at, e.version);
        }
    }
    // Per name, the entries holding it: (id, (newest copy's generation, last change)).
    type Holders = Vec<(EntryId, (u64, u64))>;
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
    for s in entries.iter_mut() {
        if let Some(new) = renamed.get(&s.entry.id) {
            s.renamed_from = ids.get(&s.entry.id).map(|(old, _, _)| old.clone());
            s.entry.name.clone_from(new);
        }
    }
    renamed
}

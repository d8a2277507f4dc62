//! Salvage in the page: several damaged copies of one vault merged into one, by the
//! core's rules ([`vault_core::model::Salvage`]) — the same entries, versions, losses and
//! audit trail as `airvault salvage` on the same files — and saved as a new vault file.
//!
//! ```js
//! const s = new Salvage();
//! const i = s.add(backup);                   // every copy, before any is opened
//! s.open(i, slot.index, key);                // each copy, with a key derived for its slot
//! s.useRecoverySecret(secretBytes);          // if the copies were opened with recovery material
//! const result = s.finish(nowSeconds);       // the merge
//! ```

use std::rc::Rc;

use rand_core::OsRng;
use vault_core::constants::{
    DEFAULT_ITERATIONS, DEFAULT_POLICY_DAYS, RECOVERY_SECRET_LEN, SALT_LEN, VAULT_ID_LEN,
};
use vault_core::model::{self, Merged, OwnedEntry, RecoveryOutcome};
use vault_core::{
    recovery_code, Argon2Params, HeaderParams, KdfLimits, Meta, RecoverySecret, SealedSlot,
    SlotKdf, SlotKind, StreamWriter,
};
use wasm_bindgen::prelude::*;
use zeroize::Zeroize;

use crate::backup::Backup;
use crate::encode::{hex_string, secret_text};
use crate::error::{Category, WasmError};
use crate::file::parse;
use crate::info::{EntryInfo, LostVersionInfo, SalvagedEntryInfo};
use crate::kdf::{KdfJob, SlotKey};

/// One copy added to a salvage.
struct Copy {
    bytes: Rc<[u8]>,
    vault_id: [u8; VAULT_ID_LEN],
}

/// A salvage in progress: copies added keylessly, then opened one by one.
#[wasm_bindgen]
#[derive(Default)]
pub struct Salvage {
    copies: Vec<Copy>,
    merge: Option<model::Salvage>,
    opened: Vec<bool>,
    material: Option<RecoverySecret>,
}

impl core::fmt::Debug for Salvage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Salvage")
            .field("copies", &self.copies.len())
            .finish_non_exhaustive()
    }
}

impl Salvage {
    fn reference_id(&self) -> [u8; VAULT_ID_LEN] {
        let ids: Vec<[u8; VAULT_ID_LEN]> = self.copies.iter().map(|c| c.vault_id).collect();
        model::Salvage::reference_id(&ids)
    }

    /// The merge, started on first use.
    fn merge(&mut self) -> &mut model::Salvage {
        let reference = self.reference_id();
        let copies = self.copies.len();
        self.merge
            .get_or_insert_with(|| model::Salvage::new(reference, copies))
    }
}

#[wasm_bindgen]
impl Salvage {
    /// An empty salvage.
    #[wasm_bindgen(constructor)]
    #[must_use]
    pub fn new() -> Salvage {
        Salvage::default()
    }

    /// Adds a copy; returns its index. Every copy is added before the first is opened.
    ///
    /// # Errors
    /// `invalid_input` once a copy has been opened.
    pub fn add(&mut self, backup: &Backup) -> Result<u32, WasmError> {
        if self.merge.is_some() {
            return Err(WasmError::invalid("add every copy before opening one"));
        }
        let file = parse(&backup.bytes)?;
        let h = file.header();
        self.copies.push(Copy {
            bytes: Rc::clone(&backup.bytes),
            vault_id: h.vault_id(),
        });
        Ok(self.copies.len() as u32 - 1)
    }

    /// The id of the vault the copies are of (the most common among them), in hex.
    #[wasm_bindgen(getter, js_name = vaultId)]
    #[must_use]
    pub fn vault_id(&self) -> String {
        hex_string(&self.reference_id())
    }

    /// Whether copy `index` is of another vault than most copies.
    #[wasm_bindgen(js_name = isOtherVault)]
    #[must_use]
    pub fn is_other_vault(&self, index: u32) -> bool {
        let reference = self.reference_id();
        self.copies
            .get(index as usize)
            .is_some_and(|c| c.vault_id != reference)
    }

    /// Opens copy `index` through keyslot `slot` with `key` (consumed) and takes every
    /// record of it that opens. Returns how many records opened and which did not.
    ///
    /// # Errors
    /// `wrong_password` (category `authentication`) when the key does not open the copy;
    /// `invalid_input` for an unknown copy; parsing errors.
    pub fn open(&mut self, index: u32, slot: u32, key: SlotKey) -> Result<Taken, WasmError> {
        let bytes = Rc::clone(
            &self
                .copies
                .get(index as usize)
                .ok_or_else(|| WasmError::invalid("no copy with that index"))?
                .bytes,
        );
        self.opened.resize(self.copies.len(), false);
        let file = parse(&bytes)?;
        let unlocked = file.unlock_with_slot_key(slot as usize, &key.inner)?;
        let taken = self.merge().take_file(index as usize, &unlocked);
        if let Some(o) = self.opened.get_mut(index as usize) {
            *o = true;
        }
        Ok(Taken {
            opened: taken.opened as u32,
            failed: taken.failed,
        })
    }

    /// The recovery secret the copies were opened with (16 bytes, wiped here): kept in the
    /// new vault if no surviving metadata record holds one.
    ///
    /// # Errors
    /// `invalid_input` if it is not 16 bytes.
    #[wasm_bindgen(js_name = useRecoverySecret)]
    pub fn use_recovery_secret(&mut self, secret: &mut [u8]) -> Result<(), WasmError> {
        let parsed = <[u8; RECOVERY_SECRET_LEN]>::try_from(&secret[..])
            .map_err(|_| WasmError::invalid("a recovery secret is 16 bytes"));
        secret.zeroize();
        let mut bytes = parsed?;
        self.material = Some(RecoverySecret::from_bytes(bytes));
        bytes.zeroize();
        Ok(())
    }

    /// The merge of every copy opened: the rebuilt vault's entries and what was lost.
    /// `now` is the time in seconds since the Unix epoch.
    ///
    /// # Errors
    /// `nothing_opened` (category `authentication`) when no copy was opened.
    pub fn finish(&mut self, now: f64) -> Result<Salvaged, WasmError> {
        let now = seconds(now)?;
        let merge = self
            .merge
            .take()
            .filter(|m| m.opened_generation().is_some());
        let Some(mut merge) = merge else {
            return Err(WasmError::new(
                "nothing_opened",
                Category::Authentication,
                "no copy could be opened with what was given",
            ));
        };
        // What the copies that did not open list is lost unless another copy has it.
        for (i, c) in self.copies.iter().enumerate() {
            if !self.opened.get(i).copied().unwrap_or(false) {
                if let Ok(file) = parse(&c.bytes) {
                    merge.list(i, &file, None);
                }
            }
        }
        let input = merge
            .newest()
            .map(|n| n.generation)
            .or(merge.opened_generation())
            .unwrap_or(0);
        let mut copies: Vec<Rc<[u8]>> = self.copies.iter().map(|c| Rc::clone(&c.bytes)).collect();
        let mut merged = merge.finish(&mut copies[..]);
        let metadata_from = merged.meta.as_ref().map(|(_, from)| *from as u32);
        let (meta, outcome) =
            merged.metadata(self.material.as_ref(), DEFAULT_POLICY_DAYS, now, &mut OsRng);
        let password_kdf = merged
            .newest
            .and_then(|n| n.password_kdf)
            .unwrap_or(SlotKdf::Argon2id(Argon2Params::DEFAULT));
        let recovery_iterations = merged
            .newest
            .and_then(|n| n.recovery_iterations)
            .unwrap_or(DEFAULT_ITERATIONS);
        let mut recovery_salt = [0u8; SALT_LEN];
        rand_core::RngCore::fill_bytes(&mut OsRng, &mut recovery_salt);
        Ok(Salvaged {
            merged,
            meta,
            outcome,
            metadata_from,
            copies,
            generation: input.saturating_add(1),
            password_kdf,
            recovery_iterations,
            recovery_salt,
        })
    }
}

/// What one copy gave.
#[wasm_bindgen]
#[derive(Clone, Debug)]
pub struct Taken {
    opened: u32,
    failed: Vec<u32>,
}

#[wasm_bindgen]
impl Taken {
    /// Records that opened.
    #[wasm_bindgen(getter)]
    pub fn opened(&self) -> u32 {
        self.opened
    }
    /// Indices of the records that did not open.
    #[wasm_bindgen(getter)]
    pub fn failed(&self) -> Vec<u32> {
        self.failed.clone()
    }
}

/// The result of a salvage: every entry version recovered, what was lost, and the new
/// vault file on request.
#[wasm_bindgen]
pub struct Salvaged {
    merged: Merged,
    meta: Meta,
    outcome: RecoveryOutcome,
    metadata_from: Option<u32>,
    copies: Vec<Rc<[u8]>>,
    generation: u64,
    password_kdf: SlotKdf,
    recovery_iterations: u32,
    recovery_salt: [u8; SALT_LEN],
}

impl core::fmt::Debug for Salvaged {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Salvaged")
            .field("merged", &self.merged)
            .finish_non_exhaustive()
    }
}

impl Salvaged {
    /// Entry version `record`, read again from its copy.
    fn open(&self, record: u32) -> Result<OwnedEntry, WasmError> {
        let mut copies = self.copies.clone();
        Ok(self.merged.open_version(record as usize, &mut copies[..])?)
    }
}

#[wasm_bindgen]
impl Salvaged {
    /// Every entry version recovered, in `(id, version)` order; `record` is the index to
    /// pass to [`Salvaged::reveal`].
    ///
    /// # Errors
    /// A record that no longer opens (the copies are held unchanged, so only on a fault).
    pub fn entries(&self) -> Result<Vec<SalvagedEntryInfo>, WasmError> {
        let check_key = self.meta.check_key.as_ref();
        let mut out = Vec::with_capacity(self.merged.version_count());
        for (i, v) in self.merged.versions().enumerate() {
            let entry = self.open(i as u32)?;
            out.push(SalvagedEntryInfo {
                entry: EntryInfo::of(i as u32, &entry, check_key),
                from: v.from as u32,
                renamed_from: v.renamed_from.unwrap_or_default().into(),
            });
        }
        Ok(out)
    }

    /// Entry versions some copy's record table lists and no copy gave back.
    #[must_use]
    pub fn lost(&self) -> Vec<LostVersionInfo> {
        self.merged
            .lost
            .iter()
            .map(|l| LostVersionInfo {
                name: l.name.clone().unwrap_or_default(),
                id: hex_string(&l.id),
                version: l.version,
                files: l.files.iter().map(|&f| f as u32).collect(),
            })
            .collect()
    }

    /// How many copies were opened.
    #[wasm_bindgen(getter)]
    #[must_use]
    pub fn used(&self) -> u32 {
        self.merged.used as u32
    }

    /// Audit events kept: the longest chain that verifies.
    #[wasm_bindgen(getter, js_name = auditEventsKept)]
    #[must_use]
    pub fn audit_events_kept(&self) -> u32 {
        self.merged.events_kept() as u32
    }

    /// Audit events known to have existed but not kept.
    #[wasm_bindgen(getter, js_name = auditEventsLost)]
    #[must_use]
    pub fn audit_events_lost(&self) -> u32 {
        self.merged.events_lost
    }

    /// The copy whose metadata record was kept, if one survived.
    #[wasm_bindgen(getter, js_name = metadataFrom)]
    #[must_use]
    pub fn metadata_from(&self) -> Option<u32> {
        self.metadata_from
    }

    /// Where the new vault's recovery secret comes from: `kept`, `from-recovery-material`,
    /// `new` (old codes and shares no longer open it) or `none`.
    #[wasm_bindgen(getter)]
    #[must_use]
    pub fn recovery(&self) -> String {
        self.outcome.name().into()
    }

    /// The new recovery code when [`Salvaged::recovery`] is `new`, to write down now.
    #[wasm_bindgen(js_name = newRecoveryCode)]
    #[must_use]
    pub fn new_recovery_code(&self) -> Option<js_sys::JsString> {
        if self.outcome != RecoveryOutcome::New {
            return None;
        }
        self.meta
            .recovery_secret
            .as_ref()
            .map(|s| js_sys::JsString::from(recovery_code::encode(s).expose_secret()))
    }

    /// The new password keyslot's KDF: that of the newest copy's password keyslot,
    /// `argon2id` or `pbkdf2` (Argon2id when no copy has one).
    #[wasm_bindgen(getter, js_name = newPasswordKdf)]
    #[must_use]
    pub fn new_password_kdf(&self) -> String {
        match self.password_kdf {
            SlotKdf::Pbkdf2 { .. } => "pbkdf2",
            SlotKdf::Argon2id(_) => "argon2id",
        }
        .into()
    }

    /// The PBKDF2 iteration count for the new password keyslot (0 for Argon2id).
    #[wasm_bindgen(getter, js_name = newPasswordIterations)]
    #[must_use]
    pub fn new_password_iterations(&self) -> u32 {
        match self.password_kdf {
            SlotKdf::Pbkdf2 { iterations } => iterations,
            SlotKdf::Argon2id(_) => 0,
        }
    }

    /// The new Argon2id keyslot's memory in KiB, passes and lanes (empty for PBKDF2).
    #[wasm_bindgen(getter, js_name = newPasswordArgon2id)]
    #[must_use]
    pub fn new_password_argon2id(&self) -> Vec<u32> {
        match self.password_kdf {
            SlotKdf::Pbkdf2 { .. } => Vec::new(),
            SlotKdf::Argon2id(p) => vec![p.memory_kib, p.passes, p.lanes],
        }
    }

    /// The derivation of the new recovery keyslot's key from the vault's recovery secret
    /// (which never leaves wasm), to run in steps like any [`KdfJob`]; `None` when the
    /// vault has no recovery secret.
    ///
    /// # Errors
    /// `kdf_cost_refused` for an iteration count out of bounds.
    #[wasm_bindgen(js_name = recoveryKeyJob)]
    pub fn recovery_key_job(&self) -> Result<Option<KdfJob>, WasmError> {
        let Some(secret) = &self.meta.recovery_secret else {
            return Ok(None);
        };
        let mut copy = *secret.expose_secret();
        KdfJob::new(&mut copy, &self.recovery_salt, self.recovery_iterations).map(Some)
    }

    /// The secret of entry `record` as text (see `Vault.reveal`).
    ///
    /// # Errors
    /// `not_text`, `invalid_input`.
    pub fn reveal(&self, record: u32, format: &str) -> Result<js_sys::JsString, WasmError> {
        secret_text(&self.open(record)?.secret, format)
    }

    /// The raw bytes of entry `record`; wipe the returned array when done.
    ///
    /// # Errors
    /// `invalid_input` for an unknown record.
    #[wasm_bindgen(js_name = secretBytes)]
    pub fn secret_bytes(&self, record: u32) -> Result<js_sys::Uint8Array, WasmError> {
        Ok(js_sys::Uint8Array::from(&self.open(record)?.secret[..]))
    }

    /// Writes the rebuilt vault as a new file: a fresh master key, a password keyslot
    /// sealed with `key` (derived from the new password with `salt` and the KDF and cost
    /// of [`Salvaged::new_password_kdf`] and its getters), a
    /// recovery keyslot sealed with `recovery_key` (from [`Salvaged::recovery_key_job`];
    /// required when the vault has a recovery secret), every recovered entry version and
    /// kept event, and a `salvage` event. The file is read back and checked before it is
    /// returned. Consumes the keys.
    ///
    /// # Errors
    /// `kdf_cost_refused`; `invalid_input` for a bad salt or time, or a missing recovery
    /// key; `write_check_failed` if the file does not read back.
    pub fn save(
        &self,
        key: SlotKey,
        salt: &[u8],
        recovery_key: Option<SlotKey>,
        now: f64,
    ) -> Result<Vec<u8>, WasmError> {
        let now = seconds(now)?;
        KdfLimits::STANDARD.check_kdf(&self.password_kdf)?;
        let salt = <[u8; SALT_LEN]>::try_from(salt)
            .map_err(|_| WasmError::invalid("the salt is 32 bytes"))?;
        let vault_id = self.merged.vault_id;
        let vmk = vault_core::VaultMasterKey::generate(&mut OsRng);
        let mut slots = vec![SealedSlot::seal_with_kdf_key(
            SlotKind::Password,
            self.password_kdf,
            salt,
            &key.inner,
            &vmk,
            &vault_id,
            &mut OsRng,
        )?];
        let has_recovery = self.meta.recovery_secret.is_some();
        match (has_recovery, recovery_key) {
            (true, Some(rk)) => slots.push(SealedSlot::seal_with_key(
                SlotKind::Recovery,
                self.recovery_iterations,
                self.recovery_salt,
                &rk.inner,
                &vmk,
                &vault_id,
                &mut OsRng,
            )),
            (true, None) => {
                return Err(WasmError::invalid(
                    "the vault keeps a recovery secret: derive its keyslot key first",
                ))
            }
            (false, _) => {}
        }
        let count = self
            .merged
            .record_count()
            .ok_or_else(|| WasmError::invalid("too many records for one file"))?;
        let header_len = vault_core::format::header_len(slots.len(), count)
            .ok_or_else(|| WasmError::invalid("too many records for one file"))?;
        let mut header = vec![0u8; header_len];
        let params = HeaderParams {
            vault_id,
            generation: self.generation,
            written_at: now,
        };
        let mut w = StreamWriter::new(&mut header, &vmk, &params, &slots, count)?;
        let mut body: Vec<u8> = Vec::new();
        let mut copies = self.copies.clone();
        self.merged.write(
            &mut w,
            &self.meta,
            self.copies.len(),
            now,
            &mut copies[..],
            &mut OsRng,
            &mut |rec: &[u8], _| {
                body.extend_from_slice(rec);
                Ok::<(), vault_core::Error>(())
            },
            &mut |_, _| {},
        )?;
        let (head, trailer) = w.finish()?;
        let mut out = Vec::with_capacity(2 * head.len() + body.len() + trailer.len());
        out.extend_from_slice(head);
        out.extend_from_slice(&body);
        out.extend_from_slice(head);
        out.extend_from_slice(&trailer);

        // Read the new file back: intact, and the new password's key opens every record.
        let failed = || {
            WasmError::new(
                "write_check_failed",
                Category::Corrupted,
                "the new vault file did not verify after writing",
            )
        };
        let written = parse(&out)?;
        if !written.verify().is_intact() {
            return Err(failed());
        }
        let unlocked = written.unlock_with_slot_key(0, &key.inner)?;
        let back = model::Vault::from_unlocked(&unlocked)?;
        if back.entries.len() != self.merged.version_count() {
            return Err(failed());
        }
        for (i, entry) in back.entries.iter().enumerate() {
            if *entry != self.open(i as u32)? {
                return Err(failed());
            }
        }
        Ok(out)
    }
}

fn seconds(now: f64) -> Result<u64, WasmError> {
    if (0.0..1.0e15).contains(&now) {
        Ok(now as u64)
    } else {
        Err(WasmError::invalid("bad time"))
    }
}

//! An opened backup: its entries listed without their secrets, each secret decrypted only
//! when the page asks for it, and the backup rewritten as a new vault file with a new
//! password.

use std::rc::Rc;

use rand_core::OsRng;
use vault_core::audit::ChainError;
use vault_core::constants::{ENTRY_ID_LEN, SALT_LEN};
use vault_core::model::{read_entry, read_meta, ChainVerdict, Contents};
use vault_core::{
    AuditEvent, AuditOp, EntryKind, HeaderParams, Kcv, KdfLimits, Rewrite, SealedSlot, SlotKind,
    VaultFile,
};
use wasm_bindgen::prelude::*;
use zeroize::{Zeroize, Zeroizing};

use crate::encode::secret_text;
use crate::error::{Category, WasmError};
use crate::file::{parse, slot_kind_name};
use crate::info::{AuditInfo, EntryInfo, LostRecord};
use crate::kdf::SlotKey;

/// What the audit trail records for a rewrite made by the restore page.
const AUDIT_DETAIL: &str = "restore page";

/// A backup opened with its password, recovery code or shares. Holds the file's bytes and
/// the keyslot key that opened it (wiped when the vault is freed); every operation
/// re-opens the file with that key and wipes what it decrypted.
#[wasm_bindgen]
pub struct Vault {
    bytes: Rc<[u8]>,
    slot: usize,
    slot_kind: SlotKind,
    key: vault_core::SlotKey,
    entries: Vec<EntryInfo>,
    lost: Vec<LostRecord>,
    audit: Vec<AuditInfo>,
    chain: ChainVerdict,
    created_at: Option<u64>,
    has_recovery_secret: bool,
    password_iterations: Option<u32>,
}

impl core::fmt::Debug for Vault {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Vault")
            .field("slot", &self.slot)
            .field("entries", &self.entries.len())
            .field("lost", &self.lost.len())
            .finish_non_exhaustive()
    }
}

/// A buffer for one decrypted record, wiped when dropped.
fn scratch(len: usize) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(vec![0u8; len])
}

impl Vault {
    /// Opens `bytes` through `slot` with `key` and reads every record once to list what
    /// it holds (public fields only; secrets are wiped right away).
    pub(crate) fn open(
        bytes: Rc<[u8]>,
        slot: usize,
        key: vault_core::SlotKey,
    ) -> Result<Vault, WasmError> {
        let file = parse(&bytes)?;
        let slot_kind = file
            .header()
            .slot(slot)
            .ok_or(vault_core::Error::NoSuchSlot)?
            .kind();
        // The page re-wraps with PBKDF2 (WebCrypto): the count of a PBKDF2 password slot.
        let password_iterations = file
            .header()
            .slots()
            .find(|s| s.kind() == SlotKind::Password)
            .and_then(|s| match s.kdf() {
                vault_core::SlotKdf::Pbkdf2 { iterations } => Some(iterations),
                vault_core::SlotKdf::Argon2id(_) => None,
            });
        let unlocked = file.unlock_with_slot_key(slot, &key)?;
        let contents = Contents::read(&unlocked);
        drop(unlocked);
        // Keyed for a low-entropy secret; "-" when the metadata record that holds the
        // check key is lost or the file is format version 1.
        let check_key = contents.meta.as_ref().and_then(|m| m.check_key.as_ref());
        let entries: Vec<EntryInfo> = contents
            .entries
            .iter()
            .map(|f| EntryInfo::of(f.index, &f.entry, check_key))
            .collect();
        let audit = contents.events.iter().map(AuditInfo::of).collect();
        let mut lost: Vec<LostRecord> = contents.lost.iter().map(LostRecord::of).collect();
        // Name a lost entry version after another version of the same entry, if one opened.
        for l in lost.iter_mut().filter(|l| l.kind == "entry") {
            if let Some(e) = entries.iter().find(|e| e.id == l.id) {
                l.name.clone_from(&e.name);
            }
        }
        let created_at = contents.meta.as_ref().map(|m| m.created_at);
        let has_recovery_secret = contents
            .meta
            .as_ref()
            .is_some_and(|m| m.recovery_secret.is_some());
        let chain = contents.chain;
        Ok(Vault {
            bytes,
            slot,
            slot_kind,
            key,
            entries,
            lost,
            audit,
            chain,
            created_at,
            has_recovery_secret,
            password_iterations,
        })
    }

    fn file(&self) -> Result<VaultFile<'_>, WasmError> {
        parse(&self.bytes)
    }

    /// Decrypts the entry in record `record` and hands its kind and secret to `f`; the
    /// decrypted record is wiped afterwards.
    fn with_secret<R>(
        &self,
        record: u32,
        f: impl FnOnce(EntryKind, &[u8]) -> Result<R, WasmError>,
    ) -> Result<R, WasmError> {
        let file = self.file()?;
        let unlocked = file.unlock_with_slot_key(self.slot, &self.key)?;
        let entry = read_entry(&unlocked, record)?;
        f(entry.kind, &entry.secret)
    }

    /// Writes the opened file out again with a new password keyslot (see
    /// [`Vault::rewrap_with_password`]).
    fn rewrite(
        &self,
        key: &vault_core::SlotKey,
        salt: [u8; SALT_LEN],
        kdf: vault_core::SlotKdf,
        now: u64,
    ) -> Result<Vec<u8>, WasmError> {
        KdfLimits::STANDARD.check_kdf(&kdf)?;
        let file = self.file()?;
        let unlocked = file.unlock_with_slot_key(self.slot, &self.key)?;
        let header = file.header();
        let vault_id = header.vault_id();
        let meta = read_meta(&unlocked)?;
        let mut slots = vec![SealedSlot::seal_with_kdf_key(
            SlotKind::Password,
            kdf,
            salt,
            key,
            unlocked.master_key(),
            &vault_id,
            &mut OsRng,
        )?];
        slots.extend(
            header
                .slots()
                .filter(|s| s.kind() == SlotKind::Recovery)
                .map(|s| SealedSlot::from_view(&s)),
        );
        let event = AuditEvent {
            seq: meta.audit_next_seq,
            time: now,
            op: match self.slot_kind {
                SlotKind::Recovery => AuditOp::Recover,
                SlotKind::Password => AuditOp::Restore,
            },
            entry_id: [0; ENTRY_ID_LEN],
            version: 0,
            kcv: Kcv::default(),
            kcv_showable: false,
            prev_hash: meta.audit_head,
            name: "",
            detail: AUDIT_DETAIL,
        };
        drop(meta);
        let generation = header
            .generation()
            .checked_add(1)
            .ok_or_else(|| WasmError::invalid("generation counter exhausted"))?;
        let rewrite = Rewrite {
            params: HeaderParams {
                vault_id,
                generation,
                written_at: now,
            },
            slots: &slots,
            new_master_key: None,
            event: Some(event),
        };
        let mut out = vec![0u8; unlocked.rewrite_len(&rewrite)?];
        let mut buf = scratch(unlocked.scratch_len());
        let n = unlocked.rewrite(&mut out, &mut buf, &rewrite, &mut OsRng)?;
        out.truncate(n);

        // Read the new file back: intact, the new password's key opens it, and it holds
        // exactly the records it copied and the event appended (the core's rule).
        let written = parse(&out)?;
        let checked = written.verify().is_intact()
            && vault_core::model::check_rewritten(&written, &unlocked, &rewrite, &[(0, key)])
                .is_ok();
        if !checked {
            return Err(WasmError::new(
                "write_check_failed",
                Category::Corrupted,
                "the new vault file did not verify after writing",
            ));
        }
        Ok(out)
    }
}

#[wasm_bindgen]
impl Vault {
    /// Every entry version that opened, in file order (by entry id, then version).
    #[must_use]
    pub fn entries(&self) -> Vec<EntryInfo> {
        self.entries.clone()
    }

    /// Records that could not be read: damaged, missing (file truncated), or failing
    /// authentication. Empty for an intact file.
    #[must_use]
    pub fn lost(&self) -> Vec<LostRecord> {
        self.lost.clone()
    }

    /// The audit trail events that opened, in order.
    #[wasm_bindgen(js_name = auditTrail)]
    #[must_use]
    pub fn audit_trail(&self) -> Vec<AuditInfo> {
        self.audit.clone()
    }

    /// The verdict on the audit trail's hash chain (`vault_core::audit`): `valid`; or the
    /// first rule it breaks — `sequence` (an event removed, repeated or reordered), `link`
    /// (an earlier event edited or removed), `head` (events at the end removed); or
    /// `incomplete` when an audit or metadata record could not be read.
    #[wasm_bindgen(getter, js_name = auditChain)]
    #[must_use]
    pub fn audit_chain(&self) -> String {
        match self.chain {
            ChainVerdict::Valid => "valid",
            ChainVerdict::Broken(ChainError::Sequence { .. }) => "sequence",
            ChainVerdict::Broken(ChainError::Link { .. }) => "link",
            ChainVerdict::Broken(ChainError::Head) => "head",
            ChainVerdict::Broken(_) => "broken",
            ChainVerdict::Incomplete => "incomplete",
        }
        .into()
    }

    /// The audit chain's verdict in words (empty when it is valid).
    #[wasm_bindgen(getter, js_name = auditChainMessage)]
    #[must_use]
    pub fn audit_chain_message(&self) -> String {
        match self.chain {
            ChainVerdict::Valid => String::new(),
            ChainVerdict::Broken(e) => e.to_string(),
            ChainVerdict::Incomplete => {
                "an audit record could not be read, so the trail cannot be checked".into()
            }
        }
    }

    /// The keyslot that opened the file: `password` or `recovery`.
    #[wasm_bindgen(getter, js_name = openedWith)]
    #[must_use]
    pub fn opened_with(&self) -> String {
        slot_kind_name(self.slot_kind).into()
    }

    /// When the vault was created (seconds since the Unix epoch), if the metadata record
    /// opened.
    #[wasm_bindgen(getter, js_name = createdAt)]
    #[must_use]
    pub fn created_at(&self) -> Option<f64> {
        self.created_at.map(|t| t as f64)
    }

    /// Whether the vault keeps a recovery secret (a recovery code or shares open it).
    #[wasm_bindgen(getter, js_name = hasRecoverySecret)]
    #[must_use]
    pub fn has_recovery_secret(&self) -> bool {
        self.has_recovery_secret
    }

    /// The PBKDF2 iteration count for a new password keyslot (the page re-wraps with
    /// WebCrypto's PBKDF2): that of the file's password keyslot if it is PBKDF2, else the
    /// default 600,000.
    #[wasm_bindgen(getter, js_name = newPasswordIterations)]
    #[must_use]
    pub fn new_password_iterations(&self) -> u32 {
        self.password_iterations
            .unwrap_or(vault_core::constants::DEFAULT_ITERATIONS)
    }

    /// The secret of the entry in record `record`, as text: `format` is `text` (UTF-8,
    /// for passwords and PEM keys), `hex`, `base64` or `base32` (TOTP seeds). Only the
    /// returned JavaScript string holds it; the copies in wasm memory are wiped.
    ///
    /// # Errors
    /// `not_text` if `format` is `text` and the secret is not UTF-8; `invalid_input` for
    /// an unknown format or record; a record error (e.g. `record_damaged`).
    pub fn reveal(&self, record: u32, format: &str) -> Result<js_sys::JsString, WasmError> {
        self.with_secret(record, |_, secret| secret_text(secret, format))
    }

    /// The raw bytes of the entry in record `record`, for saving as a file. The copy in
    /// wasm memory is wiped; wipe the returned array (`fill(0)`) when done.
    ///
    /// # Errors
    /// As [`Vault::reveal`].
    #[wasm_bindgen(js_name = secretBytes)]
    pub fn secret_bytes(&self, record: u32) -> Result<js_sys::Uint8Array, WasmError> {
        self.with_secret(record, |_, secret| Ok(js_sys::Uint8Array::from(secret)))
    }

    /// Writes this vault as a new vault file that opens with a new password: the same
    /// master key and records (copied unchanged, each authenticated on the way), a new
    /// password keyslot sealed with `key` (derived from the new password with `salt` —
    /// fresh bytes from [`random_salt`](crate::random_salt) — and `iterations`), the
    /// recovery keyslot carried over, the generation raised by one, and an audit event
    /// appended (`restore`, or `recover` if the vault was opened with recovery material).
    /// `now` is the time in seconds since the Unix epoch. The result is read back and
    /// checked before it is returned. Consumes `key`.
    ///
    /// # Errors
    /// A record error if any record is damaged (nothing is silently dropped: use
    /// `airvault salvage`); `kdf_cost_refused`; `invalid_input` for a salt that is not 32
    /// bytes or a bad time.
    #[wasm_bindgen(js_name = rewrapWithPassword)]
    pub fn rewrap_with_password(
        &self,
        key: SlotKey,
        salt: &[u8],
        iterations: u32,
        now: f64,
    ) -> Result<Vec<u8>, WasmError> {
        let salt = <[u8; SALT_LEN]>::try_from(salt)
            .map_err(|_| WasmError::invalid("the salt is 32 bytes"))?;
        if !(0.0..1.0e15).contains(&now) {
            return Err(WasmError::invalid("bad time"));
        }
        let kdf = vault_core::SlotKdf::Pbkdf2 { iterations };
        self.rewrite(&key.inner, salt, kdf, now as u64)
    }

    /// As [`Vault::rewrap_with_password`], with an Argon2id password keyslot: `key` derived
    /// from the new password with [`derive_argon2id`](crate::derive_argon2id) over `salt`
    /// with `memory_kib`, `passes` and `lanes`, which the new keyslot records.
    ///
    /// # Errors
    /// As [`Vault::rewrap_with_password`]; `kdf_cost_refused` for a cost out of bounds.
    #[wasm_bindgen(js_name = rewrapWithArgon2id)]
    pub fn rewrap_with_argon2id(
        &self,
        key: SlotKey,
        salt: &[u8],
        memory_kib: u32,
        passes: u32,
        lanes: u32,
        now: f64,
    ) -> Result<Vec<u8>, WasmError> {
        let salt = <[u8; SALT_LEN]>::try_from(salt)
            .map_err(|_| WasmError::invalid("the salt is 32 bytes"))?;
        if !(0.0..1.0e15).contains(&now) {
            return Err(WasmError::invalid("bad time"));
        }
        let kdf = vault_core::SlotKdf::Argon2id(vault_core::Argon2Params {
            memory_kib,
            passes,
            lanes,
        });
        self.rewrite(&key.inner, salt, kdf, now as u64)
    }

    /// Wipes the keyslot key now (it is also wiped when the vault is freed). Every later
    /// call fails.
    pub fn lock(&mut self) {
        self.key.zeroize();
        self.entries.clear();
        self.audit.clear();
    }
}

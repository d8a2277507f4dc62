//! A backup file loaded into the page: parsed and checked without any key, its keyslots
//! described so the page can derive a slot key, and opened with that key.

use std::rc::Rc;

use sha2::{Digest, Sha256};
use vault_core::armor;
use vault_core::constants::VAULT_ID_LEN;
use vault_core::{PartState, RecordKind, VaultFile};
use wasm_bindgen::prelude::*;

use crate::encode::hex_string;
use crate::error::{Category, WasmError};
use crate::file::{parse, part_state_name, record_kind_name, slot_kind_name};
use crate::kdf::SlotKey;
use crate::vault::Vault;

/// Decodes armored text into the file bytes it carries.
fn dearmor(text: &[u8]) -> Result<Vec<u8>, WasmError> {
    let mut out = vec![0u8; armor::decoded_len_max(text.len())];
    let n = match armor::decode(text, &mut out) {
        Ok(n) => n,
        // `Length:` announces more than the text can hold: lines are missing. Decode
        // again into a buffer of the announced size to learn where, unless the
        // announcement is absurd for this much text.
        Err(armor::ArmorError::BufferTooSmall { needed }) => {
            if needed > 4 * out.len() + (1 << 20) {
                return Err(WasmError::new(
                    "armor_incomplete",
                    Category::Corrupted,
                    format!(
                        "the armor announces {needed} bytes but holds far fewer: lines are missing"
                    ),
                ));
            }
            out.resize(needed, 0);
            armor::decode(text, &mut out)?
        }
        Err(e) => return Err(e.into()),
    };
    out.truncate(n);
    Ok(out)
}

/// A parsed backup (or vault) file. Holds only the file's bytes, which are encrypted.
#[wasm_bindgen]
pub struct Backup {
    pub(crate) bytes: Rc<[u8]>,
    armored: bool,
    summary: Summary,
}

impl core::fmt::Debug for Backup {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Backup")
            .field("len", &self.bytes.len())
            .field("armored", &self.armored)
            .field("summary", &self.summary)
            .finish()
    }
}

/// The public header fields, read once when the file is opened.
#[derive(Clone, Copy, Debug)]
struct Summary {
    version: u16,
    vault_id: [u8; VAULT_ID_LEN],
    generation: u64,
    written_at: u64,
    records: u32,
    entry_records: u32,
}

impl Summary {
    fn of(file: &VaultFile<'_>) -> Self {
        let h = file.header();
        Self {
            version: h.version(),
            vault_id: h.vault_id(),
            generation: h.generation(),
            written_at: h.written_at(),
            records: h.record_count(),
            entry_records: (0..h.record_count())
                .filter_map(|i| h.table_entry(i))
                .filter(|e| e.kind == RecordKind::Entry)
                .count() as u32,
        }
    }
}

#[wasm_bindgen]
impl Backup {
    /// Parses a file's bytes; armored text (`-----BEGIN AIRVAULT BACKUP-----`) is decoded
    /// first. Parsing checks the structure and every keyslot's KDF cost, not the records:
    /// see [`Backup::verify`]. A file with one damaged header copy or damaged records
    /// still parses, so that what is intact can be read.
    ///
    /// # Errors
    /// `not_a_vault`, `header_damaged`, `truncated`, `malformed` (category `corrupted`);
    /// `unsupported_version`, `kdf_cost_refused`, `unsupported_slot` (`unsupported`);
    /// armor errors (`armor_*`, with `line`).
    pub fn open(bytes: &[u8]) -> Result<Backup, WasmError> {
        if armor::is_armored(bytes) {
            return Self::from_decoded(dearmor(bytes)?, true);
        }
        Self::from_decoded(bytes.to_vec(), false)
    }

    /// Decodes pasted armored text and parses the file it carries.
    ///
    /// # Errors
    /// `armor_no_begin_line` if the text holds no armor; a mistyped line as
    /// `armor_bad_line` (and the other `armor_*` codes) with its text line number in
    /// `line`; then as [`Backup::open`].
    #[wasm_bindgen(js_name = fromArmor)]
    pub fn from_armor(text: &str) -> Result<Backup, WasmError> {
        Self::from_decoded(dearmor(text.as_bytes())?, true)
    }

    fn from_decoded(bytes: Vec<u8>, armored: bool) -> Result<Backup, WasmError> {
        let summary = Summary::of(&parse(&bytes)?);
        Ok(Backup {
            bytes: bytes.into(),
            armored,
            summary,
        })
    }

    fn file(&self) -> Result<VaultFile<'_>, WasmError> {
        parse(&self.bytes)
    }

    /// Whether the backup came as armored text.
    #[wasm_bindgen(getter)]
    pub fn armored(&self) -> bool {
        self.armored
    }

    /// The file's bytes (decoded, when it came as armor), to save as a `.airvault` file.
    #[wasm_bindgen(getter)]
    pub fn bytes(&self) -> Vec<u8> {
        self.bytes.to_vec()
    }

    /// Length of the file in bytes.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> f64 {
        self.bytes.len() as f64
    }

    /// The file's fingerprint: SHA-256 of all of its bytes in lower-case hex, the value
    /// `sha256sum` and `airvault fingerprint` print.
    #[wasm_bindgen(getter)]
    pub fn fingerprint(&self) -> String {
        hex_string(&Sha256::digest(&self.bytes))
    }

    /// Checks the whole file without any key: both header copies, every record's
    /// checksum, the trailer and the file checksum, and the length.
    ///
    /// # Errors
    /// Only if the file no longer parses (it always does once opened).
    pub fn verify(&self) -> Result<Verification, WasmError> {
        let file = self.file()?;
        let v = file.verify();
        let damaged = v.damaged.iter().copied().collect();
        Ok(Verification {
            intact: v.is_intact(),
            truncated: v.is_truncated(),
            header_a: part_state_name(v.header_a),
            header_b: part_state_name(v.header_b),
            trailer: part_state_name(v.trailer),
            records: v.records,
            records_damaged: v.records_damaged,
            records_missing: v.records_missing,
            damaged,
            expected_len: v.expected_len as f64,
            actual_len: v.actual_len as f64,
        })
    }

    /// The format version of the header copy in use (always 1 for a file that opened).
    #[wasm_bindgen(getter, js_name = formatVersion)]
    pub fn format_version(&self) -> u16 {
        self.summary.version
    }

    /// The vault's random id, in hex, shared by the vault and all of its backups.
    #[wasm_bindgen(getter, js_name = vaultId)]
    pub fn vault_id(&self) -> String {
        hex_string(&self.summary.vault_id)
    }

    /// The vault's write counter when this file was written.
    #[wasm_bindgen(getter)]
    pub fn generation(&self) -> f64 {
        self.summary.generation as f64
    }

    /// When the file was written, in seconds since the Unix epoch.
    #[wasm_bindgen(getter, js_name = writtenAt)]
    pub fn written_at(&self) -> f64 {
        self.summary.written_at as f64
    }

    /// Number of records (the metadata record, entry versions, audit events).
    #[wasm_bindgen(getter, js_name = recordCount)]
    pub fn record_count(&self) -> u32 {
        self.summary.records
    }

    /// Number of entry records (every version of every entry).
    #[wasm_bindgen(getter, js_name = entryRecordCount)]
    pub fn entry_record_count(&self) -> u32 {
        self.summary.entry_records
    }

    /// The keyslots, in header order.
    ///
    /// # Errors
    /// Only if the file no longer parses.
    pub fn slots(&self) -> Result<Vec<SlotInfo>, WasmError> {
        Ok(self
            .file()?
            .header()
            .slots()
            .map(|s| SlotInfo {
                index: u32::from(s.index()),
                kind: slot_kind_name(s.kind()),
                iterations: s.iterations(),
                kdf: s.kdf(),
                salt: s.salt().to_vec(),
            })
            .collect())
    }

    /// What the record table says about record `index` (readable without a key), to
    /// name a damaged record.
    ///
    /// # Errors
    /// `invalid_input` if there is no such record.
    #[wasm_bindgen(js_name = recordInfo)]
    pub fn record_info(&self, index: u32) -> Result<RecordInfo, WasmError> {
        let file = self.file()?;
        let r = file
            .record(index)
            .ok_or_else(|| WasmError::invalid("no such record"))?;
        let state = match (r.bytes.is_some(), r.checksum_ok()) {
            (false, _) => PartState::Missing,
            (true, false) => PartState::Damaged,
            (true, true) => PartState::Intact,
        };
        Ok(RecordInfo {
            index,
            kind: record_kind_name(r.entry.kind),
            id: hex_string(&r.entry.id),
            seq: r.entry.seq,
            state: part_state_name(state),
        })
    }

    /// Opens the file through keyslot `slot` with `key`, derived as
    /// `PBKDF2-HMAC-SHA256(secret, slot.salt, slot.iterations, 32)` (WebCrypto or
    /// [`KdfJob`](crate::KdfJob)). Consumes the key. Every record is read: the entries
    /// that open are listed, the ones that do not are reported as lost.
    ///
    /// # Errors
    /// `wrong_password` (category `authentication`) if the key does not open the slot;
    /// `header_auth_failed` if it does but the header was modified; `no_such_slot`.
    pub fn unlock(&self, slot: u32, key: SlotKey) -> Result<Vault, WasmError> {
        Vault::open(Rc::clone(&self.bytes), slot as usize, key.inner)
    }
}

/// The result of the keyless check.
#[wasm_bindgen]
#[derive(Clone, Debug)]
pub struct Verification {
    intact: bool,
    truncated: bool,
    header_a: &'static str,
    header_b: &'static str,
    trailer: &'static str,
    records: u32,
    records_damaged: u32,
    records_missing: u32,
    damaged: Vec<u32>,
    expected_len: f64,
    actual_len: f64,
}

#[wasm_bindgen]
impl Verification {
    /// True if every part is present and matches its checksum.
    #[wasm_bindgen(getter)]
    pub fn intact(&self) -> bool {
        self.intact
    }
    /// True if the file is shorter than its layout requires.
    #[wasm_bindgen(getter)]
    pub fn truncated(&self) -> bool {
        self.truncated
    }
    /// The first header copy: `intact`, `damaged` or `missing`.
    #[wasm_bindgen(getter, js_name = headerA)]
    pub fn header_a(&self) -> String {
        self.header_a.into()
    }
    /// The second header copy: `intact`, `damaged` or `missing`.
    #[wasm_bindgen(getter, js_name = headerB)]
    pub fn header_b(&self) -> String {
        self.header_b.into()
    }
    /// The trailer and file checksum: `intact`, `damaged` or `missing`.
    #[wasm_bindgen(getter)]
    pub fn trailer(&self) -> String {
        self.trailer.into()
    }
    /// Number of records in the table.
    #[wasm_bindgen(getter)]
    pub fn records(&self) -> u32 {
        self.records
    }
    /// Records present but not matching their checksums.
    #[wasm_bindgen(getter, js_name = recordsDamaged)]
    pub fn records_damaged(&self) -> u32 {
        self.records_damaged
    }
    /// Records beyond the end of a truncated file.
    #[wasm_bindgen(getter, js_name = recordsMissing)]
    pub fn records_missing(&self) -> u32 {
        self.records_missing
    }
    /// Indices of the first damaged or missing records (at most 32).
    #[wasm_bindgen(getter, js_name = damagedRecords)]
    pub fn damaged_records(&self) -> Vec<u32> {
        self.damaged.clone()
    }
    /// The length the layout requires.
    #[wasm_bindgen(getter, js_name = expectedLength)]
    pub fn expected_length(&self) -> f64 {
        self.expected_len
    }
    /// The length found.
    #[wasm_bindgen(getter, js_name = actualLength)]
    pub fn actual_length(&self) -> f64 {
        self.actual_len
    }
}

/// One keyslot, as the page needs it to derive the slot key.
#[wasm_bindgen]
#[derive(Clone, Debug)]
pub struct SlotInfo {
    index: u32,
    kind: &'static str,
    iterations: u32,
    kdf: vault_core::SlotKdf,
    salt: Vec<u8>,
}

#[wasm_bindgen]
impl SlotInfo {
    /// Position in the header; pass it to [`Backup::unlock`].
    #[wasm_bindgen(getter)]
    pub fn index(&self) -> u32 {
        self.index
    }
    /// `password` or `recovery`.
    #[wasm_bindgen(getter)]
    pub fn kind(&self) -> String {
        self.kind.into()
    }
    /// PBKDF2 iteration count (already checked against the format's bounds); for an
    /// Argon2id keyslot, the same slot bytes hold its memory in KiB.
    #[wasm_bindgen(getter)]
    pub fn iterations(&self) -> u32 {
        self.iterations
    }
    /// The keyslot's KDF: `pbkdf2-hmac-sha256` or `argon2id`.
    #[wasm_bindgen(getter)]
    pub fn kdf(&self) -> String {
        self.kdf.name().into()
    }
    /// The KDF and its cost as people read it, e.g. `Argon2id, 256 MiB, 3 passes, 4 lanes`.
    #[wasm_bindgen(getter, js_name = kdfText)]
    pub fn kdf_text(&self) -> String {
        self.kdf.to_string()
    }
    /// Argon2id memory in KiB (0 for PBKDF2).
    #[wasm_bindgen(getter, js_name = memoryKib)]
    pub fn memory_kib(&self) -> u32 {
        self.kdf.argon2().map_or(0, |p| p.memory_kib)
    }
    /// Argon2id passes (0 for PBKDF2).
    #[wasm_bindgen(getter)]
    pub fn passes(&self) -> u32 {
        self.kdf.argon2().map_or(0, |p| p.passes)
    }
    /// Argon2id lanes (0 for PBKDF2).
    #[wasm_bindgen(getter)]
    pub fn lanes(&self) -> u32 {
        self.kdf.argon2().map_or(0, |p| p.lanes)
    }
    /// PBKDF2 salt (32 bytes).
    #[wasm_bindgen(getter)]
    pub fn salt(&self) -> Vec<u8> {
        self.salt.clone()
    }
}

/// What the record table says about one record.
#[wasm_bindgen]
#[derive(Clone, Debug)]
pub struct RecordInfo {
    index: u32,
    kind: &'static str,
    id: String,
    seq: u32,
    state: &'static str,
}

#[wasm_bindgen]
impl RecordInfo {
    /// Position in the record table.
    #[wasm_bindgen(getter)]
    pub fn index(&self) -> u32 {
        self.index
    }
    /// `metadata`, `entry` or `audit`.
    #[wasm_bindgen(getter)]
    pub fn kind(&self) -> String {
        self.kind.into()
    }
    /// The entry id in hex (zeros for other kinds).
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.id.clone()
    }
    /// The entry version, or the audit event's sequence number.
    #[wasm_bindgen(getter)]
    pub fn seq(&self) -> u32 {
        self.seq
    }
    /// `intact`, `damaged` (present but failing its checksum) or `missing` (beyond the end
    /// of a truncated file).
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        self.state.into()
    }
}

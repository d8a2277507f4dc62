//! The deterministic generator of the format test vectors in `tests/vectors/`: a seeded
//! RNG, a fixed clock, and one expected outcome per file.

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};
use vault_core::constants::{MIN_ARGON2_MEMORY_KIB, MIN_ITERATIONS};
use vault_core::{
    Argon2Block, Argon2Params, AuditEvent, AuditOp, CheckKey, Entry, EntryKind, EntryStatus,
    HeaderParams, Kcv, KdfLimits, Layout, Meta, RecoverySecret, SealedSlot, SlotKdf, SlotKind,
    VaultMasterKey, VaultWriter,
};

use crate::forge;

/// The fixed clock of every vector.
pub const NOW: u64 = 1_750_000_000;
/// The password of every vector that has one (unless it says otherwise).
pub const PASSWORD: &str = "correct horse battery staple";
/// The recovery secret of every vector.
pub const RECOVERY: [u8; 16] = *b"airvault-recover";

/// The check key of every generated vault (it keys the check values of low-entropy
/// secrets, which the vectors' `kcv` fields show).
pub const CHECK_KEY: [u8; 32] = *b"airvault-vector-check-key-32byte";

/// What a vector file must do, as stored in `NAME.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expectation {
    /// What the vector shows.
    pub description: String,
    /// The outcome of parse → unlock → open every record: `success` or the first error.
    pub expect: String,
    /// The verdict of the keyless check for files that parse: `intact` or `damaged`.
    pub keyless: Option<String>,
    /// Password to open with (a password keyslot).
    pub password: Option<String>,
    /// Recovery secret to open with (the recovery keyslot), when no password is given.
    pub recovery_secret_hex: Option<String>,
    /// The vault's entries, for `success`.
    pub entries: Vec<ExpectedEntry>,
    /// For vectors about the audit trail: `valid`, or the first rule its chain breaks
    /// (`sequence`, `link`, `head`), checking the audit records in table order against the
    /// metadata record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_chain: Option<String>,
}

/// One entry version as a vector expects it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedEntry {
    pub name: String,
    pub id_hex: String,
    pub version: u32,
    pub kind: String,
    pub status: String,
    pub secret_hex: String,
    pub kcv: String,
    pub created_at: u64,
    pub rotated_at: u64,
    pub policy_days: u32,
}

/// One generated vector.
#[derive(Clone, Debug)]
pub struct Vector {
    pub name: String,
    pub bytes: Vec<u8>,
    pub expectation: Expectation,
}

struct EntrySpec {
    id: [u8; 16],
    version: u32,
    kind: EntryKind,
    status: EntryStatus,
    name: String,
    secret: Vec<u8>,
    policy_days: u32,
}

impl EntrySpec {
    fn view(&self) -> Entry<'_> {
        Entry {
            id: self.id,
            version: self.version,
            kind: self.kind,
            status: self.status,
            name: &self.name,
            secret: &self.secret,
            created_at: NOW - 86_400 * 30,
            rotated_at: NOW - 86_400 * 30 + u64::from(self.version - 1) * 86_400,
            policy_days: self.policy_days,
        }
    }

    fn expected(&self) -> ExpectedEntry {
        let v = self.view();
        ExpectedEntry {
            name: self.name.clone(),
            id_hex: hex::encode(self.id),
            version: self.version,
            kind: self.kind.name().into(),
            status: self.status.name().into(),
            secret_hex: hex::encode(&self.secret),
            kcv: check_text(&v),
            created_at: v.created_at,
            rotated_at: v.rotated_at,
            policy_days: self.policy_days,
        }
    }
}

fn entry(
    id: u8,
    version: u32,
    kind: EntryKind,
    active: bool,
    name: &str,
    secret: &[u8],
) -> EntrySpec {
    EntrySpec {
        id: [id; 16],
        version,
        kind,
        status: if active {
            EntryStatus::Active
        } else {
            EntryStatus::Retired
        },
        name: name.into(),
        secret: secret.to_vec(),
        policy_days: 0,
    }
}

fn basic_entries() -> Vec<EntrySpec> {
    vec![
        entry(
            0x11,
            1,
            EntryKind::SymmetricKey,
            true,
            "backup-encryption-key",
            &[0x42; 32],
        ),
        entry(
            0x22,
            1,
            EntryKind::Password,
            true,
            "root password",
            b"Tr0ub4dor&3",
        ),
    ]
}

fn rich_entries() -> Vec<EntrySpec> {
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        "MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n"
            .repeat(40)
            .trim_end()
    );
    let mut v = vec![
        entry(
            0x01,
            1,
            EntryKind::SymmetricKey,
            false,
            "db-master",
            &[0xA1; 32],
        ),
        entry(
            0x01,
            2,
            EntryKind::SymmetricKey,
            false,
            "db-master",
            &[0xA2; 32],
        ),
        entry(
            0x01,
            3,
            EntryKind::SymmetricKey,
            true,
            "db-master",
            &[0xA3; 32],
        ),
        entry(
            0x02,
            1,
            EntryKind::PrivateKeyPem,
            true,
            "signing-key.pem",
            pem.as_bytes(),
        ),
        entry(
            0x03,
            1,
            EntryKind::TotpSeed,
            true,
            "Ünïcødé ✓ totp",
            b"12345678901234567890",
        ),
        entry(0x04, 1, EntryKind::Opaque, true, &"n".repeat(256), &[0x00]),
        entry(0x05, 1, EntryKind::Password, true, "x", b"p"),
    ];
    v[3].policy_days = 365;
    v
}

/// Builds a vault with `passwords` (one keyslot each), the recovery keyslot and `entries`,
/// plus two audit events. Returns the file and its master key.
fn build(seed: u64, passwords: &[&str], entries: &[EntrySpec]) -> (Vec<u8>, [u8; 32]) {
    let (mut rng, vmk, vault_id, slots) = keys(seed, passwords);
    let events = default_events(entries);
    let head = events[1].hash();
    write_vault(&mut rng, &vmk, vault_id, &slots, entries, &events, 2, head)
}

/// The RNG, master key, vault id and keyslots of a vector built from `seed`.
fn keys(seed: u64, passwords: &[&str]) -> (ChaCha20Rng, VaultMasterKey, [u8; 16], Vec<SealedSlot>) {
    let kdf = SlotKdf::Pbkdf2 {
        iterations: MIN_ITERATIONS,
    };
    keys_with(seed, passwords, kdf)
}

/// [`keys`] with password keyslots of KDF `kdf` (the recovery keyslot is PBKDF2 always).
fn keys_with(
    seed: u64,
    passwords: &[&str],
    kdf: SlotKdf,
) -> (ChaCha20Rng, VaultMasterKey, [u8; 16], Vec<SealedSlot>) {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let vmk = VaultMasterKey::generate(&mut rng);
    let vault_id = [0xC0 ^ seed as u8; 16];
    let limits = KdfLimits::STANDARD;
    let mut memory = vec![Argon2Block::new(); kdf.memory_blocks()];
    let mut slots = Vec::new();
    for pw in passwords {
        slots.push(
            SealedSlot::seal_with_kdf(
                SlotKind::Password,
                pw.as_bytes(),
                kdf,
                &limits,
                &mut memory,
                &vmk,
                &vault_id,
                &mut rng,
            )
            .unwrap(),
        );
    }
    slots.push(
        SealedSlot::seal(
            SlotKind::Recovery,
            &RECOVERY,
            MIN_ITERATIONS,
            &limits,
            &vmk,
            &vault_id,
            &mut rng,
        )
        .unwrap(),
    );
    (rng, vmk, vault_id, slots)
}

/// Audit events with the metadata's `audit_next_seq` and `audit_head` for them.
type Trail = (Vec<AuditEvent<'static>>, u32, [u8; 32]);

/// The two audit events of an ordinary vector: init, then the first entry added.
fn default_events(entries: &[EntrySpec]) -> Vec<AuditEvent<'_>> {
    let e0 = AuditEvent {
        seq: 0,
        time: NOW - 86_400 * 30,
        op: AuditOp::Init,
        entry_id: [0; 16],
        version: 0,
        kcv: Kcv::default(),
        kcv_showable: false,
        prev_hash: [0; 32],
        name: "",
        detail: "",
    };
    let first = entries.first();
    let e1 = AuditEvent {
        seq: 1,
        time: NOW - 86_400 * 29,
        op: AuditOp::Add,
        entry_id: first.map_or([0; 16], |e| e.id),
        version: first.map_or(0, |e| e.version),
        kcv: first
            .and_then(|e| e.view().check_value(Some(&check_key())))
            .unwrap_or_default(),
        kcv_showable: true,
        prev_hash: e0.hash(),
        name: first.map_or("", |e| e.name.as_str()),
        detail: "",
    };
    vec![e0, e1]
}

/// Writes a vault with the given audit events and audit head, whatever they say: the
/// writer does not judge the chain, so broken chains can be made for the vectors.
#[allow(clippy::too_many_arguments)]
fn write_vault(
    rng: &mut ChaCha20Rng,
    vmk: &VaultMasterKey,
    vault_id: [u8; 16],
    slots: &[SealedSlot],
    entries: &[EntrySpec],
    events: &[AuditEvent<'_>],
    audit_next_seq: u32,
    audit_head: [u8; 32],
) -> (Vec<u8>, [u8; 32]) {
    let meta = Meta {
        recovery_secret: Some(RecoverySecret::from_bytes(RECOVERY)),
        default_policy_days: 90,
        created_at: NOW - 86_400 * 30,
        audit_next_seq,
        audit_head,
        check_key: Some(check_key()),
    };
    let mut layout = Layout::new(slots.len());
    for e in entries {
        layout.add_entry(&e.view());
    }
    for e in events {
        layout.add_audit(e);
    }
    let mut out = vec![0u8; layout.file_len().unwrap()];
    let params = HeaderParams {
        vault_id,
        generation: 3,
        written_at: NOW,
    };
    let mut w =
        VaultWriter::new(&mut out, vmk, &params, slots, &meta, layout.records(), rng).unwrap();
    for e in entries {
        w.push_entry(&e.view(), rng).unwrap();
    }
    for e in events {
        w.push_audit(e, rng).unwrap();
    }
    w.finish().unwrap();
    (out, *vmk.expose_secret())
}

struct Gen {
    out: Vec<Vector>,
}

impl Gen {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        name: &str,
        description: &str,
        bytes: Vec<u8>,
        expect: &str,
        keyless: Option<&str>,
        password: Option<&str>,
        recovery: bool,
        entries: &[EntrySpec],
    ) {
        self.out.push(Vector {
            name: name.into(),
            bytes,
            expectation: Expectation {
                description: description.into(),
                expect: expect.into(),
                keyless: keyless.map(Into::into),
                password: password.map(Into::into),
                recovery_secret_hex: recovery.then(|| hex::encode(RECOVERY)),
                entries: if expect == "success" {
                    entries.iter().map(EntrySpec::expected).collect()
                } else {
                    Vec::new()
                },
                audit_chain: None,
            },
        });
    }
}

fn check_key() -> CheckKey {
    CheckKey::from_bytes(CHECK_KEY)
}

/// The check value a reader shows for `e` in a generated vault (see `Entry::check_value`).
pub fn check_text(e: &Entry<'_>) -> String {
    e.check_value(Some(&check_key()))
        .map_or_else(|| "-".to_owned(), |k| k.to_string())
}

/// Generates every vector, in a fixed order.
pub fn generate() -> Vec<Vector> {
    let mut g = Gen { out: Vec::new() };
    let pw = Some(PASSWORD);
    let basic = basic_entries();
    let rich = rich_entries();
    let (base, vmk) = build(1, &[PASSWORD], &basic);
    let h = forge::header_len(&base);
    let b = forge::copy_b(&base);

    // --- Files that open -------------------------------------------------------------
    g.add(
        "basic",
        "Two entries, a password keyslot and a recovery keyslot.",
        base.clone(),
        "success",
        Some("intact"),
        pw,
        false,
        &basic,
    );
    g.add(
        "basic-recovery",
        "The basic vault opened through its recovery keyslot with the 16-byte recovery secret.",
        base.clone(),
        "success",
        Some("intact"),
        None,
        true,
        &basic,
    );
    let (rich_file, _) = build(2, &[PASSWORD], &rich);
    g.add("rich", "Every entry kind, three versions of one key (two retired), a PEM key of 2.6 KB, a 256-byte name, a UTF-8 name, one-byte secrets, a per-entry policy.", rich_file, "success", Some("intact"), pw, false, &rich);
    let (empty, _) = build(3, &[PASSWORD], &[]);
    g.add(
        "empty",
        "A vault with no entries: the metadata record and two audit events.",
        empty,
        "success",
        Some("intact"),
        pw,
        false,
        &[],
    );
    let (two, _) = build(4, &["first password", PASSWORD], &basic);
    g.add(
        "two-passwords",
        "Two password keyslots; the password given opens the second.",
        two,
        "success",
        Some("intact"),
        pw,
        false,
        &basic,
    );

    let mut f = base.clone();
    f[..h].fill(0);
    g.add(
        "header-a-zeroed",
        "The first header copy is zeroed; readers use the second copy.",
        f,
        "success",
        Some("damaged"),
        pw,
        false,
        &basic,
    );
    let mut f = base.clone();
    f[b + 100] ^= 0x04;
    g.add(
        "header-b-flipped",
        "One bit of the second header copy is flipped; the first copy is intact.",
        f,
        "success",
        Some("damaged"),
        pw,
        false,
        &basic,
    );
    let mut f = base.clone();
    f[..h].fill(0);
    let t = f.len() - 56;
    f[t..].fill(0);
    g.add("header-a-and-trailer-zeroed", "The first header copy and the trailer are zeroed; readers find the second copy by searching for the magic.", f, "success", Some("damaged"), pw, false, &basic);
    let mut f = base.clone();
    let last = f.len() - 1;
    f[last] ^= 0x80;
    g.add(
        "trailer-checksum-flipped",
        "One bit of the file checksum in the trailer is flipped.",
        f,
        "success",
        Some("damaged"),
        pw,
        false,
        &basic,
    );
    let mut f = base.clone();
    f.extend_from_slice(b"\n");
    g.add(
        "trailing-bytes",
        "A newline appended after the trailer: the length no longer matches the layout.",
        f,
        "success",
        Some("damaged"),
        pw,
        false,
        &basic,
    );

    // --- Authentication ----------------------------------------------------------------
    g.add(
        "wrong-password",
        "The basic vault with a wrong password: intact file, authentication error.",
        base.clone(),
        "wrong_password",
        Some("intact"),
        Some("correct horse battery stapler"),
        false,
        &[],
    );

    // --- Damage ---------------------------------------------------------------------
    let mut f = base.clone();
    f[50] ^= 0x01;
    f[b + 50] ^= 0x01;
    g.add(
        "both-headers-damaged",
        "The same bit flipped in both header copies.",
        f,
        "header_damaged",
        None,
        pw,
        false,
        &[],
    );
    let r1 = forge::record_range(&base, 1);
    let mut f = base.clone();
    f[r1.start + 20] ^= 0x10;
    g.add(
        "record-damaged",
        "One bit of record 1 (an entry) is flipped: its checksum and MAC fail.",
        f,
        "record_damaged",
        Some("damaged"),
        pw,
        false,
        &[],
    );
    let f = base[..r1.start + 10].to_vec();
    g.add("truncated-in-record", "The file ends inside record 1: records 1 and later, the second header copy and the trailer are missing.", f, "record_missing", Some("damaged"), pw, false, &[]);
    let f = base[..h / 2].to_vec();
    g.add(
        "truncated-in-header",
        "The file ends inside the first header copy.",
        f,
        "truncated",
        None,
        pw,
        false,
        &[],
    );
    g.add(
        "not-a-vault",
        "Bytes that are not an airvault file.",
        b"%PDF-1.7\nnot a vault\n".to_vec(),
        "not_a_vault",
        None,
        pw,
        false,
        &[],
    );

    // --- Tampering by someone without the key --------------------------------------
    let mut f = base.clone();
    forge::patch_header(&mut f, 32, &100u64.to_le_bytes());
    forge::reseal_unkeyed(&mut f);
    g.add(
        "generation-forged",
        "The generation changed and every unkeyed checksum recomputed: the header MAC fails.",
        f,
        "header_auth_failed",
        Some("intact"),
        pw,
        false,
        &[],
    );
    let mut f = base.clone();
    f[r1.start + 20] ^= 0x10;
    forge::fix_record_checksum(&mut f, 1);
    forge::reseal_unkeyed(&mut f);
    g.add("record-forged-unkeyed", "Record 1 modified with its checksum and all header checksums recomputed: the header MAC fails.", f, "header_auth_failed", Some("intact"), pw, false, &[]);
    // The same vault (seed, master key, keyslots) at another generation, whose first entry
    // holds another secret of the same length: its record 1 is authentic, but not the one
    // this header lists.
    let mut older = basic_entries();
    older[0].secret = vec![0x24; 32];
    let (other, _) = build(1, &[PASSWORD], &older);
    let mut f = base.clone();
    let donor = forge::record_range(&other, 1);
    assert_eq!(donor, r1, "the generations share their layout");
    f[r1.clone()].copy_from_slice(&other[donor]);
    g.add("record-foreign", "Record 1 replaced by record 1 of another copy of the same vault (same master key, another secret of the same length), its table checksum left alone: the record MAC verifies but the checksum the header MAC binds does not, so the record is refused as tampering.", f, "record_foreign", Some("damaged"), pw, false, &[]);

    // --- Inconsistencies only a key holder could MAC (a faulty writer) ---------------
    let mut f = base.clone();
    f[r1.start + 20] ^= 0x10;
    forge::fix_record_checksum(&mut f, 1);
    forge::reseal_keyed(&mut f, &vmk);
    g.add("record-mac-bad", "Record 1 modified, its checksum and the header MAC recomputed with the master key: the record MAC fails.", f, "record_auth_failed", Some("intact"), pw, false, &[]);
    let mut f = base.clone();
    let r1b = forge::record_range(&f, 1);
    let mut pt = vec![0u8; 32];
    let e = &basic[0];
    pt[0] = e.kind as u8;
    pt[1] = 1;
    pt[2..4].copy_from_slice(&(e.name.len() as u16).to_le_bytes());
    pt[4..8].copy_from_slice(&(e.secret.len() as u32).to_le_bytes());
    pt[8..16].copy_from_slice(&e.view().created_at.to_le_bytes());
    pt[16..24].copy_from_slice(&e.view().rotated_at.to_le_bytes());
    pt[28..32].copy_from_slice(&[0xDE, 0xAD, 0xBE, 0xEF]);
    pt.extend_from_slice(e.name.as_bytes());
    pt.extend_from_slice(&e.secret);
    let sealed = forge::seal_record(&f, 1, &vmk, [0x33; 16], &pt);
    assert_eq!(sealed.len(), r1b.len());
    f[r1b.clone()].copy_from_slice(&sealed);
    forge::fix_record_checksum(&mut f, 1);
    forge::reseal_keyed(&mut f, &vmk);
    g.add(
        "record-kcv-mismatch",
        "Record 1 re-sealed with a key check value that does not match its secret.",
        f,
        "record_malformed",
        Some("intact"),
        pw,
        false,
        &[],
    );

    // --- Structural rules, checksums recomputed --------------------------------------
    let mut rule = |name: &str, description: &str, at: usize, bytes: &[u8], expect: &str| {
        let mut f = base.clone();
        forge::patch_header(&mut f, at, bytes);
        forge::reseal_unkeyed(&mut f);
        g.add(name, description, f, expect, None, pw, false, &[]);
    };
    rule(
        "flags-nonzero",
        "Header flags set to 1.",
        10,
        &1u16.to_le_bytes(),
        "malformed",
    );
    rule(
        "reserved-nonzero",
        "Reserved header field set.",
        50,
        &1u16.to_le_bytes(),
        "malformed",
    );
    rule(
        "slot-reserved-nonzero",
        "A keyslot's reserved field set.",
        64 + 2,
        &1u16.to_le_bytes(),
        "malformed",
    );
    rule(
        "two-recovery-slots",
        "The password keyslot relabelled as a second recovery keyslot.",
        64,
        &[2],
        "malformed",
    );
    rule(
        "unknown-slot-kind",
        "Keyslot kind 3.",
        64,
        &[3],
        "unsupported_slot",
    );
    rule("unknown-kdf", "KDF id 3.", 64 + 1, &[3], "unsupported_slot");
    rule(
        "iterations-zero",
        "A keyslot asks for 0 PBKDF2 iterations.",
        64 + 4,
        &0u32.to_le_bytes(),
        "kdf_cost_refused",
    );
    rule(
        "iterations-below-minimum",
        "A keyslot asks for 99,999 iterations.",
        64 + 4,
        &99_999u32.to_le_bytes(),
        "kdf_cost_refused",
    );
    rule(
        "iterations-above-maximum",
        "A keyslot asks for 20,000,001 iterations.",
        64 + 4,
        &20_000_001u32.to_le_bytes(),
        "kdf_cost_refused",
    );
    rule(
        "iterations-u32-max",
        "A keyslot asks for 4,294,967,295 iterations: refused before any work.",
        64 + 4,
        &u32::MAX.to_le_bytes(),
        "kdf_cost_refused",
    );
    let t0 = forge::table_entry_at(&base, 0);
    let t1 = forge::table_entry_at(&base, 1);
    let t2 = forge::table_entry_at(&base, 2);
    rule(
        "table-unknown-kind",
        "Record-table entry 1 has kind 4.",
        t1,
        &[4],
        "malformed",
    );
    rule(
        "table-flags-nonzero",
        "Record-table entry 1 has flags set.",
        t1 + 1,
        &[1],
        "malformed",
    );
    rule(
        "table-length-unaligned",
        "Record-table entry 1 has a length that is not 48 + 16k.",
        t1 + 4,
        &(forge::u32_at(&base, t1 + 4) + 1).to_le_bytes(),
        "malformed",
    );
    rule(
        "meta-not-first",
        "Record 0 is labelled an entry.",
        t0,
        &[2],
        "malformed",
    );
    rule(
        "entry-version-zero",
        "Entry record 1 has version 0.",
        t1 + 24,
        &0u32.to_le_bytes(),
        "malformed",
    );
    rule(
        "table-out-of-order",
        "Entry records 1 and 2 have their ids swapped out of ascending order.",
        t1 + 8,
        &[0x33; 16],
        "malformed",
    );
    rule(
        "duplicate-entry",
        "Two entry records with the same id and version.",
        t2 + 8,
        &[0x11; 16],
        "malformed",
    );
    rule(
        "body-length-wrong",
        "body_len one more than the table's total.",
        56,
        &(forge::u32_at(&base, 56) as u64 + 1).to_le_bytes(),
        "malformed",
    );

    // --- Versions ------------------------------------------------------------------------
    let mut f = base.clone();
    f[8] = 3;
    f[b + 8] = 3;
    g.add(
        "version-3",
        "Both header copies declare format version 3.",
        f,
        "unsupported_version",
        None,
        pw,
        false,
        &[],
    );
    let mut f = base.clone();
    f[8] = 3;
    g.add(
        "version-3-one-copy",
        "Only the first copy declares version 3 (a damaged copy); the second is used.",
        f,
        "success",
        Some("damaged"),
        pw,
        false,
        &basic,
    );

    // Both copies intact but different.
    let mut f = base.clone();
    forge::patch_header(&mut f, 40, &(NOW + 1).to_le_bytes());
    let sum = forge::sha256(&f[..h - 32]);
    f[h - 32..h].copy_from_slice(&sum);
    g.add(
        "copies-differ",
        "Both header copies pass their checksums but differ (written_at).",
        f,
        "malformed",
        None,
        pw,
        false,
        &[],
    );

    // --- The audit trail's hash chain --------------------------------------------------
    let audit = |name: &str,
                 description: &str,
                 chain: &str,
                 make: &dyn Fn(&[EntrySpec]) -> Trail|
     -> Vector {
        let (mut rng, vmk, vault_id, slots) = keys(40 + name.len() as u64, &[PASSWORD]);
        let (events, next, head) = make(&basic);
        let (bytes, _) = write_vault(
            &mut rng, &vmk, vault_id, &slots, &basic, &events, next, head,
        );
        Vector {
            name: name.into(),
            bytes,
            expectation: Expectation {
                description: description.into(),
                expect: "success".into(),
                keyless: Some("intact".into()),
                password: Some(PASSWORD.into()),
                recovery_secret_hex: None,
                entries: basic.iter().map(EntrySpec::expected).collect(),
                audit_chain: Some(chain.into()),
            },
        }
    };
    /// Four chained events: init, add, add, rotate.
    fn four() -> Vec<AuditEvent<'static>> {
        let mut events: Vec<AuditEvent<'static>> = Vec::new();
        let mut prev = [0u8; 32];
        for (seq, (op, name)) in [
            (AuditOp::Init, ""),
            (AuditOp::Add, "backup-encryption-key"),
            (AuditOp::Add, "root password"),
            (AuditOp::Rotate, "backup-encryption-key"),
        ]
        .into_iter()
        .enumerate()
        {
            let e = AuditEvent {
                seq: seq as u32,
                time: NOW - 86_400 * (30 - seq as u64),
                op,
                entry_id: if name.is_empty() { [0; 16] } else { [0x11; 16] },
                version: u32::from(!name.is_empty()),
                kcv: Kcv::default(),
                kcv_showable: false,
                prev_hash: prev,
                name,
                detail: "",
            };
            prev = e.hash();
            events.push(e);
        }
        events
    }
    fn chained(events: Vec<AuditEvent<'static>>) -> Trail {
        let last = events.last().copied();
        (
            events,
            last.map_or(0, |e| e.seq + 1),
            last.map_or([0; 32], |e| e.hash()),
        )
    }
    let vectors = [
        audit("audit-chain-valid", "Four audit events, each linked to the one before, the last named by the metadata.", "valid", &|_| chained(four())),
        audit("audit-event-edited", "Audit event 1's entry name changed after the chain was made: event 2 no longer links to it.", "link", &|_| {
            let e = four();
            let edited = AuditEvent { name: "someone-else", ..e[1] };
            let (_, n, h) = chained(e.clone());
            (vec![e[0], edited, e[2], e[3]], n, h)
        }),
        audit("audit-event-removed", "Audit event 1 removed: event 2 carries sequence number 2 where 1 belongs.", "sequence", &|_| {
            let e = four();
            let (_, n, h) = chained(e.clone());
            (vec![e[0], e[2], e[3]], n, h)
        }),
        audit("audit-last-event-removed", "The last audit event removed: the metadata still names it as the head.", "head", &|_| {
            let e = four();
            let (_, n, h) = chained(e.clone());
            (e[..3].to_vec(), n, h)
        }),
        audit("audit-salvage-gap", "Events 2 and 3 lost and acknowledged by a salvage event (sequence 4) linking to event 1: a valid chain.", "valid", &|_| {
            let e = four();
            let salvage = AuditEvent { seq: 4, op: AuditOp::Salvage, entry_id: [0; 16], version: 0, prev_hash: e[1].hash(), name: "", detail: "2 audit events lost", ..e[3] };
            chained(vec![e[0], e[1], salvage])
        }),
        audit("audit-gap-without-salvage", "A gap in the sequence numbers before an event that is not a salvage event.", "sequence", &|_| {
            let e = four();
            let add = AuditEvent { seq: 4, op: AuditOp::Add, prev_hash: e[1].hash(), ..e[3] };
            chained(vec![e[0], e[1], add])
        }),
    ];
    g.out.extend(vectors);

    argon2id_vectors(&mut g, &basic);
    g.out
}

/// The smallest Argon2id cost the format accepts, as every Argon2id vector uses.
const ARGON2_LOW: Argon2Params = Argon2Params {
    memory_kib: MIN_ARGON2_MEMORY_KIB,
    passes: 1,
    lanes: 1,
};

/// Vaults whose password keyslot is Argon2id (kdf 2), and hostile Argon2id parameters.
fn argon2id_vectors(g: &mut Gen, basic: &[EntrySpec]) {
    let pw = Some(PASSWORD);
    let argon = |seed, params| {
        let (mut rng, vmk, vault_id, slots) =
            keys_with(seed, &[PASSWORD], SlotKdf::Argon2id(params));
        let events = default_events(basic);
        let head = events[1].hash();
        write_vault(&mut rng, &vmk, vault_id, &slots, basic, &events, 2, head).0
    };
    let base = argon(40, ARGON2_LOW);
    g.add(
        "argon2id",
        "The password keyslot is Argon2id (kdf 2) with 8 MiB, 1 pass, 1 lane; the recovery keyslot is PBKDF2.",
        base.clone(),
        "success",
        Some("intact"),
        pw,
        false,
        basic,
    );
    g.add(
        "argon2id-recovery",
        "The Argon2id vault opened through its PBKDF2 recovery keyslot, as a reader without memory for Argon2id opens it.",
        base.clone(),
        "success",
        Some("intact"),
        None,
        true,
        basic,
    );
    g.add(
        "argon2id-wrong-password",
        "The Argon2id vault with a wrong password: intact file, authentication error.",
        base.clone(),
        "wrong_password",
        Some("intact"),
        Some("correct horse battery stapler"),
        false,
        &[],
    );
    let lanes = argon(
        41,
        Argon2Params {
            memory_kib: MIN_ARGON2_MEMORY_KIB + 5,
            passes: 2,
            lanes: 2,
        },
    );
    g.add(
        "argon2id-two-lanes",
        "Argon2id with 8197 KiB (m' = 4·p·⌊m/4p⌋ = 8192 blocks are filled), 2 passes, 2 lanes.",
        lanes,
        "success",
        Some("intact"),
        pw,
        false,
        basic,
    );
    let mut rule = |name: &str, description: &str, at: usize, bytes: &[u8], expect: &str| {
        let mut f = base.clone();
        forge::patch_header(&mut f, at, bytes);
        forge::reseal_unkeyed(&mut f);
        g.add(name, description, f, expect, None, pw, false, &[]);
    };
    // Keyslot 0 is the Argon2id password slot: lanes at 66, passes at 67, memory at 68.
    for (name, description, at, bytes) in [
        ("argon2id-memory-u32-max", "An Argon2id keyslot asks for 4,294,967,295 KiB of memory: refused before any allocation.", 68, u32::MAX.to_le_bytes().to_vec()),
        ("argon2id-memory-above-maximum", "An Argon2id keyslot asks for 2 GiB + 1 KiB of memory.", 68, (2 * 1024 * 1024 + 1u32).to_le_bytes().to_vec()),
        ("argon2id-memory-below-minimum", "An Argon2id keyslot asks for 8 MiB - 1 KiB of memory.", 68, (8 * 1024 - 1u32).to_le_bytes().to_vec()),
        ("argon2id-passes-zero", "An Argon2id keyslot asks for 0 passes.", 67, vec![0]),
        ("argon2id-passes-above-maximum", "An Argon2id keyslot asks for 17 passes.", 67, vec![17]),
        ("argon2id-lanes-zero", "An Argon2id keyslot asks for 0 lanes.", 66, vec![0]),
        ("argon2id-lanes-above-maximum", "An Argon2id keyslot asks for 9 lanes.", 66, vec![9]),
        ("argon2id-everything-maximal-plus-one", "An Argon2id keyslot asks for 255 lanes, 255 passes and 4,294,967,295 KiB.", 66, vec![255, 255, 255, 255, 255, 255]),
    ] {
        rule(name, description, at, &bytes, "kdf_cost_refused");
    }
    // The recovery keyslot (keyslot 1) made Argon2id with valid parameters.
    rule(
        "argon2id-recovery-slot",
        "The recovery keyslot says kdf 2 (Argon2id, 8 MiB, 1 pass, 1 lane): a recovery keyslot is always PBKDF2.",
        64 + 136 + 1,
        &[2, 1, 1, 0x00, 0x20, 0x00, 0x00],
        "unsupported_slot",
    );
}

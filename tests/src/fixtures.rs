//! Vaults of a chosen size for the benchmarks and `bench/compare.sh`, written through the
//! core's writer with a seeded RNG, so the same arguments give the same bytes.
//!
//! A fixture looks like a vault built by hand with the command line: an `init` event, then
//! one `generate` event per entry, a password keyslot and a recovery keyslot at the
//! iteration count asked for, and the recovery secret in the metadata record.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use vault_core::constants::{ENTRY_ID_LEN, VAULT_ID_LEN};
use vault_core::{
    AuditEvent, AuditOp, Entry, EntryKind, EntryStatus, HeaderParams, KdfLimits, Layout, Meta,
    RecoverySecret, SealedSlot, SlotKind, VaultMasterKey, VaultWriter,
};

/// The password of every fixture.
pub const PASSWORD: &str = "bench password";

/// When fixture entries were made (2024-01-01T00:00:00Z).
pub const CREATED_AT: u64 = 1_704_067_200;

/// The name of fixture entry `i`.
#[must_use]
pub fn entry_name(i: usize) -> String {
    format!("key-{i:05}")
}

/// What a fixture holds.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// Number of entries (one version each).
    pub entries: usize,
    /// Bytes of each entry's secret.
    pub secret_len: usize,
    /// PBKDF2 iterations of both keyslots.
    pub iterations: u32,
    /// RNG seed: ids, secrets, salts and IVs.
    pub seed: u64,
}

impl Spec {
    /// `entries` entries of 32-byte keys at the default iteration count.
    #[must_use]
    pub const fn keys(entries: usize) -> Self {
        Self {
            entries,
            secret_len: 32,
            iterations: vault_core::constants::DEFAULT_ITERATIONS,
            seed: 1,
        }
    }
}

struct OwnedEvent {
    op: AuditOp,
    entry: Option<usize>,
    time: u64,
}

/// Writes the fixture described by `spec` and returns the file's bytes.
///
/// # Panics
/// If the spec breaks a limit of the format (a test-data bug).
#[must_use]
pub fn vault(spec: &Spec) -> Vec<u8> {
    let mut rng = ChaCha20Rng::seed_from_u64(spec.seed);
    let vmk = VaultMasterKey::generate(&mut rng);
    let recovery = RecoverySecret::generate(&mut rng);
    let mut vault_id = [0u8; VAULT_ID_LEN];
    rng.fill_bytes(&mut vault_id);

    const KINDS: [EntryKind; 3] = [
        EntryKind::SymmetricKey,
        EntryKind::TotpSeed,
        EntryKind::Opaque,
    ];
    let mut ids = Vec::with_capacity(spec.entries);
    let mut secrets = Vec::with_capacity(spec.entries);
    let names: Vec<String> = (0..spec.entries).map(entry_name).collect();
    for _ in 0..spec.entries {
        let mut id = [0u8; ENTRY_ID_LEN];
        rng.fill_bytes(&mut id);
        ids.push(id);
        let mut s = vec![0u8; spec.secret_len];
        rng.fill_bytes(&mut s);
        secrets.push(s);
    }
    let entry = |i: usize| Entry {
        id: ids[i],
        version: 1,
        kind: KINDS[i % KINDS.len()],
        status: EntryStatus::Active,
        name: &names[i],
        secret: &secrets[i],
        created_at: CREATED_AT + i as u64,
        rotated_at: CREATED_AT + i as u64,
        policy_days: 0,
    };

    // The history: init, then one generate per entry, chained.
    let mut history = vec![OwnedEvent {
        op: AuditOp::Init,
        entry: None,
        time: CREATED_AT,
    }];
    history.extend((0..spec.entries).map(|i| OwnedEvent {
        op: AuditOp::Generate,
        entry: Some(i),
        time: CREATED_AT + i as u64,
    }));
    let mut prev = [0u8; 32];
    let mut events = Vec::with_capacity(history.len());
    for (seq, h) in history.iter().enumerate() {
        let e = h.entry.map(entry);
        let event = AuditEvent {
            seq: seq as u32,
            time: h.time,
            op: h.op,
            entry_id: e.map_or([0; ENTRY_ID_LEN], |e| e.id),
            version: e.map_or(0, |e| e.version),
            kcv: e.map_or_else(Default::default, |e| e.kcv()),
            kcv_showable: e.is_some(),
            prev_hash: prev,
            name: h.entry.map_or("", |i| names[i].as_str()),
            detail: "",
        };
        prev = event.hash();
        events.push(event);
    }
    let meta = Meta {
        recovery_secret: Some(recovery.clone()),
        default_policy_days: 90,
        created_at: CREATED_AT,
        audit_next_seq: events.len() as u32,
        audit_head: prev,
        check_key: None,
    };

    let limits = KdfLimits::STANDARD;
    let slots = [
        SealedSlot::seal(
            SlotKind::Password,
            PASSWORD.as_bytes(),
            spec.iterations,
            &limits,
            &vmk,
            &vault_id,
            &mut rng,
        )
        .expect("iteration count within the format's bounds"),
        SealedSlot::seal(
            SlotKind::Recovery,
            recovery.expose_secret(),
            spec.iterations,
            &limits,
            &vmk,
            &vault_id,
            &mut rng,
        )
        .expect("iteration count within the format's bounds"),
    ];

    let mut order: Vec<usize> = (0..spec.entries).collect();
    order.sort_by_key(|&i| ids[i]);
    let mut layout = Layout::new(slots.len());
    for &i in &order {
        layout.add_entry(&entry(i));
    }
    for e in &events {
        layout.add_audit(e);
    }
    let mut out = vec![0u8; layout.file_len().expect("within the format's limits")];
    let params = HeaderParams {
        vault_id,
        generation: 1 + events.len() as u64,
        written_at: CREATED_AT + spec.entries as u64,
    };
    let mut w = VaultWriter::new(
        &mut out,
        &vmk,
        &params,
        &slots,
        &meta,
        layout.records(),
        &mut rng,
    )
    .expect("writer");
    for &i in &order {
        w.push_entry(&entry(i), &mut rng).expect("entry");
    }
    for e in &events {
        w.push_audit(e, &mut rng).expect("audit event");
    }
    let n = w.finish().expect("finish");
    out.truncate(n);
    out
}

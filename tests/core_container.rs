//! vault-core's container: round trips, damage detection and hostile-input tests, with
//! the test-only KDF limits (so thousands of files open in seconds), plus the property
//! and differential tests that need `std` crates.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use airvault_tests::forge::{sha256, u32_at};
use proptest::prelude::*;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

use vault_core::constants::*;
use vault_core::*;

// Header and keyslot field offsets (docs/FORMAT.md).
const H_VERSION: usize = 8;
const H_HEADER_LEN: usize = 12;
const H_GENERATION: usize = 32;
const H_RECORD_COUNT: usize = 52;
const H_BODY_LEN: usize = 56;
const S_ITERATIONS: usize = 4;

const LIMITS: KdfLimits = KdfLimits::insecure_test_only();
const ITER: u32 = 3;
const PASSWORD: &[u8] = b"correct horse battery staple";

struct OwnedEntry {
    id: [u8; 16],
    version: u32,
    kind: EntryKind,
    status: EntryStatus,
    name: String,
    secret: Vec<u8>,
}

impl OwnedEntry {
    fn view(&self) -> Entry<'_> {
        Entry {
            id: self.id,
            version: self.version,
            kind: self.kind,
            status: self.status,
            name: &self.name,
            secret: &self.secret,
            created_at: 1_700_000_000,
            rotated_at: 1_700_000_000 + u64::from(self.version),
            policy_days: 0,
        }
    }
}

fn sample_entries() -> Vec<OwnedEntry> {
    vec![
        OwnedEntry {
            id: [1; 16],
            version: 1,
            kind: EntryKind::SymmetricKey,
            status: EntryStatus::Retired,
            name: "db-key".into(),
            secret: vec![0xAA; 32],
        },
        OwnedEntry {
            id: [1; 16],
            version: 2,
            kind: EntryKind::SymmetricKey,
            status: EntryStatus::Active,
            name: "db-key".into(),
            secret: vec![0xBB; 32],
        },
        OwnedEntry {
            id: [2; 16],
            version: 1,
            kind: EntryKind::Password,
            status: EntryStatus::Active,
            name: "root password ✓".into(),
            secret: b"hunter2".to_vec(),
        },
    ]
}

fn recovery() -> RecoverySecret {
    RecoverySecret::from_bytes([0x5A; 16])
}

/// Builds a vault with a password slot, a recovery slot, `entries` and two audit events.
fn build(entries: &[OwnedEntry], seed: u64) -> Vec<u8> {
    build_with_second_op(entries, seed, AuditOp::Add)
}

/// [`build`], its second audit event's operation being `op1`.
fn build_with_second_op(entries: &[OwnedEntry], seed: u64, op1: AuditOp) -> Vec<u8> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let vmk = VaultMasterKey::generate(&mut rng);
    let vault_id = [7u8; 16];
    let slots = [
        SealedSlot::seal(
            SlotKind::Password,
            PASSWORD,
            ITER,
            &LIMITS,
            &vmk,
            &vault_id,
            &mut rng,
        )
        .unwrap(),
        SealedSlot::seal(
            SlotKind::Recovery,
            recovery().expose_secret(),
            ITER,
            &LIMITS,
            &vmk,
            &vault_id,
            &mut rng,
        )
        .unwrap(),
    ];
    let e0 = AuditEvent {
        seq: 0,
        time: 1_700_000_000,
        op: AuditOp::Init,
        entry_id: [0; 16],
        version: 0,
        kcv: Kcv::default(),
        kcv_showable: false,
        prev_hash: [0; 32],
        name: "",
        detail: "",
    };
    let e1 = AuditEvent {
        seq: 1,
        op: op1,
        entry_id: [2; 16],
        version: 1,
        kcv: Kcv::of(b"hunter2"),
        kcv_showable: true,
        prev_hash: e0.hash(),
        name: "root password ✓",
        ..e0
    };
    let meta = Meta {
        recovery_secret: Some(recovery()),
        default_policy_days: 90,
        created_at: 1_700_000_000,
        audit_next_seq: 2,
        audit_head: e1.hash(),
        check_key: None,
    };
    let mut layout = Layout::new(slots.len());
    for e in entries {
        layout.add_entry(&e.view());
    }
    layout.add_audit(&e0);
    layout.add_audit(&e1);
    let mut out = vec![0u8; layout.file_len().unwrap()];
    let params = HeaderParams {
        vault_id,
        generation: 5,
        written_at: 1_700_000_100,
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
    .unwrap();
    for e in entries {
        w.push_entry(&e.view(), &mut rng).unwrap();
    }
    w.push_audit(&e0, &mut rng).unwrap();
    w.push_audit(&e1, &mut rng).unwrap();
    let n = w.finish().unwrap();
    assert_eq!(n, out.len());
    out
}

/// Opens `file` and checks that it holds exactly `entries`.
fn check_contents(file: &[u8], entries: &[OwnedEntry]) {
    let vf = VaultFile::parse(file, &LIMITS).unwrap();
    let v = vf.unlock(SlotKind::Password, PASSWORD).unwrap();
    let mut buf = vec![0u8; MAX_RECORD_LEN];
    let mut seen = 0;
    for r in vf.records() {
        match v.open_record(&r, &mut buf).unwrap() {
            Record::Entry(e) => {
                assert_eq!(e, entries[seen].view());
                seen += 1;
            }
            Record::Meta(m) => assert_eq!(m.recovery_secret, Some(recovery())),
            Record::Audit(_) => {}
        }
    }
    assert_eq!(seen, entries.len());
}

/// Operation code 8 (`backup`) is reserved: nothing writes it, but readers accept it.
#[test]
fn the_reserved_backup_operation_is_accepted_when_read() {
    let entries = sample_entries();
    let file = build_with_second_op(&entries, 3, AuditOp::Backup);
    let vf = VaultFile::parse(&file, &LIMITS).unwrap();
    let v = vf.unlock(SlotKind::Password, PASSWORD).unwrap();
    let mut buf = vec![0u8; MAX_RECORD_LEN];
    let ops: Vec<AuditOp> = vf
        .records()
        .filter_map(|r| match v.open_record(&r, &mut buf).unwrap() {
            Record::Audit(a) => Some(a.op),
            _ => None,
        })
        .collect();
    assert_eq!(ops, [AuditOp::Init, AuditOp::Backup]);
    assert_eq!(
        (AuditOp::Backup as u8, AuditOp::Backup.name()),
        (8, "backup")
    );
}

#[test]
fn round_trip_with_password_and_recovery() {
    let entries = sample_entries();
    let file = build(&entries, 1);
    let vf = VaultFile::parse(&file, &LIMITS).unwrap();
    assert!(vf.verify().is_intact(), "{:?}", vf.verify());
    assert_eq!(vf.header().generation(), 5);
    assert_eq!(vf.header().record_count(), 6);
    check_contents(&file, &entries);

    let v = vf
        .unlock(SlotKind::Recovery, recovery().expose_secret())
        .unwrap();
    assert_eq!(v.slot_index(), 1);

    // The audit chain links up and its head is in the metadata record.
    let mut buf = vec![0u8; MAX_RECORD_LEN];
    let mut prev = [0u8; 32];
    let mut head = [1u8; 32];
    for r in vf.records() {
        match v.open_record(&r, &mut buf).unwrap() {
            Record::Audit(a) => {
                assert_eq!(a.prev_hash, prev);
                prev = a.hash();
            }
            Record::Meta(m) => head = m.audit_head,
            Record::Entry(_) => {}
        }
    }
    assert_eq!(prev, head);
}

#[test]
fn deterministic_for_a_seed() {
    assert_eq!(build(&sample_entries(), 9), build(&sample_entries(), 9));
    assert_ne!(build(&sample_entries(), 9), build(&sample_entries(), 10));
}

#[test]
fn wrong_secrets_are_told_apart_from_damage() {
    let file = build(&sample_entries(), 2);
    let vf = VaultFile::parse(&file, &LIMITS).unwrap();
    assert_eq!(
        vf.unlock(SlotKind::Password, b"wrong").err(),
        Some(Error::WrongSecret)
    );
    assert_eq!(
        vf.unlock(SlotKind::Recovery, &[0u8; 16]).err(),
        Some(Error::WrongSecret)
    );
    assert_eq!(Error::WrongSecret.kind(), ErrorKind::Authentication);
}

#[test]
fn standard_limits_refuse_weak_files_before_any_work() {
    let file = build(&sample_entries(), 3);
    assert_eq!(
        VaultFile::parse(&file, &KdfLimits::STANDARD).err(),
        Some(Error::KdfCostRefused {
            iterations: ITER,
            min: MIN_ITERATIONS,
            max: MAX_ITERATIONS
        })
    );
}

#[test]
fn survives_loss_of_either_header_copy() {
    let entries = sample_entries();
    let file = build(&entries, 4);
    let h = VaultFile::parse(&file, &LIMITS).unwrap().header().len();

    let mut a_gone = file.clone();
    a_gone[..h].fill(0);
    let vf = VaultFile::parse(&a_gone, &LIMITS).unwrap();
    assert_eq!(vf.header_copies(), (PartState::Missing, PartState::Intact));
    assert!(!vf.verify().is_intact());
    check_contents(&a_gone, &entries);

    let mut b_gone = file.clone();
    let b = file.len() - TRAILER_LEN - h;
    b_gone[b..b + h].fill(0xFF);
    let vf = VaultFile::parse(&b_gone, &LIMITS).unwrap();
    assert_eq!(vf.header_copies(), (PartState::Intact, PartState::Missing));
    check_contents(&b_gone, &entries);

    // First copy and trailer both gone: the second copy is found by searching.
    let mut a_and_trailer = file.clone();
    a_and_trailer[..h].fill(0);
    let t = file.len() - TRAILER_LEN;
    a_and_trailer[t..].fill(0);
    let vf = VaultFile::parse(&a_and_trailer, &LIMITS).unwrap();
    assert_eq!(vf.header_copies().1, PartState::Intact);
    assert_eq!(vf.verify().trailer, PartState::Damaged);
    check_contents(&a_and_trailer, &entries);

    let mut both = file.clone();
    both[..h].fill(0);
    both[b..b + h].fill(0);
    assert_eq!(
        VaultFile::parse(&both, &LIMITS).err(),
        Some(Error::HeaderDamaged)
    );
}

#[test]
fn damaged_record_loses_only_that_record() {
    let file = build(&sample_entries(), 5);
    let vf = VaultFile::parse(&file, &LIMITS).unwrap();
    let r2 = vf.record(2).unwrap();
    let mut bad = file.clone();
    bad[r2.offset as usize + 20] ^= 0x01;
    let vf = VaultFile::parse(&bad, &LIMITS).unwrap();
    let report = vf.verify();
    assert_eq!(report.records_damaged, 1);
    assert_eq!(&report.damaged[..], &[2]);
    assert_eq!(report.trailer, PartState::Intact);
    let v = vf.unlock(SlotKind::Password, PASSWORD).unwrap();
    let mut buf = vec![0u8; MAX_RECORD_LEN];
    for r in vf.records() {
        let res = v.open_record(&r, &mut buf).map(|_| ());
        if r.index == 2 {
            assert_eq!(res, Err(Error::RecordDamaged { index: 2 }));
        } else {
            assert_eq!(res, Ok(()));
        }
    }
}

/// Rewrites both header copies' checksums and the trailer after a deliberate edit of the
/// first copy, as an attacker without the key could.
fn reseal_unkeyed(file: &mut [u8]) {
    let h = u32_at(file, H_HEADER_LEN) as usize;
    let sum = sha256(&file[..h - 32]);
    file[h - 32..h].copy_from_slice(&sum);
    let b = file.len() - TRAILER_LEN - h;
    let (head, tail) = file.split_at_mut(b);
    tail[..h].copy_from_slice(&head[..h]);
}

#[test]
fn tampering_with_checksums_recomputed_is_caught_by_macs() {
    let file = build(&sample_entries(), 6);
    let vf = VaultFile::parse(&file, &LIMITS).unwrap();
    let h = vf.header().len();

    // Generation bumped (a rollback disguise): header MAC fails.
    let mut t = file.clone();
    t[H_GENERATION] ^= 1;
    reseal_unkeyed(&mut t);
    let vf = VaultFile::parse(&t, &LIMITS).unwrap();
    assert_eq!(
        vf.unlock(SlotKind::Password, PASSWORD).err(),
        Some(Error::HeaderAuthFailed)
    );

    // A record modified and its table checksum fixed: header MAC fails.
    let mut t = file.clone();
    let r = VaultFile::parse(&file, &LIMITS).unwrap().record(1).unwrap();
    t[r.offset as usize + 40] ^= 0x80;
    let sum = sha256(&t[r.offset as usize..r.offset as usize + r.entry.length as usize]);
    let at = 64 + 2 * SLOT_LEN + 64 + 32;
    t[at..at + 32].copy_from_slice(&sum);
    reseal_unkeyed(&mut t);
    let vf = VaultFile::parse(&t, &LIMITS).unwrap();
    assert_eq!(
        vf.unlock(SlotKind::Password, PASSWORD).err(),
        Some(Error::HeaderAuthFailed)
    );

    // Two entry records swapped in the body with the table untouched: each fails.
    let vf = VaultFile::parse(&file, &LIMITS).unwrap();
    let (r1, r2) = (vf.record(1).unwrap(), vf.record(2).unwrap());
    assert_eq!(r1.entry.length, r2.entry.length);
    let mut t = file.clone();
    let (o1, o2, l) = (
        r1.offset as usize,
        r2.offset as usize,
        r1.entry.length as usize,
    );
    let rec1 = file[o1..o1 + l].to_vec();
    t.copy_within(o2..o2 + l, o1);
    t[o2..o2 + l].copy_from_slice(&rec1);
    let vf = VaultFile::parse(&t, &LIMITS).unwrap();
    assert_eq!(vf.verify().records_damaged, 2);
    let _ = h;
}

#[test]
fn every_bit_flip_is_detected() {
    let file = build(&sample_entries()[2..], 7);
    let mut buf = vec![0u8; MAX_RECORD_LEN];
    for byte in 0..file.len() {
        for bit in 0..8 {
            let mut f = file.clone();
            f[byte] ^= 1 << bit;
            let Ok(vf) = VaultFile::parse(&f, &LIMITS) else {
                continue;
            };
            assert!(
                !vf.verify().is_intact(),
                "flip at {byte}.{bit} not seen by verify"
            );
            // Keyed: either opening fails, or some part is reported damaged; never a
            // silently different result.
            if let Ok(v) = vf.unlock(SlotKind::Password, PASSWORD) {
                for r in vf.records() {
                    if let Ok(Record::Entry(e)) = v.open_record(&r, &mut buf) {
                        assert_eq!(e.secret, b"hunter2");
                    }
                }
            }
        }
    }
}

/// The piecewise keyless check as a reader without the whole file runs it: parse the
/// first header copy alone, then feed the rest in pieces of `chunk` bytes.
fn stream_check(file: &[u8], chunk: usize) -> Option<Verification> {
    let fixed = file.get(..HEADER_FIXED_LEN)?;
    let len = u32_at(fixed, H_HEADER_LEN) as usize;
    let head = file.get(..len)?;
    let vf = VaultFile::parse(head, &LIMITS).ok()?;
    let mut check = StreamCheck::new(&vf);
    assert_eq!(check.start(), len as u64);
    for piece in file[len..].chunks(chunk.max(1)) {
        check.update(piece);
    }
    check.finish()
}

/// `StreamCheck` says "intact" exactly when the whole-file check does, with the same
/// result, and `None` for every bit flip, truncation and extension.
#[test]
fn stream_check_agrees_with_the_whole_file_check() {
    let file = build(&sample_entries(), 12);
    let whole = VaultFile::parse(&file, &LIMITS).unwrap().verify();
    assert!(whole.is_intact());
    for chunk in [1, 7, 16, 64, 1000, file.len()] {
        assert_eq!(
            stream_check(&file, chunk),
            Some(whole.clone()),
            "chunk {chunk}"
        );
    }
    let small = build(&sample_entries()[2..], 13);
    for byte in 0..small.len() {
        for bit in [0, 5] {
            let mut f = small.clone();
            f[byte] ^= 1 << bit;
            assert_eq!(stream_check(&f, 37), None, "flip at {byte}.{bit}");
            let vf = VaultFile::parse(&f, &LIMITS);
            assert!(vf.map_or(true, |v| !v.verify().is_intact()));
        }
    }
    for len in 0..small.len() {
        assert_eq!(stream_check(&small[..len], 29), None, "truncated to {len}");
    }
    let mut longer = small.clone();
    longer.push(0);
    assert_eq!(stream_check(&longer, 29), None);
    // A first copy that is damaged (the whole-file check falls back on the second) is not
    // confirmed piecewise either.
    let mut f = small.clone();
    f[HEADER_FIXED_LEN + 3] ^= 1;
    assert_eq!(stream_check(&f, 64), None);
}

#[test]
fn every_truncation_is_detected() {
    let file = build(&sample_entries()[2..], 8);
    for len in 0..file.len() {
        let f = &file[..len];
        match VaultFile::parse(f, &LIMITS) {
            Err(e) => assert_eq!(e.kind(), ErrorKind::Corrupted, "len {len}: {e}"),
            Ok(vf) => {
                let report = vf.verify();
                assert!(!report.is_intact(), "truncation to {len} not seen");
                assert!(report.is_truncated());
            }
        }
    }
    assert_eq!(VaultFile::parse(&[], &LIMITS).err(), Some(Error::NotAVault));
    assert_eq!(
        VaultFile::parse(&file[..10], &LIMITS).err(),
        Some(Error::Truncated {
            expected: 64,
            actual: 10
        })
    );
}

#[test]
fn hostile_headers_are_refused_quickly() {
    let file = build(&sample_entries(), 11);

    // Iterations 4,294,967,295 with valid checksums: refused before any KDF.
    let mut t = file.clone();
    let at = HEADER_FIXED_LEN + S_ITERATIONS;
    t[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    reseal_unkeyed(&mut t);
    assert!(matches!(
        VaultFile::parse(&t, &KdfLimits::STANDARD),
        Err(Error::KdfCostRefused {
            iterations: u32::MAX,
            ..
        })
    ));
    // Iterations 0.
    t[at..at + 4].copy_from_slice(&0u32.to_le_bytes());
    reseal_unkeyed(&mut t);
    assert!(matches!(
        VaultFile::parse(&t, &LIMITS),
        Err(Error::KdfCostRefused { iterations: 0, .. })
    ));

    // Record count 2^32 - 1 and header length past the end.
    let mut t = file.clone();
    t[H_RECORD_COUNT..H_RECORD_COUNT + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(VaultFile::parse(&t, &LIMITS).map(|_| ()), Ok(()));
    let mut t2 = t.clone();
    let h = u32_at(&t, H_HEADER_LEN) as usize;
    let b = t.len() - TRAILER_LEN - h;
    t2[b + H_RECORD_COUNT..b + H_RECORD_COUNT + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(
        VaultFile::parse(&t2, &LIMITS).err(),
        Some(Error::HeaderDamaged)
    );
    let mut t3 = file.clone();
    t3[H_HEADER_LEN..H_HEADER_LEN + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    t3[b + H_HEADER_LEN..b + H_HEADER_LEN + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(
        VaultFile::parse(&t3, &LIMITS).err(),
        Some(Error::HeaderDamaged)
    );

    // Body length inconsistent with the table, checksums recomputed.
    let mut t = file.clone();
    t[H_BODY_LEN] ^= 0x10;
    reseal_unkeyed(&mut t);
    assert!(matches!(
        VaultFile::parse(&t, &LIMITS),
        Err(Error::Malformed { .. })
    ));

    // Unknown version in both copies.
    let mut t = file.clone();
    t[H_VERSION] = 3;
    t[b + H_VERSION] = 3;
    assert_eq!(
        VaultFile::parse(&t, &LIMITS).err(),
        Some(Error::UnsupportedVersion { version: 3 })
    );
    // Unknown version in one copy only: that copy is damaged, the other is used.
    let mut t = file.clone();
    t[H_VERSION] = 3;
    let vf = VaultFile::parse(&t, &LIMITS).unwrap();
    assert_eq!(vf.header_copies().0, PartState::Damaged);

    // Not a vault at all.
    assert_eq!(
        VaultFile::parse(b"%PDF-1.7 not a vault at all, really not", &LIMITS).err(),
        Some(Error::NotAVault)
    );
    // Trailing bytes are reported.
    let mut t = file.clone();
    t.extend_from_slice(b"junk");
    let vf = VaultFile::parse(&t, &LIMITS).unwrap();
    assert!(!vf.verify().is_intact());
}

#[test]
fn writer_enforces_order_limits_and_buffer_size() {
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    let vmk = VaultMasterKey::generate(&mut rng);
    let slot = SealedSlot::seal(
        SlotKind::Password,
        b"pw",
        ITER,
        &LIMITS,
        &vmk,
        &[0; 16],
        &mut rng,
    )
    .unwrap();
    let meta = Meta {
        recovery_secret: None,
        default_policy_days: 0,
        created_at: 0,
        audit_next_seq: 0,
        audit_head: [0; 32],
        check_key: None,
    };
    let params = HeaderParams {
        vault_id: [0; 16],
        generation: 1,
        written_at: 0,
    };
    let entries = sample_entries();
    let mut out = vec![0u8; 4096];
    let mut w = VaultWriter::new(&mut out, &vmk, &params, &[slot], &meta, 3, &mut rng).unwrap();
    w.push_entry(&entries[1].view(), &mut rng).unwrap();
    assert!(matches!(
        w.push_entry(&entries[0].view(), &mut rng),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        w.push_entry(&entries[1].view(), &mut rng),
        Err(Error::InvalidInput { .. })
    ));
    let mut bad = entries[2].view();
    bad.name = "";
    assert!(matches!(
        w.push_entry(&bad, &mut rng),
        Err(Error::InvalidInput { .. })
    ));
    bad.name = "tab\there";
    assert!(matches!(
        w.push_entry(&bad, &mut rng),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(w.finish(), Err(Error::InvalidInput { .. })));

    let mut small = vec![0u8; 100];
    assert!(matches!(
        VaultWriter::new(&mut small, &vmk, &params, &[slot], &meta, 1, &mut rng),
        Err(Error::BufferTooSmall { .. })
    ));
    assert!(matches!(
        VaultWriter::new(&mut out, &vmk, &params, &[], &meta, 1, &mut rng),
        Err(Error::InvalidInput { .. })
    ));
}

#[test]
fn debug_output_holds_no_secrets() {
    let entries = sample_entries();
    let file = build(&entries, 13);
    let vf = VaultFile::parse(&file, &LIMITS).unwrap();
    let v = vf.unlock(SlotKind::Password, PASSWORD).unwrap();
    let mut buf = vec![0u8; MAX_RECORD_LEN];
    let mut dumps = vec![
        format!("{vf:?}"),
        format!("{v:?}"),
        format!("{:?}", v.master_key()),
    ];
    for r in vf.records() {
        dumps.push(format!("{:?}", v.open_record(&r, &mut buf).unwrap()));
    }
    dumps.push(format!("{:?}", recovery()));
    let vmk_hex = hex::encode(v.master_key().expose_secret());
    for d in &dumps {
        for needle in [
            "hunter2", "aaaa", "AAAA", "170, 170", "5a5a", "90, 90", &vmk_hex,
        ] {
            assert!(!d.contains(needle), "{d} contains {needle}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn any_entries_round_trip(
        items in proptest::collection::vec(
            ("[a-z][a-z0-9 _.-]{0,40}", proptest::collection::vec(any::<u8>(), 1..300), 1u8..=5, 1u32..4),
            0..12,
        ),
        seed in any::<u64>(),
    ) {
        let mut entries: Vec<OwnedEntry> = items
            .into_iter()
            .enumerate()
            .map(|(i, (name, secret, kind, version))| OwnedEntry {
                id: [i as u8 + 10; 16],
                version,
                kind: EntryKind::from_u8(kind).unwrap(),
                status: EntryStatus::Active,
                name,
                secret,
            })
            .collect();
        entries.sort_by_key(|e| (e.id, e.version));
        let file = build(&entries, seed);
        let vf = VaultFile::parse(&file, &LIMITS).unwrap();
        prop_assert!(vf.verify().is_intact());
        check_contents(&file, &entries);
    }

    #[test]
    fn parse_never_panics(data in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let _ = VaultFile::parse(&data, &LIMITS).map(|vf| vf.verify());
    }

    #[test]
    fn parse_never_panics_on_mutated_vaults(
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        cut in any::<usize>(),
    ) {
        let mut f = build(&sample_entries(), 99);
        for (at, v) in edits {
            let n = f.len();
            f[at % n] = v;
        }
        let n = f.len();
        f.truncate(cut % (n + 1));
        if let Ok(vf) = VaultFile::parse(&f, &LIMITS) {
            let _ = vf.verify();
            if let Ok(v) = vf.unlock(SlotKind::Password, PASSWORD) {
                let mut buf = vec![0u8; MAX_RECORD_LEN];
                for r in vf.records() {
                    let _ = v.open_record(&r, &mut buf);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    /// The step-wise PBKDF2 against the `pbkdf2` crate, for passwords shorter than, equal
    /// to and longer than the SHA-256 block, and salts of any length.
    #[test]
    fn pbkdf2_matches_the_pbkdf2_crate(
        password in proptest::collection::vec(any::<u8>(), 0..150),
        salt in proptest::collection::vec(any::<u8>(), 0..100),
        iterations in 1u32..300,
    ) {
        let mut want = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(&password, &salt, iterations, &mut want);
        let got = kdf::derive_slot_key(&password, &salt, iterations, &LIMITS).unwrap();
        prop_assert_eq!(got.expose_secret(), &want);
    }

    #[test]
    fn armor_decode_never_panics(text in ".{0,400}") {
        let mut out = vec![0u8; 512];
        let _ = armor::decode(text.as_bytes(), &mut out);
    }

    #[test]
    fn armor_round_trips(data in proptest::collection::vec(any::<u8>(), 0..500)) {
        let mut text = vec![0u8; armor::encoded_len(data.len())];
        let n = armor::encode(&data, &mut text).unwrap();
        prop_assert_eq!(n, text.len());
        let mut out = vec![0u8; armor::decoded_len_max(n)];
        let m = armor::decode(&text, &mut out).unwrap();
        prop_assert_eq!(&out[..m], &data[..]);
    }

    #[test]
    fn recovery_code_round_trips(bytes in any::<[u8; 16]>()) {
        let secret = RecoverySecret::from_bytes(bytes);
        let code = recovery_code::encode(&secret);
        prop_assert!(recovery_code::parse(code.expose_secret()).unwrap() == secret);
    }
}

fn slots_for(vmk: &VaultMasterKey, password: &[u8], rng: &mut ChaCha20Rng) -> [SealedSlot; 2] {
    [
        SealedSlot::seal(
            SlotKind::Password,
            password,
            ITER,
            &LIMITS,
            vmk,
            &[7; 16],
            rng,
        )
        .unwrap(),
        SealedSlot::seal(
            SlotKind::Recovery,
            recovery().expose_secret(),
            ITER,
            &LIMITS,
            vmk,
            &[7; 16],
            rng,
        )
        .unwrap(),
    ]
}

fn read_meta(vf: &VaultFile<'_>, v: &UnlockedVault<'_>) -> Meta {
    let mut buf = vec![0u8; 200];
    match v.open_record(&vf.record(0).unwrap(), &mut buf).unwrap() {
        Record::Meta(m) => m,
        other => panic!("{other:?}"),
    }
}

#[test]
fn rewrite_with_the_same_key_copies_records_unchanged() {
    let entries = sample_entries();
    let file = build(&entries, 20);
    let vf = VaultFile::parse(&file, &LIMITS).unwrap();
    let v = vf.unlock(SlotKind::Password, PASSWORD).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(21);
    // A password change: a new password slot, the recovery slot carried over.
    let new_pw = SealedSlot::seal(
        SlotKind::Password,
        b"new password",
        ITER,
        &LIMITS,
        v.master_key(),
        &[7; 16],
        &mut rng,
    )
    .unwrap();
    let recovery_slot = SealedSlot::from_view(&vf.header().slot(1).unwrap());
    let meta = read_meta(&vf, &v);
    let event = AuditEvent {
        seq: meta.audit_next_seq,
        time: 1_800_000_000,
        op: AuditOp::Passwd,
        entry_id: [0; 16],
        version: 0,
        kcv: Kcv::default(),
        kcv_showable: false,
        prev_hash: meta.audit_head,
        name: "",
        detail: "",
    };
    let rw = Rewrite {
        params: HeaderParams {
            vault_id: [7; 16],
            generation: 6,
            written_at: 1_800_000_000,
        },
        slots: &[new_pw, recovery_slot],
        new_master_key: None,
        event: Some(event),
    };
    let mut out = vec![0u8; v.rewrite_len(&rw).unwrap()];
    let mut scratch = vec![0u8; v.scratch_len()];
    let n = v.rewrite(&mut out, &mut scratch, &rw, &mut rng).unwrap();
    assert_eq!(n, out.len());
    assert!(scratch.iter().all(|&b| b == 0), "scratch wiped");

    let nf = VaultFile::parse(&out, &LIMITS).unwrap();
    assert!(nf.verify().is_intact());
    assert_eq!(
        nf.unlock(SlotKind::Password, PASSWORD).err(),
        Some(Error::WrongSecret)
    );
    let nv = nf.unlock(SlotKind::Password, b"new password").unwrap();
    nf.unlock(SlotKind::Recovery, recovery().expose_secret())
        .unwrap();
    // Records other than the metadata are byte-identical: not re-encrypted.
    for (a, b) in vf.records().zip(nf.records()).skip(1) {
        assert_eq!(a.bytes, b.bytes);
    }
    let m = read_meta(&nf, &nv);
    assert_eq!(m.audit_next_seq, meta.audit_next_seq + 1);
    assert_eq!(m.audit_head, event.hash());
    let mut buf = vec![0u8; MAX_RECORD_LEN];
    let last = nf.record(nf.header().record_count() - 1).unwrap();
    assert!(
        matches!(nv.open_record(&last, &mut buf).unwrap(), Record::Audit(a) if a.op == AuditOp::Passwd)
    );

    // An event that does not follow the chain is refused.
    let bad = Rewrite {
        event: Some(AuditEvent { seq: 99, ..event }),
        ..rw
    };
    assert!(matches!(
        v.rewrite(&mut out, &mut scratch, &bad, &mut rng),
        Err(Error::InvalidInput { .. })
    ));
    // Keeping the key but changing the vault id is refused.
    let bad = Rewrite {
        params: HeaderParams {
            vault_id: [8; 16],
            ..rw.params
        },
        event: None,
        ..rw
    };
    assert!(matches!(
        v.rewrite(&mut out, &mut scratch, &bad, &mut rng),
        Err(Error::InvalidInput { .. })
    ));
}

#[test]
fn rewrite_under_a_new_master_key_re_encrypts_everything() {
    let entries = sample_entries();
    let file = build(&entries, 22);
    let vf = VaultFile::parse(&file, &LIMITS).unwrap();
    let v = vf
        .unlock(SlotKind::Recovery, recovery().expose_secret())
        .unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(23);
    let new_vmk = VaultMasterKey::generate(&mut rng);
    let slots = slots_for(&new_vmk, PASSWORD, &mut rng);
    let rw = Rewrite {
        params: HeaderParams {
            vault_id: [7; 16],
            generation: 9,
            written_at: 0,
        },
        slots: &slots,
        new_master_key: Some(&new_vmk),
        event: None,
    };
    let mut out = vec![0u8; v.rewrite_len(&rw).unwrap()];
    let mut scratch = vec![0u8; v.scratch_len()];
    v.rewrite(&mut out, &mut scratch, &rw, &mut rng).unwrap();
    check_contents(&out, &entries);
    let nf = VaultFile::parse(&out, &LIMITS).unwrap();
    for (a, b) in vf.records().zip(nf.records()) {
        assert_ne!(a.bytes, b.bytes);
        assert_eq!(a.entry.length, b.entry.length);
    }
    assert_ne!(
        nf.unlock(SlotKind::Password, PASSWORD)
            .unwrap()
            .master_key()
            .expose_secret(),
        v.master_key().expose_secret()
    );
}

#[test]
fn rewrite_stops_at_a_damaged_record() {
    let file = build(&sample_entries(), 24);
    let vf = VaultFile::parse(&file, &LIMITS).unwrap();
    let r = vf.record(2).unwrap();
    let mut bad = file.clone();
    bad[r.offset as usize + 30] ^= 1;
    let vf = VaultFile::parse(&bad, &LIMITS).unwrap();
    let v = vf.unlock(SlotKind::Password, PASSWORD).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(25);
    let slots = [SealedSlot::from_view(&vf.header().slot(0).unwrap())];
    let rw = Rewrite {
        params: HeaderParams {
            vault_id: [7; 16],
            generation: 1,
            written_at: 0,
        },
        slots: &slots,
        new_master_key: None,
        event: None,
    };
    let mut out = vec![0u8; v.rewrite_len(&rw).unwrap()];
    let mut scratch = vec![0u8; v.scratch_len()];
    assert_eq!(
        v.rewrite(&mut out, &mut scratch, &rw, &mut rng).err(),
        Some(Error::RecordDamaged { index: 2 })
    );
}

#[test]
fn stream_writer_copies_only_records_that_authenticate_under_its_keys() {
    let entries = sample_entries();
    let (a, b) = (build(&entries, 26), build(&entries, 27));
    let (fa, fb) = (
        VaultFile::parse(&a, &LIMITS).unwrap(),
        VaultFile::parse(&b, &LIMITS).unwrap(),
    );
    let va = fa.unlock(SlotKind::Password, PASSWORD).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(28);
    let slots = [SealedSlot::from_view(&fa.header().slot(0).unwrap())];
    let params = HeaderParams {
        vault_id: [7; 16],
        generation: 2,
        written_at: 0,
    };
    let count = fa.header().record_count();
    let mut header = vec![0u8; format::header_len(1, count).unwrap()];
    let mut w = StreamWriter::new(&mut header, va.master_key(), &params, &slots, count).unwrap();
    let mut rec = vec![0u8; MAX_RECORD_LEN];
    w.push_meta(&read_meta(&fa, &va), &mut rng, &mut rec)
        .unwrap();
    let (ra, rb) = (fa.record(1).unwrap(), fb.record(1).unwrap());
    // The same record of another file of this vault id under another master key.
    assert_eq!(
        w.push_verbatim(&rb, &mut rec).err(),
        Some(Error::RecordAuthFailed { index: 1 })
    );
    let bytes = ra.bytes.unwrap();
    let mut flipped = bytes.to_vec();
    flipped[20] ^= 1;
    // Neither the MAC nor the table's checksum holds: damage.
    assert_eq!(
        w.push_verbatim(&ra.with_bytes(&flipped), &mut rec).err(),
        Some(Error::RecordDamaged { index: 1 })
    );
    assert_eq!(
        w.push_verbatim(&ra.with_bytes(&bytes[..bytes.len() - 16]), &mut rec)
            .err(),
        Some(Error::RecordDamaged { index: 1 })
    );
    assert_eq!(
        w.push_verbatim(&ra.with_bytes(bytes), &mut rec[..10]).err(),
        Some(Error::BufferTooSmall {
            needed: bytes.len()
        })
    );
    // The record itself is copied byte for byte, once, in order.
    assert_eq!(w.push_verbatim(&ra, &mut rec), Ok(bytes.len()));
    assert_eq!(&rec[..bytes.len()], bytes);
    assert!(matches!(
        w.push_verbatim(&ra, &mut rec),
        Err(Error::InvalidInput { .. })
    ));
}

/// Two generations of one vault under one master key: the same vault id, keyslots and
/// record descriptions (kind, length, id, version), different secrets.
fn two_generations() -> (Vec<u8>, Vec<u8>) {
    let old = sample_entries();
    let mut new = sample_entries();
    for e in &mut new {
        for b in &mut e.secret {
            *b ^= 0x5C;
        }
    }
    // The same seed: the same master key, vault id and keyslots.
    (build(&old, 40), build(&new, 40))
}

#[test]
fn a_record_from_another_generation_is_refused_although_its_mac_verifies() {
    let (old, new) = two_generations();
    let mut spliced_records = 0;
    for i in 0..record_count_of(&new) {
        let (ro, rn) = (
            airvault_tests::forge::record_range(&old, i),
            airvault_tests::forge::record_range(&new, i),
        );
        assert_eq!(ro, rn, "the generations share their layout");
        if old[ro.clone()] == new[rn.clone()] {
            continue;
        }
        spliced_records += 1;
        let mut spliced = new.clone();
        spliced[rn].copy_from_slice(&old[ro]);
        let vf = VaultFile::parse(&spliced, &LIMITS).unwrap();
        assert!(!vf.verify().is_intact());
        let v = vf.unlock(SlotKind::Password, PASSWORD).unwrap();
        let record = vf.record(i as u32).unwrap();
        let mut buf = vec![0u8; MAX_RECORD_LEN];
        assert_eq!(
            v.open_record(&record, &mut buf).err(),
            Some(Error::RecordForeign { index: i as u32 }),
            "record {i}"
        );
        // Nor is it carried into a new file by a verbatim copy.
        let slots = [SealedSlot::from_view(&vf.header().slot(0).unwrap())];
        let params = HeaderParams {
            vault_id: [7; 16],
            generation: 9,
            written_at: 0,
        };
        let count = vf.header().record_count();
        let mut header = vec![0u8; format::header_len(1, count).unwrap()];
        let mut w = StreamWriter::new(&mut header, v.master_key(), &params, &slots, count).unwrap();
        let mut rng = ChaCha20Rng::seed_from_u64(41);
        let mut rec = vec![0u8; MAX_RECORD_LEN];
        for r in vf.records() {
            let pushed = if r.index == 0 {
                let meta = match v.open_record(&r, &mut buf) {
                    Ok(Record::Meta(m)) => m,
                    Err(e) => {
                        assert_eq!(e, Error::RecordForeign { index: 0 });
                        break;
                    }
                    Ok(other) => panic!("record 0 is {other:?}"),
                };
                w.push_meta(&meta, &mut rng, &mut rec).map(|_| ())
            } else {
                w.push_verbatim(&r, &mut rec).map(|_| ())
            };
            if r.index == i as u32 {
                assert_eq!(pushed.err(), Some(Error::RecordForeign { index: r.index }));
                break;
            }
            pushed.unwrap();
        }
    }
    assert_eq!(
        spliced_records, 3,
        "each entry record differs between the generations"
    );
}

fn record_count_of(file: &[u8]) -> usize {
    airvault_tests::forge::record_count(file)
}

//! vault-core's Argon2id password keyslots: sealing and opening with caller memory, a
//! reader without memory refusing the slot cleanly and opening the recovery slot, hostile
//! parameters refused at parse before any work, and the recovery slot kept to PBKDF2.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use airvault_tests::forge::{sha256, u32_at};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

use vault_core::constants::*;
use vault_core::*;

const PASSWORD: &[u8] = b"correct horse battery staple";
/// The format's smallest Argon2id cost: 8 MiB, one pass, one lane.
const LOW: Argon2Params = Argon2Params {
    memory_kib: MIN_ARGON2_MEMORY_KIB,
    passes: 1,
    lanes: 1,
};
const S_KDF: usize = 1;

fn recovery() -> RecoverySecret {
    RecoverySecret::from_bytes([0x5A; 16])
}

fn memory(blocks: usize) -> Vec<Argon2Block> {
    vec![Argon2Block::new(); blocks]
}

/// A vault with an Argon2id password slot (`params`) and a PBKDF2 recovery slot.
fn build(params: Argon2Params, seed: u64) -> Vec<u8> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let vmk = VaultMasterKey::generate(&mut rng);
    let vault_id = [7u8; 16];
    let mut mem = memory(params.blocks());
    let slots = [
        SealedSlot::seal_with_kdf(
            SlotKind::Password,
            PASSWORD,
            SlotKdf::Argon2id(params),
            &KdfLimits::STANDARD,
            &mut mem,
            &vmk,
            &vault_id,
            &mut rng,
        )
        .unwrap(),
        SealedSlot::seal(
            SlotKind::Recovery,
            recovery().expose_secret(),
            MIN_ITERATIONS,
            &KdfLimits::STANDARD,
            &vmk,
            &vault_id,
            &mut rng,
        )
        .unwrap(),
    ];
    let meta = Meta {
        recovery_secret: Some(recovery()),
        default_policy_days: 0,
        created_at: 1_700_000_000,
        audit_next_seq: 0,
        audit_head: [0; 32],
        check_key: None,
    };
    let layout = Layout::new(slots.len());
    let mut out = vec![0u8; layout.file_len().unwrap()];
    let header = HeaderParams {
        vault_id,
        generation: 1,
        written_at: 1_700_000_100,
    };
    let w = VaultWriter::new(
        &mut out,
        &vmk,
        &header,
        &slots,
        &meta,
        layout.records(),
        &mut rng,
    )
    .unwrap();
    assert_eq!(w.finish().unwrap(), out.len());
    out
}

/// Writes header fields into both copies and recomputes their checksums (no key needed).
fn reseal_unkeyed(file: &mut [u8]) {
    let h = u32_at(file, 12) as usize;
    let sum = sha256(&file[..h - 32]);
    file[h - 32..h].copy_from_slice(&sum);
    let b = file.len() - TRAILER_LEN - h;
    let (head, tail) = file.split_at_mut(b);
    tail[..h].copy_from_slice(&head[..h]);
}

#[test]
fn an_argon2id_slot_opens_with_caller_memory() {
    let file = build(LOW, 1);
    let vf = VaultFile::parse(&file, &KdfLimits::STANDARD).unwrap();
    let slot = vf.header().slot(0).unwrap();
    assert_eq!(slot.kdf(), SlotKdf::Argon2id(LOW));
    assert_eq!(file[HEADER_FIXED_LEN + S_KDF], KDF_ARGON2ID);
    // lanes, passes, memory in KiB.
    assert_eq!(
        &file[HEADER_FIXED_LEN + 2..HEADER_FIXED_LEN + 8],
        &[1, 1, 0x00, 0x20, 0, 0]
    );
    assert_eq!(
        vf.header().slot(1).unwrap().kdf(),
        SlotKdf::Pbkdf2 {
            iterations: MIN_ITERATIONS
        }
    );
    assert_eq!(vf.kdf_memory_blocks(SlotKind::Password), 8192);
    assert_eq!(vf.kdf_memory_blocks(SlotKind::Recovery), 0);

    let mut mem = memory(vf.kdf_memory_blocks(SlotKind::Password));
    let mut reports = Vec::new();
    let v = vf
        .unlock_with_memory(SlotKind::Password, PASSWORD, &mut mem, &mut |d, t| {
            reports.push((d, t))
        })
        .unwrap();
    assert_eq!(v.slot_index(), 0);
    assert_eq!(reports, vec![(0, 1), (1, 1)]);
    // The memory was wiped after use.
    assert!(mem.iter().all(|b| b.as_ref().iter().all(|w| *w == 0)));
    assert_eq!(
        vf.unlock_with_memory(SlotKind::Password, b"wrong", &mut mem, &mut |_, _| {})
            .err(),
        Some(Error::WrongSecret)
    );
    // The key is Argon2id over the slot's salt with the slot's parameters.
    let key =
        kdf::derive_argon2id(PASSWORD, &slot.salt(), &LOW, &KdfLimits::STANDARD, &mut mem).unwrap();
    assert!(vf.unlock_with_slot_key(0, &key).is_ok());
}

/// A reader that supplies no memory (a microcontroller) refuses the Argon2id slot as
/// unsupported, not as a wrong password, and opens the vault through the recovery slot.
#[test]
fn a_reader_without_memory_refuses_the_slot_and_opens_the_recovery_slot() {
    let file = build(LOW, 2);
    let vf = VaultFile::parse(&file, &KdfLimits::STANDARD).unwrap();
    let err = vf.unlock(SlotKind::Password, PASSWORD).err().unwrap();
    assert_eq!(err, Error::KdfMemoryUnavailable { needed_kib: 8192 });
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert_eq!(err.code(), "kdf_memory_unavailable");
    // Too little memory is the same.
    let mut small = memory(8191);
    assert_eq!(
        vf.unlock_with_memory(SlotKind::Password, PASSWORD, &mut small, &mut |_, _| {})
            .err(),
        Some(Error::KdfMemoryUnavailable { needed_kib: 8192 })
    );
    assert!(small.iter().all(|b| b.as_ref().iter().all(|w| *w == 0)));
    let v = vf
        .unlock(SlotKind::Recovery, recovery().expose_secret())
        .unwrap();
    assert_eq!(v.slot_index(), 1);
}

fn with_params(file: &[u8], lanes: u8, passes: u8, memory_kib: u32) -> Vec<u8> {
    let mut t = file.to_vec();
    let at = HEADER_FIXED_LEN;
    t[at + 2] = lanes;
    t[at + 3] = passes;
    t[at + 4..at + 8].copy_from_slice(&memory_kib.to_le_bytes());
    reseal_unkeyed(&mut t);
    t
}

/// Hostile Argon2id parameters, with valid checksums, are refused by `parse`: before any
/// key derivation, and before any memory is asked for.
#[test]
fn hostile_argon2id_parameters_are_refused_at_parse() {
    let file = build(LOW, 3);
    for (lanes, passes, memory_kib) in [
        (1, 1, u32::MAX),
        (1, 1, MAX_ARGON2_MEMORY_KIB + 1),
        (1, 1, MIN_ARGON2_MEMORY_KIB - 1),
        (1, 1, 0),
        (1, 0, 8192),
        (1, 17, 8192),
        (1, 255, MAX_ARGON2_MEMORY_KIB),
        (0, 1, 8192),
        (9, 1, 8192),
        (255, 255, u32::MAX),
    ] {
        let t = with_params(&file, lanes, passes, memory_kib);
        let start = Instant::now();
        let err = VaultFile::parse(&t, &KdfLimits::STANDARD).err();
        assert!(start.elapsed() < Duration::from_secs(1));
        assert_eq!(
            err,
            Some(Error::Argon2CostRefused {
                memory_kib,
                passes: u32::from(passes),
                lanes: u32::from(lanes),
            })
        );
        assert_eq!(err.unwrap().code(), "kdf_cost_refused");
        assert_eq!(err.unwrap().kind(), ErrorKind::Unsupported);
    }
    // The bounds themselves are accepted.
    for (lanes, passes, memory_kib) in [(8, 16, MAX_ARGON2_MEMORY_KIB), (1, 1, 8192)] {
        let t = with_params(&file, lanes, passes, memory_kib);
        assert!(VaultFile::parse(&t, &KdfLimits::STANDARD).is_ok());
    }
    // Sealing refuses out-of-bounds parameters before deriving anything.
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let vmk = VaultMasterKey::generate(&mut rng);
    let too_big = Argon2Params {
        memory_kib: MAX_ARGON2_MEMORY_KIB + 1,
        ..LOW
    };
    assert_eq!(
        SealedSlot::seal_with_kdf(
            SlotKind::Password,
            PASSWORD,
            SlotKdf::Argon2id(too_big),
            &KdfLimits::STANDARD,
            &mut [],
            &vmk,
            &[7; 16],
            &mut rng,
        )
        .err(),
        Some(Error::Argon2CostRefused {
            memory_kib: MAX_ARGON2_MEMORY_KIB + 1,
            passes: 1,
            lanes: 1
        })
    );
}

/// Unknown KDF ids stay unsupported, and a recovery slot is never Argon2id.
#[test]
fn unknown_kdfs_and_argon2id_recovery_slots_are_unsupported() {
    let file = build(LOW, 4);
    let mut t = file.clone();
    t[HEADER_FIXED_LEN + S_KDF] = 3;
    reseal_unkeyed(&mut t);
    assert_eq!(
        VaultFile::parse(&t, &KdfLimits::STANDARD).err(),
        Some(Error::UnsupportedSlot { slot: 0 })
    );
    // The recovery slot (slot 1) given kdf 2 with valid Argon2id parameters.
    let mut t = file.clone();
    let at = HEADER_FIXED_LEN + SLOT_LEN;
    t[at + S_KDF] = KDF_ARGON2ID;
    t[at + 2] = 1;
    t[at + 3] = 1;
    t[at + 4..at + 8].copy_from_slice(&8192u32.to_le_bytes());
    reseal_unkeyed(&mut t);
    assert_eq!(
        VaultFile::parse(&t, &KdfLimits::STANDARD).err(),
        Some(Error::UnsupportedSlot { slot: 1 })
    );
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let vmk = VaultMasterKey::generate(&mut rng);
    let mut mem = memory(LOW.blocks());
    assert_eq!(
        SealedSlot::seal_with_kdf(
            SlotKind::Recovery,
            recovery().expose_secret(),
            SlotKdf::Argon2id(LOW),
            &KdfLimits::STANDARD,
            &mut mem,
            &vmk,
            &[7; 16],
            &mut rng,
        )
        .err(),
        Some(Error::InvalidInput {
            reason: "the recovery keyslot is always PBKDF2"
        })
    );
}

/// A PBKDF2 slot is written byte for byte as before: the KDF bytes are `1, 0, 0` and the
/// iteration count; `seal_with_kdf` and `seal` agree.
#[test]
fn pbkdf2_slots_are_unchanged() {
    let kdf = SlotKdf::Pbkdf2 {
        iterations: 600_000,
    };
    assert_eq!(kdf.encode(), Some([1, 0, 0, 0xC0, 0x27, 0x09, 0x00]));
    assert_eq!(SlotKdf::decode(&kdf.encode().unwrap()), Some(kdf));
    let a = SlotKdf::Argon2id(Argon2Params::DEFAULT);
    assert_eq!(a.encode(), Some([2, 4, 3, 0x00, 0x00, 0x04, 0x00]));
    assert_eq!(SlotKdf::decode(&a.encode().unwrap()), Some(a));
    assert_eq!(a.to_string(), "Argon2id, 256 MiB, 3 passes, 4 lanes");
    assert_eq!(kdf.to_string(), "PBKDF2-HMAC-SHA256, 600000 iterations");
    let limits = KdfLimits::insecure_test_only();
    let seal = |f: &dyn Fn(&mut ChaCha20Rng, &VaultMasterKey) -> SealedSlot| {
        let mut rng = ChaCha20Rng::seed_from_u64(6);
        let vmk = VaultMasterKey::generate(&mut rng);
        f(&mut rng, &vmk)
    };
    let a = seal(&|rng, vmk| {
        SealedSlot::seal(SlotKind::Password, b"pw", 10, &limits, vmk, &[1; 16], rng).unwrap()
    });
    let b = seal(&|rng, vmk| {
        SealedSlot::seal_with_kdf(
            SlotKind::Password,
            b"pw",
            SlotKdf::Pbkdf2 { iterations: 10 },
            &limits,
            &mut [],
            vmk,
            &[1; 16],
            rng,
        )
        .unwrap()
    });
    assert_eq!(a, b);
}

/// The default cost, run for real once: 256 MiB, 3 passes, 4 lanes.
#[test]
fn the_default_parameters_open_a_vault() {
    let file = build(Argon2Params::DEFAULT, 7);
    let vf = VaultFile::parse(&file, &KdfLimits::STANDARD).unwrap();
    assert_eq!(vf.kdf_memory_blocks(SlotKind::Password), 256 * 1024);
    let mut mem = memory(vf.kdf_memory_blocks(SlotKind::Password));
    assert!(vf
        .unlock_with_memory(SlotKind::Password, PASSWORD, &mut mem, &mut |_, _| {})
        .is_ok());
}

//! Mutated vaults opened with the right password: unlocking, opening every record and
//! rewriting never panic, and whatever opens is consistent. Seeds are vaults whose keyslots
//! use a single PBKDF2 iteration (made by `seeds` in run.sh), so each run is cheap.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rand_chacha::rand_core::SeedableRng;
use vault_core::constants::MAX_RECORD_LEN;
use vault_core::{HeaderParams, KdfLimits, Record, Rewrite, SealedSlot, SlotKind, VaultFile};

/// The password of every seed vault.
const PASSWORD: &[u8] = b"fuzz";
/// Slots costlier than this are not opened (the fuzzer would spend its time in PBKDF2).
const MAX_FUZZ_ITERATIONS: u32 = 64;

fuzz_target!(|data: &[u8]| {
    let limits = KdfLimits::insecure_test_only();
    let Ok(file) = VaultFile::parse(data, &limits) else {
        return;
    };
    if file.header().slots().any(|s| s.iterations() > MAX_FUZZ_ITERATIONS) {
        return;
    }
    let _ = file.verify();
    let Ok(vault) = file.unlock(SlotKind::Password, PASSWORD) else {
        return;
    };
    let mut buf = vec![0u8; MAX_RECORD_LEN];
    for r in file.records() {
        if let Ok(Record::Entry(e)) = vault.open_record(&r, &mut buf) {
            assert_eq!(e.kcv(), vault_core::Kcv::of(e.secret));
            assert!(!e.secret.is_empty() && !e.name.is_empty());
        }
    }
    // Rewriting with the same key either fails cleanly or yields a file that opens.
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    let slots: Vec<SealedSlot> = file.header().slots().map(|s| SealedSlot::from_view(&s)).collect();
    let rw = Rewrite {
        params: HeaderParams {
            vault_id: file.header().vault_id(),
            generation: file.header().generation().wrapping_add(1),
            written_at: 0,
        },
        slots: &slots,
        new_master_key: None,
        event: None,
    };
    if let Ok(len) = vault.rewrite_len(&rw) {
        if len > 1 << 22 {
            return;
        }
        let mut out = vec![0u8; len];
        let mut scratch = vec![0u8; vault.scratch_len()];
        if let Ok(n) = vault.rewrite(&mut out, &mut scratch, &rw, &mut rng) {
            let again = VaultFile::parse(&out[..n], &limits).expect("rewritten file parses");
            assert!(again.verify().is_intact());
            again.unlock(SlotKind::Password, PASSWORD).expect("rewritten file opens");
        }
    }
});

//! Seals a one-entry vault into a stack buffer and opens it again, with no heap.
#![no_std]
#![no_main]

use core::panic::PanicInfo;

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use vault_core::constants::MIN_ITERATIONS;
use vault_core::{
    Entry, EntryKind, EntryStatus, HeaderParams, KdfLimits, Layout, Meta, Record,
    SealedSlot, SlotKind, VaultFile, VaultMasterKey, VaultWriter,
};

#[panic_handler]
fn panic(_: &PanicInfo<'_>) -> ! {
    loop {}
}

fn round_trip() -> Result<bool, vault_core::Error> {
    let mut rng = ChaCha20Rng::from_seed([7; 32]);
    let vmk = VaultMasterKey::generate(&mut rng);
    let limits = KdfLimits::STANDARD;
    let slot = SealedSlot::seal(SlotKind::Password, b"pw", MIN_ITERATIONS, &limits, &vmk, &[1; 16], &mut rng)?;
    let entry = Entry {
        id: [2; 16],
        version: 1,
        kind: EntryKind::SymmetricKey,
        status: EntryStatus::Active,
        name: "k",
        secret: &[0x55; 32],
        created_at: 0,
        rotated_at: 0,
        policy_days: 0,
    };
    let meta = Meta {
        recovery_secret: None,
        default_policy_days: 0,
        created_at: 0,
        audit_next_seq: 0,
        audit_head: [0; 32],
        check_key: None,
    };
    let mut layout = Layout::new(1);
    layout.add_entry(&entry);
    let mut file = [0u8; 1024];
    let params = HeaderParams { vault_id: [1; 16], generation: 1, written_at: 0 };
    let mut w = VaultWriter::new(&mut file, &vmk, &params, &[slot], &meta, layout.records(), &mut rng)?;
    w.push_entry(&entry, &mut rng)?;
    let n = w.finish()?;
    let vf = VaultFile::parse(&file[..n], &limits)?;
    let v = vf.unlock(SlotKind::Password, b"pw")?;
    let mut buf = [0u8; 256];
    let mut ok = vf.verify().is_intact();
    for r in vf.records() {
        if let Record::Entry(e) = v.open_record(&r, &mut buf)? {
            ok &= e.secret == [0x55; 32];
        }
    }
    Ok(ok)
}

#[no_mangle]
pub extern "C" fn _start() -> ! {
    let ok = matches!(round_trip(), Ok(true));
    // Keep the result observable so the whole round trip is linked in.
    observe(ok);
    loop {}
}

#[inline(never)]
fn observe(ok: bool) {
    core::hint::black_box(ok);
}

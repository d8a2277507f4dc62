//! The core's PBKDF2 (the SHA-extension loop where the CPU has it, stepped in arbitrary
//! chunks) equals the `pbkdf2` crate on any password, salt and iteration count.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vault_core::kdf::{KdfLimits, Pbkdf2};

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let iterations = 1 + u32::from(u16::from_le_bytes([data[0], data[1]]) % 2048);
    let chunk = 1 + u32::from(data[2] % 64);
    let rest = &data[3..];
    let split = rest.first().map_or(0, |&b| usize::from(b)) % (rest.len() + 1);
    let (password, salt) = rest.split_at(split);
    let mut want = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, iterations, &mut want);
    let mut job = Pbkdf2::new(password, salt, iterations, &KdfLimits::insecure_test_only())
        .expect("within test limits");
    while job.remaining() > 0 {
        job.step(chunk);
    }
    assert_eq!(job.finish().expose_secret(), &want);
});

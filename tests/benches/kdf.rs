//! PBKDF2-HMAC-SHA256 at the default cost (600,000 iterations, one 32-byte block): the
//! core's derivation (the SHA-extension loop where the CPU has it, else the portable loop),
//! and the `pbkdf2` crate on the same input for reference.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use vault_core::constants::DEFAULT_ITERATIONS;
use vault_core::kdf::{derive_slot_key, KdfLimits};

const PASSWORD: &[u8] = b"correct horse battery staple";
const SALT: [u8; 32] = [0x5a; 32];

fn pbkdf2(c: &mut Criterion) {
    let mut g = c.benchmark_group("pbkdf2_600k");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(4))
        .throughput(Throughput::Elements(u64::from(DEFAULT_ITERATIONS)));
    g.bench_function("vault-core", |b| {
        b.iter(|| derive_slot_key(PASSWORD, &SALT, DEFAULT_ITERATIONS, &KdfLimits::STANDARD))
    });
    g.bench_function("pbkdf2-crate", |b| {
        b.iter(|| {
            let mut out = [0u8; 32];
            pbkdf2::pbkdf2_hmac::<sha2::Sha256>(PASSWORD, &SALT, DEFAULT_ITERATIONS, &mut out);
            out
        })
    });
    g.finish();
}

criterion_group!(benches, pbkdf2);
criterion_main!(benches);

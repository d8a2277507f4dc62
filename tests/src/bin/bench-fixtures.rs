//! Writes the files `bench/compare.sh` measures into a directory:
//!
//! - `vault-10k.airvault`: 10,000 entries of 32-byte keys, each with its `generate` audit
//!   event, at the default PBKDF2 cost;
//! - `large.airvault`: 1,024 entries of 64 KiB (64 MiB), for keyless verify throughput;
//! - `small/`: 1,000 copies of a 5-entry backup (keyless verify of many small files);
//! - `password.txt`: the fixtures' password.
//!
//! Usage: `bench-fixtures DIR`. Existing files of the same name are replaced.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::PathBuf;

use airvault_tests::fixtures::{self, Spec};

fn main() {
    let dir = PathBuf::from(
        std::env::args_os()
            .nth(1)
            .expect("usage: bench-fixtures DIR"),
    );
    fs::create_dir_all(dir.join("small")).unwrap();
    fs::write(
        dir.join("password.txt"),
        format!("{}\n", fixtures::PASSWORD),
    )
    .unwrap();
    fs::write(
        dir.join("vault-10k.airvault"),
        fixtures::vault(&Spec::keys(10_000)),
    )
    .unwrap();
    let large = Spec {
        entries: 1024,
        secret_len: 65_536,
        seed: 2,
        ..Spec::keys(0)
    };
    fs::write(dir.join("large.airvault"), fixtures::vault(&large)).unwrap();
    let small = fixtures::vault(&Spec {
        seed: 3,
        ..Spec::keys(5)
    });
    for i in 0..1000 {
        fs::write(dir.join("small").join(format!("b{i:04}.airvault")), &small).unwrap();
    }
    println!("wrote the benchmark fixtures to {}", dir.display());
}

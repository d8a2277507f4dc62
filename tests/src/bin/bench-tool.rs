//! Helper of `bench/compare.sh`.
//!
//! - `bench-tool fixtures DIR` writes the files the script measures:
//!   `vault-10k.airvault` (10,000 entries of 32-byte keys, each with its `generate` audit
//!   event, at the default PBKDF2 cost), `large.airvault` (1,024 entries of 64 KiB: 64 MiB),
//!   `small/` (1,000 copies of a 5-entry backup) and `password.txt`.
//! - `bench-tool verify FILE ROUNDS` times the core's keyless check of FILE in process
//!   (parse and verify, the file already in memory) and prints
//!   `{"bytes":…,"best_s":…,"median_s":…}`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::PathBuf;
use std::time::Instant;

use airvault_tests::fixtures::{self, Spec};
use vault_core::{KdfLimits, VaultFile};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["fixtures", dir] => write_fixtures(&PathBuf::from(dir)),
        ["verify", file, rounds] => verify(&PathBuf::from(file), rounds.parse().unwrap()),
        _ => panic!("usage: bench-tool fixtures DIR | bench-tool verify FILE ROUNDS"),
    }
}

fn write_fixtures(dir: &std::path::Path) {
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
}

fn verify(file: &std::path::Path, rounds: usize) {
    let bytes = fs::read(file).unwrap();
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds.max(1) {
        let t = Instant::now();
        let parsed = VaultFile::parse(&bytes, &KdfLimits::STANDARD).unwrap();
        assert!(parsed.verify().is_intact());
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{{\"bytes\":{},\"best_s\":{:.6},\"median_s\":{:.6}}}",
        bytes.len(),
        times[0],
        times[times.len() / 2]
    );
}

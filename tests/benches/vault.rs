//! Opening, listing, getting, verifying and backing up, on fixtures from
//! `airvault_tests::fixtures` (a 10,000-entry vault, a 64 MiB backup, 1,000 small backups):
//! in the core (in process, KDF excluded where named) and through the command line's own
//! functions (files on disk, KDF included — what a user waits for).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use airvault_tests::fixtures::{self, Spec};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use vault_cli::cli::SecretFormat;
use vault_cli::commands::backup::BackupOptions;
use vault_cli::commands::verify::VerifyOptions;
use vault_cli::commands::{self, Context};
use vault_cli::input::PasswordSource;
use vault_core::{KdfLimits, Pbkdf2, Record, SlotKind, VaultFile};

struct Files {
    _dir: tempfile::TempDir,
    vault: PathBuf,
    vault_bytes: Vec<u8>,
    large: PathBuf,
    large_bytes: Vec<u8>,
    small_dir: PathBuf,
    small_bytes: Vec<u8>,
    password: PathBuf,
}

fn files() -> Files {
    let dir = tempfile::tempdir().unwrap();
    let vault_bytes = fixtures::vault(&Spec::keys(10_000));
    let large_bytes = fixtures::vault(&Spec {
        entries: 1024,
        secret_len: 65_536,
        seed: 2,
        ..Spec::keys(0)
    });
    let small_bytes = fixtures::vault(&Spec {
        seed: 3,
        ..Spec::keys(5)
    });
    let vault = dir.path().join("vault-10k.airvault");
    std::fs::write(&vault, &vault_bytes).unwrap();
    let large = dir.path().join("large.airvault");
    std::fs::write(&large, &large_bytes).unwrap();
    let small_dir = dir.path().join("small");
    std::fs::create_dir(&small_dir).unwrap();
    for i in 0..1000 {
        std::fs::write(small_dir.join(format!("b{i:04}.airvault")), &small_bytes).unwrap();
    }
    let password = dir.path().join("password.txt");
    std::fs::write(&password, format!("{}\n", fixtures::PASSWORD)).unwrap();
    Files {
        _dir: dir,
        vault,
        vault_bytes,
        large,
        large_bytes,
        small_dir,
        small_bytes,
        password,
    }
}

fn ctx(vault: &Path, password: &Path) -> Context {
    Context::new(
        vault.to_path_buf(),
        PasswordSource::File(password.to_path_buf()),
    )
}

/// Parse, keyless check, unlock with a derived slot key, and open every record.
fn open_all(bytes: &[u8], slot_key: &vault_core::SlotKey) -> usize {
    let file = VaultFile::parse(bytes, &KdfLimits::STANDARD).unwrap();
    assert!(file.verify().is_intact());
    let unlocked = file.unlock_with_slot_key(0, slot_key).unwrap();
    let mut buf = vec![0u8; vault_core::constants::MAX_RECORD_LEN];
    let mut entries = 0;
    for r in file.records() {
        if let Record::Entry(_) = unlocked.open_record(&r, &mut buf).unwrap() {
            entries += 1;
        }
    }
    entries
}

fn open(c: &mut Criterion, f: &Files) {
    let file = VaultFile::parse(&f.vault_bytes, &KdfLimits::STANDARD).unwrap();
    let slot = file.header().slot(0).unwrap();
    assert_eq!(slot.kind(), SlotKind::Password);
    let key = Pbkdf2::new(
        fixtures::PASSWORD.as_bytes(),
        &slot.salt(),
        slot.iterations(),
        &KdfLimits::STANDARD,
    )
    .unwrap()
    .finish();

    let mut g = c.benchmark_group("open_10k");
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    g.bench_function("core_kdf_excluded", |b| {
        b.iter(|| assert_eq!(open_all(&f.vault_bytes, &key), 10_000))
    });
    g.bench_function("core_kdf_included", |b| {
        b.iter(|| {
            let file = VaultFile::parse(&f.vault_bytes, &KdfLimits::STANDARD).unwrap();
            let unlocked = file
                .unlock(SlotKind::Password, fixtures::PASSWORD.as_bytes())
                .unwrap();
            drop(unlocked);
            assert_eq!(open_all(&f.vault_bytes, &key), 10_000)
        })
    });
    let c = ctx(&f.vault, &f.password);
    g.bench_function("cli_list", |b| {
        b.iter(|| assert_eq!(commands::entries::list(&c).unwrap().len(), 10_000))
    });
    g.bench_function("cli_get", |b| {
        b.iter(|| {
            let name = fixtures::entry_name(5000);
            let got = commands::entries::get(&c, &name, None, SecretFormat::Hex, None, false);
            assert_eq!(got.unwrap().report.bytes, 32)
        })
    });
    g.finish();
}

fn verify(c: &mut Criterion, f: &Files) {
    let mut g = c.benchmark_group("verify_keyless");
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    g.throughput(Throughput::Bytes(f.large_bytes.len() as u64));
    g.bench_function("core_large_64MiB", |b| {
        b.iter(|| {
            let file = VaultFile::parse(&f.large_bytes, &KdfLimits::STANDARD).unwrap();
            assert!(file.verify().is_intact())
        })
    });
    let c = ctx(&f.vault, &f.password);
    let opts = |files: Vec<PathBuf>| VerifyOptions {
        files,
        ..VerifyOptions::default()
    };
    let large = opts(vec![f.large.clone()]);
    g.bench_function("cli_large_64MiB", |b| {
        b.iter(|| assert_eq!(commands::verify::verify(&c, &large).unwrap().summary.ok, 1))
    });
    g.throughput(Throughput::Bytes(1000 * f.small_bytes.len() as u64));
    g.bench_function("core_1000_small", |b| {
        b.iter(|| {
            for _ in 0..1000 {
                let file = VaultFile::parse(&f.small_bytes, &KdfLimits::STANDARD).unwrap();
                assert!(file.verify().is_intact())
            }
        })
    });
    let small = opts(vec![f.small_dir.clone()]);
    g.bench_function("cli_1000_small", |b| {
        b.iter(|| {
            assert_eq!(
                commands::verify::verify(&c, &small).unwrap().summary.ok,
                1000
            )
        })
    });
    g.finish();
}

fn backup(c: &mut Criterion, f: &Files) {
    let mut g = c.benchmark_group("backup_10k");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    let c = ctx(&f.vault, &f.password);
    let out = f.vault.with_file_name("backup.airvault");
    for (name, armor) in [("cli_binary", false), ("cli_armored", true)] {
        let opts = BackupOptions {
            out: out.clone(),
            armor,
            new_password: None,
            entries: Vec::new(),
            force: true,
        };
        g.bench_function(name, |b| {
            b.iter_batched(
                || {
                    let _ = std::fs::remove_file(&out);
                },
                |()| commands::backup::backup(&c, &opts).unwrap(),
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

fn all(c: &mut Criterion) {
    let f = files();
    open(c, &f);
    verify(c, &f);
    backup(c, &f);
}

criterion_group!(benches, all);
criterion_main!(benches);

//! Helpers shared by the integration tests: temp files and the external reference tools.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use rand_chacha::rand_core::{RngCore, SeedableRng};

/// A fresh, empty directory under cargo's per-target temp dir.
pub fn temp_dir(tag: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("legacy-{tag}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Deterministic pseudo-random bytes.
pub fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    let mut v = vec![0u8; len];
    rng.fill_bytes(&mut v);
    v
}

/// Runs a command, failing the test with `hint` if the tool cannot be started.
pub fn run(cmd: &mut Command, hint: &str) -> Output {
    match cmd.output() {
        Ok(out) => out,
        Err(e) => panic!("cannot run {cmd:?}: {e}. {hint}"),
    }
}

pub const OPENSSL_HINT: &str =
    "These tests need the `openssl` command line tool (OpenSSL 1.1.1 or 3.x): apt-get install openssl";

/// The `openssl` binary, checked to be present: the known-answer tests must fail, not skip,
/// when it is missing.
pub fn openssl() -> Command {
    let out = run(Command::new("openssl").arg("version"), OPENSSL_HINT);
    assert!(
        out.status.success(),
        "`openssl version` failed. {OPENSSL_HINT}"
    );
    Command::new("openssl")
}

/// Encrypts `plaintext` with `openssl enc -aes-256-cbc -salt -pass pass:<password> <extra>`
/// and returns the file it wrote.
pub fn openssl_encrypt(plaintext: &[u8], password: &str, extra: &[&str]) -> Vec<u8> {
    let dir = temp_dir("openssl");
    let input = dir.join("plain");
    let output = dir.join("cipher");
    std::fs::write(&input, plaintext).unwrap();
    let mut cmd = openssl();
    cmd.args(["enc", "-aes-256-cbc", "-salt"])
        .arg("-pass")
        .arg(format!("pass:{password}"))
        .args(extra)
        .arg("-in")
        .arg(&input)
        .arg("-out")
        .arg(&output);
    let out = run(&mut cmd, OPENSSL_HINT);
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = std::fs::read(&output).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    file
}

/// Like [`openssl_encrypt`] but with a fixed salt, so the result is deterministic.
///
/// OpenSSL 3 omits the `Salted__` header when the salt is given with `-S`; the header is
/// added back here, which yields exactly the file `openssl enc` writes when its random salt
/// happens to be `salt`.
pub fn openssl_encrypt_with_salt(
    plaintext: &[u8],
    password: &str,
    salt: [u8; 8],
    extra: &[&str],
) -> Vec<u8> {
    let salt_hex = hex::encode(salt);
    let mut args = vec!["-S", &salt_hex];
    args.extend_from_slice(extra);
    let body = openssl_encrypt(plaintext, password, &args);
    let mut file = b"Salted__".to_vec();
    file.extend_from_slice(&salt);
    if body.starts_with(b"Salted__") {
        // OpenSSL 1.1.1 still writes the header with -S.
        assert_eq!(&body[8..16], &salt);
        file.extend_from_slice(&body[16..]);
    } else {
        file.extend_from_slice(&body);
    }
    file
}

pub const PYTHON_HINT: &str = "These tests need python3 with the `cryptography` package \
     (the reference Fernet implementation): apt-get install python3 python3-pip && \
     python3 -m pip install cryptography";

/// Runs a Python snippet with the `cryptography` package, failing with an install hint if
/// either is missing. Returns stdout.
pub fn python(script: &str, args: &[String]) -> String {
    let probe = run(
        Command::new("python3").args(["-c", "import cryptography.fernet"]),
        PYTHON_HINT,
    );
    assert!(
        probe.status.success(),
        "python3 cannot import cryptography.fernet ({}). {PYTHON_HINT}",
        String::from_utf8_lossy(&probe.stderr).trim()
    );
    let out = run(
        Command::new("python3").arg("-c").arg(script).args(args),
        PYTHON_HINT,
    );
    assert!(
        out.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

//! Every format test vector (`tests/vectors/`, and the frozen version-1 ones in
//! `tests/vectors/v1/`) through the command line, as a user meets it: `airvault verify`
//! without a key and with the vector's password, and `recover` with the recovery code for
//! the vectors opened through the recovery keyslot. Each exit code must be the one the
//! vector's `expect` (and keyless verdict) calls for: 0 for a file that opens intact, 4 for
//! a wrong password, 6 for refused parameters (a KDF cost, a KDF or keyslot kind, a version
//! this build does not read), 5 for anything damaged or tampered with.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use serde::Deserialize;

#[derive(Deserialize)]
struct Expectation {
    expect: String,
    keyless: Option<String>,
    password: Option<String>,
    recovery_secret_hex: Option<String>,
}

fn vectors(dir: &Path) -> Vec<(PathBuf, Expectation)> {
    let mut v: Vec<(PathBuf, Expectation)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let exp = serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap();
            (p.with_extension("airvault"), exp)
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// The exit code a keyed command gives for a vector's outcome.
fn keyed_exit(exp: &Expectation) -> i32 {
    match exp.expect.as_str() {
        "success" if exp.keyless.as_deref() == Some("intact") => 0,
        "wrong_password" => 4,
        "kdf_cost_refused" | "unsupported_slot" | "unsupported_version" => 6,
        _ => 5,
    }
}

/// The exit code of keyless `verify`: refused parameters and damage are found without a
/// key; an intact file passes whatever its secrets.
fn keyless_exit(exp: &Expectation) -> i32 {
    match exp.expect.as_str() {
        "kdf_cost_refused" | "unsupported_slot" | "unsupported_version" => 6,
        _ if exp.keyless.as_deref() == Some("intact") => 0,
        _ => 5,
    }
}

fn check_all(dir: &Path) -> usize {
    let env = Env::new();
    let mut runs = 0;
    for (file, exp) in vectors(dir) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let out = env.bare().arg("verify").arg(&file).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(keyless_exit(&exp)),
            "{name}: keyless verify: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        runs += 1;
        if let Some(pw) = &exp.password {
            let pw_file = env.file("vector.pw", format!("{pw}\n"));
            let out = env
                .bare()
                .arg("--password-file")
                .arg(&pw_file)
                .arg("verify")
                .arg(&file)
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(keyed_exit(&exp)),
                "{name}: verify --password-file: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            runs += 1;
        } else if let Some(hex) = &exp.recovery_secret_hex {
            let secret: [u8; 16] = hex::decode(hex).unwrap().try_into().unwrap();
            let code =
                vault_core::recovery_code::encode(&vault_core::RecoverySecret::from_bytes(secret));
            let code_file = env.file("vector.code", format!("{}\n", code.expose_secret()));
            let out_vault = env.path("recovered.airvault");
            let _ = fs::remove_file(&out_vault);
            let out = env
                .bare()
                .arg("--password-file")
                .arg(&env.pw)
                .arg("recover")
                .arg(&file)
                .arg("--recovery-code-file")
                .arg(&code_file)
                .arg("--out")
                .arg(&out_vault)
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(keyed_exit(&exp)),
                "{name}: recover: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            runs += 1;
        }
    }
    runs
}

#[test]
fn every_vector_gives_its_exit_code_through_the_command_line() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let runs = check_all(&dir);
    assert!(runs >= 100, "only {runs} runs");
}

#[test]
fn every_version_1_vector_gives_its_exit_code_through_the_command_line() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/v1");
    assert!(check_all(&dir) >= 10);
}

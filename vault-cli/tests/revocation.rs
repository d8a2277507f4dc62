//! Revocation, checked with an independent decoder: after `recovery reset`, `passwd` or
//! `recover`, the master key that an older copy of the vault yields with the old code or
//! password authenticates neither the header nor any record of the vault as it is now, nor
//! of any backup made afterwards.
//!
//! The master key is unwrapped from the old copy by `tests/interop/decode_vault.py` (Python's
//! hashlib/hmac and `cryptography`, written from docs/FORMAT.md alone), which then counts
//! what that key authenticates in each later file (`--vmk-hex`). As a control, the same key
//! authenticates every record of the old copy itself.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod emergency;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::*;
use emergency::*;
use serde::Deserialize;

fn decoder() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/interop/decode_vault.py")
}

fn python(args: &[&std::ffi::OsStr]) -> serde_json::Value {
    let out = Command::new("python3")
        .arg(decoder())
        .args(args)
        .output()
        .expect("python3 with the `cryptography` package");
    assert!(
        out.status.success(),
        "decode_vault.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The master key the decoder unwraps from `file` with a password or recovery secret.
fn master_key(file: &Path, secret_flag: &str, secret: &str) -> String {
    let v = python(&[
        file.as_os_str(),
        secret_flag.as_ref(),
        secret.as_ref(),
        "--dump-keys".as_ref(),
    ]);
    assert_eq!(v["outcome"], "success", "{v}");
    v["vmk_hex"].as_str().unwrap().to_owned()
}

#[derive(Debug, Deserialize, PartialEq)]
struct Authenticated {
    header_authenticated: bool,
    records: u64,
    records_authenticated: u64,
}

fn authenticated(file: &Path, vmk: &str) -> Authenticated {
    serde_json::from_value(python(&[
        file.as_os_str(),
        "--vmk-hex".as_ref(),
        vmk.as_ref(),
    ]))
    .unwrap()
}

fn assert_revoked(file: &Path, vmk: &str, what: &str) {
    let a = authenticated(file, vmk);
    assert!(a.records > 0);
    assert!(
        !a.header_authenticated && a.records_authenticated == 0,
        "{what}: the old master key still authenticates {a:?}"
    );
    println!(
        "{what}: the old master key authenticates 0 of {} records and not the header",
        a.records
    );
}

fn assert_control(file: &Path, vmk: &str) {
    let a = authenticated(file, vmk);
    assert!(
        a.header_authenticated && a.records_authenticated == a.records,
        "{a:?}"
    );
}

fn recovery_hex(code: &str) -> String {
    hex::encode(
        vault_core::recovery_code::parse(code)
            .unwrap()
            .expose_secret(),
    )
}

#[test]
fn an_old_copy_and_the_old_recovery_code_open_nothing_written_after_a_reset() {
    let (env, old_code) = populated();
    let old_copy = env.path("old-copy.airvault");
    fs::copy(&env.vault, &old_copy).unwrap();
    let out = env
        .json()
        .args(["recovery", "reset"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let reset: RecoveryCode = one(&out);
    assert_ne!(reset.recovery_code, old_code);
    env.generate("written-after-the-reset");
    let later_backup = env.backup("later.airvault");

    let old_vmk = master_key(&old_copy, "--recovery-hex", &recovery_hex(&old_code));
    assert_control(&old_copy, &old_vmk);
    assert_revoked(&env.vault, &old_vmk, "recovery reset, the vault");
    assert_revoked(&later_backup, &old_vmk, "recovery reset, a later backup");
    // The new code opens the vault (with the new master key), the old one does not.
    let new_vmk = master_key(
        &env.vault,
        "--recovery-hex",
        &recovery_hex(&reset.recovery_code),
    );
    assert_ne!(new_vmk, old_vmk);
    let v = python(&[
        env.vault.as_os_str(),
        "--recovery-hex".as_ref(),
        recovery_hex(&old_code).as_ref(),
    ]);
    assert_eq!(v["outcome"], "wrong_password", "{v}");
}

#[test]
fn an_old_copy_and_the_old_password_open_nothing_written_after_passwd() {
    let (env, _code) = populated();
    let old_copy = env.path("old-copy.airvault");
    fs::copy(&env.vault, &old_copy).unwrap();
    let old_password = fs::read_to_string(&env.pw).unwrap().trim_end().to_owned();
    let new_pw = password(&env, "new.pw", "a new password after a leak");
    env.cmd()
        .args(["passwd", "--iterations", ITER, "--new-password-file"])
        .arg(&new_pw)
        .assert()
        .success();
    fs::copy(&new_pw, &env.pw).unwrap();
    env.generate("written-after-passwd");
    let later_backup = env.backup("later.airvault");

    let old_vmk = master_key(&old_copy, "--password", &old_password);
    assert_control(&old_copy, &old_vmk);
    assert_revoked(&env.vault, &old_vmk, "passwd, the vault");
    assert_revoked(&later_backup, &old_vmk, "passwd, a later backup");
}

#[test]
fn a_vault_recovered_with_a_new_password_is_under_a_new_master_key() {
    let (env, code) = populated();
    let old_password = fs::read_to_string(&env.pw).unwrap().trim_end().to_owned();
    let code_path = code_file(&env, "code.txt", &code);
    let new_pw = password(&env, "new.pw", "the password chosen after the loss");
    let recovered = env.path("recovered.airvault");
    env.bare()
        .arg("recover")
        .arg(&env.vault)
        .arg("--recovery-code-file")
        .arg(&code_path)
        .arg("--new-password-file")
        .arg(&new_pw)
        .arg("--out")
        .arg(&recovered)
        .assert()
        .success();
    let old_vmk = master_key(&env.vault, "--password", &old_password);
    assert_revoked(&recovered, &old_vmk, "recover");
    // The recovery code still opens the recovered vault.
    let v = python(&[
        recovered.as_os_str(),
        "--recovery-hex".as_ref(),
        recovery_hex(&code).as_ref(),
    ]);
    assert_eq!(v["outcome"], "success", "{v}");
}

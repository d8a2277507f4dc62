//! backup and restore: verified backups, armor, own passwords, selections, and refusals
//! that leave nothing behind.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::path::Path;

use common::*;
use predicates::prelude::*;

/// Every entry's secret as hex, by name, read through the command line.
fn secrets(env: &Env, vault: &Path, pw: &Path) -> Vec<(String, String)> {
    let out = env
        .bare()
        .arg("--vault")
        .arg(vault)
        .arg("--password-file")
        .arg(pw)
        .args(["--json", "list"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    lines::<Entry>(&out)
        .into_iter()
        .map(|e| {
            let out = env
                .bare()
                .arg("--vault")
                .arg(vault)
                .arg("--password-file")
                .arg(pw)
                .args(["--json", "get", &e.name])
                .assert()
                .success()
                .get_output()
                .stdout
                .clone();
            (e.name, one::<Secret>(&out).value.unwrap())
        })
        .collect()
}

fn populated() -> Env {
    let env = Env::with_vault();
    env.generate("db-key");
    let pem = env.file(
        "k.pem",
        "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n",
    );
    env.cmd()
        .args(["add", "tls", "--kind", "private-key-pem", "--from-file"])
        .arg(&pem)
        .assert()
        .success();
    env
}

#[test]
fn binary_backup_is_verified_private_and_restores() {
    let env = populated();
    let out = env.path("b.airvault");
    let json = env
        .json()
        .args(["backup", "--out"])
        .arg(&out)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let b: Backup = one(&json);
    assert_eq!(b.type_, "backup");
    assert!(b.verified && !b.armored && !b.own_password);
    assert_eq!(
        (b.entries, b.versions, b.audit_events, b.generation),
        (2, 2, 3, 3)
    );
    assert_eq!(b.fingerprint, sha256_hex(&out));
    assert_eq!(b.bytes as u64, fs::metadata(&out).unwrap().len());
    #[cfg(unix)]
    assert_eq!(mode(&out), 0o600);

    let restored = env.path("restored.airvault");
    let json = env
        .json()
        .arg("restore")
        .arg(&out)
        .arg("--out")
        .arg(&restored)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let r: Restore = one(&json);
    assert_eq!(
        (r.type_.as_str(), r.entries, r.versions, r.generation),
        ("restore", 2, 2, 4)
    );
    #[cfg(unix)]
    assert_eq!(mode(&restored), 0o600);
    assert_eq!(
        secrets(&env, &restored, &env.pw),
        secrets(&env, &env.vault, &env.pw)
    );
    // The restore is in the restored vault's audit trail.
    let json = env
        .bare()
        .arg("--vault")
        .arg(&restored)
        .arg("--password-file")
        .arg(&env.pw)
        .args(["--json", "backup", "--out"])
        .arg(env.path("again.airvault"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(one::<Backup>(&json).audit_events, 4);
}

#[test]
fn armored_backup_with_its_own_password() {
    let env = populated();
    let out = env.path("paper.asc");
    let pw2 = env.file("paper.pw", "a different password for paper\n");
    let json = env
        .json()
        .args(["backup", "--armor", "--out"])
        .arg(&out)
        .arg("--new-password-file")
        .arg(&pw2)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let b: Backup = one(&json);
    assert!(b.armored && b.own_password && b.verified);
    let text = fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("-----BEGIN AIRVAULT BACKUP-----\n"));
    assert!(text.trim_end().ends_with("-----END AIRVAULT BACKUP-----"));
    assert!(text.is_ascii());

    // The vault's password does not open it; its own does.
    let restored = env.path("r.airvault");
    env.cmd()
        .arg("restore")
        .arg(&out)
        .arg("--out")
        .arg(&restored)
        .assert()
        .code(4)
        .stderr(predicate::str::contains("--new-password-file"));
    assert!(!restored.exists());
    env.bare()
        .arg("--password-file")
        .arg(&pw2)
        .arg("restore")
        .arg(&out)
        .arg("--out")
        .arg(&restored)
        .assert()
        .success();
    assert_eq!(
        secrets(&env, &restored, &pw2),
        secrets(&env, &env.vault, &env.pw)
    );
}

#[test]
fn backup_of_selected_entries() {
    let env = populated();
    env.generate("other");
    let out = env.path("one.airvault");
    let json = env
        .json()
        .args(["backup", "--entry", "tls", "--entry", "other", "--out"])
        .arg(&out)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(one::<Backup>(&json).entries, 2);
    let restored = env.path("r.airvault");
    env.cmd()
        .arg("restore")
        .arg(&out)
        .arg("--out")
        .arg(&restored)
        .assert()
        .success();
    let names: Vec<String> = secrets(&env, &restored, &env.pw)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["other", "tls"]);

    let none = env.path("none.airvault");
    env.cmd()
        .args(["backup", "--entry", "nope", "--out"])
        .arg(&none)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no entry named 'nope'"));
    assert!(!none.exists());
}

#[test]
fn backup_never_overwrites_without_force_nor_replaces_the_vault() {
    let env = populated();
    let out = env.backup("b.airvault");
    let before = fs::read(&out).unwrap();
    env.cmd()
        .args(["backup", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(fs::read(&out).unwrap(), before);
    env.cmd()
        .args(["backup", "--force", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_ne!(fs::read(&out).unwrap(), before);
    let vault_before = fs::read(&env.vault).unwrap();
    env.cmd()
        .args(["backup", "--force", "--out"])
        .arg(&env.vault)
        .assert()
        .code(2);
    assert_eq!(fs::read(&env.vault).unwrap(), vault_before);
    // A directory that does not exist is made, as `restore` and `recover` do (see
    // backup_out_makes_missing_directories_and_refuses_a_directory).
}

#[test]
fn backups_keep_the_vault_id_and_generation_and_leave_the_vault_alone() {
    let env = populated();
    let before = fs::read(&env.vault).unwrap();
    let a = env.backup("a.airvault");
    let b = env.backup("b.airvault");
    assert_eq!(fs::read(&env.vault).unwrap(), before);
    // Fresh master key, salts and IVs each time: same content, different bytes.
    assert_ne!(fs::read(&a).unwrap(), fs::read(&b).unwrap());
    let out = env
        .bare()
        .args(["--json", "verify"])
        .arg(&a)
        .arg(&b)
        .arg(&env.vault)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let (files, _) = verify_output(&out);
    assert!(files
        .windows(2)
        .all(|w| w[0].vault_id == w[1].vault_id && w[0].generation == w[1].generation));
}

#[test]
fn restore_refuses_damaged_backups_and_writes_nothing() {
    let env = populated();
    let good = env.backup("good.airvault");
    let target = env.path("restored.airvault");

    let flipped = env.path("flipped.airvault");
    fs::copy(&good, &flipped).unwrap();
    flip(&flipped, (fs::metadata(&good).unwrap().len() / 2) as isize);
    env.cmd()
        .arg("restore")
        .arg(&flipped)
        .arg("--out")
        .arg(&target)
        .assert()
        .code(5)
        .stderr(
            predicate::str::contains("damaged").and(predicate::str::contains("airvault salvage")),
        );

    let truncated = env.path("truncated.airvault");
    let bytes = fs::read(&good).unwrap();
    fs::write(&truncated, &bytes[..bytes.len() - 1]).unwrap();
    env.cmd()
        .arg("restore")
        .arg(&truncated)
        .arg("--out")
        .arg(&target)
        .assert()
        .code(5)
        .stderr(predicate::str::contains("salvage"));

    let wrong = env.file("wrong.pw", "wrong");
    env.bare()
        .arg("--password-file")
        .arg(&wrong)
        .arg("restore")
        .arg(&good)
        .arg("--out")
        .arg(&target)
        .assert()
        .code(4);

    env.cmd()
        .arg("restore")
        .arg(env.path("missing.airvault"))
        .arg("--out")
        .arg(&target)
        .assert()
        .code(3);

    let version = env.path("v9.airvault");
    fs::copy(&good, &version).unwrap();
    set_version(&version, 9);
    env.cmd()
        .arg("restore")
        .arg(&version)
        .arg("--out")
        .arg(&target)
        .assert()
        .code(6)
        .stderr(predicate::str::contains("version 9"));

    assert!(!target.exists());
    assert!(env.listing().iter().all(|n| !n.ends_with(".tmp")));
}

#[test]
fn restore_refuses_an_existing_vault_without_force() {
    let env = populated();
    let b = env.backup("b.airvault");
    env.generate("newer");
    let before = fs::read(&env.vault).unwrap();
    // Default target: the vault path.
    env.cmd()
        .arg("restore")
        .arg(&b)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(fs::read(&env.vault).unwrap(), before);
    // The vault is newer than the backup: --force alone does not drop what changed since.
    env.cmd()
        .arg("restore")
        .arg(&b)
        .arg("--force")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--discard-newer"));
    assert_eq!(fs::read(&env.vault).unwrap(), before);
    env.cmd()
        .arg("restore")
        .arg(&b)
        .args(["--force", "--discard-newer"])
        .assert()
        .success();
    env.cmd()
        .args(["get", "newer", "--format", "hex"])
        .assert()
        .code(2);
}

#[test]
fn restore_from_mistyped_armor_names_the_line() {
    let env = populated();
    let asc = env.path("b.asc");
    env.cmd()
        .args(["backup", "--armor", "--out"])
        .arg(&asc)
        .assert()
        .success();
    let text = fs::read_to_string(&asc).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let n = lines.iter().position(|l| l.starts_with("0002:")).unwrap();
    let c = lines[n].as_bytes()[6];
    lines[n].replace_range(6..7, if c == b'7' { "8" } else { "7" });
    let typo = env.file("typo.asc", lines.join("\n") + "\n");
    env.cmd()
        .arg("restore")
        .arg(&typo)
        .arg("--out")
        .arg(env.path("r.airvault"))
        .assert()
        .code(5)
        .stderr(predicate::str::contains(format!("line {}", n + 1)));
    assert!(!env.path("r.airvault").exists());
}

#[test]
fn armor_of_an_unknown_version_is_unsupported_and_lookalike_line_numbers_are_read() {
    let env = populated();
    let asc = env.path("b.asc");
    env.cmd()
        .args(["backup", "--armor", "--out"])
        .arg(&asc)
        .assert()
        .success();
    let text = fs::read_to_string(&asc).unwrap();
    // A newer armor version is "unsupported" (exit 6), like a newer file format, in every
    // command that reads a backup.
    let newer = env.file("newer.asc", text.replace("Version: 1", "Version: 2"));
    env.cmd()
        .arg("verify")
        .arg(&newer)
        .assert()
        .code(6)
        .stderr(predicate::str::contains("line 2").and(predicate::str::contains("version")));
    env.cmd()
        .arg("restore")
        .arg(&newer)
        .arg("--out")
        .arg(env.path("r.airvault"))
        .assert()
        .code(6);
    assert!(!env.path("r.airvault").exists());
    // Line numbers typed with the letters read as digits ('OOOl' for 0001) are accepted,
    // as they are in the data.
    let typed = text
        .replacen("\n0001:", "\nOOOl:", 1)
        .replacen("\n0002:", "\nooo2:", 1)
        .replacen("\n0010:", "\nOOlO:", 1);
    assert!(typed.contains("OOOl:") && typed.contains("ooo2:"));
    let typed = env.file("typed.asc", typed);
    env.cmd().arg("verify").arg(&typed).assert().success();
}

#[test]
fn backup_out_makes_missing_directories_and_refuses_a_directory() {
    let env = Env::with_vault();
    env.generate("k");
    let nested = env.path("usb/airvault/2026-12/b.airvault");
    env.cmd()
        .args(["backup", "--out"])
        .arg(&nested)
        .assert()
        .success();
    env.bare().arg("verify").arg(&nested).assert().success();
    // A directory is named as one, with or without --force, and left alone.
    let dir = env.path("usb");
    for force in [false, true] {
        let mut c = env.cmd();
        c.args(["backup", "--out"]).arg(&dir);
        if force {
            c.arg("--force");
        }
        c.assert()
            .code(2)
            .stderr(predicate::str::contains("is a directory, not a file name"));
        assert!(dir.is_dir());
    }
}

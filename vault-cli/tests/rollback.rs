//! No silent rollback: `restore`, `recover` and `salvage` refuse to replace a newer
//! generation of the same vault without `--discard-newer`, and write a generation above
//! every one seen; a live vault swapped for an older copy of itself is warned about (on
//! standard error and in JSON); the state file that remembers generations is private,
//! holds no secret, is created when missing, and is never a reason to fail.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod emergency;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use emergency::*;
use predicates::prelude::*;
use serde::Deserialize;
use vault_core::{KdfLimits, VaultFile};

/// The vault id (hex) and generation in a file's header.
fn stamp(path: &Path) -> (String, u64) {
    let bytes = fs::read(path).unwrap();
    let file = VaultFile::parse(&bytes, &KdfLimits::STANDARD).unwrap();
    (
        hex::encode(file.header().vault_id()),
        file.header().generation(),
    )
}

fn generation(path: &Path) -> u64 {
    stamp(path).1
}

/// The state file of an `Env` (its `XDG_STATE_HOME`).
fn state_file(env: &Env) -> PathBuf {
    env.state.path().join("airvault").join("generations")
}

/// A vault with keys, an old backup of it, and one more key added after the backup: the
/// vault is a newer generation than the backup. Returns the environment, the recovery
/// code and the backup.
fn vault_newer_than_backup() -> (Env, String, PathBuf) {
    let (env, code) = populated();
    let old = env.backup("old.airvault");
    env.generate("added-after-backup");
    assert!(generation(&env.vault) > generation(&old));
    (env, code, old)
}

fn names(env: &Env, vault: &Path, pw: &Path) -> Vec<String> {
    secrets(env, vault, pw).into_keys().collect()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Warning {
    #[serde(rename = "type")]
    type_: String,
    kind: String,
    vault: String,
    vault_id: String,
    generation: u64,
    seen_generation: u64,
    message: String,
}

/// Checks the one-line refusal: both generations, the flag, exit 2.
fn refused(assert: assert_cmd::assert::Assert, newer: u64, older: u64) {
    assert
        .code(2)
        .stderr(predicate::str::contains(format!(
            "is generation {newer} of this vault, newer than generation {older}"
        )))
        .stderr(predicate::str::contains("--discard-newer"))
        .stderr(predicate::function(|s: &str| s.lines().count() == 1));
}

#[test]
fn restore_refuses_an_older_backup_over_a_newer_vault_unless_told() {
    let (env, _, old) = vault_newer_than_backup();
    let (newer, older) = (generation(&env.vault), generation(&old));
    let before = fs::read(&env.vault).unwrap();

    // Without --force the existing file is refused first, as ever.
    env.cmd()
        .arg("restore")
        .arg(&old)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    // With --force: refused, naming both generations and the flag, the vault unchanged.
    refused(
        env.cmd().arg("restore").arg(&old).arg("--force").assert(),
        newer,
        older,
    );
    assert_eq!(fs::read(&env.vault).unwrap(), before);
    // Refused before the password is asked: a wrong one does not matter.
    let wrong = password(&env, "wrong.pw", "not the password");
    refused(
        env.bare()
            .arg("--vault")
            .arg(&env.vault)
            .arg("--password-file")
            .arg(&wrong)
            .arg("restore")
            .arg(&old)
            .arg("--force")
            .assert(),
        newer,
        older,
    );
    // JSON: the error object, exit 2.
    let out = env
        .json()
        .arg("restore")
        .arg(&old)
        .arg("--force")
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let e: ErrorLine = one(&out);
    assert_eq!((e.exit_code, e.status.as_str()), (2, "usage"));
    assert!(e.message.contains("--discard-newer"), "{}", e.message);
    assert_eq!(fs::read(&env.vault).unwrap(), before);
    assert!(names(&env, &env.vault, &env.pw).contains(&"added-after-backup".to_owned()));

    // With the flag: done, and the result's generation is above both.
    let out = env
        .json()
        .arg("restore")
        .arg(&old)
        .args(["--force", "--discard-newer"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let r: Restore = one(&out);
    assert!(r.generation > newer && r.generation > older, "{r:?}");
    assert_eq!(generation(&env.vault), r.generation);
    assert!(!names(&env, &env.vault, &env.pw).contains(&"added-after-backup".to_owned()));
    // What was written is remembered: opening it warns about nothing.
    env.cmd()
        .arg("list")
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
}

#[test]
fn restore_of_a_current_backup_or_onto_another_vault_needs_no_flag() {
    let (env, _, old) = vault_newer_than_backup();
    // A backup of the vault as it is now (the same generation) replaces it with --force.
    let current = env.backup("current.airvault");
    assert_eq!(generation(&current), generation(&env.vault));
    let g = generation(&env.vault);
    env.cmd()
        .arg("restore")
        .arg(&current)
        .arg("--force")
        .assert()
        .success();
    assert!(generation(&env.vault) > g);

    // Another vault at the destination is no rollback: --force is enough.
    let other = Env::with_vault();
    for _ in 0..5 {
        other.generate(&format!("k{}", generation(&other.vault)));
    }
    assert!(generation(&other.vault) > generation(&old));
    fs::copy(&other.vault, env.path("other.airvault")).unwrap();
    env.cmd()
        .arg("restore")
        .arg(&old)
        .arg("--out")
        .arg(env.path("other.airvault"))
        .arg("--force")
        .assert()
        .success();
    assert_eq!(stamp(&env.path("other.airvault")).0, stamp(&old).0);
}

#[test]
fn recover_refuses_an_older_file_over_a_newer_vault_unless_told() {
    let (env, code, old) = vault_newer_than_backup();
    let (newer, older) = (generation(&env.vault), generation(&old));
    let before = fs::read(&env.vault).unwrap();
    let code = code_file(&env, "code.txt", &code);
    let pw2 = password(&env, "new.pw", "a new password");
    let recover = |extra: &[&str]| {
        env.json()
            .arg("recover")
            .arg(&old)
            .arg("--recovery-code-file")
            .arg(&code)
            .arg("--new-password-file")
            .arg(&pw2)
            .args(extra)
            .assert()
    };
    refused(
        env.cmd()
            .arg("recover")
            .arg(&old)
            .arg("--recovery-code-file")
            .arg(&code)
            .arg("--new-password-file")
            .arg(&pw2)
            .arg("--force")
            .assert(),
        newer,
        older,
    );
    let e: ErrorLine = one(&recover(&["--force"]).code(2).get_output().stdout.clone());
    assert_eq!(e.exit_code, 2);
    assert_eq!(fs::read(&env.vault).unwrap(), before);

    let out = recover(&["--force", "--discard-newer"])
        .success()
        .get_output()
        .stdout
        .clone();
    let r: Recover = one(&out);
    assert!(r.generation > newer && r.generation > older, "{r:?}");
    assert_eq!(generation(&env.vault), r.generation);
    assert!(!names(&env, &env.vault, &pw2).contains(&"added-after-backup".to_owned()));
    env.bare()
        .arg("--vault")
        .arg(&env.vault)
        .arg("--password-file")
        .arg(&pw2)
        .arg("list")
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
}

#[test]
fn salvage_refuses_older_files_over_a_newer_vault_unless_told() {
    let (env, _, old) = vault_newer_than_backup();
    let (newer, older) = (generation(&env.vault), generation(&old));
    let before = fs::read(&env.vault).unwrap();
    let salvage = |extra: &[&str]| {
        env.json()
            .arg("salvage")
            .arg(&old)
            .arg("--out")
            .arg(&env.vault)
            .args(extra)
            .assert()
    };
    refused(
        env.cmd()
            .arg("salvage")
            .arg(&old)
            .arg("--out")
            .arg(&env.vault)
            .arg("--force")
            .assert(),
        newer,
        older,
    );
    let e: ErrorLine = one(&salvage(&["--force"]).code(2).get_output().stdout.clone());
    assert!(e.message.contains("the newest file given"), "{}", e.message);
    assert_eq!(fs::read(&env.vault).unwrap(), before);

    let out = salvage(&["--force", "--discard-newer"])
        .success()
        .get_output()
        .stdout
        .clone();
    let r: Salvage = one(&out);
    assert!(r.generation > newer && r.generation > older, "{r:?}");
    assert_eq!(generation(&env.vault), r.generation);

    // A newer file among the inputs is what counts: the vault itself, given with the old
    // backup, is not older than itself.
    env.generate("one-more");
    let g = generation(&env.vault);
    env.cmd()
        .arg("salvage")
        .arg(&old)
        .arg(&env.vault)
        .arg("--out")
        .arg(&env.vault)
        .arg("--force")
        .assert()
        .success();
    assert!(generation(&env.vault) > g);
}

#[test]
fn a_live_vault_swapped_for_an_old_copy_of_itself_is_warned_about() {
    let (env, _) = populated();
    let old_copy = fs::read(&env.vault).unwrap();
    let older = generation(&env.vault);
    env.generate("newer-key");
    env.generate("newest-key");
    let newer = generation(&env.vault);
    fs::write(&env.vault, &old_copy).unwrap();

    // Text: one warning line on standard error, naming both generations; the command runs.
    let out = env
        .cmd()
        .arg("list")
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "warning: {} is generation {older} but generation {newer} of this vault was seen \
             there on this machine: it may have been replaced by an older copy — ",
            env.vault.display()
        )),
        "{stderr}"
    );

    // JSON: a `warning` object before the results, and the same line on standard error.
    let out = env
        .json()
        .arg("list")
        .assert()
        .success()
        .stderr(predicate::str::contains("it may have been replaced"))
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let first = text.lines().next().unwrap();
    let w: Warning = serde_json::from_str(first).unwrap();
    assert_eq!((w.type_.as_str(), w.kind.as_str()), ("warning", "rollback"));
    assert_eq!((w.generation, w.seen_generation), (older, newer));
    assert_eq!(w.vault, env.vault.display().to_string());
    assert_eq!(w.vault_id, stamp(&env.vault).0);
    assert!(w.message.contains("older copy"));
    let entries: Vec<Entry> = lines(text.split_once('\n').unwrap().1.as_bytes());
    assert_eq!(entries.len(), 3);

    // A command with one result object: the warning, then the result.
    let out = env
        .json()
        .args(["get", "db-key"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Vec<serde_json::Value> = lines(&out);
    assert_eq!(v.len(), 2);
    assert_eq!(
        (v[0]["type"].as_str(), v[1]["type"].as_str()),
        (Some("warning"), Some("secret"))
    );

    // Commands that change or check the vault warn too, and still work.
    for args in [&["audit", "--verify"][..], &["generate", "after-swap"]] {
        env.cmd()
            .args(args)
            .assert()
            .success()
            .stderr(predicate::str::contains("it may have been replaced"));
    }
    let backup = env.path("b.airvault");
    env.bare()
        .arg("--password-file")
        .arg(&env.pw)
        .arg("verify")
        .arg("--against")
        .arg(&env.vault)
        .arg(env.backup("b.airvault"))
        .assert()
        .success()
        .stderr(predicate::str::contains("it may have been replaced"));

    // A backup is not the live vault: opening it as a backup warns about nothing, though
    // its generation is older than the one remembered.
    assert!(generation(&backup) < newer);
    env.cmd()
        .arg("verify")
        .arg(&backup)
        .assert()
        .success()
        .stderr(predicate::str::is_empty());

    // Keeping the older copy on purpose: restoring it onto itself ends the warning.
    env.cmd()
        .arg("restore")
        .arg(&env.vault)
        .arg("--out")
        .arg(&env.vault)
        .arg("--force")
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
    assert!(generation(&env.vault) > newer);
    env.cmd()
        .arg("list")
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
}

#[test]
fn a_copy_of_the_vault_at_another_path_is_not_a_rollback() {
    // A current backup restored to a second path and opened there is newer than the
    // vault (restoring raises the generation), but it is not the vault file swapped: going
    // back to the vault warns about nothing.
    let (env, _) = populated();
    let backup = env.backup("b.airvault");
    let side = env.path("side.airvault");
    env.cmd()
        .arg("restore")
        .arg(&backup)
        .arg("--out")
        .arg(&side)
        .assert()
        .success();
    assert!(generation(&side) > generation(&env.vault));
    env.bare()
        .arg("--vault")
        .arg(&side)
        .arg("--password-file")
        .arg(&env.pw)
        .arg("list")
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
    env.cmd()
        .arg("list")
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
    // What is written next from either copy still goes above every generation seen.
    let g = generation(&side);
    env.cmd()
        .arg("restore")
        .arg(&backup)
        .arg("--force")
        .assert()
        .success();
    assert!(generation(&env.vault) > g);
}

#[test]
fn the_state_file_is_private_and_holds_no_secret() {
    let (env, code) = populated();
    let g = generation(&env.vault);
    let file = state_file(&env);
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(file.parent().unwrap()), 0o700);
    let text = fs::read_to_string(&file).unwrap();
    let (id, _) = stamp(&env.vault);
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines.len(), 1, "{text}");
    let fields: Vec<&str> = lines[0].split(' ').collect();
    assert_eq!(
        (fields[0], fields[2]),
        (id.as_str(), g.to_string().as_str())
    );
    assert!(fields[1].len() == 32 && fields[1].bytes().all(|b| b.is_ascii_hexdigit()));
    // Not even the vault's path.
    assert!(!text.contains("vault.airvault") && !text.contains(&*env.dir.path().to_string_lossy()));

    // Nothing secret: not the password, the recovery code (any group of it), or any
    // secret, in hex or as raw bytes.
    let bytes = fs::read(&file).unwrap();
    let mut needles: Vec<Vec<u8>> = vec![
        b"correct horse battery staple".to_vec(),
        code.as_bytes().to_vec(),
        code.replace('-', "").into_bytes(),
    ];
    needles.extend(code.split('-').map(|g| g.as_bytes().to_vec()));
    for hex_value in secrets(&env, &env.vault, &env.pw).values() {
        needles.push(hex_value.as_bytes().to_vec());
        needles.push(hex_value.to_uppercase().into_bytes());
        needles.push(hex::decode(hex_value).unwrap());
    }
    for n in &needles {
        assert!(
            !bytes.windows(n.len()).any(|w| w == &n[..]),
            "a secret is in the state file"
        );
    }
    // No temporary file is left beside it.
    assert_eq!(fs::read_dir(file.parent().unwrap()).unwrap().count(), 1);
}

#[test]
fn a_missing_state_directory_is_created_and_an_unusable_one_is_a_note() {
    // AIRVAULT_STATE_DIR names it; missing directories on the way are created.
    let env = Env::new();
    let dir = env.path("deep").join("state").join("dir");
    env.cmd()
        .env("AIRVAULT_STATE_DIR", &dir)
        .args(["init", "--iterations", ITER])
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
    assert_eq!(mode(&dir.join("generations")), 0o600);
    assert_eq!(mode(&dir), 0o700);
    assert!(!state_file(&env).exists());

    // A directory that cannot be made (its parent is a file): the commands work, with one
    // note each on standard error, and JSON output is unchanged.
    let blocker = env.file("blocker", "not a directory");
    let unusable = blocker.join("state");
    env.cmd()
        .env("AIRVAULT_STATE_DIR", &unusable)
        .args(["generate", "k"])
        .assert()
        .success()
        .stderr(
            predicate::str::starts_with("note: ")
                .and(predicate::function(|s: &str| s.lines().count() == 1)),
        );
    let out = env
        .json()
        .env("AIRVAULT_STATE_DIR", &unusable)
        .arg("list")
        .assert()
        .success()
        .stderr(predicate::str::contains("cannot be remembered"))
        .get_output()
        .stdout
        .clone();
    assert_eq!(lines::<Entry>(&out).len(), 1);

    // A state file that cannot be read (a directory in its place): a note, not a failure.
    let odd = env.path("odd");
    fs::create_dir_all(odd.join("generations")).unwrap();
    env.cmd()
        .env("AIRVAULT_STATE_DIR", &odd)
        .arg("list")
        .assert()
        .success()
        .stderr(predicate::str::starts_with("note: "));
    let old = env.backup("old.airvault");
    env.generate("k2");
    env.cmd()
        .env("AIRVAULT_STATE_DIR", &odd)
        .arg("restore")
        .arg(&old)
        .arg("--force")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--discard-newer"));

    // A deleted state file means no memory: an old copy then goes unnoticed (documented).
    let copy = fs::read(&env.vault).unwrap();
    env.generate("k3");
    fs::remove_file(state_file(&env)).unwrap();
    fs::write(&env.vault, copy).unwrap();
    env.cmd()
        .arg("list")
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
}

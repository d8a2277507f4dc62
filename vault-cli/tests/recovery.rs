//! The recovery code: `recovery show`, `recovery reset`, and `recover` with the code —
//! a mistyped group is named, a wrong code is an authentication failure, a damaged header
//! copy is survivable, damaged records are refused with a pointer to `salvage`, and every
//! recovered vault opens with its new password and holds every secret.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod emergency;

use std::fs;

use common::*;
use emergency::*;
use predicates::prelude::*;

#[test]
fn show_prints_the_code_from_init_and_records_an_event_without_the_secret() {
    let (env, code) = populated();
    let out = env
        .json()
        .args(["recovery", "show"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let shown: RecoveryCode = one(&out);
    assert_eq!(shown.type_, "recovery_show");
    assert_eq!(shown.recovery_code, code);
    env.cmd()
        .args(["recovery", "show"])
        .assert()
        .success()
        .stdout(predicate::str::contains(code.as_str()));
    // The audit trail names the operation but never holds the code or its digits.
    let bytes = fs::read(&env.vault).unwrap();
    let pw = fs::read_to_string(&env.pw).unwrap();
    let vault = <vault_cli::model::Vault as vault_cli::model::VaultFiles>::open(
        &bytes,
        pw.trim_end().as_bytes(),
        vault_cli::progress::Progress::Silent,
    )
    .unwrap()
    .vault;
    let shows: Vec<_> = vault
        .events
        .iter()
        .filter(|e| e.op == vault_core::AuditOp::RecoveryShow)
        .collect();
    assert_eq!(shows.len(), 2);
    let group = &code[7..13];
    assert!(vault
        .events
        .iter()
        .all(|e| !e.detail.contains(group) && !e.name.contains(group)));
}

#[test]
fn reset_voids_the_old_code_for_the_vault_and_new_backups_but_not_old_backups() {
    let (env, old_code) = populated();
    let before = env.backup("before.airvault");
    let out = env
        .json()
        .args(["recovery", "reset"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let reset: RecoveryCode = one(&out);
    assert_eq!(reset.type_, "recovery_reset");
    assert_ne!(reset.recovery_code, old_code);
    let after = env.backup("after.airvault");
    let old = code_file(&env, "old.txt", &old_code);
    let new = code_file(&env, "new.txt", &reset.recovery_code);
    let pw2 = password(&env, "new.pw", "a new password");

    let recover = |file: &std::path::Path, code: &std::path::Path, out: &str| {
        env.bare()
            .arg("recover")
            .arg(file)
            .arg("--recovery-code-file")
            .arg(code)
            .arg("--new-password-file")
            .arg(&pw2)
            .arg("--out")
            .arg(env.path(out))
            .assert()
    };
    for (file, out) in [(&env.vault, "v1.airvault"), (&after, "v2.airvault")] {
        recover(file, &old, out)
            .code(4)
            .stderr(predicate::str::contains("recovery code does not open"))
            .stderr(predicate::str::contains("recovery reset"));
        assert!(!env.path(out).exists());
    }
    recover(&before, &old, "v3.airvault").success();
    recover(&env.vault, &new, "v4.airvault").success();
    recover(&after, &new, "v5.airvault").success();
    let want = secrets(&env, &env.vault, &env.pw);
    for out in ["v3.airvault", "v4.airvault", "v5.airvault"] {
        assert_eq!(secrets(&env, &env.path(out), &pw2), want, "{out}");
    }
    // The text says what was voided.
    env.cmd()
        .args(["recovery", "reset"])
        .assert()
        .success()
        .stdout(predicate::str::contains("no longer open this vault"));
}

#[test]
fn recover_by_code_gives_a_working_vault_with_a_new_password() {
    let (env, code) = populated();
    let backup = env.backup("b.airvault");
    let code = env.file(
        "code.txt",
        format!("# written down at init\n\n  {}  \n", code.replace('-', " ")),
    );
    let pw2 = password(&env, "new.pw", "brand new password");
    let out = env.path("recovered.airvault");
    let json = env
        .bare()
        .args(["--json", "recover"])
        .arg(&backup)
        .arg("--recovery-code-file")
        .arg(&code)
        .arg("--new-password-file")
        .arg(&pw2)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let r: Recover = one(&json);
    assert_eq!(r.type_, "recover");
    assert_eq!((r.method.as_str(), r.shares_used), ("recovery-code", None));
    assert_eq!((r.entries, r.versions, r.iterations), (3, 3, 100_000));
    assert_eq!(r.format, "binary");
    assert!(r.damage.is_none());
    #[cfg(unix)]
    assert_eq!(mode(&out), 0o600);
    // Same keys, new password; the old password no longer opens it, the code still does.
    assert_eq!(
        secrets(&env, &out, &pw2),
        secrets(&env, &env.vault, &env.pw)
    );
    env.bare()
        .arg("--vault")
        .arg(&out)
        .arg("--password-file")
        .arg(&env.pw)
        .arg("list")
        .assert()
        .code(4);
    let again = env.path("again.airvault");
    env.bare()
        .arg("recover")
        .arg(&out)
        .arg("--recovery-code-file")
        .arg(&code)
        .arg("--new-password-file")
        .arg(&pw2)
        .arg("--out")
        .arg(&again)
        .assert()
        .success();
    // The new file is one generation on, intact, and its audit trail ends in `recover`.
    let backup_gen = env
        .json()
        .args(["verify"])
        .arg(&backup)
        .output()
        .unwrap()
        .stdout;
    let (files, _) = verify_output(&backup_gen);
    assert_eq!(Some(r.generation), files[0].generation.map(|g| g + 1));
    let bytes = fs::read(&out).unwrap();
    let vault = <vault_cli::model::Vault as vault_cli::model::VaultFiles>::open(
        &bytes,
        b"brand new password",
        vault_cli::progress::Progress::Silent,
    )
    .unwrap()
    .vault;
    assert_eq!(
        vault.events.last().unwrap().op,
        vault_core::AuditOp::Recover
    );
    assert!(vault.events.last().unwrap().detail.contains("b.airvault"));
}

#[test]
fn recover_defaults_to_the_vault_path_and_never_overwrites_without_force() {
    let (env, code) = populated();
    let backup = env.backup("b.airvault");
    let code = code_file(&env, "code.txt", &code);
    let pw2 = password(&env, "new.pw", "another one");
    let before = fs::read(&env.vault).unwrap();
    let run = |force: bool| {
        let mut c = env.bare();
        c.arg("--vault")
            .arg(&env.vault)
            .arg("recover")
            .arg(&backup)
            .arg("--recovery-code-file")
            .arg(&code)
            .arg("--new-password-file")
            .arg(&pw2);
        if force {
            c.arg("--force");
        }
        c.assert()
    };
    run(false)
        .code(2)
        .stderr(predicate::str::contains("--force"));
    assert_eq!(fs::read(&env.vault).unwrap(), before);
    run(true).success();
    assert_eq!(
        secrets(&env, &env.vault, &pw2).len(),
        3,
        "the vault path now holds the recovered vault"
    );
}

#[test]
fn a_mistyped_group_is_named_and_nothing_is_written() {
    let (env, code) = populated();
    let backup = env.backup("b.airvault");
    let mut groups: Vec<String> = code.split('-').map(str::to_owned).collect();
    // Change one digit of group 5.
    let g = groups[4].clone().into_bytes();
    let d = if g[2] == b'7' { b'8' } else { b'7' };
    groups[4] = String::from_utf8([&g[..2], &[d], &g[3..]].concat()).unwrap();
    let bad = code_file(&env, "bad.txt", &groups.join("-"));
    let out = env.path("x.airvault");
    env.bare()
        .args(["--json", "recover"])
        .arg(&backup)
        .arg("--recovery-code-file")
        .arg(&bad)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "group 5 of the recovery code is wrong",
        ))
        .stdout(predicate::str::contains(r#""status":"usage""#));
    assert!(!out.exists());
    // A code with a group missing, or text that is not a code.
    let short = code_file(&env, "short.txt", &groups[..7].join("-"));
    env.bare()
        .arg("recover")
        .arg(&backup)
        .arg("--recovery-code-file")
        .arg(&short)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("42 digits, not 48"));
    let empty = env.file("empty.txt", "# nothing here\n\n");
    env.bare()
        .arg("recover")
        .arg(&backup)
        .arg("--recovery-code-file")
        .arg(&empty)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds no recovery code"));
    assert!(!out.exists());
}

#[test]
fn the_code_of_another_vault_is_an_authentication_failure() {
    let (env, _) = populated();
    let (other, other_code) = populated();
    let backup = env.backup("b.airvault");
    let code = code_file(&other, "code.txt", &other_code);
    let out = env.path("x.airvault");
    env.bare()
        .args(["--json", "recover"])
        .arg(&backup)
        .arg("--recovery-code-file")
        .arg(&code)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(4)
        .stderr(predicate::str::contains("(file intact)"))
        .stdout(predicate::str::contains(r#""status":"authentication""#));
    assert!(!out.exists());
}

#[test]
fn recover_reads_armor_and_survives_a_damaged_header_copy_with_a_warning() {
    let (env, code) = populated();
    let code = code_file(&env, "code.txt", &code);
    let pw2 = password(&env, "new.pw", "new pw");
    let asc = env.path("paper.asc");
    env.cmd()
        .args(["backup", "--armor", "--out"])
        .arg(&asc)
        .assert()
        .success();
    let want = secrets(&env, &env.vault, &env.pw);
    let out = env.path("from-paper.airvault");
    let json = env
        .bare()
        .args(["--json", "recover"])
        .arg(&asc)
        .arg("--recovery-code-file")
        .arg(&code)
        .arg("--new-password-file")
        .arg(&pw2)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(one::<Recover>(&json).format, "armored");
    assert_eq!(secrets(&env, &out, &pw2), want);

    let bin = env.backup("b.airvault");
    for (i, damage) in [Damage::ZeroFirstHeader, Damage::ZeroSecondHeader]
        .into_iter()
        .enumerate()
    {
        let copy = env.path(&format!("damaged-{i}.airvault"));
        damaged_copy(&bin, &copy, &[damage]);
        let out = env.path(&format!("r{i}.airvault"));
        let json = env
            .bare()
            .args(["--json", "recover"])
            .arg(&copy)
            .arg("--recovery-code-file")
            .arg(&code)
            .arg("--new-password-file")
            .arg(&pw2)
            .arg("--out")
            .arg(&out)
            .assert()
            .success()
            .stderr(
                predicate::str::contains("warning:")
                    .and(predicate::str::contains("every record is intact")),
            )
            .get_output()
            .stdout
            .clone();
        let r: Recover = one(&json);
        assert!(r.damage.unwrap().contains("header copy"));
        assert_eq!(secrets(&env, &out, &pw2), want);
        // The recovered file itself is whole again.
        env.bare().arg("verify").arg(&out).assert().success();
    }
}

#[test]
fn damaged_records_are_reported_not_dropped_and_salvage_is_suggested() {
    let (env, code) = populated();
    let code = code_file(&env, "code.txt", &code);
    let bin = env.backup("b.airvault");
    let flipped = env.path("flipped.airvault");
    damaged_copy(&bin, &flipped, &[Damage::FlipRecord(2)]);
    let cut = env.path("cut.airvault");
    damaged_copy(&bin, &cut, &[Damage::CutInHalf]);
    for file in [&flipped, &cut] {
        let out = env.path("x.airvault");
        env.bare()
            .arg("recover")
            .arg(file)
            .arg("--recovery-code-file")
            .arg(&code)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(5)
            .stderr(predicate::str::contains("damaged or missing"))
            .stderr(predicate::str::contains("airvault salvage"))
            .stderr(predicate::str::contains("--recovery-code-file"));
        assert!(!out.exists());
    }
}

#[test]
fn wrong_password_hint_points_to_recover() {
    let env = Env::with_vault();
    let wrong = password(&env, "wrong.pw", "not it");
    env.bare()
        .arg("--vault")
        .arg(&env.vault)
        .arg("--password-file")
        .arg(&wrong)
        .arg("list")
        .assert()
        .code(4)
        .stderr(
            predicate::str::contains("airvault recover")
                .and(predicate::str::contains("--recovery-code-file")),
        );
}

#[test]
fn recovery_needs_material_and_takes_one_kind() {
    let env = Env::with_vault();
    env.bare().args(["recover", "x.airvault"]).assert().code(2);
    env.bare()
        .args([
            "recover",
            "x.airvault",
            "--recovery-code-file",
            "c",
            "--share-file",
            "s",
        ])
        .assert()
        .code(2);
}

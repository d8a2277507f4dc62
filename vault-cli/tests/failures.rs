//! The record of failed unlocks: every wrong password, recovery code or set of shares given
//! for a vault or a backup appends one line to `failed-unlocks` in the state directory
//! (mode 0600) holding nothing that was typed; `audit --failures [--since]` lists them,
//! `status` counts those since the vault's last successful unlock; and `audit --since` and
//! `--op` filter the vault's own trail.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::path::Path;

use common::keyring::failures_output;
use common::lifecycle::{status_output, AuditEvent};
use common::*;

/// Typed into the password files of the failing runs, and searched for afterwards.
const WRONG_PASSWORD: &str = "canary-wrong-password-Zq81";
const WRONG_BACKUP_PASSWORD: &str = "canary-backup-guess-Mv47";

fn init(env: &Env) -> Init {
    one(&env
        .json()
        .args(["init", "--iterations", ITER])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone())
}

/// Every byte of every file under `dir`.
fn all_files(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(all_files(&p));
        } else {
            out.push((p.clone(), fs::read(&p).unwrap()));
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn failures(env: &Env, extra: &[&str]) -> (Vec<common::keyring::FailedUnlock>, u64) {
    let out = env
        .bare()
        .args(["--json", "audit", "--failures"])
        .args(extra)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let (f, summary) = failures_output(&out);
    assert_eq!(summary.failures, f.len());
    assert!(summary.log.ends_with("failed-unlocks"), "{}", summary.log);
    (f, summary.since.unwrap_or(0))
}

fn failed_unlocks(env: &Env) -> usize {
    let out = env
        .json()
        .arg("status")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    status_output(&out).1.failed_unlocks
}

#[test]
fn wrong_secrets_are_recorded_without_what_was_typed() {
    let env = Env::new();
    let made = init(&env);
    env.generate("k");
    let backup = env.path("b.airvault");
    let backup_pw = env.file("backup.pw", "the backup password\n");
    env.cmd()
        .args(["backup", "--out"])
        .arg(&backup)
        .arg("--new-password-file")
        .arg(&backup_pw)
        .assert()
        .success();
    let shares = env.path("shares");
    env.cmd()
        .args([
            "shares",
            "split",
            "--threshold",
            "2",
            "--count",
            "3",
            "--out-dir",
        ])
        .arg(&shares)
        .assert()
        .success();
    // Recovery material of another vault: well-formed, and wrong here.
    let other = Env::new();
    let other_code = init(&other).recovery_code;
    let other_shares = other.path("shares");
    other
        .cmd()
        .args([
            "shares",
            "split",
            "--threshold",
            "2",
            "--count",
            "2",
            "--out-dir",
        ])
        .arg(&other_shares)
        .assert()
        .success();
    let code_file = env.file("code.txt", format!("{other_code}\n"));
    let wrong = env.file("wrong.pw", format!("{WRONG_PASSWORD}\n"));
    let wrong_backup = env.file("wrong-backup.pw", format!("{WRONG_BACKUP_PASSWORD}\n"));
    // Nothing failed yet: no log, and status counts none.
    assert_eq!(failed_unlocks(&env), 0);
    assert!(!env.state.path().join("airvault/failed-unlocks").exists());

    let vault = env.vault.clone();
    let runs: Vec<Vec<std::ffi::OsString>> = vec![
        // The vault, with a wrong password: a reading command and a changing one.
        vec![
            "--password-file".into(),
            wrong.clone().into(),
            "status".into(),
        ],
        vec![
            "--password-file".into(),
            wrong.clone().into(),
            "generate".into(),
            "k2".into(),
        ],
        // A backup with a wrong password: restore and keyed verify.
        vec![
            "--password-file".into(),
            wrong_backup.clone().into(),
            "restore".into(),
            backup.clone().into(),
            "--out".into(),
            env.path("r.airvault").into(),
        ],
        vec![
            "--password-file".into(),
            wrong_backup.clone().into(),
            "verify".into(),
            backup.clone().into(),
        ],
        // The recovery code and the shares of another vault.
        vec![
            "recover".into(),
            backup.clone().into(),
            "--recovery-code-file".into(),
            code_file.clone().into(),
            "--out".into(),
            env.path("rc.airvault").into(),
            "--new-password-file".into(),
            env.pw.clone().into(),
        ],
        vec![
            "recover".into(),
            vault.clone().into(),
            "--share-file".into(),
            other_shares.join("share-1-of-2.txt").into(),
            "--share-file".into(),
            other_shares.join("share-2-of-2.txt").into(),
            "--out".into(),
            env.path("rs.airvault").into(),
            "--new-password-file".into(),
            env.pw.clone().into(),
        ],
    ];
    for args in &runs {
        env.bare()
            .arg("--vault")
            .arg(&vault)
            .args(args)
            .assert()
            .code(4);
    }
    let (got, _) = failures(&env, &[]);
    let slots: Vec<&str> = got.iter().map(|f| f.slot.as_str()).collect();
    assert_eq!(
        slots,
        ["password", "password", "password", "password", "recovery", "recovery"]
    );
    for f in &got {
        assert_eq!(f.vault_id, made.vault_id);
        assert_eq!(f.header.len(), 64);
        assert!(f.header.bytes().all(|b| b.is_ascii_hexdigit()));
    }
    // The vault and the backup are different copies: different header checksums.
    assert_ne!(got[0].header, got[2].header);
    assert_eq!(got[2].header, got[3].header);

    // The log: mode 0600 in a 0700 directory, one line per failure, and nothing typed.
    let dir = env.state.path().join("airvault");
    let log = dir.join("failed-unlocks");
    assert_eq!(mode(&log), 0o600);
    assert_eq!(mode(&dir), 0o700);
    let text = fs::read_to_string(&log).unwrap();
    assert_eq!(text.lines().count(), 6, "{text}");
    let mut canaries: Vec<Vec<u8>> = vec![
        WRONG_PASSWORD.into(),
        WRONG_BACKUP_PASSWORD.into(),
        "the backup password".into(),
        "correct horse battery staple".into(),
        other_code.clone().into(),
        other_code.replace('-', "").into(),
    ];
    canaries.extend(other_code.split('-').map(|g| g.as_bytes().to_vec()));
    for dir in [&other_shares, &shares] {
        for (_, share) in all_files(dir) {
            let words = String::from_utf8(share).unwrap();
            let words = words.lines().find(|l| !l.starts_with('#') && !l.is_empty());
            let words: Vec<&str> = words.unwrap().split_whitespace().collect();
            canaries.push(words.join(" ").into_bytes());
            canaries.extend(words.windows(3).map(|w| w.join(" ").into_bytes()));
        }
    }
    let state = all_files(env.state.path());
    assert!(state.len() >= 2, "{state:?}");
    for (path, bytes) in &state {
        for c in &canaries {
            assert!(
                !contains(bytes, c),
                "{} holds {}",
                path.display(),
                String::from_utf8_lossy(c)
            );
        }
    }

    // status counts the failures since the last successful unlock, before its own.
    assert_eq!(failed_unlocks(&env), 6);
    assert_eq!(failed_unlocks(&env), 0);
    let text = env
        .cmd()
        .arg("status")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(!String::from_utf8_lossy(&text).contains("failed unlock"));
    // A new failure after that is counted alone, and shown in text.
    env.bare()
        .arg("--vault")
        .arg(&vault)
        .arg("--password-file")
        .arg(&wrong)
        .arg("list")
        .assert()
        .code(4);
    let text = env
        .cmd()
        .arg("status")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&text)
        .contains("1 failed unlock(s) of this vault since its last successful unlock"));
    assert_eq!(failures(&env, &[]).0.len(), 7);
}

#[test]
fn since_selects_recent_failures_and_the_drill_records_none() {
    let env = Env::with_vault();
    let wrong = env.file("wrong.pw", "nope\n");
    let fail_at = |t: Option<&str>| {
        let mut c = env.bare();
        c.arg("--vault")
            .arg(&env.vault)
            .arg("--password-file")
            .arg(&wrong)
            .arg("list");
        if let Some(t) = t {
            c.env("AIRVAULT_TEST_NOW", t);
        }
        c.assert().code(4);
    };
    fail_at(Some("1000000000"));
    fail_at(None);
    assert_eq!(failures(&env, &[]).0.len(), 2);
    let (recent, since) = failures(&env, &["--since", "1d"]);
    assert_eq!(recent.len(), 1);
    assert!(recent[0].time >= since && since > 1_000_000_000);
    let text = env
        .bare()
        .args(["audit", "--failures", "--since", "2w"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("failed  password"), "{text}");
    assert!(text.contains("1 failed unlock(s) since "), "{text}");

    // The drill's wrong passwords are its rehearsal, not attempts on this machine.
    env.bare().arg("drill").assert().success();
    assert_eq!(failures(&env, &[]).0.len(), 2);

    // A bad duration is a usage error.
    env.bare()
        .args(["audit", "--failures", "--since", "7y"])
        .assert()
        .code(2);
}

#[test]
fn an_unusable_log_is_a_note_and_the_command_keeps_its_exit_code() {
    let env = Env::with_vault();
    let wrong = env.file("wrong.pw", "nope\n");
    let not_a_dir = env.file("state-file", "x");
    let out = env
        .bare()
        .env("AIRVAULT_STATE_DIR", &not_a_dir)
        .arg("--vault")
        .arg(&env.vault)
        .arg("--password-file")
        .arg(&wrong)
        .arg("list")
        .assert()
        .code(4)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(
        err.contains("note: failed unlocks cannot be recorded"),
        "{err}"
    );
    assert!(err.contains("error: wrong password"), "{err}");
}

#[test]
fn audit_filters_by_time_and_operation() {
    let env = Env::with_vault();
    env.cmd()
        .env("AIRVAULT_TEST_NOW", "1000000000")
        .args(["generate", "old"])
        .assert()
        .success();
    env.generate("new");
    env.cmd().args(["rotate", "new"]).assert().success();
    let events = |extra: &[&str]| -> Vec<AuditEvent> {
        lines(
            &env.json()
                .arg("audit")
                .args(extra)
                .assert()
                .success()
                .get_output()
                .stdout
                .clone(),
        )
    };
    assert_eq!(events(&[]).len(), 4);
    let ops = |v: Vec<AuditEvent>| -> Vec<(String, Option<String>)> {
        v.into_iter().map(|e| (e.op, e.name)).collect()
    };
    assert_eq!(
        ops(events(&["--op", "generate"])),
        [
            ("generate".into(), Some("old".into())),
            ("generate".into(), Some("new".into()))
        ]
    );
    assert_eq!(
        ops(events(&["--since", "1d"])),
        [
            ("init".into(), None),
            ("generate".into(), Some("new".into())),
            ("rotate".into(), Some("new".into()))
        ]
    );
    assert_eq!(
        ops(events(&["--since", "1d", "--op", "generate"])),
        [("generate".into(), Some("new".into()))]
    );
    env.cmd().args(["audit", "--op", "nope"]).assert().code(2);
    env.cmd()
        .args(["audit", "--verify", "--op", "add"])
        .assert()
        .code(2);
}

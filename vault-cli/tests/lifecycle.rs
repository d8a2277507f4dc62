//! Key lifecycle: passwd, rotate-master (and a crash at each step of its write), rotate and
//! versions, rotation policy and overdue keys with a fake clock, the audit trail and its
//! chain check, benchmark.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::path::Path;

use common::lifecycle::*;
use common::*;
use predicates::prelude::*;

const DAY: u64 = 86_400;
/// The fake clock's start: 2023-11-14 22:13 UTC.
const T0: u64 = 1_700_000_000;

fn stdout(a: assert_cmd::assert::Assert) -> Vec<u8> {
    a.get_output().stdout.clone()
}

/// A vault made with `init --json`, and its recovery code.
fn vault_with_code() -> (Env, String) {
    let env = Env::new();
    let out = stdout(
        env.json()
            .args(["init", "--iterations", ITER])
            .assert()
            .success(),
    );
    let code = one::<Init>(&out).recovery_code;
    (env, code)
}

fn secret_hex(env: &Env, pw: &Path, name: &str, version: Option<u32>) -> String {
    let mut c = env.bare();
    c.arg("--vault")
        .arg(&env.vault)
        .arg("--password-file")
        .arg(pw)
        .args(["get", name, "--format", "hex"]);
    if let Some(v) = version {
        c.args(["--version", &v.to_string()]);
    }
    String::from_utf8(stdout(c.assert().success()))
        .unwrap()
        .trim()
        .to_owned()
}

#[test]
fn passwd_replaces_the_password_and_the_master_key() {
    let (env, code) = vault_with_code();
    env.generate("db-key");
    let before = state(&env.vault, &env.pw);
    let new_pw = env.file("new.pw", "a much better passphrase\n");

    let out = stdout(
        env.json()
            .args(["passwd", "--iterations", ITER, "--new-password-file"])
            .arg(&new_pw)
            .assert()
            .success(),
    );
    let r: Passwd = one(&out);
    assert_eq!(r.type_, "passwd");
    assert_eq!(
        (r.slot, r.iterations, r.previous_iterations),
        (0, 100_000, 100_000)
    );
    assert_eq!(r.generation, before.generation + 1);

    // The old password is now an authentication failure; the new one opens the vault.
    env.cmd()
        .arg("list")
        .assert()
        .code(4)
        .stderr(predicate::str::contains("wrong password"));
    let after = state(&env.vault, &new_pw);
    // A new master key, the same entries; the recovery code still opens it.
    assert!(r.master_key_replaced);
    assert_eq!(r.other_password_slots, 0);
    assert_ne!(after.master_key, before.master_key);
    assert_eq!(
        entry_summary(&after.entries),
        entry_summary(&before.entries)
    );
    assert_eq!(master_key_by_recovery(&env.vault, &code), after.master_key);
    // One event appended, the rest untouched.
    assert_eq!(after.events[..before.events.len()], before.events[..]);
    let last = after.events.last().unwrap();
    assert_eq!(last.op.name(), "passwd");
    assert_eq!(
        last.detail,
        "keyslot 0, PBKDF2-HMAC-SHA256, 100000 iterations, new master key"
    );
    env.bare().arg("verify").arg(&env.vault).assert().success();
}

#[test]
fn passwd_never_weakens_a_slot_unless_asked_and_refuses_before_work() {
    let env = Env::with_vault();
    let before = fs::read(&env.vault).unwrap();
    let new_pw = env.file("new.pw", "another passphrase");
    // Out-of-bounds costs are refused before any password is read, and contradictory
    // options are usage errors.
    for (args, code) in [
        (&["--iterations", "99999"][..], 6),
        (&["--memory", "4096"][..], 6),
        (&["--memory", "7"][..], 6),
        (&["--passes", "17"][..], 6),
        (&["--lanes", "0"][..], 6),
        (&["--kdf", "argon2id", "--iterations", "600000"][..], 2),
        (&["--kdf", "pbkdf2", "--memory", "64"][..], 2),
        (&["--kdf", "scrypt"][..], 2),
    ] {
        env.cmd()
            .arg("passwd")
            .args(args)
            .arg("--new-password-file")
            .arg(&new_pw)
            .assert()
            .code(code);
    }
    // A wrong current password changes nothing.
    let wrong = env.file("wrong.pw", "not it");
    env.bare()
        .arg("--vault")
        .arg(&env.vault)
        .arg("--password-file")
        .arg(&wrong)
        .args(["passwd", "--new-password-file"])
        .arg(&new_pw)
        .assert()
        .code(4);
    // No terminal and no new-password file: a usage error, not a hang.
    env.cmd().arg("passwd").assert().code(2);
    assert_eq!(fs::read(&env.vault).unwrap(), before);

    // With --kdf pbkdf2 the slot's own count is kept, raised to the default 600,000.
    let passwd = |old: &std::path::Path, new: &std::path::Path, args: &[&str]| -> Passwd {
        one(&stdout(
            env.bare()
                .arg("--vault")
                .arg(&env.vault)
                .arg("--password-file")
                .arg(old)
                .args(["--json", "passwd"])
                .args(args)
                .arg("--new-password-file")
                .arg(new)
                .assert()
                .success(),
        ))
    };
    let r = passwd(&env.pw, &new_pw, &["--kdf", "pbkdf2"]);
    assert_eq!((r.previous_iterations, r.iterations), (100_000, 600_000));
    assert_eq!(r.previous_kdf, "PBKDF2-HMAC-SHA256, 100000 iterations");
    assert_eq!(r.kdf, "PBKDF2-HMAC-SHA256, 600000 iterations");
    // A time budget never buys fewer than the default either.
    let third = env.file("third.pw", "third passphrase");
    let r = passwd(&new_pw, &third, &["--kdf", "pbkdf2", "--target-time", "1"]);
    assert_eq!(r.iterations, 600_000);
    // Without options, a new password keyslot is Argon2id at the default cost.
    let r = passwd(&third, &new_pw, &[]);
    assert_eq!(r.previous_kdf, "PBKDF2-HMAC-SHA256, 600000 iterations");
    assert_eq!(r.kdf, "Argon2id, 256 MiB, 3 passes, 4 lanes");
    assert_eq!(r.iterations, 0);
    assert_eq!(
        fs::read(&env.vault).unwrap()[64 + 1],
        2,
        "kdf 2 in the file"
    );
    // A time budget never buys less than 64 MiB.
    let r = passwd(&new_pw, &third, &["--target-time", "1", "--passes", "1"]);
    let mib: u32 = r.kdf["Argon2id, ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((64..=2048).contains(&mib), "{}", r.kdf);
    assert!(r.kdf.ends_with(", 1 pass, 4 lanes"), "{}", r.kdf);
    // An explicit low cost is taken as given; then, without options, raised to the default.
    let r = passwd(
        &third,
        &new_pw,
        &["--memory", "8", "--passes", "1", "--lanes", "1"],
    );
    assert_eq!(r.kdf, "Argon2id, 8 MiB, 1 pass, 1 lane");
    let r = passwd(&new_pw, &third, &[]);
    assert_eq!(r.kdf, "Argon2id, 256 MiB, 3 passes, 4 lanes");
    // The vault still opens with the last password.
    env.bare()
        .arg("--vault")
        .arg(&env.vault)
        .arg("--password-file")
        .arg(&third)
        .arg("list")
        .assert()
        .success();
}

#[test]
fn rotate_master_keeps_every_entry_and_the_recovery_code() {
    let (env, code) = vault_with_code();
    env.generate("db-key");
    env.cmd()
        .args(["add", "root", "--kind", "password", "--stdin"])
        .write_stdin("hunter2\n")
        .assert()
        .success();
    env.cmd().args(["rotate", "db-key"]).assert().success();
    let before = state(&env.vault, &env.pw);
    let gets: Vec<String> = ["db-key", "root"]
        .iter()
        .map(|n| secret_hex(&env, &env.pw, n, None))
        .collect();

    let out = stdout(env.json().arg("rotate-master").assert().success());
    let r: RotateMaster = one(&out);
    assert_eq!(r.type_, "rotate_master");
    assert_eq!(
        (r.versions, r.audit_events, r.keyslots, r.recovery),
        (3, before.events.len(), 2, true)
    );

    let after = state(&env.vault, &env.pw);
    assert_ne!(after.master_key, before.master_key);
    assert_eq!(after.generation, before.generation + 1);
    assert_eq!(
        entry_summary(&after.entries),
        entry_summary(&before.entries)
    );
    assert_eq!(after.entries, before.entries);
    assert_eq!(after.events[..before.events.len()], before.events[..]);
    assert_eq!(after.events.last().unwrap().op.name(), "rotate-master");
    // The printed recovery code opens the new master key.
    assert_eq!(master_key_by_recovery(&env.vault, &code), after.master_key);
    let again: Vec<String> = ["db-key", "root"]
        .iter()
        .map(|n| secret_hex(&env, &env.pw, n, None))
        .collect();
    assert_eq!(again, gets);
    env.cmd().args(["audit", "--verify"]).assert().success();
}

/// Runs `args` with a failpoint and checks the process died there.
fn crash_at(env: &Env, point: &str, args: &[&str]) {
    let out = env
        .cmd()
        .env("AIRVAULT_FAILPOINT", point)
        .args(args)
        .output()
        .unwrap();
    assert!(!out.status.success(), "{point}: the command did not stop");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(out.status.signal(), Some(6), "{point}: not an abort");
    }
    assert!(String::from_utf8_lossy(&out.stderr).contains(point));
}

#[test]
fn a_crash_at_each_step_of_rotate_master_leaves_the_old_or_the_new_vault() {
    for (point, survives_as_new) in [
        ("after-write", false),
        ("after-fsync", false),
        ("before-rename", false),
        ("after-rename", true),
    ] {
        let (env, code) = vault_with_code();
        env.generate("k");
        let old_bytes = fs::read(&env.vault).unwrap();
        let old = state(&env.vault, &env.pw);

        crash_at(&env, point, &["rotate-master"]);

        // The vault opens with the password and holds exactly one of the two states.
        let now = state(&env.vault, &env.pw);
        assert_eq!(now.entries, old.entries, "{point}");
        if survives_as_new {
            assert_ne!(now.master_key, old.master_key, "{point}");
            assert_eq!(now.generation, old.generation + 1, "{point}");
            assert_eq!(now.events[..old.events.len()], old.events[..], "{point}");
            assert_eq!(now.events.len(), old.events.len() + 1, "{point}");
            assert_eq!(now.events.last().unwrap().op.name(), "rotate-master");
        } else {
            assert_eq!(fs::read(&env.vault).unwrap(), old_bytes, "{point}");
        }
        assert_eq!(
            master_key_by_recovery(&env.vault, &code),
            now.master_key,
            "{point}"
        );
        env.bare().arg("verify").arg(&env.vault).assert().success();
        // The vault keeps working: the next change goes through.
        env.cmd().arg("rotate-master").assert().success();
        env.cmd().args(["audit", "--verify"]).assert().success();
    }
}

#[test]
fn failpoints_serve_every_command_that_writes() {
    let env = Env::with_vault();
    env.generate("k");
    let new_pw = env.file("new.pw", "new passphrase");
    let before = fs::read(&env.vault).unwrap();
    crash_at(
        &env,
        "before-rename",
        &["passwd", "--new-password-file", new_pw.to_str().unwrap()],
    );
    assert_eq!(fs::read(&env.vault).unwrap(), before);
    env.cmd().arg("list").assert().success();
    crash_at(&env, "after-rename", &["generate", "k2"]);
    env.cmd()
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::contains("k2"));
}

#[test]
fn rotate_keeps_every_version_readable() {
    let env = Env::with_vault();
    env.cmd()
        .args(["generate", "db-key", "--bytes", "16"])
        .assert()
        .success();
    let v1 = secret_hex(&env, &env.pw, "db-key", None);
    let first = vault_core::Kcv::of(&state(&env.vault, &env.pw).entries[0].secret).to_string();

    let out = stdout(env.json().args(["rotate", "db-key"]).assert().success());
    let r: Rotated = one(&out);
    assert_eq!(
        (
            r.type_.as_str(),
            r.op.as_str(),
            r.version,
            r.previous_version,
            r.bytes
        ),
        ("rotated", "rotate", 2, 1, 16)
    );
    assert_eq!(r.previous_kcv, first);
    env.cmd()
        .args(["rotate", "db-key", "--bytes", "64"])
        .assert()
        .success()
        .stdout(predicate::str::contains("get db-key --version 2"));

    let v2 = secret_hex(&env, &env.pw, "db-key", Some(2));
    let v3 = secret_hex(&env, &env.pw, "db-key", None);
    assert_eq!(secret_hex(&env, &env.pw, "db-key", Some(1)), v1);
    assert_eq!(secret_hex(&env, &env.pw, "db-key", Some(3)), v3);
    assert_eq!((v1.len(), v2.len(), v3.len()), (32, 32, 128));
    assert!(v1 != v2 && v2 != v3);

    let listed: Vec<Entry> = lines(&stdout(env.json().arg("list").assert().success()));
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].version, listed[0].versions), (3, 3));
    assert_eq!(listed[0].status, "active");
    env.cmd()
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::contains("3 versions kept"));

    // Older versions are retired; every version keeps the entry's id and creation time.
    let s = state(&env.vault, &env.pw);
    let statuses: Vec<(u32, &str)> = s
        .entries
        .iter()
        .map(|e| (e.version, e.status.name()))
        .collect();
    assert_eq!(statuses, [(1, "retired"), (2, "retired"), (3, "active")]);
    assert!(s.entries.iter().all(|e| e.id == s.entries[0].id));
    assert!(s
        .entries
        .iter()
        .all(|e| e.created_at == s.entries[0].created_at));
    // Each rotation is audited with the new version's KCV.
    let rotations: Vec<(u32, String)> = s
        .events
        .iter()
        .filter(|e| e.op.name() == "rotate")
        .map(|e| (e.version, e.kcv.to_string()))
        .collect();
    assert_eq!(rotations.len(), 2);
    assert_eq!(
        rotations[1],
        (3, vault_core::Kcv::of(&s.entries[2].secret).to_string())
    );

    env.cmd()
        .args(["get", "db-key", "--version", "4", "--format", "hex"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("newest version is 3"));
    env.cmd().args(["rotate", "nope"]).assert().code(2);
}

#[test]
fn passwords_and_pem_keys_get_new_versions_with_add() {
    let env = Env::with_vault();
    env.cmd()
        .args(["add", "root", "--kind", "password", "--stdin"])
        .write_stdin("hunter2\n")
        .assert()
        .success();
    env.cmd()
        .args(["rotate", "root"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("add root --new-version"));

    let next = env.file("next.txt", "correct-horse\n");
    let out = stdout(
        env.json()
            .args(["add", "root", "--new-version", "--from-file"])
            .arg(&next)
            .assert()
            .success(),
    );
    let r: Rotated = one(&out);
    assert_eq!(
        (r.op.as_str(), r.kind.as_str(), r.version),
        ("add", "password", 2)
    );
    assert_eq!(
        secret_hex(&env, &env.pw, "root", None),
        hex::encode("correct-horse")
    );
    assert_eq!(
        secret_hex(&env, &env.pw, "root", Some(1)),
        hex::encode("hunter2")
    );
    // The same value again, another kind, or an unknown entry: refused.
    env.cmd()
        .args(["add", "root", "--new-version", "--from-file"])
        .arg(&next)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("same as version 2"));
    env.cmd()
        .args([
            "add",
            "root",
            "--new-version",
            "--kind",
            "opaque",
            "--from-file",
        ])
        .arg(&next)
        .assert()
        .code(2);
    env.cmd()
        .args(["add", "nobody", "--new-version", "--from-file"])
        .arg(&next)
        .assert()
        .code(2);
    let bin = env.file("bin", [0xffu8, 0xfe]);
    env.cmd()
        .args(["add", "root", "--new-version", "--from-file"])
        .arg(&bin)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("UTF-8"));
}

/// `airvault --json status ARGS` at fake time `now`.
fn status_at(env: &Env, now: u64, args: &[&str]) -> (Vec<KeyStatus>, StatusSummary, i32) {
    let out = env
        .json()
        .env("AIRVAULT_TEST_NOW", now.to_string())
        .arg("status")
        .args(args)
        .output()
        .unwrap();
    let (keys, summary) = status_output(&out.stdout);
    (keys, summary, out.status.code().unwrap())
}

fn overdue_names(keys: &[KeyStatus]) -> Vec<&str> {
    keys.iter()
        .filter(|k| k.overdue)
        .map(|k| k.name.as_str())
        .collect()
}

#[test]
fn overdue_keys_are_found_with_a_fake_clock() {
    let env = Env::new();
    let at = |t: u64| {
        let mut c = env.cmd();
        c.env("AIRVAULT_TEST_NOW", t.to_string());
        c
    };
    at(T0)
        .args(["init", "--iterations", ITER])
        .assert()
        .success();
    at(T0).args(["generate", "a"]).assert().success();
    at(T0).args(["generate", "b"]).assert().success();
    let out = stdout(
        env.json()
            .args(["policy", "b", "--days", "10"])
            .assert()
            .success(),
    );
    let p: Policy = one(&out);
    assert_eq!((p.default_days, p.changed.as_deref()), (90, Some("entry")));
    assert_eq!(
        p.overrides,
        [Override {
            name: "b".into(),
            days: 10
        }]
    );

    let (keys, summary, code) = status_at(&env, T0 + 5 * DAY, &["--check-overdue"]);
    assert_eq!((summary.keys, summary.overdue, code), (2, 0, 0));
    assert_eq!(keys[0].age_days, 5);
    assert_eq!(
        (keys[0].policy_days, keys[0].policy_source.as_str()),
        (Some(90), "vault")
    );
    assert_eq!(
        (keys[1].policy_days, keys[1].policy_source.as_str()),
        (Some(10), "entry")
    );
    assert_eq!(keys[1].due_at, Some(T0 + 10 * DAY));

    // Past b's own policy: overdue, and exit 8 only when asked for.
    let (keys, summary, code) = status_at(&env, T0 + 11 * DAY, &["--check-overdue"]);
    assert_eq!(
        (overdue_names(&keys), summary.exit_code, code),
        (vec!["b"], 8, 8)
    );
    let (_, _, code) = status_at(&env, T0 + 11 * DAY, &[]);
    assert_eq!(code, 0);
    env.cmd()
        .env("AIRVAULT_TEST_NOW", (T0 + 11 * DAY).to_string())
        .args(["status", "--check-overdue"])
        .assert()
        .code(8)
        .stdout(predicate::str::contains("OVERDUE"))
        .stderr(predicate::str::contains("1 key(s) past"));

    // Past the vault default as well; a run's own policy overrides both.
    let (keys, _, code) = status_at(&env, T0 + 91 * DAY, &["--check-overdue"]);
    assert_eq!((overdue_names(&keys), code), (vec!["a", "b"], 8));
    let (keys, summary, code) = status_at(
        &env,
        T0 + 91 * DAY,
        &["--check-overdue", "--policy-days", "365"],
    );
    assert_eq!((overdue_names(&keys).len(), code), (0, 0));
    assert_eq!(summary.policy_override, Some(365));
    assert!(keys.iter().all(|k| k.policy_source == "override"));

    // Rotating restarts the clock for that key; the default can be changed or dropped.
    at(T0 + 91 * DAY).args(["rotate", "b"]).assert().success();
    env.cmd()
        .args(["policy", "--default-days", "0"])
        .assert()
        .success();
    let (keys, summary, code) = status_at(&env, T0 + 92 * DAY, &["--check-overdue"]);
    assert_eq!((overdue_names(&keys).len(), code), (0, 0));
    assert_eq!(summary.default_policy_days, 0);
    assert_eq!((keys[0].policy_days, keys[0].due_at), (None, None));
    assert_eq!((keys[1].version, keys[1].age_days), (2, 1));
    env.cmd()
        .args(["policy", "b", "--inherit"])
        .assert()
        .success();
    let p: Policy = one(&stdout(env.json().arg("policy").assert().success()));
    assert_eq!((p.default_days, p.changed, p.overrides.len()), (0, None, 0));

    // Every policy change is audited.
    let policies = state(&env.vault, &env.pw)
        .events
        .iter()
        .filter(|e| e.op.name() == "policy")
        .count();
    assert_eq!(policies, 3);
    env.cmd().args(["policy", "b"]).assert().code(2);
    env.cmd()
        .args(["policy", "--default-days", "5", "--days", "3"])
        .assert()
        .code(2);
}

#[test]
fn the_audit_trail_lists_operations_and_never_a_secret() {
    let env = Env::with_vault();
    env.generate("db-key");
    let secret = secret_hex(&env, &env.pw, "db-key", None);
    env.cmd().args(["rotate", "db-key"]).assert().success();
    let backup = env.backup("b.airvault");
    let out = stdout(env.json().arg("audit").assert().success());
    let events: Vec<AuditEvent> = lines(&out);
    let ops: Vec<&str> = events.iter().map(|e| e.op.as_str()).collect();
    assert_eq!(ops, ["init", "generate", "rotate"]);
    assert!(events.iter().enumerate().all(|(i, e)| e.seq as usize == i));
    assert_eq!(events[0].name, None);
    assert_eq!(events[2].name.as_deref(), Some("db-key"));
    assert_eq!(events[2].version, Some(2));
    assert_eq!(events[2].kcv.as_ref().unwrap().len(), 8);
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains(&secret) && !text.contains(&secret[..16]));

    let v: AuditVerify = one(&stdout(
        env.json().args(["audit", "--verify"]).assert().success(),
    ));
    assert_eq!(
        (v.ok, v.events, v.exit_code, v.first_break),
        (true, 3, 0, None)
    );

    // A restored backup carries the trail, plus its restore event, and it verifies.
    let restored = env.path("restored.airvault");
    env.cmd()
        .arg("restore")
        .arg(&backup)
        .arg("--out")
        .arg(&restored)
        .assert()
        .success();
    let out = stdout(
        env.bare()
            .arg("--vault")
            .arg(&restored)
            .arg("--password-file")
            .arg(&env.pw)
            .args(["--json", "audit", "--verify"])
            .assert()
            .success(),
    );
    assert_eq!(one::<AuditVerify>(&out).events, 4);
}

/// Rewrites the vault with `edit` applied to its opened form, then checks that `audit
/// --verify` fails with exit 5 at `first_break` and that `audit` still lists with a
/// warning.
fn tampered(edit: impl FnOnce(&mut vault_cli::model::Vault), first_break: Option<u32>, says: &str) {
    let env = Env::with_vault();
    for name in ["a", "b", "c"] {
        env.generate(name);
    }
    let mut vault = open(&env.vault, &env.pw);
    edit(&mut vault);
    write_raw(&env.vault, &mut vault);
    // Every record's MAC still verifies: only the chain can tell.
    env.bare().arg("verify").arg(&env.vault).assert().success();
    let out = env
        .json()
        .args(["audit", "--verify"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains(says))
        .get_output()
        .stdout
        .clone();
    let v: AuditVerify = lines::<AuditVerify>(&out).remove(0);
    assert!(!v.ok);
    assert_eq!((v.exit_code, v.first_break), (5, first_break));
    env.cmd()
        .arg("audit")
        .assert()
        .success()
        .stderr(predicate::str::contains("does not verify"));
}

#[test]
fn an_edited_audit_event_is_detected() {
    tampered(
        |v| v.events[1].detail = "nothing to see".into(),
        Some(2),
        "audit event 2 does not link",
    );
}

#[test]
fn a_removed_audit_event_is_detected() {
    tampered(
        |v| {
            v.events.remove(1);
        },
        Some(2),
        "event 2 found where event 1 belongs",
    );
}

#[test]
fn reordered_audit_events_are_detected() {
    tampered(
        |v| {
            // Swap what events 1 and 2 say; the table order (by seq) cannot change.
            let (one, two) = (v.events[1].clone(), v.events[2].clone());
            v.events[1] = vault_cli::model::OwnedEvent { seq: 1, ..two };
            v.events[2] = vault_cli::model::OwnedEvent { seq: 2, ..one };
        },
        Some(1),
        "audit event 1 does not link",
    );
}

#[test]
fn events_cut_from_the_end_are_detected() {
    tampered(
        |v| {
            v.events.pop();
        },
        None,
        "events at the end were removed",
    );
}

#[test]
fn benchmark_reports_the_rate_and_the_bounds() {
    let out = stdout(
        Env::new()
            .bare()
            .args(["--json", "benchmark"])
            .assert()
            .success(),
    );
    let b: Benchmark = one(&out);
    assert_eq!(
        (b.type_.as_str(), b.kdf.as_str()),
        ("benchmark", "pbkdf2-hmac-sha256")
    );
    assert!(b.iterations_per_second > 0 && b.measured_iterations >= 10_000);
    assert!(
        b.measured_millis >= 900,
        "measured for {} ms",
        b.measured_millis
    );
    assert!((600_000..=20_000_000).contains(&b.target_time_1s));
    assert_eq!(b.iterations_for_1s % 10_000, 0);
    assert_eq!(
        (b.default_iterations, b.min_iterations, b.max_iterations),
        (600_000, 100_000, 20_000_000)
    );
    assert!(b.max_millis >= b.default_millis);
    assert!(b.default_guesses_per_second > 0.0);
    // Argon2id: the default cost run once, for real, and the rate it implies.
    let a = &b.argon2id;
    assert_eq!(a.default, "Argon2id, 256 MiB, 3 passes, 4 lanes");
    assert_eq!(
        (a.default_memory_kib, a.default_passes, a.default_lanes),
        (256 * 1024, 3, 4)
    );
    assert!(a.default_millis > 0 && a.kib_passes_per_second > 0);
    assert!(a.default_guesses_per_second > 0.0);
    assert!(a.target_time_1s.starts_with("Argon2id, "));
}

#[test]
fn help_documents_exit_code_8() {
    Env::new()
        .bare()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("8  a key is overdue"));
}

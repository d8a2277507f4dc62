//! `salvage` on real damaged files: a zeroed first or second header copy, a flipped
//! record, a file cut in half, two backups damaged in different places that together give
//! everything back, a file of another vault, files that cannot be opened, a lost metadata
//! record — and in every case a rebuilt vault that opens, whose secrets match, whose audit
//! chain verifies, and a report that says exactly what was lost.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod emergency;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use emergency::*;
use predicates::prelude::*;
use vault_cli::model::{Vault, VaultFiles};
use vault_core::audit::ChainVerifier;
use vault_core::{AuditOp, EntryStatus};

const PW: &[u8] = b"correct horse battery staple";

/// `airvault --json salvage FILES --out OUT` with the vault's password file; returns
/// the report after checking the exit code.
fn salvage(env: &Env, files: &[&Path], out: &Path, code: i32) -> Salvage {
    salvage_with(env, files, out, code, &[])
}

fn salvage_with(env: &Env, files: &[&Path], out: &Path, code: i32, extra: &[&str]) -> Salvage {
    let mut c = env.json();
    c.arg("salvage").args(extra);
    for f in files {
        c.arg(f);
    }
    let json = c
        .arg("--out")
        .arg(out)
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    let r: Salvage = one(&json);
    assert_eq!(r.type_, "salvage");
    assert_eq!(i32::from(r.exit_code), code);
    assert_eq!(r.complete, code == 0);
    r
}

fn open(path: &Path, pw: &[u8]) -> Vault {
    Vault::open(
        &fs::read(path).unwrap(),
        pw,
        vault_cli::progress::Progress::Silent,
    )
    .unwrap()
    .vault
}

/// Verifies the audit chain of a salvaged vault and returns its last event.
fn check_chain(v: &Vault) -> vault_cli::model::OwnedEvent {
    let mut chain = ChainVerifier::new();
    for e in &v.events {
        chain.push(&e.view()).unwrap();
    }
    chain.finish(&v.meta).unwrap();
    let last = v.events.last().unwrap().clone();
    assert_eq!(last.op, AuditOp::Salvage);
    last
}

/// The entry id (hex) of `name`, from `list --json`.
fn id_of(env: &Env, name: &str) -> String {
    lines::<Entry>(&env.json().arg("list").output().unwrap().stdout)
        .into_iter()
        .find(|e| e.name == name)
        .unwrap()
        .id
}

#[test]
fn a_zeroed_header_copy_loses_nothing() {
    let (env, code) = populated();
    let bin = env.backup("b.airvault");
    let want = secrets(&env, &env.vault, &env.pw);
    for (i, damage) in [Damage::ZeroFirstHeader, Damage::ZeroSecondHeader]
        .into_iter()
        .enumerate()
    {
        let copy = env.path(&format!("damaged-{i}.airvault"));
        damaged_copy(&bin, &copy, &[damage]);
        let out = env.path(&format!("salvaged-{i}.airvault"));
        let r = salvage(&env, &[&copy], &out, 0);
        assert!(r.lost.is_empty() && r.audit_events_lost == 0);
        assert_eq!(r.recovered.len(), 3);
        assert!(r.files[0]
            .damage
            .as_deref()
            .unwrap()
            .contains("header copy"));
        assert_eq!(r.metadata_from.as_deref(), Some(r.files[0].file.as_str()));
        assert_eq!(r.recovery, "kept");
        #[cfg(unix)]
        assert_eq!(mode(&out), 0o600);
        // Same password, same keys, same recovery code, whole again.
        assert_eq!(secrets(&env, &out, &env.pw), want);
        env.bare().arg("verify").arg(&out).assert().success();
        let v = open(&out, PW);
        let last = check_chain(&v);
        assert!(
            last.detail.contains("0 audit events lost"),
            "{}",
            last.detail
        );
        let code = code_file(&env, &format!("code-{i}.txt"), &code);
        env.bare()
            .arg("recover")
            .arg(&out)
            .arg("--recovery-code-file")
            .arg(&code)
            .arg("--new-password-file")
            .arg(&env.pw)
            .arg("--out")
            .arg(env.path(&format!("recovered-{i}.airvault")))
            .assert()
            .success();
    }
}

#[test]
fn a_flipped_record_is_reported_lost_by_name_and_the_rest_is_kept() {
    let (env, _) = populated();
    let bin = env.backup("b.airvault");
    let want = secrets(&env, &env.vault, &env.pw);
    let tls = id_of(&env, "tls");
    let copy = env.path("flipped.airvault");
    let index = record_of(&fs::read(&bin).unwrap(), &tls);
    damaged_copy(&bin, &copy, &[Damage::FlipRecord(index)]);
    let out = env.path("salvaged.airvault");
    let r = salvage(&env, &[&copy], &out, 5);
    assert_eq!(r.lost.len(), 1);
    let lost = &r.lost[0];
    assert_eq!(
        (lost.name.as_deref(), lost.id.as_str(), lost.version),
        (Some("tls"), tls.as_str(), 1)
    );
    assert_eq!(r.files[0].records_failed, [u32::try_from(index).unwrap()]);
    assert_eq!(r.recovered.len(), 2);
    let got = secrets(&env, &out, &env.pw);
    let mut expected = want.clone();
    expected.remove("tls");
    assert_eq!(got, expected);
    check_chain(&open(&out, PW));
    // The text report and the warning say the same.
    let again = env.path("again.airvault");
    env.cmd()
        .arg("salvage")
        .arg(&copy)
        .arg("--out")
        .arg(&again)
        .assert()
        .code(5)
        .stdout(predicate::str::contains(
            "Lost (no file holds an intact copy):",
        ))
        .stdout(predicate::str::contains("INCOMPLETE: 1 entry version lost"))
        .stderr(predicate::str::contains("warning: salvage incomplete"));
}

#[test]
fn a_file_cut_in_half_keeps_its_first_half_and_counts_the_lost_events() {
    let (env, _) = populated();
    // Large keys, so that the cut falls among the entries, not only the audit trail.
    for i in 0..4 {
        env.cmd()
            .args(["generate", &format!("extra-{i}"), "--bytes", "2048"])
            .assert()
            .success();
    }
    let bin = env.backup("b.airvault");
    let copy = env.path("half.airvault");
    damaged_copy(&bin, &copy, &[Damage::CutInHalf]);
    let out = env.path("salvaged.airvault");
    let r = salvage(&env, &[&copy], &out, 5);
    let f = &r.files[0];
    assert!(
        f.damage.as_deref().unwrap().contains("truncated"),
        "{:?}",
        f.damage
    );
    assert!(!r.lost.is_empty());
    assert_eq!(r.recovered.len() + r.lost.len(), 7);
    assert!(r.audit_events_lost > 0);
    assert_eq!(
        f.records_opened + f.records_failed.len(),
        f.records.unwrap() as usize
    );
    // What was kept opens and matches the vault.
    let want = secrets(&env, &env.vault, &env.pw);
    for (name, secret) in secrets(&env, &out, &env.pw) {
        assert_eq!(want[&name], secret);
    }
    // The salvage event jumps over the lost events and says how many.
    let v = open(&out, PW);
    let last = check_chain(&v);
    let kept = v.events.len() - 1;
    assert_eq!(kept, r.audit_events_kept);
    assert_eq!(last.seq as usize, kept + r.audit_events_lost as usize);
    assert!(last
        .detail
        .contains(&format!("{} audit events lost", r.audit_events_lost)));
    // `airvault audit --verify` accepts the acknowledged gap.
    env.bare()
        .arg("--vault")
        .arg(&out)
        .arg("--password-file")
        .arg(&env.pw)
        .args(["audit", "--verify"])
        .assert()
        .success();
}

#[test]
fn two_backups_damaged_in_different_places_together_give_everything_back() {
    let (env, _) = populated();
    let older = env.backup("older.airvault");
    // A rotation between the two backups: version 2 of db-key, version 1 retired.
    let v2 = rotate(&env, "db-key");
    env.generate("late-key");
    let newer = env.backup("newer.airvault");
    let want = secrets(&env, &env.vault, &env.pw);
    assert_eq!(want["db-key"], v2);

    let (o, n) = (fs::read(&older).unwrap(), fs::read(&newer).unwrap());
    // The older copy: first header gone, api-token and one audit event damaged.
    // The newer copy: second header gone, tls and a different audit event damaged.
    let audit = |f: &[u8], k: usize| records(f).len() - 1 - k;
    let older_bad = env.path("older-damaged.airvault");
    damaged_copy(
        &older,
        &older_bad,
        &[
            Damage::ZeroFirstHeader,
            Damage::FlipRecord(record_of(&o, &id_of(&env, "api-token"))),
            Damage::FlipRecord(audit(&o, 0)),
        ],
    );
    let newer_bad = env.path("newer-damaged.airvault");
    damaged_copy(
        &newer,
        &newer_bad,
        &[
            Damage::ZeroSecondHeader,
            Damage::FlipRecord(record_of(&n, &id_of(&env, "tls"))),
            Damage::FlipRecord(audit(&n, 3)),
        ],
    );
    // Each alone loses something.
    salvage(&env, &[&older_bad], &env.path("only-older.airvault"), 5);
    salvage(&env, &[&newer_bad], &env.path("only-newer.airvault"), 5);
    // Together, in either order, nothing.
    for (i, files) in [[&newer_bad, &older_bad], [&older_bad, &newer_bad]]
        .iter()
        .enumerate()
    {
        let out = env.path(&format!("together-{i}.airvault"));
        let r = salvage(&env, &[files[0], files[1]], &out, 0);
        assert!(r.lost.is_empty(), "{:?}", r.lost);
        assert_eq!(r.audit_events_lost, 0);
        assert!(r.files.iter().all(|f| f.status == "used"));
        let from = |name: &str| {
            r.recovered
                .iter()
                .filter(|e| e.name == name)
                .map(|e| (e.version, e.status.as_str(), e.from.as_str()))
                .collect::<Vec<_>>()
        };
        let (ob, nb) = (older_bad.to_string_lossy(), newer_bad.to_string_lossy());
        assert_eq!(from("tls"), [(1, "active", &*ob)]);
        assert_eq!(from("api-token"), [(1, "active", &*nb)]);
        assert_eq!(from("db-key"), [(1, "retired", &*nb), (2, "active", &*nb)]);
        assert_eq!(secrets(&env, &out, &env.pw), want);
        let v = open(&out, PW);
        let db: Vec<_> = v.entries.iter().filter(|e| e.name == "db-key").collect();
        assert_eq!(db.len(), 2);
        assert!(db
            .iter()
            .all(|e| (e.version == 2) == (e.status == EntryStatus::Active)));
        // The whole history came back, stitched from both files, then the salvage.
        let last = check_chain(&v);
        assert_eq!(last.seq as usize, v.events.len() - 1);
        assert_eq!(v.events.len() - 1, open(&env.vault, PW).events.len());
    }
}

#[test]
fn a_file_of_another_vault_is_refused_unless_forced() {
    let (env, _) = populated();
    let (other, _) = populated();
    let mine = env.backup("mine.airvault");
    let theirs = other.backup("theirs.airvault");
    let out = env.path("salvaged.airvault");
    env.cmd()
        .arg("salvage")
        .arg(&mine)
        .arg(&theirs)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "theirs.airvault is a copy of another vault",
        ))
        .stderr(predicate::str::contains("--force"));
    assert!(!out.exists());
    // With --force both are taken (the same password opens both here).
    assert_eq!(fs::read(&other.pw).unwrap(), fs::read(&env.pw).unwrap());
    let r = salvage_with(&env, &[&mine, &theirs], &out, 0, &["--force"]);
    assert_eq!(r.recovered.len(), 6);
    let renamed: Vec<_> = r
        .recovered
        .iter()
        .filter_map(|e| e.renamed_from.as_deref())
        .collect();
    assert_eq!(
        renamed.len(),
        3,
        "the other vault's names collide with ours"
    );
    assert_eq!(secrets(&env, &out, &env.pw).len(), 6);
}

#[test]
fn files_that_cannot_be_used_are_listed_with_the_reason() {
    let (env, _) = populated();
    let good = env.backup("good.airvault");
    let own_pw = password(&env, "own.pw", "the backup's own password");
    let own = env.path("own-password.asc");
    env.cmd()
        .args(["backup", "--armor", "--out"])
        .arg(&own)
        .arg("--new-password-file")
        .arg(&own_pw)
        .assert()
        .success();
    let junk = env.file("junk.airvault", b"not a vault at all".repeat(10));
    let missing = env.path("missing.airvault");
    let both = env.path("both-headers.airvault");
    damaged_copy(
        &good,
        &both,
        &[Damage::ZeroFirstHeader, Damage::ZeroSecondHeader],
    );
    let out = env.path("salvaged.airvault");
    let r = salvage(&env, &[&own, &junk, &good, &missing, &both], &out, 5);
    let status: Vec<_> = r.files.iter().map(|f| f.status.as_str()).collect();
    assert_eq!(
        status,
        ["unusable", "unusable", "used", "unusable", "unusable"]
    );
    let why = |i: usize| r.files[i].message.clone().unwrap();
    assert!(why(0).contains("password does not open it"), "{}", why(0));
    assert_eq!(r.files[0].format.as_deref(), Some("armored"));
    assert!(why(1).contains("not an airvault file"), "{}", why(1));
    assert!(why(3).contains("cannot read"), "{}", why(3));
    assert!(why(4).contains("header"), "{}", why(4));
    // Everything was in the good copy: nothing is lost but the run is not complete.
    assert!(r.lost.is_empty());
    assert_eq!(
        secrets(&env, &out, &env.pw),
        secrets(&env, &env.vault, &env.pw)
    );

    // When nothing opens, nothing is written: the worst reason decides the exit code.
    let none = env.path("none.airvault");
    env.cmd()
        .arg("salvage")
        .arg(&own)
        .arg("--out")
        .arg(&none)
        .assert()
        .code(4)
        .stderr(predicate::str::contains("no file could be opened"));
    env.cmd()
        .arg("salvage")
        .arg(&junk)
        .arg(&both)
        .arg("--out")
        .arg(&none)
        .assert()
        .code(5);
    assert!(!none.exists());
    // The armored backup with its own password salvages with that password.
    env.bare()
        .arg("--password-file")
        .arg(&own_pw)
        .arg("salvage")
        .arg(&own)
        .arg("--out")
        .arg(&none)
        .assert()
        .success();
}

#[test]
fn salvage_with_the_recovery_code_or_shares_and_a_new_password() {
    let (env, code) = populated();
    let bin = env.backup("b.airvault");
    let copy = env.path("damaged.airvault");
    damaged_copy(&bin, &copy, &[Damage::ZeroFirstHeader]);
    let code = code_file(&env, "code.txt", &code);
    let pw2 = password(&env, "new.pw", "after the salvage");
    let out = env.path("salvaged.airvault");
    let json = env
        .bare()
        .args(["--json", "salvage"])
        .arg(&copy)
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
    let r: Salvage = one(&json);
    assert_eq!(r.recovery, "kept");
    assert_eq!(
        secrets(&env, &out, &pw2),
        secrets(&env, &env.vault, &env.pw)
    );
    // A mistyped code stops before anything is opened or written.
    let bad = code_file(
        &env,
        "bad.txt",
        "000000-000001-000002-000003-000004-000005-000006-000008",
    );
    env.bare()
        .arg("salvage")
        .arg(&copy)
        .arg("--recovery-code-file")
        .arg(&bad)
        .arg("--out")
        .arg(env.path("x.airvault"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("group 8"));

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
    let out = env.path("by-shares.airvault");
    env.bare()
        .arg("salvage")
        .arg(&copy)
        .arg("--share-file")
        .arg(shares.join("share-3-of-3.txt"))
        .arg("--share-file")
        .arg(shares.join("share-2-of-3.txt"))
        .arg("--new-password-file")
        .arg(&pw2)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    assert_eq!(secrets(&env, &out, &pw2).len(), 3);
}

#[test]
fn a_lost_metadata_record_means_a_new_recovery_code_unless_one_was_given() {
    let (env, old_code) = populated();
    let bin = env.backup("b.airvault");
    let copy = env.path("no-meta.airvault");
    damaged_copy(&bin, &copy, &[Damage::FlipRecord(0)]);
    let out = env.path("salvaged.airvault");
    let r = salvage(&env, &[&copy], &out, 5);
    assert_eq!(
        (r.recovery.as_str(), r.metadata_from.as_deref()),
        ("new", None)
    );
    let new_code = r.recovery_code.clone().unwrap();
    assert_ne!(new_code, old_code);
    assert!(r.lost.is_empty());
    assert_eq!(
        secrets(&env, &out, &env.pw),
        secrets(&env, &env.vault, &env.pw)
    );
    check_chain(&open(&out, PW));
    let try_code = |file: &Path, code: &str, name: &str| {
        let f = code_file(&env, &format!("{name}.txt"), code);
        env.bare()
            .arg("recover")
            .arg(file)
            .arg("--recovery-code-file")
            .arg(f)
            .arg("--new-password-file")
            .arg(&env.pw)
            .arg("--out")
            .arg(env.path(&format!("{name}.airvault")))
            .assert()
    };
    try_code(&out, &old_code, "old").code(4);
    try_code(&out, &new_code, "new").success();
    env.cmd()
        .arg("salvage")
        .arg(&copy)
        .arg("--out")
        .arg(env.path("text.airvault"))
        .assert()
        .code(5)
        .stdout(predicate::str::contains("NEW recovery code"))
        .stdout(predicate::str::contains(new_code.split('-').next().unwrap()).not());

    // Opened with the recovery code, the vault keeps that code.
    let code = code_file(&env, "code.txt", &old_code);
    let json = env
        .bare()
        .args(["--json", "salvage"])
        .arg(&copy)
        .arg("--recovery-code-file")
        .arg(&code)
        .arg("--new-password-file")
        .arg(&env.pw)
        .arg("--out")
        .arg(env.path("kept.airvault"))
        .assert()
        .code(5)
        .get_output()
        .stdout
        .clone();
    let r: Salvage = one(&json);
    assert_eq!(
        (r.recovery.as_str(), r.recovery_code),
        ("from-recovery-material", None)
    );
    try_code(&env.path("kept.airvault"), &old_code, "kept-old").success();
}

#[test]
fn a_removed_and_recreated_name_is_kept_twice_under_distinct_names() {
    let (env, _) = populated();
    let before = env.backup("before.airvault");
    env.cmd()
        .args(["remove", "db-key", "--yes"])
        .assert()
        .success();
    env.generate("db-key");
    let after = env.backup("after.airvault");
    let out = env.path("salvaged.airvault");
    let r = salvage(&env, &[&before, &after], &out, 0);
    let db: Vec<_> = r
        .recovered
        .iter()
        .filter(|e| e.name.starts_with("db-key"))
        .collect();
    assert_eq!(db.len(), 2);
    let current = id_of(&env, "db-key");
    let kept = db.iter().find(|e| e.name == "db-key").unwrap();
    assert_eq!(kept.id, current, "the newer entry keeps the name");
    let renamed = db.iter().find(|e| e.name != "db-key").unwrap();
    assert_eq!(renamed.name, "db-key (salvaged)");
    assert_eq!(renamed.renamed_from.as_deref(), Some("db-key"));
    assert_eq!(
        secrets(&env, &out, &env.pw)["db-key"],
        secrets(&env, &env.vault, &env.pw)["db-key"]
    );
}

#[test]
fn salvage_never_overwrites_without_force() {
    let (env, _) = populated();
    let bin = env.backup("b.airvault");
    let out: PathBuf = env.file("taken.airvault", "precious");
    env.cmd()
        .arg("salvage")
        .arg(&bin)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    assert_eq!(fs::read(&out).unwrap(), b"precious");
}

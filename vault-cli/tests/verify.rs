//! verify and fingerprint: every kind of bad input gets its own exit code, with and
//! without a password, for one file, many files and directories.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use predicates::prelude::*;
use vault_cli::commands::{load_vault, save_vault, Context};
use vault_cli::input::PasswordSource;
use vault_core::EntryStatus;

/// Runs keyless `verify --json` on `files`, expecting `code`; returns the one result.
fn verify_one(env: &Env, file: &Path, code: i32) -> Verify {
    let out = env
        .bare()
        .args(["--json", "verify"])
        .arg(file)
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    let (mut files, summary) = verify_output(&out);
    assert_eq!(summary.exit_code as i32, code);
    assert_eq!(files.len(), 1);
    let v = files.remove(0);
    assert_eq!(v.exit_code as i32, code);
    v
}

fn copy_of(env: &Env, src: &Path, name: &str) -> PathBuf {
    let p = env.path(name);
    fs::copy(src, &p).unwrap();
    p
}

fn setup() -> (Env, PathBuf) {
    let env = Env::with_vault();
    env.generate("a");
    env.generate("b");
    let b = env.backup("b.airvault");
    (env, b)
}

#[test]
fn intact_backups_pass_without_a_password() {
    let (env, b) = setup();
    let v = verify_one(&env, &b, 0);
    assert_eq!(v.status, "ok");
    assert_eq!(v.message, None);
    assert_eq!(v.format.as_deref(), Some("binary"));
    assert_eq!(v.fingerprint, Some(sha256_hex(&b)));
    assert!(!v.keyed);
    assert_eq!(v.entries, None);
    assert_eq!(
        (
            v.header_a.as_deref(),
            v.header_b.as_deref(),
            v.trailer.as_deref()
        ),
        (Some("intact"), Some("intact"), Some("intact"))
    );
    // metadata, 2 entries, 3 audit events
    assert_eq!(v.records, Some(6));
    assert!(v.damaged_records.is_empty());
    env.bare()
        .arg("verify")
        .arg(&b)
        .assert()
        .success()
        .stdout(predicate::str::contains("b.airvault: ok"));
}

#[cfg(unix)]
#[test]
fn a_path_that_is_not_utf8_is_reported_losslessly() {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let (env, b) = setup();
    let v = verify_one(&env, &b, 0);
    assert_eq!(v.path_bytes, None, "a plain UTF-8 path needs no bytes");
    let name = b"backup-\xff\x01.airvault".to_vec();
    let odd = env.dir.path().join(std::ffi::OsString::from_vec(name));
    fs::copy(&b, &odd).unwrap();
    let v = verify_one(&env, &odd, 0);
    assert!(v.file.contains("backup-"), "{}", v.file);
    let bytes = hex::decode(v.path_bytes.expect("path_bytes for a non-UTF-8 path")).unwrap();
    assert_eq!(bytes, odd.as_os_str().as_bytes());
}

#[test]
fn missing_file_is_exit_3() {
    let env = Env::new();
    let v = verify_one(&env, &env.path("gone.airvault"), 3);
    assert_eq!(v.status, "io");
    assert!(v.message.unwrap().contains("cannot read"));
    assert_eq!(v.fingerprint, None);
}

#[test]
fn flipped_bytes_are_exit_5_and_located() {
    let (env, b) = setup();
    let len = fs::metadata(&b).unwrap().len() as usize;
    let h = header_len(&fs::read(&b).unwrap());

    // In a record: that record is named.
    let rec = copy_of(&env, &b, "record.airvault");
    // Record 0 (metadata) is 160 bytes; record 1 follows it.
    flip(&rec, (h + 180) as isize);
    let v = verify_one(&env, &rec, 5);
    assert_eq!(v.status, "corrupted");
    assert_eq!(v.damaged_records, [1]);
    assert_eq!(v.header_a.as_deref(), Some("intact"));

    // In the first header copy: the second copy is used, the first reported damaged.
    let head = copy_of(&env, &b, "header.airvault");
    flip(&head, 70);
    let v = verify_one(&env, &head, 5);
    assert_eq!(
        (v.header_a.as_deref(), v.header_b.as_deref()),
        (Some("damaged"), Some("intact"))
    );

    // In the trailer.
    let tail = copy_of(&env, &b, "trailer.airvault");
    flip(&tail, -1);
    let v = verify_one(&env, &tail, 5);
    assert_eq!(v.trailer.as_deref(), Some("damaged"));

    // Keyed verification stops at the keyless damage too.
    env.cmd().arg("verify").arg(&rec).assert().code(5);
    assert_eq!(len, fs::metadata(&b).unwrap().len() as usize);
}

#[test]
fn truncated_and_foreign_files_are_exit_5() {
    let (env, b) = setup();
    let bytes = fs::read(&b).unwrap();
    for cut in [1, 56, 500, bytes.len() - 10, bytes.len() - 1] {
        let t = env.file("t.airvault", &bytes[..cut]);
        let v = verify_one(&env, &t, 5);
        assert_eq!(v.status, "corrupted", "cut at {cut}");
    }
    let longer = env.file("long.airvault", [&bytes[..], b"junk"].concat());
    verify_one(&env, &longer, 5);
    let text = env.file("notes.airvault", "just some notes\n");
    let v = verify_one(&env, &text, 5);
    assert!(v.message.unwrap().contains("not an airvault file"));
    let empty = env.file("empty.airvault", "");
    verify_one(&env, &empty, 5);
}

#[test]
fn unknown_version_is_exit_6() {
    let (env, b) = setup();
    let f = copy_of(&env, &b, "v3.airvault");
    set_version(&f, 3);
    let v = verify_one(&env, &f, 6);
    assert_eq!(v.status, "unsupported");
    assert!(v.message.unwrap().contains("unsupported format version 3"));
    env.bare()
        .arg("--vault")
        .arg(&f)
        .arg("--password-file")
        .arg(&env.pw)
        .arg("list")
        .assert()
        .code(6);
}

#[test]
fn hostile_iteration_counts_are_exit_6_before_any_work() {
    let (env, b) = setup();
    for n in [0u32, u32::MAX] {
        let f = copy_of(&env, &b, &format!("iter-{n}.airvault"));
        set_iterations(&f, n);
        let v = verify_one(&env, &f, 6);
        assert!(v
            .message
            .unwrap()
            .contains(&format!("{n} PBKDF2 iterations")));
        // With a password: refused before the KDF runs (4 billion iterations would take
        // hours), and as a vault.
        let start = std::time::Instant::now();
        env.cmd().arg("verify").arg(&f).assert().code(6);
        env.cmd()
            .arg("restore")
            .arg(&f)
            .arg("--out")
            .arg(env.path("r.airvault"))
            .assert()
            .code(6);
        env.bare()
            .arg("--vault")
            .arg(&f)
            .arg("--password-file")
            .arg(&env.pw)
            .arg("list")
            .assert()
            .code(6)
            .stderr(predicate::str::contains("do not trust it"));
        assert!(start.elapsed().as_secs() < 10);
    }
}

#[test]
fn armor_typo_is_exit_5_with_its_line_number() {
    let env = Env::with_vault();
    env.generate("a");
    let asc = env.path("b.asc");
    env.cmd()
        .args(["backup", "--armor", "--out"])
        .arg(&asc)
        .assert()
        .success();
    let v = verify_one(&env, &asc, 0);
    assert_eq!(v.format.as_deref(), Some("armored"));
    assert_eq!(v.fingerprint, Some(sha256_hex(&asc)));

    let text = fs::read_to_string(&asc).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let n = lines.iter().position(|l| l.starts_with("0004:")).unwrap();
    let c = lines[n].as_bytes()[8];
    lines[n].replace_range(8..9, if c == b'Q' { "R" } else { "Q" });
    let typo = env.file("typo.asc", lines.join("\n") + "\n");
    let v = verify_one(&env, &typo, 5);
    let msg = v.message.unwrap();
    assert!(msg.contains(&format!("line {}", n + 1)), "{msg}");
    env.bare()
        .arg("verify")
        .arg(&typo)
        .assert()
        .code(5)
        .stderr(predicate::str::contains(format!("line {}", n + 1)));

    // A line lost from the paper.
    lines.remove(n);
    let short = env.file("short.asc", lines.join("\n") + "\n");
    verify_one(&env, &short, 5);
}

#[test]
fn expected_fingerprint_matches_or_is_exit_7() {
    let (env, b) = setup();
    let out = env
        .bare()
        .args(["--json", "fingerprint"])
        .arg(&b)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let fp: Fingerprint = one(&out);
    assert_eq!(fp.type_, "fingerprint");
    assert_eq!(fp.sha256, sha256_hex(&b));
    assert_eq!(fp.bytes, fs::metadata(&b).unwrap().len());
    env.bare()
        .arg("fingerprint")
        .arg(&b)
        .assert()
        .success()
        .stdout(format!("{}  {}\n", fp.sha256, b.display()));

    env.bare()
        .args(["verify", "--expect-fingerprint", &fp.sha256.to_uppercase()])
        .arg(&b)
        .assert()
        .success();
    let other = format!("{}0", &fp.sha256[..63]);
    let other = if other == fp.sha256 {
        format!("{}1", &fp.sha256[..63])
    } else {
        other
    };
    let out = env
        .bare()
        .args(["--json", "verify", "--expect-fingerprint", &other])
        .arg(&b)
        .assert()
        .code(7)
        .get_output()
        .stdout
        .clone();
    let (files, _) = verify_output(&out);
    assert_eq!(files[0].status, "mismatch");
    assert!(files[0].message.as_ref().unwrap().contains(&other));

    env.bare()
        .arg("fingerprint")
        .arg(env.path("missing"))
        .assert()
        .code(3);
}

#[test]
fn keyed_verification_opens_every_record() {
    let (env, b) = setup();
    let out = env
        .json()
        .arg("verify")
        .arg(&b)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let (files, _) = verify_output(&out);
    assert!(files[0].keyed);
    assert_eq!(files[0].entries, Some(2));

    let wrong = env.file("wrong.pw", "wrong");
    let out = env
        .bare()
        .arg("--password-file")
        .arg(&wrong)
        .args(["--json", "verify"])
        .arg(&b)
        .assert()
        .code(4)
        .get_output()
        .stdout
        .clone();
    let (files, _) = verify_output(&out);
    assert_eq!(files[0].status, "authentication");
    assert!(files[0].message.as_ref().unwrap().contains("(file intact)"));
}

/// Makes a version 2 of entry `name` in the vault, through the library.
fn new_version(env: &Env, name: &str) {
    let ctx = Context::new(env.vault.clone(), PasswordSource::File(env.pw.clone()));
    let (mut vault, _) = load_vault(&ctx).unwrap();
    let mut v2 = vault.newest(name).unwrap().clone();
    for e in vault.entries.iter_mut().filter(|e| e.name == name) {
        e.status = EntryStatus::Retired;
    }
    v2.version += 1;
    v2.secret = zeroize::Zeroizing::new(vec![9; 32]);
    vault.entries.push(v2);
    save_vault(&ctx, &mut vault).unwrap();
}

#[test]
fn against_reports_missing_and_stale_entries() {
    let (env, b) = setup();
    env.cmd()
        .args(["verify", "--against"])
        .arg(&env.vault)
        .arg(&b)
        .assert()
        .success();
    // Without --password-file: --against needs a password, and there is no terminal.
    env.bare()
        .args(["verify", "--against"])
        .arg(&env.vault)
        .arg(&b)
        .assert()
        .code(2);

    env.generate("c");
    new_version(&env, "a");
    let out = env
        .json()
        .args(["verify", "--against"])
        .arg(&env.vault)
        .arg(&b)
        .assert()
        .code(7)
        .get_output()
        .stdout
        .clone();
    let (files, summary) = verify_output(&out);
    assert_eq!(files[0].missing, ["c"]);
    assert_eq!(
        files[0].stale,
        [Stale {
            name: "a".into(),
            vault_version: 2,
            backup_version: 1
        }]
    );
    assert_eq!((summary.failed, summary.exit_code), (1, 7));
    env.cmd()
        .args(["verify", "--against"])
        .arg(&env.vault)
        .arg(&b)
        .assert()
        .code(7)
        .stdout(
            predicate::str::contains("missing from backup: c").and(predicate::str::contains(
                "stale in backup: a (backup v1, vault v2)",
            )),
        );
    // A fresh backup is current again.
    let b2 = env.backup("b2.airvault");
    env.cmd()
        .args(["verify", "--against"])
        .arg(&env.vault)
        .arg(&b2)
        .assert()
        .success();

    // A backup with its own password, against the vault with its password.
    let pw2 = env.file("p2.pw", "paper password");
    let b3 = env.path("b3.airvault");
    env.cmd()
        .args(["backup", "--out"])
        .arg(&b3)
        .arg("--new-password-file")
        .arg(&pw2)
        .assert()
        .success();
    env.bare()
        .arg("--password-file")
        .arg(&pw2)
        .args(["verify", "--against"])
        .arg(&env.vault)
        .arg("--against-password-file")
        .arg(&env.pw)
        .arg(&b3)
        .assert()
        .success();

    // A backup of another vault.
    let other = Env::with_vault();
    let ob = other.backup("o.airvault");
    env.cmd()
        .args(["verify", "--against"])
        .arg(&env.vault)
        .arg(&ob)
        .arg("--password-file")
        .arg(&other.pw)
        .assert()
        .code(7)
        .stderr(predicate::str::contains("another vault"));
}

#[test]
fn many_files_and_directories_exit_with_the_worst_result() {
    let (env, b) = setup();
    let dir = env.path("backups");
    fs::create_dir(&dir).unwrap();
    let good = dir.join("1-good.airvault");
    fs::copy(&b, &good).unwrap();
    let bad = dir.join("2-bad.airvault");
    fs::copy(&b, &bad).unwrap();
    flip(&bad, 200);
    fs::write(dir.join("notes.txt"), "not a backup").unwrap();
    fs::write(dir.join(".airvault-x.tmp"), "temporary").unwrap();

    let out = env
        .bare()
        .args(["--json", "verify"])
        .arg(&dir)
        .assert()
        .code(5)
        .get_output()
        .stdout
        .clone();
    let (files, summary) = verify_output(&out);
    let names: Vec<&str> = files
        .iter()
        .map(|f| f.file.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(names, ["1-good.airvault", "2-bad.airvault"]);
    assert_eq!((summary.files, summary.ok, summary.failed), (2, 1, 1));

    // Missing (3) and mismatch-free good file: 3. Corrupted outranks missing.
    let missing = env.path("missing.airvault");
    env.bare()
        .arg("verify")
        .arg(&good)
        .arg(&missing)
        .assert()
        .code(3);
    env.bare()
        .arg("verify")
        .arg(&missing)
        .arg(&bad)
        .assert()
        .code(5);
    // Unsupported (6) outranks a fingerprint mismatch (7).
    let v9 = env.path("v9.airvault");
    fs::copy(&b, &v9).unwrap();
    set_version(&v9, 9);
    env.bare()
        .args(["verify", "--expect-fingerprint", &sha256_hex(&b)])
        .arg(&good)
        .arg(&v9)
        .arg(&b)
        .assert()
        .code(6);

    // An empty directory is a failure, not a silent pass.
    let empty = env.path("empty");
    fs::create_dir(&empty).unwrap();
    env.bare()
        .arg("verify")
        .arg(&empty)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("no backup files"));
}

#[test]
fn verbose_verify_shows_each_part() {
    let (env, b) = setup();
    let out = env
        .bare()
        .args(["-v", "verify"])
        .arg(&b)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains(&format!("  fingerprint {}", sha256_hex(&b))),
        "{text}"
    );
    assert!(
        text.contains("  header copy A intact, header copy B intact, trailer intact"),
        "{text}"
    );
    // Without -v, one line; -v is for text only.
    let plain = env.bare().arg("verify").arg(&b).assert().success();
    assert_eq!(
        String::from_utf8_lossy(&plain.get_output().stdout)
            .lines()
            .count(),
        1
    );
    env.bare()
        .args(["-v", "--json", "verify"])
        .arg(&b)
        .assert()
        .code(2);
}

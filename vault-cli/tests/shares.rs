//! SLIP-39 recovery shares: `shares split`, and `recover --share-file` with shares in any
//! order, mistyped, from another set, duplicated, too few and more than enough — and
//! interoperability with the reference implementation (`shamir-mnemonic` on PyPI),
//! driven through `tests/interop/slip39_interop.py`. Without `python3` and the package
//! these tests FAIL; they never skip.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod emergency;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::*;
use emergency::*;
use predicates::prelude::*;
use serde_json::{json, Value};

/// Splits the vault's recovery secret into `t`-of-`n` share files in `dir`.
fn split(env: &Env, t: u8, n: u8, dir: &str) -> Vec<PathBuf> {
    let out = env
        .json()
        .args(["shares", "split", "--threshold", &t.to_string(), "--count"])
        .arg(n.to_string())
        .arg("--out-dir")
        .arg(env.path(dir))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let r: Shares = one(&out);
    assert_eq!(
        (r.threshold, r.count, r.shares.len()),
        (t, n, usize::from(n))
    );
    r.shares
        .iter()
        .map(|s| {
            assert!(s.mnemonic.is_none(), "written shares are not printed");
            PathBuf::from(s.file.clone().unwrap())
        })
        .collect()
}

/// `airvault recover FILE --share-file …` into `out` with a new password.
fn recover(
    env: &Env,
    file: &Path,
    shares: &[&PathBuf],
    out: &Path,
    pw: &Path,
) -> assert_cmd::assert::Assert {
    let mut c = env.bare();
    c.args(["--json", "recover"]).arg(file);
    for s in shares {
        c.arg("--share-file").arg(s);
    }
    c.arg("--new-password-file").arg(pw).arg("--out").arg(out);
    c.assert()
}

/// The mnemonic of a share file (its one line that is not a comment).
fn words(path: &Path) -> String {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .find(|l| !l.starts_with('#') && !l.trim().is_empty())
        .unwrap()
        .to_owned()
}

#[test]
fn split_writes_private_files_that_say_what_they_are_and_never_the_secret() {
    let (env, code) = populated();
    let files = split(&env, 2, 3, "shares");
    let vault_id = one::<RecoveryCode>(
        &env.json()
            .args(["recovery", "show"])
            .output()
            .unwrap()
            .stdout,
    )
    .vault_id;
    for (i, f) in files.iter().enumerate() {
        assert!(f.ends_with(format!("share-{}-of-3.txt", i + 1)));
        #[cfg(unix)]
        assert_eq!(mode(f), 0o600);
        let text = fs::read_to_string(f).unwrap();
        assert!(text.contains(&format!("share {} of 3", i + 1)));
        assert!(text.contains("Any 2 of the 3 shares"));
        assert!(text.contains(&vault_id));
        assert_eq!(words(f).split(' ').count(), 20);
        for group in code.split('-') {
            assert!(
                !text.contains(group),
                "a share file holds part of the recovery code"
            );
        }
    }
    // Never over existing shares without --force; with it, a new set.
    let before = fs::read(&files[0]).unwrap();
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
        .arg(env.path("shares"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(fs::read(&files[0]).unwrap(), before);
    env.cmd()
        .args([
            "shares",
            "split",
            "--threshold",
            "2",
            "--count",
            "3",
            "--force",
            "--out-dir",
        ])
        .arg(env.path("shares"))
        .assert()
        .success();
    assert_ne!(fs::read(&files[0]).unwrap(), before);
}

#[test]
fn split_prints_without_a_directory_and_checks_the_scheme() {
    let (env, _) = populated();
    let out = env
        .json()
        .args(["shares", "split", "--threshold", "3", "--count", "5"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let r: Shares = one(&out);
    assert_eq!(r.type_, "shares");
    assert_eq!(r.shares.len(), 5);
    assert!(r
        .shares
        .iter()
        .all(|s| s.file.is_none() && s.mnemonic.as_ref().unwrap().split(' ').count() == 20));
    env.cmd()
        .args(["shares", "split", "--threshold", "2", "--count", "2"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Share 2 of 2:"));
    env.cmd()
        .args(["shares", "split", "--threshold", "1", "--count", "1"])
        .assert()
        .success();
    for (t, n, why) in [
        ("1", "3", "1-of-3 split is not allowed"),
        ("3", "2", "need 1 <= threshold <= count"),
    ] {
        env.cmd()
            .args(["shares", "split", "--threshold", t, "--count", n])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(why));
    }
    for (t, n) in [("0", "3"), ("2", "17")] {
        env.cmd()
            .args(["shares", "split", "--threshold", t, "--count", n])
            .assert()
            .code(2);
    }
}

#[test]
fn shares_recover_in_any_order_and_more_than_enough_is_fine() {
    let (env, _) = populated();
    let backup = env.backup("b.airvault");
    let s = split(&env, 2, 3, "shares");
    let pw2 = password(&env, "new.pw", "after the shares");
    let want = secrets(&env, &env.vault, &env.pw);
    let cases: [(&str, Vec<&PathBuf>); 3] = [
        ("r1.airvault", vec![&s[2], &s[0]]),
        ("r2.airvault", vec![&s[1], &s[2]]),
        ("r3.airvault", vec![&s[1], &s[2], &s[0]]),
    ];
    for (out, given) in cases {
        let out = env.path(out);
        let json = recover(&env, &backup, &given, &out, &pw2)
            .success()
            .get_output()
            .stdout
            .clone();
        let r: Recover = one(&json);
        assert_eq!((r.method.as_str(), r.shares_used), ("shares", Some(2)));
        assert_eq!(secrets(&env, &out, &pw2), want);
    }
    // Shares written on several lines, in capitals, with words cut to four letters.
    let mut loose = String::from("# share typed back from paper\n");
    for (i, w) in words(&s[0]).split(' ').enumerate() {
        loose.push_str(&w[..w.len().min(4)].to_uppercase());
        loose.push(if i % 5 == 4 { '\n' } else { ' ' });
    }
    let typed = env.file("typed.txt", loose);
    recover(
        &env,
        &backup,
        &[&typed, &s[1]],
        &env.path("r4.airvault"),
        &pw2,
    )
    .success();
}

#[test]
fn a_bad_checksum_names_the_file_and_the_word() {
    let (env, _) = populated();
    let backup = env.backup("b.airvault");
    let s = split(&env, 2, 3, "shares");
    let mut w: Vec<String> = words(&s[1]).split(' ').map(str::to_owned).collect();
    w[6] = if w[6] == "academic" {
        "acid".into()
    } else {
        "academic".into()
    };
    let bad = env.file("share-2-typo.txt", w.join(" ") + "\n");
    let out = env.path("x.airvault");
    recover(&env, &backup, &[&s[0], &bad], &out, &env.pw)
        .code(2)
        .stderr(predicate::str::contains("share-2-typo.txt"))
        .stderr(predicate::str::contains("word 7 is probably mistyped"));
    let mut w: Vec<String> = words(&s[1]).split(' ').map(str::to_owned).collect();
    w[3] = "notaword".into();
    let unknown = env.file("share-2-unknown.txt", w.join(" "));
    recover(&env, &backup, &[&unknown, &s[0]], &out, &env.pw)
        .code(2)
        .stderr(predicate::str::contains(
            "share-2-unknown.txt: word 4 is not a SLIP-39",
        ));
    let w: Vec<String> = words(&s[1]).split(' ').map(str::to_owned).collect();
    let short = env.file("short.txt", w[..19].join(" "));
    recover(&env, &backup, &[&s[0], &short], &out, &env.pw)
        .code(2)
        .stderr(predicate::str::contains("short.txt: 19 words"));
    assert!(!out.exists());
}

#[test]
fn other_sets_duplicates_and_too_few_are_refused_clearly() {
    let (env, _) = populated();
    let backup = env.backup("b.airvault");
    let a = split(&env, 2, 3, "set-a");
    let b = split(&env, 2, 3, "set-b");
    let five = split(&env, 3, 5, "set-c");
    let out = env.path("x.airvault");
    recover(&env, &backup, &[&a[0], &b[1]], &out, &env.pw)
        .code(2)
        .stderr(predicate::str::contains("is from another share set than"))
        .stderr(predicate::str::contains("set-b/share-2-of-3.txt"));
    // Also when the stranger is a surplus share.
    recover(&env, &backup, &[&a[0], &a[1], &b[2]], &out, &env.pw)
        .code(2)
        .stderr(predicate::str::contains("another share set"));
    recover(&env, &backup, &[&a[0], &a[0]], &out, &env.pw)
        .code(2)
        .stderr(predicate::str::contains("hold the same share"));
    let copy = env.file("copy-of-1.txt", fs::read(&a[0]).unwrap());
    recover(&env, &backup, &[&a[0], &copy, &a[1]], &out, &env.pw)
        .code(2)
        .stderr(predicate::str::contains("hold the same share"));
    recover(&env, &backup, &[&a[2]], &out, &env.pw)
        .code(2)
        .stderr(predicate::str::contains(
            "1 more share is needed: 1 of 2 given",
        ));
    recover(&env, &backup, &[&five[4]], &out, &env.pw)
        .code(2)
        .stderr(predicate::str::contains(
            "2 more shares are needed: 1 of 3 given",
        ));
    assert!(!out.exists());
}

#[test]
fn shares_of_a_replaced_secret_do_not_open_the_vault() {
    let (env, _) = populated();
    let s = split(&env, 2, 3, "shares");
    env.cmd().args(["recovery", "reset"]).assert().success();
    recover(
        &env,
        &env.vault,
        &[&s[0], &s[1]],
        &env.path("x.airvault"),
        &env.pw,
    )
    .code(4)
    .stderr(predicate::str::contains("the shares do not open"));
}

// --- Interop with the reference implementation ------------------------------------------

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/interop/slip39_interop.py"
);
const INSTALL: &str =
    "install Python 3 and the reference implementation: python3 -m pip install shamir-mnemonic";

/// Runs the reference-implementation driver; fails the test if Python or the package is
/// missing.
fn reference(command: &str, input: &Value) -> Value {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let mut child = Command::new(&python)
        .arg(SCRIPT)
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `{python}` ({e}): {INSTALL}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    match output.status.code() {
        Some(0) => {}
        Some(3) => panic!("the Python package shamir-mnemonic is missing: {INSTALL}\n{stderr}"),
        _ => panic!("{SCRIPT} {command} failed ({}):\n{stderr}", output.status),
    }
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The vault's recovery secret as hex, from `recovery show`.
fn recovery_secret_hex(env: &Env) -> String {
    let shown: RecoveryCode = one(&env
        .json()
        .args(["recovery", "show"])
        .assert()
        .success()
        .get_output()
        .stdout);
    let secret = vault_core::recovery_code::parse(&shown.recovery_code).unwrap();
    hex::encode(secret.expose_secret())
}

#[test]
fn airvault_shares_combine_in_the_reference_implementation() {
    let (env, _) = populated();
    let s = split(&env, 2, 3, "shares");
    let printed: Shares = one(&env
        .json()
        .args(["shares", "split", "--threshold", "3", "--count", "5"])
        .assert()
        .success()
        .get_output()
        .stdout);
    let five: Vec<String> = printed
        .shares
        .into_iter()
        .map(|x| x.mnemonic.unwrap())
        .collect();
    let sets = json!([
        [words(&s[0]), words(&s[1])],
        [words(&s[2]), words(&s[0])],
        [five[4], five[0], five[2]],
    ]);
    let got = reference("combine", &json!({ "sets": sets, "passphrase": "" }));
    let want = recovery_secret_hex(&env);
    for (i, secret) in got["secrets"].as_array().unwrap().iter().enumerate() {
        assert_eq!(
            secret.as_str(),
            Some(want.as_str()),
            "set {i}: {}",
            got["errors"][i]
        );
    }
}

#[test]
fn reference_implementation_shares_open_the_vault() {
    let (env, _) = populated();
    let backup = env.backup("b.airvault");
    let want = secrets(&env, &env.vault, &env.pw);
    let secret = recovery_secret_hex(&env);
    let pw2 = password(&env, "new.pw", "from the reference shares");
    // generate_mnemonics(1, [(2, 3)], secret) — the library defaults (ext, e = 1) — and
    // what `shamir create` makes (e = 0), and a non-extendable set.
    for (exponent, extendable) in [(1, true), (0, true), (0, false)] {
        let made = reference(
            "generate",
            &json!({
                "group_threshold": 1,
                "groups": [[2, 3]],
                "secret": secret,
                "passphrase": "",
                "extendable": extendable,
                "iteration_exponent": exponent,
            }),
        );
        let mnemonics: Vec<String> = made["groups"][0]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap().to_owned())
            .collect();
        let files: Vec<PathBuf> = mnemonics
            .iter()
            .enumerate()
            .map(|(i, m)| env.file(&format!("ref-{exponent}-{extendable}-{i}.txt"), m))
            .collect();
        let out = env.path(&format!("ref-{exponent}-{extendable}.airvault"));
        recover(&env, &backup, &[&files[2], &files[0]], &out, &pw2).success();
        assert_eq!(secrets(&env, &out, &pw2), want);
    }
    // A reference set whose secret is not 16 bytes is not an airvault recovery set.
    let made = reference(
        "generate",
        &json!({
            "group_threshold": 1, "groups": [[2, 3]], "secret": "00".repeat(32),
            "passphrase": "", "extendable": true, "iteration_exponent": 0,
        }),
    );
    let files: Vec<PathBuf> = (0..2)
        .map(|i| {
            env.file(
                &format!("long-{i}.txt"),
                made["groups"][0][i].as_str().unwrap(),
            )
        })
        .collect();
    recover(
        &env,
        &backup,
        &[&files[0], &files[1]],
        &env.path("x.airvault"),
        &pw2,
    )
    .code(2)
    .stderr(predicate::str::contains("256-bit secret"));
}

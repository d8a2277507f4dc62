//! The drill runs end to end at the real KDF cost and reports every step. At the default
//! cost its password keyslots are Argon2id with 256 MiB and 3 passes, about 40 derivations
//! of up to a second each, so a run takes about 45 s on one core: the time limit below only
//! catches a hang, with room for two drills sharing a loaded two-core machine.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;

#[test]
fn drill_passes_and_reports_each_step_in_json() {
    let env = Env::new();
    let out = env
        .bare()
        .args(["--json", "drill"])
        .timeout(std::time::Duration::from_secs(300))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let lines: Vec<DrillLine> = lines(&out);
    let (last, steps) = lines.split_last().unwrap();
    let mut names = Vec::new();
    for (i, line) in steps.iter().enumerate() {
        match line {
            DrillLine::DrillStep {
                step,
                name,
                ok,
                detail,
                ..
            } => {
                assert_eq!(*step, i + 1);
                assert!(ok, "step {step} {name}: {detail}");
                names.push(name.as_str());
            }
            DrillLine::Drill { .. } => panic!("verdict before the last line"),
        }
    }
    match last {
        DrillLine::Drill {
            passed,
            steps: n,
            failed,
            ..
        } => {
            assert!(passed);
            assert_eq!((*n, *failed), (steps.len(), 0));
        }
        DrillLine::DrillStep { .. } => panic!("no verdict"),
    }
    for needle in [
        "init",
        "back up (binary",
        "back up (armored",
        "without a password",
        "fingerprint",
        "delete the vault",
        "restore from the binary backup",
        "restore from the armored backup",
        "--against",
        "flipped byte",
        "truncated",
        "mistyped armor",
        "wrong password",
        "recovery code",
        "2 of 3 shares",
        "mistyped recovery-code group",
        "salvage one damaged copy",
        "salvage both damaged copies",
    ] {
        assert!(
            names.iter().any(|n| n.contains(needle)),
            "no step about {needle}: {names:?}"
        );
    }
}

#[test]
fn drill_text_ends_with_pass() {
    let env = Env::new();
    let out = env
        .bare()
        .arg("drill")
        .timeout(std::time::Duration::from_secs(300))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.lines().filter(|l| l.starts_with('✓')).count() >= 15);
    assert!(!text.contains('✗'));
    assert!(text
        .trim_end()
        .lines()
        .last()
        .unwrap()
        .starts_with("PASS: "));
}

//! `kit`: a self-contained HTML sheet with nothing external, whose armor decodes to a
//! backup that verifies and restores; the recovery code only when asked, under a warning;
//! share pages from a share directory.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod emergency;

use std::fs;
use std::path::Path;

use common::*;
use emergency::*;
use predicates::prelude::*;
use sha2::{Digest, Sha256};

fn kit(env: &Env, out: &Path, extra: &[&str]) -> Kit {
    let json = env
        .json()
        .arg("kit")
        .arg("--out")
        .arg(out)
        .args(extra)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let k: Kit = one(&json);
    assert_eq!(k.type_, "kit");
    k
}

/// The armor block as printed on the sheet: BEGIN line to END line and its newline.
fn armor_of(html: &str) -> String {
    let start = html.find("-----BEGIN AIRVAULT BACKUP-----").unwrap();
    let end = html.find("-----END AIRVAULT BACKUP-----").unwrap();
    html[start..end + "-----END AIRVAULT BACKUP-----\n".len()].to_owned()
}

#[test]
fn the_kit_is_self_contained_and_loads_nothing() {
    let (env, code) = populated();
    let out = env.path("kit.html");
    let k = kit(&env, &out, &[]);
    #[cfg(unix)]
    assert_eq!(mode(&out), 0o600);
    let html = fs::read_to_string(&out).unwrap();
    assert_eq!(k.bytes, html.len());
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'"
    ));
    let lower = html.to_lowercase();
    for banned in [
        "http:", "https:", "://", "src=", "href=", "url(", "@import", "<script", "<link", "<img",
        "<iframe", "<object", "<embed", "<form",
    ] {
        assert!(!lower.contains(banned), "the kit contains {banned:?}");
    }
    assert!(html.contains("@media print") && html.contains("@page"));
    // Fill-in fields, instructions for the page and the command line.
    for needle in [
        "Fill in by hand",
        "airvault-recovery.html",
        "armor box",
        "airvault restore backup.asc",
        "--recovery-code-file",
        "--share-file",
        "airvault salvage",
        &k.vault_id,
        &k.fingerprint,
    ] {
        assert!(html.contains(needle), "the kit lacks {needle:?}");
    }
    // No recovery code by default: blanks instead.
    for group in code.split('-') {
        assert!(!html.contains(group), "the kit shows the recovery code");
    }
    assert!(html.contains("class=\"codeboxes\""));
    assert!(!html.contains("WARNING"));
    assert!(!k.recovery_code_included);
    env.cmd()
        .arg("kit")
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
}

#[test]
fn the_armor_on_the_sheet_is_a_backup_that_verifies_and_restores() {
    let (env, code) = populated();
    let out = env.path("kit.html");
    let k = kit(&env, &out, &[]);
    let html = fs::read_to_string(&out).unwrap();
    let armor = armor_of(&html);
    assert_eq!(hex::encode(Sha256::digest(armor.as_bytes())), k.fingerprint);
    assert_eq!(
        armor
            .lines()
            .filter(|l| l.starts_with(char::is_numeric))
            .count(),
        k.armor_lines
    );
    let asc = env.file("typed.asc", &armor);
    env.cmd()
        .args(["fingerprint"])
        .arg(&asc)
        .assert()
        .success()
        .stdout(predicate::str::starts_with(k.fingerprint.as_str()));
    // Checked keyless and keyed, from the saved text and from the sheet itself.
    for file in [&asc, &out] {
        let stdout = env
            .json()
            .arg("verify")
            .arg(file)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let (files, _) = verify_output(&stdout);
        assert_eq!(files[0].format.as_deref(), Some("armored"));
        assert_eq!(files[0].entries, Some(3));
        assert_eq!(files[0].generation, Some(k.generation));
    }
    let want = secrets(&env, &env.vault, &env.pw);
    let restored = env.path("restored.airvault");
    env.cmd()
        .arg("restore")
        .arg(&asc)
        .arg("--out")
        .arg(&restored)
        .assert()
        .success();
    assert_eq!(secrets(&env, &restored, &env.pw), want);
    // And with the recovery code, straight from the sheet.
    let code = code_file(&env, "code.txt", &code);
    let pw2 = password(&env, "new.pw", "from the kit");
    let recovered = env.path("recovered.airvault");
    env.bare()
        .arg("recover")
        .arg(&out)
        .arg("--recovery-code-file")
        .arg(&code)
        .arg("--new-password-file")
        .arg(&pw2)
        .arg("--out")
        .arg(&recovered)
        .assert()
        .success();
    assert_eq!(secrets(&env, &recovered, &pw2), want);
}

#[test]
fn the_recovery_code_only_when_asked_with_a_warning_and_an_audit_event() {
    let (env, code) = populated();
    let out = env.path("kit.html");
    let k = kit(&env, &out, &["--include-recovery-code"]);
    assert!(k.recovery_code_included);
    let html = fs::read_to_string(&out).unwrap();
    assert!(html.contains(&code));
    assert!(html.contains("WARNING") && html.contains("WITHOUT the password"));
    let bytes = fs::read(&env.vault).unwrap();
    let vault = <vault_cli::model::Vault as vault_cli::model::VaultFiles>::open(
        &bytes,
        b"correct horse battery staple",
        vault_cli::progress::Progress::Silent,
    )
    .unwrap()
    .vault;
    let last = vault.events.last().unwrap();
    assert_eq!(last.op, vault_core::AuditOp::RecoveryShow);
    assert!(last.detail.contains("kit.html") && !last.detail.contains(&code[..6]));
}

#[test]
fn share_pages_come_from_a_share_directory_of_this_vault() {
    let (env, _) = populated();
    let dir = env.path("shares");
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
        .arg(&dir)
        .assert()
        .success();
    let out = env.path("kit.html");
    let k = kit(&env, &out, &["--include-shares", dir.to_str().unwrap()]);
    assert_eq!(k.shares_included, 3);
    let html = fs::read_to_string(&out).unwrap();
    for i in 1..=3 {
        assert!(html.contains(&format!("Recovery share {i} of 3")));
        let text = fs::read_to_string(dir.join(format!("share-{i}-of-3.txt"))).unwrap();
        let words = text.lines().find(|l| !l.starts_with('#')).unwrap();
        for w in words.split(' ') {
            assert!(html.contains(&format!("<li>{w}</li>")), "{w}");
        }
    }
    assert!(html.contains("Any 2 of the shares"));
    assert!(html.contains("WARNING"));
    // Shares of a recovery secret that was replaced are refused.
    env.cmd().args(["recovery", "reset"]).assert().success();
    env.cmd()
        .arg("kit")
        .arg("--out")
        .arg(env.path("kit2.html"))
        .arg("--include-shares")
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "do not recover this vault's recovery secret",
        ));
    assert!(!env.path("kit2.html").exists());
}

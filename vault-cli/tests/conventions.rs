//! The conventions of the ecosystem, through the binary: shell completions and man pages
//! generated from the command-line definition, `--quiet` for cron, JSON errors for every
//! failure under `--json`, and did-you-mean suggestions.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::process::Command as Std;

use common::Env;

/// Completions offered by the bash script for the words typed so far (the last one being
/// completed), as bash-completion would ask for them.
fn bash_complete(words: &[&str]) -> Vec<String> {
    let env = Env::new();
    let script = env.bare().args(["completions", "bash"]).output().unwrap();
    assert!(script.status.success());
    let script_path = env.file("airvault.bash", &script.stdout);
    let words_q: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let line = words.join(" ");
    let prog = format!(
        "source '{}'; COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}; \
         _airvault airvault '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script_path.display(),
        words_q.join(" "),
        words.len() - 1,
        words[words.len() - 1],
        words[words.len() - 2],
    );
    let out = Std::new("bash").args(["-c", &prog]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn bash_completion_offers_subcommands() {
    let got = bash_complete(&["airvault", "ba"]);
    assert_eq!(got, ["backup"]);
    let got = bash_complete(&["airvault", "re"]);
    for want in ["restore", "remove", "recover", "recovery"] {
        assert!(got.iter().any(|g| g == want), "{want} not in {got:?}");
    }
    let mut got = bash_complete(&["airvault", "rotate"]);
    got.sort();
    assert_eq!(got, ["rotate", "rotate-master"]);
}

#[test]
fn bash_completion_offers_flags_of_a_subcommand() {
    let got = bash_complete(&["airvault", "backup", "--ar"]);
    assert_eq!(got, ["--armor"]);
}

#[test]
fn zsh_and_fish_scripts_are_written() {
    let env = Env::new();
    let zsh = env.bare().args(["completions", "zsh"]).output().unwrap();
    assert!(zsh.status.success());
    let zsh = String::from_utf8(zsh.stdout).unwrap();
    assert!(zsh.starts_with("#compdef airvault"), "{zsh}");
    assert!(zsh.contains("backup"));
    let fish = env.bare().args(["completions", "fish"]).output().unwrap();
    assert!(fish.status.success());
    let fish = String::from_utf8(fish.stdout).unwrap();
    assert!(fish.contains("complete -c airvault") && fish.contains("backup"));
    env.bare()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stdout("");
}

/// Every visible command, as its man page is named.
const COMMANDS: &[&str] = &[
    "init",
    "generate",
    "add",
    "list",
    "get",
    "remove",
    "backup",
    "restore",
    "verify",
    "fingerprint",
    "drill",
    "passwd",
    "rotate-master",
    "rotate",
    "policy",
    "status",
    "audit",
    "benchmark",
    "import-legacy",
    "keyring",
    "keyring-restore",
    "recovery",
    "recovery-show",
    "recovery-reset",
    "shares",
    "shares-split",
    "recover",
    "salvage",
    "kit",
    "page",
];

#[test]
fn man_pages_name_every_command() {
    let env = Env::new();
    let dir = env.path("man/man1");
    env.bare()
        .arg("man")
        .arg("--out-dir")
        .arg(&dir)
        .assert()
        .success()
        .stderr("");
    let main = fs::read_to_string(dir.join("airvault.1")).unwrap();
    assert!(main.starts_with(".ie") || main.starts_with(".TH"), "{main}");
    assert!(main.contains(".TH airvault 1"), "{main}");
    for cmd in COMMANDS {
        let page = fs::read_to_string(dir.join(format!("airvault-{cmd}.1")))
            .unwrap_or_else(|e| panic!("airvault-{cmd}.1: {e}"));
        assert!(page.contains(&format!(".TH airvault-{cmd} 1")), "{cmd}");
        let top = cmd.split('-').next().unwrap();
        if !cmd.contains("recovery-") && !cmd.contains("shares-") && !cmd.contains("keyring-") {
            assert!(main.contains(top), "airvault.1 does not name {cmd}");
        }
    }
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), COMMANDS.len() + 1, "{names:?}");
    assert!(!names
        .iter()
        .any(|n| n.contains("completions") || n.contains("-man")));

    // An existing page is not replaced without --force.
    env.bare()
        .arg("man")
        .arg("--out-dir")
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("already exists — pass --force"));
    env.bare()
        .args(["man", "--force", "--out-dir"])
        .arg(&dir)
        .assert()
        .success();
}

#[test]
fn man_pages_parse_with_man() {
    if Std::new("man").arg("--version").output().is_err() {
        eprintln!("man is not installed; skipped");
        return;
    }
    let env = Env::new();
    let dir = env.path("man");
    env.bare()
        .arg("man")
        .arg("--out-dir")
        .arg(&dir)
        .assert()
        .success();
    let out = Std::new("man")
        .arg("-l")
        .arg(dir.join("airvault-backup.1"))
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("MANWIDTH", "80")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("--armor"), "{text}");
}

// --- --quiet -------------------------------------------------------------------------------

#[test]
fn quiet_prints_nothing_on_success() {
    let env = Env::with_vault();
    for args in [
        &["generate", "db-key"][..],
        &["generate", "api-key"][..],
        &["rotate", "db-key"][..],
        &["list"][..],
        &["status", "--check-overdue"][..],
        &["audit", "--verify"][..],
        &["policy", "--default-days", "90"][..],
    ] {
        env.cmd()
            .arg("--quiet")
            .args(args)
            .assert()
            .success()
            .stdout("")
            .stderr("");
    }
    let out = env.path("b.airvault");
    env.cmd()
        .args(["backup", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout("")
        .stderr("");
    env.bare()
        .args(["verify", "--quiet"])
        .arg(&out)
        .assert()
        .success()
        .stdout("")
        .stderr("");
}

#[test]
fn quiet_still_prints_the_data_asked_for() {
    let env = Env::new();
    // The recovery code is shown only at init: --quiet does not hide it.
    let init = env
        .cmd()
        .args(["--quiet", "init", "--iterations", common::ITER])
        .output()
        .unwrap();
    assert!(init.status.success());
    assert!(String::from_utf8_lossy(&init.stdout).contains("Recovery code"));
    env.generate("k");
    let got = env
        .cmd()
        .args(["-q", "get", "k", "--format", "hex"])
        .output()
        .unwrap();
    assert!(got.status.success() && got.stderr.is_empty());
    assert_eq!(String::from_utf8(got.stdout).unwrap().trim().len(), 64);
}

#[test]
fn quiet_keeps_errors_and_drops_warnings() {
    let env = Env::with_vault();
    env.cmd()
        .args(["--quiet", "get", "missing", "--format", "hex"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::starts_with("error: "));
    // A rollback warning (an older copy of the vault put back) is dropped; the command
    // still runs.
    env.generate("a");
    let old = fs::read(&env.vault).unwrap();
    env.generate("k");
    fs::write(&env.vault, old).unwrap();
    let loud = env.cmd().arg("list").output().unwrap();
    assert!(String::from_utf8_lossy(&loud.stderr).contains("warning:"));
    env.cmd()
        .args(["--quiet", "list"])
        .assert()
        .success()
        .stdout("")
        .stderr("");
    // An overdue key is a failure: its line stays.
    env.cmd()
        .args(["--quiet", "status", "--check-overdue", "--policy-days", "1"])
        .env("AIRVAULT_TEST_NOW", "4000000000")
        .assert()
        .code(8)
        .stdout("")
        .stderr(predicates::str::starts_with("overdue: "));
    env.cmd()
        .args(["--quiet", "--json", "list"])
        .assert()
        .code(2);
}

// --- JSON errors for every failure -------------------------------------------------------

/// Runs `args` and returns the one JSON error object on standard output (exit 2).
fn json_usage_error(env: &Env, args: &[&str]) -> common::ErrorLine {
    let out = env.bare().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let err: common::ErrorLine = common::one(&out.stdout);
    assert_eq!(err.type_, "error");
    assert_eq!((err.exit_code, err.status.as_str()), (2, "usage"));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("error: "), "{stderr}");
    err
}

#[test]
fn argument_errors_are_json_under_json() {
    let env = Env::new();
    let e = json_usage_error(&env, &["--json", "generate", "x", "--bytes", "0"]);
    assert!(e.message.contains("'--bytes <N>'"), "{}", e.message);
    let e = json_usage_error(&env, &["generate", "x", "--json", "--frobnicate"]);
    assert!(e.message.contains("'--frobnicate'"), "{}", e.message);
    let e = json_usage_error(&env, &["--json", "get"]);
    assert!(e.message.contains("<NAME>"), "{}", e.message);
    let e = json_usage_error(&env, &["--json", "backup", "--out", "b", "--armor=maybe"]);
    assert!(!e.message.contains('\n'));
    json_usage_error(&env, &["--json"]);
    json_usage_error(&env, &["--json", "frobnicate"]);
    // After `--`, --json is an argument, not the option.
    env.bare()
        .args(["generate", "--bytes", "0", "--", "--json"])
        .assert()
        .code(2)
        .stdout("");
    // Without --json, stdout stays empty.
    env.bare()
        .args(["generate", "x", "--bytes", "0"])
        .assert()
        .code(2)
        .stdout("");
}

#[test]
fn help_and_version_are_unchanged_under_json() {
    let env = Env::new();
    let help = env.bare().args(["--json", "--help"]).output().unwrap();
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("Usage: airvault"));
    let version = env.bare().args(["--json", "--version"]).output().unwrap();
    assert_eq!(version.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("airvault "));
}

// --- Did you mean … ? ----------------------------------------------------------------------

#[test]
fn a_mistyped_entry_name_suggests_the_closest() {
    let env = Env::with_vault();
    env.generate("db-master-key");
    env.generate("api-token");
    for cmd in [
        &["get", "--format", "hex"][..],
        &["rotate"][..],
        &["remove", "--yes"][..],
    ] {
        env.cmd()
            .args(cmd)
            .arg("db-master-kye")
            .assert()
            .code(2)
            .stdout("")
            .stderr("error: no entry named 'db-master-kye' — did you mean db-master-key?\n");
    }
    env.cmd()
        .args(["backup", "--out", "b.airvault", "--entry", "api-tokn"])
        .assert()
        .code(2)
        .stderr("error: no entry named 'api-tokn' — did you mean api-token?\n");
    // Nothing close: the old hint.
    env.cmd()
        .args(["get", "--format", "hex", "signing-key"])
        .assert()
        .code(2)
        .stderr("error: no entry named 'signing-key' — 'airvault list' shows the entries\n");
    let out = env.json().args(["get", "db-master-kye"]).output().unwrap();
    let err: common::ErrorLine = common::one(&out.stdout);
    assert!(err.message.ends_with("did you mean db-master-key?"));
}

#[test]
fn a_mistyped_command_is_suggested_by_clap() {
    let env = Env::new();
    env.bare()
        .arg("bakup")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains(
            "tip: a similar subcommand exists: 'backup'",
        ));
    env.bare()
        .args(["backup", "--armr"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "tip: a similar argument exists: '--armor'",
        ));
}

#[test]
fn add_of_an_existing_name_suggests_new_version() {
    let env = Env::with_vault();
    let f = env.file("s.txt", "secret one");
    env.cmd()
        .args(["add", "pw", "--from-file"])
        .arg(&f)
        .assert()
        .success();
    env.cmd()
        .args(["add", "pw", "--from-file"])
        .arg(&f)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains(
            "error: an entry named 'pw' already exists — to store this secret as its next \
             version, add --new-version",
        ));
}

/// Every subcommand's `--help` ends with examples, and every example parses as a command
/// line of this binary (arguments a real run would accept; nothing is run).
#[test]
fn every_command_has_examples_that_parse() {
    use clap::{CommandFactory, Parser};
    let root = vault_cli::cli::Cli::command();
    let mut seen = 0;
    let mut stack: Vec<(String, clap::Command)> = root
        .get_subcommands()
        .map(|c| (c.get_name().to_owned(), c.clone()))
        .collect();
    while let Some((path, cmd)) = stack.pop() {
        stack.extend(
            cmd.get_subcommands()
                .map(|c| (format!("{path} {}", c.get_name()), c.clone())),
        );
        if cmd.is_hide_set() {
            continue;
        }
        let help = cmd
            .get_after_help()
            .map(|h| h.to_string())
            .unwrap_or_default();
        assert!(help.starts_with("Examples:"), "'{path}' has no examples");
        for line in help.lines().skip(1) {
            let line = line.split('#').next().unwrap().trim();
            assert!(line.starts_with("airvault "), "'{path}': {line}");
            let args: Vec<String> = line
                .split_whitespace()
                .map(|a| {
                    if a == "HEX" {
                        "ab".repeat(32)
                    } else {
                        a.to_owned()
                    }
                })
                .collect();
            if let Err(e) = vault_cli::cli::Cli::try_parse_from(&args) {
                panic!("'{path}' example does not parse: {line}\n{e}");
            }
            seen += 1;
        }
    }
    assert!(seen >= 40, "only {seen} examples");
}

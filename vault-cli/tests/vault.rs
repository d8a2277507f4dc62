//! The vault commands: init, generate, add, list, get, remove; passwords, paths, exit codes
//! and JSON output.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::io::Read;
use std::process::Stdio;

use common::*;
use predicates::prelude::*;

#[test]
fn init_reports_in_json_and_writes_a_private_file() {
    let env = Env::new();
    let out = env
        .json()
        .args(["init", "--iterations", ITER])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let init: Init = one(&out);
    assert_eq!(init.kind, "init");
    assert_eq!(init.iterations, 100_000);
    assert_eq!(init.vault_id.len(), 32);
    let groups: Vec<&str> = init.recovery_code.split('-').collect();
    assert_eq!(groups.len(), 8);
    assert!(groups
        .iter()
        .all(|g| g.len() == 6 && g.bytes().all(|b| b.is_ascii_digit())));
    #[cfg(unix)]
    assert_eq!(mode(&env.vault), 0o600);
    // The vault verifies keylessly and is the only file written.
    env.bare().arg("verify").arg(&env.vault).assert().success();
    assert_eq!(env.listing(), ["vault.airvault", "vault.pw"]);
}

#[test]
fn init_text_shows_the_recovery_code_once() {
    let env = Env::new();
    env.cmd()
        .args(["init", "--iterations", ITER])
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"\n    (\d{6}-){7}\d{6}\n").unwrap());
}

#[test]
fn init_with_the_real_default_cost() {
    let env = Env::new();
    let out = env
        .json()
        .arg("init")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    // The password keyslot is Argon2id at its default cost; the recovery keyslot is
    // PBKDF2 at 600,000 iterations, so a reader without memory for Argon2id opens it too.
    let init = one::<Init>(&out);
    assert_eq!(init.iterations, 600_000);
    assert_eq!(init.password_kdf, "Argon2id, 256 MiB, 3 passes, 4 lanes");
    let f = fs::read(&env.vault).unwrap();
    assert_eq!(&f[64..72], &[1, 2, 4, 3, 0x00, 0x00, 0x04, 0x00]);
    assert_eq!(
        &f[64 + 136..64 + 136 + 8],
        &[2, 1, 0, 0, 0xC0, 0x27, 0x09, 0x00]
    );
    env.generate("k");
    // A backup of it has the same password keyslot KDF.
    let b = env.backup("b.airvault");
    assert_eq!(&fs::read(b).unwrap()[64..72], &f[64..72]);
}

#[test]
fn init_with_pbkdf2_for_a_microcontroller() {
    let env = Env::new();
    let out = stdout(
        env.json()
            .args(["init", "--kdf", "pbkdf2"])
            .assert()
            .success(),
    );
    let init = one::<Init>(&out);
    assert_eq!(init.password_kdf, "PBKDF2-HMAC-SHA256, 600000 iterations");
    assert_eq!(fs::read(&env.vault).unwrap()[64 + 1], 1);
    // The text report names both keyslots' KDFs.
    let other = Env::new();
    other
        .cmd()
        .args(["init", "--memory", "8", "--passes", "1", "--lanes", "1"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "(password keyslot: Argon2id, 8 MiB, 1 pass, 1 lane; recovery keyslot: \
             PBKDF2-HMAC-SHA256, 600000 iterations)",
        ));
    other.generate("k");
}

#[test]
fn init_never_overwrites_without_force() {
    let env = Env::with_vault();
    let before = fs::read(&env.vault).unwrap();
    env.cmd()
        .args(["init", "--iterations", ITER])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("already exists").and(predicate::str::contains("--force")),
        );
    assert_eq!(fs::read(&env.vault).unwrap(), before);
    env.cmd()
        .args(["init", "--iterations", ITER, "--force"])
        .assert()
        .success();
    assert_ne!(fs::read(&env.vault).unwrap(), before);
}

#[test]
fn init_refuses_iteration_counts_outside_the_format() {
    let env = Env::new();
    for n in ["0", "99999", "20000001", "4294967295"] {
        env.cmd()
            .args(["init", "--iterations", n])
            .assert()
            .code(6)
            .stderr(predicate::str::contains("iterations refused"));
        assert!(!env.vault.exists());
    }
    env.cmd()
        .args(["init", "--iterations", "4294967296"])
        .assert()
        .code(2);
}

#[test]
fn init_with_a_target_time_picks_at_least_the_default() {
    let env = Env::new();
    let out = env
        .json()
        .args(["init", "--target-time", "1"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let init = one::<Init>(&out);
    assert_eq!(init.iterations, 600_000);
    // The Argon2id keyslot gets at least 64 MiB.
    let mib: u32 = init.password_kdf["Argon2id, ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((64..=2048).contains(&mib), "{}", init.password_kdf);
    env.cmd()
        .args(["init", "--target-time", "10", "--iterations", ITER])
        .assert()
        .code(2);
}

#[test]
fn init_refuses_argon2id_costs_outside_the_format_before_asking_anything() {
    let env = Env::new();
    for (args, code) in [
        (&["--memory", "7"][..], 6),
        (&["--memory", "2049"][..], 6),
        (&["--memory", "4294967295"][..], 6),
        (&["--passes", "0"][..], 6),
        (&["--passes", "17"][..], 6),
        (&["--lanes", "9"][..], 6),
        (&["--kdf", "argon2id", "--iterations", "600000"][..], 2),
        (&["--iterations", "600000", "--lanes", "2"][..], 2),
    ] {
        env.cmd()
            .arg("init")
            .args(args)
            .assert()
            .code(code)
            .stderr(predicate::str::starts_with("error: "));
        assert!(!env.vault.exists(), "{args:?}");
    }
}

#[test]
fn default_vault_is_in_the_data_directory_and_env_overrides_it() {
    let env = Env::new();
    env.bare()
        .arg("--password-file")
        .arg(&env.pw)
        .args(["init", "--iterations", ITER])
        .assert()
        .success();
    let dir = env.path("xdg-data").join("airvault");
    assert!(dir.join("vault.airvault").is_file());
    #[cfg(unix)]
    assert_eq!(mode(&dir), 0o700);

    let other = env.path("elsewhere.airvault");
    env.bare()
        .env("AIRVAULT_VAULT", &other)
        .arg("--password-file")
        .arg(&env.pw)
        .args(["init", "--iterations", ITER])
        .assert()
        .success();
    assert!(other.is_file());
    // --vault wins over the environment.
    env.bare()
        .env("AIRVAULT_VAULT", env.path("nowhere.airvault"))
        .arg("--vault")
        .arg(&other)
        .arg("--password-file")
        .arg(&env.pw)
        .arg("list")
        .assert()
        .success();
}

#[test]
fn entries_round_trip_with_json_read_back() {
    let env = Env::with_vault();
    let out = env
        .json()
        .args(["generate", "db-key"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let g: Added = one(&out);
    assert_eq!(
        (
            g.kind_.as_str(),
            g.op.as_str(),
            g.kind.as_str(),
            g.bytes,
            g.version
        ),
        ("added", "generate", "symmetric-key", 32, 1)
    );
    assert_eq!(g.kcv.len(), 8);
    env.cmd()
        .args(["generate", "totp", "--bytes", "20", "--kind", "totp-seed"])
        .assert()
        .success();
    let blob = env.file("blob.bin", [0u8, 1, 2, 255, 10, 13]);
    env.cmd()
        .args(["add", "blob", "--from-file"])
        .arg(&blob)
        .assert()
        .success();
    env.cmd()
        .args(["add", "root", "--kind", "password", "--stdin"])
        .write_stdin("s3cret-pass\n")
        .assert()
        .success();
    let pem = env.file(
        "key.pem",
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n",
    );
    env.cmd()
        .args(["add", "signing", "--kind", "private-key-pem", "--from-file"])
        .arg(&pem)
        .assert()
        .success();

    let out = env
        .json()
        .arg("list")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let list: Vec<Entry> = lines(&out);
    let names: Vec<&str> = list.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["blob", "db-key", "root", "signing", "totp"]);
    assert!(list.iter().all(|e| e.type_ == "entry"
        && e.version == 1
        && e.versions == 1
        && e.status == "active"
        && e.created_at == e.rotated_at
        && e.id.len() == 32));
    assert_eq!(list[4].kind, "totp-seed");
    assert_eq!(list[4].bytes, 20);
    assert_eq!(list[1].kcv, g.kcv);

    // Raw output to a pipe is the exact bytes; the password lost its newline.
    env.cmd()
        .args(["get", "blob"])
        .assert()
        .success()
        .stdout(predicate::eq(&[0u8, 1, 2, 255, 10, 13][..]));
    env.cmd()
        .args(["get", "root"])
        .assert()
        .success()
        .stdout("s3cret-pass");
    env.cmd()
        .args(["get", "blob", "--format", "hex"])
        .assert()
        .success()
        .stdout("000102ff0a0d\n");
    env.cmd()
        .args(["get", "blob", "--format", "base64"])
        .assert()
        .success()
        .stdout("AAEC/woN\n");
    let out = env
        .json()
        .args(["get", "db-key"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let s: Secret = one(&out);
    assert_eq!((s.type_.as_str(), s.format.as_str()), ("secret", "hex"));
    assert_eq!(s.value.as_ref().unwrap().len(), 64);
    assert_eq!((s.kcv, s.out), (g.kcv.clone(), None));
    env.json()
        .args(["get", "db-key", "--format", "raw"])
        .assert()
        .code(2);
    env.cmd()
        .args(["get", "signing"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("-----BEGIN PRIVATE KEY-----"));
}

#[test]
fn get_out_writes_a_private_file_and_never_overwrites() {
    let env = Env::with_vault();
    env.generate("k");
    let out = env.path("k.bin");
    let json = env
        .json()
        .args(["get", "k", "--out"])
        .arg(&out)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let s: Secret = one(&json);
    assert_eq!((s.value, s.format.as_str(), s.bytes), (None, "raw", 32));
    assert_eq!(fs::read(&out).unwrap().len(), 32);
    #[cfg(unix)]
    assert_eq!(mode(&out), 0o600);
    let before = fs::read(&out).unwrap();
    env.cmd()
        .args(["get", "k", "--format", "hex", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    assert_eq!(fs::read(&out).unwrap(), before);
    env.cmd()
        .args(["get", "k", "--format", "hex", "--force", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(
        fs::read(&out).unwrap(),
        format!("{}\n", hex::encode(&before)).as_bytes()
    );
}

/// Runs `cmd` with its standard output on a pseudo-terminal (util-linux `script`).
fn on_a_terminal(env: &Env, args: &str) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("airvault");
    let line = format!(
        "{} --vault {} --password-file {} {args}",
        bin.display(),
        env.vault.display(),
        env.pw.display()
    );
    std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .expect("util-linux 'script' runs commands on a pseudo-terminal")
}

#[test]
fn get_refuses_raw_bytes_on_a_terminal() {
    let env = Env::with_vault();
    env.generate("k");
    let out = on_a_terminal(&env, "get k");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("refusing to write raw secret bytes to a terminal"),
        "{text}"
    );
    let out = on_a_terminal(&env, "get k --format hex");
    assert_eq!(out.status.code(), Some(0));
    // The terminal also shows the KDF progress bar; the secret follows it.
    let want = env
        .cmd()
        .args(["get", "k", "--format", "hex"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let want = String::from_utf8(want).unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(want.trim()), "{text}");
}

#[test]
fn get_names_what_is_missing() {
    let env = Env::with_vault();
    env.generate("k");
    env.cmd()
        .args(["get", "nope", "--format", "hex"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no entry named 'nope'"));
    env.cmd()
        .args(["get", "k", "--version", "2", "--format", "hex"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no version 2"));
}

#[test]
fn refused_changes_leave_the_vault_untouched() {
    let env = Env::with_vault();
    env.generate("k");
    let before = fs::read(&env.vault).unwrap();
    env.cmd()
        .args(["generate", "k"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "an entry named 'k' already exists",
        ));
    // (generate --kind password makes a password: see
    // generate_kind_password_makes_a_password_or_a_passphrase_and_states_its_entropy.)
    env.cmd()
        .args(["generate", "p", "--kind", "private-key-pem"])
        .assert()
        .code(2);
    env.cmd()
        .args(["generate", "p", "--bytes", "0"])
        .assert()
        .code(2);
    env.cmd()
        .args(["generate", "p", "--bytes", "65537"])
        .assert()
        .code(2);
    env.cmd().args(["generate", "bad\tname"]).assert().code(2);
    env.cmd()
        .args(["generate", &"n".repeat(257)])
        .assert()
        .code(2);
    let empty = env.file("empty", "");
    env.cmd()
        .args(["add", "e", "--from-file"])
        .arg(&empty)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("empty"));
    let big = env.file("big", vec![7u8; 65_537]);
    env.cmd()
        .args(["add", "b", "--from-file"])
        .arg(&big)
        .assert()
        .code(2);
    let binary = env.file("bin", [0xffu8, 0xfe]);
    env.cmd()
        .args(["add", "p", "--kind", "password", "--from-file"])
        .arg(&binary)
        .assert()
        .code(2);
    let not_pem = env.file("x.pem", "hello");
    env.cmd()
        .args(["add", "p", "--kind", "private-key-pem", "--from-file"])
        .arg(&not_pem)
        .assert()
        .code(2);
    env.cmd()
        .args(["add", "p", "--from-file"])
        .arg(env.path("missing"))
        .assert()
        .code(3);
    env.cmd().args(["remove", "nope", "--yes"]).assert().code(2);
    env.cmd()
        .args(["remove", "k"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));
    let wrong = env.file("wrong.pw", "not it");
    env.bare()
        .arg("--vault")
        .arg(&env.vault)
        .arg("--password-file")
        .arg(&wrong)
        .args(["generate", "x"])
        .assert()
        .code(4);
    assert_eq!(fs::read(&env.vault).unwrap(), before);
    assert_eq!(
        env.listing(),
        [
            "big",
            "bin",
            "empty",
            "vault.airvault",
            "vault.pw",
            "wrong.pw",
            "x.pem"
        ]
    );
}

#[test]
fn remove_deletes_every_version_and_is_audited() {
    let env = Env::with_vault();
    env.generate("a");
    env.generate("b");
    let out = env
        .json()
        .args(["remove", "a", "--yes"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let r: Removed = one(&out);
    assert_eq!(
        (r.type_.as_str(), r.name.as_str(), r.versions),
        ("removed", "a", 1)
    );
    let out = env
        .json()
        .arg("list")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let names: Vec<String> = lines::<Entry>(&out).into_iter().map(|e| e.name).collect();
    assert_eq!(names, ["b"]);
    // init, generate ×2, remove: four audit events; four writes of the vault.
    let out = env
        .json()
        .args(["backup", "--out"])
        .arg(env.path("b.airvault"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let b: Backup = one(&out);
    assert_eq!((b.audit_events, b.generation), (4, 4));
}

#[test]
fn wrong_password_is_exit_4_and_never_echoed() {
    let env = Env::with_vault();
    let wrong = env.file("wrong.pw", "hunter2-wrong\n");
    env.bare()
        .arg("--vault")
        .arg(&env.vault)
        .arg("--password-file")
        .arg(&wrong)
        .arg("list")
        .assert()
        .code(4)
        .stdout("")
        .stderr(
            predicate::str::starts_with("error: wrong password for ")
                .and(predicate::str::contains("(file intact) — "))
                .and(predicate::str::contains("hunter2").not())
                .and(predicate::function(|s: &str| s.lines().count() == 1)),
        );
}

#[test]
fn password_sources() {
    let env = Env::with_vault();
    // Standard input, first line only.
    env.bare()
        .arg("--vault")
        .arg(&env.vault)
        .args(["--password-stdin", "list"])
        .write_stdin("correct horse battery staple\nignored\n")
        .assert()
        .success();
    // CRLF and no newline at all.
    for text in [
        "correct horse battery staple\r\n",
        "correct horse battery staple",
    ] {
        let f = env.file("alt.pw", text);
        env.bare()
            .arg("--vault")
            .arg(&env.vault)
            .arg("--password-file")
            .arg(&f)
            .arg("list")
            .assert()
            .success();
    }
    // Empty, missing, none at all.
    let empty = env.file("empty.pw", "\n");
    env.bare()
        .arg("--vault")
        .arg(&env.vault)
        .arg("--password-file")
        .arg(&empty)
        .arg("list")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the password is empty"));
    env.bare()
        .arg("--vault")
        .arg(&env.vault)
        .arg("--password-file")
        .arg(env.path("missing.pw"))
        .arg("list")
        .assert()
        .code(3);
    env.bare()
        .arg("--vault")
        .arg(&env.vault)
        .arg("list")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--password-file"));
    // Both sources at once is a usage error, and so is a password in an argument.
    env.cmd()
        .args(["--password-stdin", "list"])
        .assert()
        .code(2);
    env.cmd().args(["list", "--password", "x"]).assert().code(2);
    // An empty new password is refused before anything is written.
    let fresh = env.path("fresh.airvault");
    env.bare()
        .arg("--vault")
        .arg(&fresh)
        .arg("--password-file")
        .arg(&empty)
        .args(["init", "--iterations", ITER])
        .assert()
        .code(2);
    assert!(!fresh.exists());
}

#[test]
fn missing_vault_is_an_io_error_with_a_hint() {
    let env = Env::new();
    env.cmd().arg("list").assert().code(3).stderr(
        predicate::str::contains("no vault at").and(predicate::str::contains("airvault init")),
    );
}

#[test]
fn usage_errors_exit_2_and_help_lists_exit_codes() {
    let env = Env::new();
    env.bare().assert().code(2);
    env.bare().arg("frobnicate").assert().code(2);
    env.bare().args(["generate"]).assert().code(2);
    env.bare()
        .args(["generate", "k", "--kind", "nope"])
        .assert()
        .code(2);
    env.bare().args(["add", "k"]).assert().code(2);
    env.bare()
        .args(["add", "k", "--stdin", "--from-file", "x"])
        .assert()
        .code(2);
    env.bare()
        .args(["get", "k", "--format", "octal"])
        .assert()
        .code(2);
    env.bare().args(["verify"]).assert().code(2);
    env.bare()
        .args(["verify", "x", "--expect-fingerprint", "abc"])
        .assert()
        .code(2);
    env.bare().args(["backup"]).assert().code(2);
    env.bare().arg("--version").assert().success();
    env.bare().arg("--help").assert().success().stdout(
        predicate::str::contains("Exit codes:")
            .and(predicate::str::contains("4  authentication failed"))
            .and(predicate::str::contains("7  verification mismatch")),
    );
}

#[test]
fn json_mode_reports_errors_as_objects_too() {
    let env = Env::new();
    let out = env
        .json()
        .arg("list")
        .assert()
        .code(3)
        .get_output()
        .stdout
        .clone();
    let e: ErrorLine = one(&out);
    assert_eq!(
        (e.type_.as_str(), e.exit_code, e.status.as_str()),
        ("error", 3, "io")
    );
    assert!(e.message.contains("no vault at"));
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let env = Env::with_vault();
    let big = env.file("big", vec![0x5au8; 65_536]);
    env.cmd()
        .args(["add", "big", "--from-file"])
        .arg(&big)
        .assert()
        .success();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("airvault"))
        .arg("--vault")
        .arg(&env.vault)
        .arg("--password-file")
        .arg(&env.pw)
        .args(["get", "big", "--format", "hex"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(err, "");
}

#[test]
fn a_backup_or_another_file_given_as_the_vault_is_named_as_such() {
    let env = Env::with_vault();
    env.generate("k");
    let asc = env.path("paper.asc");
    env.cmd()
        .args(["backup", "--armor", "--out"])
        .arg(&asc)
        .assert()
        .success();
    // Named before any password is asked (no password source is given here).
    env.bare()
        .arg("--vault")
        .arg(&asc)
        .arg("list")
        .assert()
        .code(5)
        .stderr(predicate::str::contains(
            "is an armored backup, not a vault",
        ))
        .stderr(predicate::str::contains("airvault restore"));
    let text = env.file("notes.txt", "not a vault at all\n");
    env.bare()
        .arg("--vault")
        .arg(&text)
        .arg("--password-file")
        .arg(&env.pw)
        .arg("list")
        .assert()
        .code(5)
        .stderr(predicate::str::contains("not an airvault file"))
        .stderr(predicate::str::contains("check the vault path"));
}

#[test]
fn names_with_leading_or_trailing_whitespace_are_refused() {
    let env = Env::with_vault();
    let secret = env.file("s.bin", [7u8; 32]);
    for name in [" padded", "padded ", "tab\t"] {
        let mut c = env.cmd();
        c.args(["add", name, "--from-file"]).arg(&secret);
        let expect = if name.contains('\t') {
            "control characters"
        } else {
            "starts or ends with whitespace"
        };
        c.assert().code(2).stderr(predicate::str::contains(expect));
        env.cmd()
            .args(["generate", name])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(expect));
    }
    env.cmd()
        .args(["add", "inner space ok", "--from-file"])
        .arg(&secret)
        .assert()
        .success();
}

fn stdout(a: assert_cmd::assert::Assert) -> Vec<u8> {
    a.get_output().stdout.clone()
}

#[test]
fn generate_kind_password_makes_a_password_or_a_passphrase_and_states_its_entropy() {
    let env = Env::with_vault();
    let get = |name: &str| {
        let out = env
            .cmd()
            .args(["get", name])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).unwrap()
    };
    let out = stdout(
        env.json()
            .args(["generate", "root", "--kind", "password"])
            .assert()
            .success(),
    );
    let r: Added = one(&out);
    assert_eq!((r.kind.as_str(), r.bytes), ("password", 24));
    assert_eq!(r.entropy_bits, Some(157));
    let pw = get("root");
    assert_eq!(pw.trim_end().len(), 24);
    assert!(pw.trim_end().bytes().all(|b| (33..=126).contains(&b)));
    // A password's check value is keyed, never the unkeyed KCV of the text.
    assert_ne!(
        r.kcv,
        vault_core::Kcv::of(pw.trim_end().as_bytes()).to_string()
    );

    let out = stdout(
        env.json()
            .args([
                "generate",
                "plain",
                "--kind",
                "password",
                "--length",
                "16",
                "--no-symbols",
            ])
            .assert()
            .success(),
    );
    assert_eq!(one::<Added>(&out).entropy_bits, Some(95)); // 16 · log2(62) = 95.3
    assert!(get("plain")
        .trim_end()
        .bytes()
        .all(|b| b.is_ascii_alphanumeric()));

    let out = stdout(
        env.json()
            .args(["generate", "phrase", "--kind", "password", "--words", "6"])
            .assert()
            .success(),
    );
    assert_eq!(one::<Added>(&out).entropy_bits, Some(60));
    let phrase = get("phrase");
    let words: Vec<&str> = phrase.trim_end().split('-').collect();
    assert_eq!(words.len(), 6);
    assert!(words
        .iter()
        .all(|w| vault_core::slip39::word_index(w).is_some()));

    // Refused: a password sized in bytes, password options on a key, too short.
    for args in [
        &["generate", "x", "--kind", "password", "--bytes", "16"][..],
        &["generate", "x", "--length", "20"][..],
        &["generate", "x", "--kind", "password", "--length", "5"][..],
        &["generate", "x", "--kind", "password", "--words", "2"][..],
    ] {
        env.cmd().args(args).assert().code(2);
    }
}

#[test]
fn long_names_do_not_break_lists_columns() {
    let env = Env::with_vault();
    let long = "very-long-name-".repeat(13);
    for name in ["a", long.as_str(), "Ünïcødé ✓ seed"] {
        env.generate(name);
    }
    env.cmd()
        .args(["generate", "pw", "--kind", "password"])
        .assert()
        .success();
    let out = env
        .cmd()
        .arg("list")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    // Where " rotated " starts on each line, in characters.
    let columns: Vec<usize> = text
        .lines()
        .map(|l| l[..l.find(" rotated ").unwrap()].chars().count())
        .collect();
    assert_eq!(columns.len(), 4, "{text}");
    assert!(columns.iter().all(|&c| c == columns[0]), "{text}");
    assert!(text.contains(&long));
}

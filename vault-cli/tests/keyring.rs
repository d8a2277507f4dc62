//! The OS keyring as a source (`add --from-keyring`) and a restore target
//! (`get --to-keyring`, `keyring restore`).
//!
//! The tests marked `ignore` need a real Secret Service: `bash tests/keyring/run.sh` starts
//! GNOME Keyring in a private D-Bus session and runs them there, cross-checking every item
//! with `secret-tool` (libsecret's own client). The others run anywhere: without a keyring
//! every keyring command fails with one line and exit 3, before a password is asked, and
//! nothing else changes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::io::Write;
use std::process::{Command as Std, Stdio};

use common::keyring::{restore_output, KeyringItem, KeyringLine};
use common::lifecycle::AuditEvent;
use common::*;

/// `secret-tool ARGS` with `stdin`; its output.
fn secret_tool(args: &[&str], stdin: &[u8]) -> std::process::Output {
    let mut child = Std::new("secret-tool")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("secret-tool (Debian: libsecret-tools)");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

/// The secret of the item SERVICE/ACCOUNT as libsecret reads it, or `None`.
fn lookup(service: &str, account: &str) -> Option<Vec<u8>> {
    let out = secret_tool(&["lookup", "service", service, "username", account], b"");
    out.status.success().then_some(out.stdout)
}

fn store(service: &str, account: &str, secret: &[u8]) {
    let out = secret_tool(
        &[
            "store",
            "--label",
            "stored by another tool",
            "service",
            service,
            "username",
            account,
        ],
        secret,
    );
    assert!(out.status.success(), "{out:?}");
}

fn clear(service: &str, account: &str) {
    secret_tool(&["clear", "service", service, "username", account], b"");
    assert_eq!(lookup(service, account), None);
}

/// A service name no other test uses.
fn service(test: &str) -> String {
    format!("airvault-test-{}-{test}", std::process::id())
}

fn item_line(stdout: &[u8]) -> KeyringItem {
    match one::<KeyringLine>(stdout) {
        KeyringLine::KeyringItem(i) => i,
        other => panic!("{other:?}"),
    }
}

fn secret_hex(env: &Env, name: &str) -> String {
    let out = env
        .cmd()
        .args(["get", name, "--format", "hex"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap().trim().to_owned()
}

/// One secret of each kind, as `add` stores it.
fn kinds() -> Vec<(&'static str, Vec<u8>)> {
    let mut opaque: Vec<u8> = (0..=255u8).collect();
    opaque.extend_from_slice(b"\0\n\r\xff end");
    vec![
        ("symmetric-key", (0..32u8).map(|i| i.wrapping_mul(37) ^ 0xa5).collect()),
        (
            "private-key-pem",
            b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIKeyringCanaryPemBody0123456789abcdefghij\n-----END PRIVATE KEY-----\n"
                .to_vec(),
        ),
        ("password", "pässwörd canary keyring 7Hq!".as_bytes().to_vec()),
        ("totp-seed", (0..20u8).map(|i| i.wrapping_mul(11) ^ 0x3c).collect()),
        ("opaque", opaque),
    ]
}

#[test]
#[ignore = "needs a Secret Service: bash tests/keyring/run.sh"]
fn every_kind_round_trips_through_the_keyring() {
    let env = Env::with_vault();
    let svc = service("kinds");
    for (kind, secret) in kinds() {
        let file = env.file(&format!("{kind}.bin"), &secret);
        let src = format!("src-{kind}");
        env.cmd()
            .args(["add", &src, "--kind", kind, "--from-file"])
            .arg(&file)
            .assert()
            .success();
        // Into the keyring, read by libsecret's own client.
        let item = format!("{svc}/{kind}");
        let out = env
            .json()
            .args(["get", &src, "--to-keyring", &item])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let written = item_line(&out);
        assert_eq!(written.action, "created");
        assert_eq!(
            (written.service.as_str(), written.account.as_str()),
            (svc.as_str(), kind)
        );
        assert_eq!(written.bytes, secret.len());
        assert_eq!(lookup(&svc, kind).as_deref(), Some(&secret[..]), "{kind}");
        // Back from the keyring into the vault, with its origin remembered.
        env.cmd()
            .args(["add", kind, "--kind", kind, "--from-keyring", &item])
            .assert()
            .success();
        assert_eq!(secret_hex(&env, kind), hex(&secret), "{kind}");
        // The keyring lost: the item comes back from the origin alone.
        clear(&svc, kind);
        let out = env
            .json()
            .args(["get", kind, "--to-keyring"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let back = item_line(&out);
        assert_eq!(back.action, "created");
        assert_eq!(back.kcv, written.kcv);
        assert_eq!(lookup(&svc, kind).as_deref(), Some(&secret[..]), "{kind}");
        // Writing it again changes nothing.
        let out = env
            .json()
            .args(["get", kind, "--to-keyring"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        assert_eq!(item_line(&out).action, "unchanged");
    }
    // The origin is the audit detail, as docs/FORMAT.md specifies it.
    let events: Vec<AuditEvent> = lines(
        &env.json()
            .args(["audit", "--op", "add"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone(),
    );
    for (kind, _) in kinds() {
        let e = events
            .iter()
            .find(|e| e.name.as_deref() == Some(kind))
            .unwrap();
        assert_eq!(e.detail, format!("from keyring {svc}/{kind}"));
    }
    // The independent decoder reads the same origins from the file.
    let out = Std::new("python3")
        .arg(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../tests/interop/decode_vault.py"),
        )
        .arg(&env.vault)
        .arg("--password")
        .arg("correct horse battery staple")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let decoded: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let origins = decoded["keyring_origins"].as_object().unwrap();
    assert_eq!(origins.len(), kinds().len());
    for (kind, _) in kinds() {
        let id = decoded["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == kind)
            .unwrap()["id_hex"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(origins[&id]["service"], svc.as_str());
        assert_eq!(origins[&id]["account"], kind);
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
#[ignore = "needs a Secret Service: bash tests/keyring/run.sh"]
fn items_made_by_other_tools_import_and_a_new_version_moves_the_origin() {
    let env = Env::with_vault();
    let svc = service("other-tools");
    store(&svc, "db", b"first secret from the app");
    env.cmd()
        .args([
            "add",
            "db",
            "--kind",
            "password",
            "--from-keyring",
            &format!("{svc}/db"),
        ])
        .assert()
        .success();
    assert_eq!(secret_hex(&env, "db"), hex(b"first secret from the app"));
    // A missing item is a usage error naming it; nothing is added.
    env.cmd()
        .args(["add", "x", "--from-keyring", &format!("{svc}/missing")])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(format!(
            "the keyring has no item {svc}/missing"
        )));
    // A new version from another item: the origin follows it.
    store(&svc, "db2", b"second secret");
    env.json()
        .args([
            "add",
            "db",
            "--new-version",
            "--from-keyring",
            &format!("{svc}/db2"),
        ])
        .assert()
        .success();
    clear(&svc, "db2");
    env.cmd()
        .args(["get", "db", "--to-keyring"])
        .assert()
        .success();
    assert_eq!(lookup(&svc, "db2").as_deref(), Some(&b"second secret"[..]));
    assert_eq!(
        lookup(&svc, "db").as_deref(),
        Some(&b"first secret from the app"[..])
    );
    // An entry never imported has no origin: exit 2, and naming an item works.
    env.generate("k");
    env.cmd()
        .args(["get", "k", "--to-keyring"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "'k' was not imported from the keyring",
        ));
}

#[test]
#[ignore = "needs a Secret Service: bash tests/keyring/run.sh"]
fn replacing_an_item_asks_and_a_wrong_password_writes_nothing() {
    let env = Env::with_vault();
    let svc = service("replace");
    store(&svc, "k", b"original");
    env.cmd()
        .args([
            "add",
            "k",
            "--kind",
            "password",
            "--from-keyring",
            &format!("{svc}/k"),
        ])
        .assert()
        .success();
    store(&svc, "k", b"changed by the app");
    // No terminal, no --yes: refused, the item unchanged.
    env.cmd()
        .args(["get", "k", "--to-keyring"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("already holds another secret"));
    assert_eq!(
        lookup(&svc, "k").as_deref(),
        Some(&b"changed by the app"[..])
    );
    let out = env
        .json()
        .args(["get", "k", "--to-keyring", "--yes"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(item_line(&out).action, "replaced");
    assert_eq!(lookup(&svc, "k").as_deref(), Some(&b"original"[..]));

    // A wrong vault password: exit 4 and the keyring untouched.
    clear(&svc, "k");
    let wrong = env.file("wrong.pw", "not the password\n");
    env.bare()
        .arg("--vault")
        .arg(&env.vault)
        .arg("--password-file")
        .arg(&wrong)
        .args(["get", "k", "--to-keyring", "--yes"])
        .assert()
        .code(4);
    env.bare()
        .arg("--vault")
        .arg(&env.vault)
        .arg("--password-file")
        .arg(&wrong)
        .args(["keyring", "restore", "--yes"])
        .assert()
        .code(4);
    assert_eq!(lookup(&svc, "k"), None);
}

#[test]
#[ignore = "needs a Secret Service: bash tests/keyring/run.sh"]
fn the_keyring_comes_back_from_a_backup_by_password_recovery_code_or_shares() {
    let env = Env::new();
    let init: Init = one(&env
        .json()
        .args(["init", "--iterations", ITER])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone());
    let svc = service("bulk");
    let items: Vec<(&str, &str, Vec<u8>)> = vec![
        ("app-db", "symmetric-key", (0..32u8).collect()),
        ("app-api", "password", b"api token canary 55".to_vec()),
        ("app-tls", "opaque", b"\x00\x01binary\xfe\xff".to_vec()),
    ];
    for (name, kind, secret) in &items {
        store(&svc, name, secret);
        env.cmd()
            .args([
                "add",
                name,
                "--kind",
                kind,
                "--from-keyring",
                &format!("{svc}/{name}"),
            ])
            .assert()
            .success();
    }
    env.generate("not-from-the-keyring");
    let backup_pw = env.file("backup.pw", "backup password\n");
    let backup = env.path("b.airvault");
    env.cmd()
        .args(["backup", "--out"])
        .arg(&backup)
        .arg("--new-password-file")
        .arg(&backup_pw)
        .assert()
        .success();
    let paper = env.path("paper.asc");
    env.cmd()
        .args(["backup", "--armor", "--out"])
        .arg(&paper)
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
    let code = env.file("code.txt", format!("{}\n", init.recovery_code));
    let lose_the_keyring = || {
        for (name, _, _) in &items {
            clear(&svc, name);
        }
    };
    let all_back = || {
        for (name, _, secret) in &items {
            assert_eq!(lookup(&svc, name).as_deref(), Some(&secret[..]), "{name}");
        }
    };
    let restore = |args: &[&std::ffi::OsStr], code: i32| {
        let out = env
            .bare()
            .arg("--vault")
            .arg(&env.vault)
            .arg("--json")
            .args(["keyring", "restore"])
            .args(args)
            .assert()
            .code(code)
            .get_output()
            .stdout
            .clone();
        out
    };
    let os = |s: &'static str| std::ffi::OsStr::new(s);

    // 1. From a binary backup with its own password.
    lose_the_keyring();
    let out = restore(
        &[
            backup.as_os_str(),
            os("--password-file"),
            backup_pw.as_os_str(),
        ],
        0,
    );
    let (written, summary) = restore_output(&out);
    assert_eq!(
        (summary.items, summary.created, summary.without_origin),
        (3, 3, 1)
    );
    let mut names: Vec<&str> = written.iter().map(|i| i.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["app-api", "app-db", "app-tls"]);
    assert!(written
        .iter()
        .all(|i| i.action == "created" && i.service == svc));
    all_back();

    // 2. From the paper backup with the recovery code.
    lose_the_keyring();
    restore(
        &[
            paper.as_os_str(),
            os("--recovery-code-file"),
            code.as_os_str(),
        ],
        0,
    );
    all_back();

    // 3. From the backup with two of three shares; then again: nothing to change.
    lose_the_keyring();
    let s1 = shares.join("share-1-of-3.txt");
    let s3 = shares.join("share-3-of-3.txt");
    let with_shares = [
        backup.as_os_str(),
        os("--share-file"),
        s3.as_os_str(),
        os("--share-file"),
        s1.as_os_str(),
    ];
    restore(&with_shares, 0);
    all_back();
    let (_, again) = restore_output(&restore(&with_shares, 0));
    assert_eq!((again.unchanged, again.created, again.replaced), (3, 0, 0));

    // 4. Wrong secrets: exit 4, nothing written.
    lose_the_keyring();
    let wrong = env.file("wrong.pw", "wrong\n");
    restore(
        &[backup.as_os_str(), os("--password-file"), wrong.as_os_str()],
        4,
    );
    let other = Env::new();
    let other_init: Init = one(&other
        .json()
        .args(["init", "--iterations", ITER])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone());
    let other_code = env.file("other-code.txt", format!("{}\n", other_init.recovery_code));
    restore(
        &[
            backup.as_os_str(),
            os("--recovery-code-file"),
            other_code.as_os_str(),
        ],
        4,
    );
    for (name, _, _) in &items {
        assert_eq!(
            lookup(&svc, name),
            None,
            "{name} written after a wrong secret"
        );
    }

    // 5. An item changed by someone else: without --yes or a terminal nothing is written,
    //    not even the missing items; with --yes every item is written.
    store(&svc, "app-api", b"changed meanwhile");
    restore(
        &[
            backup.as_os_str(),
            os("--password-file"),
            backup_pw.as_os_str(),
        ],
        2,
    );
    assert_eq!(lookup(&svc, "app-db"), None);
    assert_eq!(
        lookup(&svc, "app-api").as_deref(),
        Some(&b"changed meanwhile"[..])
    );
    let out = restore(
        &[
            backup.as_os_str(),
            os("--password-file"),
            backup_pw.as_os_str(),
            os("--yes"),
        ],
        0,
    );
    let (_, summary) = restore_output(&out);
    assert_eq!((summary.created, summary.replaced), (2, 1));
    all_back();

    // 6. From the live vault itself, as text: one line per item and a summary.
    lose_the_keyring();
    let out = env
        .cmd()
        .args(["keyring", "restore"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.matches("Wrote keyring item").count(), 3, "{text}");
    assert!(text.contains("3 keyring item(s) from"), "{text}");
    all_back();

    // 7. A vault salvaged from the backup keeps the audit events, and with them the origins.
    lose_the_keyring();
    let salvaged = env.path("salvaged.airvault");
    env.bare()
        .arg("--password-file")
        .arg(&backup_pw)
        .arg("salvage")
        .arg(&backup)
        .arg("--out")
        .arg(&salvaged)
        .assert()
        .success();
    restore(
        &[
            salvaged.as_os_str(),
            os("--password-file"),
            backup_pw.as_os_str(),
        ],
        0,
    );
    all_back();
    lose_the_keyring();
}

/// Runs `airvault` as on a machine with no keyring: no session bus.
fn without_keyring(env: &Env, c: &mut assert_cmd::Command) {
    c.env(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/airvault-test-bus",
    )
    .env("XDG_RUNTIME_DIR", env.path("no-runtime-dir"));
}

#[test]
fn without_a_keyring_each_command_fails_with_one_line_and_exit_3() {
    let env = Env::with_vault();
    env.generate("k");
    let backup = env.backup("b.airvault");
    let before = fs::read(&env.vault).unwrap();
    let code = env.file(
        "code.txt",
        "000000-000000-000000-000000-000000-000000-000000-000000\n",
    );
    let runs: Vec<Vec<&std::ffi::OsStr>> = vec![
        vec![
            "add".as_ref(),
            "x".as_ref(),
            "--from-keyring".as_ref(),
            "app/x".as_ref(),
        ],
        vec![
            "add".as_ref(),
            "k".as_ref(),
            "--new-version".as_ref(),
            "--from-keyring".as_ref(),
            "app/k".as_ref(),
        ],
        vec![
            "get".as_ref(),
            "k".as_ref(),
            "--to-keyring".as_ref(),
            "app/k".as_ref(),
        ],
        vec!["get".as_ref(), "k".as_ref(), "--to-keyring".as_ref()],
        vec!["keyring".as_ref(), "restore".as_ref()],
        vec![
            "keyring".as_ref(),
            "restore".as_ref(),
            backup.as_os_str(),
            "--recovery-code-file".as_ref(),
            code.as_os_str(),
        ],
    ];
    for args in &runs {
        // No password is given: the keyring is checked before one would be asked for.
        let mut c = env.bare();
        c.arg("--vault").arg(&env.vault).args(args);
        without_keyring(&env, &mut c);
        let out = c.assert().code(3).get_output().clone();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with("error: cannot use the OS keyring (Secret Service): "),
            "{err}"
        );
        assert!(out.stdout.is_empty());
        // With --json: the same line, and one error object.
        let mut c = env.bare();
        c.arg("--vault").arg(&env.vault).arg("--json").args(args);
        without_keyring(&env, &mut c);
        let out = c.assert().code(3).get_output().clone();
        let e: ErrorLine = one(&out.stdout);
        assert_eq!(e.exit_code, 3);
    }
    assert_eq!(fs::read(&env.vault).unwrap(), before, "the vault changed");
    // Nothing else changes on such a machine.
    let mut c = env.cmd();
    c.args(["get", "k", "--format", "hex"]);
    without_keyring(&env, &mut c);
    c.assert().success();
}

#[test]
fn keyring_item_names_are_checked_before_anything_else() {
    let env = Env::with_vault();
    for bad in [
        "no-slash",
        "/account",
        "service/",
        &format!("s/{}", "a".repeat(300)),
    ] {
        env.cmd()
            .args(["add", "x", "--from-keyring", bad])
            .assert()
            .code(2);
        env.cmd()
            .args(["get", "x", "--to-keyring", bad])
            .assert()
            .code(2);
    }
    // --to-keyring does not mix with the options that print or save the secret.
    for extra in [&["--format", "hex"][..], &["--out", "f"], &["--force"]] {
        env.cmd()
            .args(["get", "x", "--to-keyring", "a/b"])
            .args(extra)
            .assert()
            .code(2);
    }
    env.cmd().args(["get", "x", "--yes"]).assert().code(2);
}

#[test]
#[ignore = "needs dbus-daemon: bash tests/keyring/run.sh"]
fn a_session_bus_without_a_secret_service_is_exit_3_too() {
    let env = Env::with_vault();
    env.generate("k");
    // A private session bus that can start no service: no Secret Service on it.
    let bus = env.path("bus");
    let config = env.file(
        "bus.conf",
        format!(
            "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\" \
             \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n\
             <busconfig><type>session</type><listen>unix:path={}</listen>\
             <auth>EXTERNAL</auth><policy context=\"default\"><allow send_destination=\"*\" \
             eavesdrop=\"true\"/><allow eavesdrop=\"true\"/><allow own=\"*\"/></policy>\
             </busconfig>\n",
            bus.display()
        ),
    );
    let mut daemon = Std::new("dbus-daemon")
        .arg(format!("--config-file={}", config.display()))
        .arg("--nofork")
        .stderr(Stdio::null())
        .spawn()
        .expect("dbus-daemon (Debian: dbus)");
    let mut waited = 0;
    while !bus.exists() && waited < 100 {
        std::thread::sleep(std::time::Duration::from_millis(50));
        waited += 1;
    }
    assert!(bus.exists(), "the private bus did not start");
    let address = format!("unix:path={}", bus.display());
    for args in [
        &["get", "k", "--to-keyring", "app/k"][..],
        &["add", "x", "--from-keyring", "app/x"],
        &["keyring", "restore"],
    ] {
        let out = env
            .cmd()
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .args(args)
            .assert()
            .code(3)
            .get_output()
            .stderr
            .clone();
        let err = String::from_utf8(out).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with("error: cannot use the OS keyring (Secret Service): "),
            "{err}"
        );
    }
    daemon.kill().unwrap();
    daemon.wait().unwrap();
}

#[test]
#[ignore = "needs a Secret Service: bash tests/keyring/run.sh"]
fn two_entries_from_one_item_are_named_and_nothing_is_written() {
    let env = Env::with_vault();
    let svc = service("twice");
    store(&svc, "shared", b"one secret");
    store(&svc, "other", b"another secret");
    for name in ["first", "second"] {
        env.cmd()
            .args(["add", name, "--from-keyring", &format!("{svc}/shared")])
            .assert()
            .success();
    }
    env.cmd()
        .args(["add", "third", "--from-keyring", &format!("{svc}/other")])
        .assert()
        .success();
    clear(&svc, "shared");
    clear(&svc, "other");
    env.cmd()
        .args(["keyring", "restore", "--yes"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(format!(
            "'first' and 'second' were both imported from the keyring item {svc}/shared"
        )));
    assert_eq!(lookup(&svc, "shared"), None);
    assert_eq!(lookup(&svc, "other"), None);
    // One of them, named, goes back.
    env.cmd()
        .args(["get", "second", "--to-keyring"])
        .assert()
        .success();
    assert_eq!(lookup(&svc, "shared").as_deref(), Some(&b"one secret"[..]));
}

#[test]
#[ignore = "needs a Secret Service: bash tests/keyring/run.sh"]
fn a_damaged_backup_is_refused_and_nothing_is_written() {
    let env = Env::with_vault();
    let svc = service("damaged");
    store(&svc, "k", b"the key");
    env.cmd()
        .args(["add", "k", "--from-keyring", &format!("{svc}/k")])
        .assert()
        .success();
    let backup = env.backup("b.airvault");
    clear(&svc, "k");
    // One bit of the first record (right after the first header copy).
    let at = header_len(&fs::read(&backup).unwrap()) + 40;
    flip(&backup, isize::try_from(at).unwrap());
    env.cmd()
        .args(["keyring", "restore"])
        .arg(&backup)
        .assert()
        .code(5)
        .stderr(predicates::str::contains("salvage"));
    assert_eq!(lookup(&svc, "k"), None);
}

/// The keyring is spoken to in pure Rust: the binary links no D-Bus library, so it starts
/// on a machine without one.
#[cfg(target_os = "linux")]
#[test]
fn the_binary_links_no_dbus_library() {
    let out = Std::new("ldd")
        .arg(assert_cmd::cargo::cargo_bin("airvault"))
        .output()
        .expect("ldd");
    let libs = String::from_utf8_lossy(&out.stdout);
    assert!(libs.contains("libc.so"), "{libs}");
    assert!(!libs.contains("dbus"), "{libs}");
}

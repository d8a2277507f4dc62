//! `import-legacy` with files made by the real `openssl enc` command line and tokens made
//! by Python's `cryptography.fernet` (the reference implementation). Both tools must be
//! installed: these tests fail, with an install hint, when they are not.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use base64::Engine;
use common::lifecycle::*;
use common::*;
use predicates::prelude::*;

const OPENSSL_HINT: &str = "these tests need the `openssl` command line tool (OpenSSL 1.1.1 \
     or 3.x): apt-get install openssl";
const PYTHON_HINT: &str = "these tests need python3 with the `cryptography` package (the \
     reference Fernet implementation): apt-get install python3 python3-pip && python3 -m pip \
     install cryptography (tests/run.sh installs it)";

/// A fixed salt makes each file, and so each test, deterministic: with a random salt a
/// wrong password or setting passes the padding check about one time in 256.
const SALT: [u8; 8] = [0x0b, 0xad, 0xc0, 0xde, 0x5a, 0x17, 0x00, 0x42];
const LEGACY_PW: &str = "old team passphrase";

/// `openssl enc -aes-256-cbc -pass pass:LEGACY_PW -S SALT EXTRA` of `plain`, written to
/// `name`. OpenSSL 3 leaves out the `Salted__` header when given `-S`; it is put back, so
/// the file is exactly what `openssl enc` writes when its random salt is SALT.
fn openssl_file(env: &Env, name: &str, plain: &[u8], extra: &[&str]) -> PathBuf {
    let version = Command::new("openssl").arg("version").output();
    assert!(
        version.is_ok_and(|o| o.status.success()),
        "cannot run openssl: {OPENSSL_HINT}"
    );
    let input = env.file(&format!("{name}.plain"), plain);
    let raw = env.path(&format!("{name}.raw"));
    let out = Command::new("openssl")
        .args(["enc", "-aes-256-cbc", "-pass"])
        .arg(format!("pass:{LEGACY_PW}"))
        .args(["-S", &hex::encode(SALT)])
        .args(extra)
        .arg("-in")
        .arg(&input)
        .arg("-out")
        .arg(&raw)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl enc {extra:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let armored = extra.contains(&"-a");
    let body = fs::read(&raw).unwrap();
    let binary = if armored {
        let text: String = String::from_utf8(body)
            .unwrap()
            .split_whitespace()
            .collect();
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap()
    } else {
        body
    };
    let mut file = b"Salted__".to_vec();
    file.extend_from_slice(&SALT);
    if binary.starts_with(b"Salted__") {
        // OpenSSL 1.1.1 still writes the header with -S.
        file.extend_from_slice(&binary[16..]);
    } else {
        file.extend_from_slice(&binary);
    }
    let bytes = if armored {
        let b64 = base64::engine::general_purpose::STANDARD.encode(&file);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!("{}\n", lines.join("\n")).into_bytes()
    } else {
        file
    };
    env.file(name, bytes)
}

/// Runs a Python snippet with `cryptography`; returns its standard output.
fn python(script: &str) -> String {
    let probe = Command::new("python3")
        .args(["-c", "import cryptography.fernet"])
        .output();
    match probe {
        Ok(o) if o.status.success() => {}
        Ok(o) => panic!(
            "python3 cannot import cryptography.fernet ({}): {PYTHON_HINT}",
            String::from_utf8_lossy(&o.stderr).trim()
        ),
        Err(e) => panic!("cannot run python3 ({e}): {PYTHON_HINT}"),
    }
    let out = Command::new("python3")
        .args(["-c", script])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn import(
    env: &Env,
    file: &std::path::Path,
    name: &str,
    args: &[&str],
) -> assert_cmd::assert::Assert {
    let lpw = env.file("legacy.pw", format!("{LEGACY_PW}\n"));
    env.json()
        .args(["import-legacy", name])
        .arg(file)
        .args(["--from", "openssl", "--legacy-password-file"])
        .arg(&lpw)
        .args(args)
        .assert()
}

fn get_hex(env: &Env, name: &str) -> String {
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

#[test]
fn openssl_files_import_to_the_original_bytes() {
    let env = Env::with_vault();
    let key: Vec<u8> = (0u8..32).map(|i| i.wrapping_mul(37) ^ 0xa5).collect();
    // (file made with, import options, kdf reported)
    let cases: &[(&[&str], &[&str], &str)] = &[
        (&["-pbkdf2"], &[], "PBKDF2-HMAC-SHA256, 10000 iterations"),
        (
            &["-pbkdf2", "-iter", "100000", "-md", "sha512", "-a"],
            &["--iterations", "100000", "--digest", "sha512"],
            "PBKDF2-HMAC-SHA512, 100000 iterations",
        ),
        (
            &["-pbkdf2", "-iter", "1000", "-md", "sha1"],
            &["--iterations", "1000", "--digest", "sha1"],
            "PBKDF2-HMAC-SHA1, 1000 iterations",
        ),
        (
            &["-md", "md5", "-a"],
            &["--bytes-to-key", "--digest", "md5"],
            "EVP_BytesToKey-MD5 (no -pbkdf2)",
        ),
        (
            &["-md", "sha256"],
            &["--bytes-to-key"],
            "EVP_BytesToKey-SHA256 (no -pbkdf2)",
        ),
        (
            &["-pbkdf2", "-iter", "100000"],
            &["--try-common"],
            "PBKDF2-HMAC-SHA256, 100000 iterations",
        ),
        (
            &["-md", "md5"],
            &["--try-common"],
            "EVP_BytesToKey-MD5 (no -pbkdf2)",
        ),
        // README's example of a file made with other settings, found without them.
        (
            &["-pbkdf2", "-md", "sha512", "-iter", "100000"],
            &["--try-common"],
            "PBKDF2-HMAC-SHA512, 100000 iterations",
        ),
    ];
    for (i, (made_with, opts, kdf)) in cases.iter().enumerate() {
        let file = openssl_file(&env, &format!("key{i}.enc"), &key, made_with);
        let name = format!("legacy-{i}");
        let mut args = opts.to_vec();
        args.push("--yes");
        let out = import(&env, &file, &name, &args)
            .success()
            .stderr(predicate::str::contains("UNAUTHENTICATED"))
            .get_output()
            .stdout
            .clone();
        let r: Imported = one(&out);
        assert_eq!(
            (r.type_.as_str(), r.format.as_str(), r.authenticated),
            ("imported", "openssl", false),
            "{made_with:?}"
        );
        assert_eq!(r.kdf.as_deref(), Some(*kdf), "{made_with:?}");
        assert_eq!((r.bytes, r.version, r.token_time), (32, 1, None));
        assert_eq!(get_hex(&env, &name), hex::encode(&key), "{made_with:?}");
    }
    // Each import is audited as unauthenticated, with the derivation that worked.
    let s = state(&env.vault, &env.pw);
    let details: Vec<&str> = s
        .events
        .iter()
        .filter(|e| e.op.name() == "import-legacy")
        .map(|e| e.detail.as_str())
        .collect();
    assert_eq!(details.len(), cases.len());
    assert_eq!(
        details[0],
        "openssl enc, unauthenticated, PBKDF2-HMAC-SHA256, 10000 iterations"
    );
}

#[test]
fn an_openssl_password_entry_keeps_its_text() {
    let env = Env::with_vault();
    let file = openssl_file(&env, "pw.enc", b"s3cret pass\n", &["-pbkdf2", "-a"]);
    import(&env, &file, "db-password", &["--kind", "password", "--yes"]).success();
    assert_eq!(get_hex(&env, "db-password"), hex::encode("s3cret pass"));
    // With --try-common, a setting whose output is not text is passed over.
    let file = openssl_file(&env, "pw2.enc", b"another one", &["-md", "md5"]);
    import(
        &env,
        &file,
        "old-password",
        &["--kind", "password", "--try-common", "--yes"],
    )
    .success()
    .stderr(predicate::str::contains("EVP_BytesToKey-MD5"));
    assert_eq!(get_hex(&env, "old-password"), hex::encode("another one"));
}

#[test]
fn a_wrong_openssl_password_or_setting_imports_nothing() {
    let env = Env::with_vault();
    let file = openssl_file(&env, "key.enc", &[7u8; 32], &["-pbkdf2"]);
    let before = fs::read(&env.vault).unwrap();
    let wrong = env.file("wrong.pw", "not the passphrase\n");
    let out = env
        .json()
        .args(["import-legacy", "k"])
        .arg(&file)
        .args(["--from", "openssl", "--yes", "--legacy-password-file"])
        .arg(&wrong)
        .assert()
        .code(4)
        .stderr(predicate::str::contains("wrong password or settings"))
        .get_output()
        .stdout
        .clone();
    assert_eq!(one::<ErrorLine>(&out).status, "authentication");
    // The right password with the wrong settings, and every common setting tried.
    import(&env, &file, "k", &["--iterations", "30000", "--yes"]).code(4);
    env.cmd()
        .args(["import-legacy", "k"])
        .arg(&file)
        .args([
            "--from",
            "openssl",
            "--try-common",
            "--yes",
            "--legacy-password-file",
        ])
        .arg(&wrong)
        .assert()
        .code(4)
        .stderr(predicate::str::contains("EVP_BytesToKey-MD5"));
    assert_eq!(fs::read(&env.vault).unwrap(), before);

    // Not an openssl file at all, or truncated: malformed (exit 5).
    let junk = env.file("junk.enc", "just some text\n");
    import(&env, &junk, "k", &["--yes"]).code(5);
    let mut cut = fs::read(&file).unwrap();
    cut.truncate(cut.len() - 5);
    let cut = env.file("cut.enc", cut);
    import(&env, &cut, "k", &["--yes"]).code(5);
    assert_eq!(fs::read(&env.vault).unwrap(), before);
}

/// The format's weakness, shown on a real file: with this salt and password, 20,000
/// iterations where 10,000 were used still pass the padding check and yield 47 bytes of
/// garbage. Only the size and KCV shown before the import (or the kind's own checks) can
/// tell.
#[test]
fn a_wrong_setting_can_pass_the_padding_check() {
    let env = Env::with_vault();
    let file = openssl_file(&env, "key.enc", &[7u8; 32], &["-pbkdf2"]);
    let before = fs::read(&env.vault).unwrap();
    // Without --yes and without a terminal nothing is decrypted, let alone stored.
    import(&env, &file, "k", &["--iterations", "20000"]).code(2);
    // As a password it is refused: the garbage is not UTF-8 text.
    import(
        &env,
        &file,
        "k",
        &["--iterations", "20000", "--kind", "password", "--yes"],
    )
    .code(2)
    .stderr(predicate::str::contains("UTF-8").and(predicate::str::contains("padding check")));
    assert_eq!(fs::read(&env.vault).unwrap(), before);
    // Confirmed blindly, it is stored; the report says what it is.
    let original = vault_core::Kcv::of(&[7u8; 32]).to_string();
    let out = import(&env, &file, "k", &["--iterations", "20000", "--yes"])
        .success()
        .stderr(
            predicate::str::contains("47 bytes").and(predicate::str::contains("UNAUTHENTICATED")),
        )
        .get_output()
        .stdout
        .clone();
    let r: Imported = one(&out);
    assert_eq!((r.bytes, r.authenticated), (47, false));
    assert_ne!(r.kcv, original);
}

#[test]
fn an_unattended_openssl_import_needs_yes() {
    let env = Env::with_vault();
    let file = openssl_file(&env, "key.enc", &[1u8; 16], &["-pbkdf2"]);
    let before = fs::read(&env.vault).unwrap();
    import(&env, &file, "k", &[])
        .code(2)
        .stderr(predicate::str::contains("unauthenticated").and(predicate::str::contains("--yes")));
    assert_eq!(fs::read(&env.vault).unwrap(), before);
    // No password file for the legacy file and no terminal to ask on.
    env.cmd()
        .args(["import-legacy", "k"])
        .arg(&file)
        .args(["--from", "openssl", "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--legacy-password-file"));
    // A name that is taken is refused before anything is decrypted.
    env.generate("taken");
    import(&env, &file, "taken", &["--yes"])
        .code(2)
        .stderr(predicate::str::contains("already exists"));
}

/// A Fernet key and a token of `plain` made at Unix time `at` by `cryptography.fernet`.
fn fernet(env: &Env, name: &str, plain: &[u8], at: u64) -> (PathBuf, PathBuf) {
    let out = python(&format!(
        "from cryptography.fernet import Fernet\n\
         k = Fernet.generate_key()\n\
         t = Fernet(k).encrypt_at_time(bytes.fromhex('{}'), {at})\n\
         print(k.decode()); print(t.decode())",
        hex::encode(plain)
    ));
    let mut lines = out.lines();
    let key = env.file(
        &format!("{name}.key"),
        format!("{}\n", lines.next().unwrap()),
    );
    let token = env.file(
        &format!("{name}.token"),
        format!("{}\n", lines.next().unwrap()),
    );
    (key, token)
}

fn import_fernet(
    env: &Env,
    token: &std::path::Path,
    key: &std::path::Path,
    name: &str,
) -> assert_cmd::assert::Assert {
    env.json()
        .args(["import-legacy", name])
        .arg(token)
        .args(["--from", "fernet", "--key-file"])
        .arg(key)
        .assert()
}

#[test]
fn fernet_tokens_import_to_the_original_bytes() {
    let env = Env::with_vault();
    let secret: Vec<u8> = (0u8..48).map(|i| i.wrapping_mul(91)).collect();
    let (key, token) = fernet(&env, "a", &secret, 1_600_000_000);
    // Unattended, and without --yes: the token is authenticated.
    let out = import_fernet(&env, &token, &key, "from-fernet")
        .success()
        .get_output()
        .stdout
        .clone();
    let r: Imported = one(&out);
    assert_eq!(
        (r.format.as_str(), r.authenticated, r.kdf, r.token_time),
        ("fernet", true, None, Some(1_600_000_000))
    );
    assert_eq!(r.bytes, 48);
    assert_eq!(get_hex(&env, "from-fernet"), hex::encode(&secret));

    let (key, token) = fernet(&env, "b", b"hunter2\n", 1_700_000_000);
    env.cmd()
        .args(["import-legacy", "pw"])
        .arg(&token)
        .args(["--from", "fernet", "--kind", "password", "--key-file"])
        .arg(&key)
        .assert()
        .success()
        .stdout(predicate::str::contains("2023-11-14 22:13 UTC"));
    assert_eq!(get_hex(&env, "pw"), hex::encode("hunter2"));
    let detail = state(&env.vault, &env.pw)
        .events
        .last()
        .unwrap()
        .detail
        .clone();
    assert_eq!(
        detail,
        "fernet, authenticated, token made 2023-11-14 22:13 UTC"
    );
}

#[test]
fn tampered_fernet_tokens_and_wrong_keys_are_refused() {
    let env = Env::with_vault();
    let (key, token) = fernet(&env, "a", &[9u8; 32], 1_600_000_000);
    let (other_key, _) = fernet(&env, "b", b"x", 1_600_000_000);
    let before = fs::read(&env.vault).unwrap();
    let b64 = base64::engine::general_purpose::URL_SAFE;
    let raw = b64
        .decode(fs::read_to_string(&token).unwrap().trim())
        .unwrap();
    // One flipped bit in the timestamp, the IV, the ciphertext, the tag: authentication
    // fails (exit 4) before anything is decrypted.
    for at in [3, 20, 40, raw.len() - 1] {
        let mut t = raw.clone();
        t[at] ^= 0x01;
        let bad = env.file("bad.token", b64.encode(&t));
        import_fernet(&env, &bad, &key, "k")
            .code(4)
            .stderr(predicate::str::contains("tampered"));
    }
    import_fernet(&env, &token, &other_key, "k").code(4);
    // Malformed: not base64, too short, an unknown version, a key of the wrong size (exit 5).
    let not_b64 = env.file("x.token", "this is not a token!");
    import_fernet(&env, &not_b64, &key, "k")
        .code(5)
        .stderr(predicate::str::contains("malformed"));
    let short = env.file("short.token", b64.encode(&raw[..60]));
    import_fernet(&env, &short, &key, "k").code(5);
    let mut v = raw.clone();
    v[0] = 0x81;
    let version = env.file("v.token", b64.encode(&v));
    import_fernet(&env, &version, &key, "k").code(5);
    let short_key = env.file("short.key", b64.encode([1u8; 16]));
    import_fernet(&env, &token, &short_key, "k")
        .code(5)
        .stderr(predicate::str::contains("short.key"));
    assert_eq!(fs::read(&env.vault).unwrap(), before);
    // Options of the other format are refused.
    env.cmd()
        .args(["import-legacy", "k"])
        .arg(&token)
        .args(["--from", "fernet", "--try-common", "--key-file"])
        .arg(&key)
        .assert()
        .code(2);
}

//! Interop with independent implementations: `tests/interop/decode_vault.py` (Python's
//! hashlib/hmac, the `cryptography` package and `argon2-cffi`, written from docs/FORMAT.md
//! alone) must
//! reach the same outcome as vault-core on every vector — the current (version 2) vectors in
//! `tests/vectors/` and the frozen version-1 vectors in `tests/vectors/v1/` — and the
//! `openssl` command line must decrypt a record with the key and offsets that FORMAT.md
//! defines; and vault-core's Argon2id must agree with `argon2-cffi`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::process::Command;

use airvault_tests::vectors::{Expectation, ExpectedEntry};
use airvault_tests::{vectors_dir, workspace_root};
use serde::Deserialize;

#[derive(Deserialize)]
struct Decoded {
    outcome: String,
    keyless: Option<String>,
    entries: Vec<ExpectedEntry>,
    audit_chain: Option<String>,
    record_enc_key_hex: Option<String>,
    records: Option<Vec<DecodedRecord>>,
}

#[derive(Deserialize)]
struct DecodedRecord {
    offset: usize,
    length: usize,
    plaintext_hex: String,
}

fn python_decode(file: &std::path::Path, exp: &Expectation, dump_keys: bool) -> Decoded {
    let script = workspace_root().join("tests/interop/decode_vault.py");
    let mut cmd = Command::new("python3");
    cmd.arg(&script).arg(file);
    match (&exp.password, &exp.recovery_secret_hex) {
        (Some(pw), _) => cmd.arg("--password").arg(pw),
        (None, Some(r)) => cmd.arg("--recovery-hex").arg(r),
        _ => panic!("vector gives no secret"),
    };
    if dump_keys {
        cmd.arg("--dump-keys");
    }
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("cannot run python3 ({e}): install Python 3 and `pip install cryptography`")
    });
    assert!(
        out.status.success(),
        "decode_vault.py failed on {}: {} (is the `cryptography` package installed? `pip install cryptography`)",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every `NAME.json` / `NAME.airvault` pair directly in `dir` (not in its subdirectories).
fn vectors_in(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Expectation)> {
    let mut v: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let exp = serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap();
            (p.with_extension("airvault"), exp)
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn assert_python_agrees(all: &[(std::path::PathBuf, Expectation)]) {
    for (file, exp) in all {
        let got = python_decode(file, exp, false);
        let name = file.display();
        assert_eq!(got.outcome, exp.expect, "{name}: outcome");
        assert_eq!(got.keyless, exp.keyless, "{name}: keyless verdict");
        assert_eq!(got.entries, exp.entries, "{name}: entries");
        if exp.audit_chain.is_some() {
            assert_eq!(got.audit_chain, exp.audit_chain, "{name}: audit chain");
        }
    }
}

#[test]
fn python_decoder_agrees_on_every_vector() {
    let all = vectors_in(&vectors_dir());
    assert!(all.len() >= 40);
    assert_python_agrees(&all);
}

/// Readers keep reading version-1 files: the frozen version-1 vectors.
#[test]
fn python_decoder_agrees_on_every_v1_vector() {
    let all = vectors_in(&vectors_dir().join("v1"));
    assert!(!all.is_empty(), "no version-1 vectors in tests/vectors/v1/");
    assert_python_agrees(&all);
}

#[test]
fn openssl_decrypts_a_record_with_the_keys_format_md_defines() {
    let dir = vectors_dir();
    let exp: Expectation =
        serde_json::from_str(&fs::read_to_string(dir.join("basic.json")).unwrap()).unwrap();
    let file = dir.join("basic.airvault");
    let bytes = fs::read(&file).unwrap();
    let decoded = python_decode(&file, &exp, true);
    let key = decoded.record_enc_key_hex.unwrap();
    let records = decoded.records.unwrap();
    assert!(records.len() >= 3);
    for rec in &records {
        let raw = &bytes[rec.offset..rec.offset + rec.length];
        let (iv, ct) = (&raw[..16], &raw[16..rec.length - 32]);
        let tmp = std::env::temp_dir().join(format!(
            "airvault-openssl-{}-{}",
            std::process::id(),
            rec.offset
        ));
        fs::write(&tmp, ct).unwrap();
        let out = Command::new("openssl")
            .args([
                "enc",
                "-d",
                "-aes-256-cbc",
                "-K",
                &key,
                "-iv",
                &hex::encode(iv),
                "-in",
            ])
            .arg(&tmp)
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run openssl ({e}): install the openssl command line")
            });
        fs::remove_file(&tmp).unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(hex::encode(&out.stdout), rec.plaintext_hex);
    }
    // The entry plaintexts openssl produced hold the secrets the vector expects.
    for e in &exp.entries {
        assert!(records
            .iter()
            .any(|r| r.plaintext_hex.ends_with(&e.secret_hex)));
    }
}

/// vault-core's Argon2id against the reference implementation (`argon2-cffi`'s
/// `hash_secret_raw`, type ID, version 0x13) on passwords, salts and costs of several
/// shapes, including RFC 9106's own inputs without its secret and associated data.
#[test]
fn argon2id_agrees_with_argon2_cffi() {
    use vault_core::{Argon2Block, Argon2Params, KdfLimits};
    // (password, salt, memory in KiB, passes, lanes)
    type Case<'a> = (&'a [u8], &'a [u8], u32, u32, u32);
    let cases: &[Case<'_>] = &[
        (&[1; 32], &[2; 16], 32, 3, 4),
        (b"", &[0; 32], 8, 1, 1),
        (
            b"correct horse battery staple",
            b"airvault-salt-32-bytes-long-....",
            8192,
            1,
            1,
        ),
        ("pässwörd ✓".as_bytes(), &[0xA5; 32], 1000, 2, 3),
        (&[0xFF; 200], &[7; 8], 64, 5, 8),
    ];
    let script = "import sys, json\n\
        from argon2.low_level import Type, hash_secret_raw\n\
        for c in json.load(sys.stdin):\n\
        \x20   pw, salt = bytes.fromhex(c[0]), bytes.fromhex(c[1])\n\
        \x20   print(hash_secret_raw(pw, salt, time_cost=c[3], memory_cost=c[2], parallelism=c[4], hash_len=32, type=Type.ID, version=0x13).hex())\n";
    let input: Vec<serde_json::Value> = cases
        .iter()
        .map(|(pw, salt, m, t, p)| serde_json::json!([hex::encode(pw), hex::encode(salt), m, t, p]))
        .collect();
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    std::io::Write::write_all(
        child.stdin.as_mut().unwrap(),
        serde_json::to_string(&input).unwrap().as_bytes(),
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "python3 with argon2-cffi failed (pip install argon2-cffi)"
    );
    let want: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(want.len(), cases.len());
    let limits = KdfLimits::insecure_test_only();
    for ((pw, salt, m, t, p), want) in cases.iter().zip(&want) {
        let params = Argon2Params {
            memory_kib: *m,
            passes: *t,
            lanes: *p,
        };
        let mut memory = vec![Argon2Block::new(); params.blocks()];
        let key =
            vault_core::kdf::derive_argon2id(pw, salt, &params, &limits, &mut memory).unwrap();
        assert_eq!(
            &hex::encode(key.expose_secret()),
            want,
            "{m} KiB, t={t}, p={p}"
        );
    }
}

//! Tests shared by the Node and the browser test binaries: every format vector through the
//! wasm API, armor and recovery-code errors, rewriting with a new password, and the
//! JavaScript shape of errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::collections::BTreeSet;

use serde::Deserialize;
use vault_core::recovery_code;
use vault_core::RecoverySecret;
use vault_wasm::{
    combine_shares, derive_argon2id, parse_recovery_code, Backup, KdfJob, SlotKey, Vault, WasmError,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

include!(concat!(env!("OUT_DIR"), "/vectors.rs"));

/// The password and recovery secret of the vectors (see `tests/src/vectors.rs`).
pub const PASSWORD: &str = "correct horse battery staple";
pub const RECOVERY: [u8; 16] = *b"airvault-recover";
pub const NOW: f64 = 1_800_000_000.0;

#[derive(Deserialize)]
pub struct Expectation {
    pub expect: String,
    pub keyless: Option<String>,
    pub password: Option<String>,
    pub recovery_secret_hex: Option<String>,
    pub entries: Vec<ExpectedEntry>,
    #[serde(default)]
    pub audit_chain: Option<String>,
}

#[derive(Debug, PartialEq, Eq, Deserialize)]
pub struct ExpectedEntry {
    pub name: String,
    pub id_hex: String,
    pub version: u32,
    pub kind: String,
    pub status: String,
    pub secret_hex: String,
    pub kcv: String,
    pub created_at: u64,
    pub rotated_at: u64,
    pub policy_days: u32,
}

pub fn vector(name: &str) -> &'static [u8] {
    VECTORS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, bytes, _)| *bytes)
        .unwrap_or_else(|| panic!("no vector {name}"))
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Derives a slot key with the wasm stepwise KDF, in uneven steps as the page runs it.
pub fn derive(secret: &[u8], salt: &[u8], iterations: u32) -> SlotKey {
    let mut secret = secret.to_vec();
    let mut job = KdfJob::new(&mut secret, salt, iterations).unwrap();
    assert!(secret.iter().all(|&b| b == 0), "the secret is wiped");
    while job.step(33_333) > 0 {}
    assert_eq!(job.done(), iterations);
    job.finish()
}

/// Tries every keyslot of `kind` with `secret`, as the page does: PBKDF2 in steps, or
/// Argon2id in one call.
pub fn unlock(backup: &Backup, kind: &str, secret: &[u8]) -> Result<Vault, WasmError> {
    let mut last = None;
    for slot in backup
        .slots()
        .unwrap()
        .into_iter()
        .filter(|s| s.kind() == kind)
    {
        let key = if slot.kdf() == "argon2id" {
            let mut copy = secret.to_vec();
            let key = derive_argon2id(
                &mut copy,
                &slot.salt(),
                slot.memory_kib(),
                slot.passes(),
                slot.lanes(),
            )?;
            assert!(copy.iter().all(|&b| b == 0), "the secret is wiped");
            key
        } else {
            derive(secret, &slot.salt(), slot.iterations())
        };
        match backup.unlock(slot.index(), key) {
            Err(e) if e.code() == "wrong_password" => last = Some(e),
            other => return other,
        }
    }
    Err(last.expect("the backup has a slot of that kind"))
}

fn entries_of(vault: &Vault) -> Vec<ExpectedEntry> {
    vault
        .entries()
        .iter()
        .map(|e| ExpectedEntry {
            name: e.name(),
            id_hex: e.id(),
            version: e.version(),
            kind: e.kind(),
            status: e.status(),
            secret_hex: String::from(vault.reveal(e.record(), "hex").unwrap()),
            kcv: e.kcv(),
            created_at: e.created_at() as u64,
            rotated_at: e.rotated_at() as u64,
            policy_days: e.policy_days(),
        })
        .collect()
}

type Outcome = (String, Option<String>, Vec<ExpectedEntry>, Option<String>);

/// Parse → keyless check → unlock → read every record (→ the audit chain), through the wasm
/// API, as the vectors define it: the outcome is `success` or the first error in table
/// order.
fn evaluate(bytes: &[u8], exp: &Expectation) -> Outcome {
    let backup = match Backup::open(bytes) {
        Ok(b) => b,
        Err(e) => return (e.code().into(), None, vec![], None),
    };
    let v = backup.verify().unwrap();
    let keyless = Some(if v.intact() { "intact" } else { "damaged" }.to_string());
    let unlocked = match (&exp.password, &exp.recovery_secret_hex) {
        (Some(pw), _) => unlock(&backup, "password", pw.as_bytes()),
        (None, Some(r)) => unlock(&backup, "recovery", &unhex(r)),
        (None, None) => panic!("vector gives no secret"),
    };
    let vault = match unlocked {
        Ok(v) => v,
        Err(e) => return (e.code().into(), keyless, vec![], None),
    };
    if let Some(first) = vault.lost().first() {
        return (first.code(), keyless, vec![], None);
    }
    let chain = exp.audit_chain.as_ref().map(|_| vault.audit_chain());
    ("success".into(), keyless, entries_of(&vault), chain)
}

/// The wasm Argon2id against the reference implementation: `argon2-cffi`'s
/// `hash_secret_raw` (type ID, version 0x13, 32 bytes) for the password
/// "correct horse battery staple", 32 bytes of 0x5a as salt, 8 MiB, one pass, one lane
/// (as `tests/interop_python.rs` checks the native build against it); and its bounds,
/// checked before any memory is asked for.
#[wasm_bindgen_test]
fn argon2id_matches_the_reference_and_refuses_costs_out_of_bounds() {
    let mut pw = b"correct horse battery staple".to_vec();
    let key = derive_argon2id(&mut pw, &[0x5a; 32], 8192, 1, 1).unwrap();
    assert!(pw.iter().all(|&b| b == 0), "the secret is wiped");
    let mut want = unhex(ARGON2ID_REFERENCE).to_vec();
    assert!(key == SlotKey::from_bytes(&mut want).unwrap());
    for (m, t, p) in [
        (u32::MAX, 1, 1),
        (2 * 1024 * 1024 + 1, 1, 1),
        (8191, 1, 1),
        (8192, 0, 1),
        (8192, 17, 1),
        (8192, 1, 0),
        (8192, 1, 9),
    ] {
        let e = derive_argon2id(&mut [1], &[0; 32], m, t, p).unwrap_err();
        assert_eq!(e.code(), "kdf_cost_refused", "{m} {t} {p}");
    }
}

/// `argon2-cffi` 25.1: `hash_secret_raw(b"correct horse battery staple", b"\x5a" * 32,
/// time_cost=1, memory_cost=8192, parallelism=1, hash_len=32, type=Type.ID).hex()`.
const ARGON2ID_REFERENCE: &str = "d546a2bb611b831e8cb011680049298c15a3b17df184e69f6aa457b870538bd9";

#[wasm_bindgen_test]
fn every_vector_has_its_expected_outcome() {
    let mut outcomes = BTreeSet::new();
    let mut chains = BTreeSet::new();
    for (name, bytes, json) in VECTORS {
        let exp: Expectation = serde_json::from_str(json).unwrap();
        let (outcome, keyless, entries, chain) = evaluate(bytes, &exp);
        assert_eq!(outcome, exp.expect, "{name}: outcome");
        assert_eq!(keyless, exp.keyless, "{name}: keyless verdict");
        assert_eq!(entries, exp.entries, "{name}: entries");
        assert_eq!(chain, exp.audit_chain, "{name}: audit chain");
        if let Some(c) = chain {
            chains.insert(c);
        }
        outcomes.insert(outcome);
    }
    assert!(VECTORS.len() >= 40, "only {} vectors", VECTORS.len());
    let v1 = VECTORS
        .iter()
        .filter(|(n, _, _)| n.starts_with("v1/"))
        .count();
    assert!(v1 >= 5, "only {v1} format version 1 vectors");
    for want in [
        "success",
        "wrong_password",
        "not_a_vault",
        "unsupported_version",
        "kdf_cost_refused",
        "unsupported_slot",
        "record_foreign",
        "header_damaged",
        "malformed",
        "truncated",
        "header_auth_failed",
        "record_damaged",
        "record_missing",
        "record_auth_failed",
        "record_malformed",
    ] {
        assert!(outcomes.contains(want), "no vector expects {want}");
    }
    for want in ["valid", "sequence", "link", "head"] {
        assert!(
            chains.contains(want),
            "no vector expects an audit chain {want}"
        );
    }
}

#[wasm_bindgen_test]
fn errors_carry_code_and_category() {
    let cases = [
        ("not-a-vault", "not_a_vault", "corrupted"),
        ("version-3", "unsupported_version", "unsupported"),
        ("iterations-u32-max", "kdf_cost_refused", "unsupported"),
        ("both-headers-damaged", "header_damaged", "corrupted"),
        ("truncated-in-header", "truncated", "corrupted"),
    ];
    for (name, code, category) in cases {
        let e = Backup::open(vector(name)).unwrap_err();
        assert_eq!((e.code(), e.category().name()), (code, category), "{name}");
    }
    let backup = Backup::open(vector("basic")).unwrap();
    let e = unlock(&backup, "password", b"not the password").unwrap_err();
    assert_eq!(
        (e.code(), e.category().name()),
        ("wrong_password", "authentication")
    );
    assert!(!e.message().contains("not the password"));
}

#[wasm_bindgen_test]
fn a_thrown_error_is_an_airvault_error_with_its_properties() {
    let text = armored_basic();
    let typo = mistype_line(&text, 7);
    let e = Backup::from_armor(&typo).unwrap_err();
    let js: JsValue = e.clone().into();
    let get = |k: &str| js_sys::Reflect::get(&js, &JsValue::from_str(k)).unwrap();
    assert!(js.is_instance_of::<js_sys::Error>());
    assert_eq!(get("name").as_string().unwrap(), "AirvaultError");
    assert_eq!(get("code").as_string().unwrap(), "armor_bad_line");
    assert_eq!(get("category").as_string().unwrap(), "corrupted");
    assert_eq!(get("line").as_f64().unwrap(), 7.0);
    assert!(get("message").as_string().unwrap().contains("line 7"));
    assert!(get("group").is_undefined());
    assert_eq!(get("exitCode").as_f64().unwrap(), 5.0);
}

pub fn armored_basic() -> String {
    let bytes = vector("basic");
    let mut out = vec![0u8; vault_core::armor::encoded_len(bytes.len())];
    let n = vault_core::armor::encode(bytes, &mut out).unwrap();
    out.truncate(n);
    String::from_utf8(out).unwrap()
}

/// Changes one data character of text line `line` (from 1).
pub fn mistype_line(text: &str, line: usize) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let l = &mut lines[line - 1];
    let pos = 8;
    let c = l.as_bytes()[pos];
    l.replace_range(pos..=pos, if c == b'A' { "B" } else { "A" });
    lines.join("\n")
}

#[wasm_bindgen_test]
fn armor_opens_and_a_mistyped_line_is_named() {
    let text = armored_basic();
    let from_paste = Backup::from_armor(&format!("notes\n\n{text}\nmore notes")).unwrap();
    assert!(from_paste.armored());
    let plain = Backup::open(vector("basic")).unwrap();
    assert!(!plain.armored());
    assert_eq!(from_paste.fingerprint(), plain.fingerprint());
    assert_eq!(from_paste.bytes(), vector("basic"));
    // A dropped armored file is recognised by its contents.
    assert!(Backup::open(text.as_bytes()).unwrap().armored());
    // Lower case and Crockford's look-alikes are fine.
    let sloppy = text
        .lines()
        .map(|l| {
            if l.starts_with(|c: char| c.is_ascii_digit()) {
                l.to_ascii_lowercase()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(
        Backup::from_armor(&sloppy).unwrap().fingerprint(),
        plain.fingerprint()
    );

    for line in [5, 9, 20] {
        let e = Backup::from_armor(&mistype_line(&text, line)).unwrap_err();
        assert_eq!(e.code(), "armor_bad_line");
        assert_eq!(e.line(), Some(line as u64));
        assert!(e.message().contains(&format!("line {line}")), "{e}");
    }
    let e = Backup::from_armor("just some text").unwrap_err();
    assert_eq!(
        (e.code(), e.category().name()),
        ("armor_no_begin_line", "bad_input")
    );
    let cut: String = text.lines().take(8).collect::<Vec<_>>().join("\n");
    assert_eq!(
        Backup::from_armor(&cut).unwrap_err().code(),
        "armor_no_end_line"
    );
    let missing: String = text
        .lines()
        .enumerate()
        .filter(|(i, _)| *i != 6)
        .map(|(_, l)| l)
        .collect::<Vec<_>>()
        .join("\n");
    let e = Backup::from_armor(&missing).unwrap_err();
    assert_eq!((e.code(), e.line()), ("armor_wrong_line_number", Some(7)));
}

#[wasm_bindgen_test]
fn armor_of_a_newer_version_is_unsupported_and_bad_padding_has_its_code() {
    let text = armored_basic();
    let e = Backup::from_armor(&text.replace("Version: 1", "Version: 2")).unwrap_err();
    assert_eq!(
        (e.code(), e.category().name(), e.line()),
        ("armor_unsupported_version", "unsupported", Some(2))
    );
    // The last data line with its final character's unused low bits set: its check still
    // matches, the padding is what is wrong.
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.len() - 2;
    let (head, check) = lines[at].rsplit_once("  ").unwrap();
    let alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let last = head.chars().last().unwrap();
    let value = alphabet.find(last).unwrap();
    let bits = 8 * head_bytes(&text);
    assert!(!bits.is_multiple_of(5), "the last line has unused bits");
    let bad = alphabet.as_bytes()[value | 1] as char;
    let mut edited: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    edited[at] = format!("{}{bad}  {check}", &head[..head.len() - 1]);
    let e = Backup::from_armor(&edited.join("\n")).unwrap_err();
    assert_eq!(
        (e.code(), e.category().name(), e.line()),
        ("armor_nonzero_padding", "corrupted", Some(at as u64 + 1))
    );
}

/// Bytes on the last data line of an armor.
fn head_bytes(text: &str) -> usize {
    let len: usize = text
        .lines()
        .find_map(|l| l.strip_prefix("Length: "))
        .unwrap()
        .parse()
        .unwrap();
    (len - 1) % 20 + 1
}

fn recovery_code_text() -> String {
    let secret = RecoverySecret::from_bytes(RECOVERY);
    recovery_code::encode(&secret).expose_secret().to_string()
}

#[wasm_bindgen_test]
fn recovery_code_opens_the_recovery_slot() {
    let code = recovery_code_text();
    let mut typed = code.replace('-', " ").into_bytes();
    let secret = parse_recovery_code(&mut typed).unwrap().to_vec();
    assert!(typed.iter().all(|&b| b == 0), "the typed code is wiped");
    assert_eq!(secret, RECOVERY);
    let backup = Backup::open(vector("basic")).unwrap();
    let vault = unlock(&backup, "recovery", &secret).unwrap();
    assert_eq!(vault.opened_with(), "recovery");
    let exp: Expectation = serde_json::from_str(
        VECTORS
            .iter()
            .find(|(n, _, _)| *n == "basic")
            .map(|(_, _, j)| *j)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(entries_of(&vault), exp.entries);
}

#[wasm_bindgen_test]
fn recovery_code_errors_name_the_group() {
    let code = recovery_code_text();
    for group in 1..=8 {
        let pos = (group - 1) * 7 + 2;
        let mut bytes = code.clone().into_bytes();
        bytes[pos] = if bytes[pos] == b'9' {
            b'0'
        } else {
            bytes[pos] + 1
        };
        let e = parse_recovery_code(&mut bytes).unwrap_err();
        assert_eq!(e.code(), "recovery_code_bad_group");
        assert_eq!(e.category().name(), "bad_input");
        assert_eq!(e.group(), Some(group as u64));
        assert!(e.message().contains(&format!("group {group}")), "{e}");
        assert!(bytes.iter().all(|&b| b == 0), "wiped on error too");
    }
    let mut short = code.as_bytes()[..code.len() - 1].to_vec();
    assert_eq!(
        parse_recovery_code(&mut short).unwrap_err().code(),
        "recovery_code_wrong_shape"
    );
    let mut letters = b"12345x".to_vec();
    assert_eq!(
        parse_recovery_code(&mut letters).unwrap_err().code(),
        "recovery_code_bad_character"
    );
}

#[wasm_bindgen_test]
fn kdf_bounds_and_key_input_are_checked_and_wiped() {
    let mut pw = b"pw".to_vec();
    let e = KdfJob::new(&mut pw, b"salt", 99_999).unwrap_err();
    assert_eq!(
        (e.code(), e.category().name()),
        ("kdf_cost_refused", "unsupported")
    );
    assert_eq!(pw, [0, 0], "wiped even when refused");
    let mut pw = b"pw".to_vec();
    assert_eq!(
        KdfJob::new(&mut pw, b"salt", 20_000_001)
            .unwrap_err()
            .code(),
        "kdf_cost_refused"
    );
    let mut short = vec![7u8; 31];
    assert_eq!(
        SlotKey::from_bytes(&mut short).unwrap_err().code(),
        "invalid_input"
    );
    assert!(short.iter().all(|&b| b == 0));
    let mut key = vec![7u8; 32];
    let a = SlotKey::from_bytes(&mut key).unwrap();
    assert!(key.iter().all(|&b| b == 0), "the caller's copy is wiped");
    let b = SlotKey::from_bytes(&mut [7u8; 32]).unwrap();
    assert_eq!(a, b);
    assert!(!format!("{a:?}").contains('7'));
}

#[wasm_bindgen_test]
fn rewrap_with_a_new_password_round_trips() {
    let backup = Backup::open(vector("basic")).unwrap();
    let vault = unlock(&backup, "password", PASSWORD.as_bytes()).unwrap();
    let before = entries_of(&vault);
    assert_eq!(vault.new_password_iterations(), 100_000);
    let salt = vault_wasm::random_salt();
    assert_eq!(salt.len(), 32);
    assert_ne!(salt, vault_wasm::random_salt());
    let key = derive(b"a new password", &salt, 100_000);
    let file = vault
        .rewrap_with_password(key, &salt, 100_000, NOW)
        .unwrap();

    let new = Backup::open(&file).unwrap();
    assert!(new.verify().unwrap().intact());
    assert_eq!(new.vault_id(), backup.vault_id());
    assert_eq!(new.generation(), backup.generation() + 1.0);
    assert_eq!(new.written_at(), NOW);
    let kinds: Vec<String> = new.slots().unwrap().iter().map(|s| s.kind()).collect();
    assert_eq!(kinds, ["password", "recovery"]);
    assert_eq!(
        unlock(&new, "password", PASSWORD.as_bytes())
            .unwrap_err()
            .code(),
        "wrong_password"
    );
    let reopened = unlock(&new, "password", b"a new password").unwrap();
    assert_eq!(entries_of(&reopened), before);
    assert!(reopened.lost().is_empty());
    assert_eq!(
        reopened.audit_chain(),
        "valid",
        "the appended event extends the chain"
    );
    let trail = reopened.audit_trail();
    let last = trail.last().unwrap();
    assert_eq!(
        (last.op(), last.detail()),
        ("restore".into(), "restore page".into())
    );
    assert_eq!(last.seq() as usize, trail.len() - 1);
    assert_eq!(last.time(), NOW);
    // The recovery keyslot came along unchanged and still opens the new file.
    let by_recovery = unlock(&new, "recovery", &RECOVERY).unwrap();
    assert_eq!(entries_of(&by_recovery), before);

    // After recovery, the event says so.
    let salt = vault_wasm::random_salt();
    let key = derive(b"third", &salt, 100_000);
    let file = by_recovery
        .rewrap_with_password(key, &salt, 100_000, NOW + 60.0)
        .unwrap();
    let third = Backup::open(&file).unwrap();
    let v = unlock(&third, "password", b"third").unwrap();
    assert_eq!(v.audit_trail().last().unwrap().op(), "recover");
    assert_eq!(third.generation(), backup.generation() + 2.0);
}

#[wasm_bindgen_test]
fn rewrap_refuses_bad_arguments_and_damaged_records() {
    let backup = Backup::open(vector("basic")).unwrap();
    let vault = unlock(&backup, "password", PASSWORD.as_bytes()).unwrap();
    let salt = vault_wasm::random_salt();
    let key = || SlotKey::from_bytes(&mut [1u8; 32]).unwrap();
    assert_eq!(
        vault
            .rewrap_with_password(key(), &salt, 1000, NOW)
            .unwrap_err()
            .code(),
        "kdf_cost_refused"
    );
    assert_eq!(
        vault
            .rewrap_with_password(key(), &salt[..16], 100_000, NOW)
            .unwrap_err()
            .code(),
        "invalid_input"
    );
    assert_eq!(
        vault
            .rewrap_with_password(key(), &salt, 100_000, f64::NAN)
            .unwrap_err()
            .code(),
        "invalid_input"
    );

    // A damaged record: the others are listed, the lost one is named, and no new file is
    // written (nothing is dropped silently).
    let damaged = Backup::open(vector("record-damaged")).unwrap();
    let v = damaged.verify().unwrap();
    assert!(!v.intact());
    assert_eq!(v.damaged_records(), [1]);
    let info = damaged.record_info(1).unwrap();
    assert_eq!(
        (info.kind(), info.state(), info.seq()),
        ("entry".into(), "damaged".into(), 1)
    );
    assert_eq!(damaged.record_info(0).unwrap().state(), "intact");
    let cut = Backup::open(vector("truncated-in-record")).unwrap();
    assert_eq!(cut.record_info(2).unwrap().state(), "missing");
    assert!(cut.verify().unwrap().truncated());
    let vault = unlock(&damaged, "password", PASSWORD.as_bytes()).unwrap();
    let lost = vault.lost();
    assert_eq!(lost.len(), 1);
    assert_eq!(
        (lost[0].record(), lost[0].code()),
        (1, "record_damaged".into())
    );
    assert_eq!(lost[0].kind(), "entry");
    let names: Vec<String> = vault.entries().iter().map(|e| e.name()).collect();
    assert_eq!(names, ["root password"]);
    let e = vault
        .rewrap_with_password(key(), &salt, 100_000, NOW)
        .unwrap_err();
    assert_eq!((e.code(), e.record()), ("record_damaged", Some(1)));
}

#[wasm_bindgen_test]
fn reveal_formats_and_lock() {
    let backup = Backup::open(vector("rich")).unwrap();
    let mut vault = unlock(&backup, "password", PASSWORD.as_bytes()).unwrap();
    let entries = vault.entries();
    let find = |name: &str| entries.iter().find(|e| e.name() == name).unwrap().record();
    let totp = find("Ünïcødé ✓ totp");
    assert_eq!(
        String::from(vault.reveal(totp, "base32").unwrap()),
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    );
    assert_eq!(
        String::from(vault.reveal(totp, "base64").unwrap()),
        "MTIzNDU2Nzg5MDEyMzQ1Njc4OTA="
    );
    let pem = find("signing-key.pem");
    assert!(
        String::from(vault.reveal(pem, "text").unwrap()).starts_with("-----BEGIN PRIVATE KEY-----")
    );
    let opaque = find(&"n".repeat(256));
    assert_eq!(String::from(vault.reveal(opaque, "hex").unwrap()), "00");
    assert_eq!(vault.secret_bytes(opaque).unwrap().to_vec(), [0u8]);
    let key = entries
        .iter()
        .find(|e| e.name() == "db-master" && e.status() == "active")
        .unwrap();
    assert_eq!(key.version(), 3);
    assert_eq!(
        vault.reveal(key.record(), "text").unwrap_err().code(),
        "not_text"
    );
    assert_eq!(
        vault.secret_bytes(key.record()).unwrap().to_vec(),
        [0xA3; 32]
    );
    assert_eq!(
        vault.reveal(opaque, "rot13").unwrap_err().code(),
        "invalid_input"
    );
    assert_eq!(vault.reveal(0, "hex").unwrap_err().code(), "invalid_input");
    assert_eq!(
        vault.reveal(9999, "hex").unwrap_err().code(),
        "invalid_input"
    );
    let debug = format!("{vault:?}");
    assert!(
        !debug.contains("a3a3") && !debug.contains("MC4C"),
        "{debug}"
    );
    vault.lock();
    assert!(vault.entries().is_empty());
    assert_eq!(
        vault.reveal(pem, "text").unwrap_err().code(),
        "wrong_password"
    );
}

/// Splits `secret` into `count` SLIP-39 shares needing `threshold`, as airvault makes them.
fn shares_of(secret: &[u8], threshold: u8, count: u8) -> Vec<String> {
    let mut shares = vault_core::heapless::Vec::new();
    vault_core::slip39::split(
        secret,
        b"",
        threshold,
        count,
        1,
        true,
        &mut rand_core::OsRng,
        &mut shares,
    )
    .unwrap();
    shares
        .iter()
        .map(|share| {
            let mut words = String::new();
            vault_core::slip39::write_mnemonic(share, &mut words).unwrap();
            words
        })
        .collect()
}

fn combine(lines: &[&str]) -> Result<Vec<u8>, WasmError> {
    let mut text = lines.join("\n").into_bytes();
    let result = combine_shares(&mut text).map(|a| a.to_vec());
    assert!(text.iter().all(|&b| b == 0), "the pasted shares are wiped");
    result
}

#[wasm_bindgen_test]
fn recovery_shares_open_the_recovery_slot() {
    let shares = shares_of(&RECOVERY, 2, 3);
    // Any two, in any order, numbered or not, with blank lines between them.
    let one = format!("  1. {}", shares[0]);
    let three = format!("3: {}", shares[2].to_uppercase());
    assert_eq!(combine(&[&three, "", &one]).unwrap(), RECOVERY);
    assert_eq!(combine(&[&shares[1], &shares[0]]).unwrap(), RECOVERY);
    let backup = Backup::open(vector("basic")).unwrap();
    let secret = combine(&[&shares[2], &shares[1]]).unwrap();
    let vault = unlock(&backup, "recovery", &secret).unwrap();
    assert_eq!(vault.entries().len(), 2);
}

#[wasm_bindgen_test]
fn recovery_share_errors_say_what_to_do() {
    let shares = shares_of(&RECOVERY, 2, 3);
    let e = combine(&[&shares[0]]).unwrap_err();
    assert_eq!(
        (e.code(), e.detail("needed")),
        ("shares_not_enough", Some(1))
    );
    assert!(e.message().contains("1 more share is needed"), "{e}");
    assert_eq!(
        combine(&[&shares[0], &shares[1], &shares[2]])
            .unwrap_err()
            .code(),
        "shares_too_many"
    );
    let e = combine(&[&shares[1], &shares[1]]).unwrap_err();
    assert_eq!((e.code(), e.detail("share")), ("shares_duplicate", Some(2)));
    assert_eq!(combine(&[]).unwrap_err().code(), "shares_none");

    // A word replaced by another valid word: the checksum names the share and the word.
    let mut words: Vec<&str> = shares[1].split(' ').collect();
    words[7] = if words[7] == "academic" {
        "acid"
    } else {
        "academic"
    };
    let typo = words.join(" ");
    let e = combine(&[&shares[0], &typo]).unwrap_err();
    assert_eq!(
        (e.code(), e.detail("share"), e.detail("word")),
        ("share_checksum", Some(2), Some(8))
    );
    assert_eq!(e.category().name(), "bad_input");
    let mut words: Vec<&str> = shares[0].split(' ').collect();
    words[4] = "airvault";
    let e = combine(&[&words.join(" "), &shares[1]]).unwrap_err();
    assert_eq!(
        (e.code(), e.detail("share"), e.detail("word")),
        ("share_unknown_word", Some(1), Some(5))
    );
    let short: String = shares[0].split(' ').take(19).collect::<Vec<_>>().join(" ");
    assert_eq!(
        combine(&[&short, &shares[1]]).unwrap_err().code(),
        "share_word_count"
    );

    // Shares of two different splits of the same secret do not mix.
    let other = shares_of(&RECOVERY, 2, 3);
    let e = combine(&[&shares[0], &other[1]]).unwrap_err();
    assert_eq!(
        (e.code(), e.detail("share")),
        ("shares_different_sets", Some(2))
    );

    // A valid set for a secret that is not a 128-bit recovery secret.
    let long = shares_of(&[7u8; 32], 2, 2);
    assert_eq!(
        combine(&[&long[0], &long[1]]).unwrap_err().code(),
        "shares_not_a_recovery_secret"
    );
    // Shares of another vault's recovery secret are well-formed but open nothing.
    let foreign = shares_of(&[9u8; 16], 2, 2);
    let secret = combine(&[&foreign[0], &foreign[1]]).unwrap();
    let backup = Backup::open(vector("basic")).unwrap();
    assert_eq!(
        unlock(&backup, "recovery", &secret).unwrap_err().code(),
        "wrong_password"
    );
}

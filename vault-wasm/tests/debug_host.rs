//! The wasm wrappers, run on the host (they touch no JavaScript until a value crosses to
//! it): the `Debug` output of every wrapper that holds a secret or sits next to one — the
//! parsed backup, a keyslot key, a running KDF, the opened vault, its entry list and an
//! error — shows no secret of the vector it opened, in hex, `Debug` byte-list or raw form.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use vault_core::{KdfLimits, Pbkdf2};
use vault_wasm::{Backup, KdfJob, SlotKey};

const BASIC: &[u8] = include_bytes!("../../tests/vectors/basic.airvault");
const BASIC_JSON: &str = include_str!("../../tests/vectors/basic.json");

fn forms(secret: &[u8]) -> Vec<String> {
    let mut f = vec![
        hex::encode(secret),
        hex::encode_upper(secret),
        format!("{secret:?}").trim_matches(['[', ']']).to_owned(),
    ];
    if let Ok(s) = std::str::from_utf8(secret) {
        f.push(s.to_owned());
    }
    f
}

mod hex {
    pub fn encode(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
    pub fn encode_upper(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02X}")).collect()
    }
    pub fn decode(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }
}

#[test]
fn debug_of_the_wasm_wrappers_shows_no_secret() {
    let expect: serde_json::Value = serde_json::from_str(BASIC_JSON).unwrap();
    let password = expect["password"].as_str().unwrap().to_owned();
    let mut secrets: Vec<Vec<u8>> = expect["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| hex::decode(e["secret_hex"].as_str().unwrap()))
        .collect();
    secrets.push(password.as_bytes().to_vec());

    let mut shown: Vec<(String, String)> = Vec::new();
    let backup = Backup::open(BASIC).unwrap();
    shown.push(("Backup".into(), format!("{backup:?}")));
    let slot = backup.slots().unwrap().remove(0);
    shown.push(("SlotInfo".into(), format!("{slot:?}")));
    // The slot key, derived on the host too so that its bytes can be looked for.
    let mut job = Pbkdf2::new(
        password.as_bytes(),
        &slot.salt(),
        slot.iterations(),
        &KdfLimits::STANDARD,
    )
    .unwrap();
    while job.step(u32::MAX) > 0 {}
    secrets.push(job.finish().expose_secret().to_vec());
    let mut pw = password.as_bytes().to_vec();
    let mut kdf = KdfJob::new(&mut pw, &slot.salt(), slot.iterations()).unwrap();
    kdf.step(1000);
    shown.push(("KdfJob".into(), format!("{kdf:?}")));
    while kdf.step(u32::MAX) > 0 {}
    let key: SlotKey = kdf.finish();
    shown.push(("SlotKey".into(), format!("{key:?}")));
    let vault = backup.unlock(slot.index(), key).unwrap();
    shown.push(("Vault".into(), format!("{vault:?} {vault:#?}")));
    for e in vault.entries() {
        shown.push(("EntryInfo".into(), format!("{e:?}")));
    }
    shown.push((
        "Verification".into(),
        format!("{:?}", backup.verify().unwrap()),
    ));
    let mut wrong = b"wrong".to_vec();
    let mut kdf = KdfJob::new(&mut wrong, &slot.salt(), slot.iterations()).unwrap();
    while kdf.step(u32::MAX) > 0 {}
    let err = backup.unlock(slot.index(), kdf.finish()).unwrap_err();
    shown.push(("WasmError".into(), format!("{err:?}")));

    let mut scans = 0;
    for (what, text) in &shown {
        for s in &secrets {
            for f in forms(s) {
                scans += 1;
                assert!(!text.contains(&f), "Debug of {what} shows a secret: {text}");
            }
        }
    }
    assert!(shown.len() >= 8);
    eprintln!(
        "Debug of {} wasm wrapper values: {scans} scans, 0 hits",
        shown.len()
    );
}

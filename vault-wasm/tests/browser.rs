//! The wasm API in headless Chromium: the shared tests (every format vector, armor,
//! recovery code, rewriting), plus proof that the browser's WebCrypto PBKDF2 — which the
//! restore page uses when it can — derives exactly the key of vault-core's stepwise KDF.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use vault_wasm::{Backup, SlotKey};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export async function webcrypto_pbkdf2(secret, salt, iterations) {
    const base = await crypto.subtle.importKey("raw", secret, "PBKDF2", false, ["deriveBits"]);
    const bits = await crypto.subtle.deriveBits(
        { name: "PBKDF2", hash: "SHA-256", salt, iterations }, base, 256);
    return new Uint8Array(bits);
}
"#)]
extern "C" {
    async fn webcrypto_pbkdf2(secret: &[u8], salt: &[u8], iterations: u32) -> JsValue;
}

async fn webcrypto_key(secret: &[u8], salt: &[u8], iterations: u32) -> SlotKey {
    let bits = webcrypto_pbkdf2(secret, salt, iterations).await;
    let mut bytes = js_sys::Uint8Array::new(&bits).to_vec();
    SlotKey::from_bytes(&mut bytes).unwrap()
}

#[wasm_bindgen_test]
async fn webcrypto_and_the_wasm_kdf_derive_the_same_key() {
    let long = "a password longer than one SHA-256 block, so HMAC hashes it first: 0123456789";
    assert!(long.len() > 64);
    let cases: [(&[u8], &[u8], u32); 5] = [
        (b"correct horse battery staple", &[0x5a; 32], 100_000),
        ("pässwörd ✓ 🔑".as_bytes(), b"salt", 100_000),
        (long.as_bytes(), &[0u8; 32], 100_001),
        (&[0x00, 0xff, 0x80], &[0xff; 32], 123_457),
        (b"airvault-recover", &[1; 32], 100_000),
    ];
    for (secret, salt, iterations) in cases {
        let web = webcrypto_key(secret, salt, iterations).await;
        let wasm = common::derive(secret, salt, iterations);
        assert!(web == wasm, "keys differ for {iterations} iterations");
    }
}

#[wasm_bindgen_test]
async fn a_webcrypto_key_opens_every_vector_the_wasm_kdf_opens() {
    let backup = Backup::open(common::vector("two-passwords")).unwrap();
    let slots = backup.slots().unwrap();
    let mut opened = 0;
    for slot in slots.iter().filter(|s| s.kind() == "password") {
        let key = webcrypto_key(common::PASSWORD.as_bytes(), &slot.salt(), slot.iterations()).await;
        if backup.unlock(slot.index(), key).is_ok() {
            opened += 1;
        }
    }
    assert_eq!(
        opened, 1,
        "the password opens exactly one of the two password slots"
    );
    let recovery = slots.iter().find(|s| s.kind() == "recovery").unwrap();
    let key = webcrypto_key(&common::RECOVERY, &recovery.salt(), recovery.iterations()).await;
    let vault = backup.unlock(recovery.index(), key).unwrap();
    assert_eq!(vault.entries().len(), 2);
}

/// Both derivation paths agree at the real default cost (the other checks use small
/// counts).
#[wasm_bindgen_test]
async fn webcrypto_and_wasm_agree_at_the_default_count() {
    let n = vault_wasm::default_iterations();
    let web = webcrypto_key(b"pw", &[3; 32], n).await;
    let wasm = common::derive(b"pw", &[3; 32], n);
    assert!(web == wasm);
}

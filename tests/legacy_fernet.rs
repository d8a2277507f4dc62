//! Fernet tokens made by Python's `cryptography.fernet` (the reference implementation).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "legacy_common.rs"]
mod common;

use aes::cipher::{BlockEncryptMut, KeyIvInit};
use base64ct::{Base64Url, Base64UrlUnpadded, Encoding};
use common::{python, random_bytes};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use vault_core::legacy::{fernet_decrypt, fernet_max_plaintext_len, FernetOk, LegacyError};

/// One token made by Python.
struct PyToken {
    key: String,
    token: String,
    plaintext: Vec<u8>,
    timestamp: u64,
}

/// Makes a key and one token per (plaintext, timestamp) with `Fernet.encrypt_at_time`.
fn python_tokens(cases: &[(Vec<u8>, u64)]) -> Vec<PyToken> {
    const SCRIPT: &str = r#"
import sys
from cryptography.fernet import Fernet
key = Fernet.generate_key()
f = Fernet(key)
for arg in sys.argv[1:]:
    pt_hex, ts = arg.split(":")
    pt = bytes.fromhex(pt_hex)
    token = f.encrypt_at_time(pt, int(ts))
    assert f.decrypt(token) == pt
    print(key.decode(), token.decode(), pt_hex, ts)
"#;
    let args: Vec<String> = cases
        .iter()
        .map(|(pt, ts)| format!("{}:{ts}", hex::encode(pt)))
        .collect();
    python(SCRIPT, &args)
        .lines()
        .map(|line| {
            let f: Vec<&str> = line.split(' ').collect();
            assert_eq!(f.len(), 4, "{line}");
            PyToken {
                key: f[0].into(),
                token: f[1].into(),
                plaintext: hex::decode(f[2]).unwrap(),
                timestamp: f[3].parse().unwrap(),
            }
        })
        .collect()
}

fn decrypt(key: &[u8], token: &[u8]) -> Result<(Vec<u8>, u64), LegacyError> {
    let mut out = vec![0u8; fernet_max_plaintext_len(token)?];
    let FernetOk { len, timestamp } = fernet_decrypt(key, token, &mut out)?;
    out.truncate(len);
    Ok((out, timestamp))
}

fn b64_decode(s: &str) -> Vec<u8> {
    let mut buf = vec![0u8; s.len()];
    let n = Base64Url::decode(s, &mut buf).unwrap().len();
    buf.truncate(n);
    buf
}

fn b64_encode(bytes: &[u8]) -> String {
    let mut buf = vec![0u8; Base64Url::encoded_len(bytes)];
    Base64Url::encode(bytes, &mut buf).unwrap().to_owned()
}

fn shapes() -> Vec<(Vec<u8>, u64)> {
    vec![
        (Vec::new(), 0),
        (b"hello".to_vec(), 1_700_000_000),
        (vec![0x61; 15], 1),
        (vec![0x00; 16], u64::from(u32::MAX) + 5),
        (vec![0xff; 17], 1_234_567_890),
        ((0..=255u8).collect(), 42),
        (random_bytes(11, 1000), 1_000_000_000_000),
    ]
}

#[test]
fn python_tokens_decrypt_exactly() {
    for t in python_tokens(&shapes()) {
        let (pt, ts) = decrypt(t.key.as_bytes(), t.token.as_bytes()).unwrap();
        assert_eq!(pt, t.plaintext);
        assert_eq!(ts, t.timestamp);
        // Exact buffer bound: ciphertext length minus one.
        let ct_len = (t.plaintext.len() / 16 + 1) * 16;
        assert_eq!(fernet_max_plaintext_len(t.token.as_bytes()), Ok(ct_len - 1));
    }
}

#[test]
fn spec_known_answer() {
    // generate.json / verify.json of https://github.com/fernet/spec.
    let key = b"cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
    let token = b"gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==";
    let (pt, ts) = decrypt(key, token).unwrap();
    assert_eq!(pt, b"hello");
    assert_eq!(ts, 499_162_800); // 1985-10-26T01:20:00-07:00
}

#[test]
fn padding_and_whitespace_variants() {
    let t = &python_tokens(&[(b"variants".to_vec(), 7)])[0];
    let bare_token = t.token.trim_end_matches('=');
    let bare_key = t.key.trim_end_matches('=');
    assert_ne!(bare_token, t.token, "python pads its tokens");
    for key in [t.key.clone(), bare_key.into(), format!("  {}\n", t.key)] {
        for token in [
            t.token.clone(),
            bare_token.into(),
            format!("{}\n", t.token),
            format!("\t{bare_token}\r\n"),
        ] {
            let (pt, ts) = decrypt(key.as_bytes(), token.as_bytes()).unwrap();
            assert_eq!((pt.as_slice(), ts), (&b"variants"[..], 7));
        }
    }
}

#[test]
fn every_bit_flip_is_refused_before_decryption() {
    for t in python_tokens(&[(b"flip me".to_vec(), 99), (random_bytes(12, 40), 100)]) {
        let raw = b64_decode(&t.token);
        for i in 0..raw.len() {
            for bit in 0..8 {
                let mut flipped = raw.clone();
                flipped[i] ^= 1 << bit;
                let mut out = vec![0u8; raw.len()];
                let r = fernet_decrypt(t.key.as_bytes(), b64_encode(&flipped).as_bytes(), &mut out);
                let want = if i == 0 {
                    LegacyError::MalformedFernetToken // the version byte
                } else {
                    LegacyError::FernetWrongKeyOrTampered
                };
                assert_eq!(r, Err(want), "byte {i} bit {bit}");
                assert!(out.iter().all(|&b| b == 0), "output written");
            }
        }
    }
}

#[test]
fn wrong_key_is_refused() {
    let tokens = python_tokens(&[(b"secret".to_vec(), 1), (b"secret".to_vec(), 1)]);
    let other_key = python_tokens(&[(Vec::new(), 0)]).remove(0).key;
    assert_ne!(other_key, tokens[0].key);
    for t in &tokens {
        let mut out = [0u8; 64];
        assert_eq!(
            fernet_decrypt(other_key.as_bytes(), t.token.as_bytes(), &mut out),
            Err(LegacyError::FernetWrongKeyOrTampered)
        );
        assert_eq!(out, [0u8; 64]);
        // One bit off in the signing half.
        let mut key = b64_decode(&t.key);
        key[0] ^= 1;
        assert_eq!(
            fernet_decrypt(b64_encode(&key).as_bytes(), t.token.as_bytes(), &mut out),
            Err(LegacyError::FernetWrongKeyOrTampered)
        );
    }
}

#[test]
fn malformed_tokens() {
    let t = &python_tokens(&[(random_bytes(13, 20), 5)])[0];
    let key = t.key.as_bytes();
    let raw = b64_decode(&t.token);
    let mut out = vec![0u8; 100];
    let mut check = |token: &[u8], want: LegacyError| {
        assert_eq!(
            fernet_decrypt(key, token, &mut out),
            Err(want),
            "{:?}",
            String::from_utf8_lossy(token)
        );
    };

    // Bad base64: a character outside the URL-safe alphabet (including the standard one's).
    for bad in [b'!', b'+', b'/', b' ', b'=', 0xC3] {
        let mut s = t.token.clone().into_bytes();
        s[10] = bad;
        check(&s, LegacyError::MalformedFernetToken);
    }
    // Junk after the padding; padding in the middle.
    check(
        format!("{}AAAA", t.token).as_bytes(),
        LegacyError::MalformedFernetToken,
    );
    check(
        format!("{}==AA", &t.token[..20]).as_bytes(),
        LegacyError::MalformedFernetToken,
    );
    // Non-canonical base64: the last character's unused low bits must be zero.
    const URL_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    assert_ne!(raw.len() % 3, 0, "this token needs a short last group");
    let mut s = t.token.clone().into_bytes();
    let last = s.iter().rposition(|&c| c != b'=').unwrap();
    let idx = URL_ALPHABET.iter().position(|&c| c == s[last]).unwrap();
    s[last] = URL_ALPHABET[idx + 1];
    check(&s, LegacyError::MalformedFernetToken);

    // Truncated at every byte: too short (< 73 bytes) or a ciphertext that is not a
    // multiple of 16 is malformed; a cut that keeps the framing valid loses the real MAC.
    for cut in 0..raw.len() {
        let want = if cut >= 73 && (cut - 57) % 16 == 0 {
            LegacyError::FernetWrongKeyOrTampered
        } else {
            LegacyError::MalformedFernetToken
        };
        check(b64_encode(&raw[..cut]).as_bytes(), want);
    }
    // Truncated base64 text (a dangling character).
    check(
        &t.token.as_bytes()[..t.token.len() - 3],
        LegacyError::MalformedFernetToken,
    );
    check(b"", LegacyError::MalformedFernetToken);
    check(b"   \n", LegacyError::MalformedFernetToken);

    // Wrong version byte, even with a valid MAC over it.
    let key_raw = b64_decode(&t.key);
    for version in [0x00, 0x7f, 0x81, 0xff] {
        let mut forged = raw.clone();
        forged[0] = version;
        let body = forged.len() - 32;
        let tag = hmac_sha256(&key_raw[..16], &forged[..body]);
        forged[body..].copy_from_slice(&tag);
        check(
            b64_encode(&forged).as_bytes(),
            LegacyError::MalformedFernetToken,
        );
    }
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// A token with a valid MAC over a ciphertext whose padding is invalid (only a broken
/// encoder makes one): reported as a malformed token, not as a key problem.
#[test]
fn bad_padding_behind_valid_mac_is_malformed() {
    let key_raw = random_bytes(14, 32);
    let key = b64_encode(&key_raw);
    let iv = [7u8; 16];
    for last_byte in [0u8, 17, 0xff] {
        let mut blocks = [[0x41u8; 16]; 2];
        blocks[1][15] = last_byte;
        let mut enc = cbc::Encryptor::<aes::Aes128>::new_from_slices(&key_raw[16..], &iv).unwrap();
        let mut token = vec![0x80];
        token.extend_from_slice(&5u64.to_be_bytes());
        token.extend_from_slice(&iv);
        for b in &mut blocks {
            enc.encrypt_block_mut(b.into());
            token.extend_from_slice(b);
        }
        let tag = hmac_sha256(&key_raw[..16], &token);
        token.extend_from_slice(&tag);
        let mut out = [0u8; 31];
        assert_eq!(
            fernet_decrypt(key.as_bytes(), b64_encode(&token).as_bytes(), &mut out),
            Err(LegacyError::MalformedFernetToken)
        );
        assert_eq!(out, [0u8; 31], "output wiped");
    }
}

#[test]
fn malformed_keys() {
    let t = &python_tokens(&[(b"k".to_vec(), 5)])[0];
    let key_raw = b64_decode(&t.key);
    let mut out = [0u8; 32];
    let std_alphabet = t.key.replace('-', "+").replace('_', "/");
    let mut bad_keys: Vec<String> = vec![
        String::new(),
        b64_encode(&key_raw[..31]),
        b64_encode(&[key_raw.as_slice(), &[0]].concat()),
        format!("{}A", t.key),
        t.key.replace('=', "==="),
        "!".repeat(44),
    ];
    if std_alphabet != t.key {
        bad_keys.push(std_alphabet);
    }
    let mut unpadded = vec![0u8; 43];
    Base64UrlUnpadded::encode(&key_raw, &mut unpadded).unwrap();
    assert!(decrypt(&unpadded, t.token.as_bytes()).is_ok());
    for bad in bad_keys {
        assert_eq!(
            fernet_decrypt(bad.as_bytes(), t.token.as_bytes(), &mut out),
            Err(LegacyError::MalformedFernetKey),
            "{bad:?}"
        );
    }
}

#[test]
fn output_buffer_size() {
    let t = &python_tokens(&[(random_bytes(15, 33), 5)])[0]; // 48-byte ciphertext
    assert_eq!(fernet_max_plaintext_len(t.token.as_bytes()), Ok(47));
    let mut small = [0u8; 46];
    assert_eq!(
        fernet_decrypt(t.key.as_bytes(), t.token.as_bytes(), &mut small),
        Err(LegacyError::OutputTooSmall { needed: 47 })
    );
    let mut exact = [0xEEu8; 47];
    let ok = fernet_decrypt(t.key.as_bytes(), t.token.as_bytes(), &mut exact).unwrap();
    assert_eq!(ok.len, 33);
    assert_eq!(&exact[..33], t.plaintext.as_slice());
    assert!(exact[33..].iter().all(|&b| b == 0xEE));
}

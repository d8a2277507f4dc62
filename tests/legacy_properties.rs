//! Property tests: no input makes the decoders panic, and round trips through independent
//! test-side encoders (built from the same RustCrypto primitives) hold.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aes::cipher::{block_padding::Pkcs7, BlockEncryptMut, KeyIvInit};
use base64ct::{Base64, Base64Url, Encoding};
use hmac::{Hmac, Mac};
use proptest::prelude::*;
use sha2::Sha256;
use vault_core::legacy::{
    fernet_decrypt, fernet_max_plaintext_len, openssl_decrypt, openssl_max_plaintext_len, Digest,
    FernetOk, LegacyError, OpensslKdf, Unauthenticated,
};

fn digest() -> impl Strategy<Value = Digest> {
    prop_oneof![
        Just(Digest::Sha256),
        Just(Digest::Sha512),
        Just(Digest::Sha1),
        Just(Digest::Md5)
    ]
}

/// Cheap KDFs, including out-of-range iteration counts.
fn kdf() -> impl Strategy<Value = OpensslKdf> {
    prop_oneof![
        (0u32..4, digest())
            .prop_map(|(iterations, digest)| OpensslKdf::Pbkdf2 { iterations, digest }),
        digest().prop_map(|digest| OpensslKdf::BytesToKey { digest }),
    ]
}

/// CBC-encrypts with PKCS#7 padding.
fn cbc_encrypt<C>(enc: cbc::Encryptor<C>, pt: &[u8]) -> Vec<u8>
where
    C: aes::cipher::BlockEncryptMut + aes::cipher::BlockCipher,
{
    let mut buf = pt.to_vec();
    buf.resize(pt.len() + 16, 0);
    let len = enc
        .encrypt_padded_mut::<Pkcs7>(&mut buf, pt.len())
        .unwrap()
        .len();
    buf.truncate(len);
    buf
}

/// Test-side `openssl enc -pbkdf2 -md sha256` encoder.
fn openssl_encrypt(pt: &[u8], password: &[u8], salt: [u8; 8], iterations: u32) -> Vec<u8> {
    let mut key_iv = [0u8; 48];
    pbkdf2::pbkdf2_hmac::<Sha256>(password, &salt, iterations, &mut key_iv);
    let enc = cbc::Encryptor::<aes::Aes256>::new_from_slices(&key_iv[..32], &key_iv[32..]);
    let ct = cbc_encrypt(enc.unwrap(), pt);
    [&b"Salted__"[..], &salt, &ct].concat()
}

/// Base64 with lines of `width` characters, as `openssl enc -a` writes (width 64).
fn wrap_base64(bytes: &[u8], width: usize) -> Vec<u8> {
    let mut enc = vec![0u8; Base64::encoded_len(bytes)];
    Base64::encode(bytes, &mut enc).unwrap();
    let mut out = Vec::new();
    for line in enc.chunks(width) {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out
}

/// Test-side Fernet encoder.
fn fernet_encrypt(key: &[u8; 32], ts: u64, iv: [u8; 16], pt: &[u8]) -> Vec<u8> {
    let enc = cbc::Encryptor::<aes::Aes128>::new_from_slices(&key[16..], &iv);
    let ct = cbc_encrypt(enc.unwrap(), pt);
    let mut token = vec![0x80];
    token.extend_from_slice(&ts.to_be_bytes());
    token.extend_from_slice(&iv);
    token.extend_from_slice(&ct);
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key[..16]).unwrap();
    mac.update(&token);
    token.extend_from_slice(&mac.finalize().into_bytes());
    token
}

fn b64url(bytes: &[u8]) -> Vec<u8> {
    let mut enc = vec![0u8; Base64Url::encoded_len(bytes)];
    Base64Url::encode(bytes, &mut enc).unwrap();
    enc
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn openssl_never_panics_on_random_input(
        file in proptest::collection::vec(any::<u8>(), 0..200),
        password in proptest::collection::vec(any::<u8>(), 0..20),
        kdf in kdf(),
        out_len in 0usize..220,
    ) {
        let mut out = vec![0u8; out_len];
        if let Ok(Unauthenticated { len }) = openssl_decrypt(&file, &password, kdf, &mut out) {
            prop_assert!(len <= out_len);
        }
        let _ = openssl_max_plaintext_len(&file);
    }

    #[test]
    fn openssl_never_panics_on_salted_input(
        body in proptest::collection::vec(any::<u8>(), 0..120),
        base64 in any::<bool>(),
        width in 1usize..80,
        kdf in kdf(),
        out_len in 0usize..140,
    ) {
        // Past the magic, so the deeper paths (salt, length, KDF, CBC, padding) run.
        let file = [&b"Salted__"[..], &body].concat();
        let file = if base64 { wrap_base64(&file, width) } else { file };
        let mut out = vec![0u8; out_len];
        match openssl_decrypt(&file, b"pw", kdf, &mut out) {
            Ok(Unauthenticated { len }) => prop_assert!(len <= out_len),
            Err(LegacyError::WrongPasswordOrParameters) => {
                prop_assert!(out.iter().all(|&b| b == 0));
            }
            Err(_) => {}
        }
    }

    #[test]
    fn openssl_round_trip(
        pt in proptest::collection::vec(any::<u8>(), 0..100),
        password in proptest::collection::vec(any::<u8>(), 0..20),
        salt in any::<[u8; 8]>(),
        iterations in 1u32..4,
        base64 in any::<bool>(),
        width in 1usize..100,
        slack in 0usize..20,
    ) {
        let file = openssl_encrypt(&pt, &password, salt, iterations);
        let file = if base64 { wrap_base64(&file, width) } else { file };
        let needed = openssl_max_plaintext_len(&file).unwrap();
        prop_assert_eq!(needed, (pt.len() / 16 + 1) * 16 - 1);
        let mut out = vec![0xA5u8; needed + slack];
        let kdf = OpensslKdf::Pbkdf2 { iterations, digest: Digest::Sha256 };
        let Unauthenticated { len } = openssl_decrypt(&file, &password, kdf, &mut out).unwrap();
        prop_assert_eq!(&out[..len], &pt[..]);
        prop_assert!(out[len..].iter().all(|&b| b == 0xA5));
    }

    #[test]
    fn fernet_never_panics_on_random_input(
        key in proptest::collection::vec(any::<u8>(), 0..60),
        token in proptest::collection::vec(any::<u8>(), 0..200),
        out_len in 0usize..200,
    ) {
        let mut out = vec![0u8; out_len];
        if let Ok(FernetOk { len, .. }) = fernet_decrypt(&key, &token, &mut out) {
            prop_assert!(len <= out_len);
        }
        let _ = fernet_max_plaintext_len(&token);
    }

    #[test]
    fn fernet_never_panics_on_base64_input(
        key in any::<[u8; 32]>(),
        raw in proptest::collection::vec(any::<u8>(), 0..200),
        version_ok in any::<bool>(),
        out_len in 0usize..200,
    ) {
        // Well-formed base64 with a well-formed key, so the framing and MAC paths run.
        let mut raw = raw;
        if version_ok && !raw.is_empty() {
            raw[0] = 0x80;
        }
        let mut out = vec![0u8; out_len];
        let r = fernet_decrypt(&b64url(&key), &b64url(&raw), &mut out);
        prop_assert!(r.is_err(), "a random token cannot carry a valid MAC");
        prop_assert!(out.iter().all(|&b| b == 0));
    }

    #[test]
    fn fernet_round_trip_and_tamper(
        key in any::<[u8; 32]>(),
        ts in any::<u64>(),
        iv in any::<[u8; 16]>(),
        pt in proptest::collection::vec(any::<u8>(), 0..100),
        flip in any::<(usize, u8)>(),
    ) {
        let raw = fernet_encrypt(&key, ts, iv, &pt);
        let token = b64url(&raw);
        let needed = fernet_max_plaintext_len(&token).unwrap();
        let mut out = vec![0u8; needed];
        let FernetOk { len, timestamp } = fernet_decrypt(&b64url(&key), &token, &mut out).unwrap();
        prop_assert_eq!(&out[..len], &pt[..]);
        prop_assert_eq!(timestamp, ts);

        let mut tampered = raw.clone();
        let (i, bit) = (flip.0 % raw.len(), flip.1 % 8);
        tampered[i] ^= 1 << bit;
        let mut out = vec![0u8; needed];
        let want = if i == 0 {
            LegacyError::MalformedFernetToken
        } else {
            LegacyError::FernetWrongKeyOrTampered
        };
        prop_assert_eq!(fernet_decrypt(&b64url(&key), &b64url(&tampered), &mut out), Err(want));
        prop_assert!(out.iter().all(|&b| b == 0));
    }
}

//! The symmetric primitives as the format uses them: HMAC-SHA256 over several parts,
//! constant-time tag checks, and AES-256-CBC with PKCS#7 in caller buffers.
//!
//! Every decryption in the crate goes through [`cbc_decrypt_in_place`], and every call site
//! checks the MAC with [`verify_hmac_sha256`] first, so no padding oracle exists.

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::constants::{BLOCK_LEN, KEY_LEN, MAC_LEN};

type HmacSha256 = Hmac<Sha256>;
type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;
type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;

/// An HMAC-SHA256 instance keyed with `key` of any length, built infallibly: the key block
/// is the key zero-padded to 64 bytes, or its SHA-256 if longer (RFC 2104 §2).
pub(crate) fn keyed(key: &[u8]) -> HmacSha256 {
    use hmac::digest::KeyInit;
    let mut block = hmac::digest::generic_array::GenericArray::default();
    if key.len() > block.len() {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mac = <HmacSha256 as KeyInit>::new(&block);
    zeroize::Zeroize::zeroize(block.as_mut_slice());
    mac
}

/// `HMAC-SHA256(key, parts[0] || parts[1] || …)`.
pub(crate) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; MAC_LEN] {
    let mut mac = keyed(key);
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Checks `tag` against `HMAC-SHA256(key, parts…)` in constant time.
pub(crate) fn verify_hmac_sha256(key: &[u8], parts: &[&[u8]], tag: &[u8]) -> bool {
    let mut mac = keyed(key);
    for part in parts {
        mac.update(part);
    }
    mac.verify_slice(tag).is_ok()
}

/// Unkeyed SHA-256 of `data`.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Length of the PKCS#7-padded ciphertext of a `plaintext_len`-byte message.
pub(crate) const fn padded_len(plaintext_len: usize) -> usize {
    (plaintext_len / BLOCK_LEN + 1) * BLOCK_LEN
}

/// Encrypts `buf[..msg_len]` in place with AES-256-CBC and PKCS#7 padding; returns the
/// ciphertext length. `buf` must hold `padded_len(msg_len)` bytes.
pub(crate) fn cbc_encrypt_in_place(
    key: &[u8; KEY_LEN],
    iv: &[u8; BLOCK_LEN],
    buf: &mut [u8],
    msg_len: usize,
) -> Option<usize> {
    let cipher = Aes256CbcEnc::new(key.into(), iv.into());
    cipher
        .encrypt_padded_mut::<Pkcs7>(buf, msg_len)
        .ok()
        .map(|ct| ct.len())
}

/// Decrypts `buf` in place with AES-256-CBC and removes PKCS#7 padding; returns the
/// plaintext length, or `None` if the length or padding is invalid.
///
/// # Security
/// Call only after the ciphertext's MAC has verified.
pub(crate) fn cbc_decrypt_in_place(
    key: &[u8; KEY_LEN],
    iv: &[u8; BLOCK_LEN],
    buf: &mut [u8],
) -> Option<usize> {
    let cipher = Aes256CbcDec::new(key.into(), iv.into());
    cipher
        .decrypt_padded_mut::<Pkcs7>(buf)
        .ok()
        .map(|pt| pt.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    use crate::test_util::{hex, unhex};

    /// RFC 4231 test cases 1, 2, 4, 6 and 7 (HMAC-SHA-256 column).
    #[test]
    fn hmac_sha256_rfc4231() {
        let cases: &[(Vec<u8>, Vec<u8>, &str)] = &[
            (
                vec![0x0b; 20],
                b"Hi There".to_vec(),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                b"Jefe".to_vec(),
                b"what do ya want for nothing?".to_vec(),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
                vec![0xcd; 50],
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            ),
            (
                vec![0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
            (
                vec![0xaa; 131],
                b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".to_vec(),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            ),
        ];
        for (key, data, want) in cases {
            let tag = hmac_sha256(key, &[data]);
            assert_eq!(hex(&tag), *want);
            // Split input gives the same tag.
            let (a, b) = data.split_at(data.len() / 2);
            assert_eq!(hmac_sha256(key, &[a, b]), tag);
            assert!(verify_hmac_sha256(key, &[a, b], &tag));
            let mut bad = tag;
            bad[31] ^= 1;
            assert!(!verify_hmac_sha256(key, &[data], &bad));
            assert!(!verify_hmac_sha256(key, &[data], &tag[..31]));
        }
    }

    /// NIST SP 800-38A, F.2.5 / F.2.6: CBC-AES256 encryption and decryption.
    #[test]
    fn aes256_cbc_sp800_38a() {
        let key: [u8; 32] =
            unhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4")
                .try_into()
                .unwrap();
        let iv: [u8; 16] = unhex("000102030405060708090a0b0c0d0e0f")
            .try_into()
            .unwrap();
        let pt = unhex(
            "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
             30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710",
        );
        let ct = unhex(
            "f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d
             39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b",
        );
        // The vectors have no padding; with PKCS#7 one extra block follows.
        let mut buf = pt.clone();
        buf.resize(pt.len() + 16, 0);
        let n = cbc_encrypt_in_place(&key, &iv, &mut buf, pt.len()).unwrap();
        assert_eq!(n, 80);
        assert_eq!(&buf[..64], &ct[..]);
        let m = cbc_decrypt_in_place(&key, &iv, &mut buf[..n]).unwrap();
        assert_eq!(&buf[..m], &pt[..]);
    }

    #[test]
    fn cbc_rejects_bad_padding_and_lengths() {
        let key = [7u8; 32];
        let iv = [9u8; 16];
        let mut buf = [0u8; 32];
        let n = cbc_encrypt_in_place(&key, &iv, &mut buf, 5).unwrap();
        assert_eq!(n, 16);
        buf[15] ^= 0x55;
        assert!(cbc_decrypt_in_place(&key, &iv, &mut buf[..16]).is_none());
        assert!(cbc_decrypt_in_place(&key, &iv, &mut buf[..15]).is_none());
        assert!(cbc_decrypt_in_place(&key, &iv, &mut []).is_none());
        // Too small an output buffer is refused, not a panic.
        assert!(cbc_encrypt_in_place(&key, &iv, &mut buf[..16], 16).is_none());
    }

    #[test]
    fn padded_lengths() {
        assert_eq!(padded_len(0), 16);
        assert_eq!(padded_len(15), 16);
        assert_eq!(padded_len(16), 32);
        assert_eq!(padded_len(72), 80);
    }
}

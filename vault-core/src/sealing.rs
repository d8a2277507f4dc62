//! The symmetric primitives as the format uses them: HMAC-SHA256 over several parts,
//! constant-time tag checks, and AES-256-CBC with PKCS#7 in caller buffers.
//!
//! Every decryption in the crate goes through [`cbc_decrypt_in_place`], and every call site
//! checks the MAC with [`verify_hmac_sha256`] first, so no padding oracle exists.
//!
//! HMAC-SHA256 runs on SHA-256 compression states that this module owns ([`HmacSha256`]),
//! not on the `hmac` and `sha2` crates' hasher types: those never wipe their states, and an
//! HMAC's inner and outer states (or a long key's hash) are as good as its key. What is
//! left to the `sha2` crate is the compression function itself, whose working variables
//! and message schedule live in its own stack frame (or registers) and are not wiped.

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use sha2::digest::consts::U64;
use sha2::digest::generic_array::GenericArray;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use crate::constants::{BLOCK_LEN, KEY_LEN, MAC_LEN};

type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;
type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;

/// SHA-256's initial hash value (FIPS 180-4 §5.3.3).
const SHA256_IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

const SHA256_BLOCK: usize = 64;
/// Blocks compressed per call for long messages. With the CPU's SHA instructions (x86,
/// AArch64) one call per block costs `compress256` most of its speed, so 16 go at once
/// (1 KiB of stack); elsewhere the software compression gains nothing from batches and a
/// small target keeps its stack.
#[cfg(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64"))]
const BATCH_BLOCKS: usize = 16;
#[cfg(not(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64")))]
const BATCH_BLOCKS: usize = 1;

/// One SHA-256 compression of `block` into `state`.
fn compress(state: &mut [u32; 8], block: &[u8; SHA256_BLOCK]) {
    let block: &GenericArray<u8, U64> = block.into();
    sha2::compress256(state, core::slice::from_ref(block));
}

/// SHA-256 on a state and a block buffer owned here and wiped on drop (for keys: `sha2`'s
/// `Sha256` keeps its state and the unhashed tail of its input unwiped).
struct WipedSha256 {
    state: [u32; 8],
    buf: [u8; SHA256_BLOCK],
    buf_len: usize,
    /// Bytes hashed so far, those compressed into `state` before this value included.
    len: u64,
}

impl WipedSha256 {
    const fn new() -> Self {
        Self {
            state: SHA256_IV,
            buf: [0; SHA256_BLOCK],
            buf_len: 0,
            len: 0,
        }
    }

    fn update(&mut self, mut data: &[u8]) {
        self.len = self.len.wrapping_add(data.len() as u64);
        if self.buf_len > 0 {
            let take = (SHA256_BLOCK - self.buf_len).min(data.len());
            self.buf[self.buf_len..self.buf_len + take].copy_from_slice(&data[..take]);
            self.buf_len += take;
            data = &data[take..];
            if self.buf_len < SHA256_BLOCK {
                return;
            }
            compress(&mut self.state, &self.buf);
            self.buf_len = 0;
        }
        let mut blocks = data.chunks_exact(SHA256_BLOCK);
        let rest = blocks.remainder();
        if blocks.len() > 0 {
            // Whole blocks go to `compress256` a batch at a time (see `BATCH_BLOCKS`). The
            // batch may hold a key: wiped.
            let mut batch = [GenericArray::<u8, U64>::default(); BATCH_BLOCKS];
            loop {
                let mut n = 0;
                for (dst, src) in batch.iter_mut().zip(blocks.by_ref()) {
                    dst.copy_from_slice(src);
                    n += 1;
                }
                if n == 0 {
                    break;
                }
                sha2::compress256(&mut self.state, &batch[..n]);
            }
            for block in batch.iter_mut() {
                block.as_mut_slice().zeroize();
            }
        }
        self.buf[..rest.len()].copy_from_slice(rest);
        self.buf_len = rest.len();
    }

    /// Writes the digest to `out[..32]` (`out` is at least 32 bytes) and wipes the state.
    fn finalize_into(&mut self, out: &mut [u8]) {
        let bit_len = self.len.wrapping_mul(8);
        let n = self.buf_len;
        self.buf[n] = 0x80;
        self.buf[n + 1..].fill(0);
        if n + 1 > SHA256_BLOCK - 8 {
            compress(&mut self.state, &self.buf);
            self.buf.fill(0);
        }
        self.buf[SHA256_BLOCK - 8..].copy_from_slice(&bit_len.to_be_bytes());
        compress(&mut self.state, &self.buf);
        for (chunk, word) in out.chunks_exact_mut(4).zip(self.state.iter()) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        self.wipe();
    }

    fn wipe(&mut self) {
        self.state.zeroize();
        self.buf.zeroize();
        self.buf_len = 0;
        self.len = 0;
    }
}

impl Drop for WipedSha256 {
    fn drop(&mut self) {
        self.wipe();
    }
}

/// HMAC-SHA256 (RFC 2104) keyed with a key of any length: the key block is the key
/// zero-padded to 64 bytes, or its SHA-256 if longer (§2). Every key-dependent value it
/// holds — the inner hash in progress, the outer pad's state — is wiped on drop and after
/// [`HmacSha256::finalize_into`]; the key block and a long key's hash are wiped as soon as
/// the states are computed.
pub(crate) struct HmacSha256 {
    /// The inner hash, started with `compress(IV, K ⊕ ipad)`.
    inner: WipedSha256,
    /// `compress(IV, K ⊕ opad)`.
    outer: [u32; 8],
}

impl HmacSha256 {
    /// An instance keyed with `key`. (Built as the returned value itself, so that no
    /// second copy of its states is made here; a caller that moves it may still leave one,
    /// as any Rust move can.)
    pub(crate) fn new(key: &[u8]) -> Self {
        let mut mac = Self {
            inner: WipedSha256::new(),
            outer: SHA256_IV,
        };
        let mut block = [0u8; SHA256_BLOCK];
        if key.len() > SHA256_BLOCK {
            let mut h = WipedSha256::new();
            h.update(key);
            h.finalize_into(&mut block);
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        for b in block.iter_mut() {
            *b ^= 0x36;
        }
        compress(&mut mac.inner.state, &block);
        mac.inner.len = SHA256_BLOCK as u64;
        for b in block.iter_mut() {
            *b ^= 0x36 ^ 0x5c;
        }
        compress(&mut mac.outer, &block);
        block.zeroize();
        mac
    }

    /// The states after the inner and outer key blocks, copied into `inner` and `outer`
    /// (for PBKDF2's iteration loop). Meaningful only before any [`HmacSha256::update`].
    pub(crate) fn key_states_into(&self, inner: &mut [u32; 8], outer: &mut [u32; 8]) {
        inner.copy_from_slice(&self.inner.state);
        outer.copy_from_slice(&self.outer);
    }

    /// Adds `data` to the message.
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.inner.update(data);
    }

    /// Writes the tag to `out`; the instance is wiped as it is dropped.
    pub(crate) fn finalize_into(mut self, out: &mut [u8; MAC_LEN]) {
        let mut inner_hash = [0u8; MAC_LEN];
        self.inner.finalize_into(&mut inner_hash);
        // The outer hash reuses the inner one's wiped state and buffer.
        self.inner.state = self.outer;
        self.inner.len = SHA256_BLOCK as u64;
        self.inner.update(&inner_hash);
        self.inner.finalize_into(out);
        inner_hash.zeroize();
    }
}

impl Drop for HmacSha256 {
    fn drop(&mut self) {
        self.outer.zeroize();
        // `inner` wipes itself.
    }
}

/// `HMAC-SHA256(key, parts[0] || parts[1] || …)`.
pub(crate) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; MAC_LEN] {
    let mut mac = HmacSha256::new(key);
    for part in parts {
        mac.update(part);
    }
    let mut tag = [0u8; MAC_LEN];
    mac.finalize_into(&mut tag);
    tag
}

/// Checks `tag` against `HMAC-SHA256(key, parts…)` in constant time.
pub(crate) fn verify_hmac_sha256(key: &[u8], parts: &[&[u8]], tag: &[u8]) -> bool {
    let mut mac = HmacSha256::new(key);
    for part in parts {
        mac.update(part);
    }
    let mut want = [0u8; MAC_LEN];
    mac.finalize_into(&mut want);
    let ok = bool::from(want[..].ct_eq(tag));
    // The expected tag is what a forger lacks: not left behind either.
    want.zeroize();
    ok
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

    /// The wiped SHA-256 and HMAC against the `sha2` and `hmac` crates, for keys shorter
    /// than, equal to and longer than a block, and messages given whole or in pieces
    /// across every block boundary.
    #[test]
    fn wiped_sha256_and_hmac_match_the_crates() {
        use hmac::{Hmac, Mac};
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        for len in 0..data.len() {
            let msg = &data[..len];
            let mut h = WipedSha256::new();
            let (a, b) = msg.split_at(len / 3);
            h.update(a);
            h.update(b);
            let mut got = [0u8; 32];
            h.finalize_into(&mut got);
            assert_eq!(got[..], Sha256::digest(msg)[..], "sha256 len {len}");
            assert_eq!((h.state, h.buf_len, h.len), ([0; 8], 0, 0), "wiped");
        }
        for key_len in [0, 1, 31, 32, 63, 64, 65, 100, 129] {
            let key = &data[100..100 + key_len];
            for len in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 200] {
                let msg = &data[..len];
                let mut want = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
                want.update(msg);
                let want: [u8; 32] = want.finalize().into_bytes().into();
                let (a, b) = msg.split_at(len / 2);
                assert_eq!(hmac_sha256(key, &[a, b]), want, "key {key_len} msg {len}");
                assert!(verify_hmac_sha256(key, &[msg], &want));
            }
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

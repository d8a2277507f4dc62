//! An independent re-implementation of `docs/FORMAT.md`'s layout and derivations, written
//! from the document and not from vault-core, used to craft damaged, tampered and
//! malformed files and to check that vault-core agrees with the spec.

use aes::cipher::{block_padding::Pkcs7, BlockEncryptMut, KeyIvInit};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub const TRAILER_LEN: usize = 56;
pub const SLOT_LEN: usize = 136;
pub const TABLE_ENTRY_LEN: usize = 64;

pub fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

pub fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(b[at..at + 2].try_into().unwrap())
}

pub fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

/// Header length from the first copy's field.
pub fn header_len(file: &[u8]) -> usize {
    u32_at(file, 12) as usize
}

/// Offset of the second header copy, from the trailer.
pub fn copy_b(file: &[u8]) -> usize {
    file.len() - TRAILER_LEN - u32_at(file, file.len() - TRAILER_LEN + 8) as usize
}

pub fn slot_count(file: &[u8]) -> usize {
    u16_at(file, 48) as usize
}

pub fn record_count(file: &[u8]) -> usize {
    u32_at(file, 52) as usize
}

/// Offset of table entry `i` within a header copy.
pub fn table_entry_at(file: &[u8], i: usize) -> usize {
    64 + SLOT_LEN * slot_count(file) + TABLE_ENTRY_LEN * i
}

/// Byte range of record `i` in the file.
pub fn record_range(file: &[u8], i: usize) -> std::ops::Range<usize> {
    let mut off = header_len(file);
    for j in 0..i {
        off += u32_at(file, table_entry_at(file, j) + 4) as usize;
    }
    let len = u32_at(file, table_entry_at(file, i) + 4) as usize;
    off..off + len
}

/// Writes `bytes` at `at` within the first header copy (offsets relative to the copy).
pub fn patch_header(file: &mut [u8], at: usize, bytes: &[u8]) {
    file[at..at + bytes.len()].copy_from_slice(bytes);
}

/// After editing the first header copy: recompute its checksum, copy it over the second
/// copy (same length) and recompute the trailer's file checksum. What anyone can do
/// without a key.
pub fn reseal_unkeyed(file: &mut [u8]) {
    let h = header_len(file);
    let b = copy_b(file);
    let sum = sha256(&file[..h - 32]);
    file[h - 32..h].copy_from_slice(&sum);
    let (head, tail) = file.split_at_mut(b);
    tail[..h].copy_from_slice(&head[..h]);
    let t = file.len() - TRAILER_LEN;
    let mut root = Sha256::new();
    root.update(b"airvault v1 file checksum");
    root.update(sum);
    for i in 0..record_count(file) {
        let at = table_entry_at(file, i) + 32;
        root.update(&file[at..at + 32]);
    }
    root.update(sum);
    root.update(&file[t..t + 24]);
    let root: [u8; 32] = root.finalize().into();
    file[t + 24..].copy_from_slice(&root);
}

/// As [`reseal_unkeyed`], after recomputing the header MAC under the master key: what
/// only a holder of the key can do.
pub fn reseal_keyed(file: &mut [u8], vmk: &[u8; 32]) {
    let h = header_len(file);
    let k_header = hmac(vmk, &[b"airvault v1 header authentication"]);
    let mac = hmac(&k_header, &[&file[..h - 64]]);
    file[h - 64..h - 32].copy_from_slice(&mac);
    reseal_unkeyed(file);
}

/// Records record `i`'s current SHA-256 in the first copy's table.
pub fn fix_record_checksum(file: &mut [u8], i: usize) {
    let sum = sha256(&file[record_range(file, i)]);
    let at = table_entry_at(file, i) + 32;
    file[at..at + 32].copy_from_slice(&sum);
}

/// Seals a record plaintext as FORMAT.md says, for the table entry at `i` (whose first 32
/// bytes the MAC binds). The length of the result must equal the table's length field.
pub fn seal_record(
    file: &[u8],
    i: usize,
    vmk: &[u8; 32],
    iv: [u8; 16],
    plaintext: &[u8],
) -> Vec<u8> {
    let k_enc = hmac(vmk, &[b"airvault v1 record encryption"]);
    let k_mac = hmac(vmk, &[b"airvault v1 record authentication"]);
    let ct = cbc::Encryptor::<aes::Aes256>::new(&k_enc.into(), &iv.into())
        .encrypt_padded_vec_mut::<Pkcs7>(plaintext);
    let te = table_entry_at(file, i);
    let vault_id = &file[16..32];
    let mac = hmac(&k_mac, &[vault_id, &file[te..te + 32], &iv, &ct]);
    [&iv[..], &ct, &mac].concat()
}

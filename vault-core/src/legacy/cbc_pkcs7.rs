//! Streaming CBC decryption with a constant-time PKCS#7 check, shared by both formats.

use aes::cipher::{consts::U16, BlockDecryptMut, BlockSizeUser};
use subtle::{Choice, ConstantTimeEq, ConstantTimeGreater, CtOption};
use zeroize::{Zeroize, Zeroizing};

use super::base64::ByteSource;

/// The AES block size.
pub(super) const BLOCK: usize = 16;

/// Why [`decrypt_cbc_pkcs7`] failed. Either way `out` has been wiped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CbcError {
    /// The source ended early or was invalid, `ct_len` is not a positive multiple of the
    /// block size, or `out` is too small (all excluded by the callers' earlier checks).
    Input,
    /// The last block does not end in valid PKCS#7 padding.
    Padding,
}

/// The largest plaintext a CBC/PKCS#7 ciphertext of `ct_len` bytes can hold, if `ct_len` is a
/// positive multiple of the block size (padding is always at least one byte).
pub(super) fn max_plaintext_len(ct_len: usize) -> Option<usize> {
    if ct_len == 0 || !ct_len.is_multiple_of(BLOCK) {
        return None;
    }
    ct_len.checked_sub(1)
}

/// Reads `ct_len` ciphertext bytes from `src`, CBC-decrypts them with `dec` into `out` and
/// strips the PKCS#7 padding. Returns the plaintext length.
///
/// `out` must hold at least [`max_plaintext_len`]`(ct_len)` bytes. Full blocks are decrypted in
/// place in `out`; the last block goes through a wiped stack buffer, so nothing past the
/// returned length is written. On error everything written to `out` is wiped.
pub(super) fn decrypt_cbc_pkcs7<D, S>(
    mut dec: D,
    src: &mut S,
    ct_len: usize,
    out: &mut [u8],
) -> Result<usize, CbcError>
where
    D: BlockDecryptMut + BlockSizeUser<BlockSize = U16>,
    S: ByteSource,
{
    max_plaintext_len(ct_len).ok_or(CbcError::Input)?;
    let body_len = ct_len - BLOCK;
    let (body, tail) = out.split_at_mut_checked(body_len).ok_or(CbcError::Input)?;

    // All blocks but the last are plaintext in full: decrypt them in place.
    for chunk in body.chunks_exact_mut(BLOCK) {
        let Ok(block) = <&mut [u8; BLOCK]>::try_from(chunk) else {
            body.zeroize();
            return Err(CbcError::Input);
        };
        if src.read_exact(block).is_err() {
            body.zeroize();
            return Err(CbcError::Input);
        }
        dec.decrypt_block_mut(block.into());
    }

    // The last block carries the padding: decrypt it on the side and check it.
    let mut last = Zeroizing::new([0u8; BLOCK]);
    if src.read_exact(&mut last[..]).is_err() {
        body.zeroize();
        return Err(CbcError::Input);
    }
    dec.decrypt_block_mut((&mut *last).into());

    let Some(kept) = Option::<usize>::from(pkcs7_unpadded_len(&last)) else {
        body.zeroize();
        return Err(CbcError::Padding);
    };
    let (Some(from), Some(to)) = (last.get(..kept), tail.get_mut(..kept)) else {
        body.zeroize();
        return Err(CbcError::Input);
    };
    to.copy_from_slice(from);
    Ok(body_len + kept)
}

/// How many bytes of `block` precede its PKCS#7 padding, in constant time: the padding value
/// `n` must be in `1..=16` and the last `n` bytes must all equal `n`.
fn pkcs7_unpadded_len(block: &[u8; BLOCK]) -> CtOption<usize> {
    const MAX_PAD: u8 = 16;
    const _: () = assert!(MAX_PAD as usize == BLOCK);
    let n = block[BLOCK - 1];
    let mut ok: Choice = !n.ct_eq(&0) & !n.ct_gt(&MAX_PAD);
    // `distance` counts from the end: 16 for the first byte, 1 for the last.
    for (b, distance) in block.iter().zip((1..=MAX_PAD).rev()) {
        let in_padding = !distance.ct_gt(&n);
        ok &= !in_padding | b.ct_eq(&n);
    }
    CtOption::new(BLOCK.wrapping_sub(usize::from(n)), ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unpad(block: [u8; BLOCK]) -> Option<usize> {
        pkcs7_unpadded_len(&block).into()
    }

    #[test]
    fn pkcs7_rules() {
        for n in 1..=16u8 {
            let mut b = [0xAAu8; BLOCK];
            for x in &mut b[BLOCK - usize::from(n)..] {
                *x = n;
            }
            assert_eq!(unpad(b), Some(BLOCK - usize::from(n)));
            if n > 1 {
                // One wrong byte inside the padding.
                b[BLOCK - usize::from(n)] ^= 1;
                assert_eq!(unpad(b), None);
            }
        }
        assert_eq!(unpad([0u8; BLOCK]), None);
        assert_eq!(unpad([17u8; BLOCK]), None);
        assert_eq!(unpad([0xFFu8; BLOCK]), None);
        let mut b = [16u8; BLOCK];
        b[0] = 15;
        assert_eq!(unpad(b), None);
    }
}

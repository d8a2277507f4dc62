//! Fernet tokens (<https://github.com/fernet/spec/blob/master/Spec.md>), version `0x80`.
//!
//! ```text
//! key   = base64url( signing key (16) || encryption key (16) )
//! token = base64url( 0x80 || timestamp (8, big-endian seconds) || IV (16)
//!                    || AES-128-CBC ciphertext, PKCS#7-padded || HMAC-SHA256 (32) )
//! ```
//!
//! The HMAC, keyed with the signing key, covers everything before it. It is verified in
//! constant time before anything is decrypted.

use aes::cipher::KeyIvInit;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

use super::base64::{Alphabet, Base64Reader, ByteSource, Layout};
use super::cbc_pkcs7::{decrypt_cbc_pkcs7, max_plaintext_len};
use super::LegacyError;

/// The only token version the spec defines.
const VERSION: u8 = 0x80;
/// Length of each half of the key.
const HALF_KEY: usize = 16;
/// Version, timestamp and IV: the bytes before the ciphertext.
const HEADER_LEN: usize = 1 + 8 + 16;
/// HMAC-SHA256 tag length.
const TAG_LEN: usize = 32;

/// The result of a successful [`fernet_decrypt`]. The plaintext is authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FernetOk {
    /// Length of the plaintext written to the front of the output buffer.
    pub len: usize,
    /// The token's creation time, in seconds since the Unix epoch, as the creator's clock
    /// saw it. It is covered by the MAC. No TTL or clock-skew check is made (this crate has
    /// no clock); callers that need one compare it with their own time.
    pub timestamp: u64,
}

/// A token's public framing, read from its base64 text.
struct Frame {
    timestamp: u64,
    iv: [u8; 16],
    ct_len: usize,
}

/// Decodes and length-checks the token text; reads the version, timestamp and IV.
fn parse(token_b64: &[u8]) -> Result<Frame, LegacyError> {
    let malformed = |_| LegacyError::MalformedFernetToken;
    let total = Base64Reader::new(token_b64, Alphabet::UrlSafe, Layout::SingleLine)
        .remaining_len()
        .map_err(malformed)?;
    let ct_len = total
        .checked_sub(HEADER_LEN + TAG_LEN)
        .ok_or(LegacyError::MalformedFernetToken)?;
    max_plaintext_len(ct_len).ok_or(LegacyError::MalformedFernetToken)?;

    let mut reader = Base64Reader::new(token_b64, Alphabet::UrlSafe, Layout::SingleLine);
    let mut version = [0u8; 1];
    let mut timestamp = [0u8; 8];
    let mut iv = [0u8; 16];
    reader.read_exact(&mut version).map_err(malformed)?;
    if version != [VERSION] {
        return Err(LegacyError::MalformedFernetToken);
    }
    reader.read_exact(&mut timestamp).map_err(malformed)?;
    reader.read_exact(&mut iv).map_err(malformed)?;
    Ok(Frame {
        timestamp: u64::from_be_bytes(timestamp),
        iv,
        ct_len,
    })
}

/// The output buffer size [`fernet_decrypt`] needs for `token_b64`: the largest plaintext it
/// can hold (its ciphertext length minus one).
///
/// # Errors
///
/// [`LegacyError::MalformedFernetToken`].
pub fn fernet_max_plaintext_len(token_b64: &[u8]) -> Result<usize, LegacyError> {
    let frame = parse(token_b64)?;
    max_plaintext_len(frame.ct_len).ok_or(LegacyError::MalformedFernetToken)
}

/// Verifies and decrypts a Fernet token into `out`.
///
/// `key_b64` is the key as Fernet libraries print it and `token_b64` the token, both URL-safe
/// base64 with or without `=` padding and optionally surrounded by whitespace (a trailing
/// newline, say). The token's HMAC-SHA256 is checked in constant time before anything is
/// decrypted; the token is decoded on the fly, twice, so no scratch buffer is needed.
///
/// `out` must be at least [`fernet_max_plaintext_len`] bytes; the plaintext is written to
/// its front and nothing past it is touched.
///
/// # Errors
///
/// - [`LegacyError::MalformedFernetKey`]: the key is not base64url of 32 bytes.
/// - [`LegacyError::MalformedFernetToken`]: bad base64, too short, version not `0x80`,
///   ciphertext not a positive multiple of 16 bytes, or bad padding behind a valid MAC.
/// - [`LegacyError::OutputTooSmall`]: `out` is too small; nothing was verified or decrypted.
/// - [`LegacyError::FernetWrongKeyOrTampered`]: the MAC does not verify.
pub fn fernet_decrypt(
    key_b64: &[u8],
    token_b64: &[u8],
    out: &mut [u8],
) -> Result<FernetOk, LegacyError> {
    let mut signing_key = Zeroizing::new([0u8; HALF_KEY]);
    let mut encryption_key = Zeroizing::new([0u8; HALF_KEY]);
    {
        let bad_key = |_| LegacyError::MalformedFernetKey;
        let mut key = Base64Reader::new(key_b64, Alphabet::UrlSafe, Layout::SingleLine);
        key.read_exact(&mut signing_key[..]).map_err(bad_key)?;
        key.read_exact(&mut encryption_key[..]).map_err(bad_key)?;
        key.finish().map_err(bad_key)?;
    }

    let frame = parse(token_b64)?;
    let needed = max_plaintext_len(frame.ct_len).ok_or(LegacyError::MalformedFernetToken)?;
    if out.len() < needed {
        return Err(LegacyError::OutputTooSmall { needed });
    }

    // Pass 1: HMAC over version || timestamp || IV || ciphertext, then compare the tag.
    let malformed = |_| LegacyError::MalformedFernetToken;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&signing_key[..])
        .map_err(|_| LegacyError::MalformedFernetKey)?;
    let mut reader = Base64Reader::new(token_b64, Alphabet::UrlSafe, Layout::SingleLine);
    let mut chunk = [0u8; 96];
    let mut left = HEADER_LEN + frame.ct_len;
    while left > 0 {
        let n = left.min(chunk.len());
        let part = chunk
            .get_mut(..n)
            .ok_or(LegacyError::MalformedFernetToken)?;
        reader.read_exact(part).map_err(malformed)?;
        mac.update(part);
        left -= n;
    }
    let mut tag = [0u8; TAG_LEN];
    reader.read_exact(&mut tag).map_err(malformed)?;
    reader.finish().map_err(malformed)?;
    chunk.zeroize();
    mac.verify_slice(&tag)
        .map_err(|_| LegacyError::FernetWrongKeyOrTampered)?;

    // Pass 2: the MAC holds, so decrypt. `token_b64` is borrowed immutably, so this pass
    // reads exactly the bytes that were authenticated.
    let mut reader = Base64Reader::new(token_b64, Alphabet::UrlSafe, Layout::SingleLine);
    let mut header = [0u8; HEADER_LEN];
    reader.read_exact(&mut header).map_err(malformed)?;
    let dec = cbc::Decryptor::<aes::Aes128>::new((&*encryption_key).into(), (&frame.iv).into());
    let len = decrypt_cbc_pkcs7(dec, &mut reader, frame.ct_len, out)
        .map_err(|_| LegacyError::MalformedFernetToken)?;
    Ok(FernetOk {
        len,
        timestamp: frame.timestamp,
    })
}

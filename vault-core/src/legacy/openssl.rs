//! `openssl enc -aes-256-cbc` files: the `Salted__` format.
//!
//! ```text
//! "Salted__" (8 bytes) || salt (8 bytes) || AES-256-CBC ciphertext, PKCS#7-padded
//! ```
//!
//! The 32-byte key and 16-byte IV come from the password and salt through either PBKDF2
//! (`-pbkdf2`) or OpenSSL's legacy `EVP_BytesToKey` with one iteration (no `-pbkdf2`).
//! Nothing in the file says which KDF, digest or iteration count was used, and nothing
//! authenticates the ciphertext: see [`Unauthenticated`].

use aes::cipher::KeyIvInit;
use md5::Md5;
use sha1::Sha1;
use sha2::{Sha256, Sha512};
use zeroize::{Zeroize, Zeroizing};

use super::base64::{Alphabet, Base64Reader, ByteSource, Layout};
use super::cbc_pkcs7::{decrypt_cbc_pkcs7, max_plaintext_len, CbcError};
use super::LegacyError;

/// The 8-byte magic that starts every salted `openssl enc` file.
const MAGIC: &[u8; 8] = b"Salted__";
/// Salt length written by `openssl enc`.
const SALT_LEN: usize = 8;
/// AES-256 key length.
const KEY_LEN: usize = 32;
/// AES-CBC IV length.
const IV_LEN: usize = 16;

/// The largest PBKDF2 iteration count [`openssl_decrypt`] accepts, checked before any work.
///
/// It bounds the time a wrong or hostile setting can make the device spend: 20 million is 30
/// times OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256 and far above anything `openssl
/// enc` users pick in practice.
pub const MAX_PBKDF2_ITERATIONS: u32 = 20_000_000;

/// The digest behind a key derivation (`openssl enc -md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Digest {
    /// SHA-256: OpenSSL's default since 1.1.0, for both KDFs.
    Sha256,
    /// SHA-512.
    Sha512,
    /// SHA-1.
    Sha1,
    /// MD5: the `EVP_BytesToKey` default before OpenSSL 1.1.0.
    Md5,
}

/// How `openssl enc` turned the password and salt into the AES-256 key and IV.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OpensslKdf {
    /// `-pbkdf2 -iter N -md D`: `key || iv = PBKDF2-HMAC-D(password, salt, N, 48)`.
    ///
    /// OpenSSL's defaults are SHA-256 and 10 000 iterations. `iterations` must be in
    /// `1..=`[`MAX_PBKDF2_ITERATIONS`].
    Pbkdf2 {
        /// The `-iter` count.
        iterations: u32,
        /// The `-md` digest.
        digest: Digest,
    },
    /// No `-pbkdf2`: `EVP_BytesToKey` with one iteration, `D_1 = H(password || salt)`,
    /// `D_i = H(D_{i-1} || password || salt)`, `key || iv` = the first 48 bytes of
    /// `D_1 || D_2 || …`. The digest is MD5 before OpenSSL 1.1.0 and SHA-256 since, unless
    /// `-md` chose another. A deliberately weak, fast KDF; supported for old files only.
    BytesToKey {
        /// The `-md` digest.
        digest: Digest,
    },
}

/// The settings to try, in order, when the user does not know how a file was made.
///
/// OpenSSL's `-pbkdf2` default (SHA-256, 10 000 iterations) first, then higher SHA-256 counts
/// (100 000; 600 000 as OWASP recommends), SHA-512 (`-md sha512`) at the same three counts,
/// SHA-1 at the default count, and finally the pre-`-pbkdf2` `EVP_BytesToKey` with SHA-256
/// (OpenSSL ≥ 1.1.0) and MD5 (older OpenSSL).
///
/// Each wrong candidate still passes the padding check about once in 256 tries (see
/// [`Unauthenticated`]), so the first candidate that "succeeds" is not proof it is the right
/// one: check the plaintext's own structure, and prefer asking the user for the settings.
#[must_use]
pub fn openssl_common_kdfs() -> &'static [OpensslKdf] {
    const COMMON: &[OpensslKdf] = &[
        OpensslKdf::Pbkdf2 {
            iterations: 10_000,
            digest: Digest::Sha256,
        },
        OpensslKdf::Pbkdf2 {
            iterations: 100_000,
            digest: Digest::Sha256,
        },
        OpensslKdf::Pbkdf2 {
            iterations: 600_000,
            digest: Digest::Sha256,
        },
        OpensslKdf::Pbkdf2 {
            iterations: 10_000,
            digest: Digest::Sha512,
        },
        OpensslKdf::Pbkdf2 {
            iterations: 100_000,
            digest: Digest::Sha512,
        },
        OpensslKdf::Pbkdf2 {
            iterations: 600_000,
            digest: Digest::Sha512,
        },
        OpensslKdf::Pbkdf2 {
            iterations: 10_000,
            digest: Digest::Sha1,
        },
        OpensslKdf::BytesToKey {
            digest: Digest::Sha256,
        },
        OpensslKdf::BytesToKey {
            digest: Digest::Md5,
        },
    ];
    COMMON
}

/// The result of a successful [`openssl_decrypt`]: `len` bytes of plaintext that are
/// **UNAUTHENTICATED**.
///
/// The `openssl enc` format has no MAC. The only check decryption can make is the PKCS#7
/// padding, and a wrong password or wrong KDF settings still produce valid-looking padding
/// about once in 256 tries (the last decrypted byte is `0x01` with probability 1/256).
/// Such garbage comes back as `Ok` like the real plaintext. Anyone who could modify the file
/// can also change the plaintext undetectably (CBC bit-flipping).
///
/// So treat `out[..len]` as untrusted input: parse it strictly, verify its own structure or
/// checksum, and show it to the user before importing it.
#[must_use = "the plaintext is unauthenticated: check its structure before trusting it"]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unauthenticated {
    /// Length of the unauthenticated plaintext written to the front of the output buffer.
    pub len: usize,
}

/// A parsed file: the salt, the ciphertext length, and where to read the ciphertext from.
enum Parsed<'a> {
    Binary {
        salt: [u8; SALT_LEN],
        ciphertext: &'a [u8],
    },
    Base64 {
        salt: [u8; SALT_LEN],
        ciphertext: Base64Reader<'a>,
        ct_len: usize,
    },
}

impl Parsed<'_> {
    fn ct_len(&self) -> usize {
        match self {
            Parsed::Binary { ciphertext, .. } => ciphertext.len(),
            Parsed::Base64 { ct_len, .. } => *ct_len,
        }
    }
}

/// Recognises the binary form (starts with `Salted__`) and the base64 form `openssl enc -a`
/// writes (standard alphabet, padded, wrapped at 64 columns; any ASCII whitespace between
/// characters, single-line `-A` output and CRLF line ends are accepted too).
fn parse(file: &[u8]) -> Result<Parsed<'_>, LegacyError> {
    if let Some(rest) = file.strip_prefix(MAGIC) {
        let (salt, ciphertext) = rest
            .split_first_chunk::<SALT_LEN>()
            .ok_or(LegacyError::MalformedOpensslFile)?;
        max_plaintext_len(ciphertext.len()).ok_or(LegacyError::MalformedOpensslFile)?;
        return Ok(Parsed::Binary {
            salt: *salt,
            ciphertext,
        });
    }

    let mut reader = Base64Reader::new(file, Alphabet::Standard, Layout::Wrapped);
    let mut magic = [0u8; MAGIC.len()];
    if reader.read_exact(&mut magic).is_err() || &magic != MAGIC {
        return Err(LegacyError::NotOpensslFile);
    }
    let mut salt = [0u8; SALT_LEN];
    reader
        .read_exact(&mut salt)
        .map_err(|_| LegacyError::MalformedOpensslFile)?;
    let ct_len = reader
        .clone()
        .remaining_len()
        .map_err(|_| LegacyError::MalformedOpensslFile)?;
    max_plaintext_len(ct_len).ok_or(LegacyError::MalformedOpensslFile)?;
    Ok(Parsed::Base64 {
        salt,
        ciphertext: reader,
        ct_len,
    })
}

/// The output buffer size [`openssl_decrypt`] needs for `file`: the largest plaintext it can
/// hold (its ciphertext length minus one). Accepts the same binary and base64 forms.
///
/// # Errors
///
/// [`LegacyError::NotOpensslFile`] or [`LegacyError::MalformedOpensslFile`].
pub fn openssl_max_plaintext_len(file: &[u8]) -> Result<usize, LegacyError> {
    let parsed = parse(file)?;
    max_plaintext_len(parsed.ct_len()).ok_or(LegacyError::MalformedOpensslFile)
}

/// Decrypts an `openssl enc -aes-256-cbc` file made with a salt (the default) into `out`.
///
/// `file` may be the binary file or the base64 text `openssl enc -a` writes; the form is
/// detected from the content (binary files start with `Salted__`, base64 ones with
/// `U2FsdGVkX1`), so there is no separate base64 step and no extra buffer. `kdf` must match the
/// options the file was made with; try [`openssl_common_kdfs`] if they are unknown.
///
/// `out` must be at least [`openssl_max_plaintext_len`] bytes; the plaintext is written to
/// its front and nothing past it is touched.
///
/// Checks happen cheapest first: KDF parameters, file structure and buffer size are all
/// validated before the (possibly slow) key derivation runs.
///
/// # Errors
///
/// - [`LegacyError::IterationCountOutOfRange`]: PBKDF2 with 0 or more than
///   [`MAX_PBKDF2_ITERATIONS`] iterations.
/// - [`LegacyError::NotOpensslFile`] / [`LegacyError::MalformedOpensslFile`]: see their docs.
/// - [`LegacyError::OutputTooSmall`]: `out` is too small; nothing was derived.
/// - [`LegacyError::WrongPasswordOrParameters`]: the padding check failed; `out` was wiped.
///
/// A wrong password or `kdf` is *usually* that last error, but not always: see
/// [`Unauthenticated`]. The success type is deliberately not a bare length, so a caller
/// cannot write `let len: usize = openssl_decrypt(..)?` without naming the flag.
pub fn openssl_decrypt(
    file: &[u8],
    password: &[u8],
    kdf: OpensslKdf,
    out: &mut [u8],
) -> Result<Unauthenticated, LegacyError> {
    check_kdf(kdf)?;
    let parsed = parse(file)?;
    let ct_len = parsed.ct_len();
    let needed = max_plaintext_len(ct_len).ok_or(LegacyError::MalformedOpensslFile)?;
    if out.len() < needed {
        return Err(LegacyError::OutputTooSmall { needed });
    }

    let salt = match &parsed {
        Parsed::Binary { salt, .. } | Parsed::Base64 { salt, .. } => salt,
    };
    let key_iv = derive_key_iv(kdf, password, salt)?;
    let (key, iv) = key_iv.split_at(KEY_LEN);
    let dec = cbc::Decryptor::<aes::Aes256>::new_from_slices(key, iv)
        .map_err(|_| LegacyError::MalformedOpensslFile)?;

    let result = match parsed {
        Parsed::Binary { mut ciphertext, .. } => {
            decrypt_cbc_pkcs7(dec, &mut ciphertext, ct_len, out)
        }
        Parsed::Base64 { mut ciphertext, .. } => {
            decrypt_cbc_pkcs7(dec, &mut ciphertext, ct_len, out)
        }
    };
    match result {
        Ok(len) => Ok(Unauthenticated { len }),
        Err(CbcError::Padding) => Err(LegacyError::WrongPasswordOrParameters),
        Err(CbcError::Input) => Err(LegacyError::MalformedOpensslFile),
    }
}

/// Rejects KDF parameters before any work is done.
fn check_kdf(kdf: OpensslKdf) -> Result<(), LegacyError> {
    match kdf {
        OpensslKdf::Pbkdf2 { iterations, .. }
            if iterations == 0 || iterations > MAX_PBKDF2_ITERATIONS =>
        {
            Err(LegacyError::IterationCountOutOfRange { iterations })
        }
        OpensslKdf::Pbkdf2 { .. } | OpensslKdf::BytesToKey { .. } => Ok(()),
    }
}

/// Derives `key (32) || iv (16)` as `openssl enc` does.
fn derive_key_iv(
    kdf: OpensslKdf,
    password: &[u8],
    salt: &[u8; SALT_LEN],
) -> Result<Zeroizing<[u8; KEY_LEN + IV_LEN]>, LegacyError> {
    check_kdf(kdf)?;
    let mut out = Zeroizing::new([0u8; KEY_LEN + IV_LEN]);
    match kdf {
        OpensslKdf::Pbkdf2 { iterations, digest } => {
            let o = &mut out[..];
            match digest {
                Digest::Sha256 => pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, iterations, o),
                Digest::Sha512 => pbkdf2::pbkdf2_hmac::<Sha512>(password, salt, iterations, o),
                Digest::Sha1 => pbkdf2::pbkdf2_hmac::<Sha1>(password, salt, iterations, o),
                Digest::Md5 => pbkdf2::pbkdf2_hmac::<Md5>(password, salt, iterations, o),
            }
        }
        OpensslKdf::BytesToKey { digest } => match digest {
            Digest::Sha256 => evp_bytes_to_key::<Sha256>(password, salt, &mut out[..]),
            Digest::Sha512 => evp_bytes_to_key::<Sha512>(password, salt, &mut out[..]),
            Digest::Sha1 => evp_bytes_to_key::<Sha1>(password, salt, &mut out[..]),
            Digest::Md5 => evp_bytes_to_key::<Md5>(password, salt, &mut out[..]),
        },
    }
    Ok(out)
}

/// OpenSSL's `EVP_BytesToKey(cipher, md, salt, password, count = 1)`:
/// `D_1 = H(password || salt)`, `D_i = H(D_{i-1} || password || salt)`, output
/// `D_1 || D_2 || …` truncated to `out.len()`.
fn evp_bytes_to_key<H: sha2::Digest>(password: &[u8], salt: &[u8; SALT_LEN], out: &mut [u8]) {
    let mut block = sha2::digest::Output::<H>::default();
    let mut filled = 0;
    while filled < out.len() {
        let mut hasher = H::new();
        if filled > 0 {
            hasher.update(&block);
        }
        hasher.update(password);
        hasher.update(salt);
        hasher.finalize_into(&mut block);
        let mut copied = 0;
        for (dst, src) in out.iter_mut().skip(filled).zip(block.iter()) {
            *dst = *src;
            copied += 1;
        }
        filled += copied;
    }
    block.as_mut_slice().zeroize();
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest as _;

    #[test]
    fn iteration_cap_is_checked_first() {
        let mut out = [0u8; 32];
        for iterations in [0, MAX_PBKDF2_ITERATIONS + 1, u32::MAX] {
            let kdf = OpensslKdf::Pbkdf2 {
                iterations,
                digest: Digest::Sha256,
            };
            // Even a garbage file reports the parameter problem, before parsing or deriving.
            assert_eq!(
                openssl_decrypt(b"", b"pw", kdf, &mut out),
                Err(LegacyError::IterationCountOutOfRange { iterations })
            );
        }
    }

    #[test]
    fn bytes_to_key_md5_matches_definition() {
        // D_1 = MD5(pw || salt), D_2 = MD5(D_1 || pw || salt), D_3 = ...
        let salt = [1, 2, 3, 4, 5, 6, 7, 8];
        let mut out = [0u8; 48];
        evp_bytes_to_key::<Md5>(b"pw", &salt, &mut out);
        let d1 = <Md5 as sha2::Digest>::new()
            .chain_update(b"pw")
            .chain_update(salt)
            .finalize();
        let d2 = <Md5 as sha2::Digest>::new()
            .chain_update(d1)
            .chain_update(b"pw")
            .chain_update(salt)
            .finalize();
        let d3 = <Md5 as sha2::Digest>::new()
            .chain_update(d2)
            .chain_update(b"pw")
            .chain_update(salt)
            .finalize();
        assert_eq!(&out[..16], &d1[..]);
        assert_eq!(&out[16..32], &d2[..]);
        assert_eq!(&out[32..], &d3[..]);
    }
}

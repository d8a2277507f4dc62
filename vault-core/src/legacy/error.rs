//! The one error type of the legacy-import module.

use core::fmt;

/// Why a legacy backup could not be decrypted.
///
/// Every variant carries only public facts (buffer sizes, caller-chosen parameters), never key,
/// password or plaintext bytes, so it is safe to log and to show to a user. [`fmt::Display`]
/// gives one plain-English sentence the user can act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LegacyError {
    /// The caller's output buffer is shorter than the largest plaintext the input can hold.
    ///
    /// Nothing was derived or decrypted. Retry with a buffer of at least `needed` bytes (the
    /// exact plaintext length is only known after decryption, so `needed` is an upper bound:
    /// the ciphertext length minus one byte of mandatory padding).
    OutputTooSmall {
        /// Minimum length of the output buffer, in bytes.
        needed: usize,
    },
    /// The PBKDF2 iteration count asked for is zero or above
    /// [`MAX_PBKDF2_ITERATIONS`](super::MAX_PBKDF2_ITERATIONS); nothing was derived.
    IterationCountOutOfRange {
        /// The iteration count that was asked for.
        iterations: u32,
    },
    /// The input is not an `openssl enc` file with a salt: neither the binary form nor its
    /// base64 (`-a`) form starts with the `Salted__` header. Files written with `-nosalt` or
    /// by other tools end up here.
    NotOpensslFile,
    /// The input has the `Salted__` header but is damaged: truncated, its ciphertext is not a
    /// positive multiple of the 16-byte AES block, or its base64 form has invalid characters.
    MalformedOpensslFile,
    /// Decryption of an `openssl enc` file produced invalid PKCS#7 padding: the password, the
    /// key-derivation settings (PBKDF2 or not, iteration count, digest) or the cipher do not
    /// match the ones the file was written with. The output buffer has been wiped.
    ///
    /// The format has no MAC, so this is the only wrong-password signal it offers, and it is
    /// not reliable: see [`Unauthenticated`](super::Unauthenticated).
    WrongPasswordOrParameters,
    /// The Fernet key is not URL-safe base64 of exactly 32 bytes (44 characters with padding,
    /// 43 without).
    MalformedFernetKey,
    /// The Fernet token is malformed: not URL-safe base64, too short, not version `0x80`, a
    /// ciphertext that is not a positive multiple of 16 bytes, or (after its MAC was verified)
    /// invalid padding, which only a broken encoder produces.
    MalformedFernetToken,
    /// The Fernet token's HMAC-SHA256 does not verify: it was made with a different key, or
    /// it was modified after it was made. Nothing was decrypted.
    FernetWrongKeyOrTampered,
}

impl fmt::Display for LegacyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::OutputTooSmall { needed } => write!(
                f,
                "output buffer too small: provide at least {needed} bytes for the decrypted data"
            ),
            Self::IterationCountOutOfRange { iterations } => write!(
                f,
                "PBKDF2 iteration count {iterations} is not supported: it must be between 1 and {}",
                super::MAX_PBKDF2_ITERATIONS
            ),
            Self::NotOpensslFile => f.write_str(
                "not an OpenSSL-encrypted file: the `Salted__` header is missing (files made \
                 with `openssl enc -nosalt` are not supported)",
            ),
            Self::MalformedOpensslFile => f.write_str(
                "the OpenSSL-encrypted file is damaged or truncated; use an intact copy",
            ),
            Self::WrongPasswordOrParameters => f.write_str(
                "wrong password or parameters (padding check failed); check the password and \
                 the -pbkdf2 / -iter / -md settings the file was made with",
            ),
            Self::MalformedFernetKey => f.write_str(
                "the Fernet key is malformed: it must be 32 bytes of URL-safe base64 \
                 (44 characters)",
            ),
            Self::MalformedFernetToken => f.write_str(
                "the Fernet token is malformed or truncated; copy the whole token again",
            ),
            Self::FernetWrongKeyOrTampered => f.write_str(
                "wrong key, or the Fernet token was tampered with (authentication failed)",
            ),
        }
    }
}

impl core::error::Error for LegacyError {}

//! Decryption of legacy encrypted backups, for one-time import into the vault.
//!
//! Two formats other tools write:
//!
//! - **`openssl enc -aes-256-cbc`** files (the `Salted__` format, binary or `-a` base64),
//!   keyed by a password through PBKDF2 or the old `EVP_BytesToKey`: [`openssl_decrypt`].
//!   The format has **no MAC**: the result is [`Unauthenticated`].
//! - **Fernet** tokens (Python `cryptography.fernet` and compatible libraries), keyed by a
//!   32-byte random key: [`fernet_decrypt`]. Authenticated with HMAC-SHA256, verified in
//!   constant time before any decryption.
//!
//! Everything works on caller-provided buffers: no allocation, no `unsafe`, no panics on
//! input-driven paths. Derived keys live in [`zeroize::Zeroizing`] buffers and intermediate
//! buffers are wiped. Errors are a single [`LegacyError`], which never contains secret bytes.
//!
//! Limits of the wiping: the internal states of the `sha2`/`sha1`/`md-5`/`hmac`/`pbkdf2`
//! 0.10–0.12 crates (which hold key-dependent values while they run) are not zeroized by
//! those crates; AES round keys and the CBC state are (`zeroize` features of `aes`/`cbc`).

mod base64;
mod cbc_pkcs7;
mod error;
mod fernet;
mod openssl;

pub use error::LegacyError;
pub use fernet::{fernet_decrypt, fernet_max_plaintext_len, FernetOk};
pub use openssl::{
    openssl_common_kdfs, openssl_decrypt, openssl_max_plaintext_len, Digest, OpensslKdf,
    Unauthenticated, MAX_PBKDF2_ITERATIONS,
};

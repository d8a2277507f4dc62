//! The type system makes callers see that `openssl enc` plaintext is unauthenticated: the
//! success value is an `Unauthenticated`, not a bare length, so code that ignores the flag
//! does not compile: `let Ok(len) = openssl_decrypt(..)` followed by `&out[..len]` is a type
//! error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use vault_core::legacy::{openssl_decrypt, LegacyError, OpensslKdf, Unauthenticated};

/// Statically: the success type is exactly `Unauthenticated`.
#[test]
fn success_type_is_unauthenticated() {
    type Decrypt = fn(&[u8], &[u8], OpensslKdf, &mut [u8]) -> Result<Unauthenticated, LegacyError>;
    let f: Decrypt = openssl_decrypt;
    let _ = f;
}

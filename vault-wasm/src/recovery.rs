//! Recovery material typed by a person: the grouped recovery code.

use vault_core::recovery_code;
use wasm_bindgen::prelude::*;
use zeroize::Zeroize;

use crate::error::WasmError;

/// Parses a typed recovery code (the UTF-8 bytes of the text, which are wiped) into the
/// 16-byte recovery secret that opens the recovery keyslot. The page feeds the secret to
/// the KDF at once and wipes it.
///
/// # Errors
/// `recovery_code_bad_group` with the group (from 1) in `group` when a group's check
/// fails; `recovery_code_wrong_shape` (not 8 groups of 6 digits);
/// `recovery_code_bad_character`.
#[wasm_bindgen(js_name = parseRecoveryCode)]
pub fn parse_recovery_code(code: &mut [u8]) -> Result<js_sys::Uint8Array, WasmError> {
    let result = match core::str::from_utf8(code) {
        Ok(text) => recovery_code::parse(text)
            .map(|secret| js_sys::Uint8Array::from(&secret.expose_secret()[..]))
            .map_err(WasmError::from),
        Err(_) => Err(recovery_code::RecoveryCodeError::BadCharacter.into()),
    };
    code.zeroize();
    result
}

//! Recovery material typed by a person: the grouped recovery code, or SLIP-39 shares.

use vault_core::constants::RECOVERY_SECRET_LEN;
use vault_core::{recovery_code, slip39};
use wasm_bindgen::prelude::*;
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Category, WasmError};

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

/// Combines SLIP-39 recovery shares — the UTF-8 bytes of the pasted text, one share per
/// line, wiped after use — into the 16-byte recovery secret. Blank lines are skipped, and a
/// leading share number (`1.` or `2:`) is ignored. Exactly the threshold number of shares
/// must be given (the standard's rule); SLIP-39's passphrase is empty, as airvault always
/// uses it.
///
/// # Errors
/// `share_unknown_word`, `share_checksum` (with `share` and, when one word explains it,
/// `word`), `share_word_count`, `share_invalid`; `shares_not_enough` (with `needed`),
/// `shares_too_many`, `shares_different_sets`, `shares_duplicate`,
/// `shares_digest_mismatch`, `shares_none`; `shares_not_a_recovery_secret` if the set
/// recovers a secret of another length than airvault's 16 bytes. All category
/// `bad_input`.
#[wasm_bindgen(js_name = combineShares)]
pub fn combine_shares(text: &mut [u8]) -> Result<js_sys::Uint8Array, WasmError> {
    let result = match core::str::from_utf8(text) {
        Ok(text) => combine(text),
        Err(_) => Err(WasmError::from(slip39::Slip39Error::Mnemonic(
            slip39::MnemonicError::UnknownWord { word: 1 },
        ))),
    };
    text.zeroize();
    result
}

fn combine(text: &str) -> Result<js_sys::Uint8Array, WasmError> {
    let mnemonics = text
        .lines()
        .map(strip_share_number)
        .filter(|line| !line.is_empty());
    let mut secret = Zeroizing::new([0u8; slip39::MAX_SECRET_LEN]);
    let n = slip39::combine_mnemonics(mnemonics, b"", &mut secret[..])?;
    if n != RECOVERY_SECRET_LEN {
        return Err(WasmError::new(
            "shares_not_a_recovery_secret",
            Category::BadInput,
            format!(
                "these shares recover a {}-bit secret, not an airvault recovery secret (128 bits)",
                n * 8
            ),
        ));
    }
    Ok(js_sys::Uint8Array::from(&secret[..n]))
}

/// `"  2. word word …"` → `"word word …"`: people number shares when they write them down.
fn strip_share_number(line: &str) -> &str {
    let line = line.trim();
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    match line.as_bytes().get(digits) {
        Some(b'.' | b':' | b')') if digits > 0 => line[digits + 1..].trim_start(),
        _ => line,
    }
}

#[cfg(test)]
mod tests {
    use super::strip_share_number;

    #[test]
    fn share_numbers_are_stripped() {
        assert_eq!(strip_share_number("  1. academic acid"), "academic acid");
        assert_eq!(strip_share_number("12: academic"), "academic");
        assert_eq!(strip_share_number("3) academic"), "academic");
        assert_eq!(strip_share_number("academic acid"), "academic acid");
        assert_eq!(strip_share_number("2024 notes"), "2024 notes");
        assert_eq!(strip_share_number(""), "");
    }
}

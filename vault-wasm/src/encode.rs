//! Text encodings for showing and saving a restored secret: hex, base64 (RFC 4648 §4, with
//! padding) and base32 (RFC 4648 §6, without padding, as authenticator apps take TOTP
//! seeds). Output goes into a caller-owned `String` that the caller wipes.

use crate::error::{Category, WasmError};

const HEX: &[u8; 16] = b"0123456789abcdef";
const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Appends the lower-case hex of `bytes` to `out`.
pub(crate) fn hex(bytes: &[u8], out: &mut String) {
    out.reserve(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
}

/// The lower-case hex of `bytes` (for public values such as ids).
pub(crate) fn hex_string(bytes: &[u8]) -> String {
    let mut s = String::new();
    hex(bytes, &mut s);
    s
}

/// Appends the padded base64 of `bytes` to `out`.
pub(crate) fn base64(bytes: &[u8], out: &mut String) {
    out.reserve(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(BASE64[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
}

/// Appends the unpadded base32 of `bytes` to `out`.
pub(crate) fn base32(bytes: &[u8], out: &mut String) {
    out.reserve((bytes.len() * 8).div_ceil(5));
    let mut acc: u16 = 0;
    let mut bits = 0;
    for &b in bytes {
        acc = (acc << 8) | u16::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[usize::from((acc >> bits) & 31)]));
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(BASE32[usize::from((acc << (5 - bits)) & 31)]));
    }
}

/// A secret as text for the page: `format` is `text` (UTF-8, for passwords and PEM keys),
/// `hex`, `base64` or `base32` (TOTP seeds). Only the returned JavaScript string holds it;
/// the text built in wasm memory is wiped.
///
/// # Errors
/// `not_text` if `format` is `text` and the secret is not UTF-8; `invalid_input` for an
/// unknown format.
pub(crate) fn secret_text(secret: &[u8], format: &str) -> Result<js_sys::JsString, WasmError> {
    let mut out = zeroize::Zeroizing::new(String::new());
    match format {
        "text" => match core::str::from_utf8(secret) {
            Ok(text) => out.push_str(text),
            Err(_) => {
                return Err(WasmError::new(
                    "not_text",
                    Category::BadInput,
                    "this secret is not text; show it as hex or base64",
                ))
            }
        },
        "hex" => hex(secret, &mut out),
        "base64" => base64(secret, &mut out),
        "base32" => base32(secret, &mut out),
        _ => return Err(WasmError::invalid("unknown format")),
    }
    Ok(js_sys::JsString::from(out.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: fn(&[u8], &mut String), input: &str) -> String {
        let mut s = String::new();
        f(input.as_bytes(), &mut s);
        s
    }

    /// RFC 4648 §10 test vectors.
    #[test]
    fn rfc4648_section10() {
        let cases = [
            ("", "", "", ""),
            ("f", "Zg==", "MY", "66"),
            ("fo", "Zm8=", "MZXQ", "666f"),
            ("foo", "Zm9v", "MZXW6", "666f6f"),
            ("foob", "Zm9vYg==", "MZXW6YQ", "666f6f62"),
            ("fooba", "Zm9vYmE=", "MZXW6YTB", "666f6f6261"),
            ("foobar", "Zm9vYmFy", "MZXW6YTBOI", "666f6f626172"),
        ];
        for (input, b64, b32, hx) in cases {
            assert_eq!(run(base64, input), b64);
            assert_eq!(run(base32, input), b32);
            assert_eq!(run(hex, input), hx);
        }
        // RFC 6238's TOTP seed, as authenticator apps take it.
        assert_eq!(
            run(base32, "12345678901234567890"),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
        assert_eq!(hex_string(&[0xde, 0xad, 0xbe, 0xef]), "deadbeef");
    }
}

//! Recovery codes: parsing any text never panics; every secret round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vault_core::{recovery_code, RecoverySecret};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = core::str::from_utf8(data) {
        let _ = recovery_code::parse(text);
    }
    if let Ok(bytes) = <[u8; 16]>::try_from(data.get(..16).unwrap_or(&[])) {
        let secret = RecoverySecret::from_bytes(bytes);
        let code = recovery_code::encode(&secret);
        assert!(recovery_code::parse(code.expose_secret()).expect("own code parses") == secret);
    }
});

//! Legacy `openssl enc` and Fernet decryption of any bytes; see `vault_core_fuzz::legacy`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vault_core_fuzz::legacy(data));

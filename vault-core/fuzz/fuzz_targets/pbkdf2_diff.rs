//! The core's PBKDF2 against the `pbkdf2` crate; see `vault_core_fuzz::pbkdf2_diff`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vault_core_fuzz::pbkdf2_diff(data));

//! Any bytes: parsing and the keyless check never panic; see `vault_core_fuzz::parse_verify`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vault_core_fuzz::parse_verify(data));

//! SLIP-39 parsing, round trips and combining; see `vault_core_fuzz::slip39`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vault_core_fuzz::slip39(data));

//! Armor decoding of any text and round trips; see `vault_core_fuzz::armor`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vault_core_fuzz::armor(data));

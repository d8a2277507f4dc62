//! Recovery-code parsing and round trips; see `vault_core_fuzz::recovery_code`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vault_core_fuzz::recovery_code(data));

//! Mutated cheap vaults opened, read and rewritten; see `vault_core_fuzz::open_rewrite`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vault_core_fuzz::open_rewrite(data));

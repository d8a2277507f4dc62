//! SLIP-39: parsing and combining any text (one mnemonic per line) never panics, and what
//! parses re-encodes to the same share.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vault_core::slip39;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    for line in text.lines() {
        if let Ok(share) = slip39::parse_mnemonic(line) {
            let mut again = String::new();
            slip39::write_mnemonic(&share, &mut again).expect("writing to a String");
            let reparsed = slip39::parse_mnemonic(&again).expect("own mnemonic parses");
            assert_eq!(reparsed.value(), share.value());
        }
    }
    let mut out = [0u8; 32];
    let _ = slip39::combine_mnemonics(text.lines().take(16), b"", &mut out);
});

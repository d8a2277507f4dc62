//! Armor: decoding any text never panics; encoding any bytes decodes back to them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vault_core::armor;

fuzz_target!(|data: &[u8]| {
    let mut out = vec![0u8; armor::decoded_len_max(data.len())];
    let _ = armor::decode(data, &mut out);

    let mut text = vec![0u8; armor::encoded_len(data.len())];
    let n = armor::encode(data, &mut text).expect("sized by encoded_len");
    assert_eq!(n, text.len());
    let mut back = vec![0u8; armor::decoded_len_max(n)];
    let m = armor::decode(&text, &mut back).expect("own armor decodes");
    assert_eq!(&back[..m], data);
});

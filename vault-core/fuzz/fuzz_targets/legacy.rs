//! Legacy imports: decrypting any bytes as an `openssl enc` file or a Fernet token never
//! panics. The first byte picks the KDF; iteration counts stay tiny to keep runs fast.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vault_core::legacy::{self, Digest, OpensslKdf};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let digest = [Digest::Sha256, Digest::Sha512, Digest::Sha1, Digest::Md5][usize::from(pick & 3)];
    let kdf = if pick & 4 == 0 {
        OpensslKdf::Pbkdf2 { iterations: 1 + u32::from(pick >> 4), digest }
    } else {
        OpensslKdf::BytesToKey { digest }
    };
    let mut out = vec![0u8; rest.len() + 16];
    let _ = legacy::openssl_decrypt(rest, b"password", kdf, &mut out);
    let _ = legacy::openssl_max_plaintext_len(rest);
    let key = b"cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
    let _ = legacy::fernet_decrypt(key, rest, &mut out);
    let split = usize::from(pick) % (rest.len() + 1);
    let _ = legacy::fernet_decrypt(&rest[..split], &rest[split..], &mut out);
});

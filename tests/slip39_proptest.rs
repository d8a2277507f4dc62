//! Property tests: no input makes parsing or combining panic, and whatever
//! parses round-trips canonically.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use vault_core::slip39::{
    combine, parse_mnemonic, split, word_index, write_mnemonic, Share, MAX_SHARES, WORDLIST,
};

/// Official vector 17/18 shares (2-of-4 groups, passphrase "TREZOR"):
/// a multi-group set for the combine fuzzing below.
const MULTI_GROUP: [&str; 6] = [
    "eraser senior decision roster beard treat identify grumpy salt index fake aviation theater cubic bike cause research dragon emphasis counter",
    "eraser senior ceramic snake clay various huge numb argue hesitate auction category timber browser greatest hanger petition script leaf pickup",
    "eraser senior ceramic shaft dynamic become junior wrist silver peasant force math alto coal amazing segment yelp velvet image paces",
    "eraser senior ceramic round column hawk trust auction smug shame alive greatest sheriff living perfect corner chest sled fumes adequate",
    "eraser senior decision smug corner ruin rescue cubic angel tackle skin skunk program roster trash rumor slush angel flea amazing",
    "eraser senior beard romp adorn nuclear spill corner cradle style ancient family general leader ambition exchange unusual garlic promise voice",
];
const MULTI_GROUP_SECRET: &str = "7c3397a292a5941682d7a4ae2d898d11";

fn mnemonic(share: &Share) -> String {
    let mut text = String::new();
    write_mnemonic(share, &mut text).unwrap();
    text
}

/// A pool of shares from several sets: the multi-group vector set, two
/// single-group 16-byte sets and one 32-byte set (all passphrase "TREZOR").
fn pool() -> &'static (Vec<Share>, Vec<Vec<u8>>) {
    static POOL: std::sync::OnceLock<(Vec<Share>, Vec<Vec<u8>>)> = std::sync::OnceLock::new();
    POOL.get_or_init(make_pool)
}

fn make_pool() -> (Vec<Share>, Vec<Vec<u8>>) {
    let mut shares: Vec<Share> = MULTI_GROUP
        .iter()
        .map(|m| parse_mnemonic(m).unwrap())
        .collect();
    let mut secrets = vec![hex::decode(MULTI_GROUP_SECRET).unwrap()];
    let mut rng = ChaCha20Rng::seed_from_u64(99);
    for (len, threshold, count) in [(16usize, 2u8, 3u8), (16, 3, 4), (32, 2, 2)] {
        let secret = vec![u8::try_from(len).unwrap(); len];
        let mut out = heapless::Vec::<Share, MAX_SHARES>::new();
        split(
            &secret, b"TREZOR", threshold, count, 0, false, &mut rng, &mut out,
        )
        .unwrap();
        shares.extend(out.iter().cloned());
        secrets.push(secret);
    }
    (shares, secrets)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parsing_arbitrary_text_never_panics(text in "\\PC{0,400}") {
        let _ = parse_mnemonic(&text);
        for word in text.split_whitespace() {
            let _ = word_index(word);
        }
    }

    #[test]
    fn parsing_word_sequences_never_panics(
        words in proptest::collection::vec((0usize..1024, any::<bool>(), 4usize..9), 0..40)
    ) {
        let text: Vec<String> = words
            .iter()
            .map(|&(i, upper, cut)| {
                let w = WORDLIST[i];
                let w = &w[..cut.min(w.len())];
                if upper { w.to_uppercase() } else { w.to_owned() }
            })
            .collect();
        let text = text.join(" ");
        if let Ok(share) = parse_mnemonic(&text) {
            let canonical = mnemonic(&share);
            let again = parse_mnemonic(&canonical).unwrap();
            prop_assert_eq!(again.value(), share.value());
            prop_assert_eq!(mnemonic(&again), canonical);
        }
    }

    #[test]
    fn combining_any_selection_never_panics(picks in proptest::collection::vec(0usize..15, 0..20)) {
        let (pool, secrets) = pool();
        let selection: Vec<Share> = picks.iter().map(|&i| pool[i % pool.len()].clone()).collect();
        let mut out = [0u8; 32];
        if let Ok(len) = combine(&selection, b"TREZOR", &mut out) {
            prop_assert!(secrets.iter().any(|s| s[..] == out[..len]));
        }
    }
}

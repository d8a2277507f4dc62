//! Round trips through `split` / `write_mnemonic` / `parse_mnemonic` /
//! `combine`, and the errors a person recovering keys would see.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use rand_chacha::rand_core::{CryptoRng, Error, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use vault_core::slip39::{
    combine, combine_mnemonics, parse_mnemonic, split, word_index, write_mnemonic, MnemonicError,
    Share, Slip39Error, MAX_MNEMONIC_LEN, MAX_SECRET_LEN, MAX_SHARES, WORDLIST,
};

type Shares = heapless::Vec<Share, MAX_SHARES>;

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn random_secret(rng: &mut ChaCha20Rng, len: usize) -> Vec<u8> {
    let mut secret = vec![0u8; len];
    rng.fill_bytes(&mut secret);
    secret
}

fn make_shares(
    secret: &[u8],
    threshold: u8,
    count: u8,
    rng: &mut impl rand_core::CryptoRngCore,
) -> Shares {
    let mut shares = Shares::new();
    split(secret, b"", threshold, count, 0, true, rng, &mut shares).unwrap();
    assert_eq!(shares.len(), usize::from(count));
    shares
}

fn mnemonic(share: &Share) -> String {
    let mut text = String::new();
    write_mnemonic(share, &mut text).unwrap();
    text
}

fn combine_indices(shares: &Shares, indices: &[usize]) -> Result<Vec<u8>, Slip39Error> {
    let subset: Vec<Share> = indices.iter().map(|&i| shares[i].clone()).collect();
    let mut out = [0u8; MAX_SECRET_LEN];
    let len = combine(&subset, b"", &mut out)?;
    Ok(out[..len].to_vec())
}

/// All `k`-element subsets of `0..n` (n <= 16).
fn subsets(n: usize, k: usize) -> Vec<Vec<usize>> {
    (0u32..1 << n)
        .filter(|mask| mask.count_ones() as usize == k)
        .map(|mask| (0..n).filter(|i| mask >> i & 1 == 1).collect())
        .collect()
}

#[test]
fn every_threshold_subset_recovers_the_secret() {
    let mut rng = rng(1);
    for len in [16usize, 32] {
        for (threshold, count) in [(1u8, 1u8), (2, 2), (2, 3), (3, 5), (4, 6), (5, 7)] {
            let secret = random_secret(&mut rng, len);
            let shares = make_shares(&secret, threshold, count, &mut rng);
            for share in shares.iter() {
                assert_eq!(share.value().len(), len);
                assert_eq!(share.word_count(), if len == 16 { 20 } else { 33 });
                assert_eq!(share.member_threshold(), threshold);
                assert_eq!((share.group_threshold(), share.group_count()), (1, 1));
                assert_eq!(share.identifier(), shares[0].identifier());
                assert!(share.identifier() < 1 << 15);
            }
            let n = usize::from(count);
            let t = usize::from(threshold);
            for subset in subsets(n, t) {
                assert_eq!(
                    combine_indices(&shares, &subset).unwrap(),
                    secret,
                    "{subset:?}"
                );
            }
            // Fewer than the threshold: told how many more are needed.
            for subset in subsets(n, t - 1)
                .into_iter()
                .take(5)
                .filter(|s| !s.is_empty())
            {
                let err = combine_indices(&shares, &subset).unwrap_err();
                assert_eq!(
                    err,
                    Slip39Error::NotEnoughShares {
                        group: 1,
                        group_count: 1,
                        have: threshold - 1,
                        needed: threshold
                    }
                );
                assert_eq!(
                    err.to_string(),
                    format!(
                        "1 more share is needed (have {} of {threshold})",
                        threshold - 1
                    )
                );
            }
        }
    }
}

#[test]
fn random_schemes_and_random_subsets() {
    let mut rng = rng(2);
    for round in 0..12 {
        let len = [16usize, 18, 20, 24, 28, 30, 32][round % 7];
        let count = u8::try_from(rng.next_u32() % 15 + 2).unwrap(); // 2..=16
        let threshold = u8::try_from(rng.next_u32() % u32::from(count - 1) + 2).unwrap(); // 2..=count
        let secret = random_secret(&mut rng, len);
        let shares = make_shares(&secret, threshold, count, &mut rng);
        // Mnemonic round trip of every share.
        let texts: Vec<String> = shares.iter().map(mnemonic).collect();
        for _ in 0..3 {
            let mut order: Vec<usize> = (0..usize::from(count)).collect();
            for i in (1..order.len()).rev() {
                order.swap(i, rng.next_u32() as usize % (i + 1));
            }
            order.truncate(usize::from(threshold));
            assert_eq!(combine_indices(&shares, &order).unwrap(), secret);
            let mut out = [0u8; MAX_SECRET_LEN];
            let got =
                combine_mnemonics(order.iter().map(|&i| texts[i].as_str()), b"", &mut out).unwrap();
            assert_eq!(&out[..got], &secret[..]);
        }
        let short = combine_indices(&shares, &[0]).unwrap_err();
        let missing = threshold - 1;
        assert_eq!(
            short.to_string(),
            format!(
                "{missing} more share{} needed (have 1 of {threshold})",
                if missing == 1 { " is" } else { "s are" }
            )
        );
    }
}

#[test]
fn error_message_for_two_missing_shares() {
    let mut rng = rng(3);
    let shares = make_shares(&[7u8; 16], 3, 5, &mut rng);
    let err = combine_indices(&shares, &[4]).unwrap_err();
    assert_eq!(err.to_string(), "2 more shares are needed (have 1 of 3)");
}

#[test]
fn too_many_shares_of_a_group_are_rejected() {
    let mut rng = rng(4);
    let shares = make_shares(&[1u8; 16], 2, 4, &mut rng);
    let err = combine_indices(&shares, &[0, 1, 2]).unwrap_err();
    assert!(
        matches!(
            err,
            Slip39Error::TooManyGroupShares {
                given: 3,
                needed: 2,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn duplicate_share_is_rejected() {
    let mut rng = rng(5);
    let secret = random_secret(&mut rng, 16);
    let shares = make_shares(&secret, 3, 5, &mut rng);
    let err = combine_indices(&shares, &[0, 1, 0]).unwrap_err();
    assert_eq!(
        err,
        Slip39Error::SameShare {
            first: 1,
            second: 3
        }
    );
    assert_eq!(err.to_string(), "shares 1 and 3 are the same share");
    // The same through mnemonics, typed differently the second time.
    let a = mnemonic(&shares[0]);
    let b = mnemonic(&shares[1]);
    let a_shouted = a.to_uppercase();
    let mut out = [0u8; 32];
    let err =
        combine_mnemonics([a.as_str(), b.as_str(), a_shouted.as_str()], b"", &mut out).unwrap_err();
    assert_eq!(err.to_string(), "shares 1 and 3 are the same share");
}

#[test]
fn shares_from_different_splits_are_rejected() {
    let mut rng = rng(6);
    let secret = random_secret(&mut rng, 16);
    let first = make_shares(&secret, 2, 3, &mut rng);
    let second = make_shares(&secret, 2, 3, &mut rng);
    assert_ne!(first[0].identifier(), second[0].identifier());
    let mixed = [first[0].clone(), second[1].clone()];
    let mut out = [0u8; 32];
    let err = combine(&mixed, b"", &mut out).unwrap_err();
    assert_eq!(
        err,
        Slip39Error::DifferentSets {
            first: 1,
            share: 2,
            first_identifier: first[0].identifier(),
            identifier: second[0].identifier(),
        }
    );
    let text = err.to_string();
    assert!(text.starts_with(&format!(
        "shares come from different sets (identifier {} vs {})",
        first[0].identifier(),
        second[0].identifier()
    )));
}

/// An RNG that returns a fixed identifier first, then a ChaCha stream: lets
/// two independent splits share an identifier, as a forger would arrange.
struct FixedIdRng {
    id_pending: bool,
    inner: ChaCha20Rng,
}

impl RngCore for FixedIdRng {
    fn next_u32(&mut self) -> u32 {
        self.inner.next_u32()
    }
    fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        if std::mem::take(&mut self.id_pending) {
            dest.fill(0x42);
        } else {
            self.inner.fill_bytes(dest);
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl CryptoRng for FixedIdRng {}

#[test]
fn same_identifier_but_different_sets_are_caught() {
    let mut a_rng = FixedIdRng {
        id_pending: true,
        inner: rng(7),
    };
    let mut b_rng = FixedIdRng {
        id_pending: true,
        inner: rng(8),
    };
    let a = make_shares(&[3u8; 16], 2, 3, &mut a_rng);
    let b = make_shares(&[3u8; 16], 2, 3, &mut b_rng);
    assert_eq!(a[0].identifier(), b[0].identifier());
    let mut out = [0u8; 32];
    // Same member index, different value.
    let err = combine(&[a[0].clone(), b[0].clone()], b"", &mut out).unwrap_err();
    assert_eq!(
        err,
        Slip39Error::DuplicateMemberIndex {
            first: 1,
            second: 2
        }
    );
    // Different member indices: the digest check catches the mix.
    let err = combine(&[a[0].clone(), b[1].clone()], b"", &mut out).unwrap_err();
    assert_eq!(err, Slip39Error::DigestMismatch { group: None });
    assert_eq!(out, [0u8; 32], "nothing is written on a digest failure");
}

#[test]
fn changed_word_is_rejected_and_named() {
    let mut rng = rng(9);
    for len in [16usize, 32] {
        let secret = random_secret(&mut rng, len);
        let shares = make_shares(&secret, 2, 3, &mut rng);
        let good = mnemonic(&shares[1]);
        let words: Vec<&str> = good.split(' ').collect();
        for position in 0..words.len() {
            // Another valid word: the checksum fails and names the word.
            let original = word_index(words[position]).unwrap();
            let replacement =
                WORDLIST[usize::from((original + 1 + (rng.next_u32() % 1023) as u16) % 1024)];
            let mut changed = words.clone();
            changed[position] = replacement;
            let changed = changed.join(" ");
            let err = parse_mnemonic(&changed).unwrap_err();
            assert_eq!(
                err,
                Slip39Error::Mnemonic(MnemonicError::Checksum {
                    suspect_word: Some(position + 1)
                }),
                "changed word {} of {}",
                position + 1,
                words.len()
            );
            let first = mnemonic(&shares[0]);
            let mut out = [0u8; 32];
            let err =
                combine_mnemonics([first.as_str(), changed.as_str()], b"", &mut out).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "share 2: checksum does not match — word {} is probably mistyped",
                    position + 1
                )
            );

            // A word not in the list: named directly.
            let mut typo = words.clone();
            typo[position] = "xylophone";
            let typo = typo.join(" ");
            let err =
                combine_mnemonics([first.as_str(), typo.as_str()], b"", &mut out).unwrap_err();
            assert_eq!(
                err,
                Slip39Error::Share {
                    share: 2,
                    error: MnemonicError::UnknownWord { word: position + 1 }
                }
            );
            assert_eq!(
                err.to_string(),
                format!(
                    "share 2: word {} is not in the SLIP-39 wordlist",
                    position + 1
                )
            );
        }
    }
}

#[test]
fn two_swapped_words_are_rejected_without_a_guess() {
    let mut rng = rng(10);
    let shares = make_shares(&[9u8; 16], 2, 3, &mut rng);
    let text = mnemonic(&shares[0]);
    let mut words: Vec<&str> = text.split(' ').collect();
    let (a, b) = (5, 9);
    assert_ne!(words[a], words[b]);
    words.swap(a, b);
    let err = parse_mnemonic(&words.join(" ")).unwrap_err();
    assert_eq!(
        err,
        Slip39Error::Mnemonic(MnemonicError::Checksum { suspect_word: None })
    );
}

#[test]
fn forgiving_input_parses_to_the_same_share() {
    let mut rng = rng(11);
    let shares = make_shares(&[5u8; 32], 2, 2, &mut rng);
    let text = mnemonic(&shares[0]);
    assert!(text.len() <= MAX_MNEMONIC_LEN);
    assert_eq!(text, text.to_lowercase());
    assert!(!text.contains("  "));
    let prefixes: Vec<String> = text
        .split(' ')
        .enumerate()
        .map(|(i, w)| match i % 3 {
            0 => w[..4].to_uppercase(),
            1 => format!("{}{}", &w[..1].to_uppercase(), &w[1..]),
            _ => w.to_owned(),
        })
        .collect();
    let messy = format!("\n  {}\t\r\n", prefixes.join(" \t  "));
    let parsed = parse_mnemonic(&messy).unwrap();
    assert_eq!(mnemonic(&parsed), text);
    assert_eq!(parsed.value(), shares[0].value());
    let mut out = [0u8; 32];
    let len = combine_mnemonics(
        [messy.as_str(), mnemonic(&shares[1]).as_str()],
        b"",
        &mut out,
    )
    .unwrap();
    assert_eq!(&out[..len], &[5u8; 32]);
}

#[test]
fn passphrase_and_iteration_exponent_and_flag() {
    let mut rng = rng(12);
    let secret = random_secret(&mut rng, 16);
    for (exponent, extendable) in [(0u8, false), (1, true), (2, false)] {
        let mut shares = Shares::new();
        split(
            &secret,
            b"TREZOR",
            2,
            3,
            exponent,
            extendable,
            &mut rng,
            &mut shares,
        )
        .unwrap();
        assert!(shares.iter().all(|s| s.iteration_exponent() == exponent));
        assert!(shares.iter().all(|s| s.extendable() == extendable));
        let mut out = [0u8; 16];
        assert_eq!(combine(&shares[..2], b"TREZOR", &mut out).unwrap(), 16);
        assert_eq!(&out[..], &secret[..]);
        // A wrong passphrase is not detectable (by design): different secret.
        combine(&shares[..2], b"trezor", &mut out).unwrap();
        assert_ne!(&out[..], &secret[..]);
    }
}

#[test]
fn split_rejects_invalid_requests() {
    let mut rng = rng(13);
    let mut shares = make_shares(&[0u8; 16], 2, 2, &mut rng);
    for len in [0usize, 14, 15, 17, 31, 34, 64] {
        let err = split(&vec![1u8; len], b"", 2, 3, 1, true, &mut rng, &mut shares).unwrap_err();
        assert_eq!(err, Slip39Error::InvalidSecretLength { len });
        assert!(shares.is_empty(), "out is cleared on error");
    }
    for (threshold, count) in [(0u8, 3u8), (4, 3), (1, 2), (2, 17), (0, 0), (17, 17)] {
        let err = split(
            &[1u8; 16],
            b"",
            threshold,
            count,
            1,
            true,
            &mut rng,
            &mut shares,
        )
        .unwrap_err();
        assert_eq!(err, Slip39Error::InvalidThreshold { threshold, count });
    }
    let err = split(&[1u8; 16], b"", 2, 3, 16, true, &mut rng, &mut shares).unwrap_err();
    assert_eq!(err, Slip39Error::InvalidIterationExponent { exponent: 16 });
    for passphrase in [&b"tab\there"[..], b"\x7f", "é".as_bytes()] {
        let err = split(&[1u8; 16], passphrase, 2, 3, 0, true, &mut rng, &mut shares).unwrap_err();
        assert_eq!(err, Slip39Error::InvalidPassphrase);
    }
    // The largest scheme works.
    split(&[1u8; 32], b"", 16, 16, 0, true, &mut rng, &mut shares).unwrap();
    assert_eq!(shares.len(), 16);
}

/// An RNG that always fails.
struct BrokenRng;
impl RngCore for BrokenRng {
    fn next_u32(&mut self) -> u32 {
        0
    }
    fn next_u64(&mut self) -> u64 {
        0
    }
    fn fill_bytes(&mut self, _dest: &mut [u8]) {}
    fn try_fill_bytes(&mut self, _dest: &mut [u8]) -> Result<(), Error> {
        Err(Error::from(
            core::num::NonZeroU32::new(Error::CUSTOM_START).unwrap(),
        ))
    }
}
impl CryptoRng for BrokenRng {}

#[test]
fn rng_failure_is_an_error() {
    let mut shares = Shares::new();
    let err = split(&[1u8; 16], b"", 2, 3, 0, true, &mut BrokenRng, &mut shares).unwrap_err();
    assert_eq!(err, Slip39Error::Rng);
    assert!(shares.is_empty());
}

#[test]
fn combine_edge_cases() {
    let mut rng = rng(14);
    let shares = make_shares(&[8u8; 32], 2, 3, &mut rng);
    let mut small = [0u8; 31];
    assert_eq!(
        combine(&shares[..2], b"", &mut small).unwrap_err(),
        Slip39Error::OutputTooSmall { needed: 32 }
    );
    let mut big = [0xffu8; 40];
    assert_eq!(combine(&shares[1..], b"", &mut big).unwrap(), 32);
    assert_eq!(&big[..32], &[8u8; 32]);
    assert_eq!(
        &big[32..],
        &[0xffu8; 8],
        "bytes past the secret are untouched"
    );
    assert_eq!(
        combine(&[], b"", &mut big).unwrap_err(),
        Slip39Error::NoShares
    );
    let none: [&str; 0] = [];
    assert_eq!(
        combine_mnemonics(none, b"", &mut big).unwrap_err(),
        Slip39Error::NoShares
    );
    let text = mnemonic(&shares[0]);
    let err = combine_mnemonics(std::iter::repeat_n(text.as_str(), 17), b"", &mut big).unwrap_err();
    assert_eq!(err, Slip39Error::TooManyShares { max: 16 });
    // Mixing a 128-bit and a 256-bit share of "the same" set is a mismatch.
    let short = make_shares(&[8u8; 16], 2, 3, &mut rng);
    let err = combine(&[shares[0].clone(), short[1].clone()], b"", &mut big).unwrap_err();
    assert!(matches!(err, Slip39Error::DifferentSets { .. }));
}

#[test]
fn debug_output_hides_the_share_value() {
    let mut rng = rng(15);
    let secret = random_secret(&mut rng, 32);
    let shares = make_shares(&secret, 3, 5, &mut rng);
    for share in shares.iter() {
        let debug = format!("{share:?}");
        let pretty = format!("{share:#?}");
        let value = share.value();
        let renderings = [
            hex::encode(value),
            hex::encode_upper(value),
            format!("{value:?}"),
            format!("{value:02x?}"),
            value
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            value
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(","),
            hex::encode(&value[..4]),
            value[..4]
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ];
        for rendering in &renderings {
            assert!(
                !debug.contains(rendering.as_str()),
                "{debug} contains {rendering}"
            );
            assert!(
                !pretty.contains(rendering.as_str()),
                "{pretty} contains {rendering}"
            );
        }
        assert!(!debug.contains("value"), "{debug}");
        assert!(debug.starts_with("Share { identifier: "), "{debug}");
        assert!(debug.ends_with(", .. }"), "{debug}");
        assert!(debug.contains(&format!("member_index: {}", share.member_index())));
    }
}

//! Splitting and combining: SLIP-39's two-level Shamir scheme with the
//! digest share (index 254) and secret share (index 255).

use hmac::{Hmac, Mac};
use rand_core::CryptoRngCore;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use super::cipher::{self, Params, MAX_ITERATION_EXPONENT};
use super::error::{Parameter, Slip39Error};
use super::gf256::{interpolate, Point};
use super::share::{self, Share};
use super::{MAX_SECRET_LEN, MAX_SHARES, MIN_SECRET_LEN};

/// x-coordinate of the digest share.
const DIGEST_INDEX: u8 = 254;
/// x-coordinate of the shared secret.
const SECRET_INDEX: u8 = 255;
/// Length of the digest at the start of the digest share.
const DIGEST_LEN: usize = 4;
/// SHA-256 block size, the length HMAC pads its key to.
const HMAC_KEY_BLOCK: usize = 64;

/// One share value per possible member (or group) index.
type Values = [[u8; MAX_SECRET_LEN]; MAX_SHARES];

/// `HMAC-SHA256(key = random, msg = secret)[..4]`.
fn create_digest(random: &[u8], secret: &[u8]) -> [u8; DIGEST_LEN] {
    // `random` is at most 28 bytes, shorter than the HMAC block, and HMAC
    // zero-pads short keys (RFC 2104); so padding it here ourselves gives the
    // same MAC and lets us use the infallible fixed-size constructor.
    let mut key = Zeroizing::new([0u8; HMAC_KEY_BLOCK]);
    for (dst, src) in key.iter_mut().zip(random) {
        *dst = *src;
    }
    let key_block: &[u8; HMAC_KEY_BLOCK] = &key;
    let mut mac = <Hmac<Sha256> as Mac>::new(key_block.into());
    mac.update(secret);
    let mut tag: [u8; 32] = mac.finalize().into_bytes().into();
    let mut digest = [0u8; DIGEST_LEN];
    for (dst, src) in digest.iter_mut().zip(tag.iter()) {
        *dst = *src;
    }
    tag.zeroize();
    digest
}

/// SplitSecret(T, N, S): writes the values of shares 0..N to `ys[..N][..n]`.
fn split_secret(
    threshold: u8,
    count: u8,
    secret: &[u8],
    rng: &mut impl CryptoRngCore,
    ys: &mut Values,
) -> Result<(), Slip39Error> {
    let n = secret.len();
    let count = usize::from(count);
    if threshold == 1 {
        for y in ys.iter_mut().take(count) {
            y.get_mut(..n)
                .ok_or(Slip39Error::InvalidSecretLength { len: n })?
                .copy_from_slice(secret);
        }
        return Ok(());
    }

    // threshold >= 2 here, so there are threshold - 2 random shares.
    let random_count = usize::from(threshold.saturating_sub(2));
    let (random_shares, derived_shares) =
        ys.split_at_mut_checked(random_count)
            .ok_or(Slip39Error::InvalidThreshold {
                threshold,
                count: u8::try_from(count).unwrap_or(u8::MAX),
            })?;
    for y in random_shares.iter_mut() {
        let y = y
            .get_mut(..n)
            .ok_or(Slip39Error::InvalidSecretLength { len: n })?;
        rng.try_fill_bytes(y).map_err(|_| Slip39Error::Rng)?;
    }

    // D = HMAC-SHA256(key = R, msg = S)[..4] || R, with R random.
    let mut digest_share = Zeroizing::new([0u8; MAX_SECRET_LEN]);
    let digest_share = digest_share
        .get_mut(..n)
        .ok_or(Slip39Error::InvalidSecretLength { len: n })?;
    let (digest, random) = digest_share
        .split_first_chunk_mut::<DIGEST_LEN>()
        .ok_or(Slip39Error::InvalidSecretLength { len: n })?;
    rng.try_fill_bytes(random).map_err(|_| Slip39Error::Rng)?;
    *digest = create_digest(random, secret);

    let mut base: heapless::Vec<Point<'_>, MAX_SHARES> = heapless::Vec::new();
    for (x, y) in (0u8..).zip(random_shares.iter()) {
        let y = y
            .get(..n)
            .ok_or(Slip39Error::InvalidSecretLength { len: n })?;
        base.push(Point { x, y })
            .map_err(|_| Slip39Error::TooManyShares { max: MAX_SHARES })?;
    }
    for point in [
        Point {
            x: DIGEST_INDEX,
            y: digest_share,
        },
        Point {
            x: SECRET_INDEX,
            y: secret,
        },
    ] {
        base.push(point)
            .map_err(|_| Slip39Error::TooManyShares { max: MAX_SHARES })?;
    }

    // The base x-coordinates are 0..T-2, 254, 255; the new ones T-2..N (< 16).
    let derived = count.saturating_sub(random_count);
    for (x, y) in (threshold.saturating_sub(2)..).zip(derived_shares.iter_mut().take(derived)) {
        let y = y
            .get_mut(..n)
            .ok_or(Slip39Error::InvalidSecretLength { len: n })?;
        interpolate(&base, x, y);
    }
    Ok(())
}

/// Why [`recover_secret`] failed.
struct DigestMismatch;

/// RecoverSecret(T, points): writes the shared secret to `out`.
///
/// The caller guarantees `points.len() == threshold >= 1`, distinct x
/// coordinates and values of length `out.len()`.
fn recover_secret(
    threshold: u8,
    points: &[Point<'_>],
    out: &mut [u8],
) -> Result<(), DigestMismatch> {
    if threshold == 1 {
        let point = points.first().ok_or(DigestMismatch)?;
        if point.y.len() != out.len() {
            return Err(DigestMismatch);
        }
        out.copy_from_slice(point.y);
        return Ok(());
    }
    let n = out.len();
    interpolate(points, SECRET_INDEX, out);
    let mut digest_share = Zeroizing::new([0u8; MAX_SECRET_LEN]);
    let digest_share = digest_share.get_mut(..n).ok_or(DigestMismatch)?;
    interpolate(points, DIGEST_INDEX, digest_share);
    let (digest, random) = digest_share
        .split_first_chunk::<DIGEST_LEN>()
        .ok_or(DigestMismatch)?;
    let expected = create_digest(random, out);
    if bool::from(expected.ct_eq(digest)) {
        Ok(())
    } else {
        out.zeroize();
        Err(DigestMismatch)
    }
}

/// Splits `master_secret` into `count` shares, any `threshold` of which
/// recover it (a single-group scheme: group threshold 1, group count 1).
///
/// * `master_secret`: 16 to 32 bytes, an even number.
/// * `passphrase`: printable ASCII (may be empty); needed again to recover.
/// * `threshold`, `count`: `1 <= threshold <= count <= 16`; threshold 1 is
///   allowed only with count 1, as the spec requires.
/// * `iteration_exponent`: 0–15; PBKDF2 runs `10000 << e` iterations in total.
/// * `extendable`: the SLIP-39 `ext` flag; new backups should set it.
///
/// The master secret is encrypted with the SLIP-39 Feistel cipher, then split
/// with the digest share at index 254 and the secret at index 255. The 15-bit
/// identifier and all random share data come from `rng`. `out` is cleared
/// first and receives the shares with member indices `0..count`; on error it
/// is left empty.
///
/// # Errors
///
/// [`Slip39Error::InvalidSecretLength`], [`Slip39Error::InvalidThreshold`],
/// [`Slip39Error::InvalidIterationExponent`] or
/// [`Slip39Error::InvalidPassphrase`] for invalid arguments, and
/// [`Slip39Error::Rng`] if the random number generator fails.
#[allow(clippy::too_many_arguments)]
pub fn split(
    master_secret: &[u8],
    passphrase: &[u8],
    threshold: u8,
    count: u8,
    iteration_exponent: u8,
    extendable: bool,
    rng: &mut impl CryptoRngCore,
    out: &mut heapless::Vec<Share, MAX_SHARES>,
) -> Result<(), Slip39Error> {
    out.clear();
    let result = split_into(
        master_secret,
        passphrase,
        threshold,
        count,
        iteration_exponent,
        extendable,
        rng,
        out,
    );
    if result.is_err() {
        out.clear();
    }
    result
}

#[allow(clippy::too_many_arguments)]
fn split_into(
    master_secret: &[u8],
    passphrase: &[u8],
    threshold: u8,
    count: u8,
    iteration_exponent: u8,
    extendable: bool,
    rng: &mut impl CryptoRngCore,
    out: &mut heapless::Vec<Share, MAX_SHARES>,
) -> Result<(), Slip39Error> {
    let n = master_secret.len();
    if !(MIN_SECRET_LEN..=MAX_SECRET_LEN).contains(&n) || !n.is_multiple_of(2) {
        return Err(Slip39Error::InvalidSecretLength { len: n });
    }
    let valid_scheme = threshold >= 1
        && threshold <= count
        && usize::from(count) <= MAX_SHARES
        && (threshold > 1 || count == 1);
    if !valid_scheme {
        return Err(Slip39Error::InvalidThreshold { threshold, count });
    }
    if iteration_exponent > MAX_ITERATION_EXPONENT {
        return Err(Slip39Error::InvalidIterationExponent {
            exponent: iteration_exponent,
        });
    }
    if !passphrase.iter().all(|c| (32..=126).contains(c)) {
        return Err(Slip39Error::InvalidPassphrase);
    }

    let mut id_bytes = [0u8; 2];
    rng.try_fill_bytes(&mut id_bytes)
        .map_err(|_| Slip39Error::Rng)?;
    let identifier = u16::from_be_bytes(id_bytes) & 0x7fff;
    let params = Params {
        identifier,
        extendable,
        iteration_exponent,
    };

    let mut ems = Zeroizing::new([0u8; MAX_SECRET_LEN]);
    let ems = ems
        .get_mut(..n)
        .ok_or(Slip39Error::InvalidSecretLength { len: n })?;
    cipher::encrypt(master_secret, passphrase, params, ems)
        .map_err(|_| Slip39Error::InvalidSecretLength { len: n })?;

    // Group level: SplitSecret(1, 1, EMS) gives the EMS itself as group 0.
    // Member level: SplitSecret(threshold, count, EMS).
    let mut values = Zeroizing::new([[0u8; MAX_SECRET_LEN]; MAX_SHARES]);
    split_secret(threshold, count, ems, rng, &mut values)?;

    for (member_index, value) in (0u8..count).zip(values.iter()) {
        let value = value
            .get(..n)
            .and_then(|v| heapless::Vec::from_slice(v).ok())
            .ok_or(Slip39Error::InvalidSecretLength { len: n })?;
        let share = Share {
            identifier,
            extendable,
            iteration_exponent,
            group_index: 0,
            group_threshold: 1,
            group_count: 1,
            member_index,
            member_threshold: threshold,
            value,
        };
        out.push(share)
            .map_err(|_| Slip39Error::TooManyShares { max: MAX_SHARES })?;
    }
    Ok(())
}

/// Combines shares into the master secret, implementing the full SLIP-39
/// scheme, including multiple groups.
///
/// Checks, with errors naming shares by their 1-based position in `shares`:
/// that all shares have the same identifier, extendable flag, iteration
/// exponent, group threshold, group count and length; that no share is given
/// twice and no two shares of a group have the same member index; that the
/// shares of each group have the same member threshold; that exactly the
/// group threshold number of groups is present, each with exactly its member
/// threshold number of shares (the error says how many more are needed, and
/// for which group); and the digest of every recovered secret.
///
/// Writes the master secret to the start of `out` and returns its length
/// (16–32 bytes). On error nothing of the secret is left in `out`.
///
/// A wrong passphrase cannot be detected: it yields a different secret (by
/// design of SLIP-39, for plausible deniability).
///
/// # Errors
///
/// The first failed check, as described above; [`Slip39Error::NoShares`] for
/// an empty slice and [`Slip39Error::OutputTooSmall`] if `out` is too short.
pub fn combine(shares: &[Share], passphrase: &[u8], out: &mut [u8]) -> Result<usize, Slip39Error> {
    let first = shares.first().ok_or(Slip39Error::NoShares)?;
    let n = first.value.len();
    let out = out
        .get_mut(..n)
        .ok_or(Slip39Error::OutputTooSmall { needed: n })?;

    check_common_parameters(shares)?;
    check_members(shares)?;
    let groups = check_counts(shares, first)?;

    // Recover each group's secret from its member shares.
    let mut group_values = Zeroizing::new([[0u8; MAX_SECRET_LEN]; MAX_SHARES]);
    for (&group_index, group_value) in groups.iter().zip(group_values.iter_mut()) {
        let mut points: heapless::Vec<Point<'_>, MAX_SHARES> = heapless::Vec::new();
        let mut member_threshold = 1;
        for share in shares.iter().filter(|s| s.group_index == group_index) {
            member_threshold = share.member_threshold;
            points
                .push(Point {
                    x: share.member_index,
                    y: &share.value,
                })
                .map_err(|_| Slip39Error::TooManyShares { max: MAX_SHARES })?;
        }
        let group_value = group_value
            .get_mut(..n)
            .ok_or(Slip39Error::OutputTooSmall { needed: n })?;
        recover_secret(member_threshold, &points, group_value).map_err(|DigestMismatch| {
            Slip39Error::DigestMismatch {
                group: (first.group_count > 1).then_some(group_index + 1),
            }
        })?;
    }

    // Recover the encrypted master secret from the group secrets.
    let mut points: heapless::Vec<Point<'_>, MAX_SHARES> = heapless::Vec::new();
    for (&group_index, group_value) in groups.iter().zip(group_values.iter()) {
        let y = group_value
            .get(..n)
            .ok_or(Slip39Error::OutputTooSmall { needed: n })?;
        points
            .push(Point { x: group_index, y })
            .map_err(|_| Slip39Error::TooManyShares { max: MAX_SHARES })?;
    }
    let mut ems = Zeroizing::new([0u8; MAX_SECRET_LEN]);
    let ems = ems
        .get_mut(..n)
        .ok_or(Slip39Error::OutputTooSmall { needed: n })?;
    recover_secret(first.group_threshold, &points, ems)
        .map_err(|DigestMismatch| Slip39Error::DigestMismatch { group: None })?;

    let params = Params {
        identifier: first.identifier,
        extendable: first.extendable,
        iteration_exponent: first.iteration_exponent,
    };
    if cipher::decrypt(ems, passphrase, params, out).is_err() {
        out.zeroize();
        return Err(Slip39Error::InvalidSecretLength { len: n });
    }
    Ok(n)
}

/// All shares must agree with the first on the set-wide parameters.
fn check_common_parameters(shares: &[Share]) -> Result<(), Slip39Error> {
    let Some((first, rest)) = shares.split_first() else {
        return Err(Slip39Error::NoShares);
    };
    for (position, share) in (2usize..).zip(rest) {
        if share.identifier != first.identifier {
            return Err(Slip39Error::DifferentSets {
                first: 1,
                share: position,
                first_identifier: first.identifier,
                identifier: share.identifier,
            });
        }
        let mismatch = if share.extendable != first.extendable {
            Some(Parameter::Extendable)
        } else if share.iteration_exponent != first.iteration_exponent {
            Some(Parameter::IterationExponent)
        } else if share.group_threshold != first.group_threshold {
            Some(Parameter::GroupThreshold)
        } else if share.group_count != first.group_count {
            Some(Parameter::GroupCount)
        } else if share.value.len() != first.value.len() {
            Some(Parameter::Length)
        } else {
            None
        };
        if let Some(parameter) = mismatch {
            return Err(Slip39Error::Mismatch {
                first: 1,
                share: position,
                parameter,
            });
        }
    }
    Ok(())
}

/// Within a group: no share twice, no member index twice, one member threshold.
fn check_members(shares: &[Share]) -> Result<(), Slip39Error> {
    for (i, a) in (1usize..).zip(shares) {
        for (j, b) in (1usize..).zip(shares).skip(i) {
            if a.group_index != b.group_index {
                continue;
            }
            if a.member_index == b.member_index {
                // Whether the two are identical is what we report; comparing
                // in constant time keeps the values themselves out of timing.
                let same = a.member_threshold == b.member_threshold
                    && bool::from(a.value.as_slice().ct_eq(b.value.as_slice()));
                return Err(if same {
                    Slip39Error::SameShare {
                        first: i,
                        second: j,
                    }
                } else {
                    Slip39Error::DuplicateMemberIndex {
                        first: i,
                        second: j,
                    }
                });
            }
            if a.member_threshold != b.member_threshold {
                return Err(Slip39Error::Mismatch {
                    first: i,
                    share: j,
                    parameter: Parameter::MemberThreshold,
                });
            }
        }
    }
    Ok(())
}

/// Exactly `group_threshold` groups, each with exactly its member threshold of
/// shares. Returns the group indices in order of first appearance.
fn check_counts(
    shares: &[Share],
    first: &Share,
) -> Result<heapless::Vec<u8, MAX_SHARES>, Slip39Error> {
    let mut groups: heapless::Vec<u8, MAX_SHARES> = heapless::Vec::new();
    for share in shares {
        if !groups.contains(&share.group_index) {
            // Group indices are 4-bit, so at most 16 distinct groups exist.
            groups
                .push(share.group_index)
                .map_err(|_| Slip39Error::TooManyShares { max: MAX_SHARES })?;
        }
    }
    // At most 16 groups, so the count fits in a u8.
    let group_total = u8::try_from(groups.len()).unwrap_or(u8::MAX);
    if group_total > first.group_threshold {
        return Err(Slip39Error::TooManyGroups {
            given: group_total,
            needed: first.group_threshold,
        });
    }
    for &group_index in groups.iter() {
        let mut members = shares.iter().filter(|s| s.group_index == group_index);
        let needed = members
            .clone()
            .next()
            .map_or(1, |share| share.member_threshold);
        let have = members.by_ref().count();
        if have < usize::from(needed) {
            return Err(Slip39Error::NotEnoughShares {
                group: group_index + 1,
                group_count: first.group_count,
                have: u8::try_from(have).unwrap_or(u8::MAX),
                needed,
            });
        }
        if have > usize::from(needed) {
            return Err(Slip39Error::TooManyGroupShares {
                group: group_index + 1,
                group_count: first.group_count,
                given: have,
                needed,
            });
        }
    }
    if group_total < first.group_threshold {
        return Err(Slip39Error::NotEnoughGroups {
            have: group_total,
            needed: first.group_threshold,
        });
    }
    Ok(groups)
}

/// Parses `mnemonics` and combines them: the convenience used when a person
/// types in their shares.
///
/// Holds at most [`MAX_SHARES`] shares; parse errors name the mnemonic by its
/// 1-based position (and the word, where relevant), as do the errors of
/// [`combine`].
///
/// # Errors
///
/// [`Slip39Error::Share`] for a mnemonic that does not parse,
/// [`Slip39Error::TooManyShares`] for more than [`MAX_SHARES`] mnemonics, and
/// any error of [`combine`].
pub fn combine_mnemonics<'a>(
    mnemonics: impl IntoIterator<Item = &'a str>,
    passphrase: &[u8],
    out: &mut [u8],
) -> Result<usize, Slip39Error> {
    let mut shares: heapless::Vec<Share, MAX_SHARES> = heapless::Vec::new();
    for (position, mnemonic) in (1usize..).zip(mnemonics) {
        let share = share::parse(mnemonic).map_err(|error| Slip39Error::Share {
            share: position,
            error,
        })?;
        shares
            .push(share)
            .map_err(|_| Slip39Error::TooManyShares { max: MAX_SHARES })?;
    }
    combine(&shares, passphrase, out)
}

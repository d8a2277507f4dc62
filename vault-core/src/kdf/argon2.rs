//! Argon2id (RFC 9106, version 0x13) for password keyslots: memory, passes and lanes stored
//! in the slot, bounds checked before any work, and the memory supplied by the caller, so
//! the core stays free of any allocator.
//!
//! The computation is RustCrypto's `argon2` crate, configured as RFC 9106's Argon2id
//! (type `y = 2`, version `0x13`) with no secret and no associated data, a 32-byte tag
//! (`T = 32`) and the slot's 32-byte salt. Checked against RFC 9106 §5.3 below and against
//! the reference implementation (`argon2-cffi`) in `tests/interop`.

use core::fmt;

use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroize;

use crate::constants::{
    DEFAULT_ARGON2_LANES, DEFAULT_ARGON2_MEMORY_KIB, DEFAULT_ARGON2_PASSES, KEY_LEN,
};
use crate::error::Error;
use crate::kdf::KdfLimits;
use crate::secrets::SlotKey;

/// One 1 KiB block of Argon2 memory. A caller supplies at least
/// [`Argon2Params::blocks`] of them to derive an Argon2id slot key; they are wiped
/// before the derivation returns.
pub use argon2::Block as Argon2Block;

/// The Argon2id cost of one keyslot, as the slot stores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Argon2Params {
    /// Memory size `m` in KiB.
    pub memory_kib: u32,
    /// Number of passes `t` over the memory.
    pub passes: u32,
    /// Degree of parallelism `p` (lanes).
    pub lanes: u32,
}

impl Argon2Params {
    /// The parameters of new password keyslots: 256 MiB, 3 passes, 4 lanes (see
    /// [`DEFAULT_ARGON2_MEMORY_KIB`] for their provenance).
    pub const DEFAULT: Self = Self {
        memory_kib: DEFAULT_ARGON2_MEMORY_KIB,
        passes: DEFAULT_ARGON2_PASSES,
        lanes: DEFAULT_ARGON2_LANES,
    };

    /// Number of 1 KiB memory blocks the derivation fills: `m' = 4·p·⌊m / 4p⌋`
    /// (RFC 9106 §3.2), at least `8·p`. Computed without overflow for any `u32` inputs;
    /// 0 for zero lanes (which no bounds accept).
    #[must_use]
    pub const fn blocks(&self) -> usize {
        if self.lanes == 0 {
            return 0;
        }
        let lanes = self.lanes as u64;
        let quarter = 4 * lanes;
        let mut m = self.memory_kib as u64;
        if m < 2 * quarter {
            m = 2 * quarter;
        }
        // At most 4·u32::MAX: fits a u64, and a usize on every target whose caller could
        // supply that much memory (callers compare with the bounds first).
        ((m / quarter) * quarter) as usize
    }

    /// Bytes of memory the derivation needs: [`Argon2Params::blocks`] KiB.
    #[must_use]
    pub const fn memory_bytes(&self) -> u64 {
        (self.blocks() as u64) * 1024
    }
}

impl Default for Argon2Params {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for Argon2Params {
    /// `Argon2id, 256 MiB, 3 passes, 4 lanes` (memory in KiB when not whole MiB).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Argon2id, ")?;
        if self.memory_kib.is_multiple_of(1024) {
            write!(f, "{} MiB", self.memory_kib / 1024)?;
        } else {
            write!(f, "{} KiB", self.memory_kib)?;
        }
        let s = |n: u32| if n == 1 { "" } else { "es" };
        let l = |n: u32| if n == 1 { "" } else { "s" };
        write!(
            f,
            ", {} pass{}, {} lane{}",
            self.passes,
            s(self.passes),
            self.lanes,
            l(self.lanes)
        )
    }
}

/// `Argon2id(password, salt, m, t, p, T = 32)` with `memory` as its working memory, after
/// checking `params` against `limits`. The blocks used are wiped before returning.
///
/// # Errors
/// [`Error::Argon2CostRefused`] if `params` is outside `limits` (nothing is computed or
/// touched); [`Error::KdfMemoryUnavailable`] if `memory` holds fewer than
/// [`Argon2Params::blocks`] blocks (nothing is computed).
pub fn derive_argon2id(
    password: &[u8],
    salt: &[u8],
    params: &Argon2Params,
    limits: &KdfLimits,
    memory: &mut [Argon2Block],
) -> Result<SlotKey, Error> {
    limits.check_argon2(params)?;
    let mut out = [0u8; KEY_LEN];
    argon2id_into(password, salt, None, &[], params, memory, &mut out)?;
    let key = SlotKey::from_bytes(out);
    out.zeroize();
    Ok(key)
}

/// The whole of RFC 9106's Argon2id with an optional secret `K` and associated data `X`
/// (the keyslots use neither; the RFC's test vector uses both). Checks only what the
/// computation itself needs: the caller has checked `params` against its bounds.
///
/// Never inlined: Argon2's working blocks (a few KiB of stack) then occupy the stack only
/// while it runs, not in every caller's frame — a microcontroller that never runs it (it
/// opens vaults through the recovery keyslot) keeps its stack small.
#[inline(never)]
fn argon2id_into(
    password: &[u8],
    salt: &[u8],
    secret: Option<&[u8]>,
    associated: &[u8],
    params: &Argon2Params,
    memory: &mut [Argon2Block],
    out: &mut [u8],
) -> Result<(), Error> {
    let blocks = params.blocks();
    let Some(memory) = memory.get_mut(..blocks) else {
        return Err(Error::KdfMemoryUnavailable {
            needed_kib: u32::try_from(blocks).unwrap_or(u32::MAX),
        });
    };
    let invalid = |_| Error::InvalidInput {
        reason: "Argon2id parameters",
    };
    let argon_params = if associated.is_empty() {
        Params::new(
            params.memory_kib,
            params.passes,
            params.lanes,
            Some(out.len()),
        )
    } else {
        associated_data_params(params, associated, out.len())
    }
    .map_err(invalid)?;
    let context = match secret {
        Some(k) => Argon2::new_with_secret(k, Algorithm::Argon2id, Version::V0x13, argon_params)
            .map_err(invalid)?,
        None => Argon2::new(Algorithm::Argon2id, Version::V0x13, argon_params),
    };
    let result = context
        .hash_password_into_with_memory(password, salt, out, &mut *memory)
        .map_err(invalid);
    // The memory is a function of the password: wiped, whatever the outcome.
    for block in memory.iter_mut() {
        block.zeroize();
    }
    result
}

/// Parameters with associated data `X`, which only RFC 9106's test vector uses.
#[cfg(test)]
fn associated_data_params(
    params: &Argon2Params,
    associated: &[u8],
    out_len: usize,
) -> argon2::Result<Params> {
    argon2::ParamsBuilder::new()
        .m_cost(params.memory_kib)
        .t_cost(params.passes)
        .p_cost(params.lanes)
        .output_len(out_len)
        .data(argon2::AssociatedData::new(associated)?)
        .build()
}

/// Outside tests, associated data is never given.
#[cfg(not(test))]
fn associated_data_params(
    _params: &Argon2Params,
    _associated: &[u8],
    _out_len: usize,
) -> argon2::Result<Params> {
    Err(argon2::Error::AdTooLong)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::hex;
    use std::string::ToString;
    use std::vec::Vec;

    fn memory(blocks: usize) -> Vec<Argon2Block> {
        vec![Argon2Block::new(); blocks]
    }

    /// RFC 9106 §5.3, the Argon2id test vector: m = 32 KiB, t = 3, p = 4, 32 bytes of
    /// 0x01 as password, 16 of 0x02 as salt, 8 of 0x03 as secret, 12 of 0x04 as associated
    /// data, a 32-byte tag.
    #[test]
    fn rfc9106_section_5_3() {
        let params = Argon2Params {
            memory_kib: 32,
            passes: 3,
            lanes: 4,
        };
        let mut mem = memory(params.blocks());
        let mut tag = [0u8; 32];
        argon2id_into(
            &[1; 32],
            &[2; 16],
            Some(&[3; 8]),
            &[4; 12],
            &params,
            &mut mem,
            &mut tag,
        )
        .unwrap();
        assert_eq!(
            hex(&tag),
            "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"
        );
        // The blocks were wiped.
        assert!(mem.iter().all(|b| b.as_ref().iter().all(|w| *w == 0)));
    }

    #[test]
    fn block_counts_follow_rfc9106() {
        let p = |memory_kib, lanes| Argon2Params {
            memory_kib,
            passes: 1,
            lanes,
        };
        assert_eq!(p(32, 4).blocks(), 32);
        assert_eq!(p(8192, 1).blocks(), 8192);
        assert_eq!(p(8195, 4).blocks(), 8192);
        assert_eq!(p(1, 1).blocks(), 8);
        assert_eq!(p(u32::MAX, 8).blocks(), (u32::MAX as usize / 32) * 32);
        assert_eq!(p(100, 0).blocks(), 0);
        assert_eq!(Argon2Params::DEFAULT.memory_bytes(), 256 << 20);
    }

    #[test]
    fn bounds_and_memory_checked_before_work() {
        let limits = KdfLimits::STANDARD;
        let mut none: [Argon2Block; 0] = [];
        for (m, t, p) in [
            (8191, 1, 1),
            (2 * 1024 * 1024 + 1, 1, 1),
            (u32::MAX, 1, 1),
            (8192, 0, 1),
            (8192, 17, 1),
            (8192, 1, 0),
            (8192, 1, 9),
        ] {
            let params = Argon2Params {
                memory_kib: m,
                passes: t,
                lanes: p,
            };
            assert_eq!(
                derive_argon2id(b"p", &[0; 32], &params, &limits, &mut none).err(),
                Some(Error::Argon2CostRefused {
                    memory_kib: m,
                    passes: t,
                    lanes: p
                }),
                "{m} {t} {p}"
            );
        }
        let params = Argon2Params {
            memory_kib: 8192,
            passes: 1,
            lanes: 1,
        };
        let mut small = memory(8191);
        assert_eq!(
            derive_argon2id(b"p", &[0; 32], &params, &limits, &mut small).err(),
            Some(Error::KdfMemoryUnavailable { needed_kib: 8192 })
        );
        // Untouched: no work was done.
        assert!(small.iter().all(|b| b.as_ref().iter().all(|w| *w == 0)));
    }

    #[test]
    fn keys_depend_on_every_input() {
        let limits = KdfLimits::insecure_test_only();
        let base = Argon2Params {
            memory_kib: 64,
            passes: 1,
            lanes: 1,
        };
        let mut mem = memory(64);
        let k = |pw: &[u8], salt: &[u8], p: Argon2Params, mem: &mut [Argon2Block]| {
            *derive_argon2id(pw, salt, &p, &limits, mem)
                .unwrap()
                .expose_secret()
        };
        let a = k(b"pw", &[1; 32], base, &mut mem);
        assert_eq!(a, k(b"pw", &[1; 32], base, &mut mem));
        assert_ne!(a, k(b"pv", &[1; 32], base, &mut mem));
        assert_ne!(a, k(b"pw", &[2; 32], base, &mut mem));
        for p in [
            Argon2Params {
                memory_kib: 72,
                ..base
            },
            Argon2Params { passes: 2, ..base },
            Argon2Params { lanes: 2, ..base },
        ] {
            let mut more = memory(p.blocks());
            assert_ne!(a, k(b"pw", &[1; 32], p, &mut more));
        }
        // A larger memory than needed gives the same key.
        let mut big = memory(1000);
        assert_eq!(a, k(b"pw", &[1; 32], base, &mut big));
    }

    #[test]
    fn display() {
        assert_eq!(
            Argon2Params::DEFAULT.to_string(),
            "Argon2id, 256 MiB, 3 passes, 4 lanes"
        );
        let p = Argon2Params {
            memory_kib: 32,
            passes: 1,
            lanes: 1,
        };
        assert_eq!(p.to_string(), "Argon2id, 32 KiB, 1 pass, 1 lane");
    }
}

//! The PBKDF2-HMAC-SHA256 iteration loop on the x86 SHA extensions, with the HMAC inner and
//! outer states, the running block `U_j` and the accumulator kept in SSE registers.
//!
//! This is the one module of vault-core with an `unsafe` block: the call into the
//! `#[target_feature]` loop, made only after a run-time check that the CPU has the SHA
//! extensions. The loop itself uses only intrinsics that are safe to call inside a
//! function with those target features. Its output is proven equal to the portable loop
//! (and to the `pbkdf2` crate) by differential tests over random inputs and a fuzz target.
//!
//! Layout: SHA-NI keeps the state as `ABEF` and `CDGH` vectors; a block's message words
//! `W0..W15` sit in four vectors with `W(4k)` in lane 0. Each PBKDF2 iteration hashes a
//! 32-byte message after a 64-byte key block, so its one block is `U || 0x80 || 0… ||
//! 768` — only `U` changes between iterations.

#![allow(unsafe_code)]

#[cfg(target_arch = "x86")]
use core::arch::x86::*;
#[cfg(target_arch = "x86_64")]
use core::arch::x86_64::*;

cpufeatures::new!(sha_ni, "sha", "sse2", "ssse3", "sse4.1");

/// Whether this CPU has the SHA extensions (checked once, then cached).
pub(super) fn available() -> bool {
    sha_ni::get()
}

/// Runs `n` PBKDF2 iterations: for each, `u = HMAC(inner, outer, u)` and `acc ^= u`.
/// `inner` and `outer` are the SHA-256 states after the HMAC key blocks; `u` and `acc`
/// are words in SHA-256's order. Returns `None` without doing anything if the CPU lacks
/// the SHA extensions.
pub(super) fn iterate(
    inner: &[u32; 8],
    outer: &[u32; 8],
    u: &mut [u32; 8],
    acc: &mut [u32; 8],
    n: u32,
) -> Option<()> {
    if !available() {
        return None;
    }
    // SAFETY: `iterate_sha_ni` is a safe function whose only requirement is that the CPU
    // supports the target features it enables (sha, sse2, ssse3, sse4.1); `available()`
    // has just confirmed that at run time through `cpufeatures`.
    unsafe { iterate_sha_ni(inner, outer, u, acc, n) };
    Some(())
}

const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

#[target_feature(enable = "sse2")]
#[inline]
fn v(w: &[u32], at: usize) -> __m128i {
    _mm_set_epi32(
        w[at + 3] as i32,
        w[at + 2] as i32,
        w[at + 1] as i32,
        w[at] as i32,
    )
}

/// Four words in SHA-256 order (`a, b, c, d` in lanes 0..3) → array.
#[target_feature(enable = "sse4.1")]
fn words(x: __m128i, out: &mut [u32]) {
    out[0] = _mm_extract_epi32::<0>(x) as u32;
    out[1] = _mm_extract_epi32::<1>(x) as u32;
    out[2] = _mm_extract_epi32::<2>(x) as u32;
    out[3] = _mm_extract_epi32::<3>(x) as u32;
}

/// State words `a..h` in two vectors (lane 0 = `a`, `e`) → SHA-NI's `ABEF`, `CDGH`.
#[target_feature(enable = "sse2,ssse3,sse4.1")]
fn to_sha_ni(dcba: __m128i, hgfe: __m128i) -> (__m128i, __m128i) {
    let cdab = _mm_shuffle_epi32::<0xB1>(dcba);
    let efgh = _mm_shuffle_epi32::<0x1B>(hgfe);
    (
        _mm_alignr_epi8::<8>(cdab, efgh),
        _mm_blend_epi16::<0xF0>(efgh, cdab),
    )
}

/// SHA-NI's `ABEF`, `CDGH` → state words in two vectors (lane 0 = `a`, `e`): exactly the
/// first two message vectors of a block that hashes this digest.
#[target_feature(enable = "sse2,ssse3,sse4.1")]
fn from_sha_ni(abef: __m128i, cdgh: __m128i) -> (__m128i, __m128i) {
    let feba = _mm_shuffle_epi32::<0x1B>(abef);
    let dchg = _mm_shuffle_epi32::<0xB1>(cdgh);
    (
        _mm_blend_epi16::<0xF0>(feba, dchg),
        _mm_alignr_epi8::<8>(dchg, feba),
    )
}

#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
fn schedule(w0: __m128i, w1: __m128i, w2: __m128i, w3: __m128i) -> __m128i {
    let t1 = _mm_sha256msg1_epu32(w0, w1);
    let t2 = _mm_alignr_epi8::<4>(w3, w2);
    _mm_sha256msg2_epu32(_mm_add_epi32(t1, t2), w3)
}

/// One SHA-256 compression of the block `w0..w3` into the state `(abef, cdgh)`.
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
fn compress(
    state: (__m128i, __m128i),
    mut w0: __m128i,
    mut w1: __m128i,
    mut w2: __m128i,
    mut w3: __m128i,
) -> (__m128i, __m128i) {
    let (mut abef, mut cdgh) = state;
    macro_rules! rounds4 {
        ($w:expr, $i:expr) => {{
            let t1 = _mm_add_epi32($w, v(&K, 4 * $i));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, t1);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32::<0x0E>(t1));
        }};
    }
    macro_rules! schedule_rounds4 {
        ($w0:ident, $w1:ident, $w2:ident, $w3:ident, $i:expr) => {{
            // The next four schedule words replace the oldest four.
            $w0 = schedule($w0, $w1, $w2, $w3);
            rounds4!($w0, $i);
        }};
    }
    rounds4!(w0, 0);
    rounds4!(w1, 1);
    rounds4!(w2, 2);
    rounds4!(w3, 3);
    schedule_rounds4!(w0, w1, w2, w3, 4);
    schedule_rounds4!(w1, w2, w3, w0, 5);
    schedule_rounds4!(w2, w3, w0, w1, 6);
    schedule_rounds4!(w3, w0, w1, w2, 7);
    schedule_rounds4!(w0, w1, w2, w3, 8);
    schedule_rounds4!(w1, w2, w3, w0, 9);
    schedule_rounds4!(w2, w3, w0, w1, 10);
    schedule_rounds4!(w3, w0, w1, w2, 11);
    schedule_rounds4!(w0, w1, w2, w3, 12);
    schedule_rounds4!(w1, w2, w3, w0, 13);
    schedule_rounds4!(w2, w3, w0, w1, 14);
    schedule_rounds4!(w3, w0, w1, w2, 15);
    (_mm_add_epi32(abef, state.0), _mm_add_epi32(cdgh, state.1))
}

#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
fn iterate_sha_ni(
    inner: &[u32; 8],
    outer: &[u32; 8],
    u: &mut [u32; 8],
    acc: &mut [u32; 8],
    n: u32,
) {
    let inner = to_sha_ni(v(inner, 0), v(inner, 4));
    let outer = to_sha_ni(v(outer, 0), v(outer, 4));
    // The fixed second half of every block: 0x80 after the 32-byte message, then the
    // length in bits of key block plus message, (64 + 32) * 8 = 768.
    let pad = _mm_set_epi32(0, 0, 0, 0x8000_0000u32 as i32);
    let len = _mm_set_epi32(768, 0, 0, 0);
    let (mut u0, mut u1) = (v(u, 0), v(u, 4));
    let (mut a0, mut a1) = (v(acc, 0), v(acc, 4));
    for _ in 0..n {
        let (abef, cdgh) = compress(inner, u0, u1, pad, len);
        let (m0, m1) = from_sha_ni(abef, cdgh);
        let (abef, cdgh) = compress(outer, m0, m1, pad, len);
        (u0, u1) = from_sha_ni(abef, cdgh);
        a0 = _mm_xor_si128(a0, u0);
        a1 = _mm_xor_si128(a1, u1);
    }
    words(u0, &mut u[..4]);
    words(u1, &mut u[4..]);
    words(a0, &mut acc[..4]);
    words(a1, &mut acc[4..]);
}

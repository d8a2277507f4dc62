//! Constant-time arithmetic in GF(2^8) and Lagrange interpolation.
//!
//! Bytes are elements of GF(256) in polynomial representation modulo the
//! Rijndael polynomial x^8 + x^4 + x^3 + x + 1, as SLIP-39 requires.
//!
//! Share *values* are secret, so multiplication is a bitwise carry-less
//! multiply with masks and inversion is exponentiation to the (public) power
//! 254: no table lookups and no data-dependent branches. Share *indices* (the
//! x-coordinates) are public; the only branches in [`interpolate`] depend on
//! them and on lengths.

/// The low byte of the Rijndael polynomial (x^4 + x^3 + x + 1).
const REDUCTION: u8 = 0x1b;

/// Multiplies two field elements in constant time.
#[inline]
pub(super) fn mul(a: u8, b: u8) -> u8 {
    let mut a = a;
    let mut b = b;
    let mut product = 0u8;
    for _ in 0..8 {
        // Add `a` if the low bit of `b` is set: mask is 0x00 or 0xff.
        product ^= a & (b & 1).wrapping_neg();
        // a *= x, reducing modulo the field polynomial if x^8 appears.
        let carry = (a >> 7).wrapping_neg();
        a = (a << 1) ^ (REDUCTION & carry);
        b >>= 1;
    }
    product
}

/// Returns the multiplicative inverse `a^-1 = a^254`, or 0 for `a = 0`, in
/// constant time.
pub(super) fn inv(a: u8) -> u8 {
    // 254 = 2 + 4 + 8 + 16 + 32 + 64 + 128: multiply the squares together.
    let mut square = mul(a, a); // a^2
    let mut result = square;
    for _ in 0..6 {
        square = mul(square, square); // a^4, a^8, ..., a^128
        result = mul(result, square);
    }
    result
}

/// A point `(x, y)` of a vector of polynomials: `y[k] = f_k(x)`.
#[derive(Clone, Copy)]
pub(super) struct Point<'a> {
    /// The public x-coordinate (share index).
    pub(super) x: u8,
    /// The secret values of every polynomial at `x`.
    pub(super) y: &'a [u8],
}

/// Evaluates at `x` the polynomials of lowest degree through `points`, writing
/// `f_k(x)` to `out[k]` (Lagrange interpolation).
///
/// The caller must pass points with pairwise distinct x-coordinates and with
/// `y` values as long as `out`. Both are public properties that the callers
/// validate beforehand; if they were violated anyway the result would be
/// meaningless (and caught by the digest check when combining), but this
/// function would not panic.
pub(super) fn interpolate(points: &[Point<'_>], x: u8, out: &mut [u8]) {
    out.fill(0);
    for (i, point) in points.iter().enumerate() {
        // Lagrange basis polynomial l_i(x) = prod_{j != i} (x - x_j) / (x_i - x_j).
        // Subtraction in GF(2^8) is XOR. Only public values are involved here.
        let mut numerator = 1u8;
        let mut denominator = 1u8;
        for (j, other) in points.iter().enumerate() {
            if i != j {
                numerator = mul(numerator, x ^ other.x);
                denominator = mul(denominator, point.x ^ other.x);
            }
        }
        let basis = mul(numerator, inv(denominator));
        for (acc, &y) in out.iter_mut().zip(point.y) {
            *acc ^= mul(basis, y);
        }
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;

    /// Straightforward schoolbook multiplication with branches (test oracle).
    fn mul_reference(a: u8, b: u8) -> u8 {
        let mut result: u16 = 0;
        for bit in 0..8 {
            if (b >> bit) & 1 == 1 {
                result ^= u16::from(a) << bit;
            }
        }
        for bit in (8..16).rev() {
            if (result >> bit) & 1 == 1 {
                result ^= 0x11b << (bit - 8);
            }
        }
        u8::try_from(result).unwrap()
    }

    /// Exp/log tables with generator 3 (x + 1), as in the reference
    /// implementation: an independent second oracle.
    fn tables() -> ([u8; 255], [u8; 256]) {
        let mut exp = [0u8; 255];
        let mut log = [0u8; 256];
        let mut poly: u16 = 1;
        for i in 0..255u8 {
            exp[usize::from(i)] = u8::try_from(poly).unwrap();
            log[usize::from(poly)] = i;
            poly ^= poly << 1;
            if poly & 0x100 != 0 {
                poly ^= 0x11b;
            }
        }
        (exp, log)
    }

    #[test]
    fn mul_matches_references_for_all_pairs() {
        let (exp, log) = tables();
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                let got = mul(a, b);
                assert_eq!(got, mul_reference(a, b), "{a} * {b}");
                let via_tables = if a == 0 || b == 0 {
                    0
                } else {
                    let l =
                        (usize::from(log[usize::from(a)]) + usize::from(log[usize::from(b)])) % 255;
                    exp[l]
                };
                assert_eq!(got, via_tables, "{a} * {b} (tables)");
            }
        }
    }

    #[test]
    fn inverse_of_every_nonzero_element() {
        assert_eq!(inv(0), 0);
        for a in 1..=255u8 {
            let a_inv = inv(a);
            assert_eq!(mul(a, a_inv), 1, "inverse of {a}");
            assert_eq!(mul_reference(a, a_inv), 1, "inverse of {a} (reference)");
        }
    }

    #[test]
    fn interpolation_recovers_polynomial() {
        // f(x) = 7 + 3x + 200x^2 per byte, sampled at x = 1, 2, 254.
        let f = |x: u8| mul(200, mul(x, x)) ^ mul(3, x) ^ 7;
        let ys = [[f(1)], [f(2)], [f(254)]];
        let points = [
            Point { x: 1, y: &ys[0] },
            Point { x: 2, y: &ys[1] },
            Point { x: 254, y: &ys[2] },
        ];
        for x in 0..=255u8 {
            let mut out = [0u8; 1];
            interpolate(&points, x, &mut out);
            assert_eq!(out[0], f(x), "f({x})");
        }
    }
}

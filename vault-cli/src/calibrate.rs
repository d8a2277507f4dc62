//! Measuring how fast this machine runs the keyslot KDFs (PBKDF2-HMAC-SHA256 through the
//! core's [`Pbkdf2`], Argon2id through [`vault_core::kdf::derive_argon2id`]), and choosing
//! their costs from a time budget.
//!
//! The rule for `--target-time MS` (`init`, `passwd`): the measured rate times the budget,
//! rounded to a multiple of 10,000, then clamped to
//! [`DEFAULT_ITERATIONS`]`..=`[`MAX_ITERATIONS`]. A time budget never buys fewer
//! iterations than the default; only an explicit `--iterations N` (at least
//! [`vault_core::constants::MIN_ITERATIONS`]) can go below it.
//!
//! For Argon2id the budget buys memory first: the measured rate (KiB filled per second,
//! counting each pass) times the budget, divided by the passes (3 unless given), rounded
//! down to whole MiB and clamped to 64 MiB..=2 GiB; a budget beyond 2 GiB at 3 passes buys
//! more passes, up to 16. Lanes are 4 unless given.

use std::time::{Duration, Instant};

use vault_core::constants::{
    CALIBRATED_MIN_ARGON2_MEMORY_KIB, DEFAULT_ARGON2_LANES, DEFAULT_ARGON2_PASSES,
    DEFAULT_ITERATIONS, MAX_ARGON2_MEMORY_KIB, MAX_ARGON2_PASSES, MAX_ITERATIONS,
};
use vault_core::{Argon2Block, Argon2Params, KdfLimits, Pbkdf2};

/// Iterations run between two looks at the clock (a few milliseconds of work).
const CHUNK: u32 = 10_000;

/// How long `--target-time` measures before choosing a count.
pub const QUICK_WINDOW: Duration = Duration::from_millis(250);

/// Iteration counts chosen from a time budget are multiples of this.
const ROUND_TO: f64 = 10_000.0;

/// A measurement: `iterations` PBKDF2-HMAC-SHA256 iterations took `elapsed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Iterations run.
    pub iterations: u64,
    /// Time they took.
    pub elapsed: Duration,
}

impl Rate {
    /// Iterations per second (0 if nothing was measured).
    #[must_use]
    pub fn per_second(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.iterations as f64 / secs
        } else {
            0.0
        }
    }

    /// How long `iterations` take at this rate.
    #[must_use]
    pub fn time_for(&self, iterations: u32) -> Duration {
        let rate = self.per_second();
        if rate > 0.0 {
            Duration::from_secs_f64(f64::from(iterations) / rate)
        } else {
            Duration::ZERO
        }
    }
}

/// Runs the core's PBKDF2-HMAC-SHA256 for about `window` (in chunks of 10,000 iterations,
/// at least one) and reports how many iterations that was.
#[must_use]
pub fn measure(window: Duration) -> Rate {
    let Ok(mut job) = Pbkdf2::new(
        b"airvault benchmark",
        &[0x5a; 32],
        MAX_ITERATIONS,
        &KdfLimits::STANDARD,
    ) else {
        return Rate {
            iterations: 0,
            elapsed: Duration::ZERO,
        };
    };
    let start = Instant::now();
    let mut done = 0u64;
    loop {
        let before = job.remaining();
        let left = job.step(CHUNK);
        done += u64::from(before - left);
        if left == 0 || start.elapsed() >= window {
            break;
        }
    }
    Rate {
        iterations: done,
        elapsed: start.elapsed(),
    }
}

/// The iteration count that takes about `target` at `rate`, rounded to a multiple of
/// 10,000 and clamped to `DEFAULT_ITERATIONS..=MAX_ITERATIONS`.
#[must_use]
pub fn iterations_for_rate(rate: &Rate, target: Duration) -> u32 {
    let n = (rate.per_second() * target.as_secs_f64() / ROUND_TO).round() * ROUND_TO;
    if !n.is_finite() || n <= f64::from(DEFAULT_ITERATIONS) {
        DEFAULT_ITERATIONS
    } else if n >= f64::from(MAX_ITERATIONS) {
        MAX_ITERATIONS
    } else {
        // In range, integral: DEFAULT_ITERATIONS < n < MAX_ITERATIONS.
        n as u32
    }
}

/// The iteration count that takes about `target` on this machine, from a short
/// measurement ([`QUICK_WINDOW`]); see the module documentation for the rule.
#[must_use]
pub fn iterations_for(target: Duration) -> u32 {
    iterations_for_rate(&measure(QUICK_WINDOW), target)
}

/// The Argon2id cost measured: 64 MiB, one pass, 4 lanes (about 60 ms on a 2020s x86_64
/// core; the first pass is the same work as every other).
pub const ARGON2_PROBE: Argon2Params = Argon2Params {
    memory_kib: 64 * 1024,
    passes: 1,
    lanes: DEFAULT_ARGON2_LANES,
};

/// A measurement of Argon2id: `kib_passes` KiB filled (memory × passes, summed over runs)
/// in `elapsed`, the allocation of the memory not counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Argon2Rate {
    /// KiB × passes filled.
    pub kib_passes: u64,
    /// Time it took.
    pub elapsed: Duration,
}

impl Argon2Rate {
    /// KiB × passes per second (0 if nothing was measured).
    #[must_use]
    pub fn per_second(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.kib_passes as f64 / secs
        } else {
            0.0
        }
    }

    /// How long a derivation with `params` takes at this rate (an estimate: the work is
    /// proportional to memory × passes).
    #[must_use]
    pub fn time_for(&self, params: &Argon2Params) -> Duration {
        let rate = self.per_second();
        let work = params.blocks() as f64 * f64::from(params.passes);
        if rate > 0.0 {
            Duration::from_secs_f64(work / rate)
        } else {
            Duration::ZERO
        }
    }
}

/// Runs Argon2id with [`ARGON2_PROBE`] through the core, again and again for about
/// `window` (at least once), and reports the rate.
#[must_use]
pub fn measure_argon2(window: Duration) -> Argon2Rate {
    let blocks = ARGON2_PROBE.blocks();
    let mut memory = Vec::new();
    if memory.try_reserve_exact(blocks).is_err() {
        return Argon2Rate {
            kib_passes: 0,
            elapsed: Duration::ZERO,
        };
    }
    memory.resize(blocks, Argon2Block::new());
    let start = Instant::now();
    let mut done = 0u64;
    loop {
        let run = vault_core::kdf::derive_argon2id(
            b"airvault benchmark",
            &[0x5a; 32],
            &ARGON2_PROBE,
            &KdfLimits::STANDARD,
            &mut memory,
        );
        if run.is_err() {
            break;
        }
        done += blocks as u64 * u64::from(ARGON2_PROBE.passes);
        if start.elapsed() >= window {
            break;
        }
    }
    Argon2Rate {
        kib_passes: done,
        elapsed: start.elapsed(),
    }
}

/// The Argon2id cost that takes about `target` at `rate` with `passes` (default 3) and
/// `lanes` (default 4): see the module documentation for the rule.
#[must_use]
pub fn argon2_for_rate(
    rate: &Argon2Rate,
    target: Duration,
    passes: Option<u32>,
    lanes: Option<u32>,
) -> Argon2Params {
    let budget = rate.per_second() * target.as_secs_f64();
    let lanes = lanes.unwrap_or(DEFAULT_ARGON2_LANES);
    let mut passes = passes.unwrap_or(DEFAULT_ARGON2_PASSES).max(1);
    let per_pass = budget / f64::from(passes);
    let mib = (per_pass / 1024.0).floor();
    let max_mib = f64::from(MAX_ARGON2_MEMORY_KIB / 1024);
    let min_mib = f64::from(CALIBRATED_MIN_ARGON2_MEMORY_KIB / 1024);
    let memory_kib = if !mib.is_finite() || mib <= min_mib {
        CALIBRATED_MIN_ARGON2_MEMORY_KIB
    } else if mib >= max_mib {
        // More than the most memory the format allows: the rest of the budget buys passes.
        let more = (budget / f64::from(MAX_ARGON2_MEMORY_KIB)).floor();
        if more.is_finite() && more > f64::from(passes) {
            passes = if more >= f64::from(MAX_ARGON2_PASSES) {
                MAX_ARGON2_PASSES
            } else {
                more as u32
            };
        }
        MAX_ARGON2_MEMORY_KIB
    } else {
        // In range, integral: min_mib < mib < max_mib.
        (mib as u32) * 1024
    };
    Argon2Params {
        memory_kib,
        passes,
        lanes,
    }
}

/// The Argon2id cost that takes about `target` on this machine, from a short measurement
/// ([`QUICK_WINDOW`]).
#[must_use]
pub fn argon2_for(target: Duration, passes: Option<u32>, lanes: Option<u32>) -> Argon2Params {
    argon2_for_rate(&measure_argon2(QUICK_WINDOW), target, passes, lanes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argon2_rate(kib_passes_per_second: u64) -> Argon2Rate {
        Argon2Rate {
            kib_passes: kib_passes_per_second,
            elapsed: Duration::from_secs(1),
        }
    }

    #[test]
    fn argon2_budgets_buy_memory_then_passes() {
        let ms = Duration::from_millis;
        let p = |memory_kib, passes, lanes| Argon2Params {
            memory_kib,
            passes,
            lanes,
        };
        // 1 GiB·pass per second, one second, 3 passes: 341 MiB.
        let r = argon2_rate(1 << 20);
        assert_eq!(
            argon2_for_rate(&r, ms(1000), None, None),
            p(341 << 10, 3, 4)
        );
        assert_eq!(
            argon2_for_rate(&r, ms(1000), Some(1), Some(1)),
            p(1024 << 10, 1, 1)
        );
        // Never below 64 MiB, however small the budget or slow the machine.
        assert_eq!(argon2_for_rate(&r, ms(10), None, None), p(64 << 10, 3, 4));
        assert_eq!(
            argon2_for_rate(&argon2_rate(0), ms(1000), None, None),
            p(64 << 10, 3, 4)
        );
        // Beyond 2 GiB per pass: more passes, at most 16.
        assert_eq!(
            argon2_for_rate(&r, ms(10_000), None, None),
            p(2 << 20, 5, 4)
        );
        assert_eq!(
            argon2_for_rate(&r, ms(60_000), None, None),
            p(2 << 20, 16, 4)
        );
        // The time estimate is work over rate.
        assert_eq!(r.time_for(&p(256 << 10, 3, 4)), ms(750));
    }

    #[test]
    fn an_argon2_measurement_runs_whole_derivations() {
        let r = measure_argon2(Duration::from_millis(1));
        assert!(r.kib_passes >= 64 * 1024);
        assert_eq!(r.kib_passes % (64 * 1024), 0);
        assert!(r.per_second() > 0.0);
    }

    fn rate(per_second: u64) -> Rate {
        Rate {
            iterations: per_second,
            elapsed: Duration::from_secs(1),
        }
    }

    #[test]
    fn budgets_are_rounded_and_clamped() {
        let ms = Duration::from_millis;
        assert_eq!(iterations_for_rate(&rate(2_000_000), ms(1000)), 2_000_000);
        assert_eq!(iterations_for_rate(&rate(2_000_000), ms(1234)), 2_470_000);
        // Never below the default, however small the budget or slow the machine.
        assert_eq!(iterations_for_rate(&rate(2_000_000), ms(10)), 600_000);
        assert_eq!(iterations_for_rate(&rate(0), ms(1000)), 600_000);
        // Never above the format's maximum.
        assert_eq!(
            iterations_for_rate(&rate(50_000_000), ms(60_000)),
            20_000_000
        );
    }

    #[test]
    fn a_measurement_runs_whole_chunks() {
        let r = measure(Duration::from_millis(1));
        assert!(r.iterations >= u64::from(CHUNK));
        assert_eq!(r.iterations % u64::from(CHUNK), 0);
        assert!(r.per_second() > 0.0);
        let t = r.time_for(600_000);
        assert!(t > Duration::ZERO);
    }
}

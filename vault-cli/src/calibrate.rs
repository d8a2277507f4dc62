//! Measuring how fast this machine runs the keyslot KDF (PBKDF2-HMAC-SHA256 through the
//! core's [`Pbkdf2`]), and choosing an iteration count from a time budget.
//!
//! The rule for `--target-time MS` (`init`, `passwd`): the measured rate times the budget,
//! rounded to a multiple of 10,000, then clamped to
//! [`DEFAULT_ITERATIONS`]`..=`[`MAX_ITERATIONS`]. A time budget never buys fewer
//! iterations than the default; only an explicit `--iterations N` (at least
//! [`vault_core::constants::MIN_ITERATIONS`]) can go below it.

use std::time::{Duration, Instant};

use vault_core::constants::{DEFAULT_ITERATIONS, MAX_ITERATIONS};
use vault_core::{KdfLimits, Pbkdf2};

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

#[cfg(test)]
mod tests {
    use super::*;

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

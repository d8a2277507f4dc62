//! `airvault benchmark`: how fast this machine runs the keyslot KDFs, like
//! `cryptsetup benchmark`, and what that means for their costs — for the user who waits
//! and for an attacker who guesses on one core of the same machine.

use std::time::Duration;

use std::time::Instant;

use vault_core::constants::{DEFAULT_ITERATIONS, MAX_ITERATIONS, MIN_ITERATIONS};
use vault_core::{Argon2Params, KdfLimits};

use crate::calibrate::{self, Argon2Rate, Rate};
use crate::output::lifecycle::{Argon2Benchmark, BenchmarkReport};

/// How long `benchmark` measures.
pub const WINDOW: Duration = Duration::from_secs(1);

/// Measures PBKDF2-HMAC-SHA256 through the core for about `window`, Argon2id's rate for a
/// quarter of a second, and one Argon2id derivation at the default cost, and reports what
/// they mean for the format's costs.
#[must_use]
pub fn benchmark(window: Duration) -> BenchmarkReport {
    let rate = calibrate::measure(window);
    let argon2 = calibrate::measure_argon2(calibrate::QUICK_WINDOW);
    report(&rate, &argon2, measure_default_argon2())
}

/// One Argon2id derivation at the default cost, timed (the allocation of its memory not
/// counted); zero if the memory cannot be had.
fn measure_default_argon2() -> Duration {
    let params = Argon2Params::DEFAULT;
    let Ok(mut memory) = crate::progress::argon2_memory(params.blocks()) else {
        return Duration::ZERO;
    };
    let start = Instant::now();
    let run = vault_core::kdf::derive_argon2id(
        b"airvault benchmark",
        &[0x5a; 32],
        &params,
        &KdfLimits::STANDARD,
        &mut memory,
    );
    if run.is_err() {
        return Duration::ZERO;
    }
    start.elapsed()
}

/// Guesses per second at `per_guess` each (0 if nothing was measured), to 0.1.
fn guesses_per_second(per_guess: Duration) -> f64 {
    let s = per_guess.as_secs_f64();
    if s > 0.0 {
        (10.0 / s).round() / 10.0
    } else {
        0.0
    }
}

/// The report for a measured PBKDF2 `rate`, Argon2id `argon2` rate and a default Argon2id
/// derivation that took `argon2_default`.
#[must_use]
pub fn report(rate: &Rate, argon2: &Argon2Rate, argon2_default: Duration) -> BenchmarkReport {
    let per_second = rate.per_second();
    let millis = |n: u32| u64::try_from(rate.time_for(n).as_millis()).unwrap_or(u64::MAX);
    BenchmarkReport {
        kdf: "pbkdf2-hmac-sha256",
        iterations_per_second: per_second.round() as u64,
        measured_iterations: rate.iterations,
        measured_millis: u64::try_from(rate.elapsed.as_millis()).unwrap_or(u64::MAX),
        iterations_for_1s: ((per_second / 10_000.0).round() * 10_000.0) as u64,
        target_time_1s: calibrate::iterations_for_rate(rate, Duration::from_secs(1)),
        default_iterations: DEFAULT_ITERATIONS,
        default_millis: millis(DEFAULT_ITERATIONS),
        min_iterations: MIN_ITERATIONS,
        max_iterations: MAX_ITERATIONS,
        max_millis: millis(MAX_ITERATIONS),
        default_guesses_per_second: guesses_per_second(rate.time_for(DEFAULT_ITERATIONS)),
        argon2id: Argon2Benchmark {
            kib_passes_per_second: argon2.per_second().round() as u64,
            default: Argon2Params::DEFAULT.to_string(),
            default_memory_kib: Argon2Params::DEFAULT.memory_kib,
            default_passes: Argon2Params::DEFAULT.passes,
            default_lanes: Argon2Params::DEFAULT.lanes,
            default_millis: u64::try_from(argon2_default.as_millis()).unwrap_or(u64::MAX),
            default_guesses_per_second: guesses_per_second(argon2_default),
            target_time_1s: calibrate::argon2_for_rate(argon2, Duration::from_secs(1), None, None)
                .to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_from_a_known_rate() {
        let r = report(
            &Rate {
                iterations: 3_000_000,
                elapsed: Duration::from_millis(1500),
            },
            &Argon2Rate {
                kib_passes: 1 << 20,
                elapsed: Duration::from_secs(1),
            },
            Duration::from_millis(800),
        );
        assert_eq!(r.default_guesses_per_second, 3.3);
        assert_eq!(r.argon2id.default_guesses_per_second, 1.3);
        assert_eq!(r.argon2id.default_millis, 800);
        assert_eq!(
            r.argon2id.target_time_1s,
            "Argon2id, 341 MiB, 3 passes, 4 lanes"
        );
        assert_eq!(r.iterations_per_second, 2_000_000);
        assert_eq!(r.iterations_for_1s, 2_000_000);
        assert_eq!(r.target_time_1s, 2_000_000);
        assert_eq!(r.default_millis, 300);
        assert_eq!(r.max_millis, 10_000);
        assert_eq!((r.min_iterations, r.max_iterations), (100_000, 20_000_000));
    }
}

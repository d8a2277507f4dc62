//! `airvault benchmark`: how fast this machine runs the keyslot KDF, like
//! `cryptsetup benchmark`, and what that means for iteration counts.

use std::time::Duration;

use vault_core::constants::{DEFAULT_ITERATIONS, MAX_ITERATIONS, MIN_ITERATIONS};

use crate::calibrate::{self, Rate};
use crate::output::lifecycle::BenchmarkReport;

/// How long `benchmark` measures.
pub const WINDOW: Duration = Duration::from_secs(1);

/// Measures PBKDF2-HMAC-SHA256 through the core for about `window` and reports the rate
/// and what it means for the format's iteration counts.
#[must_use]
pub fn benchmark(window: Duration) -> BenchmarkReport {
    report(&calibrate::measure(window))
}

/// The report for a measured `rate`.
#[must_use]
pub fn report(rate: &Rate) -> BenchmarkReport {
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_from_a_known_rate() {
        let r = report(&Rate {
            iterations: 3_000_000,
            elapsed: Duration::from_millis(1500),
        });
        assert_eq!(r.iterations_per_second, 2_000_000);
        assert_eq!(r.iterations_for_1s, 2_000_000);
        assert_eq!(r.target_time_1s, 2_000_000);
        assert_eq!(r.default_millis, 300);
        assert_eq!(r.max_millis, 10_000);
        assert_eq!((r.min_iterations, r.max_iterations), (100_000, 20_000_000));
    }
}

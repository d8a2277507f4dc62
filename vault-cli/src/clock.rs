//! The clock: the time commands record in the vault and compare key ages against.
//!
//! `AIRVAULT_TEST_NOW=<Unix seconds>` replaces the system clock, so tests can age keys
//! without waiting. Only builds with `debug_assertions` read the variable; a release build
//! always uses the system clock.

use std::time::{SystemTime, UNIX_EPOCH};

/// The environment variable holding a fake time (debug builds only).
pub const TEST_NOW_ENV: &str = "AIRVAULT_TEST_NOW";

/// Seconds since the Unix epoch (0 if the system clock is before it).
#[must_use]
pub fn now() -> u64 {
    #[cfg(debug_assertions)]
    if let Some(t) = std::env::var(TEST_NOW_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        return t;
    }
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

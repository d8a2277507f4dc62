//! Named points between the steps of an atomic write where a debug build can be made to
//! stop dead, so tests can show that a crash at any step leaves the old file or the new
//! one, never a mix.
//!
//! `AIRVAULT_FAILPOINT=<name>` makes the process abort ([`std::process::abort`]: no
//! destructors, no clean-up of the temporary file, as close to a power cut as a test can
//! get) when a write reaches the named point. `AIRVAULT_FAILPOINT=panic-after-unlock`
//! makes it panic instead as soon as a keyslot opens a file ([`panic_after_unlock`]). Only builds with `debug_assertions` read the variable; in a
//! release build [`hit`] and [`panic_after_unlock`] do nothing and the variable is ignored.

/// The environment variable naming the point to abort at (debug builds only).
pub const ENV: &str = "AIRVAULT_FAILPOINT";

/// The points of [`crate::files::write_atomic`], in the order a write reaches them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Point {
    /// `after-write`: the temporary file holds the new bytes, not yet fsynced.
    AfterWrite,
    /// `after-fsync`: the temporary file is fsynced, not yet read back and checked.
    AfterFsync,
    /// `before-rename`: the temporary file is checked; the target is still the old file.
    BeforeRename,
    /// `after-rename`: the target is the new file; the directory is not yet fsynced.
    AfterRename,
}

impl Point {
    /// Every point, in order.
    pub const ALL: [Point; 4] = [
        Point::AfterWrite,
        Point::AfterFsync,
        Point::BeforeRename,
        Point::AfterRename,
    ];

    /// The name `AIRVAULT_FAILPOINT` takes.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Point::AfterWrite => "after-write",
            Point::AfterFsync => "after-fsync",
            Point::BeforeRename => "before-rename",
            Point::AfterRename => "after-rename",
        }
    }
}

/// Aborts the process if this is a debug build and `AIRVAULT_FAILPOINT` names `point`.
#[inline]
pub fn hit(point: Point) {
    #[cfg(debug_assertions)]
    if std::env::var_os(ENV).is_some_and(|v| v == point.name()) {
        eprintln!("airvault: failpoint {} reached; aborting", point.name());
        std::process::abort();
    }
    #[cfg(not(debug_assertions))]
    let _ = point;
}

/// The `AIRVAULT_FAILPOINT` value that makes a debug build panic as soon as a keyslot has
/// opened a vault or backup (the master key and the password or recovery secret are in
/// memory), so tests can check that what a panic prints holds no secret.
pub const PANIC_AFTER_UNLOCK: &str = "panic-after-unlock";

/// Panics if this is a debug build and `AIRVAULT_FAILPOINT` is [`PANIC_AFTER_UNLOCK`]. In a
/// release build it does nothing.
#[inline]
#[allow(clippy::panic)] // Panicking is what this debug-only hook is for.
pub fn panic_after_unlock() {
    #[cfg(debug_assertions)]
    if std::env::var_os(ENV).is_some_and(|v| v == PANIC_AFTER_UNLOCK) {
        panic!("failpoint {PANIC_AFTER_UNLOCK} reached");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_distinct() {
        let mut names: Vec<&str> = Point::ALL.iter().map(|p| p.name()).collect();
        names.dedup();
        assert_eq!(names.len(), 4);
    }
}

//! SIGINT, SIGTERM and SIGHUP turned into a flag that the command checks, so that it stops
//! by returning an error: destructors run, the terminal is restored, temporary files and
//! directories are removed, and the process exits 128 + the signal's number.
//!
//! The handlers (installed by the binary, [`install`]) do only async-signal-safe work:
//! they store the signal's number in an atomic and write one byte to a self-pipe, which a
//! prompt waiting for a keystroke polls beside the terminal. A second signal while the
//! first is pending takes the default action (the process ends at once), so a command
//! stuck where it does not check the flag can still be stopped. The library functions
//! called without [`install`] (the tests) never see a signal pending.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use crate::error::{CliError, Result};

/// SIGHUP, SIGINT and SIGTERM: the signals a command stops cleanly on.
#[cfg(unix)]
pub const HANDLED: [i32; 3] = [
    signal_hook::consts::SIGHUP,
    signal_hook::consts::SIGINT,
    signal_hook::consts::SIGTERM,
];

struct Installed {
    /// The number of the first signal received, 0 while none was.
    pending: Arc<AtomicUsize>,
    /// The read end of the self-pipe the handlers write to.
    #[cfg(unix)]
    wake: std::os::unix::net::UnixStream,
}

static INSTALLED: OnceLock<Installed> = OnceLock::new();

/// Installs the handlers. Called once by the binary at start-up.
///
/// # Errors
/// The OS's, if a handler cannot be installed.
#[cfg(unix)]
pub fn install() -> std::io::Result<()> {
    use signal_hook::{flag, low_level::pipe};
    use std::os::unix::net::UnixStream;

    let pending = Arc::new(AtomicUsize::new(0));
    let flagged = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (wake, notify) = UnixStream::pair()?;
    wake.set_nonblocking(true)?;
    notify.set_nonblocking(true)?;
    for sig in HANDLED {
        // Registered first, so it sees the flag as it was before this signal: a second
        // signal ends the process the default way.
        flag::register_conditional_default(sig, Arc::clone(&flagged))?;
        flag::register(sig, Arc::clone(&flagged))?;
        flag::register_usize(sig, Arc::clone(&pending), usize::try_from(sig).unwrap_or(2))?;
        pipe::register(sig, notify.try_clone()?)?;
    }
    let _ = INSTALLED.set(Installed { pending, wake });
    Ok(())
}

/// Installs nothing where there are no POSIX signals.
///
/// # Errors
/// Never.
#[cfg(not(unix))]
pub fn install() -> std::io::Result<()> {
    Ok(())
}

/// The number of the first signal received, if any.
#[must_use]
pub fn pending() -> Option<i32> {
    let n = INSTALLED.get()?.pending.load(Ordering::SeqCst);
    (n != 0).then(|| i32::try_from(n).unwrap_or(2))
}

/// Stops the command if a signal arrived.
///
/// # Errors
/// The interruption error (exit 128 + the signal's number) if a signal is pending.
pub fn check() -> Result<()> {
    match pending() {
        Some(sig) => Err(CliError::interrupted(sig)),
        None => Ok(()),
    }
}

/// The read end of the self-pipe, readable once a signal has arrived: a prompt polls it
/// beside the terminal.
#[cfg(unix)]
#[must_use]
pub fn wake_fd() -> Option<std::os::fd::BorrowedFd<'static>> {
    use std::os::fd::AsFd;
    INSTALLED.get().map(|i| i.wake.as_fd())
}

pub use crate::error::signal_name as name;

//! Running the core's password KDF in steps so a progress bar can tick on a terminal, and
//! the keyslot operations built on it (unlocking a file, sealing a new slot).
//!
//! The KDF itself, its bounds and every key derived from its output stay in `vault-core`;
//! this module only decides how many iterations to run between two redraws.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rand_core::{OsRng, RngCore};
use vault_core::constants::{SALT_LEN, VAULT_ID_LEN};
use vault_core::{
    Error, KdfLimits, Pbkdf2, SealedSlot, SlotKey, SlotKind, UnlockedVault, VaultFile,
    VaultMasterKey,
};

/// Iterations run between two progress updates (a few milliseconds of work).
const STEP: u32 = 20_000;

/// How key derivations report progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// A bar on standard error (only when it is a terminal).
    Bar,
    /// Nothing.
    Silent,
}

impl Progress {
    /// A bar when standard error is a terminal, else nothing.
    #[must_use]
    pub fn auto() -> Self {
        if std::io::stderr().is_terminal() {
            Progress::Bar
        } else {
            Progress::Silent
        }
    }
}

/// A progress bar on standard error for a key derivation of `total` iterations.
fn bar(total: u32, label: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(u64::from(total)), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:30}] {percent:>3}%") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(label.to_owned());
    bar
}

/// `PBKDF2-HMAC-SHA256(secret, salt, iterations)` with the format's bounds, in steps.
///
/// # Errors
/// [`Error::KdfCostRefused`] if `iterations` is outside the format's bounds (checked
/// before any work).
pub fn derive(
    secret: &[u8],
    salt: &[u8],
    iterations: u32,
    label: &str,
    progress: Progress,
) -> Result<SlotKey, Error> {
    let mut job = Pbkdf2::new(secret, salt, iterations, &KdfLimits::STANDARD)?;
    let bar = match progress {
        Progress::Bar => Some(bar(job.total(), label)),
        Progress::Silent => None,
    };
    while job.remaining() > 0 {
        job.step(STEP);
        if let Some(bar) = &bar {
            bar.set_position(u64::from(job.total() - job.remaining()));
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(job.finish())
}

/// What a bar says while a keyslot of `kind` is sealed: which keyslot, so that `init`'s two
/// derivations are told apart.
#[must_use]
pub fn sealing_label(kind: SlotKind) -> &'static str {
    match kind {
        SlotKind::Password => "Sealing the password keyslot",
        SlotKind::Recovery => "Sealing the recovery keyslot",
    }
}

/// Opens `file` with a password or the recovery secret through the core's
/// [`VaultFile::unlock_with_progress`], drawing one bar for each keyslot tried.
///
/// # Errors
/// As [`VaultFile::unlock`].
pub fn unlock<'a>(
    file: &VaultFile<'a>,
    kind: SlotKind,
    secret: &[u8],
    progress: Progress,
) -> Result<UnlockedVault<'a>, Error> {
    // The bar is made at the first report, when its length is known: a bar of length 0
    // would first be drawn full (100%).
    let mut bar: Option<ProgressBar> = None;
    let label = match kind {
        SlotKind::Password => "Unlocking with the password",
        SlotKind::Recovery => "Unlocking with the recovery secret",
    };
    let result = file.unlock_with_progress(kind, secret, &mut |done, total| {
        if progress == Progress::Bar {
            let b = bar.get_or_insert_with(|| self::bar(total, label));
            b.set_length(u64::from(total));
            b.set_position(u64::from(done));
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match &result {
        Ok(_) => crate::failures::record(file, kind, crate::failures::Outcome::Unlocked),
        Err(Error::WrongSecret) => {
            crate::failures::record(file, kind, crate::failures::Outcome::Failed);
        }
        Err(_) => {}
    }
    if result.is_ok() {
        crate::failpoint::panic_after_unlock();
    }
    result
}

/// Seals `vmk` in a new keyslot under `secret` with a fresh salt from the OS.
///
/// # Errors
/// [`Error::KdfCostRefused`] if `iterations` is outside the format's bounds.
pub fn seal(
    kind: SlotKind,
    secret: &[u8],
    iterations: u32,
    vmk: &VaultMasterKey,
    vault_id: &[u8; VAULT_ID_LEN],
    progress: Progress,
) -> Result<SealedSlot, Error> {
    let mut salt = [0u8; SALT_LEN];
    OsRng.fill_bytes(&mut salt);
    let key = derive(secret, &salt, iterations, sealing_label(kind), progress)?;
    Ok(SealedSlot::seal_with_key(
        kind, iterations, salt, &key, vmk, vault_id, &mut OsRng,
    ))
}

/// The iteration count that takes about `target` on this machine: see
/// [`crate::calibrate`] for the rule (never below the default 600,000 nor above the
/// format's 20,000,000).
#[must_use]
pub fn iterations_for(target: Duration) -> u32 {
    crate::calibrate::iterations_for(target)
}

//! `airvault passwd`: a new password for the vault. Only the password keyslot that opened
//! the vault is replaced; the master key, every record and every other keyslot (the
//! recovery slot among them) are copied unchanged, so the recovery code and shares still
//! open the vault.

use std::time::Duration;

use vault_core::constants::DEFAULT_ITERATIONS;
use vault_core::{AuditOp, HeaderParams, KdfLimits, SealedSlot, SlotKind};

use super::{now, rekey, Context};
use crate::calibrate;
use crate::error::{show, CliError, Doing, Exit, Result};
use crate::files;
use crate::input::PasswordSource;
use crate::output::lifecycle::PasswdReport;

/// Options of `passwd`.
#[derive(Clone, Debug)]
pub struct PasswdOptions {
    /// Where the new password comes from (asked twice on the terminal).
    pub new_password: PasswordSource,
    /// PBKDF2 iterations of the new keyslot, given explicitly.
    pub iterations: Option<u32>,
    /// Pick the iteration count that takes this long here (at least the default).
    pub target_time: Option<Duration>,
}

/// Refuses an iteration count outside the format's bounds before any password is asked.
///
/// # Errors
/// Exit 6.
pub fn check_iterations(iterations: u32) -> Result<()> {
    let limits = KdfLimits::STANDARD;
    if limits.check(iterations).is_err() {
        return Err(CliError::new(
            Exit::Unsupported,
            format!(
                "{iterations} PBKDF2 iterations refused: the format accepts {} to {}",
                limits.min(),
                limits.max()
            ),
        )
        .hint(format!(
            "leave out --iterations for the default ({DEFAULT_ITERATIONS})"
        )));
    }
    Ok(())
}

/// Changes the password of the vault at `ctx.vault`.
///
/// The new keyslot's iteration count is `--iterations N` if given, else the one
/// `--target-time` picks, else the replaced slot's own count raised to the default
/// (600,000) if it was lower: a password change never weakens a slot unless asked to.
///
/// # Errors
/// Exit 4 for a wrong current password; exit 2 if the new one is unusable; exit 6 for an
/// iteration count outside the format's bounds; exit 3/5 if the vault cannot be read or
/// rewritten (then it is unchanged).
pub fn passwd(ctx: &Context, opts: &PasswdOptions) -> Result<PasswdReport> {
    if let Some(n) = opts.iterations {
        check_iterations(n)?;
    }
    // Both prompts before the vault's lock is taken: the current password, then the new.
    let name = files::file_name(&ctx.vault);
    let ctx = &Context {
        password: ctx.password.ask_now(&name)?,
        ..ctx.clone()
    };
    let new_password = opts.new_password.read_new(&name)?;
    rekey::rekey(ctx, |unlocked, meta, _password| {
        let header = unlocked.file().header();
        let slot = unlocked.slot_index();
        let previous = header
            .slot(usize::from(slot))
            .map_or(DEFAULT_ITERATIONS, |s| s.iterations());
        let iterations = match (opts.iterations, opts.target_time) {
            (Some(n), _) => n,
            (None, Some(t)) => calibrate::iterations_for(t),
            (None, None) => previous.max(DEFAULT_ITERATIONS),
        };

        let vault_id = header.vault_id();
        let (sealed, key) = rekey::seal(
            SlotKind::Password,
            new_password.as_bytes(),
            iterations,
            unlocked.master_key(),
            &vault_id,
            ctx.progress,
        )
        .map_err(|e| CliError::core(e, &ctx.vault, Doing::Write))?;
        let slots: Vec<SealedSlot> = header
            .slots()
            .map(|s| {
                if s.index() == slot {
                    sealed
                } else {
                    SealedSlot::from_view(&s)
                }
            })
            .collect();
        let t = now();
        let generation = header.generation().saturating_add(1);
        let _ = meta;
        let plan = rekey::Plan {
            params: HeaderParams {
                vault_id,
                generation,
                written_at: t,
            },
            slots,
            keys: vec![(usize::from(slot), key)],
            new_master_key: None,
            op: AuditOp::Passwd,
            time: t,
            detail: format!("keyslot {slot}, {iterations} iterations"),
        };
        let report = PasswdReport {
            vault: show(&ctx.vault),
            slot,
            iterations,
            previous_iterations: previous,
            generation,
        };
        Ok((plan, report))
    })
}

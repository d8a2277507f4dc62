//! `airvault init`: a new vault with a password slot and a recovery slot.

use std::time::Duration;

use rand_core::{OsRng, RngCore};
use vault_core::constants::{DEFAULT_ITERATIONS, VAULT_ID_LEN};
use vault_core::{
    recovery_code, AuditOp, CheckKey, Meta, RecoverySecret, SlotKind, VaultMasterKey,
};
use zeroize::Zeroizing;

use super::{now, write_vault, Context};
use crate::error::{show, CliError, Doing, Exit, Result};
use crate::files;
use crate::model::Vault;
use crate::output::InitReport;
use crate::progress;

/// Default rotation policy of a new vault, in days.
pub const DEFAULT_POLICY_DAYS: u32 = 90;

/// Options of `init`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InitOptions {
    /// PBKDF2 iterations; `None` for the default (or `target_time`).
    pub iterations: Option<u32>,
    /// Pick the iteration count that takes this long here.
    pub target_time: Option<Duration>,
    /// Replace an existing file.
    pub force: bool,
}

/// Creates the vault at `ctx.vault`.
///
/// # Errors
/// Exit 2 if the file exists (without `force`) or the password is unusable; exit 6 if the
/// iteration count is outside the format's bounds; exit 3 on write errors.
pub fn init(ctx: &Context, opts: &InitOptions) -> Result<InitReport> {
    files::check_writable(&ctx.vault, opts.force)?;
    let iterations = match (opts.iterations, opts.target_time) {
        (Some(n), _) => n,
        (None, Some(t)) => progress::iterations_for(t),
        (None, None) => DEFAULT_ITERATIONS,
    };
    // Refuse a bad count before asking for a password.
    let limits = vault_core::KdfLimits::STANDARD;
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
    let password = ctx.password.read_new(&files::file_name(&ctx.vault))?;

    let vmk = VaultMasterKey::generate(&mut OsRng);
    let recovery = RecoverySecret::generate(&mut OsRng);
    let mut vault_id = [0u8; VAULT_ID_LEN];
    OsRng.fill_bytes(&mut vault_id);
    let seal_err = |e| CliError::core(e, &ctx.vault, Doing::Write);
    let slots = vec![
        progress::seal(
            SlotKind::Password,
            password.as_bytes(),
            iterations,
            &vmk,
            &vault_id,
            ctx.progress,
        )
        .map_err(seal_err)?,
        progress::seal(
            SlotKind::Recovery,
            recovery.expose_secret(),
            iterations,
            &vmk,
            &vault_id,
            ctx.progress,
        )
        .map_err(seal_err)?,
    ];
    let t = now();
    let code = recovery_code::encode(&recovery);
    let mut vault = Vault {
        vault_id,
        generation: 1,
        vmk,
        slots,
        password_iterations: iterations,
        recovery_iterations: Some(iterations),
        meta: Meta {
            recovery_secret: Some(recovery),
            default_policy_days: DEFAULT_POLICY_DAYS,
            created_at: t,
            audit_next_seq: 0,
            audit_head: [0; 32],
            check_key: Some(CheckKey::generate(&mut OsRng)),
        },
        entries: Vec::new(),
        events: Vec::new(),
    };
    vault.record_event(AuditOp::Init, None, "", t);
    files::ensure_parent_dir(&ctx.vault)?;
    write_vault(&ctx.vault, &mut vault, opts.force)?;
    ctx.seen.written(&ctx.vault, super::stamp(&vault));
    Ok(InitReport {
        vault: show(&ctx.vault),
        vault_id: hex::encode(vault_id),
        iterations,
        recovery_code: Zeroizing::new(code.expose_secret().to_owned()),
    })
}

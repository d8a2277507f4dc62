//! Recovery material — the recovery code and SLIP-39 shares, read from files and turned
//! into the 128-bit recovery secret — and `airvault recovery show` / `recovery reset`.
//!
//! A mistyped code or share is bad input from the person recovering (exit 2, naming the
//! group, file or word); a well-formed code or share set that does not open a file is an
//! authentication failure (exit 4), decided where the file is opened.

pub use crate::output::recovery::{RecoveryCodeReport, RESET_WARNING};

use rand_core::OsRng;
use vault_core::constants::MAX_SLOTS;
use vault_core::recovery_code::{self};
use vault_core::{AuditOp, RecoverySecret, SlotKind, VaultMasterKey};
use zeroize::Zeroizing;

use super::{load_vault, now, save_vault, Context};
use crate::error::{show, CliError, Doing, Result};
use crate::progress;

fn no_recovery_secret(ctx: &Context) -> CliError {
    CliError::usage(format!("{} has no recovery secret", show(&ctx.vault)))
        .hint("create one with 'airvault recovery reset'")
}

/// `recovery show`: the vault's recovery code, read with the password. Appends a
/// `recovery-show` audit event (which holds no secret).
///
/// # Errors
/// The vault's errors; exit 2 if the vault has no recovery secret.
pub fn show_code(ctx: &Context) -> Result<RecoveryCodeReport> {
    let (mut vault, _password) = load_vault(ctx)?;
    let code = match &vault.meta.recovery_secret {
        Some(secret) => recovery_code::encode(secret),
        None => return Err(no_recovery_secret(ctx)),
    };
    vault.record_event(AuditOp::RecoveryShow, None, "", now());
    save_vault(ctx, &mut vault)?;
    Ok(RecoveryCodeReport {
        vault: show(&ctx.vault),
        vault_id: hex::encode(vault.vault_id),
        recovery_code: Zeroizing::new(code.expose_secret().to_owned()),
    })
}

/// `recovery reset`: a new recovery secret, and a new master key with it. The metadata
/// gets the new secret, every record is re-encrypted under the new master key, the password
/// keyslot is resealed with the password that opened the vault and the recovery keyslot
/// with the new secret. So an old copy of the vault opened with the old code yields only
/// the old master key, which opens nothing written from now on.
///
/// # Errors
/// The vault's errors; exit 2 if the vault has other password keyslots (a new master key
/// would lock them out, and keeping the old one would not revoke the old code); exit 6 if
/// the vault's KDF cost is refused.
pub fn reset(ctx: &Context) -> Result<RecoveryCodeReport> {
    let (mut vault, password) = load_vault(ctx)?;
    let passwords = vault
        .slots
        .iter()
        .filter(|s| s.kind() == SlotKind::Password)
        .count();
    if passwords > 1 {
        return Err(CliError::usage(format!(
            "{} has {passwords} password keyslots; a new master key would lock out the ones \
             whose passwords are not given here",
            show(&ctx.vault)
        ))
        .hint("the old recovery code can only be revoked under a new master key: keep one password keyslot"));
    }
    if passwords + 1 > MAX_SLOTS {
        return Err(CliError::usage(format!(
            "{} has no room for a recovery keyslot",
            show(&ctx.vault)
        ))
        .hint("remove a password keyslot first"));
    }
    let secret = RecoverySecret::generate(&mut OsRng);
    let iterations = vault
        .recovery_iterations
        .unwrap_or(vault_core::constants::DEFAULT_ITERATIONS);
    let vmk = VaultMasterKey::generate(&mut OsRng);
    let seal = |kind, secret: &[u8], kdf| {
        progress::seal_kdf(kind, secret, kdf, &vmk, &vault.vault_id, ctx.progress)
            .map_err(|e| CliError::core(e, &ctx.vault, Doing::Write))
    };
    let password_slot = seal(SlotKind::Password, password.as_bytes(), vault.password_kdf)?;
    let recovery_slot = seal(
        SlotKind::Recovery,
        secret.expose_secret(),
        vault_core::SlotKdf::Pbkdf2 { iterations },
    )?;
    vault.slots = vec![password_slot, recovery_slot];
    vault.vmk = vmk;
    vault.recovery_iterations = Some(iterations);
    let code = recovery_code::encode(&secret);
    vault.meta.recovery_secret = Some(secret);
    vault.record_event(
        AuditOp::RecoveryReset,
        None,
        "new master key; earlier recovery codes and shares open nothing written from now on",
        now(),
    );
    save_vault(ctx, &mut vault)?;
    Ok(RecoveryCodeReport {
        vault: show(&ctx.vault),
        vault_id: hex::encode(vault.vault_id),
        recovery_code: Zeroizing::new(code.expose_secret().to_owned()),
    })
}

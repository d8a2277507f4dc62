//! `airvault init`: a new vault with a password slot (Argon2id unless PBKDF2 is asked
//! for) and a recovery slot (PBKDF2).

use rand_core::{OsRng, RngCore};
use vault_core::constants::{DEFAULT_ITERATIONS, VAULT_ID_LEN};
use vault_core::{
    recovery_code, AuditOp, CheckKey, Meta, RecoverySecret, SlotKind, VaultMasterKey,
};
use zeroize::Zeroizing;

use super::{now, write_vault, Context};
use crate::error::{show, CliError, Doing, Result};
use crate::files;
use crate::model::Vault;
use crate::output::InitReport;
use crate::password_kdf::KdfOptions;
use crate::progress;

/// Default rotation policy of a new vault, in days.
pub const DEFAULT_POLICY_DAYS: u32 = 90;

/// Options of `init`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InitOptions {
    /// The password keyslot's KDF and the costs of both keyslots.
    pub kdf: KdfOptions,
    /// Replace an existing file.
    pub force: bool,
}

/// Creates the vault at `ctx.vault`.
///
/// # Errors
/// Exit 2 if the file exists (without `force`), the password is unusable or the KDF
/// options contradict each other; exit 6 if a cost is outside the format's bounds; exit 3
/// on write errors.
pub fn init(ctx: &Context, opts: &InitOptions) -> Result<InitReport> {
    files::check_writable(&ctx.vault, opts.force)?;
    // Refuse bad options and costs before asking for a password.
    let password_kdf = opts.kdf.password_kdf(None)?;
    let iterations = opts.kdf.recovery_iterations(DEFAULT_ITERATIONS);
    let password = ctx.password.read_new(&files::file_name(&ctx.vault))?;

    let vmk = VaultMasterKey::generate(&mut OsRng);
    let recovery = RecoverySecret::generate(&mut OsRng);
    let mut vault_id = [0u8; VAULT_ID_LEN];
    OsRng.fill_bytes(&mut vault_id);
    let seal_err = |e| CliError::core(e, &ctx.vault, Doing::Write);
    let slots = vec![
        progress::seal_kdf(
            SlotKind::Password,
            password.as_bytes(),
            password_kdf,
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
        password_kdf,
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
        password_kdf: password_kdf.to_string(),
        recovery_code: Zeroizing::new(code.expose_secret().to_owned()),
    })
}

//! `airvault passwd`: a new password for the vault, and a new master key with it.
//!
//! The password keyslot that opened the vault is replaced, a new random master key is made,
//! every record is re-encrypted under it and the recovery keyslot is resealed with the same
//! recovery secret (printed codes and shares stay valid). So an old copy of the vault
//! opened with the old password yields only the old master key, which opens nothing
//! written from now on. Only when the vault holds other password keyslots — which a new
//! master key would lock out, as their passwords are not known here — is the master key
//! kept and only the one keyslot rewrapped; the report then says exactly what an old copy
//! still opens.

use rand_core::OsRng;
use vault_core::{AuditOp, HeaderParams, SealedSlot, SlotKdf, SlotKind, VaultMasterKey};

use super::{now, Context};
use crate::error::{show, CliError, Doing, Result};
use crate::files;
use crate::input::PasswordSource;
use crate::output::lifecycle::PasswdReport;
use crate::password_kdf::KdfOptions;
use crate::rekey;

/// Options of `passwd`.
#[derive(Clone, Debug)]
pub struct PasswdOptions {
    /// Where the new password comes from (asked twice on the terminal).
    pub new_password: PasswordSource,
    /// The new keyslot's KDF options.
    pub kdf: KdfOptions,
}

/// Changes the password of the vault at `ctx.vault`, under a new master key (see the
/// module documentation for when the master key is kept).
///
/// The new keyslot is Argon2id unless PBKDF2 is asked for (`--kdf pbkdf2` or
/// `--iterations N`): its cost is the one given, else the one `--target-time` picks, else
/// the replaced slot's own cost raised to the default if it was lower (a password change
/// never weakens a slot unless asked to; a PBKDF2 slot becomes Argon2id).
///
/// # Errors
/// Exit 4 for a wrong current password; exit 2 if the new one is unusable or the options
/// contradict each other; exit 6 for a cost outside the format's bounds; exit 3/5 if the
/// vault cannot be read or rewritten (then it is unchanged).
pub fn passwd(ctx: &Context, opts: &PasswdOptions) -> Result<PasswdReport> {
    opts.kdf.check()?;
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
        let previous = header.slot(usize::from(slot)).map(|s| s.kdf());
        let kdf = opts.kdf.password_kdf(previous)?;
        let pbkdf2_iterations = |k: Option<SlotKdf>| match k {
            Some(SlotKdf::Pbkdf2 { iterations }) => iterations,
            _ => 0,
        };

        let vault_id = header.vault_id();
        let other_passwords = header
            .slots()
            .filter(|s| s.kind() == SlotKind::Password && s.index() != slot)
            .count();
        let has_recovery_slot = header.slots().any(|s| s.kind() == SlotKind::Recovery);
        // A new master key unless it would lock out keyslots whose secrets are not here:
        // other passwords, or a recovery slot without its secret in the metadata.
        let rotate = other_passwords == 0 && (!has_recovery_slot || meta.recovery_secret.is_some());
        let new_vmk = rotate.then(|| VaultMasterKey::generate(&mut OsRng));
        let vmk = new_vmk.as_ref().unwrap_or(unlocked.master_key());
        let mut slots = Vec::new();
        let mut keys = Vec::new();
        for s in header.slots() {
            let secret: Option<(&[u8], SlotKdf)> = if s.index() == slot {
                Some((new_password.as_bytes(), kdf))
            } else if rotate {
                // Only the recovery slot can be here (see `rotate`).
                meta.recovery_secret
                    .as_ref()
                    .map(|r| (&r.expose_secret()[..], s.kdf()))
            } else {
                None
            };
            match secret {
                Some((secret, n)) => {
                    let (sealed, key) =
                        rekey::seal(s.kind(), secret, n, vmk, &vault_id, ctx.progress)
                            .map_err(|e| CliError::core(e, &ctx.vault, Doing::Write))?;
                    keys.push((slots.len(), key));
                    slots.push(sealed);
                }
                None => slots.push(SealedSlot::from_view(&s)),
            }
        }
        let t = now();
        let generation = header.generation().saturating_add(1);
        let plan = rekey::Plan {
            params: HeaderParams {
                vault_id,
                generation,
                written_at: t,
            },
            slots,
            keys,
            new_master_key: new_vmk,
            op: AuditOp::Passwd,
            time: t,
            detail: format!(
                "keyslot {slot}, {kdf}{}",
                if rotate { ", new master key" } else { "" }
            ),
        };
        let report = PasswdReport {
            vault: show(&ctx.vault),
            slot,
            iterations: pbkdf2_iterations(Some(kdf)),
            previous_iterations: pbkdf2_iterations(previous),
            kdf: kdf.to_string(),
            previous_kdf: previous.map(|k| k.to_string()).unwrap_or_default(),
            generation,
            master_key_replaced: rotate,
            other_password_slots: other_passwords,
        };
        Ok((plan, report))
    })
}

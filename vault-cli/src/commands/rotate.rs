//! Rotation: `rotate-master` (a new master key for the whole vault), `rotate NAME` (a new
//! random version of a key) and `add NAME --new-version` (a new version from given bytes).
//! Old entry versions are kept, retired and readable with `get NAME --version V`.

use rand_core::{OsRng, RngCore};
use vault_core::constants::MAX_SECRET_LEN;
use vault_core::{
    AuditOp, EntryKind, EntryStatus, HeaderParams, RecordKind, SlotKind, VaultMasterKey,
};
use zeroize::Zeroizing;

use super::{check_name, load_vault, now, save_vault, Context};
use crate::error::{show, CliError, Doing, Result};
use crate::model::{OwnedEntry, Vault};
use crate::new_entry::{read_input, SecretInput};
use crate::output::lifecycle::{RotateMasterReport, RotatedReport};
use crate::rekey;
use crate::suggestion::no_such_entry;

/// Replaces the vault's master key: every record re-encrypted under a new one, the password
/// keyslot resealed with the password just given and the recovery keyslot with the
/// recovery secret kept in the metadata record (so printed recovery codes and shares stay
/// valid), each with its own iteration count. The new file replaces the old one atomically:
/// a crash at any point leaves one or the other.
///
/// # Errors
/// Exit 4 for a wrong password; exit 2 if the vault has keyslots whose secret is not at
/// hand (other passwords, a recovery slot without its secret); exit 3/5 if the vault cannot
/// be read or rewritten (then it is unchanged).
pub fn rotate_master(ctx: &Context) -> Result<RotateMasterReport> {
    rekey::rekey(ctx, |unlocked, meta, password| {
        let file = *unlocked.file();
        let header = file.header();
        let used = unlocked.slot_index();
        let others = header
            .slots()
            .filter(|s| s.kind() == SlotKind::Password && s.index() != used)
            .count();
        if others > 0 {
            return Err(CliError::usage(format!(
                "{} has {others} other password keyslot(s); a new master key would lock them \
                 out",
                show(&ctx.vault)
            ))
            .hint("rotate-master reseals only the password given and the recovery secret"));
        }
        let recovery = meta.recovery_secret.as_ref();
        let has_recovery_slot = header.slots().any(|s| s.kind() == SlotKind::Recovery);
        let no_recovery_secret = || {
            CliError::usage(format!(
                "{} has a recovery keyslot but no recovery secret to reseal it with",
                show(&ctx.vault)
            ))
            .hint("set a new recovery code first ('airvault recovery reset')")
        };
        if has_recovery_slot && recovery.is_none() {
            return Err(no_recovery_secret());
        }

        let vault_id = header.vault_id();
        let vmk = VaultMasterKey::generate(&mut OsRng);
        let mut slots = Vec::new();
        let mut keys = Vec::new();
        for s in header.slots() {
            let secret: &[u8] = match s.kind() {
                SlotKind::Password => password.as_bytes(),
                SlotKind::Recovery => recovery.ok_or_else(no_recovery_secret)?.expose_secret(),
            };
            let (sealed, key) =
                rekey::seal(s.kind(), secret, s.kdf(), &vmk, &vault_id, ctx.progress)
                    .map_err(|e| CliError::core(e, &ctx.vault, Doing::Write))?;
            keys.push((slots.len(), key));
            slots.push(sealed);
        }

        let count = |kind| file.records().filter(|r| r.entry.kind == kind).count();
        let versions = count(RecordKind::Entry);
        let events = count(RecordKind::Audit);
        let t = now();
        let generation = header.generation().saturating_add(1);
        let report = RotateMasterReport {
            vault: show(&ctx.vault),
            versions,
            audit_events: events,
            keyslots: slots.len(),
            recovery: has_recovery_slot,
            generation,
        };
        let plan = rekey::Plan {
            params: HeaderParams {
                vault_id,
                generation,
                written_at: t,
            },
            slots,
            keys,
            new_master_key: Some(vmk),
            op: AuditOp::RotateMaster,
            time: t,
            detail: format!("{versions} entry versions and {events} audit events re-encrypted"),
        };
        Ok((plan, report))
    })
}

/// `rotate`: a new version of a generated key — `bytes` new random bytes (default: as many
/// as the current version), the same id, name, kind and policy, version + 1. The previous
/// version is kept, retired.
///
/// # Errors
/// Exit 2 for an unknown entry, a kind that is not random bytes (passwords and PEM private
/// keys get a new version with `add --new-version`), or a size out of range; the vault's
/// own errors otherwise.
pub fn rotate(ctx: &Context, name: &str, bytes: Option<usize>) -> Result<RotatedReport> {
    check_name(name)?;
    if let Some(n) = bytes {
        if !(1..=MAX_SECRET_LEN).contains(&n) {
            return Err(CliError::usage("--bytes must be 1 to 65536"));
        }
    }
    let (mut vault, _password) = load_vault(ctx)?;
    let current = vault
        .newest(name)
        .ok_or_else(|| no_such_entry(&vault, name))?
        .clone();
    if matches!(current.kind, EntryKind::Password | EntryKind::PrivateKeyPem) {
        return Err(CliError::usage(format!(
            "'{name}' is a {}: rotate makes random bytes",
            current.kind.name()
        ))
        .hint(format!(
            "store its new value as a new version: airvault add {name} --new-version --from-file FILE"
        )));
    }
    let mut secret = Zeroizing::new(vec![0u8; bytes.unwrap_or(current.secret.len())]);
    OsRng.fill_bytes(&mut secret);
    new_version(ctx, &mut vault, &current, secret, "rotate", "")
}

/// `add NAME --new-version`: a new version of an existing entry from a file, standard input
/// or given bytes, checked against the entry's kind; the previous version is kept, retired.
///
/// # Errors
/// Exit 2 for an unknown entry, a secret that is empty, too large, not of the entry's kind
/// or the same as the current version; exit 3 if the input cannot be read; the vault's own
/// errors otherwise.
pub fn add_version(ctx: &Context, name: &str, input: &SecretInput) -> Result<RotatedReport> {
    check_name(name)?;
    // Read (or asked for) before the vault's lock is taken.
    let input = &input.read_now(name)?;
    let (mut vault, _password) = load_vault(ctx)?;
    let current = vault
        .newest(name)
        .ok_or_else(|| no_such_entry(&vault, name))?
        .clone();
    let (secret, detail) = read_input(input, current.kind)?;
    if secret[..] == current.secret[..] {
        return Err(CliError::usage(format!(
            "the new value of '{name}' is the same as version {}",
            current.version
        ))
        .hint("give the new value"));
    }
    new_version(ctx, &mut vault, &current, secret, "add", &detail)
}

/// Adds version `current.version + 1` holding `secret`, retires every older version,
/// records a `rotate` event and saves the vault.
fn new_version(
    ctx: &Context,
    vault: &mut Vault,
    current: &OwnedEntry,
    secret: Zeroizing<Vec<u8>>,
    op: &'static str,
    detail: &str,
) -> Result<RotatedReport> {
    let version = current.version.checked_add(1).ok_or_else(|| {
        CliError::usage(format!("'{}' has no version numbers left", current.name))
    })?;
    let t = now();
    for e in vault.entries.iter_mut().filter(|e| e.id == current.id) {
        e.status = EntryStatus::Retired;
    }
    let entry = OwnedEntry {
        id: current.id,
        version,
        kind: current.kind,
        status: EntryStatus::Active,
        name: current.name.clone(),
        secret,
        created_at: current.created_at,
        rotated_at: t,
        policy_days: current.policy_days,
    };
    let previous_kcv = current.check_text(vault.meta.check_key.as_ref());
    let detail = if detail.is_empty() {
        format!("replaces v{} KCV {previous_kcv}", current.version)
    } else if crate::keyring::ItemName::from_detail(detail).is_some() {
        // A keyring origin is the whole detail (docs/FORMAT.md, "Keyring origin").
        detail.to_owned()
    } else {
        format!("replaces v{} KCV {previous_kcv}, {detail}", current.version)
    };
    vault.record_event(AuditOp::Rotate, Some(&entry), &detail, t);
    let report = RotatedReport {
        op,
        vault: show(&ctx.vault),
        name: entry.name.clone(),
        id: hex::encode(entry.id),
        version,
        previous_version: current.version,
        kind: entry.kind.name(),
        kcv: entry.check_text(vault.meta.check_key.as_ref()),
        previous_kcv,
        bytes: entry.secret.len(),
        rotated_at: t,
    };
    vault.entries.push(entry);
    save_vault(ctx, vault)?;
    Ok(report)
}

//! Rewriting the vault around its keyslots with the core's [`UnlockedVault::rewrite`]:
//! `passwd` (the same master key, records copied unchanged) and `rotate-master` (a new
//! master key, every record re-encrypted). Both append one audit event, and the new file is
//! read back and checked — it opens with every new keyslot and holds exactly the old
//! records plus that event — before it atomically replaces the vault.

use rand_core::{OsRng, RngCore};
use vault_core::constants::{SALT_LEN, VAULT_ID_LEN};
use vault_core::{
    AuditEvent, Error, KdfLimits, Meta, Record, Rewrite, SealedSlot, SlotKey, SlotKind,
    UnlockedVault, VaultFile, VaultMasterKey,
};
use zeroize::Zeroizing;

use super::{check_intact, Context};
use crate::error::{show, CliError, Doing, Exit, Result};
use crate::files;
use crate::progress::{self, Progress};

/// The vault file opened with its password: the unlocked file, its metadata record and the
/// password that opened it.
pub(super) struct Opened<'a> {
    /// The unlocked file.
    pub unlocked: UnlockedVault<'a>,
    /// Its metadata record.
    pub meta: Meta,
    /// The password that opened it.
    pub password: Zeroizing<String>,
}

/// Parses `bytes` (the vault at `ctx.vault`), asks for the password and opens it.
///
/// # Errors
/// Exit 4 for a wrong password, 5/6 as the core reports.
pub(super) fn open<'a>(ctx: &Context, bytes: &'a [u8]) -> Result<Opened<'a>> {
    let path = &ctx.vault;
    let file = VaultFile::parse(bytes, &KdfLimits::STANDARD)
        .map_err(|e| CliError::core(e, path, Doing::Vault))?;
    if !file.verify().is_intact() {
        ctx.warn(&format!(
            "{} is damaged; it is rewritten whole only if every record still opens",
            show(path)
        ));
    }
    let password = ctx.password.read(&files::file_name(path))?;
    let unlocked = progress::unlock(&file, SlotKind::Password, password.as_bytes(), ctx.progress)
        .map_err(|e| CliError::core(e, path, Doing::Vault))?;
    let meta = read_meta(&unlocked).map_err(|e| CliError::core(e, path, Doing::Vault))?;
    Ok(Opened {
        unlocked,
        meta,
        password,
    })
}

fn read_meta(unlocked: &UnlockedVault<'_>) -> Result<Meta, Error> {
    let first = unlocked.file().records().next().ok_or(Error::Malformed {
        reason: "no metadata record",
    })?;
    let mut buf = Zeroizing::new(vec![0u8; UnlockedVault::buffer_len(&first)]);
    match unlocked.open_record(&first, &mut buf)? {
        Record::Meta(m) => Ok(m),
        _ => Err(Error::Malformed {
            reason: "record 0 is not the metadata record",
        }),
    }
}

/// Seals `vmk` in a new keyslot under `secret` with a fresh salt, and returns the slot key
/// too, so that the written file can be checked to open with it without another KDF run.
///
/// # Errors
/// [`Error::KdfCostRefused`] if `iterations` is outside the format's bounds.
pub(super) fn seal(
    kind: SlotKind,
    secret: &[u8],
    iterations: u32,
    vmk: &VaultMasterKey,
    vault_id: &[u8; VAULT_ID_LEN],
    progress: Progress,
) -> Result<(SealedSlot, SlotKey), Error> {
    let mut salt = [0u8; SALT_LEN];
    OsRng.fill_bytes(&mut salt);
    let key = progress::derive(secret, &salt, iterations, "Sealing", progress)?;
    let slot = SealedSlot::seal_with_key(kind, iterations, salt, &key, vmk, vault_id, &mut OsRng);
    Ok((slot, key))
}

/// Rewrites the opened vault as `rw` says and replaces the file at `ctx.vault` with the
/// result, atomically, once it has been read back, checked keylessly, opened through each
/// of `keys` (keyslot index and slot key) and compared record by record with the vault it
/// replaces.
///
/// # Errors
/// Exit 5 if a record of the vault does not open (nothing is written) or the new file does
/// not check out (nothing is replaced); exit 3 on write errors.
pub(super) fn write(
    ctx: &Context,
    unlocked: &UnlockedVault<'_>,
    rw: &Rewrite<'_>,
    keys: &[(usize, &SlotKey)],
) -> Result<()> {
    let path = &ctx.vault;
    let len = unlocked
        .rewrite_len(rw)
        .map_err(|e| CliError::core(e, path, Doing::Write))?;
    let mut out = vec![0u8; len];
    let mut scratch = Zeroizing::new(vec![0u8; unlocked.scratch_len()]);
    let n = unlocked
        .rewrite(&mut out, &mut scratch, rw, &mut OsRng)
        .map_err(|e| CliError::core(e, path, Doing::Vault))?;
    out.truncate(n);
    files::write_atomic(path, &out, true, |written| {
        check_intact(written, path)?;
        check_rewritten(written, unlocked, rw, keys).map_err(|what| {
            CliError::new(
                Exit::Corrupted,
                format!(
                    "{} did not read back as meant after rewriting: {what}",
                    show(path)
                ),
            )
            .hint("nothing was replaced; the medium may be failing")
        })
    })
}

/// Opens `written` through every new keyslot and compares it with the vault it replaces:
/// the same records in the same order (the metadata record's audit fields excepted), then
/// exactly the appended event.
fn check_rewritten(
    written: &[u8],
    old: &UnlockedVault<'_>,
    rw: &Rewrite<'_>,
    keys: &[(usize, &SlotKey)],
) -> std::result::Result<(), String> {
    let file = VaultFile::parse(written, &KdfLimits::STANDARD).map_err(|e| e.to_string())?;
    let mut opened = None;
    for (index, key) in keys {
        let unlocked = file
            .unlock_with_slot_key(*index, key)
            .map_err(|e| format!("keyslot {index}: {e}"))?;
        opened = Some(unlocked);
    }
    let new = opened.ok_or("no keyslot was checked")?;
    let want_key = rw.new_master_key.unwrap_or(old.master_key());
    if new.master_key().expose_secret() != want_key.expose_secret() {
        return Err("a keyslot holds the wrong master key".into());
    }
    let old_count = old.file().header().record_count();
    let new_count = file.header().record_count();
    if new_count != old_count + u32::from(rw.event.is_some()) {
        return Err(format!("{new_count} records where {old_count} were"));
    }
    let mut a = Zeroizing::new(vec![0u8; old.scratch_len()]);
    let mut b = Zeroizing::new(vec![0u8; new.scratch_len()]);
    let mut new_records = file.records();
    for (ro, rn) in old.file().records().zip(new_records.by_ref()) {
        let x = old.open_record(&ro, &mut a).map_err(|e| e.to_string())?;
        let y = new.open_record(&rn, &mut b).map_err(|e| e.to_string())?;
        let same = match (&x, &y) {
            (Record::Meta(m), Record::Meta(n)) => {
                m.recovery_secret == n.recovery_secret
                    && m.default_policy_days == n.default_policy_days
                    && m.created_at == n.created_at
                    && match &rw.event {
                        Some(e) => n.audit_next_seq == e.seq + 1 && n.audit_head == e.hash(),
                        None => {
                            n.audit_next_seq == m.audit_next_seq && n.audit_head == m.audit_head
                        }
                    }
            }
            (Record::Entry(e), Record::Entry(f)) => e == f,
            (Record::Audit(e), Record::Audit(f)) => e == f,
            _ => false,
        };
        if !same {
            return Err(format!("record {} differs", ro.index));
        }
    }
    if let Some(event) = &rw.event {
        let last = new_records.next().ok_or("the new audit event is missing")?;
        match new.open_record(&last, &mut b).map_err(|e| e.to_string())? {
            Record::Audit(e) if e == *event => {}
            _ => return Err("the new audit event differs".into()),
        }
    }
    Ok(())
}

/// An audit event about the vault as a whole (no entry), following `meta`'s chain head.
pub(super) fn vault_event<'d>(
    meta: &Meta,
    op: vault_core::AuditOp,
    time: u64,
    detail: &'d str,
) -> AuditEvent<'d> {
    AuditEvent {
        seq: meta.audit_next_seq,
        time,
        op,
        entry_id: [0; vault_core::constants::ENTRY_ID_LEN],
        version: 0,
        kcv: vault_core::Kcv::default(),
        prev_hash: meta.audit_head,
        name: "",
        detail,
    }
}

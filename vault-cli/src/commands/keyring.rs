//! Keys put back into the OS keyring ([`crate::keyring`]): one entry (`get --to-keyring`),
//! or, on the day the keyring is lost, every entry that was imported from it (`keyring
//! restore`), from the vault or straight from a backup opened with its password, the
//! recovery code or shares.
//!
//! Where an entry goes back to is its origin: the keyring item named by the newest `add`
//! or `rotate` audit event of the entry whose detail is `from keyring SERVICE/ACCOUNT`
//! (`docs/FORMAT.md`, "Keyring origin"). The audit trail is authenticated under the master
//! key, so no one without the key can redirect a secret to another item.
//!
//! Nothing is written to the keyring before the file has opened and every item has been
//! looked up; an item that holds another secret is replaced only after a yes at the
//! terminal or with `--yes`, and every item written is read back and compared.

use std::path::Path;

use vault_core::{AuditOp, Error, KdfLimits, SlotKind, VaultFile};

use super::{decode_container, Context};
use crate::error::{show, CliError, Doing, Exit, Result};
use crate::files;
use crate::generations::Stamp;
use crate::input;
use crate::keyring::{self, ItemName};
use crate::material::{read_material, RecoveryMaterial};
use crate::model::{OwnedEntry, Vault};
use crate::output::keyring::{KeyringItemReport, KeyringRestoreReport};
use crate::progress;
use crate::suggestion::no_such_entry;

/// The keyring item the entry with `id` was imported from, if any.
#[must_use]
pub fn origin(vault: &Vault, id: &[u8; vault_core::constants::ENTRY_ID_LEN]) -> Option<ItemName> {
    vault
        .events
        .iter()
        .rev()
        .filter(|e| e.entry_id == *id && matches!(e.op, AuditOp::Add | AuditOp::Rotate))
        .find_map(|e| ItemName::from_detail(&e.detail))
}

/// What writing a secret to an item will do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Plan {
    Create,
    Replace,
    Unchanged,
}

fn plan(item: &ItemName, secret: &[u8]) -> Result<Plan> {
    Ok(match keyring::lookup(item)? {
        None => Plan::Create,
        Some(held) if held[..] == *secret => Plan::Unchanged,
        Some(_) => Plan::Replace,
    })
}

/// Writes `secret` to `item` and reads it back.
fn write_checked(item: &ItemName, secret: &[u8]) -> Result<()> {
    keyring::write(item, secret)?;
    match keyring::lookup(item)? {
        Some(held) if held[..] == *secret => Ok(()),
        _ => Err(CliError::new(
            Exit::Io,
            format!("the keyring item {item} does not read back as written"),
        )
        .hint("check the keyring with its own tool, then run the command again")),
    }
}

fn report(
    vault: &Vault,
    e: &OwnedEntry,
    item: &ItemName,
    action: &'static str,
) -> KeyringItemReport {
    KeyringItemReport {
        name: e.name.clone(),
        id: hex::encode(e.id),
        version: e.version,
        kind: e.kind.name(),
        kcv: e.check_text(vault.meta.check_key.as_ref()),
        bytes: e.secret.len(),
        service: item.service().to_owned(),
        account: item.account().to_owned(),
        action,
    }
}

/// `get NAME --to-keyring [SERVICE/ACCOUNT]`: writes one version of an entry (the newest
/// unless `version`) into the keyring item `target`, or the one it was imported from.
///
/// # Errors
/// Exit 3 if the keyring cannot be reached (checked before the password is asked); exit 2
/// for an unknown entry or version, an entry with no origin and no `target`, or an item
/// holding another secret without `--yes` or a yes at the terminal; the vault's errors.
pub fn to_keyring(
    ctx: &Context,
    name: &str,
    version: Option<u32>,
    target: Option<&str>,
    yes: bool,
) -> Result<KeyringItemReport> {
    let target = target.map(ItemName::parse).transpose()?;
    keyring::probe()?;
    let vault = open_file(ctx, &ctx.vault, None)?;
    let newest = vault
        .newest(name)
        .ok_or_else(|| no_such_entry(&vault, name))?;
    let want = version.unwrap_or(newest.version);
    let entry = vault
        .entries
        .iter()
        .find(|e| e.name == name && e.version == want)
        .ok_or_else(|| {
            CliError::usage(format!("'{name}' has no version {want}"))
                .hint(format!("its newest version is {}", newest.version))
        })?;
    let item = match target {
        Some(t) => t,
        None => origin(&vault, &entry.id).ok_or_else(|| {
            CliError::usage(format!("'{name}' was not imported from the keyring")).hint(format!(
                "name the item: 'airvault get {name} --to-keyring SERVICE/ACCOUNT'"
            ))
        })?,
    };
    let action = match plan(&item, &entry.secret)? {
        Plan::Unchanged => "unchanged",
        Plan::Create => {
            write_checked(&item, &entry.secret)?;
            "created"
        }
        Plan::Replace => {
            if !yes && !confirm_replace(&item, entry)? {
                return Err(CliError::usage("nothing written to the keyring")
                    .hint("answer 'y' to replace the item, or pass --yes"));
            }
            write_checked(&item, &entry.secret)?;
            "replaced"
        }
    };
    Ok(report(&vault, entry, &item, action))
}

fn confirm_replace(item: &ItemName, e: &OwnedEntry) -> Result<bool> {
    if !input::interactive() {
        return Err(CliError::usage(format!(
            "the keyring item {item} already holds another secret"
        ))
        .hint("pass --yes to replace it"));
    }
    input::confirm(&format!(
        "The keyring item {item} holds another secret. Replace it with '{}' version {}?",
        e.name, e.version
    ))
}

/// Opens a vault or backup (binary or armored) whole, with the password of `ctx` (asked
/// again on the terminal if wrong) or with recovery material, for reading only: nothing is
/// added to what the file holds (a format version 1 file keeps no check key, so the check
/// values shown are those every other reading shows).
fn open_file(ctx: &Context, path: &Path, material: Option<&RecoveryMaterial>) -> Result<Vault> {
    if path == ctx.vault && std::fs::symlink_metadata(path).is_err() {
        return Err(
            CliError::new(Exit::Io, format!("no vault at {}", show(path)))
                .hint("create one with 'airvault init', or name it with --vault or AIRVAULT_VAULT"),
        );
    }
    let doing = if path == ctx.vault {
        Doing::Vault
    } else {
        Doing::Restore
    };
    let raw = files::read_file(path)?;
    let (bytes, _) = decode_container(raw, path)?;
    let file = VaultFile::parse(&bytes, &KdfLimits::STANDARD)
        .map_err(|e| CliError::core(e, path, doing))?;
    let unlocked = match material {
        Some(m) => {
            let got = read_material(m)?;
            progress::unlock(
                &file,
                SlotKind::Recovery,
                got.secret.expose_secret(),
                ctx.progress,
            )
            .map_err(|e| match e {
                Error::WrongSecret => CliError::new(
                    Exit::Authentication,
                    format!(
                        "{} {} (file intact)",
                        if got.shares_used.is_some() {
                            "the shares do not open"
                        } else {
                            "the recovery code does not open"
                        },
                        show(path)
                    ),
                )
                .hint("use the recovery code or shares that were current when it was written"),
                Error::NoSuchSlot => CliError::new(
                    Exit::Authentication,
                    format!("{} has no recovery keyslot", show(path)),
                )
                .hint("open it with its password"),
                other => CliError::core(other, path, doing),
            })?
        }
        None => {
            let name = files::file_name(path);
            input::with_retries(&ctx.password, &name, |given| {
                let pw = given.read(&name)?;
                progress::unlock(&file, SlotKind::Password, pw.as_bytes(), ctx.progress)
                    .map_err(|e| CliError::core(e, path, doing))
            })?
        }
    };
    let vault = Vault::from_unlocked(&unlocked).map_err(|e| CliError::core(e, path, doing))?;
    if path == ctx.vault {
        ctx.seen.opened(path, Stamp::of(&file));
    }
    Ok(vault)
}

/// `keyring restore [FILE]`: writes the newest version of every entry that was imported
/// from the keyring back to its item, handing each item's report to `each` as it is
/// written. Reads `file` (a backup, binary or armored) or the vault, opened with the
/// password or with `material`.
///
/// # Errors
/// Exit 3 if the keyring cannot be reached (checked before the password is asked) or an
/// item cannot be written; exit 2, before anything is written, when two entries name the
/// same item or items hold other secrets and there is neither `--yes` nor a terminal to
/// ask at; the file's errors (4 wrong secret, 5 damaged: try `salvage` first).
pub fn restore(
    ctx: &Context,
    file: Option<&Path>,
    material: Option<&RecoveryMaterial>,
    yes: bool,
    mut each: impl FnMut(KeyringItemReport) -> Result<()>,
) -> Result<KeyringRestoreReport> {
    keyring::probe()?;
    let path = file.unwrap_or(&ctx.vault);
    let vault = open_file(ctx, path, material)?;
    let mut planned: Vec<(&OwnedEntry, ItemName, Plan)> = Vec::new();
    let mut without_origin = 0;
    for e in vault.current() {
        let Some(item) = origin(&vault, &e.id) else {
            without_origin += 1;
            continue;
        };
        if let Some((other, _, _)) = planned.iter().find(|(_, i, _)| *i == item) {
            return Err(CliError::usage(format!(
                "'{}' and '{}' were both imported from the keyring item {item}; nothing was \
                 written",
                other.name, e.name
            ))
            .hint(format!(
                "put back the one you mean with 'airvault get NAME --to-keyring {item}'"
            )));
        }
        let p = plan(&item, &e.secret)?;
        planned.push((e, item, p));
    }
    let replacing: Vec<String> = planned
        .iter()
        .filter(|(_, _, p)| *p == Plan::Replace)
        .map(|(_, item, _)| item.to_string())
        .collect();
    if !replacing.is_empty() && !yes && !input::interactive() {
        return Err(CliError::usage(format!(
            "{} keyring item(s) already hold another secret: {}; nothing was written",
            replacing.len(),
            replacing.join(", ")
        ))
        .hint("pass --yes to replace them"));
    }
    let mut summary = KeyringRestoreReport {
        file: show(path),
        items: planned.len(),
        created: 0,
        replaced: 0,
        unchanged: 0,
        kept: 0,
        without_origin,
    };
    for (e, item, p) in &planned {
        let action = match p {
            Plan::Unchanged => {
                summary.unchanged += 1;
                "unchanged"
            }
            Plan::Create => {
                write_checked(item, &e.secret)?;
                summary.created += 1;
                "created"
            }
            Plan::Replace if yes || confirm_replace(item, e)? => {
                write_checked(item, &e.secret)?;
                summary.replaced += 1;
                "replaced"
            }
            Plan::Replace => {
                summary.kept += 1;
                "kept"
            }
        };
        each(report(&vault, e, item, action))?;
    }
    Ok(summary)
}

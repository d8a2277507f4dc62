//! Entry commands: `generate`, `add`, `list`, `get`, `remove`.

use std::path::Path;

use base64::Engine;
use rand_core::{OsRng, RngCore};
use vault_core::constants::MAX_SECRET_LEN;
use vault_core::{AuditOp, CheckKey, EntryKind};
use zeroize::Zeroizing;

pub use crate::new_entry::SecretInput;
use crate::new_entry::{name_taken, new_entry, read_input};
use crate::suggestion::no_such_entry;

use super::{check_new_name, load_vault, now, read_vault, save_vault, Context};
use crate::cli::SecretFormat;
use crate::error::{show, CliError, Exit, Result};
use crate::files::{self};
use crate::input::{self, PasswordSource};
use crate::model::OwnedEntry;
use crate::output::{AddedReport, EntryReport, RemovedReport, SecretReport};

fn added(op: &'static str, ctx: &Context, e: &OwnedEntry, check: Option<&CheckKey>) -> AddedReport {
    AddedReport {
        op,
        vault: show(&ctx.vault),
        name: e.name.clone(),
        id: hex::encode(e.id),
        version: e.version,
        kind: e.kind.name(),
        kcv: e.check_text(check),
        bytes: e.secret.len(),
        entropy_bits: None,
    }
}

/// What `generate` makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Generated {
    /// This many random bytes (a key, a TOTP seed, opaque bytes).
    Bytes(usize),
    /// A password or passphrase of this shape.
    Password(crate::passwords::Shape),
}

/// `generate`: a new entry of random bytes from the operating system, or a password drawn
/// with them.
///
/// # Errors
/// Exit 2 for a bad name, a taken name, a kind that is not random bytes, or a size out of
/// range; the vault's own errors otherwise.
pub fn generate(
    ctx: &Context,
    name: &str,
    what: Generated,
    kind: EntryKind,
) -> Result<AddedReport> {
    check_new_name(name)?;
    if kind == EntryKind::PrivateKeyPem {
        return Err(CliError::usage("generate makes no private keys")
            .hint("make the key with its own tool and store it with 'airvault add'"));
    }
    if (kind == EntryKind::Password) != matches!(what, Generated::Password(_)) {
        return Err(CliError::usage(
            "a password is generated with --kind password",
        ));
    }
    if let Generated::Bytes(n) = what {
        if !(1..=MAX_SECRET_LEN).contains(&n) {
            return Err(CliError::usage("--bytes must be 1 to 65536"));
        }
    }
    let (mut vault, _password) = load_vault(ctx)?;
    name_taken(&vault, name)?;
    let (secret, entropy) = match what {
        Generated::Bytes(n) => {
            let mut secret = Zeroizing::new(vec![0u8; n]);
            OsRng.fill_bytes(&mut secret);
            (secret, None)
        }
        Generated::Password(shape) => {
            let text = shape.generate(&mut OsRng);
            (
                Zeroizing::new(text.as_bytes().to_vec()),
                Some(shape.entropy_bits()),
            )
        }
    };
    let entry = new_entry(&vault, name, kind, secret);
    let mut report = added("generate", ctx, &entry, vault.meta.check_key.as_ref());
    report.entropy_bits = entropy;
    vault.record_event(AuditOp::Generate, Some(&entry), "", entry.created_at);
    vault.entries.push(entry);
    save_vault(ctx, &mut vault)?;
    Ok(report)
}

/// `add`: a new entry from a file, standard input or given bytes.
///
/// # Errors
/// Exit 2 for a bad or taken name or a secret that is empty, too large or not of its
/// kind; exit 3 if the input cannot be read; the vault's own errors otherwise.
pub fn add(ctx: &Context, name: &str, kind: EntryKind, input: &SecretInput) -> Result<AddedReport> {
    check_new_name(name)?;
    let (secret, detail) = read_input(&input.read_now(name)?, kind)?;
    let (mut vault, _password) = load_vault(ctx)?;
    if vault.newest(name).is_some() {
        return Err(
            CliError::usage(format!("an entry named '{name}' already exists")).hint(format!(
                "to store this secret as its next version, add --new-version: 'airvault add \
                 {name} --new-version …'; else choose another name"
            )),
        );
    }
    let entry = new_entry(&vault, name, kind, secret);
    let report = added("add", ctx, &entry, vault.meta.check_key.as_ref());
    vault.record_event(AuditOp::Add, Some(&entry), &detail, entry.created_at);
    vault.entries.push(entry);
    save_vault(ctx, &mut vault)?;
    Ok(report)
}

/// `list`: the newest version of every entry, by name.
///
/// # Errors
/// The vault's errors.
pub fn list(ctx: &Context) -> Result<Vec<EntryReport>> {
    let mut out = Vec::new();
    list_each(ctx, |r| {
        out.push(r);
        Ok(())
    })?;
    Ok(out)
}

/// `list`, one report at a time (in name order) to `each`, so that a long listing is
/// printed as it is made rather than held.
///
/// # Errors
/// The vault's errors, and `each`'s.
pub fn list_each(ctx: &Context, mut each: impl FnMut(EntryReport) -> Result<()>) -> Result<()> {
    let (vault, _password) = read_vault(ctx)?;
    // Versions per entry in one pass (counting per entry would be quadratic).
    let mut versions: std::collections::HashMap<[u8; 16], usize> =
        std::collections::HashMap::with_capacity(vault.entries.len());
    for e in &vault.entries {
        *versions.entry(e.id).or_insert(0) += 1;
    }
    for e in vault.current() {
        each(EntryReport {
            name: e.name.clone(),
            id: hex::encode(e.id),
            kind: e.kind.name(),
            version: e.version,
            versions: versions.get(&e.id).copied().unwrap_or(1),
            status: e.status.name(),
            kcv: e.check_text(vault.meta.check_key.as_ref()),
            bytes: e.secret.len(),
            created_at: e.created_at,
            rotated_at: e.rotated_at,
        })?;
    }
    Ok(())
}

/// One version of one entry, read from the vault (the newest unless `version` is given).
///
/// # Errors
/// Exit 2 if there is no such entry or version; the vault's errors.
pub fn read_entry(ctx: &Context, name: &str, version: Option<u32>) -> Result<OwnedEntry> {
    read_entry_checked(ctx, name, version).map(|(e, _)| e)
}

/// [`read_entry`], with the check value to show for it ([`OwnedEntry::check_text`]).
///
/// # Errors
/// As [`read_entry`].
pub fn read_entry_checked(
    ctx: &Context,
    name: &str,
    version: Option<u32>,
) -> Result<(OwnedEntry, String)> {
    let (vault, _password) = read_vault(ctx)?;
    let check = vault.meta.check_key.as_ref();
    let newest = vault
        .newest(name)
        .ok_or_else(|| no_such_entry(&vault, name))?;
    let want = version.unwrap_or(newest.version);
    vault
        .entries
        .iter()
        .find(|e| e.name == name && e.version == want)
        .map(|e| (e.clone(), e.check_text(check)))
        .ok_or_else(|| {
            CliError::usage(format!("'{name}' has no version {want}"))
                .hint(format!("its newest version is {}", newest.version))
        })
}

/// Encodes a secret for output.
#[must_use]
pub fn encode_secret(secret: &[u8], format: SecretFormat) -> Zeroizing<Vec<u8>> {
    match format {
        SecretFormat::Raw => Zeroizing::new(secret.to_vec()),
        SecretFormat::Hex => Zeroizing::new(hex::encode(secret).into_bytes()),
        SecretFormat::Base64 => Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .encode(secret)
                .into_bytes(),
        ),
    }
}

fn format_name(format: SecretFormat) -> &'static str {
    match format {
        SecretFormat::Raw => "raw",
        SecretFormat::Hex => "hex",
        SecretFormat::Base64 => "base64",
    }
}

/// What `get` produced: the report, and the raw bytes to print when the format is raw
/// and no `--out` was given.
#[derive(Debug)]
pub struct Got {
    /// The report (its `value` holds hex or base64 text when printed).
    pub report: SecretReport,
    /// Raw bytes to write to standard output.
    pub raw: Option<Zeroizing<Vec<u8>>>,
}

/// `get`: one entry's secret, encoded, either returned for printing or written to `out`
/// (mode 0600, atomically, never over an existing file unless `force`).
///
/// # Errors
/// As [`read_entry`]; exit 2/3 writing `out`.
pub fn get(
    ctx: &Context,
    name: &str,
    version: Option<u32>,
    format: SecretFormat,
    out: Option<&Path>,
    force: bool,
) -> Result<Got> {
    if let Some(out) = out {
        files::check_writable(out, force)?;
    }
    let (entry, check) = read_entry_checked(ctx, name, version)?;
    let encoded = encode_secret(&entry.secret, format);
    let mut report = SecretReport {
        name: entry.name.clone(),
        id: hex::encode(entry.id),
        version: entry.version,
        kind: entry.kind.name(),
        kcv: check,
        bytes: entry.secret.len(),
        format: format_name(format),
        value: None,
        out: None,
    };
    let mut raw = None;
    match (out, format) {
        (Some(path), _) => {
            // Text gets a final newline. `encoded` is exactly sized, so pushing onto it
            // would reallocate and free an unwiped copy of the secret: the newline goes
            // into a buffer sized for it, and both buffers are wiped on drop.
            let bytes = if format == SecretFormat::Raw {
                encoded
            } else {
                let mut text = Zeroizing::new(Vec::with_capacity(encoded.len() + 1));
                text.extend_from_slice(&encoded);
                text.push(b'\n');
                text
            };
            files::write_private(path, &bytes, force)?;
            report.out = Some(show(path));
        }
        (None, SecretFormat::Raw) => raw = Some(encoded),
        (None, _) => {
            let text = String::from_utf8(encoded.to_vec()).unwrap_or_default();
            report.value = Some(Zeroizing::new(text));
        }
    }
    Ok(Got { report, raw })
}

/// `remove`: deletes an entry and all its versions, after confirmation unless `yes`.
///
/// # Errors
/// Exit 2 if there is no such entry, or no confirmation; the vault's errors.
pub fn remove(ctx: &Context, name: &str, yes: bool) -> Result<RemovedReport> {
    if !yes && !input::interactive() {
        return Err(
            CliError::usage("cannot ask for confirmation without a terminal")
                .hint("pass --yes to confirm"),
        );
    }
    let mut ctx = ctx.clone();
    if !yes {
        // Asked before the vault's lock is taken, from the vault as it is now; the removal
        // then applies to the vault as it is under the lock.
        ctx.password = ctx.password.ask_now(&files::file_name(&ctx.vault))?;
        let (vault, password) = read_vault(&ctx)?;
        let newest = vault
            .newest(name)
            .ok_or_else(|| no_such_entry(&vault, name))?;
        let versions = vault.version_count(&newest.id);
        drop(vault);
        // The password that opened it (typed again if the first was wrong).
        ctx.password = PasswordSource::Typed(password);
        if !input::confirm(&format!(
            "Remove '{name}' and its {versions} version(s) from {}?",
            show(&ctx.vault)
        ))? {
            return Err(CliError::new(Exit::Usage, "nothing removed")
                .hint("answer 'y' to remove, or pass --yes"));
        }
    }
    let (mut vault, _password) = load_vault(&ctx)?;
    let newest = vault
        .newest(name)
        .ok_or_else(|| no_such_entry(&vault, name))?
        .clone();
    let versions = vault.version_count(&newest.id);
    vault.entries.retain(|e| e.id != newest.id);
    vault.record_event(
        AuditOp::Remove,
        Some(&newest),
        &format!("{versions} version(s)"),
        now(),
    );
    save_vault(&ctx, &mut vault)?;
    Ok(RemovedReport {
        vault: show(&ctx.vault),
        name: name.to_owned(),
        id: hex::encode(newest.id),
        versions,
    })
}

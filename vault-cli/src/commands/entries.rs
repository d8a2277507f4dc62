//! Entry commands: `generate`, `add`, `list`, `get`, `remove`.

use std::path::{Path, PathBuf};

use base64::Engine;
use rand_core::{OsRng, RngCore};
use vault_core::constants::MAX_SECRET_LEN;
use vault_core::{AuditOp, CheckKey, EntryKind, EntryStatus};
use zeroize::Zeroizing;

use crate::suggestion::no_such_entry;

use super::{check_new_name, load_vault, now, read_vault, save_vault, Context};
use crate::cli::SecretFormat;
use crate::error::{show, CliError, Exit, Result};
use crate::files::{self, read_secret, read_secret_file, ReadSecretError};
use crate::input::{self, PasswordSource};
use crate::keyring::{self, ItemName};
use crate::model::{OwnedEntry, Vault};
use crate::output::{AddedReport, EntryReport, RemovedReport, SecretReport};

/// Where `add` reads the secret from.
#[derive(Clone)]
pub enum SecretInput {
    /// A file.
    File(PathBuf),
    /// Standard input, to its end.
    Stdin,
    /// Bytes the calling program holds (the drill).
    Bytes(Zeroizing<Vec<u8>>),
    /// Bytes already read from standard input or typed on the terminal, and where from.
    Read(Zeroizing<Vec<u8>>, &'static str),
    /// An item of the OS keyring; the audit detail records it as the origin.
    Keyring(ItemName),
    /// Bytes already read from that item.
    FromKeyring(Zeroizing<Vec<u8>>, ItemName),
}

impl SecretInput {
    /// Standard input read (or, on a terminal, the secret asked for twice without echo)
    /// now, before the vault's lock is taken; `name` names the entry in the prompt. Other
    /// inputs are returned as they are.
    ///
    /// # Errors
    /// As [`read_input`] for standard input.
    pub fn read_now(&self, name: &str) -> Result<SecretInput> {
        match self {
            SecretInput::Stdin => {
                let (bytes, from) = read_stdin(name)?;
                Ok(SecretInput::Read(bytes, from))
            }
            SecretInput::Keyring(item) => {
                Ok(SecretInput::FromKeyring(keyring::read(item)?, item.clone()))
            }
            other => Ok(other.clone()),
        }
    }
}

/// The secret from standard input: on a terminal asked twice without echo, else read to
/// its end.
fn read_stdin(name: &str) -> Result<(Zeroizing<Vec<u8>>, &'static str)> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        return Ok((input::read_secret_twice(name)?, "from the terminal"));
    }
    let mut stdin = std::io::stdin().lock();
    let s = read_secret(&mut stdin, MAX_SECRET_LEN).map_err(|e| match e {
        ReadSecretError::Io(e) => CliError::io("read", Path::new("standard input"), &e),
        ReadSecretError::TooLong => CliError::usage("standard input holds more than 65536 bytes")
            .hint("an entry holds at most 65536 bytes"),
    })?;
    Ok((s, "from standard input"))
}

impl std::fmt::Debug for SecretInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretInput::File(p) => f.debug_tuple("File").field(p).finish(),
            SecretInput::Stdin => f.write_str("Stdin"),
            SecretInput::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            SecretInput::Read(b, from) => write!(f, "Read({} bytes {from})", b.len()),
            SecretInput::Keyring(item) => write!(f, "Keyring({item})"),
            SecretInput::FromKeyring(b, item) => {
                write!(f, "FromKeyring({} bytes, {item})", b.len())
            }
        }
    }
}

pub(crate) fn name_taken(vault: &Vault, name: &str) -> Result<()> {
    if vault.entries.iter().any(|e| e.name == name) {
        return Err(
            CliError::usage(format!("an entry named '{name}' already exists"))
                .hint("choose another name, or remove the old entry first"),
        );
    }
    Ok(())
}

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

pub(crate) fn new_entry(
    vault: &Vault,
    name: &str,
    kind: EntryKind,
    secret: Zeroizing<Vec<u8>>,
) -> OwnedEntry {
    let t = now();
    OwnedEntry {
        id: vault.new_entry_id(),
        version: 1,
        kind,
        status: EntryStatus::Active,
        name: name.to_owned(),
        secret,
        created_at: t,
        rotated_at: t,
        policy_days: 0,
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

/// Reads a secret for `add` and checks it against its kind.
pub(crate) fn read_input(
    input: &SecretInput,
    kind: EntryKind,
) -> Result<(Zeroizing<Vec<u8>>, String)> {
    let (mut secret, detail) = match input {
        SecretInput::File(path) => (
            read_secret_file(path, MAX_SECRET_LEN)?,
            format!("from file {}", files::file_name(path)),
        ),
        SecretInput::Stdin => {
            let (s, from) = read_stdin("the entry")?;
            (s, from.to_owned())
        }
        SecretInput::Bytes(b) => (b.clone(), String::new()),
        SecretInput::Read(b, from) => (b.clone(), (*from).to_owned()),
        SecretInput::Keyring(item) => (keyring::read(item)?, item.detail()),
        SecretInput::FromKeyring(b, item) => (b.clone(), item.detail()),
    };
    if kind == EntryKind::Password {
        // A password typed into a file or a pipe almost always ends with a newline that
        // is not part of it.
        if secret.last() == Some(&b'\n') {
            secret.pop();
            if secret.last() == Some(&b'\r') {
                secret.pop();
            }
        }
    }
    if secret.is_empty() {
        return Err(CliError::usage("the secret is empty").hint("give a non-empty secret"));
    }
    let text = std::str::from_utf8(&secret).ok();
    match kind {
        EntryKind::Password if text.is_none() => {
            return Err(CliError::usage("a password entry must be UTF-8 text")
                .hint("use --kind opaque for binary data"));
        }
        EntryKind::PrivateKeyPem if !text.is_some_and(|t| t.contains("-----BEGIN ")) => {
            return Err(
                CliError::usage("this is not a PEM file (no '-----BEGIN' line)")
                    .hint("use --kind opaque for other formats"),
            );
        }
        _ => {}
    }
    Ok((secret, detail))
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

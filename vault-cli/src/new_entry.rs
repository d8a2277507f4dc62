//! A new entry or version from what the user gives: the secret read from a file, standard
//! input or the terminal and checked against its kind, the name checked to be free, and
//! the version made. Shared by `add`, `generate`, `rotate` and `import-legacy`.

use std::path::{Path, PathBuf};

use vault_core::constants::MAX_SECRET_LEN;
use vault_core::{EntryKind, EntryStatus};
use zeroize::Zeroizing;

use crate::commands::now;
use crate::error::{CliError, Result};
use crate::files::{self, read_secret, read_secret_file, ReadSecretError};
use crate::input;
use crate::keyring::{self, ItemName};
use crate::model::{OwnedEntry, Vault};

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
    /// As `read_input` for standard input.
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

pub(crate) fn new_entry(
    vault: &Vault,
    name: &str,
    kind: EntryKind,
    secret: Zeroizing<Vec<u8>>,
) -> OwnedEntry {
    let t = now();
    OwnedEntry {
        id: vault.new_entry_id(&mut rand_core::OsRng),
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

//! The commands, as library functions that return reports: the binary prints them, the
//! drill and the tests call them directly.

pub mod backup;
pub mod entries;
pub mod fingerprint;
pub mod init;
pub mod restore;
pub mod verify;

pub mod audit;
pub mod benchmark;
pub mod import;
pub mod passwd;
pub mod policy;
pub mod rotate;
pub mod status;

pub mod keyring;
pub mod kit;
pub mod page;
pub mod recover;
pub mod recovery;
pub mod salvage;
pub mod shares;

use std::path::{Path, PathBuf};

use vault_core::{armor, constants::MAGIC, KdfLimits, VaultFile};
use zeroize::Zeroizing;

use crate::error::{show, CliError, Doing, Exit, Result};
use crate::files;
use crate::generations::{Seen, Stamp};
use crate::input::{self, PasswordSource};
use crate::model::VaultFiles;
use crate::model::{Keep, Opened, Vault, WriteError};
use crate::progress::Progress;

/// What every command needs from its surroundings.
#[derive(Debug, Clone)]
pub struct Context {
    /// The vault file.
    pub vault: PathBuf,
    /// Where the password comes from.
    pub password: PasswordSource,
    /// Whether key derivations show a progress bar.
    pub progress: Progress,
    /// Whether warnings go to standard error (off in the drill, which reports its own).
    pub warnings: bool,
    /// The newest generation of each vault seen on this machine.
    pub seen: Seen,
}

impl Context {
    /// A context for `vault` with a password source, no progress bar, warnings on and no
    /// memory of generations ([`Seen::off`]; the binary's context has one).
    #[must_use]
    pub fn new(vault: PathBuf, password: PasswordSource) -> Self {
        Self {
            vault,
            password,
            progress: Progress::Silent,
            warnings: true,
            seen: Seen::off(),
        }
    }

    pub(crate) fn warn(&self, text: &str) {
        if self.warnings {
            eprintln!("warning: {text}");
        }
    }
}

/// Seconds since the Unix epoch ([`crate::clock::now`]: a debug build may be given a fake
/// time).
#[must_use]
pub fn now() -> u64 {
    crate::clock::now()
}

/// How a vault or backup file is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// The binary container.
    Binary,
    /// ASCII armor around it.
    Armored,
}

impl Encoding {
    /// `binary` or `armored`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Encoding::Binary => "binary",
            Encoding::Armored => "armored",
        }
    }
}

/// Turns a file's bytes into the binary container: armored text (recognised by its BEGIN
/// line, when the file does not start with the binary magic) is decoded.
///
/// # Errors
/// Exit 6 if the armor declares a version other than 1 (like an unknown file format
/// version); exit 5 if it does not decode. The message names the text line at fault.
pub fn decode_container(bytes: Vec<u8>, path: &Path) -> Result<(Vec<u8>, Encoding)> {
    if bytes.starts_with(&MAGIC) || !armor::is_armored(&bytes) {
        return Ok((bytes, Encoding::Binary));
    }
    let mut out = vec![0u8; armor::decoded_len_max(bytes.len())];
    match armor::decode(&bytes, &mut out) {
        Ok(n) => {
            out.truncate(n);
            Ok((out, Encoding::Armored))
        }
        Err(e @ armor::ArmorError::UnsupportedVersion { .. }) => Err(CliError::new(
            Exit::Unsupported,
            format!("{}: armor: {e}", show(path)),
        )
        .hint("a newer airvault wrote this backup; read it with that version")),
        Err(e) => Err(
            CliError::new(Exit::Corrupted, format!("{}: armor: {e}", show(path)))
                .hint("compare that line with the paper or original copy and correct it"),
        ),
    }
}

/// Encodes the binary container as armored text.
///
/// # Errors
/// Only if the core's length computation and encoder disagree (exit 2).
pub fn encode_armor(bytes: &[u8], path: &Path) -> Result<Vec<u8>> {
    let mut out = vec![0u8; armor::encoded_len(bytes.len())];
    let n = armor::encode(bytes, &mut out).map_err(|e| CliError::core(e, path, Doing::Write))?;
    out.truncate(n);
    Ok(out)
}

/// Reads and opens the vault at `ctx.vault` with its password.
///
/// # Errors
/// Exit 3 if it cannot be read, 4 for a wrong password, 5/6 as the core reports.
pub fn load_vault(ctx: &Context) -> Result<(Vault, Zeroizing<String>)> {
    let (mut vault, password) = open_vault(ctx, Keep::ALL)?;
    // A vault read from a format version 1 file has no check key; it gets one now, as it
    // is about to be written, so that what this command prints matches what later reads
    // of the file show.
    if vault.meta.check_key.is_none() {
        vault.meta.check_key = Some(vault_core::CheckKey::generate(&mut rand_core::OsRng));
    }
    Ok((vault, password))
}

/// A vault opened only to be read: every record was authenticated and decoded, but the
/// audit events (or the entries) were not kept — in a large vault each is about half of
/// the memory — so it cannot be written back.
#[derive(Debug)]
pub struct ReadOnlyVault(Vault);

impl std::ops::Deref for ReadOnlyVault {
    type Target = Vault;
    fn deref(&self) -> &Vault {
        &self.0
    }
}

/// Reads and opens the vault at `ctx.vault` with its password, for commands that only read
/// its entries and metadata (`list`, `get`, `status`).
///
/// # Errors
/// As [`load_vault`].
pub fn read_vault(ctx: &Context) -> Result<(ReadOnlyVault, Zeroizing<String>)> {
    let (mut vault, password) = open_vault(
        ctx,
        Keep {
            entries: true,
            events: false,
        },
    )?;
    vault.events = Vec::new();
    Ok((ReadOnlyVault(vault), password))
}

/// Reads and opens the vault at `ctx.vault` for its metadata and audit trail only (`audit`):
/// the entries are opened and checked but not kept.
///
/// # Errors
/// As [`load_vault`].
pub fn read_audit_trail(ctx: &Context) -> Result<(ReadOnlyVault, Zeroizing<String>)> {
    let (mut vault, password) = open_vault(
        ctx,
        Keep {
            entries: false,
            events: true,
        },
    )?;
    vault.entries = Vec::new();
    Ok((ReadOnlyVault(vault), password))
}

/// Asks for the password first (again if it is wrong and typed on the terminal), then
/// takes the vault's lock if the command holds one ([`crate::lock`]), then reads the vault
/// as it is now.
fn open_vault(ctx: &Context, keep: Keep) -> Result<(Vault, Zeroizing<String>)> {
    if std::fs::symlink_metadata(&ctx.vault).is_err() {
        // No vault: say so before asking for its password.
        read_vault_bytes(&ctx.vault)?;
    }
    refuse_armored_vault(&ctx.vault)?;
    let name = files::file_name(&ctx.vault);
    input::with_retries(&ctx.password, &name, |given| {
        crate::lock::enter()?;
        let once = Context {
            password: given.clone(),
            ..ctx.clone()
        };
        let opened = open_once(&once, keep)?;
        crate::signals::check()?;
        Ok(opened)
    })
}

fn open_once(ctx: &Context, keep: Keep) -> Result<(Vault, Zeroizing<String>)> {
    // An intact vault is read once, record by record, and never held whole; anything
    // else is read whole below, which reports exactly what is wrong.
    let mut password = None;
    if let Some(mut head) = files::read_head(&ctx.vault) {
        let pw = ctx.password.read(&files::file_name(&ctx.vault))?;
        let mut rest = std::io::BufReader::with_capacity(16 * 1024, &mut head.file);
        let opened =
            Vault::open_streaming(&head.bytes, &mut rest, pw.as_bytes(), ctx.progress, keep)
                .map_err(|e| CliError::core(e, &ctx.vault, Doing::Vault))?;
        if let Some(Opened { vault, .. }) = opened {
            ctx.seen.opened(&ctx.vault, stamp(&vault));
            return Ok((vault, pw));
        }
        password = Some(pw);
    }
    let bytes = read_vault_bytes(&ctx.vault)?;
    let password = match password {
        Some(pw) => pw,
        None => ctx.password.read(&files::file_name(&ctx.vault))?,
    };
    let Opened {
        vault,
        verification,
    } = Vault::open(&bytes, password.as_bytes(), ctx.progress)
        .map_err(|e| CliError::core(e, &ctx.vault, Doing::Vault))?;
    if !verification.is_intact() {
        ctx.warn(&format!(
            "{} is damaged but every record opened; the next change rewrites it whole — \
             make a backup now",
            show(&ctx.vault)
        ));
    }
    ctx.seen.opened(&ctx.vault, stamp(&vault));
    Ok((vault, password))
}

/// The vault id and generation of an opened vault.
#[must_use]
pub fn stamp(vault: &Vault) -> Stamp {
    Stamp {
        vault_id: vault.vault_id,
        generation: vault.generation,
    }
}

/// An armored backup given as the vault (`--vault backup.asc`) is named as such before any
/// password is asked: it is a backup to restore, not a vault to open in place.
fn refuse_armored_vault(path: &Path) -> Result<()> {
    use std::io::Read;
    let mut head = Vec::with_capacity(4096);
    let Ok(f) = std::fs::File::open(path) else {
        return Ok(()); // the read that follows reports it
    };
    if f.take(4096).read_to_end(&mut head).is_err() || head.starts_with(&MAGIC) {
        return Ok(());
    }
    if armor::is_armored(&head) {
        // Exit 5, as for any file that is not a vault file.
        return Err(CliError::new(
            Exit::Corrupted,
            format!("{} is an armored backup, not a vault", show(path)),
        )
        .hint(format!(
            "restore it first: airvault restore {} --out VAULT",
            show(path)
        )));
    }
    Ok(())
}

pub(crate) fn read_vault_bytes(path: &Path) -> Result<Vec<u8>> {
    match files::read_file(path) {
        Err(e) if e.exit() == Exit::Io && !path.exists() => Err(CliError::new(
            Exit::Io,
            format!("no vault at {}", show(path)),
        )
        .hint("create one with 'airvault init', or name it with --vault or AIRVAULT_VAULT")),
        other => other,
    }
}

/// Writes `vault` back to `ctx.vault` as generation + 1, atomically, after checking the
/// new file keylessly.
///
/// # Errors
/// Exit 3 on write errors; nothing is changed on error.
pub fn save_vault(ctx: &Context, vault: &mut Vault) -> Result<()> {
    vault.generation = vault.generation.saturating_add(1);
    write_vault(&ctx.vault, vault, true)?;
    ctx.seen.written(&ctx.vault, stamp(vault));
    Ok(())
}

/// Serialises `vault` and writes it to `path` atomically; the bytes are parsed and
/// checked keylessly before they replace anything.
///
/// # Errors
/// Exit 3 on write errors, exit 2 if `path` exists and `force` is not set.
pub fn write_vault(path: &Path, vault: &mut Vault, force: bool) -> Result<()> {
    files::write_atomic_with(
        path,
        force,
        |f| {
            vault.write_to(f, now()).map_err(|e| match e {
                WriteError::Core(e) => CliError::core(e, path, Doing::Write),
                WriteError::Io(e) => CliError::io("write", path, &e),
            })
        },
        |tmp, header| check_written(tmp, &header, path).map(|_| ()),
    )
}

/// Reads a file just written back from `tmp`, in one pass and without holding it: its
/// first header copy must be `header` byte for byte, and the rest must check intact
/// against it (every record against the checksum computed while writing, the second copy
/// and the trailer): it reads back as written. Errors name `path`.
///
/// Returns the file's SHA-256 and length.
///
/// # Errors
/// Exit 3 if it does not read back as written; exit 5 if it does not verify.
pub fn check_written(tmp: &Path, header: &[u8], path: &Path) -> Result<([u8; 32], u64)> {
    use sha2::Digest;
    use std::io::Read;
    let mut sha = sha2::Sha256::new();
    let mut len = 0u64;
    let file = VaultFile::parse(header, &KdfLimits::STANDARD)
        .map_err(|e| CliError::core(e, path, Doing::Write))?;
    let mut check = vault_core::StreamCheck::new(&file);
    let mut f = std::fs::File::open(tmp).map_err(|e| CliError::io("read", path, &e))?;
    let mut buf = vec![0u8; 16 * 1024];
    let mut at = 0;
    loop {
        let n = match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CliError::io("read", path, &e)),
        };
        let mut chunk = &buf[..n];
        sha.update(chunk);
        len += n as u64;
        if at < header.len() {
            let k = chunk.len().min(header.len() - at);
            if chunk[..k] != header[at..at + k] {
                return Err(files::not_as_written(path));
            }
            at += k;
            chunk = &chunk[k..];
        }
        check.update(chunk);
    }
    if at < header.len() {
        return Err(files::not_as_written(path));
    }
    match check.finish() {
        Some(v) if v.is_intact() => Ok((sha.finalize().into(), len)),
        _ => Err(CliError::new(
            Exit::Corrupted,
            format!("{} did not verify after writing", show(path)),
        )
        .hint("the medium may be failing; write to another one")),
    }
}

/// The first header copy of `path` if it is an intact binary airvault file, checked
/// keylessly in one pass without holding it, with the file positioned again just after
/// that header copy. `None` for anything else (armor, damage, a read error): the caller
/// then reads it whole, and reports exactly what is wrong.
#[must_use]
pub fn intact_streaming(path: &Path) -> Option<files::Head> {
    use std::io::{Read, Seek, SeekFrom};
    let mut head = files::read_head(path)?;
    let file = VaultFile::parse(&head.bytes, &KdfLimits::STANDARD).ok()?;
    let mut check = vault_core::StreamCheck::new(&file);
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match head.file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => check.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    if !check.finish().is_some_and(|v| v.is_intact()) {
        return None;
    }
    let after = head.bytes.len() as u64;
    head.file.seek(SeekFrom::Start(after)).ok()?;
    Some(head)
}

/// Parses `bytes` and requires every part to be present and intact (no key needed).
///
/// # Errors
/// Exit 5 (or 6) naming `path`.
pub fn check_intact(bytes: &[u8], path: &Path) -> Result<()> {
    let file = VaultFile::parse(bytes, &KdfLimits::STANDARD)
        .map_err(|e| CliError::core(e, path, Doing::Write))?;
    if file.verify().is_intact() {
        Ok(())
    } else {
        Err(CliError::new(
            Exit::Corrupted,
            format!("{} did not verify after writing", show(path)),
        )
        .hint("the medium may be failing; write to another one"))
    }
}

/// The entry name rule of the format, checked before any work.
///
/// # Errors
/// Exit 2.
/// Checks the name of an entry about to be created: a valid entry name ([`check_name`])
/// that does not start or end with whitespace, which no one would see in a listing and
/// everyone would mistype.
///
/// # Errors
/// Exit 2, naming the rule.
pub fn check_new_name(name: &str) -> Result<()> {
    check_name(name)?;
    if name.trim() != name {
        return Err(CliError::usage(format!(
            "entry name '{name}' starts or ends with whitespace"
        ))
        .hint(format!("use '{}'", name.trim())));
    }
    Ok(())
}

/// Checks an entry name given to look an entry up: 1 to 256 bytes of UTF-8 without control
/// characters, as the format allows.
///
/// # Errors
/// Exit 2, naming the rule.
pub fn check_name(name: &str) -> Result<()> {
    if vault_core::records::valid_entry_name(name) {
        Ok(())
    } else {
        Err(
            CliError::usage("entry names are 1 to 256 bytes of UTF-8 without control characters")
                .hint("choose another name"),
        )
    }
}

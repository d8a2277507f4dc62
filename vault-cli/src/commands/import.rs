//! `airvault import-legacy`: one secret brought in from a file another tool encrypted —
//! an `openssl enc -aes-256-cbc` file (unauthenticated: shown and confirmed before it is
//! stored) or a Fernet token (authenticated: its HMAC is verified before anything is
//! decrypted). The decryption is the core's (`vault_core::legacy`); see `docs/LEGACY.md`.

use std::path::{Path, PathBuf};

use vault_core::constants::MAX_SECRET_LEN;
use vault_core::legacy::{
    fernet_decrypt, fernet_max_plaintext_len, openssl_common_kdfs, openssl_decrypt,
    openssl_max_plaintext_len, Digest, LegacyError, OpensslKdf,
};
use vault_core::{AuditOp, EntryKind, Kcv};
use zeroize::Zeroizing;

use super::{check_new_name, load_vault, save_vault, Context};
use crate::error::{show, CliError, Exit, Result};
use crate::files;
use crate::input::{self, PasswordSource};
use crate::new_entry::{name_taken, new_entry, read_input, SecretInput};
use crate::output::lifecycle::ImportReport;
use crate::output::utc;

/// Largest legacy file read (the base64 form of the largest entry is well under this).
pub const MAX_LEGACY_FILE_LEN: u64 = 1 << 20;

/// Largest Fernet key file read (the key is 44 characters).
const MAX_KEY_FILE_LEN: usize = 4096;

/// OpenSSL's own `-pbkdf2` default iteration count.
pub const OPENSSL_DEFAULT_ITERATIONS: u32 = 10_000;

/// Which key derivations to try on an `openssl enc` file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KdfChoice {
    /// Exactly this one.
    One(OpensslKdf),
    /// The common settings, in the order of
    /// [`vault_core::legacy::openssl_common_kdfs`].
    TryCommon,
}

/// Options of `import-legacy --from openssl`.
#[derive(Clone, Debug)]
pub struct OpensslImport {
    /// The `openssl enc` file (binary, or base64 from `-a`).
    pub file: PathBuf,
    /// Name of the new entry.
    pub name: String,
    /// Kind of the new entry.
    pub kind: EntryKind,
    /// The key derivation(s) to try.
    pub kdf: KdfChoice,
    /// Where the file's password comes from.
    pub legacy_password: PasswordSource,
    /// Import without asking (required when there is no terminal).
    pub yes: bool,
}

/// Options of `import-legacy --from fernet`.
#[derive(Clone, Debug)]
pub struct FernetImport {
    /// The file holding the token.
    pub token_file: PathBuf,
    /// The file holding the key (URL-safe base64).
    pub key_file: PathBuf,
    /// Name of the new entry.
    pub name: String,
    /// Kind of the new entry.
    pub kind: EntryKind,
}

fn digest_name(d: Digest) -> &'static str {
    match d {
        Digest::Sha256 => "SHA256",
        Digest::Sha512 => "SHA512",
        Digest::Sha1 => "SHA1",
        Digest::Md5 => "MD5",
        _ => "another digest",
    }
}

/// A key derivation as people read it, e.g. `PBKDF2-HMAC-SHA256, 10000 iterations`.
#[must_use]
pub fn describe(kdf: &OpensslKdf) -> String {
    match kdf {
        OpensslKdf::Pbkdf2 { iterations, digest } => {
            format!(
                "PBKDF2-HMAC-{}, {iterations} iterations",
                digest_name(*digest)
            )
        }
        OpensslKdf::BytesToKey { digest } => {
            format!("EVP_BytesToKey-{} (no -pbkdf2)", digest_name(*digest))
        }
        _ => "another key derivation".to_owned(),
    }
}

/// The error for a legacy file the core refused.
fn legacy_error(e: LegacyError, path: &Path) -> CliError {
    let file = show(path);
    match e {
        LegacyError::WrongPasswordOrParameters => {
            CliError::new(Exit::Authentication, format!("{file}: {e}")).hint("nothing was imported")
        }
        LegacyError::FernetWrongKeyOrTampered => {
            CliError::new(Exit::Authentication, format!("{file}: {e}")).hint(
                "check that --key-file holds the key the token was made with; a token changed \
                 after it was made cannot be imported",
            )
        }
        LegacyError::MalformedFernetKey => CliError::new(Exit::Corrupted, format!("{file}: {e}"))
            .hint("the key file holds the key as Fernet prints it, on one line"),
        LegacyError::NotOpensslFile => CliError::new(Exit::Corrupted, format!("{file}: {e}"))
            .hint("is it a Fernet token? then use --from fernet --key-file KEY"),
        LegacyError::IterationCountOutOfRange { .. } => {
            CliError::new(Exit::Unsupported, format!("{file}: {e}"))
        }
        LegacyError::OutputTooSmall { .. } => CliError::usage(format!("{file}: {e}")),
        _ => CliError::new(Exit::Corrupted, format!("{file}: {e}")).hint("nothing was imported"),
    }
}

/// Refuses, before any work, a legacy file whose plaintext cannot fit in an entry.
fn check_fits(max_plaintext: usize, path: &Path) -> Result<()> {
    // The plaintext is at least the ciphertext minus one block of padding.
    if max_plaintext.saturating_sub(15) > MAX_SECRET_LEN {
        return Err(CliError::usage(format!(
            "{} holds more than {MAX_SECRET_LEN} bytes",
            show(path)
        ))
        .hint("an entry holds at most 65536 bytes"));
    }
    Ok(())
}

/// Imports the secret in an `openssl enc -aes-256-cbc` file as a new entry.
///
/// The format has no MAC: a wrong password or wrong settings usually fail its padding
/// check (exit 4, nothing imported) but about one time in 256 yield garbage that passes.
/// So the decrypted data must also pass the entry kind's own checks, and its size and KCV
/// are shown and the import confirmed on the terminal — or `--yes` given — before it is
/// stored. With [`KdfChoice::TryCommon`], settings whose output fails the kind's checks are
/// passed over.
///
/// # Errors
/// Exit 2 without a terminal and without `--yes`, for a bad or taken name, data that does
/// not fit the kind, or a refused confirmation; exit 3 if a file cannot be read; exit 4 if
/// no setting passes the padding check; exit 5 for a file that is not in the format or is
/// damaged; the vault's own errors.
pub fn import_openssl(ctx: &Context, opts: &OpensslImport) -> Result<ImportReport> {
    check_new_name(&opts.name)?;
    if !opts.yes && !input::interactive() {
        return Err(CliError::usage(
            "an openssl enc import is unauthenticated and must be confirmed, but there is no \
             terminal to ask on",
        )
        .hint("check the size and KCV in a first run on a terminal, or pass --yes"));
    }
    if matches!(opts.legacy_password, PasswordSource::Prompt) && !input::interactive() {
        return Err(CliError::usage(
            "no password for the legacy file and no terminal to ask for it",
        )
        .hint("use --legacy-password-file FILE"));
    }
    let path = opts.file.as_path();
    let data = files::read_bounded(path, MAX_LEGACY_FILE_LEN)?;
    let max = openssl_max_plaintext_len(&data).map_err(|e| legacy_error(e, path))?;
    check_fits(max, path)?;

    // Every prompt (the vault's password, the legacy file's, the confirmation) comes
    // before the vault's lock is taken; the vault is read under it, after them.
    let ctx = &Context {
        password: ctx.password.ask_now(&files::file_name(&ctx.vault))?,
        ..ctx.clone()
    };
    let legacy_password = opts
        .legacy_password
        .read(&format!("legacy file {}", files::file_name(path)))?;

    let kdfs: &[OpensslKdf] = match &opts.kdf {
        KdfChoice::One(kdf) => std::slice::from_ref(kdf),
        KdfChoice::TryCommon => openssl_common_kdfs(),
    };
    let try_common = opts.kdf == KdfChoice::TryCommon;
    let mut out = Zeroizing::new(vec![0u8; max]);
    let mut passed_over = Vec::new();
    let mut found = None;
    let mut declined = false;
    for kdf in kdfs {
        let plain = match openssl_decrypt(&data, legacy_password.as_bytes(), *kdf, &mut out) {
            Ok(plain) => Zeroizing::new(out[..plain.len].to_vec()),
            Err(LegacyError::WrongPasswordOrParameters) => {
                passed_over.push(describe(kdf));
                continue;
            }
            Err(e) => return Err(legacy_error(e, path)),
        };
        let secret = match read_input(&SecretInput::Bytes(plain), opts.kind) {
            Ok((secret, _)) => secret,
            Err(e) if try_common => {
                passed_over.push(format!("{} (decrypted, but: {})", describe(kdf), e.what()));
                continue;
            }
            Err(e) => {
                return Err(CliError::usage(format!(
                    "{} decrypted with {}, but: {}",
                    show(path),
                    describe(kdf),
                    e.what()
                ))
                .hint(
                    "a wrong password or wrong settings can pass openssl's padding check: \
                     check them; if they are right, choose another --kind",
                ))
            }
        };
        if confirm_unauthenticated(ctx, opts, path, kdf, &secret, &passed_over, try_common)? {
            found = Some((secret, *kdf));
            break;
        }
        declined = true;
        passed_over.push(format!("{} (declined)", describe(kdf)));
    }
    let Some((secret, kdf)) = found else {
        if declined {
            return Err(CliError::usage("nothing imported")
                .hint("answer 'y' to import, or check the password and settings"));
        }
        return Err(CliError::new(
            Exit::Authentication,
            format!(
                "wrong password or settings for {}: nothing decrypted correctly with {}",
                show(path),
                passed_over.join("; ")
            ),
        )
        .hint(if try_common {
            "check the password; if it is right, give the settings the file was made with \
             (--iterations, --digest, --bytes-to-key); nothing was imported"
        } else {
            "check the password and the settings the file was made with (-pbkdf2, -iter, -md), \
             or try --try-common; nothing was imported"
        }));
    };

    let (mut vault, _password) = load_vault(ctx)?;
    name_taken(&vault, &opts.name)?;
    let entry = new_entry(&vault, &opts.name, opts.kind, secret);
    let detail = format!("openssl enc, unauthenticated, {}", describe(&kdf));
    vault.record_event(
        AuditOp::ImportLegacy,
        Some(&entry),
        &detail,
        entry.created_at,
    );
    let report = ImportReport {
        vault: show(&ctx.vault),
        format: "openssl",
        file: show(path),
        name: entry.name.clone(),
        id: hex::encode(entry.id),
        version: entry.version,
        kind: entry.kind.name(),
        kcv: entry.check_text(vault.meta.check_key.as_ref()),
        bytes: entry.secret.len(),
        authenticated: false,
        kdf: Some(describe(&kdf)),
        token_time: None,
    };
    vault.entries.push(entry);
    save_vault(ctx, &mut vault)?;
    Ok(report)
}

/// Shows what an `openssl enc` file decrypted to — its size and KCV, never its bytes — with
/// the warning that it is unauthenticated, and asks whether to import it (or takes `--yes`
/// for an answer). With `--try-common`, "no" moves on to the next setting.
fn confirm_unauthenticated(
    ctx: &Context,
    opts: &OpensslImport,
    path: &Path,
    kdf: &OpensslKdf,
    secret: &[u8],
    passed_over: &[String],
    try_common: bool,
) -> Result<bool> {
    // `--quiet --yes`: nothing to confirm, so nothing to show.
    if opts.yes && !ctx.warnings {
        return Ok(true);
    }
    // The unkeyed KCV of a low-entropy secret would let anyone who sees this line test
    // guesses of it offline, so it is shown only for secrets that cannot be guessed.
    if vault_core::is_low_entropy(opts.kind, secret.len()) {
        eprintln!(
            "Decrypted {} with {}: {} bytes (no KCV is shown for a {} of this size).",
            show(path),
            describe(kdf),
            secret.len(),
            opts.kind.name()
        );
    } else {
        eprintln!(
            "Decrypted {} with {}: {} bytes, KCV {}.",
            show(path),
            describe(kdf),
            secret.len(),
            Kcv::of(secret)
        );
    }
    if !passed_over.is_empty() {
        eprintln!("Passed over first: {}.", passed_over.join("; "));
    }
    eprintln!(
        "warning: this data is UNAUTHENTICATED. openssl enc has no MAC: a wrong password or \
         wrong settings can still pass its padding check (about 1 time in 256) and yield \
         garbage, and anyone who could change the file could have changed the data. Compare \
         the size and KCV with the original's before relying on it."
    );
    if opts.yes {
        return Ok(true);
    }
    if try_common {
        eprintln!("If the size or KCV is not what you expect, answer 'n' to try the next setting.");
    }
    input::confirm(&format!(
        "Import it into {} as '{}'?",
        show(&ctx.vault),
        opts.name
    ))
}

/// Imports the secret in a Fernet token as a new entry. The token's HMAC is verified (in
/// constant time, by the core) before anything is decrypted; its timestamp is reported and
/// recorded in the audit event.
///
/// # Errors
/// Exit 2 for a bad or taken name or data that does not fit the kind; exit 3 if a file
/// cannot be read; exit 4 for a wrong key or a tampered token; exit 5 for a malformed key
/// or token; the vault's own errors.
pub fn import_fernet(ctx: &Context, opts: &FernetImport) -> Result<ImportReport> {
    check_new_name(&opts.name)?;
    let path = opts.token_file.as_path();
    let key = files::read_secret_file(&opts.key_file, MAX_KEY_FILE_LEN).map_err(|e| {
        if e.exit() == Exit::Usage {
            CliError::usage(format!("key file {} is too large", show(&opts.key_file)))
                .hint("it holds one Fernet key of 44 characters")
        } else {
            e
        }
    })?;
    let token = files::read_bounded(path, MAX_LEGACY_FILE_LEN)?;
    let max = fernet_max_plaintext_len(&token).map_err(|e| legacy_error(e, path))?;
    check_fits(max, path)?;

    let (mut vault, _password) = load_vault(ctx)?;
    name_taken(&vault, &opts.name)?;
    let mut out = Zeroizing::new(vec![0u8; max]);
    let ok = fernet_decrypt(&key, &token, &mut out).map_err(|e| match e {
        LegacyError::MalformedFernetKey => legacy_error(e, &opts.key_file),
        _ => legacy_error(e, path),
    })?;
    let bytes = Zeroizing::new(out[..ok.len].to_vec());
    let (secret, _) = read_input(&SecretInput::Bytes(bytes), opts.kind)?;

    let entry = new_entry(&vault, &opts.name, opts.kind, secret);
    let detail = format!("fernet, authenticated, token made {}", utc(ok.timestamp));
    vault.record_event(
        AuditOp::ImportLegacy,
        Some(&entry),
        &detail,
        entry.created_at,
    );
    let report = ImportReport {
        vault: show(&ctx.vault),
        format: "fernet",
        file: show(path),
        name: entry.name.clone(),
        id: hex::encode(entry.id),
        version: entry.version,
        kind: entry.kind.name(),
        kcv: entry.check_text(vault.meta.check_key.as_ref()),
        bytes: entry.secret.len(),
        authenticated: true,
        kdf: None,
        token_time: Some(ok.timestamp),
    };
    vault.entries.push(entry);
    save_vault(ctx, &mut vault)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_read_plainly() {
        assert_eq!(
            describe(&OpensslKdf::Pbkdf2 {
                iterations: 10_000,
                digest: Digest::Sha256
            }),
            "PBKDF2-HMAC-SHA256, 10000 iterations"
        );
        assert_eq!(
            describe(&OpensslKdf::BytesToKey {
                digest: Digest::Md5
            }),
            "EVP_BytesToKey-MD5 (no -pbkdf2)"
        );
    }

    #[test]
    fn oversized_files_are_refused_before_decryption() {
        assert!(check_fits(65_536 + 15, Path::new("f")).is_ok());
        assert_eq!(
            check_fits(65_536 + 16, Path::new("f")).unwrap_err().exit(),
            Exit::Usage
        );
    }
}

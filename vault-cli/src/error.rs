//! The command line's one error type, the exit codes it maps to, and the messages users see.
//!
//! Every error prints as one line, `error: <what> — <hint>`. No message ever holds a
//! password, a key or any other secret: only file names, entry names, counts and the core's
//! own error texts (which carry no key material).

use std::fmt;
use std::io;
use std::path::Path;

use vault_core::ErrorKind;

/// The process exit codes, documented in `--help` and `docs/CLI.md`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Exit {
    /// 0: everything asked for was done and every check passed.
    Ok,
    /// 2: bad arguments or a request the tool refuses as given (unknown entry, name taken,
    /// existing file without `--force`, no password available).
    Usage,
    /// 3: a file could not be read or written.
    Io,
    /// 4: wrong password or recovery secret; the file itself is intact.
    Authentication,
    /// 5: the file is corrupted, truncated, malformed or not an airvault file.
    Corrupted,
    /// 6: unsupported format version, or parameters refused (e.g. a hostile KDF cost).
    Unsupported,
    /// 7: a verification found a difference (`--against`, `--expect-fingerprint`).
    Mismatch,
    /// 8: a key is overdue for rotation (`status --check-overdue`).
    Overdue,
    /// 128 + N: stopped by signal N (SIGINT 130, SIGTERM 143, SIGHUP 129) before anything
    /// was written.
    Signal(u8),
}

impl Exit {
    /// The numeric process exit code.
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Usage => 2,
            Exit::Io => 3,
            Exit::Authentication => 4,
            Exit::Corrupted => 5,
            Exit::Unsupported => 6,
            Exit::Mismatch => 7,
            Exit::Overdue => 8,
            Exit::Signal(n) => 128u8.saturating_add(n),
        }
    }

    /// The exit code with numeric value `code`.
    #[must_use]
    pub fn from_code(code: u8) -> Option<Exit> {
        [
            Exit::Ok,
            Exit::Usage,
            Exit::Io,
            Exit::Authentication,
            Exit::Corrupted,
            Exit::Unsupported,
            Exit::Mismatch,
            Exit::Overdue,
            Exit::Signal(1),
            Exit::Signal(2),
            Exit::Signal(15),
        ]
        .into_iter()
        .find(|e| e.code() == code)
    }

    /// A short lower-case name, used as `status` in JSON output.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Exit::Ok => "ok",
            Exit::Usage => "usage",
            Exit::Io => "io",
            Exit::Authentication => "authentication",
            Exit::Corrupted => "corrupted",
            Exit::Unsupported => "unsupported",
            Exit::Mismatch => "mismatch",
            Exit::Overdue => "overdue",
            Exit::Signal(_) => "interrupted",
        }
    }

    /// How bad a result is, for combining the results of many files into one exit code:
    /// ok < mismatch (7) < authentication (4) < unsupported (6) < I/O (3) < corrupted (5)
    /// < usage (2) < interrupted (128 + N). A damaged backup outranks everything a file
    /// can report, because it is the one result that means data may already be lost. An
    /// overdue key (8) ranks with a mismatch: neither says anything is lost. A signal
    /// outranks everything: the run did not finish.
    #[must_use]
    pub const fn severity(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Mismatch => 1,
            Exit::Overdue => 1,
            Exit::Authentication => 2,
            Exit::Unsupported => 3,
            Exit::Io => 4,
            Exit::Corrupted => 5,
            Exit::Usage => 6,
            Exit::Signal(_) => 7,
        }
    }

    /// The worse of two results (see [`Exit::severity`]).
    #[must_use]
    pub fn worst(self, other: Exit) -> Exit {
        if other.severity() > self.severity() {
            other
        } else {
            self
        }
    }
}

/// What a command was doing with a file when the core reported an error; picks the hint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Doing {
    /// Opening the live vault.
    Vault,
    /// Opening a backup to verify it.
    Verify,
    /// Opening a backup to restore from it.
    Restore,
    /// Writing a file.
    Write,
}

/// An error that ends a command: an exit code, what happened, and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CliError {
    exit: Exit,
    what: String,
    hint: Option<String>,
    quiet: bool,
}

impl CliError {
    /// An error with an exit code and a one-line description.
    pub fn new(exit: Exit, what: impl Into<String>) -> Self {
        Self {
            exit,
            what: one_line(&what.into()),
            hint: None,
            quiet: false,
        }
    }

    /// Adds the suggested fix printed after the dash.
    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(one_line(&hint.into()));
        self
    }

    /// A usage error (exit 2).
    pub fn usage(what: impl Into<String>) -> Self {
        Self::new(Exit::Usage, what)
    }

    /// The reader of our output went away (`airvault list | head`): exit quietly.
    #[must_use]
    pub fn broken_pipe() -> Self {
        Self {
            exit: Exit::Ok,
            what: String::new(),
            hint: None,
            quiet: true,
        }
    }

    /// The command was stopped by signal `sig` (SIGINT, SIGTERM, SIGHUP) before it wrote
    /// anything.
    #[must_use]
    pub fn interrupted(sig: i32) -> Self {
        let n = u8::try_from(sig).unwrap_or(2);
        Self::new(
            Exit::Signal(n),
            format!("interrupted by {}; nothing was written", signal_name(sig)),
        )
        .hint("run the command again")
    }

    /// An I/O error on `path` while `action` ("read", "write", …).
    pub fn io(action: &str, path: &Path, err: &io::Error) -> Self {
        if err.kind() == io::ErrorKind::BrokenPipe {
            return Self::broken_pipe();
        }
        let what = format!("cannot {action} {}: {}", show(path), plain_io(err));
        let hint = match err.kind() {
            io::ErrorKind::NotFound => "check the path",
            io::ErrorKind::PermissionDenied => "check the file's permissions and owner",
            io::ErrorKind::AlreadyExists => "pass --force to replace it",
            _ => "check the medium and try again",
        };
        Self::new(Exit::Io, what).hint(hint)
    }

    /// A core error about `path`, with a hint that fits what the command was doing.
    pub fn core(err: vault_core::Error, path: &Path, doing: Doing) -> Self {
        use vault_core::Error as E;
        let file = show(path);
        match err {
            E::WrongSecret => Self::new(
                Exit::Authentication,
                format!("wrong password for {file} (file intact)"),
            )
            .hint(match doing {
                Doing::Vault | Doing::Write => format!(
                    "check the password and try again; if it is lost, 'airvault recover \
                     {file} --recovery-code-file CODE-FILE' opens it with the recovery code"
                ),
                Doing::Verify | Doing::Restore => format!(
                    "check the password and try again (a backup written with \
                     --new-password-file has its own); if it is lost, 'airvault recover \
                     {file} --recovery-code-file CODE-FILE' opens it with the recovery code"
                ),
            }),
            E::NoSuchSlot => Self::new(
                Exit::Authentication,
                format!("{file} has no keyslot that opens with a password"),
            )
            .hint(format!(
                "open it with its recovery code: 'airvault recover {file} \
                 --recovery-code-file CODE-FILE'"
            )),
            E::UnsupportedVersion { .. } => Self::new(Exit::Unsupported, format!("{file}: {err}"))
                .hint("it was written by a newer airvault; read it with that version"),
            E::KdfCostRefused { .. } | E::Argon2CostRefused { .. } => {
                Self::new(Exit::Unsupported, format!("{file}: {err}")).hint(
                    "airvault never writes such a file; it was made or altered by someone \
                     else, so do not trust it",
                )
            }
            E::KdfMemoryUnavailable { needed_kib } => Self::new(
                Exit::Unsupported,
                format!(
                    "{file}: the password keyslot needs {} MiB of memory for Argon2id, and \
                     this system would not give it",
                    needed_kib / 1024
                ),
            )
            .hint(format!(
                "free some memory and try again, or open it with its recovery code: \
                 'airvault recover {file} --recovery-code-file CODE-FILE'"
            )),
            E::NotAVault if doing == Doing::Vault => {
                Self::new(Exit::Corrupted, format!("{file}: {err}")).hint(
                    "check the vault path (--vault, AIRVAULT_VAULT); a backup is opened with \
                     'airvault restore' or 'airvault verify', not as the vault",
                )
            }
            E::RecordForeign { .. } => Self::new(Exit::Corrupted, format!("{file}: {err}")).hint(
                "someone who could write to this file replaced part of it with an older \
                     or other copy; do not trust it: restore from a backup you trust and \
                     reset the recovery code if an old copy may be in other hands",
            ),
            _ => match err.kind() {
                ErrorKind::Corrupted => {
                    let hint = match doing {
                        Doing::Restore => format!(
                            "this backup cannot be restored as it is; try another backup, or \
                             'airvault salvage {file} --out NEW-VAULT' to rescue what is intact"
                        ),
                        Doing::Vault => format!(
                            "run 'airvault verify {file}' to locate the damage, then restore \
                             from a backup"
                        ),
                        Doing::Verify | Doing::Write => {
                            "restore from another copy; 'airvault salvage FILE... --out \
                             NEW-VAULT' rescues what is intact"
                                .to_string()
                        }
                    };
                    Self::new(Exit::Corrupted, format!("{file}: {err}")).hint(hint)
                }
                ErrorKind::Unsupported => Self::new(Exit::Unsupported, format!("{file}: {err}")),
                _ => Self::new(Exit::Usage, format!("{file}: {err}")),
            },
        }
    }

    /// The exit code.
    #[must_use]
    pub fn exit(&self) -> Exit {
        self.exit
    }

    /// Whether this is a wrong password (not a missing keyslot or damage): one that may be
    /// typed again.
    #[must_use]
    pub fn is_wrong_password(&self) -> bool {
        self.exit == Exit::Authentication && self.what.starts_with("wrong password")
    }

    /// Whether nothing should be printed (broken pipe).
    #[must_use]
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// The description without the hint.
    #[must_use]
    pub fn what(&self) -> &str {
        &self.what
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)?;
        if let Some(hint) = &self.hint {
            write!(f, " — {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CliError {}

/// A path as printed in messages: lossy UTF-8 with control characters replaced, so that a
/// hostile file name cannot break the one-line error format.
#[must_use]
pub fn show(path: &Path) -> String {
    one_line(&path.display().to_string())
}

fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// The OS error text without Rust's " (os error N)" suffix.
fn plain_io(err: &io::Error) -> String {
    let s = err.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Shorthand for results of command functions.
pub type Result<T, E = CliError> = std::result::Result<T, E>;

/// The name of a signal for messages (`SIGINT`).
#[must_use]
pub fn signal_name(sig: i32) -> String {
    match sig {
        1 => "SIGHUP".to_owned(),
        2 => "SIGINT".to_owned(),
        15 => "SIGTERM".to_owned(),
        n => format!("signal {n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_follows_severity() {
        assert_eq!(Exit::Ok.worst(Exit::Mismatch), Exit::Mismatch);
        assert_eq!(Exit::Corrupted.worst(Exit::Io), Exit::Corrupted);
        assert_eq!(
            Exit::Mismatch.worst(Exit::Authentication),
            Exit::Authentication
        );
        assert_eq!(Exit::Unsupported.worst(Exit::Mismatch), Exit::Unsupported);
    }

    #[test]
    fn messages_are_one_line() {
        let e = CliError::new(Exit::Io, "bad\nname").hint("a\rb");
        assert_eq!(e.to_string(), "bad?name — a?b");
    }

    #[test]
    fn wrong_secret_maps_to_authentication() {
        let e = CliError::core(
            vault_core::Error::WrongSecret,
            Path::new("b.airvault"),
            Doing::Verify,
        );
        assert_eq!(e.exit().code(), 4);
        assert!(e
            .to_string()
            .starts_with("wrong password for b.airvault (file intact) — "));
    }
}

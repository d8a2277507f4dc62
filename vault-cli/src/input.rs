//! Where passwords come from: the terminal without echo, a file's first line, or the first
//! line of standard input. Never from a command-line argument. Held in memory that is
//! wiped on drop.
//!
//! On the terminal a new password (or a secret for `add`) is asked twice, and again when
//! the two differ; a wrong password gets [`TRIES`] tries ([`with_retries`]). Passwords
//! from files and standard input are read once: a wrong one fails at once.

use std::path::PathBuf;

use zeroize::Zeroizing;

use crate::error::{show, CliError, Exit, Result};
use crate::files::{read_secret, read_secret_file, ReadSecretError, MAX_PASSWORD_FILE_LEN};

/// A source of one password.
#[derive(Clone)]
pub enum PasswordSource {
    /// Ask on the terminal (twice when the password is new).
    Prompt,
    /// The first line of a file.
    File(PathBuf),
    /// The first line of standard input.
    Stdin,
    /// A password the calling program already holds (the drill, tests).
    Given(Zeroizing<String>),
    /// A password already typed on the terminal ([`PasswordSource::ask_now`]): used as
    /// given, and asked again on the terminal if it is wrong.
    Typed(Zeroizing<String>),
}

impl std::fmt::Debug for PasswordSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PasswordSource::Prompt => f.write_str("Prompt"),
            PasswordSource::File(p) => f.debug_tuple("File").field(p).finish(),
            PasswordSource::Stdin => f.write_str("Stdin"),
            PasswordSource::Given(_) => f.write_str("Given(..)"),
            PasswordSource::Typed(_) => f.write_str("Typed(..)"),
        }
    }
}

impl PasswordSource {
    /// Reads an existing password; `what` names the file it opens, for the prompt.
    ///
    /// # Errors
    /// Exit 2 if no password is available, it is empty or not UTF-8; exit 3 if a password
    /// file cannot be read.
    pub fn read(&self, what: &str) -> Result<Zeroizing<String>> {
        let pw = match self {
            PasswordSource::Prompt => prompt(&format!("Password for {what}: "))?,
            _ => self.read_non_interactive()?,
        };
        check_nonempty(pw)
    }

    /// Reads a new password; on the terminal it is asked twice, and asked again (up to
    /// [`TRIES`] times) while the two entries differ.
    ///
    /// # Errors
    /// As [`PasswordSource::read`], and exit 2 if the two entries differ every time.
    pub fn read_new(&self, what: &str) -> Result<Zeroizing<String>> {
        let pw = match self {
            PasswordSource::Prompt => {
                let p = format!("New password for {what}: ");
                twice(&p, "Repeat the password: ", "passwords", |pw| {
                    check_nonempty(pw)
                })?
            }
            _ => self.read_non_interactive()?,
        };
        check_nonempty(pw)
    }

    /// Whether the password is typed on the terminal, where a wrong one may be typed again.
    #[must_use]
    pub fn is_terminal(&self) -> bool {
        matches!(self, PasswordSource::Prompt | PasswordSource::Typed(_))
    }

    /// Asks for a terminal password now (`Typed`), so that it comes before other prompts
    /// and before the vault's lock is taken; any other source is returned as it is.
    ///
    /// # Errors
    /// As [`PasswordSource::read`].
    pub fn ask_now(&self, what: &str) -> Result<PasswordSource> {
        match self {
            PasswordSource::Prompt => Ok(PasswordSource::Typed(self.read(what)?)),
            other => Ok(other.clone()),
        }
    }

    fn read_non_interactive(&self) -> Result<Zeroizing<String>> {
        let limit = usize::try_from(MAX_PASSWORD_FILE_LEN).unwrap_or(usize::MAX);
        match self {
            PasswordSource::File(path) => {
                let bytes = read_secret_file(path, limit).map_err(|e| {
                    if e.exit() == crate::error::Exit::Usage {
                        CliError::usage(format!("password file {} is too large", show(path)))
                            .hint("the password is the file's first line")
                    } else {
                        e
                    }
                })?;
                first_line(bytes, &show(path))
            }
            PasswordSource::Stdin => {
                let mut stdin = std::io::stdin().lock();
                let bytes = read_secret(&mut stdin, limit).map_err(|e| match e {
                    ReadSecretError::Io(e) => {
                        CliError::io("read", std::path::Path::new("standard input"), &e)
                    }
                    ReadSecretError::TooLong => CliError::usage("standard input is too large")
                        .hint("give the password as the first line"),
                })?;
                first_line(bytes, "standard input")
            }
            PasswordSource::Given(pw) | PasswordSource::Typed(pw) => Ok(pw.clone()),
            PasswordSource::Prompt => prompt("Password: "),
        }
    }
}

/// The first line of `bytes` without its `\n` or `\r\n`, as UTF-8.
fn first_line(bytes: Zeroizing<Vec<u8>>, from: &str) -> Result<Zeroizing<String>> {
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    let mut line = &bytes[..end];
    if let Some(stripped) = line.strip_suffix(b"\r") {
        line = stripped;
    }
    match std::str::from_utf8(line) {
        Ok(s) => Ok(Zeroizing::new(s.to_owned())),
        Err(_) => Err(
            CliError::usage(format!("the password in {from} is not UTF-8"))
                .hint("store the password as UTF-8 text"),
        ),
    }
}

fn check_nonempty(pw: Zeroizing<String>) -> Result<Zeroizing<String>> {
    if pw.is_empty() {
        return Err(CliError::usage("the password is empty")
            .hint("an empty password protects nothing; give a real one"));
    }
    Ok(pw)
}

pub use crate::terminal::interactive;

fn no_terminal() -> CliError {
    CliError::usage("no password given and no terminal to ask for one")
        .hint("use --password-file FILE or --password-stdin")
}

/// How often a password typed on the terminal may be wrong, or a new one mistyped, before
/// the command gives up (as sudo and cryptsetup do).
pub const TRIES: u32 = 3;

/// Asks on the terminal without echo.
fn prompt(text: &str) -> Result<Zeroizing<String>> {
    let mut tty = crate::terminal::Terminal::open().ok_or_else(no_terminal)?;
    tty.read_line(text, false)
}

/// Asks for something new twice without echo, again while the two entries differ (up to
/// [`TRIES`] times); `check` vets the first entry of each round.
fn twice(
    first: &str,
    again: &str,
    what: &str,
    check: impl Fn(Zeroizing<String>) -> Result<Zeroizing<String>>,
) -> Result<Zeroizing<String>> {
    for round in 1..=TRIES {
        let one = check(prompt(first)?)?;
        let two = prompt(again)?;
        if *one == *two {
            return Ok(one);
        }
        if round < TRIES {
            eprintln!("The two {what} differ; type them again.");
        }
    }
    Err(
        CliError::usage(format!("the two {what} differed {TRIES} times")).hint(format!(
            "run the command again and type the same {what} twice"
        )),
    )
}

/// A secret typed on the terminal for `add` (`what` names the entry): asked twice without
/// echo, and again while the two differ.
///
/// # Errors
/// Exit 2 without a terminal or if the two entries differ every time; the interruption
/// error on a signal.
pub fn read_secret_twice(what: &str) -> Result<Zeroizing<Vec<u8>>> {
    let s = twice(
        &format!("Secret for {what}: "),
        "Repeat the secret: ",
        "secrets",
        Ok,
    )?;
    Ok(Zeroizing::new(s.as_bytes().to_vec()))
}

/// Runs `attempt` with the password from `source` (passed as [`PasswordSource::Given`]).
/// When the password is wrong and was typed on the terminal, the vault's lock is let go
/// and the password is asked again, up to [`TRIES`] tries in all; each try costs one key
/// derivation. A password from a file or standard input fails at once.
///
/// # Errors
/// Those of [`PasswordSource::read`] and of `attempt`.
pub fn with_retries<T>(
    source: &PasswordSource,
    what: &str,
    mut attempt: impl FnMut(&PasswordSource) -> Result<T>,
) -> Result<T> {
    let tries = if source.is_terminal() { TRIES } else { 1 };
    let mut pw = source.read(what)?;
    let mut tried = 1;
    loop {
        match attempt(&PasswordSource::Given(pw)) {
            Err(e) if e.is_wrong_password() && tried < tries => {
                crate::lock::leave();
                eprintln!("Wrong password for {what}; try again.");
                pw = check_nonempty(prompt(&format!("Password for {what}: "))?)?;
                tried += 1;
            }
            other => return other,
        }
    }
}

/// Asks a yes/no question on the terminal; `false` unless the answer starts with `y`.
///
/// # Errors
/// Exit 2 if there is no terminal to ask on; the interruption error on a signal.
pub fn confirm(question: &str) -> Result<bool> {
    let Some(mut tty) = crate::terminal::Terminal::open().filter(|_| interactive()) else {
        return Err(
            CliError::usage("cannot ask for confirmation without a terminal")
                .hint("pass --yes to confirm"),
        );
    };
    let answer = tty.read_line(&format!("{question} [y/N] "), true);
    match answer {
        Ok(a) => Ok(a.trim_start().starts_with(['y', 'Y'])),
        Err(e) if e.exit().code() >= 128 => Err(e),
        Err(e) if e.exit() == Exit::Io => Err(e),
        Err(_) => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_line_strips_line_endings() {
        let f = |b: &[u8]| first_line(Zeroizing::new(b.to_vec()), "t").unwrap();
        assert_eq!(f(b"pw").as_str(), "pw");
        assert_eq!(f(b"pw\n").as_str(), "pw");
        assert_eq!(f(b"pw\r\nsecond").as_str(), "pw");
        assert!(first_line(Zeroizing::new(vec![0xff]), "t").is_err());
    }

    #[test]
    fn debug_hides_given_passwords() {
        let s = format!(
            "{:?}",
            PasswordSource::Given(Zeroizing::new("hunter2".into()))
        );
        assert!(!s.contains("hunter2"));
    }
}

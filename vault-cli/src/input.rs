//! Where passwords come from: the terminal without echo, a file's first line, or the first
//! line of standard input. Never from a command-line argument. Held in memory that is
//! wiped on drop.

use std::io::IsTerminal;
use std::path::PathBuf;

use zeroize::{Zeroize, Zeroizing};

use crate::error::{show, CliError, Result};
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
}

impl std::fmt::Debug for PasswordSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PasswordSource::Prompt => f.write_str("Prompt"),
            PasswordSource::File(p) => f.debug_tuple("File").field(p).finish(),
            PasswordSource::Stdin => f.write_str("Stdin"),
            PasswordSource::Given(_) => f.write_str("Given(..)"),
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

    /// Reads a new password; on the terminal it is asked twice and must match.
    ///
    /// # Errors
    /// As [`PasswordSource::read`], and exit 2 if the two entries differ.
    pub fn read_new(&self, what: &str) -> Result<Zeroizing<String>> {
        let pw = match self {
            PasswordSource::Prompt => {
                let first = prompt(&format!("New password for {what}: "))?;
                let first = check_nonempty(first)?;
                let again = prompt("Repeat the password: ")?;
                if *again != *first {
                    return Err(CliError::usage("the two passwords differ")
                        .hint("run the command again and type the same password twice"));
                }
                first
            }
            _ => self.read_non_interactive()?,
        };
        check_nonempty(pw)
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
            PasswordSource::Given(pw) => Ok(pw.clone()),
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

/// Whether a person could answer a prompt.
#[must_use]
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() || std::io::stderr().is_terminal()
}

fn no_terminal() -> CliError {
    CliError::usage("no password given and no terminal to ask for one")
        .hint("use --password-file FILE or --password-stdin")
}

fn prompt(text: &str) -> Result<Zeroizing<String>> {
    if !interactive() {
        return Err(no_terminal());
    }
    match rpassword::prompt_password(text) {
        Ok(pw) => Ok(Zeroizing::new(pw)),
        Err(_) => Err(no_terminal()),
    }
}

/// Asks a yes/no question on the terminal; `false` unless the answer starts with `y`.
///
/// # Errors
/// Exit 2 if there is no terminal to ask on.
pub fn confirm(question: &str) -> Result<bool> {
    if !interactive() {
        return Err(
            CliError::usage("cannot ask for confirmation without a terminal")
                .hint("pass --yes to confirm"),
        );
    }
    eprint!("{question} [y/N] ");
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return Ok(false);
    }
    let yes = answer.trim_start().starts_with(['y', 'Y']);
    answer.zeroize();
    Ok(yes)
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

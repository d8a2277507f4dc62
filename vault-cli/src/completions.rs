//! Shell completion scripts (bash, zsh, fish), generated from the command-line definition
//! in [`crate::cli`] so that they never drift from it.

use std::io::{self, Write};

use clap::CommandFactory;
use clap_complete::Shell as Generator;

use crate::cli::{Cli, Shell};
use crate::error::{CliError, Result};

/// The name the scripts complete: the binary's.
pub const BIN: &str = "airvault";

/// Writes the completion script for `shell` to standard output.
///
/// # Errors
/// A quiet error on a broken pipe, exit 3 on other write errors.
pub fn print(shell: Shell) -> Result<()> {
    let mut script = Vec::new();
    write(shell, &mut script);
    let stdout = io::stdout();
    let mut out = stdout.lock();
    out.write_all(&script)
        .and_then(|()| out.flush())
        .map_err(|e| CliError::io("write", std::path::Path::new("standard output"), &e))
}

/// Writes the completion script for `shell` into `out`.
pub fn write(shell: Shell, out: &mut Vec<u8>) {
    let generator = match shell {
        Shell::Bash => Generator::Bash,
        Shell::Zsh => Generator::Zsh,
        Shell::Fish => Generator::Fish,
    };
    clap_complete::generate(generator, &mut Cli::command(), BIN, out);
}

//! # vault-cli
//!
//! The `airvault` command line: argument parsing, prompting, files, the clock, OS
//! randomness, output and exit codes. All cryptography and the file format live in
//! `vault-core`.
//!
//! Every command is a library function in [`commands`] that returns a report; the binary
//! prints the reports ([`output`]), and [`drill`] and the tests call the same functions.

#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod arguments;
pub mod backups;
pub mod cli;
pub mod commands;
pub mod completions;
pub mod damage;
mod dispatch;
pub mod drill;
pub mod error;
pub mod failures;
pub mod files;
pub mod generations;
pub mod input;
pub mod keyring;
pub mod manual;
pub mod material;
pub mod model;
pub mod new_entry;
pub mod output;
pub mod page;
pub mod password_kdf;
pub mod passwords;
pub mod progress;
pub mod rekey;
pub mod sealing;
pub mod suggestion;

pub mod calibrate;
pub mod clock;
pub mod failpoint;
pub mod lock;
pub mod signals;
pub mod terminal;

use std::time::Duration;

use cli::{Cli, Command};

use error::Exit;
pub use output::report_error;
use output::Printer;

/// Runs a parsed command line, prints its results and errors, and returns the exit code.
#[must_use]
pub fn run(cli: &Cli) -> Exit {
    let printer = Printer::new(cli.json).quiet(cli.quiet).verbose(cli.verbose);
    // Taken where the command reads or writes the vault, after its prompts; held until the
    // command is done: one change to a vault at a time.
    if let Some(target) = lock::target(cli, dispatch::vault_path(cli).ok()) {
        lock::arm(
            &target,
            Duration::from_secs(cli.wait),
            &command_name(cli),
            cli.quiet,
        );
    }
    if !matches!(cli.command, Command::Drill) {
        // The drill's wrong passwords are part of its rehearsal, not attempts to record.
        failures::enable(generations::state_dir());
    }
    let result = dispatch::dispatch(cli, &printer);
    lock::disarm();
    match result {
        Ok(exit) => exit,
        Err(e) if e.is_quiet() => Exit::Ok,
        Err(e) => {
            report_error(&printer, &e);
            e.exit()
        }
    }
}

/// The command's name as typed (`rotate-master`), for the lock file.
fn command_name(cli: &Cli) -> String {
    let debug = format!("{:?}", cli.command);
    let variant = debug.split(['(', ' ', '{']).next().unwrap_or("");
    let mut name = String::new();
    for (i, c) in variant.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            name.push('-');
        }
        name.push(c.to_ascii_lowercase());
    }
    name
}

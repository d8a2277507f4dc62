//! Errors in the command line itself (an unknown flag, a missing argument, a bad value),
//! reported as clap reports them and, when `--json` was asked for, also as the same
//! `error` object every other failure prints on standard output.

use std::ffi::OsString;

use clap::error::ErrorKind;

use crate::error::{CliError, Exit};
use crate::output::{self, Printer};

/// Whether `--json` appears among the options of `args` (before any `--`), so that an
/// error found while parsing them is still reported as JSON.
#[must_use]
pub fn asks_for_json(args: &[OsString]) -> bool {
    args.iter()
        .skip(1)
        .take_while(|a| a.as_os_str() != "--")
        .any(|a| a.as_os_str() == "--json")
}

/// Prints a parse error and returns the exit code: help and version as clap prints them
/// (exit 0); a usage error as clap prints it on standard error and, with `json`, as an
/// `error` object on standard output (exit 2).
pub fn report(err: &clap::Error, json: bool) -> Exit {
    let _ = err.print();
    let code = u8::try_from(err.exit_code()).unwrap_or(2);
    if code == 0 || !json {
        return Exit::from_code(code).unwrap_or(Exit::Usage);
    }
    let e = usage_error(err);
    let _ = Printer::new(true).emit(&output::error_message(&e));
    e.exit()
}

/// The parse error as one usage error line: clap's first paragraph (which names what is
/// missing on the lines after the first) without its `error: `, and where to read how the
/// command is used.
fn usage_error(err: &clap::Error) -> CliError {
    let what = match err.kind() {
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            "a command is required".to_string()
        }
        _ => {
            let rendered = err.render().to_string();
            let paragraph: Vec<&str> = rendered
                .lines()
                .map(str::trim)
                .take_while(|l| !l.is_empty())
                .collect();
            let what = paragraph.join(" ");
            match what.strip_prefix("error: ") {
                Some(w) => w.to_string(),
                None if what.is_empty() => "bad arguments".to_string(),
                None => what,
            }
        }
    };
    CliError::new(Exit::Usage, what).hint("run 'airvault --help' or 'airvault COMMAND --help'")
}

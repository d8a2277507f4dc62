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

pub mod cli;
pub mod commands;
pub mod drill;
pub mod error;
pub mod files;
pub mod input;
pub mod model;
pub mod output;
pub mod progress;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use cli::{Cli, Command, RecoveryCommand, SecretFormat, SharesCommand};
use commands::backup::BackupOptions;
use commands::entries::SecretInput;
use commands::init::InitOptions;
use commands::recovery::RecoveryMaterial;
use commands::verify::VerifyOptions;
use commands::Context;
use error::{CliError, Exit, Result};
use input::PasswordSource;
use output::{Message, Printer};
use progress::Progress;

/// Runs a parsed command line, prints its results and errors, and returns the exit code.
#[must_use]
pub fn run(cli: &Cli) -> Exit {
    let printer = Printer::new(cli.json);
    match dispatch(cli, &printer) {
        Ok(exit) => exit,
        Err(e) if e.is_quiet() => Exit::Ok,
        Err(e) => {
            report_error(&printer, &e);
            e.exit()
        }
    }
}

/// Prints an error: one line on standard error, and in JSON mode also an `error` object
/// on standard output.
pub fn report_error(printer: &Printer, e: &CliError) {
    if e.is_quiet() {
        return;
    }
    eprintln!("error: {e}");
    if printer.is_json() {
        let _ = printer.emit(&output::error_message(e));
    }
}

fn vault_path(cli: &Cli) -> Result<PathBuf> {
    match &cli.vault {
        Some(p) => Ok(p.clone()),
        None => files::default_vault_path(),
    }
}

fn password_source(cli: &Cli) -> PasswordSource {
    match (&cli.password_file, cli.password_stdin) {
        (Some(f), _) => PasswordSource::File(f.clone()),
        (None, true) => PasswordSource::Stdin,
        (None, false) => PasswordSource::Prompt,
    }
}

fn context(cli: &Cli) -> Result<Context> {
    Ok(Context {
        vault: vault_path(cli)?,
        password: password_source(cli),
        progress: Progress::auto(),
        warnings: true,
    })
}

/// A context whose vault path is not needed (salvage writes only its `--out`).
fn context_without_vault(cli: &Cli) -> Context {
    Context {
        vault: PathBuf::new(),
        password: password_source(cli),
        progress: Progress::auto(),
        warnings: true,
    }
}

/// The new password of a vault that is opened without its password (`recover`):
/// `--new-password-file`, else the global password options, else the terminal.
fn new_password_source(cli: &Cli, file: Option<&PathBuf>) -> PasswordSource {
    match file {
        Some(f) => PasswordSource::File(f.clone()),
        None => password_source(cli),
    }
}

fn dispatch(cli: &Cli, printer: &Printer) -> Result<Exit> {
    match &cli.command {
        Command::Init(a) => {
            let opts = InitOptions {
                iterations: a.iterations,
                target_time: a.target_time.map(Duration::from_millis),
                force: a.force,
            };
            let report = commands::init::init(&context(cli)?, &opts)?;
            printer.emit(&Message::Init(report))?;
        }
        Command::Generate(a) => {
            let bytes = usize::try_from(a.bytes).unwrap_or(usize::MAX);
            let r = commands::entries::generate(&context(cli)?, &a.name, bytes, a.kind)?;
            printer.emit(&Message::Added(r))?;
        }
        Command::Add(a) => {
            if a.stdin && cli.password_stdin {
                return Err(CliError::usage(
                    "standard input cannot carry both the password and the secret",
                )
                .hint("give the password with --password-file, or on the terminal"));
            }
            let input = match &a.from_file {
                Some(f) => SecretInput::File(f.clone()),
                None => SecretInput::Stdin,
            };
            let r = commands::entries::add(&context(cli)?, &a.name, a.kind, &input)?;
            printer.emit(&Message::Added(r))?;
        }
        Command::List => {
            for r in commands::entries::list(&context(cli)?)? {
                printer.emit(&Message::Entry(r))?;
            }
        }
        Command::Get(a) => {
            let format = match (a.format, printer.is_json(), &a.out) {
                (Some(SecretFormat::Raw), true, None) => {
                    return Err(CliError::usage("raw bytes cannot go into JSON output")
                        .hint("use --format hex or --format base64"))
                }
                (Some(f), _, _) => f,
                (None, true, None) => SecretFormat::Hex,
                (None, _, _) => SecretFormat::Raw,
            };
            if format == SecretFormat::Raw && a.out.is_none() && std::io::stdout().is_terminal() {
                return Err(
                    CliError::usage("refusing to write raw secret bytes to a terminal").hint(
                        "use --format hex or --format base64, --out FILE, or redirect the output",
                    ),
                );
            }
            let got = commands::entries::get(
                &context(cli)?,
                &a.name,
                a.version,
                format,
                a.out.as_deref(),
                a.force,
            )?;
            match got.raw {
                Some(raw) => printer.raw(&raw)?,
                None => printer.emit(&Message::Secret(got.report))?,
            }
        }
        Command::Remove(a) => {
            let r = commands::entries::remove(&context(cli)?, &a.name, a.yes)?;
            printer.emit(&Message::Removed(r))?;
        }
        Command::Backup(a) => {
            let opts = BackupOptions {
                out: a.out.clone(),
                armor: a.armor,
                new_password: a.new_password_file.clone().map(PasswordSource::File),
                entries: a.entries.clone(),
                force: a.force,
            };
            let r = commands::backup::backup(&context(cli)?, &opts)?;
            printer.emit(&Message::Backup(r))?;
        }
        Command::Restore(a) => {
            let ctx = context(cli)?;
            let out = a.out.clone().unwrap_or_else(|| ctx.vault.clone());
            let r = commands::restore::restore(&ctx, &a.backup, &out, a.force)?;
            printer.emit(&Message::Restore(r))?;
        }
        Command::Verify(a) => {
            let ctx = Context {
                vault: cli.vault.clone().unwrap_or_default(),
                password: password_source(cli),
                progress: Progress::auto(),
                warnings: true,
            };
            let opts = VerifyOptions {
                files: a.files.clone(),
                keyed: cli.password_file.is_some() || cli.password_stdin,
                against: a.against.clone(),
                against_password: a.against_password_file.clone().map(PasswordSource::File),
                expect_fingerprint: a.expect_fingerprint.clone(),
            };
            let run = commands::verify::verify(&ctx, &opts)?;
            for r in run.reports {
                if r.exit_code != 0 && !printer.is_json() {
                    if let Some(m) = &r.message {
                        eprintln!("error: {m}");
                    }
                }
                printer.emit(&Message::Verify(r))?;
            }
            printer.emit(&Message::Summary(run.summary))?;
            return Ok(run.exit);
        }
        Command::Fingerprint(a) => {
            let mut exit = Exit::Ok;
            for f in &a.files {
                match commands::fingerprint::fingerprint(f) {
                    Ok(r) => printer.emit(&Message::Fingerprint(r))?,
                    Err(e) => {
                        report_error(printer, &e);
                        exit = exit.worst(e.exit());
                    }
                }
            }
            return Ok(exit);
        }
        Command::Drill => return Ok(drill::run(printer)),
        Command::Recovery(sub) => {
            let ctx = context(cli)?;
            match sub {
                RecoveryCommand::Show => {
                    let r = commands::recovery::show_code(&ctx)?;
                    printer.emit(&Message::RecoveryShow(r))?;
                }
                RecoveryCommand::Reset => {
                    let r = commands::recovery::reset(&ctx)?;
                    if printer.is_json() {
                        // The text output says this itself.
                        eprintln!("warning: {}", commands::recovery::RESET_WARNING);
                    }
                    printer.emit(&Message::RecoveryReset(r))?;
                }
            }
        }
        Command::Shares(SharesCommand::Split(a)) => {
            let opts = commands::shares::SplitOptions {
                threshold: a.threshold,
                count: a.count,
                out_dir: a.out_dir.clone(),
                force: a.force,
            };
            let r = commands::shares::split(&context(cli)?, &opts)?;
            printer.emit(&Message::Shares(r))?;
        }
        Command::Recover(a) => {
            let ctx = context(cli)?;
            let material = RecoveryMaterial::from_args(
                a.material.recovery_code_file.as_deref(),
                &a.material.share_files,
            )
            .ok_or_else(|| CliError::usage("recover needs --recovery-code-file or --share-file"))?;
            let opts = commands::recover::RecoverOptions {
                file: a.file.clone(),
                material,
                out: a.out.clone().unwrap_or_else(|| ctx.vault.clone()),
                new_password: new_password_source(cli, a.new_password_file.as_ref()),
                force: a.force,
            };
            let r = commands::recover::recover(&ctx, &opts)?;
            printer.emit(&Message::Recover(r))?;
        }
        Command::Salvage(a) => {
            let ctx = context_without_vault(cli);
            let material = RecoveryMaterial::from_args(
                a.material.recovery_code_file.as_deref(),
                &a.material.share_files,
            );
            let new_password = match (&a.new_password_file, &material) {
                (Some(f), _) => Some(PasswordSource::File(f.clone())),
                (None, Some(_)) => Some(password_source(cli)),
                (None, None) => None,
            };
            let opts = commands::salvage::SalvageOptions {
                files: a.files.clone(),
                out: a.out.clone(),
                material,
                new_password,
                force: a.force,
            };
            let run = commands::salvage::salvage(&ctx, &opts)?;
            if let Some(short) = run.report.shortfall() {
                eprintln!(
                    "warning: salvage incomplete: {short}; the vault was written with \
                     everything recovered (exit {})",
                    run.exit.code()
                );
            }
            printer.emit(&Message::Salvage(run.report))?;
            return Ok(run.exit);
        }
        Command::Kit(a) => {
            let opts = commands::kit::KitOptions {
                out: a.out.clone(),
                include_recovery_code: a.include_recovery_code,
                include_shares: a.include_shares.clone(),
                force: a.force,
            };
            let r = commands::kit::kit(&context(cli)?, &opts)?;
            printer.emit(&Message::Kit(r))?;
        }
    }
    Ok(Exit::Ok)
}

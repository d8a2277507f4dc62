//! From parsed arguments to the command that runs: each subcommand's options turned into
//! the command's own, and its report printed.

use std::path::PathBuf;
use std::time::Duration;

use crate::cli::{Cli, Command, KeyringCommand, RecoveryCommand, SecretFormat, SharesCommand};
use crate::cli::{ImportLegacyArgs, LegacyDigest, LegacyFormat};
use crate::commands::backup::BackupOptions;
use crate::commands::entries::SecretInput;
use crate::commands::import::{FernetImport, KdfChoice, OpensslImport, OPENSSL_DEFAULT_ITERATIONS};
use crate::commands::init::InitOptions;
use crate::commands::passwd::PasswdOptions;
use crate::commands::policy::PolicyChange;
use crate::commands::status::StatusOptions;
use crate::commands::verify::VerifyOptions;
use crate::commands::Context;
use crate::error::{CliError, Exit, Result};
use crate::generations::Seen;
use crate::input::PasswordSource;
use crate::material::RecoveryMaterial;
use crate::output::report_error;
use crate::output::{Message, Printer};
use crate::progress::Progress;
use crate::{
    cli, commands, completions, drill, error, files, keyring, manual, output, page, password_kdf,
    passwords,
};
use std::io::IsTerminal;
use vault_core::legacy::{Digest, OpensslKdf};

pub(crate) fn dispatch(cli: &Cli, printer: &Printer) -> Result<Exit> {
    match &cli.command {
        Command::Init(a) => {
            let opts = InitOptions {
                kdf: kdf_options(a.iterations, a.target_time, &a.kdf),
                force: a.force,
            };
            let report = commands::init::init(&context(cli)?, &opts)?;
            printer.emit(&Message::Init(report))?;
        }
        Command::Generate(a) => {
            let what = if a.kind == vault_core::EntryKind::Password {
                if a.bytes.is_some() {
                    return Err(
                        CliError::usage("a password is sized with --length or --words")
                            .hint("leave out --bytes"),
                    );
                }
                commands::entries::Generated::Password(match a.words {
                    Some(count) => passwords::Shape::Words { count },
                    None => passwords::Shape::Characters {
                        length: a.length.unwrap_or(passwords::DEFAULT_LENGTH),
                        symbols: !a.no_symbols,
                    },
                })
            } else if a.length.is_some() || a.words.is_some() || a.no_symbols {
                return Err(
                    CliError::usage("--length, --words and --no-symbols shape a password")
                        .hint("add --kind password, or give --bytes for a key"),
                );
            } else {
                let bytes = a.bytes.unwrap_or(32);
                commands::entries::Generated::Bytes(usize::try_from(bytes).unwrap_or(usize::MAX))
            };
            let r = commands::entries::generate(&context(cli)?, &a.name, what, a.kind)?;
            printer.emit(&Message::Added(r))?;
        }
        Command::Add(a) if a.new_version => {
            if a.stdin && cli.password_stdin {
                return Err(CliError::usage(
                    "standard input cannot carry both the password and the secret",
                )
                .hint("give the password with --password-file, or on the terminal"));
            }
            let input = secret_input(a)?;
            let r = commands::rotate::add_version(&context(cli)?, &a.name, &input)?;
            printer.emit(&Message::Rotated(r))?;
        }
        Command::Add(a) => {
            if a.stdin && cli.password_stdin {
                return Err(CliError::usage(
                    "standard input cannot carry both the password and the secret",
                )
                .hint("give the password with --password-file, or on the terminal"));
            }
            let input = secret_input(a)?;
            let r = commands::entries::add(&context(cli)?, &a.name, a.kind, &input)?;
            printer.emit(&Message::Added(r))?;
        }
        Command::List => {
            let mut out = printer.emitter();
            commands::entries::list_each(&context(cli)?, |r| out.emit(&Message::Entry(r)))?;
            out.finish()?;
        }
        Command::Get(a) if a.to_keyring.is_some() => {
            let target = a.to_keyring.as_ref().and_then(Option::as_deref);
            let r =
                commands::keyring::to_keyring(&context(cli)?, &a.name, a.version, target, a.yes)?;
            printer.emit(&Message::KeyringItem(r))?;
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
            let r = commands::restore::restore(&ctx, &a.backup, &out, a.force, a.discard_newer)?;
            printer.emit(&Message::Restore(r))?;
        }
        Command::Verify(a) => {
            let ctx = Context {
                vault: cli.vault.clone().unwrap_or_default(),
                password: password_source(cli),
                progress: progress(cli),
                warnings: !cli.quiet,
                seen: Seen::from_env(cli.json).quiet(cli.quiet),
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
        Command::Passwd(a) => {
            let opts = PasswdOptions {
                new_password: a
                    .new_password_file
                    .clone()
                    .map_or(PasswordSource::Prompt, PasswordSource::File),
                kdf: kdf_options(a.iterations, a.target_time, &a.kdf),
            };
            let r = commands::passwd::passwd(&context(cli)?, &opts)?;
            printer.emit(&Message::Passwd(r))?;
        }
        Command::RotateMaster => {
            let r = commands::rotate::rotate_master(&context(cli)?)?;
            printer.emit(&Message::RotateMaster(r))?;
        }
        Command::Rotate(a) => {
            let bytes = a.bytes.map(|n| usize::try_from(n).unwrap_or(usize::MAX));
            let r = commands::rotate::rotate(&context(cli)?, &a.name, bytes)?;
            printer.emit(&Message::Rotated(r))?;
        }
        Command::Policy(a) => {
            let change = match (&a.name, a.default_days, a.days, a.inherit) {
                (None, Some(d), _, _) => PolicyChange::Default(d),
                (Some(name), None, days, inherit) if days.is_some() || inherit => {
                    PolicyChange::Entry {
                        name: name.clone(),
                        days,
                    }
                }
                (Some(_), _, _, _) => {
                    return Err(CliError::usage("say what NAME's policy becomes")
                        .hint("add --days N, or --inherit to follow the vault's default"))
                }
                (None, None, _, _) => PolicyChange::Show,
            };
            let r = commands::policy::policy(&context(cli)?, &change)?;
            printer.emit(&Message::Policy(r))?;
        }
        Command::Status(a) => {
            let opts = StatusOptions {
                policy_days: a.policy_days,
                check_overdue: a.check_overdue,
            };
            let run = commands::status::status(&context(cli)?, &opts)?;
            printer.emit_all(run.keys.into_iter().map(Message::KeyStatus))?;
            let overdue = run.summary.overdue;
            printer.emit(&Message::Status(run.summary))?;
            if run.exit == Exit::Overdue {
                eprintln!(
                    "overdue: {overdue} key(s) past their rotation policy — rotate them with \
                     'airvault rotate NAME' (or 'add NAME --new-version')"
                );
            }
            return Ok(run.exit);
        }
        Command::Audit(a) if a.verify => {
            let r = commands::audit::verify(&context(cli)?)?;
            if let (false, Some(m)) = (r.ok, &r.message) {
                eprintln!(
                    "error: {} audit trail: {m} — restore the vault from a backup whose trail \
                     verifies",
                    r.vault
                );
            }
            let exit = if r.ok { Exit::Ok } else { Exit::Corrupted };
            printer.emit(&Message::AuditVerify(r))?;
            return Ok(exit);
        }
        Command::Audit(a) if a.failures => {
            let since = a.since.map(|d| commands::now().saturating_sub(d));
            let (events, summary) = commands::audit::failures(since)?;
            printer.emit_all(events.into_iter().map(Message::FailedUnlock))?;
            printer.emit(&Message::Failures(summary))?;
        }
        Command::Audit(a) => {
            let filter = commands::audit::AuditFilter {
                since: a.since.map(|d| commands::now().saturating_sub(d)),
                op: a.op,
            };
            let events = commands::audit::list_matching(&context(cli)?, &filter)?;
            printer.emit_all(events.into_iter().map(Message::AuditEvent))?;
        }
        Command::Keyring(KeyringCommand::Restore(a)) => {
            let ctx = context(cli)?;
            let material = RecoveryMaterial::from_args(
                a.material.recovery_code_file.as_deref(),
                &a.material.share_files,
            );
            let r = commands::keyring::restore(
                &ctx,
                a.file.as_deref(),
                material.as_ref(),
                a.yes,
                |item| printer.emit(&Message::KeyringItem(item)),
            )?;
            printer.emit(&Message::KeyringRestore(r))?;
        }
        Command::Benchmark => {
            let r = commands::benchmark::benchmark(commands::benchmark::WINDOW);
            printer.emit(&Message::Benchmark(r))?;
        }
        Command::ImportLegacy(a) => {
            let r = import_legacy(cli, a)?;
            printer.emit(&Message::Imported(r))?;
        }
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
                discard_newer: a.discard_newer,
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
                discard_newer: a.discard_newer,
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
                page: page::EMBEDDED,
            };
            let r = commands::kit::kit(&context(cli)?, &opts)?;
            printer.emit(&Message::Kit(r))?;
        }
        Command::Completions(a) => completions::print(a.shell)?,
        Command::Man(a) => {
            let pages = manual::write_all(&a.out_dir, a.force)?;
            printer.emit(&Message::Man(output::ManReport {
                out_dir: error::show(&a.out_dir),
                pages: pages.iter().map(|p| error::show(p)).collect(),
            }))?;
        }
        Command::Page(a) => {
            let opts = commands::page::PageOptions {
                out: a.out.clone(),
                force: a.force,
            };
            let r = commands::page::page(page::EMBEDDED, &opts)?;
            printer.emit(&Message::Page(r))?;
        }
    }
    Ok(Exit::Ok)
}

/// Where `add` reads the secret from.
fn secret_input(a: &cli::AddArgs) -> Result<SecretInput> {
    Ok(match (&a.from_file, &a.from_keyring) {
        (Some(f), _) => SecretInput::File(f.clone()),
        (None, Some(item)) => SecretInput::Keyring(keyring::ItemName::parse(item)?),
        (None, None) => SecretInput::Stdin,
    })
}

fn import_legacy(cli: &Cli, a: &ImportLegacyArgs) -> Result<output::lifecycle::ImportReport> {
    let ctx = context(cli)?;
    match a.from {
        LegacyFormat::Openssl => {
            if a.key_file.is_some() {
                return Err(CliError::usage("--key-file is for --from fernet")
                    .hint("an openssl enc file is opened with its password"));
            }
            let digest = match a.digest.unwrap_or(LegacyDigest::Sha256) {
                LegacyDigest::Sha256 => Digest::Sha256,
                LegacyDigest::Sha512 => Digest::Sha512,
                LegacyDigest::Sha1 => Digest::Sha1,
                LegacyDigest::Md5 => Digest::Md5,
            };
            let kdf = if a.try_common {
                KdfChoice::TryCommon
            } else if a.bytes_to_key {
                KdfChoice::One(OpensslKdf::BytesToKey { digest })
            } else {
                KdfChoice::One(OpensslKdf::Pbkdf2 {
                    iterations: a.iterations.unwrap_or(OPENSSL_DEFAULT_ITERATIONS),
                    digest,
                })
            };
            let opts = OpensslImport {
                file: a.file.clone(),
                name: a.name.clone(),
                kind: a.kind,
                kdf,
                legacy_password: a
                    .legacy_password_file
                    .clone()
                    .map_or(PasswordSource::Prompt, PasswordSource::File),
                yes: a.yes,
            };
            commands::import::import_openssl(&ctx, &opts)
        }
        LegacyFormat::Fernet => {
            let openssl_only = a.iterations.is_some()
                || a.digest.is_some()
                || a.bytes_to_key
                || a.try_common
                || a.legacy_password_file.is_some();
            let key_file = match (&a.key_file, openssl_only) {
                (Some(k), false) => k.clone(),
                (_, true) => {
                    return Err(CliError::usage(
                        "--iterations, --digest, --bytes-to-key, --try-common and \
                         --legacy-password-file are for --from openssl",
                    )
                    .hint("a Fernet token is opened with --key-file"))
                }
                (None, false) => {
                    return Err(CliError::usage("--from fernet needs --key-file")
                        .hint("give the file holding the Fernet key"))
                }
            };
            let opts = FernetImport {
                token_file: a.file.clone(),
                key_file,
                name: a.name.clone(),
                kind: a.kind,
            };
            commands::import::import_fernet(&ctx, &opts)
        }
    }
}

pub(crate) fn vault_path(cli: &Cli) -> Result<PathBuf> {
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
        progress: progress(cli),
        warnings: !cli.quiet,
        seen: Seen::from_env(cli.json).quiet(cli.quiet),
    })
}

/// A progress bar on a terminal, unless `--quiet`.
fn progress(cli: &Cli) -> Progress {
    if cli.quiet {
        Progress::Silent
    } else {
        Progress::auto()
    }
}

/// A context whose vault path is not needed (salvage writes only its `--out`).
fn context_without_vault(cli: &Cli) -> Context {
    Context {
        vault: PathBuf::new(),
        password: password_source(cli),
        progress: progress(cli),
        warnings: !cli.quiet,
        seen: Seen::from_env(cli.json).quiet(cli.quiet),
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

fn kdf_options(
    iterations: Option<u32>,
    target_time: Option<u64>,
    a: &cli::KdfArgs,
) -> password_kdf::KdfOptions {
    password_kdf::KdfOptions {
        kdf: a.kdf,
        iterations,
        memory_mib: a.memory,
        passes: a.passes,
        lanes: a.lanes,
        target_time: target_time.map(Duration::from_millis),
    }
}

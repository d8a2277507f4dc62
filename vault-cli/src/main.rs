//! The `airvault` binary: makes the process safe to hold keys (no core dumps, signals that
//! stop a command cleanly), parses the command line and hands over to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    harden();
    if let Err(e) = vault_cli::signals::install() {
        eprintln!("error: cannot install signal handlers: {e} — report this");
        return ExitCode::from(3);
    }
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match vault_cli::cli::Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version exit 0, usage errors 2 (clap's own codes); with --json a
            // usage error is also an `error` object, as every other failure is.
            let json = vault_cli::arguments::asks_for_json(&args);
            return ExitCode::from(vault_cli::arguments::report(&e, json).code());
        }
    };
    ExitCode::from(vault_cli::run(&cli).code())
}

/// Keys must not reach a core file: no core dumps (RLIMIT_CORE 0), and on Linux the
/// process is not dumpable (PR_SET_DUMPABLE 0), which also keeps other processes of the
/// same user from attaching to it or reading its memory through /proc. Best effort: a
/// system that refuses leaves the process as it was.
fn harden() {
    #[cfg(unix)]
    {
        use rustix::process::{setrlimit, Resource, Rlimit};
        let _ = setrlimit(
            Resource::Core,
            Rlimit {
                current: Some(0),
                maximum: Some(0),
            },
        );
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let _ =
            rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable);
    }
}

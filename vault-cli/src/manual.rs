//! Man pages, generated from the command-line definition in [`crate::cli`]:
//! `airvault.1` for the whole tool and `airvault-COMMAND.1` for each command (and
//! `airvault-recovery-show.1` for each subcommand of a command).

use std::fs;
use std::path::{Path, PathBuf};

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::{CliError, Result};

/// Writes every page into `dir` (created if missing) and returns the paths written, the
/// main page first. Existing pages are replaced only with `force`.
///
/// # Errors
/// Exit 2 if a page exists and `force` is off (before anything is written), exit 3 if the
/// directory or a page cannot be written.
pub fn write_all(dir: &Path, force: bool) -> Result<Vec<PathBuf>> {
    let mut root = Cli::command();
    root.build();
    let mut pages = Vec::new();
    collect(&root, "airvault", &mut pages);
    if !force {
        if let Some((name, _)) = pages.iter().find(|(name, _)| dir.join(name).exists()) {
            return Err(CliError::usage(format!(
                "{} already exists",
                crate::error::show(&dir.join(name))
            ))
            .hint("pass --force to replace the pages, or give another --out-dir"));
        }
    }
    fs::create_dir_all(dir).map_err(|e| CliError::io("create", dir, &e))?;
    let mut written = Vec::with_capacity(pages.len());
    for (name, page) in pages {
        let path = dir.join(name);
        fs::write(&path, page).map_err(|e| CliError::io("write", &path, &e))?;
        written.push(path);
    }
    Ok(written)
}

/// Renders the page of `cmd` (named `name`, e.g. `airvault-shares-split`) and those of its
/// visible subcommands into `pages` as (file name, roff text).
fn collect(cmd: &clap::Command, name: &str, pages: &mut Vec<(String, Vec<u8>)>) {
    // Every page's footer names the version, not only the main page's.
    let cmd = cmd
        .clone()
        .name(name.to_string())
        .version(env!("CARGO_PKG_VERSION"));
    let mut page = Vec::new();
    // Rendering into memory cannot fail.
    let _ = clap_mangen::Man::new(cmd.clone()).render(&mut page);
    pages.push((format!("{name}.1"), page));
    for sub in cmd.get_subcommands() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        collect(sub, &format!("{name}-{}", sub.get_name()), pages);
    }
}

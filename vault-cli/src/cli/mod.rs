//! The command-line interface: every command, flag and its help text.

use std::path::PathBuf;

mod backups;
mod entries;
mod lifecycle;

pub use backups::*;
pub use entries::*;
pub use lifecycle::*;

use clap::{Args, Parser, Subcommand, ValueEnum};
use vault_core::EntryKind;

/// Exit codes, printed at the end of `--help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  ok
  2  usage error (bad arguments, unknown entry, existing file without --force, a newer
     generation of the vault to be replaced without --discard-newer)
  3  I/O error (a file, or the OS keyring, cannot be read or written)
  4  authentication failed (wrong password or recovery secret; the file is intact)
  5  corrupted, truncated or malformed file, or not an airvault file
  6  unsupported format version or refused parameters (e.g. a hostile KDF cost)
  7  verification mismatch (--against, --expect-fingerprint)
  8  a key is overdue for rotation (status --check-overdue)
  129, 130, 143  stopped by SIGHUP, SIGINT (Ctrl-C), SIGTERM; nothing was written
A mistyped recovery code or share is a usage error (2); a well-formed one that does not
open the file is 4. `salvage` exits 5 when it wrote the vault but something was lost.
With several files, `verify` exits with the worst result, in this order from worst:
5, 3, 6, 4, 7, 0.

Passwords are never taken from arguments: they are asked on the terminal without echo,
or read from the first line of --password-file FILE or of standard input
(--password-stdin).";

/// airvault: an offline key vault. Keeps secret keys in one password-protected file,
/// writes verified backups, and gets the keys back on the worst day.
#[derive(Debug, Parser)]
#[command(name = "airvault", version, after_help = EXIT_CODES_HELP, max_term_width = 100)]
pub struct Cli {
    /// The vault file [default: vault.airvault in the user's data directory].
    #[arg(long, global = true, env = "AIRVAULT_VAULT", value_name = "PATH")]
    pub vault: Option<PathBuf>,

    /// Print one JSON object per line per result.
    #[arg(long, global = true)]
    pub json: bool,

    /// Print nothing on success but the data asked for; errors only (for cron).
    #[arg(long, short = 'q', global = true, conflicts_with = "json")]
    pub quiet: bool,

    /// More detail in text output: `verify` adds each file's fingerprint, vault id and the
    /// state of every part (JSON always has them).
    #[arg(long, short = 'v', global = true, conflicts_with_all = ["json", "quiet"])]
    pub verbose: bool,

    /// Read the password from the first line of FILE.
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        conflicts_with = "password_stdin"
    )]
    pub password_file: Option<PathBuf>,

    /// Read the password from the first line of standard input.
    #[arg(long, global = true)]
    pub password_stdin: bool,

    /// Wait at most SECONDS for another command changing the vault to finish.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 30)]
    pub wait: u64,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new vault and show its recovery code once.
    #[command(
        after_help = "Examples:\n  airvault init\n  airvault init --target-time 1000      # about a second per unlock here\n  airvault init --kdf pbkdf2            # a password a microcontroller can open too"
    )]
    Init(InitArgs),
    /// Generate a new random key.
    #[command(
        after_help = "Examples:\n  airvault generate db-master-key\n  airvault generate vpn-totp --kind totp-seed --bytes 20\n  airvault generate root-pw --kind password --words 8"
    )]
    Generate(GenerateArgs),
    /// Add a secret from a file, standard input or the OS keyring.
    #[command(
        after_help = "Examples:\n  airvault add signing-key --kind private-key-pem --from-file key.pem\n  airvault add wifi --kind password --stdin     # asks twice, without echo\n  airvault add signing-key --new-version --from-file new-key.pem\n  airvault add db-key --kind symmetric-key --from-keyring myapp/db-key"
    )]
    Add(AddArgs),
    /// List the entries (newest version of each).
    #[command(after_help = "Examples:\n  airvault list\n  airvault list --json")]
    List,
    /// Print or save one entry's secret, or put it into the OS keyring.
    #[command(
        after_help = "Examples:\n  airvault get db-master-key --format hex\n  airvault get db-master-key --version 1 --out old-key.bin\n  airvault get db-key --to-keyring            # back where it was imported from\n  airvault get db-key --to-keyring myapp/db-key --yes"
    )]
    Get(GetArgs),
    /// Remove an entry and all its versions.
    #[command(
        after_help = "Examples:\n  airvault remove old-key\n  airvault remove old-key --yes          # unattended"
    )]
    Remove(RemoveArgs),
    /// Write a verified backup of the vault.
    #[command(
        after_help = "Examples:\n  airvault backup --out /media/usb/vault-2026-12.airvault\n  airvault backup --armor --out paper.asc\n  airvault backup --out db.airvault --entry db-master-key --new-password-file db.pw"
    )]
    Backup(BackupArgs),
    /// Write a vault from a backup (binary or armored).
    #[command(
        after_help = "Examples:\n  airvault restore /media/usb/vault-2026-12.airvault\n  airvault restore paper.asc --out restored.airvault"
    )]
    Restore(RestoreArgs),
    /// Check backups: without a password, structure and checksums; with one, every record.
    #[command(
        after_help = "Examples:\n  airvault verify /media/usb/             # every backup there, no password\n  airvault verify --password-file pw backup.airvault --against vault.airvault\n  airvault verify --expect-fingerprint HEX backup.airvault --json"
    )]
    Verify(VerifyArgs),
    /// Print the SHA-256 fingerprint of files (the value sha256sum prints).
    #[command(after_help = "Examples:\n  airvault fingerprint /media/usb/vault-2026-12.airvault")]
    Fingerprint(FingerprintArgs),
    /// Rehearse a disaster recovery end to end in a temporary directory.
    #[command(after_help = "Examples:\n  airvault drill\n  airvault drill --json")]
    Drill,
    /// Change the vault's password, under a new master key (every record re-encrypted).
    #[command(
        after_help = "Examples:\n  airvault passwd\n  airvault passwd --new-password-file new.pw --target-time 1000\n  airvault passwd --kdf argon2id --memory 1024"
    )]
    Passwd(PasswdArgs),
    /// Replace the master key: every record re-encrypted, every keyslot resealed.
    #[command(after_help = "Examples:\n  airvault rotate-master")]
    RotateMaster,
    /// Make a new random version of a key; the old version stays readable, retired.
    #[command(
        after_help = "Examples:\n  airvault rotate db-master-key\n  airvault rotate vpn-totp --bytes 32"
    )]
    Rotate(RotateArgs),
    /// Show or set the rotation policy (vault default, or one key's own).
    #[command(
        after_help = "Examples:\n  airvault policy                        # show\n  airvault policy --default-days 90\n  airvault policy db-master-key --days 30"
    )]
    Policy(PolicyArgs),
    /// Show each key's age against its rotation policy.
    #[command(
        after_help = "Examples:\n  airvault status\n  airvault status --check-overdue --quiet   # cron: exit 8 when a key is overdue"
    )]
    Status(StatusArgs),
    /// List the vault's audit trail or this machine's failed unlocks, or check the chain.
    #[command(
        after_help = "Examples:\n  airvault audit\n  airvault audit --verify\n  airvault audit --since 30d --op rotate\n  airvault audit --failures --since 7d     # wrong passwords, codes, shares"
    )]
    Audit(AuditArgs),
    /// Measure this machine's PBKDF2-HMAC-SHA256 and Argon2id speed.
    #[command(after_help = "Examples:\n  airvault benchmark")]
    Benchmark,
    /// Import a secret from an `openssl enc` file or a Fernet token.
    #[command(
        after_help = "Examples:\n  airvault import-legacy old-key old-key.enc --from openssl\n  airvault import-legacy k ancient.enc --from openssl --try-common\n  airvault import-legacy api-key token.txt --from fernet --key-file fernet.key"
    )]
    ImportLegacy(ImportLegacyArgs),
    /// Put keys back into the OS keyring, from the vault or a backup.
    #[command(subcommand)]
    #[command(
        after_help = "Examples:\n  airvault keyring restore\n  airvault keyring restore /media/usb/vault.airvault --recovery-code-file code.txt --yes"
    )]
    Keyring(KeyringCommand),
    /// Show or replace the recovery code.
    #[command(subcommand)]
    #[command(after_help = "Examples:\n  airvault recovery show\n  airvault recovery reset")]
    Recovery(RecoveryCommand),
    /// Split the recovery secret into SLIP-39 word shares (any M of N recover).
    #[command(subcommand)]
    #[command(
        after_help = "Examples:\n  airvault shares split --threshold 2 --count 3 --out-dir shares/"
    )]
    Shares(SharesCommand),
    /// Open a vault or backup with the recovery code or shares and give it a new password.
    #[command(
        after_help = "Examples:\n  airvault recover backup.airvault --recovery-code-file code.txt --out vault.airvault\n  airvault recover paper.asc --share-file s1.txt --share-file s2.txt --out vault.airvault"
    )]
    Recover(RecoverArgs),
    /// Rebuild a vault from damaged or partial backups, reporting exactly what was lost.
    #[command(
        after_help = "Examples:\n  airvault salvage usb-a.airvault usb-b.asc --out rebuilt.airvault\n  airvault salvage damaged.airvault --recovery-code-file code.txt --out rebuilt.airvault"
    )]
    Salvage(SalvageArgs),
    /// Write a printable emergency kit (HTML) with a fresh armored backup and instructions.
    #[command(
        after_help = "Examples:\n  airvault kit --out kit.html\n  airvault kit --out kit.html --include-recovery-code"
    )]
    Kit(KitArgs),
    /// Print the shell completion script for SHELL (for packagers; see docs/CLI.md).
    #[command(hide = true)]
    Completions(CompletionsArgs),
    /// Write the man pages into a directory (for packagers; see docs/CLI.md).
    #[command(hide = true)]
    Man(ManArgs),
    /// Write the restore page this binary carries, and print its SHA-256.
    #[command(
        after_help = "Examples:\n  airvault page --out /media/usb\n  airvault page          \
                            # only print the page's SHA-256 and version"
    )]
    Page(PageArgs),
}

/// Shells `completions` writes a script for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    /// Bash (bash-completion).
    Bash,
    /// Zsh.
    Zsh,
    /// Fish.
    Fish,
}

/// `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Directory to write airvault.1 and airvault-COMMAND.1 into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
    /// Replace existing pages.
    #[arg(long)]
    pub force: bool,
}

fn parse_kind(s: &str) -> Result<EntryKind, String> {
    EntryKind::from_name(s).ok_or_else(|| {
        "expected one of symmetric-key, private-key-pem, password, totp-seed, opaque".to_string()
    })
}

/// A duration in seconds from `N` followed by `s`, `m`, `h`, `d` or `w`.
fn parse_duration(s: &str) -> Result<u64, String> {
    let err = || "expected a number and a unit: s, m, h, d or w (e.g. 90m, 36h, 7d)".to_string();
    let t = s.trim();
    let unit = t.chars().last().ok_or_else(err)?;
    let seconds = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        'w' => 604_800,
        _ => return Err(err()),
    };
    let n: u64 = t[..t.len() - 1].parse().map_err(|_| err())?;
    n.checked_mul(seconds)
        .ok_or_else(|| "that duration is too long".to_string())
}

fn parse_op(s: &str) -> Result<vault_core::AuditOp, String> {
    (1..=u8::MAX)
        .filter_map(vault_core::AuditOp::from_u8)
        .find(|op| op.name() == s)
        .ok_or_else(|| {
            let names: Vec<&str> = (1..=u8::MAX)
                .filter_map(vault_core::AuditOp::from_u8)
                .map(vault_core::AuditOp::name)
                .collect();
            format!("expected one of {}", names.join(", "))
        })
}

fn parse_fingerprint(s: &str) -> Result<String, String> {
    let t = s.trim().to_ascii_lowercase();
    if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(t)
    } else {
        Err("expected 64 hexadecimal digits (a SHA-256 fingerprint)".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations_and_operations_parse() {
        assert_eq!(parse_duration("90m"), Ok(5_400));
        assert_eq!(parse_duration("7d"), Ok(604_800));
        assert_eq!(parse_duration("2w"), Ok(1_209_600));
        for bad in ["", "d", "7", "7y", "-1d", "99999999999999999999s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_op("rotate-master"),
            Ok(vault_core::AuditOp::RotateMaster)
        );
        assert!(parse_op("nope").unwrap_err().contains("recovery-show"));
    }
}

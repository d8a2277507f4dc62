//! Arguments of the commands on backups and recovery: `backup`, `restore`, `verify`,
//! `fingerprint`, `recovery`, `shares`, `recover`, `salvage`, `kit`, `page`.

use std::path::PathBuf;

use super::*;

/// `backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Where to write the backup.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Write ASCII armor (for paper and text-only media) instead of binary.
    #[arg(long)]
    pub armor: bool,
    /// Give the backup its own password, read from the first line of FILE.
    #[arg(long, value_name = "FILE")]
    pub new_password_file: Option<PathBuf>,
    /// Back up only this entry (all its versions); repeat for more [default: all].
    #[arg(long = "entry", value_name = "NAME")]
    pub entries: Vec<String>,
    /// Replace an existing file at --out.
    #[arg(long)]
    pub force: bool,
}

/// `restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file (binary or armored).
    pub backup: PathBuf,
    /// Where to write the vault [default: the vault path].
    #[arg(long, value_name = "VAULT")]
    pub out: Option<PathBuf>,
    /// Replace an existing vault.
    #[arg(long)]
    pub force: bool,
    /// Replace a vault file even when it is a newer generation of the same vault than the
    /// one written (what changed since is lost).
    #[arg(long)]
    pub discard_newer: bool,
}

/// `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Backup files, or directories whose *.airvault and *.asc files are checked.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Also report entries missing from the backups or older there than in VAULT
    /// (opens the backups with their password).
    #[arg(long, value_name = "VAULT")]
    pub against: Option<PathBuf>,
    /// Password of the --against vault, if it differs from the backups' [default: the
    /// backups' password].
    #[arg(long, value_name = "FILE", requires = "against")]
    pub against_password_file: Option<PathBuf>,
    /// Fail (exit 7) unless each file's SHA-256 fingerprint is HEX.
    #[arg(long, value_name = "HEX", value_parser = parse_fingerprint)]
    pub expect_fingerprint: Option<String>,
}

/// `fingerprint`.
#[derive(Debug, Args)]
pub struct FingerprintArgs {
    /// Files to fingerprint.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// `recovery`.
#[derive(Debug, Subcommand)]
pub enum RecoveryCommand {
    /// Print the vault's recovery code (needs the password).
    #[command(after_help = "Examples:\n  airvault recovery show\n  airvault recovery show --json")]
    Show,
    /// Replace the recovery secret: old codes and shares stop opening this vault.
    #[command(
        after_help = "Examples:\n  airvault recovery reset\n  airvault shares split --threshold 2 --count 3   # new shares afterwards"
    )]
    Reset,
}

/// `shares`.
#[derive(Debug, Subcommand)]
pub enum SharesCommand {
    /// Split the recovery secret into N shares of which any M recover it.
    #[command(
        after_help = "Examples:\n  airvault shares split --threshold 2 --count 3\n  airvault shares split --threshold 3 --count 5 --out-dir shares/"
    )]
    Split(SharesSplitArgs),
}

/// `shares split`.
#[derive(Debug, Args)]
pub struct SharesSplitArgs {
    /// Number of shares needed to recover (M; 2 or more, or 1 with --count 1).
    #[arg(long, value_name = "M", value_parser = clap::value_parser!(u8).range(1..=16))]
    pub threshold: u8,
    /// Number of shares to make (N, at most 16).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=16))]
    pub count: u8,
    /// Write one file per share (share-I-of-N.txt, mode 0600) into DIR instead of
    /// printing them.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Replace existing share files.
    #[arg(long)]
    pub force: bool,
}

/// Where recovery material comes from (`recover`, `salvage`).
#[derive(Debug, Args)]
pub struct RecoveryMaterialArgs {
    /// Read the recovery code from the first line of FILE that is not blank or a
    /// '#' comment.
    #[arg(long, value_name = "FILE", conflicts_with = "share_files")]
    pub recovery_code_file: Option<PathBuf>,
    /// Read one SLIP-39 share from FILE; repeat for each share, in any order.
    #[arg(long = "share-file", value_name = "FILE")]
    pub share_files: Vec<PathBuf>,
}

/// `recover`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("material").required(true)
    .args(["recovery_code_file", "share_files"])))]
pub struct RecoverArgs {
    /// The vault or backup to open (binary or armored).
    pub file: PathBuf,
    /// How to open it.
    #[command(flatten)]
    pub material: RecoveryMaterialArgs,
    /// Where to write the recovered vault [default: the vault path].
    #[arg(long, value_name = "VAULT")]
    pub out: Option<PathBuf>,
    /// Read the new password from the first line of FILE [default: --password-file or
    /// --password-stdin, else asked twice on the terminal].
    #[arg(long, value_name = "FILE")]
    pub new_password_file: Option<PathBuf>,
    /// Replace an existing file at --out.
    #[arg(long)]
    pub force: bool,
    /// Replace a vault file even when it is a newer generation of the same vault than the
    /// one written (what changed since is lost).
    #[arg(long)]
    pub discard_newer: bool,
}

/// `salvage`.
#[derive(Debug, Args)]
pub struct SalvageArgs {
    /// Damaged or partial copies of one vault (binary or armored), in any order.
    #[arg(required = true, value_name = "BACKUP")]
    pub files: Vec<PathBuf>,
    /// Where to write the rebuilt vault.
    #[arg(long, value_name = "VAULT")]
    pub out: PathBuf,
    /// Open the files with recovery material instead of the password.
    #[command(flatten)]
    pub material: RecoveryMaterialArgs,
    /// Give the rebuilt vault this password (first line of FILE) [default: the password
    /// the files opened with; with recovery material, --password-file or
    /// --password-stdin, else asked twice on the terminal].
    #[arg(long, value_name = "FILE")]
    pub new_password_file: Option<PathBuf>,
    /// Replace an existing file at --out, and include files of another vault.
    #[arg(long)]
    pub force: bool,
    /// Replace a vault file even when it is a newer generation of the same vault than the
    /// one written (what changed since is lost).
    #[arg(long)]
    pub discard_newer: bool,
}

/// `kit`.
#[derive(Debug, Args)]
pub struct KitArgs {
    /// Where to write the HTML sheet.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Print the recovery code on the sheet too (anyone holding the sheet can then open
    /// the vault without the password).
    #[arg(long)]
    pub include_recovery_code: bool,
    /// Add one page per share from the share files (*.txt) in DIR, to cut apart and hand
    /// to the custodians.
    #[arg(long, value_name = "DIR")]
    pub include_shares: Option<PathBuf>,
    /// Replace an existing file at --out.
    #[arg(long)]
    pub force: bool,
}

/// `page`.
#[derive(Debug, Args)]
pub struct PageArgs {
    /// Write airvault-recovery.html into DIR (created if missing) [default: write nothing,
    /// only print the page's SHA-256].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace another file named airvault-recovery.html in DIR.
    #[arg(long)]
    pub force: bool,
}

//! Arguments of the commands that make and change the vault: `init`, `passwd`, `rotate`,
//! `policy`, `status`, `audit`.

use std::path::PathBuf;

use super::*;

/// The KDF options of a new password keyslot (`init`, `passwd`).
#[derive(Debug, Args)]
pub struct KdfArgs {
    /// Password keyslot KDF: argon2id (memory-hard) or pbkdf2 (opens on a microcontroller) [default: argon2id].
    #[arg(long, value_name = "KDF", value_parser = crate::password_kdf::KdfName::parse)]
    pub kdf: Option<crate::password_kdf::KdfName>,
    /// Argon2id memory in MiB, 8 to 2048 [default: 256].
    #[arg(long, value_name = "MIB")]
    pub memory: Option<u32>,
    /// Argon2id passes, 1 to 16 [default: 3].
    #[arg(long, value_name = "N")]
    pub passes: Option<u32>,
    /// Argon2id lanes, 1 to 8 [default: 4].
    #[arg(long, value_name = "N")]
    pub lanes: Option<u32>,
}

/// `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// PBKDF2 iterations of the keyslots (a PBKDF2 password keyslot, and the recovery keyslot) [default: 600000].
    #[arg(long, value_name = "N", conflicts_with = "target_time")]
    pub iterations: Option<u32>,
    /// Pick the costs that take about MS milliseconds here (at least the defaults' 600000 iterations, 64 MiB).
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..=60_000))]
    pub target_time: Option<u64>,
    // The password keyslot's KDF options.
    #[command(flatten)]
    #[allow(missing_docs)]
    pub kdf: KdfArgs,
    /// Replace an existing file at the vault path.
    #[arg(long)]
    pub force: bool,
}

/// `passwd`.
#[derive(Debug, Args)]
pub struct PasswdArgs {
    /// PBKDF2 iterations of a PBKDF2 password keyslot [default: the old slot's, at least 600000].
    #[arg(long, value_name = "N", conflicts_with = "target_time")]
    pub iterations: Option<u32>,
    /// Pick the costs that take about MS milliseconds here (at least the defaults' 600000 iterations, 64 MiB).
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..=60_000))]
    pub target_time: Option<u64>,
    // The password keyslot's KDF options.
    #[command(flatten)]
    #[allow(missing_docs)]
    pub kdf: KdfArgs,
    /// Read the new password from the first line of FILE [default: ask twice].
    #[arg(long, value_name = "FILE")]
    pub new_password_file: Option<PathBuf>,
}

/// `rotate`.
#[derive(Debug, Args)]
pub struct RotateArgs {
    /// Name of the entry.
    pub name: String,
    /// Number of random bytes (1 to 65536) [default: as many as the current version].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=65_536))]
    pub bytes: Option<u32>,
}

/// `policy`.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// The entry whose own policy to set (with --days or --inherit).
    pub name: Option<String>,
    /// Set the vault's default policy in days (0: none).
    #[arg(long, value_name = "N", conflicts_with_all = ["name", "days", "inherit"],
          value_parser = clap::value_parser!(u32).range(0..=36_500))]
    pub default_days: Option<u32>,
    /// Set NAME's own policy in days.
    #[arg(long, value_name = "N", requires = "name", conflicts_with = "inherit",
          value_parser = clap::value_parser!(u32).range(1..=36_500))]
    pub days: Option<u32>,
    /// Make NAME follow the vault's default policy again.
    #[arg(long, requires = "name")]
    pub inherit: bool,
}

/// `status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Apply a policy of N days to every key for this run.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=36_500))]
    pub policy_days: Option<u32>,
    /// Exit 8 if any key is overdue (for cron).
    #[arg(long)]
    pub check_overdue: bool,
}

/// `audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Check the hash chain instead of listing (exit 5 at the first break).
    #[arg(long, conflicts_with_all = ["failures", "since", "op"])]
    pub verify: bool,
    /// List the failed unlocks recorded on this machine instead (no password needed).
    #[arg(long, conflicts_with = "op")]
    pub failures: bool,
    /// Only what happened in the last DURATION (e.g. 90m, 36h, 7d, 2w).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub since: Option<u64>,
    /// Only events of the operation OP (add, rotate, passwd, …).
    #[arg(long, value_name = "OP", value_parser = parse_op)]
    pub op: Option<vault_core::AuditOp>,
}

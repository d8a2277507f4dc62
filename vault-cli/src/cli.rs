//! The command-line interface: every command, flag and its help text.

use std::path::PathBuf;

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

/// `generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Name of the new entry.
    pub name: String,
    /// Number of random bytes (1 to 65536) [default: 32].
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=65_536))]
    pub bytes: Option<u32>,
    /// Kind of entry: symmetric-key, totp-seed, opaque, or password (a password of
    /// printable characters, or a passphrase with --words).
    #[arg(long, default_value = "symmetric-key", value_parser = parse_kind, value_name = "KIND")]
    pub kind: EntryKind,
    /// With --kind password: the number of characters (8 to 1024) [default: 24].
    #[arg(long, value_name = "N", conflicts_with_all = ["bytes", "words"],
          value_parser = clap::value_parser!(u32).range(8..=1024))]
    pub length: Option<u32>,
    /// With --kind password: letters and digits only, no punctuation.
    #[arg(long, conflicts_with_all = ["bytes", "words"])]
    pub no_symbols: bool,
    /// With --kind password: a passphrase of N words (4 to 64) from the SLIP-39 wordlist,
    /// 10 bits each.
    #[arg(long, value_name = "N", conflicts_with = "bytes",
          value_parser = clap::value_parser!(u32).range(4..=64))]
    pub words: Option<u32>,
}

/// `add`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("source").required(true)
    .args(["from_file", "stdin", "from_keyring"])))]
pub struct AddArgs {
    /// Name of the new entry.
    pub name: String,
    /// Kind of entry: symmetric-key, private-key-pem, password, totp-seed or opaque.
    #[arg(long, default_value = "opaque", value_parser = parse_kind, value_name = "KIND")]
    pub kind: EntryKind,
    /// Read the secret from FILE.
    #[arg(long, value_name = "FILE")]
    pub from_file: Option<PathBuf>,
    /// Read the secret from standard input (to its end).
    #[arg(long)]
    pub stdin: bool,
    /// Read the secret from the OS keyring item SERVICE/ACCOUNT (split at the first '/');
    /// the vault remembers where it came from.
    #[arg(long, value_name = "SERVICE/ACCOUNT")]
    pub from_keyring: Option<String>,
    /// Store the secret as a new version of the existing entry NAME (of the same kind).
    #[arg(long, conflicts_with = "kind")]
    pub new_version: bool,
}

/// How `get` writes a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SecretFormat {
    /// The bytes as they are (refused on a terminal).
    Raw,
    /// Lower-case hexadecimal.
    Hex,
    /// Standard base64 with padding.
    Base64,
}

/// `get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    /// Name of the entry.
    pub name: String,
    /// Version to get [default: the newest].
    #[arg(long, value_name = "V")]
    pub version: Option<u32>,
    /// Output format [default: raw; hex with --json].
    #[arg(long, value_enum)]
    pub format: Option<SecretFormat>,
    /// Write the secret to FILE (mode 0600) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace an existing --out file.
    #[arg(long)]
    pub force: bool,
    /// Write the secret into the OS keyring item SERVICE/ACCOUNT instead of printing it
    /// [default: the item it was imported from with --from-keyring].
    #[arg(long, value_name = "SERVICE/ACCOUNT", num_args = 0..=1,
          conflicts_with_all = ["format", "out", "force"])]
    pub to_keyring: Option<Option<String>>,
    /// With --to-keyring: replace an existing keyring item without asking.
    #[arg(long, short = 'y', requires = "to_keyring")]
    pub yes: bool,
}

/// `keyring`.
#[derive(Debug, Subcommand)]
pub enum KeyringCommand {
    /// Write every entry imported from the keyring back to its item, from the vault or a
    /// backup.
    #[command(
        after_help = "Examples:\n  airvault keyring restore\n  airvault keyring restore backup.airvault --password-file pw --yes\n  airvault keyring restore paper.asc --share-file s1.txt --share-file s2.txt"
    )]
    Restore(KeyringRestoreArgs),
}

/// `keyring restore`.
#[derive(Debug, Args)]
pub struct KeyringRestoreArgs {
    /// A backup to read the keys from (binary or armored) [default: the vault].
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Open it with recovery material instead of the password.
    #[command(flatten)]
    pub material: RecoveryMaterialArgs,
    /// Replace existing keyring items without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `remove`.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// Name of the entry.
    pub name: String,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

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

/// Legacy formats `import-legacy` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LegacyFormat {
    /// `openssl enc -aes-256-cbc` with a salt (binary or -a base64); unauthenticated.
    Openssl,
    /// A Fernet token (Python `cryptography.fernet`); authenticated.
    Fernet,
}

/// The digest `openssl enc -md` used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LegacyDigest {
    /// SHA-256 (openssl's default since 1.1.0).
    Sha256,
    /// SHA-512.
    Sha512,
    /// SHA-1.
    Sha1,
    /// MD5 (the EVP_BytesToKey default before openssl 1.1.0).
    Md5,
}

/// `import-legacy`.
#[derive(Debug, Args)]
pub struct ImportLegacyArgs {
    /// Name of the new entry.
    pub name: String,
    /// The legacy file (openssl: the encrypted file; fernet: the file holding the token).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The tool that made FILE: openssl (`openssl enc`) or fernet (a Fernet token).
    #[arg(long, value_enum, value_name = "TOOL")]
    pub from: LegacyFormat,
    /// Kind of entry: symmetric-key, private-key-pem, password, totp-seed or opaque.
    #[arg(long, default_value = "opaque", value_parser = parse_kind, value_name = "KIND")]
    pub kind: EntryKind,
    /// openssl: the -iter count of -pbkdf2 [default: 10000, openssl's own].
    #[arg(long, value_name = "N", conflicts_with_all = ["bytes_to_key", "try_common"],
          value_parser = clap::value_parser!(u32).range(1..=20_000_000))]
    pub iterations: Option<u32>,
    /// openssl: the -md digest [default: sha256].
    #[arg(long, value_enum, conflicts_with = "try_common")]
    pub digest: Option<LegacyDigest>,
    /// openssl: the file was made without -pbkdf2 (the old EVP_BytesToKey derivation).
    #[arg(long, conflicts_with = "try_common")]
    pub bytes_to_key: bool,
    /// openssl: try the common settings in turn (see docs/LEGACY.md).
    #[arg(long)]
    pub try_common: bool,
    /// openssl: read the file's password from the first line of FILE [default: ask].
    #[arg(long, value_name = "FILE")]
    pub legacy_password_file: Option<PathBuf>,
    /// fernet: the file holding the key (URL-safe base64).
    #[arg(long, value_name = "FILE", required_if_eq("from", "fernet"))]
    pub key_file: Option<PathBuf>,
    /// openssl: import without asking for confirmation (required without a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
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

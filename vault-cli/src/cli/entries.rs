//! Arguments of the commands on entries: `generate`, `add`, `get`, `remove`, `keyring`,
//! `import-legacy`.

use std::path::PathBuf;

use super::*;

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

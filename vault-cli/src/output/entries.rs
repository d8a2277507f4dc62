//! What the commands on entries report: `init`, `add`/`generate`, `list`, `get`, `remove`.

use std::fmt;

use serde::Serialize;
use zeroize::Zeroizing;

use super::{opt_secret_str, secret_str};

/// A new vault.
#[derive(Serialize)]
pub struct InitReport {
    /// Path of the vault.
    pub vault: String,
    /// The vault's id, hex.
    pub vault_id: String,
    /// PBKDF2 iterations of the recovery keyslot (and of a PBKDF2 password keyslot).
    pub iterations: u32,
    /// The password keyslot's KDF and cost, e.g. `Argon2id, 256 MiB, 3 passes, 4 lanes`.
    pub password_kdf: String,
    /// The recovery code, shown this once.
    #[serde(serialize_with = "secret_str")]
    pub recovery_code: Zeroizing<String>,
}

impl fmt::Debug for InitReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InitReport")
            .field("vault", &self.vault)
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

/// An entry added by `generate` or `add`.
#[derive(Clone, Debug, Serialize)]
pub struct AddedReport {
    /// `generate` or `add`.
    pub op: &'static str,
    /// Path of the vault.
    pub vault: String,
    /// Entry name.
    pub name: String,
    /// Entry id, hex.
    pub id: String,
    /// Version (1).
    pub version: u32,
    /// Entry kind.
    pub kind: &'static str,
    /// Key check value, 8 hex digits.
    pub kcv: String,
    /// Length of the secret.
    pub bytes: usize,
    /// For a generated password: its entropy in bits (every character or word drawn
    /// uniformly). Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entropy_bits: Option<u32>,
}

/// The newest version of one entry.
#[derive(Clone, Debug, Serialize)]
pub struct EntryReport {
    /// Entry name.
    pub name: String,
    /// Entry id, hex.
    pub id: String,
    /// Entry kind.
    pub kind: &'static str,
    /// Newest version.
    pub version: u32,
    /// Number of versions kept.
    pub versions: usize,
    /// `active` or `retired`.
    pub status: &'static str,
    /// Key check value of the newest version.
    pub kcv: String,
    /// Length of the secret.
    pub bytes: usize,
    /// When the entry was created (Unix seconds).
    pub created_at: u64,
    /// When this version was made (Unix seconds).
    pub rotated_at: u64,
}

/// A secret read by `get`.
#[derive(Serialize)]
pub struct SecretReport {
    /// Entry name.
    pub name: String,
    /// Entry id, hex.
    pub id: String,
    /// Version returned.
    pub version: u32,
    /// Entry kind.
    pub kind: &'static str,
    /// Key check value.
    pub kcv: String,
    /// Length of the secret.
    pub bytes: usize,
    /// `raw`, `hex` or `base64`.
    pub format: &'static str,
    /// The encoded secret (absent when written to `out`).
    #[serde(serialize_with = "opt_secret_str")]
    pub value: Option<Zeroizing<String>>,
    /// The file written, if any.
    pub out: Option<String>,
}

impl fmt::Debug for SecretReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretReport")
            .field("name", &self.name)
            .field("version", &self.version)
            .field("kcv", &self.kcv)
            .finish_non_exhaustive()
    }
}

/// An entry removed.
#[derive(Clone, Debug, Serialize)]
pub struct RemovedReport {
    /// Path of the vault.
    pub vault: String,
    /// Entry name.
    pub name: String,
    /// Entry id, hex.
    pub id: String,
    /// Number of versions removed.
    pub versions: usize,
}

//! What `backup`, `restore`, `verify` and `fingerprint` report.

use std::io::{self, Write};

use serde::Serialize;

/// A backup written and verified.
#[derive(Clone, Debug, Serialize)]
pub struct BackupReport {
    /// The vault backed up.
    pub vault: String,
    /// The backup file.
    pub out: String,
    /// Whether it is ASCII armor.
    pub armored: bool,
    /// Whether it has its own password (`--new-password-file`).
    pub own_password: bool,
    /// Number of entries (all their versions are included).
    pub entries: usize,
    /// Number of entry versions.
    pub versions: usize,
    /// Number of audit events carried.
    pub audit_events: usize,
    /// The backup's generation (that of the vault).
    pub generation: u64,
    /// Size of the file.
    pub bytes: usize,
    /// SHA-256 of the file, for `verify --expect-fingerprint`.
    pub fingerprint: String,
    /// Always true: the file was re-read, opened and compared before this was printed.
    pub verified: bool,
}

/// A vault written from a backup.
#[derive(Clone, Debug, Serialize)]
pub struct RestoreReport {
    /// The backup read.
    pub backup: String,
    /// The vault written.
    pub out: String,
    /// The vault's id.
    pub vault_id: String,
    /// The new vault's generation.
    pub generation: u64,
    /// Number of entries.
    pub entries: usize,
    /// Number of entry versions.
    pub versions: usize,
}

/// Entry whose newest version in a backup is older than in the vault.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StaleEntry {
    /// Entry name (as in the vault).
    pub name: String,
    /// Newest version in the vault.
    pub vault_version: u32,
    /// Newest version in the backup.
    pub backup_version: u32,
}

/// The result for one file of `verify`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct VerifyReport {
    /// The file, as printed (lossy UTF-8, control characters replaced).
    pub file: String,
    /// The file's path as the operating system's bytes, in lower-case hex, when `file`
    /// does not give them exactly (not UTF-8, or holding a control character); else null.
    /// Lets a script map every result back to its file.
    pub path_bytes: Option<String>,
    /// `ok`, `io`, `authentication`, `corrupted`, `unsupported` or `mismatch`.
    pub status: &'static str,
    /// The exit code this result alone gives.
    pub exit_code: u8,
    /// What is wrong (the error line), or null.
    pub message: Option<String>,
    /// `binary` or `armored`, once read.
    pub format: Option<&'static str>,
    /// SHA-256 of the file, once read.
    pub fingerprint: Option<String>,
    /// Whether the file was opened with a password.
    pub keyed: bool,
    /// The vault id, once parsed.
    pub vault_id: Option<String>,
    /// The generation, once parsed.
    pub generation: Option<u64>,
    /// First header copy: `intact`, `damaged` or `missing`.
    pub header_a: Option<&'static str>,
    /// Second header copy.
    pub header_b: Option<&'static str>,
    /// Trailer and file checksum.
    pub trailer: Option<&'static str>,
    /// Number of records in the table.
    pub records: Option<u32>,
    /// Indices of damaged or missing records (at most 32).
    pub damaged_records: Vec<u32>,
    /// Number of entries (keyed only).
    pub entries: Option<usize>,
    /// Entries in the `--against` vault that the backup lacks.
    pub missing: Vec<String>,
    /// Entries older in the backup than in the `--against` vault.
    pub stale: Vec<StaleEntry>,
}

/// The totals of a `verify` run.
#[derive(Clone, Debug, Serialize)]
pub struct SummaryReport {
    /// Files checked.
    pub files: usize,
    /// Files that passed.
    pub ok: usize,
    /// Files that did not.
    pub failed: usize,
    /// The exit code of the run (the worst result).
    pub exit_code: u8,
}

/// One file's fingerprint.
#[derive(Clone, Debug, Serialize)]
pub struct FingerprintReport {
    /// The file.
    pub file: String,
    /// SHA-256 of its bytes, lower-case hex.
    pub sha256: String,
    /// Its length.
    pub bytes: u64,
}

/// `verify -v`: the parts of one file's result that its line leaves out.
pub(super) fn verify_details(r: &VerifyReport, w: &mut impl Write) -> io::Result<()> {
    let state = |s: Option<&str>| s.unwrap_or("not read").to_owned();
    if let Some(f) = &r.fingerprint {
        writeln!(w, "  fingerprint {f}")?;
    }
    if let Some(id) = &r.vault_id {
        writeln!(w, "  vault id {id}")?;
    }
    writeln!(
        w,
        "  header copy A {}, header copy B {}, trailer {}",
        state(r.header_a),
        state(r.header_b),
        state(r.trailer)
    )?;
    if !r.damaged_records.is_empty() {
        let list: Vec<String> = r.damaged_records.iter().map(u32::to_string).collect();
        writeln!(w, "  damaged records: {}", list.join(", "))?;
    }
    if let Some(m) = &r.message {
        writeln!(w, "  {m}")?;
    }
    Ok(())
}

//! The one error type of the core. No variant carries key material, plaintext or password
//! bytes: only indices, counts, lengths and format field values that are public anyway.

use core::fmt;

/// What went wrong, in the categories callers map to exit codes and user messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The password or recovery secret is wrong; the file itself is intact.
    Authentication,
    /// The file is damaged, truncated, malformed or was modified.
    Corrupted,
    /// The file uses a version or parameter this implementation refuses to process.
    Unsupported,
    /// The caller asked for something the format cannot hold, or passed a bad argument.
    InvalidInput,
}

/// An error from parsing, opening or writing an airvault file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The input carries neither the header magic at its start nor a trailer at its end:
    /// it is not an airvault file.
    NotAVault,
    /// A header copy declares a format version this implementation does not read.
    UnsupportedVersion {
        /// The version number found in the file.
        version: u16,
    },
    /// A keyslot asks for a PBKDF2 iteration count outside the accepted bounds. Refused
    /// before any key derivation runs.
    KdfCostRefused {
        /// The iteration count the file asks for.
        iterations: u32,
        /// The smallest count accepted.
        min: u32,
        /// The largest count accepted.
        max: u32,
    },
    /// A keyslot asks for Argon2id memory, passes or lanes outside the accepted bounds.
    /// Refused before any key derivation runs and before any memory is asked for.
    Argon2CostRefused {
        /// Memory the file asks for, in KiB.
        memory_kib: u32,
        /// Passes the file asks for.
        passes: u32,
        /// Lanes the file asks for.
        lanes: u32,
    },
    /// An Argon2id keyslot needs more memory than the caller supplied (a reader with no
    /// heap, or too little of it): it cannot be opened here. Nothing was computed.
    KdfMemoryUnavailable {
        /// Memory the keyslot needs, in KiB.
        needed_kib: u32,
    },
    /// A keyslot names a key-derivation function or slot kind this version does not know.
    UnsupportedSlot {
        /// Index of the keyslot in the header.
        slot: u8,
    },
    /// Neither copy of the header is intact (both fail their checksums or are missing).
    HeaderDamaged,
    /// A header copy is intact by its checksum but breaks a rule of the format.
    Malformed {
        /// Which rule, in a few words.
        reason: &'static str,
    },
    /// The file is shorter than its layout says.
    Truncated {
        /// The length the layout requires.
        expected: u64,
        /// The length found.
        actual: u64,
    },
    /// No keyslot of the requested kind accepted the secret, and every such slot is intact:
    /// the password or recovery secret is wrong.
    WrongSecret,
    /// The file holds no keyslot of the requested kind.
    NoSuchSlot,
    /// A keyslot accepted the secret but the header MAC does not verify: the header was
    /// modified after it was written.
    HeaderAuthFailed,
    /// Record `index` does not match its checksum: it was damaged.
    RecordDamaged {
        /// Position of the record in the record table.
        index: u32,
    },
    /// Record `index` lies (partly) beyond the end of a truncated file.
    RecordMissing {
        /// Position of the record in the record table.
        index: u32,
    },
    /// Record `index` matches its checksum but fails authentication: it was modified and
    /// its checksum recomputed, or it belongs to another vault.
    RecordAuthFailed {
        /// Position of the record in the record table.
        index: u32,
    },
    /// Record `index` is authentic — its MAC verifies under this vault's master key — but
    /// its bytes are not the ones the header's record table lists: it was taken from
    /// another copy or an older generation of the same vault and put in place of the
    /// record the header names. Tampering, not damage; the record is never opened.
    RecordForeign {
        /// Position of the record in the record table.
        index: u32,
    },
    /// Record `index` authenticated, but its plaintext breaks a rule of the format.
    RecordMalformed {
        /// Position of the record in the record table.
        index: u32,
        /// Which rule, in a few words.
        reason: &'static str,
    },
    /// A caller-provided buffer is too small.
    BufferTooSmall {
        /// The number of bytes required.
        needed: usize,
    },
    /// A value the caller asked to write is outside what the format can hold.
    InvalidInput {
        /// What is wrong, in a few words.
        reason: &'static str,
    },
}

impl Error {
    /// A stable, machine-readable name for this error, as used in `--json` output, in the
    /// restore page and in the test vectors (`expect`).
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Error::NotAVault => "not_a_vault",
            Error::UnsupportedVersion { .. } => "unsupported_version",
            Error::KdfCostRefused { .. } | Error::Argon2CostRefused { .. } => "kdf_cost_refused",
            Error::KdfMemoryUnavailable { .. } => "kdf_memory_unavailable",
            Error::UnsupportedSlot { .. } => "unsupported_slot",
            Error::HeaderDamaged => "header_damaged",
            Error::Malformed { .. } => "malformed",
            Error::Truncated { .. } => "truncated",
            Error::WrongSecret => "wrong_password",
            Error::NoSuchSlot => "no_such_slot",
            Error::HeaderAuthFailed => "header_auth_failed",
            Error::RecordDamaged { .. } => "record_damaged",
            Error::RecordMissing { .. } => "record_missing",
            Error::RecordAuthFailed { .. } => "record_auth_failed",
            Error::RecordForeign { .. } => "record_foreign",
            Error::RecordMalformed { .. } => "record_malformed",
            Error::BufferTooSmall { .. } => "buffer_too_small",
            Error::InvalidInput { .. } => "invalid_input",
        }
    }

    /// The category of this error.
    #[must_use]
    pub const fn kind(&self) -> ErrorKind {
        match self {
            Error::WrongSecret => ErrorKind::Authentication,
            Error::UnsupportedVersion { .. }
            | Error::KdfCostRefused { .. }
            | Error::Argon2CostRefused { .. }
            | Error::KdfMemoryUnavailable { .. }
            | Error::UnsupportedSlot { .. } => ErrorKind::Unsupported,
            Error::NoSuchSlot | Error::BufferTooSmall { .. } | Error::InvalidInput { .. } => {
                ErrorKind::InvalidInput
            }
            Error::NotAVault
            | Error::HeaderDamaged
            | Error::Malformed { .. }
            | Error::Truncated { .. }
            | Error::HeaderAuthFailed
            | Error::RecordDamaged { .. }
            | Error::RecordMissing { .. }
            | Error::RecordAuthFailed { .. }
            | Error::RecordForeign { .. }
            | Error::RecordMalformed { .. } => ErrorKind::Corrupted,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotAVault => f.write_str("not an airvault file (no airvault header or trailer)"),
            Error::UnsupportedVersion { version } => {
                write!(
                    f,
                    "unsupported format version {version} (this build reads versions 1 and 2)"
                )
            }
            Error::KdfCostRefused {
                iterations,
                min,
                max,
            } => write!(
                f,
                "refused: keyslot asks for {iterations} PBKDF2 iterations (accepted: {min}..={max})"
            ),
            Error::Argon2CostRefused {
                memory_kib,
                passes,
                lanes,
            } => write!(
                f,
                "refused: keyslot asks for Argon2id with {memory_kib} KiB, {passes} passes, \
                 {lanes} lanes (accepted: {}..={} KiB, 1..={} passes, 1..={} lanes)",
                crate::constants::MIN_ARGON2_MEMORY_KIB,
                crate::constants::MAX_ARGON2_MEMORY_KIB,
                crate::constants::MAX_ARGON2_PASSES,
                crate::constants::MAX_ARGON2_LANES,
            ),
            Error::KdfMemoryUnavailable { needed_kib } => write!(
                f,
                "unsupported here: the keyslot's Argon2id needs {needed_kib} KiB of memory, \
                 more than this reader has"
            ),
            Error::UnsupportedSlot { slot } => {
                write!(
                    f,
                    "keyslot {slot} uses an unknown kind or key-derivation function"
                )
            }
            Error::HeaderDamaged => f.write_str("both copies of the header are damaged"),
            Error::Malformed { reason } => write!(f, "malformed file: {reason}"),
            Error::Truncated { expected, actual } => {
                write!(f, "file is truncated: {actual} of {expected} bytes present")
            }
            Error::WrongSecret => f.write_str("wrong password or recovery secret (file intact)"),
            Error::NoSuchSlot => f.write_str("the file has no keyslot of that kind"),
            Error::HeaderAuthFailed => {
                f.write_str("header authentication failed: the header was modified")
            }
            Error::RecordDamaged { index } => write!(f, "record {index} is damaged"),
            Error::RecordMissing { index } => {
                write!(f, "record {index} is missing (file truncated)")
            }
            Error::RecordAuthFailed { index } => {
                write!(f, "record {index} failed authentication: it was modified")
            }
            Error::RecordForeign { index } => write!(
                f,
                "record {index} is not the one the header lists: it was taken from another \
                 copy of this vault (tampering)"
            ),
            Error::RecordMalformed { index, reason } => {
                write!(f, "record {index} is malformed: {reason}")
            }
            Error::BufferTooSmall { needed } => {
                write!(f, "buffer too small: {needed} bytes needed")
            }
            Error::InvalidInput { reason } => write!(f, "invalid input: {reason}"),
        }
    }
}

impl core::error::Error for Error {}

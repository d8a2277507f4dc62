//! # vault-core
//!
//! The core of airvault: the v1 vault file format and all of its cryptography, with no
//! operating system, no heap, no clock and no global random number generator. Callers pass
//! byte buffers, the time (seconds since the Unix epoch) and a
//! [`rand_core::CryptoRngCore`].
//!
//! The construction (see `docs/FORMAT.md`):
//! - keyslots wrap a random 256-bit vault master key (VMK) under a key derived with
//!   PBKDF2-HMAC-SHA256 or, for passwords, Argon2id in memory the caller supplies;
//! - subkeys are `HMAC-SHA256(key, label)` with a distinct label per purpose;
//! - every record is AES-256-CBC (fresh IV, PKCS#7) then HMAC-SHA256 over the header
//!   fields that describe it, its IV and its ciphertext; the MAC is checked in constant
//!   time before any decryption;
//! - the header (stored twice) carries the record table with an unkeyed SHA-256 checksum
//!   per record, and is itself MACed under the VMK, binding the set and order of records.
//!
//! Reading: [`VaultFile::parse`] → [`VaultFile::verify`] (keyless) →
//! [`VaultFile::unlock`] → [`UnlockedVault::open_record`].
//! Writing: [`SealedSlot::seal`] → [`VaultWriter::new`] → `push_entry`/`push_audit` →
//! [`VaultWriter::finish`], into a buffer of [`Layout::file_len`] bytes.
//!
//! Without holding a whole file (a large vault, storage that cannot be mapped): parse the
//! first header copy alone, open records fetched one at a time
//! ([`RecordRef::with_bytes`]) and confirm the rest with [`StreamCheck`]; write with
//! [`StreamWriter`], which keeps only the header and encrypts one record at a time.
//! ASCII armor likewise goes one line at a time with [`armor::Encoder`] and
//! [`armor::Decoder`].

#![no_std]
#![deny(missing_docs)]
#![deny(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

#[cfg(test)]
#[macro_use]
extern crate std;

#[cfg(feature = "alloc")]
extern crate alloc;

pub mod armor;
pub mod audit;
pub mod constants;
pub mod error;
pub mod format;
pub mod kdf;
pub mod legacy;
#[cfg(feature = "alloc")]
pub mod model;
pub mod records;
pub mod recovery_code;
pub mod rewrite;
pub(crate) mod sealing;
pub mod secrets;
pub mod slip39;
pub mod vault;
pub mod writer;

pub use error::{Error, ErrorKind};
pub use format::{
    PartState, RecordKind, RecordRef, SlotKind, StreamCheck, VaultFile, Verification,
};
/// The bounded collections of the public API (e.g. [`slip39::split`] fills a `heapless::Vec`).
pub use heapless;
pub use kdf::{Argon2Block, Argon2Params, KdfLimits, Pbkdf2, SlotKdf};
pub use records::{
    is_low_entropy, AuditEvent, AuditOp, Entry, EntryKind, EntryStatus, Kcv, Meta, Record,
};
pub use rewrite::Rewrite;
pub use secrets::{CheckKey, RecoverySecret, SlotKey, VaultMasterKey};
pub use vault::UnlockedVault;
pub use writer::{HeaderParams, Layout, SealedSlot, StreamWriter, VaultWriter};

#[cfg(test)]
mod test_util {
    use std::string::String;
    use std::vec::Vec;

    pub(crate) fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| std::format!("{b:02x}")).collect()
    }

    pub(crate) fn unhex(s: &str) -> Vec<u8> {
        let s: Vec<u8> = s.bytes().filter(u8::is_ascii_hexdigit).collect();
        s.chunks(2)
            .map(|p| u8::from_str_radix(core::str::from_utf8(p).unwrap(), 16).unwrap())
            .collect()
    }
}

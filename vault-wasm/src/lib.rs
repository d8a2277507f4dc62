//! # vault-wasm
//!
//! WebAssembly bindings of [`vault_core`] for airvault's self-contained restore page
//! (`web/`). Thin by design: every part of the file format and its cryptography — parsing,
//! the keyless check, PBKDF2, keyslot unwrapping, record decryption, armor, the recovery
//! code, writing a new file — is vault-core's; this crate only owns buffers, turns errors
//! into JavaScript errors, and draws randomness from `crypto.getRandomValues`.
//!
//! Flow, as the page uses it:
//! 1. [`Backup::open`] (bytes or armored text) or [`Backup::from_armor`], then
//!    [`Backup::verify`] — the keyless verdict.
//! 2. For a keyslot from [`Backup::slots`], derive its key from the password — or from the
//!    recovery secret that [`parse_recovery_code`] or [`combine_shares`] gives — with
//!    WebCrypto (`deriveBits`, PBKDF2-SHA256) and wrap it with [`SlotKey::from_bytes`], or
//!    run a [`KdfJob`] in steps — or, for an Argon2id keyslot, [`derive_argon2id`]; then
//!    [`Backup::unlock`].
//! 3. [`Vault::entries`], [`Vault::reveal`] / [`Vault::secret_bytes`] on request,
//!    [`Vault::lost`] for records that did not open, [`Vault::audit_trail`] and
//!    [`Vault::audit_chain`], and [`Vault::rewrap_with_password`] to save a new vault file.
//!
//! # Errors
//! Every fallible call throws an `Error` named `AirvaultError` with a stable `code`
//! (vault-core's [`vault_core::Error::code`], or `armor_*`, `recovery_code_*`, `share_*`,
//! `shares_*`), a `category` (`authentication`, `corrupted`, `unsupported`, `bad_input`)
//! with the command line's `exitCode` for it (4, 5, 6, 2), a plain message, and the
//! position at fault where there is one; see [`WasmError`].
//!
//! # Security
//! Secrets that come in from JavaScript (passwords, recovery codes, derived keys) are taken
//! as `Uint8Array`s and wiped after use — in wasm memory and, because wasm-bindgen copies a
//! `&mut [u8]` back, in the caller's array too. Decrypted records live in buffers that are
//! wiped when dropped; a secret leaves wasm memory only as the string or array that the
//! page asked for. No error or `Debug` output holds a secret.

#![deny(missing_docs)]
#![deny(unsafe_code)]

mod backup;
mod encode;
mod error;
mod file;
mod info;
mod kdf;
mod recovery;
mod salvage;
mod vault;

pub use backup::{Backup, RecordInfo, SlotInfo, Verification};
pub use error::{Category, WasmError};
pub use info::{AuditInfo, EntryInfo, LostRecord, LostVersionInfo, SalvagedEntryInfo};
pub use kdf::{default_iterations, derive_argon2id, random_salt, KdfJob, SlotKey};
pub use recovery::{combine_shares, parse_recovery_code};
pub use salvage::{Salvage, Salvaged, Taken};
pub use vault::Vault;

use wasm_bindgen::prelude::*;

/// The version of this build of airvault's core.
#[wasm_bindgen]
#[must_use]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").into()
}

/// Whether `bytes` hold armored text (a `-----BEGIN AIRVAULT BACKUP-----` line).
#[wasm_bindgen(js_name = isArmored)]
#[must_use]
pub fn is_armored(bytes: &[u8]) -> bool {
    vault_core::armor::is_armored(bytes)
}

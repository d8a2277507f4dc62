//! SLIP-39: Shamir's Secret-Sharing for Mnemonic Codes.
//!
//! A `no_std`, allocation-free implementation of
//! [SLIP-0039](https://github.com/satoshilabs/slips/blob/master/slip-0039.md),
//! interoperable with the reference implementation (`shamir-mnemonic`).
//!
//! * [`split`] encrypts a master secret with the SLIP-39 Feistel cipher and
//!   splits it into a single group of `threshold`-of-`count` shares.
//! * [`combine`] / [`combine_mnemonics`] implement the full standard,
//!   including multi-group share sets.
//! * [`parse_mnemonic`] / [`write_mnemonic`] convert between shares and words.
//!
//! # Security properties
//!
//! * Arithmetic on secret data (GF(256) multiplication and inversion, the
//!   share values, RS1024, word lookup, the digest comparison) is constant
//!   time: no secret-indexed tables, no secret-dependent branches.
//! * Share values and every intermediate buffer holding secret material are
//!   zeroized when dropped. Values moved by the compiler (e.g. a [`Share`]
//!   returned by value) may leave copies on the stack that cannot be wiped.
//! * No input-driven path panics; errors never contain secret material.

#![deny(missing_docs)]
#![deny(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![deny(clippy::indexing_slicing)]

mod cipher;
mod error;
mod gf256;
mod rs1024;
mod shamir;
mod share;
mod wordlist;

pub use self::error::{MnemonicError, Parameter, Slip39Error};
pub use self::shamir::{combine, combine_mnemonics, split};
pub use self::share::{parse_mnemonic, write_mnemonic, Share};
pub use self::wordlist::{word_index, WORDLIST};

/// Maximum number of shares held at once (and members per group, and groups).
pub const MAX_SHARES: usize = 16;

/// Shortest supported master secret, in bytes (128 bits).
pub const MIN_SECRET_LEN: usize = 16;

/// Longest supported master secret, in bytes (256 bits).
pub const MAX_SECRET_LEN: usize = 32;

/// Longest mnemonic [`write_mnemonic`] produces, in bytes: 33 words of at most
/// 8 letters and 32 separating spaces.
pub const MAX_MNEMONIC_LEN: usize = MAX_WORDS * 8 + (MAX_WORDS - 1);

/// Fewest words in a share (128-bit secret).
const MIN_WORDS: usize = 20;

/// Most words in a supported share (256-bit secret).
const MAX_WORDS: usize = 33;

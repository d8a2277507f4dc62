//! Errors as the restore page sees them: a JS `Error` named `AirvaultError` with a stable
//! machine-readable `code`, a `category` and `exitCode` that match the command line's
//! exit codes, a plain message, and where it helps the position at fault: a `line`
//! (armor), a `group` (recovery code), a `share` and `word` (SLIP-39 shares), a `record`
//! (a record index), or how many shares are `needed`. No error ever carries a secret.

use core::fmt;

use vault_core::armor::ArmorError;
use vault_core::recovery_code::RecoveryCodeError;
use vault_core::slip39::{MnemonicError, Slip39Error};
use vault_core::{Error, ErrorKind};
use wasm_bindgen::JsValue;

/// The categories of failure, as the CLI's exit codes group them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    /// The password, recovery code or shares are wrong; the file is intact.
    Authentication,
    /// The file (or its armored text) is damaged, truncated, malformed or was modified.
    Corrupted,
    /// The file uses a version or parameter this build refuses to process.
    Unsupported,
    /// The caller or the user gave something unusable (a mistyped recovery code, a bad
    /// argument).
    BadInput,
}

impl Category {
    /// The name the page and scripts see: `authentication`, `corrupted`, `unsupported`,
    /// `bad_input`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Authentication => "authentication",
            Self::Corrupted => "corrupted",
            Self::Unsupported => "unsupported",
            Self::BadInput => "bad_input",
        }
    }

    /// The command line's exit code for this category (`docs/CLI.md`): 4, 5, 6, or 2.
    #[must_use]
    pub const fn exit_code(self) -> u8 {
        match self {
            Self::Authentication => 4,
            Self::Corrupted => 5,
            Self::Unsupported => 6,
            Self::BadInput => 2,
        }
    }
}

impl From<ErrorKind> for Category {
    fn from(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::Authentication => Self::Authentication,
            ErrorKind::Corrupted => Self::Corrupted,
            ErrorKind::Unsupported => Self::Unsupported,
            _ => Self::BadInput,
        }
    }
}

/// An error returned to JavaScript. Thrown there as an `Error` with `name =
/// "AirvaultError"` and the properties `code`, `category`, `exitCode`, and the details
/// that apply (`line`, `group`, `share`, `word`, `record`, `needed`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WasmError {
    code: &'static str,
    category: Category,
    message: String,
    details: Vec<(&'static str, u64)>,
}

impl WasmError {
    /// An error with no details.
    pub(crate) fn new(code: &'static str, category: Category, message: impl Into<String>) -> Self {
        Self {
            code,
            category,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// Adds a detail (a position or count, never a secret), if known.
    #[must_use]
    pub(crate) fn with(mut self, name: &'static str, value: Option<impl Into<u64>>) -> Self {
        if let Some(v) = value {
            self.details.push((name, v.into()));
        }
        self
    }

    /// A bad argument from the calling script.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new("invalid_input", Category::BadInput, message)
    }

    /// The stable machine-readable name, e.g. `wrong_password`, `record_damaged`,
    /// `armor_bad_line`, `recovery_code_bad_group`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The category.
    #[must_use]
    pub fn category(&self) -> Category {
        self.category
    }

    /// The plain-words message.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The detail `name` (`line`, `group`, `share`, `word`, `record`, `needed`), if set.
    #[must_use]
    pub fn detail(&self, name: &str) -> Option<u64> {
        self.details
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }

    /// The text line (from 1) of armored input at fault.
    #[must_use]
    pub fn line(&self) -> Option<u64> {
        self.detail("line")
    }

    /// The recovery-code group (from 1) at fault.
    #[must_use]
    pub fn group(&self) -> Option<u64> {
        self.detail("group")
    }

    /// The record (table index) at fault.
    #[must_use]
    pub fn record(&self) -> Option<u64> {
        self.detail("record")
    }
}

impl fmt::Display for WasmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl core::error::Error for WasmError {}

impl From<Error> for WasmError {
    fn from(e: Error) -> Self {
        let record = match e {
            Error::RecordDamaged { index }
            | Error::RecordMissing { index }
            | Error::RecordAuthFailed { index }
            | Error::RecordForeign { index }
            | Error::RecordMalformed { index, .. } => Some(index),
            _ => None,
        };
        Self::new(e.code(), e.kind().into(), e.to_string()).with("record", record)
    }
}

impl From<ArmorError> for WasmError {
    fn from(e: ArmorError) -> Self {
        let (code, category, line) = match e {
            ArmorError::NoBeginLine => ("armor_no_begin_line", Category::BadInput, None),
            ArmorError::NoEndLine => ("armor_no_end_line", Category::Corrupted, None),
            ArmorError::BadHeader { line } => ("armor_bad_header", Category::Corrupted, Some(line)),
            ArmorError::UnsupportedVersion { line } => (
                "armor_unsupported_version",
                Category::Unsupported,
                Some(line),
            ),
            ArmorError::BadCharacter { line } => {
                ("armor_bad_character", Category::Corrupted, Some(line))
            }
            ArmorError::BadLine { line, .. } => ("armor_bad_line", Category::Corrupted, Some(line)),
            ArmorError::NonZeroPadding { line, .. } => {
                ("armor_nonzero_padding", Category::Corrupted, Some(line))
            }
            ArmorError::WrongLineLength { line, .. } => {
                ("armor_wrong_line_length", Category::Corrupted, Some(line))
            }
            ArmorError::WrongLineNumber { line, .. } => {
                ("armor_wrong_line_number", Category::Corrupted, Some(line))
            }
            ArmorError::MissingLines { line, .. } => {
                ("armor_missing_lines", Category::Corrupted, Some(line))
            }
            ArmorError::BufferTooSmall { .. } => ("armor_too_large", Category::BadInput, None),
            _ => ("armor_invalid", Category::Corrupted, None),
        };
        Self::new(code, category, e.to_string()).with("line", line.map(|l| l as u64))
    }
}

impl From<RecoveryCodeError> for WasmError {
    fn from(e: RecoveryCodeError) -> Self {
        let (code, group) = match e {
            RecoveryCodeError::WrongShape { .. } => ("recovery_code_wrong_shape", None),
            RecoveryCodeError::BadCharacter => ("recovery_code_bad_character", None),
            RecoveryCodeError::BadGroup { group } => ("recovery_code_bad_group", Some(group)),
            _ => ("recovery_code_invalid", None),
        };
        Self::new(code, Category::BadInput, e.to_string()).with("group", group.map(|g| g as u64))
    }
}

impl From<Slip39Error> for WasmError {
    fn from(e: Slip39Error) -> Self {
        let message = e.to_string();
        let pos = |p: usize| Some(p as u64);
        let (code, share, word, needed) = match e {
            Slip39Error::Mnemonic(m) => mnemonic_code(m, None),
            Slip39Error::Share { share, error } => mnemonic_code(error, pos(share)),
            Slip39Error::NoShares => ("shares_none", None, None, None),
            Slip39Error::TooManyShares { .. }
            | Slip39Error::TooManyGroupShares { .. }
            | Slip39Error::TooManyGroups { .. } => ("shares_too_many", None, None, None),
            Slip39Error::DifferentSets { share, .. } | Slip39Error::Mismatch { share, .. } => {
                ("shares_different_sets", pos(share), None, None)
            }
            Slip39Error::SameShare { second, .. }
            | Slip39Error::DuplicateMemberIndex { second, .. } => {
                ("shares_duplicate", pos(second), None, None)
            }
            Slip39Error::NotEnoughShares { have, needed, .. }
            | Slip39Error::NotEnoughGroups { have, needed } => (
                "shares_not_enough",
                None,
                None,
                Some(u64::from(needed.saturating_sub(have))),
            ),
            Slip39Error::DigestMismatch { .. } => ("shares_digest_mismatch", None, None, None),
            _ => ("shares_invalid", None, None, None),
        };
        Self::new(code, Category::BadInput, message)
            .with("share", share)
            .with("word", word)
            .with("needed", needed)
    }
}

/// The code, share and word of a problem with one share.
fn mnemonic_code(
    e: MnemonicError,
    share: Option<u64>,
) -> (&'static str, Option<u64>, Option<u64>, Option<u64>) {
    match e {
        MnemonicError::UnknownWord { word } => {
            ("share_unknown_word", share, Some(word as u64), None)
        }
        MnemonicError::Checksum { suspect_word } => (
            "share_checksum",
            share,
            suspect_word.map(|w| w as u64),
            None,
        ),
        MnemonicError::WordCount { .. } => ("share_word_count", share, None, None),
        _ => ("share_invalid", share, None, None),
    }
}

impl From<WasmError> for JsValue {
    fn from(e: WasmError) -> Self {
        let err = js_sys::Error::new(&e.message);
        err.set_name("AirvaultError");
        let set = |key: &str, value: JsValue| {
            // Setting a property on a fresh Error object cannot fail.
            let _ = js_sys::Reflect::set(&err, &JsValue::from_str(key), &value);
        };
        set("code", JsValue::from_str(e.code));
        set("category", JsValue::from_str(e.category.name()));
        set("exitCode", JsValue::from(e.category.exit_code()));
        for (name, value) in &e.details {
            set(name, JsValue::from_f64(*value as f64));
        }
        err.into()
    }
}

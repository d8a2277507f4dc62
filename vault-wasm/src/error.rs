//! Errors as the restore page sees them: a JS `Error` named `AirvaultError` with a stable
//! machine-readable `code`, a `category` that matches the command line's exit-code
//! categories, a plain message, and where it helps a `line` (armor), a `group` (recovery
//! code) or a `record` (a record index). No error ever carries a secret.

use core::fmt;

use vault_core::armor::ArmorError;
use vault_core::recovery_code::RecoveryCodeError;
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
/// "AirvaultError"` and the properties `code`, `category`, and `line`, `group` or
/// `record` when known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WasmError {
    code: &'static str,
    category: Category,
    message: String,
    line: Option<usize>,
    group: Option<usize>,
    record: Option<u32>,
}

impl WasmError {
    /// An error with no location.
    pub(crate) fn new(code: &'static str, category: Category, message: impl Into<String>) -> Self {
        Self {
            code,
            category,
            message: message.into(),
            line: None,
            group: None,
            record: None,
        }
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

    /// The text line (from 1) of armored input at fault.
    #[must_use]
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// The recovery-code group (from 1) at fault.
    #[must_use]
    pub fn group(&self) -> Option<usize> {
        self.group
    }

    /// The record (table index) at fault.
    #[must_use]
    pub fn record(&self) -> Option<u32> {
        self.record
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
        let mut w = Self::new(e.code(), e.kind().into(), e.to_string());
        w.record = match e {
            Error::RecordDamaged { index }
            | Error::RecordMissing { index }
            | Error::RecordAuthFailed { index }
            | Error::RecordMalformed { index, .. } => Some(index),
            _ => None,
        };
        w
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
        let mut w = Self::new(code, category, e.to_string());
        w.line = line;
        w
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
        let mut w = Self::new(code, Category::BadInput, e.to_string());
        w.group = group;
        w
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
        if let Some(line) = e.line {
            set("line", JsValue::from_f64(line as f64));
        }
        if let Some(group) = e.group {
            set("group", JsValue::from_f64(group as f64));
        }
        if let Some(record) = e.record {
            set("record", JsValue::from_f64(f64::from(record)));
        }
        err.into()
    }
}

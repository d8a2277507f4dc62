//! The bridge to the operating system's keyring, where applications keep the keys they
//! read every day: the Secret Service (GNOME Keyring, KWallet) on Linux and the BSDs, the
//! Keychain on macOS, the Credential Manager on Windows, all through the `keyring` crate.
//!
//! An item is named by a service and an account (the Secret Service attributes `service`
//! and `username`, which `secret-tool` also uses). The origin of a secret read from the
//! keyring is remembered in the vault as the detail of the audit event that stored it
//! ([`ItemName::detail`], specified in `docs/FORMAT.md`), so that it can be put back there.
//!
//! Every failure to reach the keyring is exit 3 (I/O): a machine without one (no session
//! bus, no Secret Service) fails only the commands that use it.
//!
//! # Security
//! The secret travels to and from the keyring daemon over the session bus (encrypted with
//! the Secret Service's Diffie-Hellman session on Linux). The copies this module holds are
//! wiped on drop; the copies inside the platform libraries are theirs.

use std::fmt;

use zeroize::Zeroizing;

use crate::error::{CliError, Exit, Result};

/// What an audit detail starts with when the secret of that version was read from the
/// keyring: `from keyring SERVICE/ACCOUNT` (`docs/FORMAT.md`, "Keyring origin").
pub const DETAIL_PREFIX: &str = "from keyring ";

/// Longest audit detail the format allows, in bytes.
const MAX_DETAIL: usize = vault_core::constants::MAX_AUDIT_DETAIL_LEN;

/// A keyring item: a service and an account. Written `SERVICE/ACCOUNT`; the service holds
/// no `/`, the account may.
#[derive(Clone, PartialEq, Eq)]
pub struct ItemName {
    service: String,
    account: String,
}

impl ItemName {
    /// `SERVICE/ACCOUNT` split at its first `/`.
    ///
    /// # Errors
    /// Exit 2 when either part is empty, holds a control character, or the origin would
    /// not fit in an audit detail (256 bytes with its prefix).
    pub fn parse(text: &str) -> Result<Self> {
        let usage = || {
            CliError::usage(format!(
                "'{}' is not a keyring item: give SERVICE/ACCOUNT",
                text.chars()
                    .map(|c| if c.is_control() { '?' } else { c })
                    .collect::<String>()
            ))
        };
        let (service, account) = text.split_once('/').ok_or_else(|| {
            usage().hint("e.g. --from-keyring myapp/db-key (service myapp, account db-key)")
        })?;
        if service.is_empty() || account.is_empty() {
            return Err(usage().hint("neither the service nor the account may be empty"));
        }
        if text.chars().any(char::is_control) {
            return Err(usage().hint("remove the control characters"));
        }
        let item = Self {
            service: service.to_owned(),
            account: account.to_owned(),
        };
        if item.detail().len() > MAX_DETAIL {
            return Err(CliError::usage(format!(
                "the keyring item name is {} bytes long; at most {} fit in the vault's record \
                 of where a secret came from",
                text.len(),
                MAX_DETAIL - DETAIL_PREFIX.len()
            ))
            .hint("store it under a shorter service or account name"));
        }
        Ok(item)
    }

    /// The item an audit detail names, if the detail is a keyring origin.
    #[must_use]
    pub fn from_detail(detail: &str) -> Option<Self> {
        Self::parse(detail.strip_prefix(DETAIL_PREFIX)?).ok()
    }

    /// The audit detail recording that a secret came from this item:
    /// `from keyring SERVICE/ACCOUNT`.
    #[must_use]
    pub fn detail(&self) -> String {
        format!("{DETAIL_PREFIX}{self}")
    }

    /// The service.
    #[must_use]
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The account.
    #[must_use]
    pub fn account(&self) -> &str {
        &self.account
    }
}

impl fmt::Display for ItemName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.service, self.account)
    }
}

impl fmt::Debug for ItemName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ItemName({self})")
    }
}

/// The secret of `item`.
///
/// # Errors
/// Exit 2 if there is no such item, or more than one; exit 3 if the keyring cannot be
/// reached.
pub fn read(item: &ItemName) -> Result<Zeroizing<Vec<u8>>> {
    lookup(item)?.ok_or_else(|| {
        CliError::usage(format!("the keyring has no item {item}")).hint(format!(
            "check the service and account (secret-tool search service {})",
            item.service
        ))
    })
}

/// The secret of `item`, or `None` if the keyring has no such item.
///
/// # Errors
/// Exit 2 if more than one item matches; exit 3 if the keyring cannot be reached.
pub fn lookup(item: &ItemName) -> Result<Option<Zeroizing<Vec<u8>>>> {
    platform::lookup(item)
}

/// Stores `secret` as `item`, replacing the secret of an existing item.
///
/// # Errors
/// Exit 2 if more than one item matches; exit 3 if the keyring cannot be reached or
/// refuses the write.
pub fn write(item: &ItemName, secret: &[u8]) -> Result<()> {
    platform::write(item, secret)
}

/// Checks that the keyring can be reached, before anything is asked or read.
///
/// # Errors
/// Exit 3 if it cannot.
pub fn probe() -> Result<()> {
    let probe = ItemName {
        service: "airvault".to_owned(),
        account: "keyring-probe".to_owned(),
    };
    lookup(&probe).map(|_| ())
}

/// The one error for a keyring that cannot be reached or used.
fn unreachable(cause: &str) -> CliError {
    CliError::new(
        Exit::Io,
        format!("cannot use the OS keyring ({}): {cause}", platform::NAME),
    )
    .hint(platform::HINT)
}

#[cfg(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "macos",
    windows
))]
mod platform {
    use ::keyring::{Entry, Error as KeyringError};
    use zeroize::Zeroizing;

    use super::{unreachable, ItemName};
    use crate::error::{CliError, Result};

    #[cfg(not(any(target_os = "macos", windows)))]
    pub const NAME: &str = "Secret Service";
    #[cfg(target_os = "macos")]
    pub const NAME: &str = "Keychain";
    #[cfg(windows)]
    pub const NAME: &str = "Credential Manager";

    #[cfg(not(any(target_os = "macos", windows)))]
    pub const HINT: &str = "run it in a desktop session whose keyring is unlocked (GNOME \
                            Keyring or KWallet on the D-Bus session bus); this machine may \
                            have none";
    #[cfg(any(target_os = "macos", windows))]
    pub const HINT: &str = "run it in the user's logged-in session";

    fn entry(item: &ItemName) -> Result<Entry> {
        Entry::new(item.service(), item.account()).map_err(|e| error(&e, item))
    }

    fn error(e: &KeyringError, item: &ItemName) -> CliError {
        match e {
            KeyringError::Ambiguous(found) => {
                CliError::usage(format!("{} keyring items match {item}", found.len()))
                    .hint("remove the duplicates with the keyring's own tool, keeping one")
            }
            KeyringError::TooLong(..) | KeyringError::Invalid(..) => {
                CliError::usage(format!("the keyring refuses the item name {item}: {e}"))
                    .hint("choose another service or account")
            }
            // The bytes inside `BadEncoding` are never shown.
            KeyringError::BadEncoding(_) => unreachable("the item's secret cannot be read"),
            other => unreachable(&first_line(&other.to_string())),
        }
    }

    /// Platform errors can be long; the first line says what went wrong.
    fn first_line(s: &str) -> String {
        let line = s.lines().next().unwrap_or_default();
        let mut out: String = line.chars().take(200).collect();
        if out.len() < line.len() {
            out.push('…');
        }
        out
    }

    pub fn lookup(item: &ItemName) -> Result<Option<Zeroizing<Vec<u8>>>> {
        match entry(item)?.get_secret() {
            Ok(secret) => Ok(Some(Zeroizing::new(secret))),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(e) => Err(error(&e, item)),
        }
    }

    pub fn write(item: &ItemName, secret: &[u8]) -> Result<()> {
        entry(item)?.set_secret(secret).map_err(|e| error(&e, item))
    }
}

#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "macos",
    windows
)))]
mod platform {
    use zeroize::Zeroizing;

    use super::{unreachable, ItemName};
    use crate::error::Result;

    pub const NAME: &str = "none on this platform";
    pub const HINT: &str = "airvault knows no keyring on this operating system";

    pub fn lookup(_item: &ItemName) -> Result<Option<Zeroizing<Vec<u8>>>> {
        Err(unreachable("not supported here"))
    }

    pub fn write(_item: &ItemName, _secret: &[u8]) -> Result<()> {
        Err(unreachable("not supported here"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_at_the_first_slash_and_round_trip_through_the_detail() {
        let item = ItemName::parse("myapp/db/key").unwrap();
        assert_eq!((item.service(), item.account()), ("myapp", "db/key"));
        assert_eq!(item.detail(), "from keyring myapp/db/key");
        assert_eq!(ItemName::from_detail(&item.detail()), Some(item));
        assert_eq!(ItemName::from_detail("from file key.pem"), None);
        for bad in ["", "app", "/acct", "app/", "a\u{7}/b"] {
            assert_eq!(
                ItemName::parse(bad).unwrap_err().exit(),
                Exit::Usage,
                "{bad}"
            );
        }
        let longest = format!("s/{}", "a".repeat(MAX_DETAIL - DETAIL_PREFIX.len() - 2));
        assert_eq!(
            ItemName::parse(&longest).unwrap().detail().len(),
            MAX_DETAIL
        );
        assert!(ItemName::parse(&format!("{longest}a")).is_err());
    }
}

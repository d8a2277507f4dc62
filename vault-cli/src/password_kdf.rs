//! The KDF of a new password keyslot, from the options of `init` and `passwd`: Argon2id by
//! default, PBKDF2 when asked for (`--kdf pbkdf2`, or `--iterations N`), each cost checked
//! against the format's bounds before any password is asked for.

use std::time::Duration;

use vault_core::constants::{DEFAULT_ITERATIONS, MAX_ARGON2_MEMORY_KIB, MIN_ARGON2_MEMORY_KIB};
use vault_core::{Argon2Params, KdfLimits, SlotKdf};

use crate::calibrate;
use crate::error::{CliError, Exit, Result};

/// Which KDF the user named with `--kdf`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KdfName {
    /// Argon2id: memory-hard, for the CLI and the restore page.
    Argon2id,
    /// PBKDF2-HMAC-SHA256: opens on a microcontroller too.
    Pbkdf2,
}

impl KdfName {
    /// Parses `argon2id` or `pbkdf2` (for clap).
    ///
    /// # Errors
    /// A message naming the two choices.
    pub fn parse(s: &str) -> std::result::Result<Self, String> {
        match s {
            "argon2id" => Ok(Self::Argon2id),
            "pbkdf2" => Ok(Self::Pbkdf2),
            _ => Err("expected argon2id or pbkdf2".to_owned()),
        }
    }
}

/// The KDF options of `init` and `passwd`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KdfOptions {
    /// `--kdf`.
    pub kdf: Option<KdfName>,
    /// `--iterations` (PBKDF2).
    pub iterations: Option<u32>,
    /// `--memory` in MiB (Argon2id).
    pub memory_mib: Option<u32>,
    /// `--passes` (Argon2id).
    pub passes: Option<u32>,
    /// `--lanes` (Argon2id).
    pub lanes: Option<u32>,
    /// `--target-time`.
    pub target_time: Option<Duration>,
}

impl KdfOptions {
    /// Whether the password keyslot will be PBKDF2: `--kdf pbkdf2`, or `--iterations`
    /// without `--kdf`.
    #[must_use]
    pub fn is_pbkdf2(&self) -> bool {
        match self.kdf {
            Some(name) => name == KdfName::Pbkdf2,
            None => self.iterations.is_some(),
        }
    }

    /// Refuses options that contradict each other (exit 2) and costs outside the format's
    /// bounds (exit 6), before any password is asked for or any work is done.
    ///
    /// # Errors
    /// Exit 2 or 6.
    pub fn check(&self) -> Result<()> {
        let argon2_given =
            self.memory_mib.is_some() || self.passes.is_some() || self.lanes.is_some();
        if self.is_pbkdf2() && argon2_given {
            return Err(CliError::usage(
                "--memory, --passes and --lanes are Argon2id settings; PBKDF2 has only \
                 --iterations",
            )
            .hint("leave out --kdf pbkdf2 and --iterations for an Argon2id keyslot"));
        }
        if !self.is_pbkdf2() && self.iterations.is_some() {
            return Err(CliError::usage(
                "--iterations is a PBKDF2 setting; Argon2id has --memory, --passes and --lanes",
            )
            .hint("use --kdf pbkdf2 --iterations N for a PBKDF2 keyslot"));
        }
        if let Some(n) = self.iterations {
            check_iterations(n)?;
        }
        if !self.is_pbkdf2() {
            let params = Argon2Params {
                memory_kib: self
                    .memory_mib
                    .map_or(MIN_ARGON2_MEMORY_KIB, |m| m.saturating_mul(1024)),
                passes: self.passes.unwrap_or(1),
                lanes: self.lanes.unwrap_or(1),
            };
            check_argon2(&params)?;
        }
        Ok(())
    }

    /// The password keyslot's KDF. `previous` is the KDF of the keyslot it replaces
    /// (`passwd`): without options, the new slot is never weaker than the previous one
    /// of the same kind nor than the default; and a PBKDF2 slot becomes Argon2id.
    ///
    /// # Errors
    /// As [`KdfOptions::check`].
    pub fn password_kdf(&self, previous: Option<SlotKdf>) -> Result<SlotKdf> {
        self.check()?;
        if self.is_pbkdf2() {
            let previous = match previous {
                Some(SlotKdf::Pbkdf2 { iterations }) => iterations,
                _ => DEFAULT_ITERATIONS,
            };
            return Ok(SlotKdf::Pbkdf2 {
                iterations: self.recovery_iterations(previous),
            });
        }
        let base = match (self.target_time, self.memory_mib) {
            (Some(t), None) => calibrate::argon2_for(t, self.passes, self.lanes),
            _ => {
                let d = Argon2Params::DEFAULT;
                match previous {
                    Some(SlotKdf::Argon2id(p)) => Argon2Params {
                        memory_kib: p.memory_kib.max(d.memory_kib),
                        passes: p.passes.max(d.passes),
                        lanes: p.lanes.max(d.lanes),
                    },
                    _ => d,
                }
            }
        };
        let params = Argon2Params {
            memory_kib: self
                .memory_mib
                .map_or(base.memory_kib, |m| m.saturating_mul(1024)),
            passes: self.passes.unwrap_or(base.passes),
            lanes: self.lanes.unwrap_or(base.lanes),
        };
        check_argon2(&params)?;
        Ok(SlotKdf::Argon2id(params))
    }

    /// PBKDF2 iterations for the recovery keyslot (and a PBKDF2 password keyslot):
    /// `--iterations N`, else what `--target-time` picks, else `previous` raised to the
    /// default.
    #[must_use]
    pub fn recovery_iterations(&self, previous: u32) -> u32 {
        match (self.iterations, self.target_time) {
            (Some(n), _) => n,
            (None, Some(t)) => calibrate::iterations_for(t),
            (None, None) => previous.max(DEFAULT_ITERATIONS),
        }
    }
}

/// Refuses an iteration count outside the format's bounds.
///
/// # Errors
/// Exit 6.
pub fn check_iterations(iterations: u32) -> Result<()> {
    let limits = KdfLimits::STANDARD;
    if limits.check(iterations).is_err() {
        return Err(CliError::new(
            Exit::Unsupported,
            format!(
                "{iterations} PBKDF2 iterations refused: the format accepts {} to {}",
                limits.min(),
                limits.max()
            ),
        )
        .hint(format!(
            "leave out --iterations for the default ({DEFAULT_ITERATIONS})"
        )));
    }
    Ok(())
}

/// Refuses Argon2id parameters outside the format's bounds.
///
/// # Errors
/// Exit 6.
pub fn check_argon2(params: &Argon2Params) -> Result<()> {
    if KdfLimits::STANDARD.check_argon2(params).is_err() {
        return Err(CliError::new(
            Exit::Unsupported,
            format!(
                "Argon2id with {} KiB, {} passes, {} lanes refused: the format accepts {} to \
                 {} MiB, 1 to 16 passes and 1 to 8 lanes",
                params.memory_kib,
                params.passes,
                params.lanes,
                MIN_ARGON2_MEMORY_KIB / 1024,
                MAX_ARGON2_MEMORY_KIB / 1024,
            ),
        )
        .hint(format!(
            "leave out --memory, --passes and --lanes for the default ({})",
            Argon2Params::DEFAULT
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_is_the_default_and_pbkdf2_is_asked_for() {
        let none = KdfOptions::default();
        assert_eq!(
            none.password_kdf(None).unwrap(),
            SlotKdf::Argon2id(Argon2Params::DEFAULT)
        );
        // A PBKDF2 slot being replaced becomes Argon2id.
        assert_eq!(
            none.password_kdf(Some(SlotKdf::Pbkdf2 {
                iterations: 900_000
            }))
            .unwrap(),
            SlotKdf::Argon2id(Argon2Params::DEFAULT)
        );
        // A stronger Argon2id slot stays as strong.
        let strong = Argon2Params {
            memory_kib: 1 << 20,
            passes: 2,
            lanes: 8,
        };
        assert_eq!(
            none.password_kdf(Some(SlotKdf::Argon2id(strong))).unwrap(),
            SlotKdf::Argon2id(Argon2Params {
                passes: 3,
                ..strong
            })
        );
        let iters = KdfOptions {
            iterations: Some(100_000),
            ..KdfOptions::default()
        };
        assert_eq!(
            iters.password_kdf(None).unwrap(),
            SlotKdf::Pbkdf2 {
                iterations: 100_000
            }
        );
        let pbkdf2 = KdfOptions {
            kdf: Some(KdfName::Pbkdf2),
            ..KdfOptions::default()
        };
        assert_eq!(
            pbkdf2.password_kdf(None).unwrap(),
            SlotKdf::Pbkdf2 {
                iterations: 600_000
            }
        );
        let low = KdfOptions {
            memory_mib: Some(8),
            passes: Some(1),
            lanes: Some(1),
            ..KdfOptions::default()
        };
        assert_eq!(
            low.password_kdf(None).unwrap(),
            SlotKdf::Argon2id(Argon2Params {
                memory_kib: 8192,
                passes: 1,
                lanes: 1
            })
        );
    }

    #[test]
    fn contradictions_and_bounds_are_refused() {
        let exit = |o: KdfOptions| o.check().unwrap_err().exit();
        let o = KdfOptions::default;
        assert_eq!(
            exit(KdfOptions {
                kdf: Some(KdfName::Argon2id),
                iterations: Some(600_000),
                ..o()
            }),
            Exit::Usage
        );
        assert_eq!(
            exit(KdfOptions {
                iterations: Some(600_000),
                memory_mib: Some(64),
                ..o()
            }),
            Exit::Usage
        );
        for bad in [
            KdfOptions {
                memory_mib: Some(7),
                ..o()
            },
            KdfOptions {
                memory_mib: Some(2049),
                ..o()
            },
            KdfOptions {
                memory_mib: Some(u32::MAX),
                ..o()
            },
            KdfOptions {
                passes: Some(17),
                ..o()
            },
            KdfOptions {
                lanes: Some(9),
                ..o()
            },
            KdfOptions {
                iterations: Some(99_999),
                ..o()
            },
        ] {
            assert_eq!(exit(bad), Exit::Unsupported, "{bad:?}");
        }
    }
}

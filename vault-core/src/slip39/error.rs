//! Error types. No error ever carries secret material: only positions,
//! counts, lengths and the public share parameters (identifier, thresholds).

use core::fmt;

/// A problem found in a single mnemonic on its own, before it is combined with
/// other shares.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MnemonicError {
    /// The word at this 1-based position is not a SLIP-39 word (nor a prefix
    /// of at least four letters of one).
    UnknownWord {
        /// 1-based position of the first unknown word.
        word: usize,
    },
    /// The mnemonic has a number of words that no SLIP-39 share can have, or
    /// more than the 33 words (256-bit secret) this implementation supports.
    WordCount {
        /// Number of words found.
        words: usize,
    },
    /// The RS1024 checksum does not match: a word is mistyped, missing, or the
    /// words are out of order.
    Checksum {
        /// 1-based position of the word that is probably mistyped, when
        /// exactly one wrong word explains the failure.
        suspect_word: Option<usize>,
    },
    /// The padding bits of the share value are not zero; the mnemonic is not a
    /// valid share although its checksum matches.
    Padding,
    /// The share claims a group threshold larger than its group count.
    GroupThreshold {
        /// The group threshold encoded in the share.
        threshold: u8,
        /// The group count encoded in the share.
        count: u8,
    },
}

/// Which parameter differs between two shares that should belong together.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parameter {
    /// The extendable backup flag.
    Extendable,
    /// The PBKDF2 iteration exponent.
    IterationExponent,
    /// The number of groups needed.
    GroupThreshold,
    /// The total number of groups.
    GroupCount,
    /// The number of shares needed within a group.
    MemberThreshold,
    /// The length of the share (number of words, i.e. size of the secret).
    Length,
}

/// Errors from splitting, parsing and combining SLIP-39 shares.
///
/// `Display` gives a one-line message meant for the person doing the recovery.
/// Share and group numbers in messages are 1-based.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slip39Error {
    /// The single mnemonic given to [`parse_mnemonic`](super::parse_mnemonic)
    /// is malformed.
    Mnemonic(MnemonicError),
    /// One mnemonic in a list of mnemonics is malformed.
    Share {
        /// 1-based position of the mnemonic in the caller's list.
        share: usize,
        /// What is wrong with it.
        error: MnemonicError,
    },
    /// No shares were given.
    NoShares,
    /// More shares were given than can be held at once.
    TooManyShares {
        /// The maximum number of shares accepted.
        max: usize,
    },
    /// Two shares have different identifiers, so they come from different
    /// sets (different backups).
    DifferentSets {
        /// 1-based position of the share the others are compared with.
        first: usize,
        /// 1-based position of the share that does not match.
        share: usize,
        /// Identifier of share `first`.
        first_identifier: u16,
        /// Identifier of share `share`.
        identifier: u16,
    },
    /// Two shares have the same identifier but a parameter that must match
    /// does not.
    Mismatch {
        /// 1-based position of the share compared with.
        first: usize,
        /// 1-based position of the share that does not match.
        share: usize,
        /// The parameter that differs.
        parameter: Parameter,
    },
    /// The same share was given twice.
    SameShare {
        /// 1-based position of the first copy.
        first: usize,
        /// 1-based position of the second copy.
        second: usize,
    },
    /// Two different shares have the same group and member index; at most one
    /// of them is genuine.
    DuplicateMemberIndex {
        /// 1-based position of the first share.
        first: usize,
        /// 1-based position of the second share.
        second: usize,
    },
    /// A group has fewer shares than its member threshold.
    NotEnoughShares {
        /// 1-based group number (group index + 1).
        group: u8,
        /// Total number of groups in the scheme (1 for a single-group scheme).
        group_count: u8,
        /// Number of shares of this group that were given.
        have: u8,
        /// The group's member threshold.
        needed: u8,
    },
    /// A group has more shares than its member threshold (the standard
    /// requires exactly the threshold number).
    TooManyGroupShares {
        /// 1-based group number (group index + 1).
        group: u8,
        /// Total number of groups in the scheme.
        group_count: u8,
        /// Number of shares of this group that were given.
        given: usize,
        /// The group's member threshold.
        needed: u8,
    },
    /// Shares from fewer groups than the group threshold were given.
    NotEnoughGroups {
        /// Number of distinct groups given.
        have: u8,
        /// The group threshold.
        needed: u8,
    },
    /// Shares from more groups than the group threshold were given (the
    /// standard requires exactly the threshold number).
    TooManyGroups {
        /// Number of distinct groups given.
        given: u8,
        /// The group threshold.
        needed: u8,
    },
    /// The shares are individually valid but do not combine to a consistent
    /// secret: the digest check failed.
    DigestMismatch {
        /// 1-based group number whose member shares failed the check, or
        /// `None` for a single-group scheme or the final combination of groups.
        group: Option<u8>,
    },
    /// The output buffer is shorter than the master secret.
    OutputTooSmall {
        /// Required length in bytes.
        needed: usize,
    },
    /// The master secret to split has an unsupported length.
    InvalidSecretLength {
        /// Length in bytes of the given secret.
        len: usize,
    },
    /// The requested threshold/count are not a valid scheme.
    InvalidThreshold {
        /// Requested threshold.
        threshold: u8,
        /// Requested number of shares.
        count: u8,
    },
    /// The requested iteration exponent does not fit in 4 bits.
    InvalidIterationExponent {
        /// Requested exponent.
        exponent: u8,
    },
    /// The passphrase contains characters other than printable ASCII.
    InvalidPassphrase,
    /// The random number generator failed.
    Rng,
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

impl fmt::Display for MnemonicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::UnknownWord { word } => {
                write!(f, "word {word} is not in the SLIP-39 wordlist")
            }
            Self::WordCount { words } if words > super::MAX_WORDS => write!(
                f,
                "{words} words is too long: shares of more than {} words are not supported",
                super::MAX_WORDS
            ),
            Self::WordCount { words } => write!(
                f,
                "{words} word{} is not a valid share length (a share has 20 words, \
                 or 33 words for a 256-bit secret) — a word is missing or extra",
                plural(words)
            ),
            Self::Checksum {
                suspect_word: Some(word),
            } => write!(
                f,
                "checksum does not match — word {word} is probably mistyped"
            ),
            Self::Checksum { suspect_word: None } => write!(
                f,
                "checksum does not match — a word is mistyped, or words are swapped"
            ),
            Self::Padding => write!(
                f,
                "not a valid SLIP-39 share (non-zero padding bits) — check the words"
            ),
            Self::GroupThreshold { threshold, count } => write!(
                f,
                "not a valid SLIP-39 share (it needs {threshold} of only {count} group{})",
                plural(usize::from(count))
            ),
        }
    }
}

impl fmt::Display for Parameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Extendable => "extendable flag",
            Self::IterationExponent => "iteration exponent",
            Self::GroupThreshold => "group threshold",
            Self::GroupCount => "group count",
            Self::MemberThreshold => "member threshold",
            Self::Length => "number of words",
        })
    }
}

/// Writes "group N: " when the scheme has more than one group.
fn group_prefix(f: &mut fmt::Formatter<'_>, group: u8, group_count: u8) -> fmt::Result {
    if group_count > 1 {
        write!(f, "group {group}: ")
    } else {
        Ok(())
    }
}

impl fmt::Display for Slip39Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Mnemonic(error) => write!(f, "{error}"),
            Self::Share { share, error } => write!(f, "share {share}: {error}"),
            Self::NoShares => f.write_str("no shares were given"),
            Self::TooManyShares { max } => {
                write!(f, "too many shares: at most {max} can be combined at once")
            }
            Self::DifferentSets {
                first,
                share,
                first_identifier,
                identifier,
            } => write!(
                f,
                "shares come from different sets (identifier {first_identifier} vs \
                 {identifier}): share {share} does not belong with share {first}"
            ),
            Self::Mismatch {
                first,
                share,
                parameter,
            } => write!(
                f,
                "shares {first} and {share} come from different sets (different {parameter})"
            ),
            Self::SameShare { first, second } => {
                write!(f, "shares {first} and {second} are the same share")
            }
            Self::DuplicateMemberIndex { first, second } => write!(
                f,
                "shares {first} and {second} are different but have the same share number \
                 — one of them is from another set or is damaged"
            ),
            Self::NotEnoughShares {
                group,
                group_count,
                have,
                needed,
            } => {
                group_prefix(f, group, group_count)?;
                let missing = usize::from(needed.saturating_sub(have));
                write!(
                    f,
                    "{missing} more share{} {} needed (have {have} of {needed})",
                    plural(missing),
                    if missing == 1 { "is" } else { "are" }
                )
            }
            Self::TooManyGroupShares {
                group,
                group_count,
                given,
                needed,
            } => {
                group_prefix(f, group, group_count)?;
                write!(
                    f,
                    "{given} shares were given but exactly {needed} must be used — remove {}",
                    given.saturating_sub(usize::from(needed))
                )
            }
            Self::NotEnoughGroups { have, needed } => {
                let missing = usize::from(needed.saturating_sub(have));
                write!(
                    f,
                    "shares from {missing} more group{} are needed (have {have} of {needed} groups)",
                    plural(missing)
                )
            }
            Self::TooManyGroups { given, needed } => write!(
                f,
                "shares from {given} groups were given but exactly {needed} group{} must be used",
                plural(usize::from(needed))
            ),
            Self::DigestMismatch { group } => {
                if let Some(group) = group {
                    write!(f, "group {group}: ")?;
                }
                f.write_str(
                    "the shares do not fit together (digest check failed) \
                     — a share is damaged or not genuine",
                )
            }
            Self::OutputTooSmall { needed } => {
                write!(f, "output buffer too small ({needed} bytes needed)")
            }
            Self::InvalidSecretLength { len } => write!(
                f,
                "master secret must be an even number of bytes from 16 to 32 (got {len})"
            ),
            Self::InvalidThreshold { threshold, count } => write!(
                f,
                "cannot make a {threshold}-of-{count} scheme: need 1 <= threshold <= count <= 16, \
                 and threshold 1 only with a single share"
            ),
            Self::InvalidIterationExponent { exponent } => {
                write!(f, "iteration exponent {exponent} is too large (maximum 15)")
            }
            Self::InvalidPassphrase => {
                f.write_str("the passphrase must contain only printable ASCII characters")
            }
            Self::Rng => f.write_str("the random number generator failed"),
        }
    }
}

impl core::error::Error for MnemonicError {}

impl core::error::Error for Slip39Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Mnemonic(error) | Self::Share { error, .. } => Some(error),
            _ => None,
        }
    }
}

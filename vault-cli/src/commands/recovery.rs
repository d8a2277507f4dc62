//! Recovery material — the recovery code and SLIP-39 shares, read from files and turned
//! into the 128-bit recovery secret — and `airvault recovery show` / `recovery reset`.
//!
//! A mistyped code or share is bad input from the person recovering (exit 2, naming the
//! group, file or word); a well-formed code or share set that does not open a file is an
//! authentication failure (exit 4), decided where the file is opened.

use std::fmt;
use std::path::{Path, PathBuf};

use rand_core::OsRng;
use serde::{Serialize, Serializer};
use vault_core::constants::MAX_SLOTS;
use vault_core::recovery_code::{self, RecoveryCodeError};
use vault_core::slip39::{self, MnemonicError, Share, Slip39Error, MAX_SHARES};
use vault_core::{AuditOp, RecoverySecret, SlotKind, VaultMasterKey};
use zeroize::Zeroizing;

use super::{load_vault, now, save_vault, Context};
use crate::error::{show, CliError, Doing, Exit, Result};
use crate::files::read_secret_file;
use crate::progress;

/// Largest recovery-code or share file read.
pub const MAX_MATERIAL_FILE_LEN: usize = 64 * 1024;

/// Where the recovery secret comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecoveryMaterial {
    /// A file holding the recovery code.
    Code(PathBuf),
    /// Files holding one SLIP-39 share each.
    Shares(Vec<PathBuf>),
}

impl RecoveryMaterial {
    /// The material named by command-line flags, if any.
    #[must_use]
    pub fn from_args(code: Option<&Path>, shares: &[PathBuf]) -> Option<Self> {
        match (code, shares.is_empty()) {
            (Some(c), _) => Some(Self::Code(c.to_path_buf())),
            (None, false) => Some(Self::Shares(shares.to_vec())),
            (None, true) => None,
        }
    }

    /// The same material as command-line flags, for hints.
    #[must_use]
    pub fn as_flags(&self) -> String {
        match self {
            Self::Code(p) => format!("--recovery-code-file {}", show(p)),
            Self::Shares(ps) => ps
                .iter()
                .map(|p| format!("--share-file {}", show(p)))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

/// A recovery secret read from recovery material, and how it was obtained.
pub struct Recovered {
    /// The secret.
    pub secret: RecoverySecret,
    /// `recovery-code` or `shares`.
    pub method: &'static str,
    /// Number of shares combined (shares only).
    pub shares_used: Option<usize>,
    /// Shares needed, and the share set's identifier (shares only).
    pub set: Option<(u8, u16)>,
}

impl fmt::Debug for Recovered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recovered")
            .field("method", &self.method)
            .field("shares_used", &self.shares_used)
            .finish_non_exhaustive()
    }
}

impl Recovered {
    /// `the recovery code` or `2 shares`, for messages and audit details.
    #[must_use]
    pub fn describe(&self) -> String {
        match self.shares_used {
            Some(1) => "1 share".to_owned(),
            Some(n) => format!("{n} shares"),
            None => "the recovery code".to_owned(),
        }
    }
}

/// Reads recovery material into the recovery secret. No key derivation runs here.
///
/// # Errors
/// Exit 3 if a file cannot be read; exit 2 for a mistyped code (naming the group), a
/// share that does not parse (naming the file and word), shares from different sets,
/// duplicates, too few shares (saying how many more are needed), or shares whose secret
/// is not 16 bytes.
pub fn read_material(material: &RecoveryMaterial) -> Result<Recovered> {
    match material {
        RecoveryMaterial::Code(path) => Ok(Recovered {
            secret: read_code_file(path)?,
            method: "recovery-code",
            shares_used: None,
            set: None,
        }),
        RecoveryMaterial::Shares(paths) => {
            let shares = paths
                .iter()
                .map(|p| read_share_file(p).map(|s| (p.clone(), s)))
                .collect::<Result<Vec<_>>>()?;
            let combined = combine_shares(&shares)?;
            Ok(Recovered {
                secret: combined.secret,
                method: "shares",
                shares_used: Some(combined.used),
                set: Some((combined.threshold, combined.identifier)),
            })
        }
    }
}

/// Reads a text file that holds secret material, wiped on drop.
fn read_text(path: &Path, what: &str) -> Result<Zeroizing<String>> {
    let bytes = read_secret_file(path, MAX_MATERIAL_FILE_LEN).map_err(|e| {
        if e.exit() == Exit::Usage {
            CliError::usage(format!("{} is too large to hold {what}", show(path)))
                .hint(format!("name the file that holds only {what}"))
        } else {
            e
        }
    })?;
    match std::str::from_utf8(&bytes) {
        Ok(text) => {
            let mut out = Zeroizing::new(String::with_capacity(text.len()));
            out.push_str(text);
            Ok(out)
        }
        Err(_) => Err(CliError::usage(format!("{} is not text", show(path)))
            .hint(format!("name the file that holds {what}"))),
    }
}

/// Lines that carry material: not blank and not a `#` comment.
fn material_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Reads the recovery code from the first line of `path` that is neither blank nor a
/// `#` comment. Dashes and spaces between the digits are optional.
///
/// # Errors
/// Exit 3 if the file cannot be read; exit 2 if it holds no code or a mistyped one (the
/// message names the wrong group).
pub fn read_code_file(path: &Path) -> Result<RecoverySecret> {
    let text = read_text(path, "the recovery code")?;
    let line = material_lines(&text).next().ok_or_else(|| {
        CliError::usage(format!("{} holds no recovery code", show(path)))
            .hint("write the 48-digit code (8 groups of 6 digits) on one line")
    })?;
    recovery_code::parse(line).map_err(|e| code_error(&e, path))
}

fn code_error(e: &RecoveryCodeError, path: &Path) -> CliError {
    let file = show(path);
    match e {
        RecoveryCodeError::BadGroup { group } => CliError::usage(format!(
            "{file}: group {group} of the recovery code is wrong"
        ))
        .hint(format!(
            "compare group {group} with the written code; every group of six digits has \
             its own check"
        )),
        RecoveryCodeError::WrongShape { digits } => CliError::usage(format!(
            "{file}: the recovery code has {digits} digits, not 48"
        ))
        .hint("a recovery code is 8 groups of 6 digits; look for a missing or extra group"),
        RecoveryCodeError::BadCharacter => CliError::usage(format!(
            "{file}: the recovery code holds a character other than digits, spaces and dashes"
        ))
        .hint("type only the 8 groups of 6 digits"),
        other => CliError::usage(format!("{file}: {other}")),
    }
}

/// Reads one SLIP-39 share from `path`: every line that is neither blank nor a `#`
/// comment is part of the mnemonic (so a share may be written over several lines).
///
/// # Errors
/// Exit 3 if the file cannot be read; exit 2 if the share does not parse: the message
/// names the file and, where it can, the word.
pub fn read_share_file(path: &Path) -> Result<Share> {
    let text = read_text(path, "one share")?;
    let mut words = Zeroizing::new(String::with_capacity(text.len()));
    for line in material_lines(&text) {
        if !words.is_empty() {
            words.push(' ');
        }
        words.push_str(line);
    }
    if words.is_empty() {
        return Err(CliError::usage(format!("{} holds no share", show(path)))
            .hint("write the share's 20 words on one line"));
    }
    slip39::parse_mnemonic(&words).map_err(|e| match e {
        Slip39Error::Mnemonic(m) => mnemonic_error(m, path),
        other => CliError::usage(format!("{}: {other}", show(path))),
    })
}

fn mnemonic_error(e: MnemonicError, path: &Path) -> CliError {
    let file = show(path);
    match e {
        MnemonicError::UnknownWord { word } => CliError::usage(format!(
            "{file}: word {word} is not a SLIP-39 share word"
        ))
        .hint(format!(
            "check the spelling of word {word}; the first four letters of each word are enough"
        )),
        MnemonicError::Checksum {
            suspect_word: Some(word),
        } => CliError::usage(format!(
            "{file}: the share's checksum does not match; word {word} is probably mistyped"
        ))
        .hint(format!("compare word {word} with the written share")),
        MnemonicError::Checksum { suspect_word: None } => CliError::usage(format!(
            "{file}: the share's checksum does not match"
        ))
        .hint("a word is mistyped or two words are swapped; compare every word with the written share"),
        MnemonicError::WordCount { words } => CliError::usage(format!(
            "{file}: {words} words; a share has 20 words"
        ))
        .hint("a word is missing or extra; each file holds one share"),
        other => CliError::usage(format!("{file}: not a valid SLIP-39 share ({other})"))
            .hint("compare it with the written share"),
    }
}

/// The result of combining share files.
struct Combined {
    secret: RecoverySecret,
    used: usize,
    threshold: u8,
    identifier: u16,
}

/// Combines shares given in any order. More shares than needed are not an error: all of
/// them must belong to one set (and, in a single-group set, each extra share must give
/// the same secret as the others), then exactly the threshold number is used.
fn combine_shares(shares: &[(PathBuf, Share)]) -> Result<Combined> {
    if shares.len() > MAX_SHARES {
        return Err(CliError::usage(format!(
            "{} share files given; at most {MAX_SHARES} can be combined",
            shares.len()
        ))
        .hint("give only as many shares as the set needs"));
    }
    let names: Vec<String> = shares.iter().map(|(p, _)| show(p)).collect();
    let all: Vec<Share> = shares.iter().map(|(_, s)| s.clone()).collect();
    let Some(first) = all.first() else {
        return Err(CliError::usage("no share files given").hint("pass --share-file FILE"));
    };
    let mut buf = Zeroizing::new([0u8; slip39::MAX_SECRET_LEN]);
    let picked: Vec<usize> = match slip39::combine(&all, b"", &mut *buf) {
        Ok(_) => (0..all.len()).collect(),
        Err(Slip39Error::TooManyGroupShares { .. } | Slip39Error::TooManyGroups { .. }) => {
            select(&all)
        }
        Err(e) => {
            return Err(share_set_error(
                e,
                &names,
                &(0..all.len()).collect::<Vec<_>>(),
            ))
        }
    };
    let subset: Vec<Share> = picked.iter().map(|&i| all[i].clone()).collect();
    let n = slip39::combine(&subset, b"", &mut *buf)
        .map_err(|e| share_set_error(e, &names, &picked))?;
    if n != vault_core::constants::RECOVERY_SECRET_LEN {
        return Err(CliError::usage(format!(
            "the shares hold a {}-bit secret; an airvault recovery secret has 128 bits",
            n * 8
        ))
        .hint("these are not recovery shares of an airvault vault"));
    }
    let mut raw = Zeroizing::new([0u8; 16]);
    raw.copy_from_slice(&buf[..16]);
    let secret = RecoverySecret::from_bytes(*raw);
    check_extras(&all, &picked, &secret, &names)?;
    Ok(Combined {
        secret,
        used: picked.len(),
        threshold: first.member_threshold(),
        identifier: first.identifier(),
    })
}

/// Picks exactly the shares a combination needs from a consistent set that has more:
/// groups in the order given, complete groups first, each cut to its threshold; as many
/// groups as the group threshold. Returns indices into `shares`.
fn select(shares: &[Share]) -> Vec<usize> {
    let mut groups: Vec<(u8, Vec<usize>)> = Vec::new();
    for (i, s) in shares.iter().enumerate() {
        match groups.iter_mut().find(|(g, _)| *g == s.group_index()) {
            Some((_, members)) => members.push(i),
            None => groups.push((s.group_index(), vec![i])),
        }
    }
    let complete =
        |members: &Vec<usize>| members.len() >= usize::from(shares[members[0]].member_threshold());
    groups.sort_by_key(|(_, m)| !complete(m));
    let group_threshold = usize::from(shares.first().map_or(1, Share::group_threshold));
    let mut picked = Vec::new();
    for (_, members) in groups.into_iter().take(group_threshold) {
        let t = usize::from(shares[members[0]].member_threshold());
        picked.extend(members.into_iter().take(t));
    }
    picked.sort_unstable();
    picked
}

/// Every share left out of the combination must agree with it: swapped in for a share of
/// its own group, the set must still give the same secret.
fn check_extras(
    all: &[Share],
    picked: &[usize],
    secret: &RecoverySecret,
    names: &[String],
) -> Result<()> {
    let mut buf = Zeroizing::new([0u8; slip39::MAX_SECRET_LEN]);
    for extra in (0..all.len()).filter(|i| !picked.contains(i)) {
        let group = all[extra].group_index();
        let Some(pos) = picked.iter().rposition(|&i| all[i].group_index() == group) else {
            // A whole group beyond the group threshold: not part of this combination.
            continue;
        };
        let mut trial: Vec<Share> = picked.iter().map(|&i| all[i].clone()).collect();
        trial[pos] = all[extra].clone();
        let same = matches!(slip39::combine(&trial, b"", &mut *buf), Ok(16))
            && RecoverySecret::from_bytes(*array16(&buf)) == *secret;
        if !same {
            return Err(CliError::usage(format!(
                "{} does not fit with the other shares of its set",
                names[extra]
            ))
            .hint("it is damaged or not genuine; leave it out and try again"));
        }
    }
    Ok(())
}

fn array16(buf: &[u8; slip39::MAX_SECRET_LEN]) -> Zeroizing<[u8; 16]> {
    let mut a = Zeroizing::new([0u8; 16]);
    a.copy_from_slice(&buf[..16]);
    a
}

/// A combination error, with the core's 1-based positions (into the shares combined,
/// `picked`) turned back into file names.
fn share_set_error(e: Slip39Error, names: &[String], picked: &[usize]) -> CliError {
    let name = |pos: usize| {
        pos.checked_sub(1)
            .and_then(|i| picked.get(i))
            .and_then(|&i| names.get(i))
            .cloned()
            .unwrap_or_else(|| format!("share {pos}"))
    };
    let other_set = "use shares made by one 'airvault shares split': every split makes a new \
                     set, and sets do not mix";
    match e {
        Slip39Error::DifferentSets {
            first,
            share,
            first_identifier,
            identifier,
        } => CliError::usage(format!(
            "{} is from another share set than {} (set {identifier}, not {first_identifier})",
            name(share),
            name(first)
        ))
        .hint(other_set),
        Slip39Error::Mismatch {
            first,
            share,
            parameter,
        } => CliError::usage(format!(
            "{} does not belong with {} (different {parameter})",
            name(share),
            name(first)
        ))
        .hint(other_set),
        Slip39Error::SameShare { first, second } => CliError::usage(format!(
            "{} and {} hold the same share",
            name(first),
            name(second)
        ))
        .hint("give each share once"),
        Slip39Error::DuplicateMemberIndex { first, second } => CliError::usage(format!(
            "{} and {} are different shares with the same share number",
            name(first),
            name(second)
        ))
        .hint("one of them is damaged or from another set; compare both with the originals"),
        Slip39Error::NotEnoughShares {
            group,
            group_count,
            have,
            needed,
        } => {
            let missing = needed.saturating_sub(have);
            let prefix = if group_count > 1 {
                format!("group {group}: ")
            } else {
                String::new()
            };
            CliError::usage(format!(
                "{prefix}{missing} more {} needed: {have} of {needed} given",
                if missing == 1 {
                    "share is"
                } else {
                    "shares are"
                }
            ))
            .hint(format!(
                "pass {needed} different shares of the set, each with --share-file"
            ))
        }
        Slip39Error::NotEnoughGroups { have, needed } => {
            let missing = needed.saturating_sub(have);
            CliError::usage(format!(
                "shares of {missing} more {} needed: {have} of {needed} groups given",
                if missing == 1 {
                    "group are"
                } else {
                    "groups are"
                }
            ))
            .hint("pass enough shares of each group, each with --share-file")
        }
        Slip39Error::DigestMismatch { .. } => {
            CliError::usage("the shares do not fit together (their digest check fails)")
                .hint("a share is damaged or not genuine; try another combination of shares")
        }
        Slip39Error::Share { share, error } => mnemonic_error(error, Path::new(&name(share))),
        other => CliError::usage(format!("the shares cannot be combined: {other}")),
    }
}

fn secret_str<S: Serializer>(v: &Zeroizing<String>, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(v)
}

/// A recovery code shown by `recovery show` or issued by `recovery reset`.
#[derive(Serialize)]
pub struct RecoveryCodeReport {
    /// Path of the vault.
    pub vault: String,
    /// The vault's id, hex.
    pub vault_id: String,
    /// The recovery code.
    #[serde(serialize_with = "secret_str")]
    pub recovery_code: Zeroizing<String>,
}

impl fmt::Debug for RecoveryCodeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecoveryCodeReport")
            .field("vault", &self.vault)
            .finish_non_exhaustive()
    }
}

impl RecoveryCodeReport {
    /// Text for `recovery show`.
    ///
    /// # Errors
    /// Write errors.
    pub fn human_show(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        writeln!(w, "Recovery code of {}:", self.vault)?;
        writeln!(w)?;
        writeln!(w, "    {}", self.recovery_code.as_str())?;
        writeln!(w)?;
        writeln!(
            w,
            "It opens the vault and its backups if the password is lost: \
             'airvault recover FILE --recovery-code-file CODE-FILE'."
        )
    }

    /// Text for `recovery reset`.
    ///
    /// # Errors
    /// Write errors.
    pub fn human_reset(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        writeln!(w, "New recovery code of {} (shown only now; write it down and keep it apart from the password):", self.vault)?;
        writeln!(w)?;
        writeln!(w, "    {}", self.recovery_code.as_str())?;
        writeln!(w)?;
        writeln!(w, "{RESET_WARNING}")
    }
}

/// What `recovery reset` voids, as shown to the user.
pub const RESET_WARNING: &str = "Old recovery codes and shares no longer open this vault, \
     nor anything written from now on: a new master key encrypts every record, so a copy \
     made before now, opened with the old code, shows only what it held then. Backups made \
     before now still open with the old code: replace them (or keep the old code with \
     them), and split new shares with 'airvault shares split'.";

fn no_recovery_secret(ctx: &Context) -> CliError {
    CliError::usage(format!("{} has no recovery secret", show(&ctx.vault)))
        .hint("create one with 'airvault recovery reset'")
}

/// `recovery show`: the vault's recovery code, read with the password. Appends a
/// `recovery-show` audit event (which holds no secret).
///
/// # Errors
/// The vault's errors; exit 2 if the vault has no recovery secret.
pub fn show_code(ctx: &Context) -> Result<RecoveryCodeReport> {
    let (mut vault, _password) = load_vault(ctx)?;
    let code = match &vault.meta.recovery_secret {
        Some(secret) => recovery_code::encode(secret),
        None => return Err(no_recovery_secret(ctx)),
    };
    vault.record_event(AuditOp::RecoveryShow, None, "", now());
    save_vault(ctx, &mut vault)?;
    Ok(RecoveryCodeReport {
        vault: show(&ctx.vault),
        vault_id: hex::encode(vault.vault_id),
        recovery_code: Zeroizing::new(code.expose_secret().to_owned()),
    })
}

/// `recovery reset`: a new recovery secret, and a new master key with it. The metadata
/// gets the new secret, every record is re-encrypted under the new master key, the password
/// keyslot is resealed with the password that opened the vault and the recovery keyslot
/// with the new secret. So an old copy of the vault opened with the old code yields only
/// the old master key, which opens nothing written from now on.
///
/// # Errors
/// The vault's errors; exit 2 if the vault has other password keyslots (a new master key
/// would lock them out, and keeping the old one would not revoke the old code); exit 6 if
/// the vault's KDF cost is refused.
pub fn reset(ctx: &Context) -> Result<RecoveryCodeReport> {
    let (mut vault, password) = load_vault(ctx)?;
    let passwords = vault
        .slots
        .iter()
        .filter(|s| s.kind() == SlotKind::Password)
        .count();
    if passwords > 1 {
        return Err(CliError::usage(format!(
            "{} has {passwords} password keyslots; a new master key would lock out the ones \
             whose passwords are not given here",
            show(&ctx.vault)
        ))
        .hint("the old recovery code can only be revoked under a new master key: keep one password keyslot"));
    }
    if passwords + 1 > MAX_SLOTS {
        return Err(CliError::usage(format!(
            "{} has no room for a recovery keyslot",
            show(&ctx.vault)
        ))
        .hint("remove a password keyslot first"));
    }
    let secret = RecoverySecret::generate(&mut OsRng);
    let iterations = vault
        .recovery_iterations
        .unwrap_or(vault_core::constants::DEFAULT_ITERATIONS);
    let vmk = VaultMasterKey::generate(&mut OsRng);
    let seal = |kind, secret: &[u8], kdf| {
        progress::seal_kdf(kind, secret, kdf, &vmk, &vault.vault_id, ctx.progress)
            .map_err(|e| CliError::core(e, &ctx.vault, Doing::Write))
    };
    let password_slot = seal(SlotKind::Password, password.as_bytes(), vault.password_kdf)?;
    let recovery_slot = seal(
        SlotKind::Recovery,
        secret.expose_secret(),
        vault_core::SlotKdf::Pbkdf2 { iterations },
    )?;
    vault.slots = vec![password_slot, recovery_slot];
    vault.vmk = vmk;
    vault.recovery_iterations = Some(iterations);
    let code = recovery_code::encode(&secret);
    vault.meta.recovery_secret = Some(secret);
    vault.record_event(
        AuditOp::RecoveryReset,
        None,
        "new master key; earlier recovery codes and shares open nothing written from now on",
        now(),
    );
    save_vault(ctx, &mut vault)?;
    Ok(RecoveryCodeReport {
        vault: show(&ctx.vault),
        vault_id: hex::encode(vault.vault_id),
        recovery_code: Zeroizing::new(code.expose_secret().to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shares(t: u8, n: u8, secret: &[u8; 16]) -> Vec<Share> {
        let mut out = vault_core::heapless::Vec::<Share, MAX_SHARES>::new();
        slip39::split(secret, b"", t, n, 0, true, &mut OsRng, &mut out).unwrap();
        out.into_iter().collect()
    }

    fn files(shares: &[Share]) -> Vec<(PathBuf, Share)> {
        shares
            .iter()
            .enumerate()
            .map(|(i, s)| (PathBuf::from(format!("s{}", i + 1)), s.clone()))
            .collect()
    }

    #[test]
    fn more_shares_than_needed_are_checked_then_cut_to_the_threshold() {
        let secret = [7u8; 16];
        let set = shares(3, 5, &secret);
        let mut given = files(&set);
        given.reverse();
        let c = combine_shares(&given).unwrap();
        assert_eq!(c.secret.expose_secret(), &secret);
        assert_eq!((c.used, c.threshold), (3, 3));
        let e = combine_shares(&given[..2]).err().unwrap();
        assert_eq!(e.what(), "1 more share is needed: 2 of 3 given");
    }

    #[test]
    fn a_share_of_another_set_is_named_even_when_surplus() {
        let secret = [9u8; 16];
        let a = shares(2, 3, &secret);
        let b = shares(2, 3, &secret);
        let mut given = files(&a);
        given.push((PathBuf::from("stranger"), b[0].clone()));
        let e = combine_shares(&given).err().unwrap();
        assert!(
            e.what()
                .starts_with("stranger is from another share set than s1"),
            "{e}"
        );
        let dup = vec![given[0].clone(), (PathBuf::from("again"), a[0].clone())];
        let e = combine_shares(&dup).err().unwrap();
        assert_eq!(e.what(), "s1 and again hold the same share");
    }

    #[test]
    fn code_errors_name_the_group() {
        let e = code_error(
            &RecoveryCodeError::BadGroup { group: 5 },
            Path::new("c.txt"),
        );
        assert_eq!(e.exit(), Exit::Usage);
        assert_eq!(e.what(), "c.txt: group 5 of the recovery code is wrong");
    }

    #[test]
    fn material_lines_skip_comments_and_blanks() {
        let text = "# comment\n\n  123 \n# x\n456\n";
        assert_eq!(material_lines(text).collect::<Vec<_>>(), ["123", "456"]);
    }
}

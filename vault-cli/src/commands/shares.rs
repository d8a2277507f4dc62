//! `airvault shares split`: the vault's recovery secret as SLIP-39 word shares, any M of
//! N of which recover it. The shares follow `docs/FORMAT.md` (one group, empty
//! passphrase, extendable, iteration exponent 1), so the reference implementation
//! combines them too.

pub use crate::output::recovery::{ShareItem, SharesReport};
use std::path::{Path, PathBuf};

use rand_core::OsRng;
use vault_core::slip39::{self, Share, MAX_MNEMONIC_LEN, MAX_SHARES};
use vault_core::AuditOp;
use zeroize::Zeroizing;

use super::{load_vault, now, save_vault, Context};
use crate::error::{show, CliError, Exit, Result};
use crate::files;
use crate::output::utc;

/// SLIP-39 iteration exponent airvault writes (`docs/FORMAT.md`): 20,000 PBKDF2
/// iterations in all, as the reference implementation's library default.
pub const ITERATION_EXPONENT: u8 = 1;

/// Options of `shares split`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitOptions {
    /// Shares needed to recover (M).
    pub threshold: u8,
    /// Shares made (N).
    pub count: u8,
    /// Directory to write one file per share into; `None` to return them for printing.
    pub out_dir: Option<PathBuf>,
    /// Replace existing share files.
    pub force: bool,
}

/// The file name of share `i` of `n`.
#[must_use]
pub fn share_file_name(i: usize, n: u8) -> String {
    format!("share-{i}-of-{n}.txt")
}

/// Checks a threshold and count before any work: 1 ≤ M ≤ N ≤ 16, and M = 1 only with
/// N = 1 (SLIP-39 forbids a 1-of-N set with N > 1: every share would be the secret).
///
/// # Errors
/// Exit 2.
pub fn check_scheme(threshold: u8, count: u8) -> Result<()> {
    let max = u8::try_from(MAX_SHARES).unwrap_or(u8::MAX);
    if threshold == 0 || count == 0 || threshold > count || count > max {
        return Err(CliError::usage(format!(
            "cannot make {threshold} of {count} shares: need 1 <= threshold <= count <= {max}"
        ))
        .hint("for example --threshold 2 --count 3"));
    }
    if threshold == 1 && count > 1 {
        return Err(CliError::usage(format!(
            "a 1-of-{count} split is not allowed: every share would be the whole secret"
        ))
        .hint("use --threshold 2 or more, or keep copies of the recovery code instead"));
    }
    Ok(())
}

/// `shares split`.
///
/// # Errors
/// Exit 2 for a bad scheme, an existing share file without `force`, or a vault without a
/// recovery secret; the vault's errors; exit 3 if a share file cannot be written (then
/// no share file of this run is left).
pub fn split(ctx: &Context, opts: &SplitOptions) -> Result<SharesReport> {
    check_scheme(opts.threshold, opts.count)?;
    let targets: Vec<PathBuf> = match &opts.out_dir {
        Some(dir) => (1..=usize::from(opts.count))
            .map(|i| dir.join(share_file_name(i, opts.count)))
            .collect(),
        None => Vec::new(),
    };
    for t in &targets {
        files::check_writable(t, opts.force)?;
    }
    let (mut vault, _password) = load_vault(ctx)?;
    let Some(secret) = vault.meta.recovery_secret.clone() else {
        return Err(
            CliError::usage(format!("{} has no recovery secret", show(&ctx.vault)))
                .hint("create one with 'airvault recovery reset'"),
        );
    };
    let mut shares = vault_core::heapless::Vec::<Share, MAX_SHARES>::new();
    slip39::split(
        secret.expose_secret(),
        b"",
        opts.threshold,
        opts.count,
        ITERATION_EXPONENT,
        true,
        &mut OsRng,
        &mut shares,
    )
    .map_err(|e| CliError::usage(format!("cannot split the recovery secret: {e}")))?;
    let set = shares.first().map_or(0, Share::identifier);
    let mut mnemonics = Vec::new();
    for share in &shares {
        let mut words = Zeroizing::new(String::with_capacity(MAX_MNEMONIC_LEN));
        slip39::write_mnemonic(share, &mut *words).map_err(|_| {
            CliError::new(Exit::Usage, "cannot write a share's words")
                .hint("this is a bug; please report it")
        })?;
        mnemonics.push(words);
    }
    let vault_id = hex::encode(vault.vault_id);
    let t = now();
    vault.record_event(
        AuditOp::SharesSplit,
        None,
        &format!("{} of {} shares, set {set}", opts.threshold, opts.count),
        t,
    );

    let mut items = Vec::new();
    if let Some(dir) = &opts.out_dir {
        files::ensure_parent_dir(&dir.join("share"))?;
        let mut written: Vec<&Path> = Vec::new();
        let result = (|| {
            for (i, (words, target)) in mnemonics.iter().zip(&targets).enumerate() {
                let text = share_file_text(i + 1, opts, set, &vault_id, t, words);
                files::write_atomic(target, text.as_bytes(), opts.force, |_| Ok(()))?;
                written.push(target);
            }
            // Only once every share is on disk does the vault record the split.
            save_vault(ctx, &mut vault)
        })();
        if let Err(e) = result {
            for p in written {
                let _ = std::fs::remove_file(p);
            }
            return Err(e);
        }
        for (i, target) in targets.iter().enumerate() {
            items.push(ShareItem {
                share: i + 1,
                file: Some(show(target)),
                mnemonic: None,
            });
        }
    } else {
        save_vault(ctx, &mut vault)?;
        for (i, words) in mnemonics.into_iter().enumerate() {
            items.push(ShareItem {
                share: i + 1,
                file: None,
                mnemonic: Some(words),
            });
        }
    }
    Ok(SharesReport {
        vault: show(&ctx.vault),
        vault_id,
        threshold: opts.threshold,
        count: opts.count,
        set,
        shares: items,
    })
}

/// The text of one share file: `#` comment lines saying what it is (never the secret),
/// then the words on one line.
fn share_file_text(
    i: usize,
    opts: &SplitOptions,
    set: u16,
    vault_id: &str,
    time: u64,
    words: &str,
) -> Zeroizing<String> {
    let n = opts.count;
    let rule = if opts.threshold == 1 {
        "This share alone recovers the vault's recovery secret.".to_owned()
    } else {
        format!(
            "Any {} of the {n} shares of this set recover the vault's recovery secret.",
            opts.threshold
        )
    };
    let header = format!(
        "# airvault recovery share {i} of {n} (SLIP-39)\n\
         # {rule}\n\
         # Vault id: {vault_id}\n\
         # Share set: {set}, made {}\n\
         # Keep this share apart from the other shares and from the password.\n\
         # To use: airvault recover BACKUP --share-file {} --share-file ...\n",
        utc(time),
        share_file_name(i, n),
    );
    let mut text = Zeroizing::new(String::with_capacity(header.len() + words.len() + 1));
    text.push_str(&header);
    text.push_str(words);
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_follow_the_standard() {
        assert!(check_scheme(2, 3).is_ok());
        assert!(check_scheme(1, 1).is_ok());
        assert!(check_scheme(16, 16).is_ok());
        for (t, n) in [(0, 1), (3, 2), (1, 2), (2, 17)] {
            assert_eq!(
                check_scheme(t, n).unwrap_err().exit(),
                Exit::Usage,
                "{t}/{n}"
            );
        }
    }
}

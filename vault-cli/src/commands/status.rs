//! `airvault status`: each key's age (since its current version was made) against its
//! rotation policy, for people and for cron (`--check-overdue` exits 8).

use super::{now, read_vault, Context};
use crate::error::{show, Exit, Result};
use crate::model::OwnedEntry;
use crate::output::lifecycle::{KeyStatusReport, StatusReport};

/// Seconds in a day.
const DAY: u64 = 86_400;

/// Options of `status`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatusOptions {
    /// A policy in days applied to every key for this run, instead of the stored ones.
    pub policy_days: Option<u32>,
    /// Exit 8 when any key is overdue.
    pub check_overdue: bool,
}

/// What `status` found: one report per key, the closing summary, and the exit code.
#[derive(Debug)]
pub struct StatusRun {
    /// One per key (its current version), by name.
    pub keys: Vec<KeyStatusReport>,
    /// The summary line.
    pub summary: StatusReport,
    /// 8 with `--check-overdue` and an overdue key, else 0.
    pub exit: Exit,
}

/// The policy that applies to `entry`: the run's override, the entry's own, the vault's
/// default, or none; and where it comes from.
fn policy_of(
    entry: &OwnedEntry,
    default_days: u32,
    run: Option<u32>,
) -> (Option<u32>, &'static str) {
    match (run, entry.policy_days, default_days) {
        (Some(d), _, _) => (Some(d), "override"),
        (None, d, _) if d != 0 => (Some(d), "entry"),
        (None, _, d) if d != 0 => (Some(d), "vault"),
        _ => (None, "none"),
    }
}

/// One key's status at time `now`. A key is overdue once more than its policy's days have
/// passed since its current version was made.
#[must_use]
pub fn key_status(
    entry: &OwnedEntry,
    default_days: u32,
    run: Option<u32>,
    now: u64,
) -> KeyStatusReport {
    let (policy_days, policy_source) = policy_of(entry, default_days, run);
    let due_at = policy_days.map(|d| entry.rotated_at.saturating_add(u64::from(d) * DAY));
    KeyStatusReport {
        name: entry.name.clone(),
        id: hex::encode(entry.id),
        kind: entry.kind.name(),
        version: entry.version,
        rotated_at: entry.rotated_at,
        age_days: now.saturating_sub(entry.rotated_at) / DAY,
        policy_days,
        policy_source,
        due_at,
        overdue: due_at.is_some_and(|due| now > due),
    }
}

/// Checks every key of the vault at `ctx.vault` against its rotation policy.
///
/// # Errors
/// The vault's errors.
pub fn status(ctx: &Context, opts: &StatusOptions) -> Result<StatusRun> {
    let (vault, _password) = read_vault(ctx)?;
    let t = now();
    let default_days = vault.meta.default_policy_days;
    let keys: Vec<KeyStatusReport> = vault
        .current()
        .into_iter()
        .map(|e| key_status(e, default_days, opts.policy_days, t))
        .collect();
    let overdue = keys.iter().filter(|k| k.overdue).count();
    let exit = if opts.check_overdue && overdue > 0 {
        Exit::Overdue
    } else {
        Exit::Ok
    };
    Ok(StatusRun {
        summary: StatusReport {
            vault: show(&ctx.vault),
            now: t,
            default_policy_days: default_days,
            policy_override: opts.policy_days,
            keys: keys.len(),
            overdue,
            failed_unlocks: crate::failures::before_this_unlock(&vault.vault_id),
            exit_code: exit.code(),
        },
        keys,
        exit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use vault_core::{EntryKind, EntryStatus};
    use zeroize::Zeroizing;

    fn entry(rotated_at: u64, policy_days: u32) -> OwnedEntry {
        OwnedEntry {
            id: [7; 16],
            version: 1,
            kind: EntryKind::SymmetricKey,
            status: EntryStatus::Active,
            name: "k".into(),
            secret: Zeroizing::new(vec![1; 32]),
            created_at: rotated_at,
            rotated_at,
            policy_days,
        }
    }

    #[test]
    fn overdue_only_after_the_whole_policy() {
        let e = entry(1_000_000, 0);
        let at = |now| key_status(&e, 90, None, now);
        assert!(!at(1_000_000 + 90 * DAY).overdue);
        assert!(at(1_000_000 + 90 * DAY + 1).overdue);
        assert_eq!(at(1_000_000 + 90 * DAY + 1).age_days, 90);
        assert_eq!(at(1_000_000 + 90 * DAY).due_at, Some(1_000_000 + 90 * DAY));
        // A clock before the key's time is not an error: age 0, not overdue.
        assert_eq!(at(0).age_days, 0);
        assert!(!at(0).overdue);
    }

    #[test]
    fn policy_precedence() {
        assert_eq!(policy_of(&entry(0, 30), 90, Some(7)), (Some(7), "override"));
        assert_eq!(policy_of(&entry(0, 30), 90, None), (Some(30), "entry"));
        assert_eq!(policy_of(&entry(0, 0), 90, None), (Some(90), "vault"));
        assert_eq!(policy_of(&entry(0, 0), 0, None), (None, "none"));
        let never = key_status(&entry(0, 0), 0, None, u64::MAX);
        assert!(!never.overdue && never.due_at.is_none());
    }
}

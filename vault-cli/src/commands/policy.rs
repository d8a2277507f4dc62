//! `airvault policy`: the rotation policy — a default for the vault (in its metadata
//! record) and an optional policy of each key's own (in its entry records).

use vault_core::AuditOp;

use super::{check_name, load_vault, now, read_vault, save_vault, Context};
use crate::error::{show, CliError, Result};
use crate::model::Vault;
use crate::output::lifecycle::{PolicyOverride, PolicyReport};
use crate::suggestion::no_such_entry;

/// Longest policy accepted, in days (a century).
pub const MAX_POLICY_DAYS: u32 = 36_500;

/// What `policy` changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyChange {
    /// Nothing: show the policy.
    Show,
    /// The vault's default, in days (0: no default policy).
    Default(u32),
    /// One entry's own policy in days, or `None` to follow the vault's default again.
    Entry {
        /// Entry name.
        name: String,
        /// Days, or `None` to inherit.
        days: Option<u32>,
    },
}

fn days_text(days: u32) -> String {
    if days == 0 {
        "none".to_owned()
    } else {
        format!("{days} days")
    }
}

/// Shows or changes the rotation policy of the vault at `ctx.vault`. A change that changes
/// nothing leaves the vault untouched; any other is written with a `policy` audit event.
///
/// # Errors
/// Exit 2 for an unknown entry or a value out of range; the vault's own errors.
pub fn policy(ctx: &Context, change: &PolicyChange) -> Result<PolicyReport> {
    let out_of_range = |what: &str| {
        CliError::usage(format!("{what} must be at most {MAX_POLICY_DAYS} days"))
            .hint("give a number of days")
    };
    match change {
        PolicyChange::Default(d) if *d > MAX_POLICY_DAYS => {
            return Err(out_of_range("--default-days"))
        }
        PolicyChange::Entry { name, days } => {
            check_name(name)?;
            if days.is_some_and(|d| d == 0 || d > MAX_POLICY_DAYS) {
                return Err(
                    CliError::usage(format!("--days must be 1 to {MAX_POLICY_DAYS}"))
                        .hint("use --inherit to follow the vault's default"),
                );
            }
        }
        _ => {}
    }
    if matches!(change, PolicyChange::Show) {
        let (vault, _password) = read_vault(ctx)?;
        return Ok(report(ctx, &vault, None));
    }
    let (mut vault, _password) = load_vault(ctx)?;
    let mut changed = None;
    match change {
        PolicyChange::Show => {}
        PolicyChange::Default(days) => {
            let before = vault.meta.default_policy_days;
            if before != *days {
                vault.meta.default_policy_days = *days;
                let detail = format!("default {} -> {}", days_text(before), days_text(*days));
                vault.record_event(AuditOp::Policy, None, &detail, now());
                changed = Some("default");
            }
        }
        PolicyChange::Entry { name, days } => {
            let current = vault
                .newest(name)
                .ok_or_else(|| no_such_entry(&vault, name))?
                .clone();
            let after = days.unwrap_or(0);
            if current.policy_days != after {
                for e in vault.entries.iter_mut().filter(|e| e.id == current.id) {
                    e.policy_days = after;
                }
                let text = |d: u32| {
                    if d == 0 {
                        "the vault default".to_owned()
                    } else {
                        days_text(d)
                    }
                };
                let detail = format!("{} -> {}", text(current.policy_days), text(after));
                vault.record_event(AuditOp::Policy, Some(&current), &detail, now());
                changed = Some("entry");
            }
        }
    }
    if changed.is_some() {
        save_vault(ctx, &mut vault)?;
    }
    Ok(report(ctx, &vault, changed))
}

fn report(ctx: &Context, vault: &Vault, changed: Option<&'static str>) -> PolicyReport {
    PolicyReport {
        vault: show(&ctx.vault),
        default_days: vault.meta.default_policy_days,
        changed,
        overrides: vault
            .current()
            .into_iter()
            .filter(|e| e.policy_days != 0)
            .map(|e| PolicyOverride {
                name: e.name.clone(),
                days: e.policy_days,
            })
            .collect(),
    }
}

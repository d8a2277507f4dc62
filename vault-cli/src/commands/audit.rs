//! `airvault audit`: the vault's audit trail — listed, or checked by the core
//! ([`check_trail`]; the chain rule of `docs/FORMAT.md` lives there, not here).

use vault_core::constants::ENTRY_ID_LEN;
use vault_core::model::{check_trail, ChainVerdict, RecordReader, TrailProblem};
use vault_core::{AuditOp, KdfLimits, SlotKind, VaultFile};

use super::{read_audit_trail, read_vault_bytes, Context};
use crate::error::{show, CliError, Doing, Exit, Result};
use crate::files;
use crate::generations::Stamp;
use crate::model::{OwnedEvent, ReadSource};
use crate::output::keyring::{FailedUnlockReport, FailuresReport};
use crate::output::lifecycle::{AuditEventReport, AuditVerifyReport};
use crate::progress;

fn event_report(e: &OwnedEvent) -> AuditEventReport {
    let has_entry = e.entry_id != [0; ENTRY_ID_LEN];
    AuditEventReport {
        seq: e.seq,
        time: e.time,
        op: e.op.name(),
        name: (!e.name.is_empty()).then(|| e.name.clone()),
        entry_id: has_entry.then(|| hex::encode(e.entry_id)),
        version: (e.version != 0).then_some(e.version),
        // Events carried over from a format version 1 file hold the unkeyed KCV even of a
        // password: only values the writer marked showable are printed.
        kcv: e.view().check_value().map(|k| k.to_string()),
        detail: e.detail.clone(),
    }
}

/// Which audit events `audit` lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only events at or after this time (Unix seconds).
    pub since: Option<u64>,
    /// Only events of this operation.
    pub op: Option<AuditOp>,
}

impl AuditFilter {
    fn matches(&self, e: &OwnedEvent) -> bool {
        self.since.is_none_or(|t| e.time >= t) && self.op.is_none_or(|op| e.op == op)
    }
}

/// Every audit event of the vault at `ctx.vault`, in order. If the chain does not verify,
/// a warning says so (the events are still listed: they are what is left to read).
///
/// # Errors
/// The vault's errors (every record, audit events included, must open).
pub fn list(ctx: &Context) -> Result<Vec<AuditEventReport>> {
    list_matching(ctx, &AuditFilter::default())
}

/// The audit events of the vault at `ctx.vault` that `filter` selects, in order; the
/// whole chain is checked as by [`list`].
///
/// # Errors
/// As [`list`].
pub fn list_matching(ctx: &Context, filter: &AuditFilter) -> Result<Vec<AuditEventReport>> {
    let (vault, _password) = read_audit_trail(ctx)?;
    if let ChainVerdict::Broken(e) = ChainVerdict::of(&vault.events, Some(&vault.meta)) {
        ctx.warn(&format!(
            "the audit trail does not verify: {e}; run 'airvault audit --verify'"
        ));
    }
    Ok(vault
        .events
        .iter()
        .filter(|e| filter.matches(e))
        .map(event_report)
        .collect())
}

/// The failed unlocks recorded on this machine ([`crate::failures`]) at or after `since`,
/// and the closing report. Needs no password and opens no vault.
///
/// # Errors
/// Exit 3 if no state directory is known or the log cannot be read.
pub fn failures(since: Option<u64>) -> Result<(Vec<FailedUnlockReport>, FailuresReport)> {
    let dir = crate::generations::state_dir().ok_or_else(|| {
        CliError::new(Exit::Io, "no state directory is known (no home directory)").hint(format!(
            "set {} to the directory that holds the log",
            crate::generations::STATE_DIR_ENV
        ))
    })?;
    let events = crate::failures::failures_since(&dir, since.unwrap_or(0))?;
    let reports: Vec<FailedUnlockReport> = events
        .into_iter()
        .map(|e| FailedUnlockReport {
            time: e.time,
            slot: e.slot,
            vault_id: hex::encode(e.vault_id),
            generation: e.generation,
            header: hex::encode(e.header),
        })
        .collect();
    let summary = FailuresReport {
        log: crate::failures::shown(&dir),
        since,
        failures: reports.len(),
    };
    Ok((reports, summary))
}

/// Checks the audit trail of the vault at `ctx.vault` by the core's rule
/// ([`check_trail`]): every audit record must open (its MAC verifies) and, in file order,
/// the events must form the hash chain, ending at the metadata record's head. The result
/// says where the first break is; the caller turns a failed result into exit 5.
///
/// # Errors
/// Exit 3 if the vault cannot be read, 4 for a wrong password, 5/6 if the file itself does
/// not parse or open.
pub fn verify(ctx: &Context) -> Result<AuditVerifyReport> {
    let path = &ctx.vault;
    // An intact vault is read once more, record by record, never held whole; anything
    // else is read whole, as the damage may be anywhere.
    let streamed = super::intact_streaming(path);
    // The first header copy alone, or the whole file.
    let (bytes, mut rest) = match streamed {
        Some(h) => (
            h.bytes,
            Some(std::io::BufReader::with_capacity(16 * 1024, h.file)),
        ),
        None => (read_vault_bytes(path)?, None),
    };
    let file = VaultFile::parse(&bytes, &KdfLimits::STANDARD)
        .map_err(|e| CliError::core(e, path, Doing::Vault))?;
    let password = ctx.password.read(&files::file_name(path))?;
    let unlocked = progress::unlock(&file, SlotKind::Password, password.as_bytes(), ctx.progress)
        .map_err(|e| CliError::core(e, path, Doing::Vault))?;
    ctx.seen.opened(path, Stamp::of(&file));
    let mut report = AuditVerifyReport {
        vault: show(path),
        events: 0,
        ok: false,
        salvage_gaps: 0,
        first_break: None,
        message: None,
        exit_code: Exit::Corrupted.code(),
    };
    // The rule is the core's: every audit record opens and the events chain up to the
    // metadata record's head.
    let mut source = rest.as_mut().map(ReadSource::new);
    let check = match source.as_mut() {
        Some(source) => {
            let mut reader = RecordReader::new(&unlocked, source);
            check_trail(&unlocked, Some(&mut reader))
        }
        None => check_trail::<ReadSource<std::fs::File>>(&unlocked, None),
    };
    match check.problem {
        Some(TrailProblem::SourceFailed) => {
            let e = source.as_mut().map_or_else(
                || std::io::Error::other("the file could not be read"),
                ReadSource::take_error,
            );
            return Err(CliError::io("read", path, &e));
        }
        Some(problem) => {
            report.events = check.events as usize;
            report.first_break = check.first_break;
            report.message = Some(problem.to_string());
        }
        None => {
            report.events = check.events as usize;
            report.ok = true;
            report.salvage_gaps = check.salvage_gaps;
            report.exit_code = Exit::Ok.code();
        }
    }
    Ok(report)
}

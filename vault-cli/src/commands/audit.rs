//! `airvault audit`: the vault's audit trail — listed, or checked by the core
//! ([`check_trail`]; the chain rule of `docs/FORMAT.md` lives there, not here).

use vault_core::constants::ENTRY_ID_LEN;
use vault_core::model::{check_trail, ChainVerdict, RecordReader, TrailProblem};
use vault_core::{KdfLimits, SlotKind, VaultFile};

use super::{read_audit_trail, read_vault_bytes, Context};
use crate::error::{show, CliError, Doing, Exit, Result};
use crate::files;
use crate::generations::Stamp;
use crate::model::{OwnedEvent, ReadSource};
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

/// Every audit event of the vault at `ctx.vault`, in order. If the chain does not verify,
/// a warning says so (the events are still listed: they are what is left to read).
///
/// # Errors
/// The vault's errors (every record, audit events included, must open).
pub fn list(ctx: &Context) -> Result<Vec<AuditEventReport>> {
    let (vault, _password) = read_audit_trail(ctx)?;
    if let ChainVerdict::Broken(e) = ChainVerdict::of(&vault.events, Some(&vault.meta)) {
        ctx.warn(&format!(
            "the audit trail does not verify: {e}; run 'airvault audit --verify'"
        ));
    }
    Ok(vault.events.iter().map(event_report).collect())
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
    let streamed = if super::intact_streaming(path) {
        files::read_head(path)
    } else {
        None
    };
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

//! An audit trail checked in full: every audit record must open and, in file order, the
//! events must form the chain [`ChainVerifier`] accepts, ending at the metadata record's
//! head. The result says where the first break is.

use core::fmt;

use super::contents::{open, record_buffer};
use super::reader::RecordReader;
use super::stream::ByteSource;
use crate::audit::{ChainError, ChainVerifier};
use crate::error::Error;
use crate::format::RecordKind;
use crate::records::{Meta, Record};
use crate::vault::UnlockedVault;

/// What stopped the check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrailProblem {
    /// The metadata record does not open.
    MetaUnreadable,
    /// The file has no metadata record.
    NoMeta,
    /// An audit record holds something else.
    NotAnEvent {
        /// The record.
        index: u32,
    },
    /// An audit record does not open.
    EventUnreadable {
        /// Its sequence number, from the record table.
        seq: u32,
        /// Why.
        error: Error,
    },
    /// The events break the chain.
    Broken(ChainError),
    /// The bytes of the file could not be read.
    SourceFailed,
}

impl fmt::Display for TrailProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MetaUnreadable => f.write_str("the metadata record does not open"),
            Self::NoMeta => f.write_str("the vault has no metadata record"),
            Self::NotAnEvent { index } => write!(f, "audit record {index} is not an audit event"),
            Self::EventUnreadable { seq, error } => {
                write!(f, "audit event {seq} does not open: {error}")
            }
            Self::Broken(e) => write!(f, "{e}"),
            Self::SourceFailed => f.write_str("the file could not be read to its end"),
        }
    }
}

/// The result of [`check_trail`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrailCheck {
    /// Events checked (all of them when the trail verifies).
    pub events: u32,
    /// Places where a `salvage` event jumps over lost events.
    pub salvage_gaps: u32,
    /// The sequence number of the first event that breaks the chain or does not open.
    pub first_break: Option<u32>,
    /// Why the trail does not verify, or `None` when it does.
    pub problem: Option<TrailProblem>,
}

/// One metadata or audit record taken into the check; the problem, if it is one.
fn step(
    opened: Result<Record<'_>, Error>,
    kind: RecordKind,
    index: u32,
    seq: u32,
    verifier: &mut ChainVerifier,
    meta: &mut Option<Meta>,
) -> Option<TrailProblem> {
    match (kind, opened) {
        (RecordKind::Meta, Ok(Record::Meta(m))) => {
            *meta = Some(m);
            None
        }
        (RecordKind::Meta, _) => Some(TrailProblem::MetaUnreadable),
        (_, Ok(Record::Audit(event))) => verifier.push(&event).err().map(TrailProblem::Broken),
        (_, Ok(_)) => Some(TrailProblem::NotAnEvent { index }),
        (_, Err(error)) => Some(TrailProblem::EventUnreadable { seq, error }),
    }
}

/// Checks the audit trail of `unlocked`'s file: from the file's own bytes, or with
/// `reader`, from the rest of the file read one record at a time (entry records are read
/// past without being opened).
pub fn check_trail<S: ByteSource>(
    unlocked: &UnlockedVault<'_>,
    mut reader: Option<&mut RecordReader<'_, '_, S>>,
) -> TrailCheck {
    let mut out = TrailCheck {
        events: 0,
        salvage_gaps: 0,
        first_break: None,
        problem: None,
    };
    let mut buf = record_buffer(unlocked);
    let mut verifier = ChainVerifier::new();
    let mut meta: Option<Meta> = None;
    for r in unlocked.file().records() {
        let kind = r.entry.kind;
        let problem = if kind == RecordKind::Entry {
            let skipped = reader.as_deref_mut().is_none_or(|rd| rd.skip(&r));
            if skipped {
                continue;
            }
            Some(TrailProblem::SourceFailed)
        } else {
            let opened = match reader.as_deref_mut() {
                Some(rd) => rd.open(&r),
                None => open(unlocked, &r, &mut buf),
            };
            step(opened, kind, r.index, r.entry.seq, &mut verifier, &mut meta)
        };
        if let Some(problem) = problem {
            let failed = reader.as_deref().is_some_and(RecordReader::source_failed);
            out.problem = Some(if failed {
                TrailProblem::SourceFailed
            } else {
                problem
            });
            if kind == RecordKind::Audit {
                out.first_break = Some(r.entry.seq);
            }
            return out;
        }
        if kind == RecordKind::Audit {
            out.events += 1;
        }
    }
    let Some(meta) = meta else {
        out.problem = Some(TrailProblem::NoMeta);
        return out;
    };
    if let Err(e) = verifier.finish(&meta) {
        out.problem = Some(TrailProblem::Broken(e));
        return out;
    }
    out.salvage_gaps = verifier.salvage_gaps();
    out
}

//! Verification of the audit trail's hash chain.
//!
//! Events are checked in file order. Each must carry the next sequence number and, as its
//! `prev_hash`, the hash of the event before it (zero for the first). The metadata record's
//! `audit_next_seq` and `audit_head` must match the last event. The one allowed break: a
//! `salvage` event may follow a gap in the sequence numbers, because a vault rebuilt from
//! damaged backups can have lost events; its `prev_hash` still links to the last event
//! kept, so nothing after it can be removed or edited unnoticed.

use core::fmt;

use crate::records::{AuditEvent, AuditOp, Meta};

/// Why an audit trail does not verify. Sequence numbers identify events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChainError {
    /// An event carries the wrong sequence number: one was removed, repeated or reordered.
    Sequence {
        /// The sequence number expected here.
        expected: u32,
        /// The one found.
        found: u32,
    },
    /// An event's `prev_hash` is not the hash of the event before it: an event before it was
    /// edited, removed or replaced.
    Link {
        /// The event whose link is broken.
        seq: u32,
    },
    /// The metadata record does not name the last event as the head of the trail: events at
    /// the end were removed or the trail was replaced.
    Head,
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sequence { expected, found } => write!(
                f,
                "audit event {found} found where event {expected} belongs: events were removed or reordered"
            ),
            Self::Link { seq } => write!(
                f,
                "audit event {seq} does not link to the event before it: an earlier event was edited or removed"
            ),
            Self::Head => f.write_str(
                "the vault's record of the last audit event does not match: events at the end were removed",
            ),
        }
    }
}

impl core::error::Error for ChainError {}

/// Checks events one by one, in file order.
#[derive(Clone, Debug, Default)]
pub struct ChainVerifier {
    next_seq: u32,
    prev: [u8; 32],
    gaps: u32,
}

impl ChainVerifier {
    /// A verifier expecting event 0 first.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks the next event.
    ///
    /// # Errors
    /// [`ChainError::Sequence`] or [`ChainError::Link`].
    pub fn push(&mut self, event: &AuditEvent<'_>) -> Result<(), ChainError> {
        self.push_hashed(event.seq, event.op, &event.prev_hash, event.hash())
    }

    /// [`ChainVerifier::push`] for an event known by its sequence number, operation,
    /// `prev_hash` and its own hash ([`AuditEvent::hash`]), computed earlier.
    ///
    /// # Errors
    /// As [`ChainVerifier::push`].
    pub fn push_hashed(
        &mut self,
        seq: u32,
        op: AuditOp,
        prev_hash: &[u8; 32],
        hash: [u8; 32],
    ) -> Result<(), ChainError> {
        let gap_allowed = op == AuditOp::Salvage && seq > self.next_seq;
        if seq != self.next_seq && !gap_allowed {
            return Err(ChainError::Sequence {
                expected: self.next_seq,
                found: seq,
            });
        }
        if *prev_hash != self.prev {
            return Err(ChainError::Link { seq });
        }
        if seq != self.next_seq {
            self.gaps += 1;
        }
        self.prev = hash;
        self.next_seq = seq.saturating_add(1);
        Ok(())
    }

    /// Checks the end of the trail against the metadata record.
    ///
    /// # Errors
    /// [`ChainError::Head`].
    pub fn finish(&self, meta: &Meta) -> Result<(), ChainError> {
        if meta.audit_next_seq != self.next_seq || meta.audit_head != self.prev {
            return Err(ChainError::Head);
        }
        Ok(())
    }

    /// Number of gaps acknowledged by salvage events so far.
    #[must_use]
    pub fn salvage_gaps(&self) -> u32 {
        self.gaps
    }

    /// The sequence number the next event must carry.
    #[must_use]
    pub fn next_seq(&self) -> u32 {
        self.next_seq
    }

    /// The hash the next event must carry as `prev_hash`.
    #[must_use]
    pub fn head(&self) -> [u8; 32] {
        self.prev
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Kcv;
    use std::vec::Vec;

    fn chain(n: u32) -> Vec<AuditEvent<'static>> {
        let mut v: Vec<AuditEvent<'static>> = Vec::new();
        let mut prev = [0u8; 32];
        for seq in 0..n {
            let e = AuditEvent {
                seq,
                time: 1000 + u64::from(seq),
                op: if seq == 0 {
                    AuditOp::Init
                } else {
                    AuditOp::Add
                },
                entry_id: [seq as u8; 16],
                version: 1,
                kcv: Kcv([seq as u8; 4]),
                kcv_showable: true,
                prev_hash: prev,
                name: "key",
                detail: "",
            };
            prev = e.hash();
            v.push(e);
        }
        v
    }

    fn meta_for(events: &[AuditEvent<'_>]) -> Meta {
        Meta {
            recovery_secret: None,
            default_policy_days: 0,
            created_at: 0,
            audit_next_seq: events.last().map_or(0, |e| e.seq + 1),
            audit_head: events.last().map_or([0; 32], AuditEvent::hash),
            check_key: None,
        }
    }

    fn verify(events: &[AuditEvent<'_>], meta: &Meta) -> Result<u32, ChainError> {
        let mut v = ChainVerifier::new();
        for e in events {
            v.push(e)?;
        }
        v.finish(meta)?;
        Ok(v.salvage_gaps())
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify(&c, &meta_for(&c)), Ok(0));
        assert_eq!(verify(&[], &meta_for(&[])), Ok(0));
    }

    #[test]
    fn removal_edit_reorder_and_truncation_are_caught() {
        let c = chain(5);
        let meta = meta_for(&c);
        let mut removed = c.clone();
        removed.remove(2);
        assert_eq!(
            verify(&removed, &meta),
            Err(ChainError::Sequence {
                expected: 2,
                found: 3
            })
        );
        let mut edited = c.clone();
        edited[1].name = "other";
        assert_eq!(verify(&edited, &meta), Err(ChainError::Link { seq: 2 }));
        let mut swapped = c.clone();
        swapped.swap(1, 2);
        assert!(verify(&swapped, &meta).is_err());
        assert_eq!(verify(&c[..4], &meta), Err(ChainError::Head));
        let mut last_edited = c.clone();
        last_edited[4].time += 1;
        assert_eq!(verify(&last_edited, &meta), Err(ChainError::Head));
    }

    #[test]
    fn a_salvage_event_may_follow_a_gap_and_nothing_else_may() {
        let c = chain(5);
        let kept = &c[..2];
        let salvage = AuditEvent {
            seq: 5,
            op: AuditOp::Salvage,
            prev_hash: kept[1].hash(),
            detail: "3 audit events lost",
            ..c[4]
        };
        let mut trail = kept.to_vec();
        trail.push(salvage);
        assert_eq!(verify(&trail, &meta_for(&trail)), Ok(1));
        let not_salvage = AuditEvent {
            op: AuditOp::Add,
            ..salvage
        };
        trail[2] = not_salvage;
        assert!(matches!(
            verify(&trail, &meta_for(&trail)),
            Err(ChainError::Sequence { .. })
        ));
    }
}

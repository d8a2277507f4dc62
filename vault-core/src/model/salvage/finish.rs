//! The end of the first pass: what each copy gave, merged ([`Salvage::finish`]).

use alloc::string::String;
use alloc::vec::Vec;

use super::merged::{LostVersion, Merged};
use super::names::{self, resolve};
use super::reread::{reopen, KeptEvent, Reread};
use super::{CopyRecords, EntryId, Found, Salvage};
use crate::audit::ChainVerifier;
use crate::records::{AuditOp, Record};

impl Salvage {
    /// The merge of everything taken. `copies` gives the records of the copies again: the
    /// names of lost entries are looked up in audit events, and the creation time of a
    /// vault whose metadata was lost is that of its first event.
    #[must_use]
    pub fn finish<S: CopyRecords + ?Sized>(mut self, copies: &mut S) -> Merged {
        self.settle();
        // When entries share a name, the one changed last keeps it: when each was changed
        // is read again from its newest version (the first pass keeps no dates).
        let (generations, keys) = (&self.generations, &self.keys);
        let generation = |file: u32| generations.get(file as usize).copied().unwrap_or(0);
        let mut bufs = Reread::new(0);
        let changed = |f: &Found| {
            if bufs.record.len() < f.length as usize {
                bufs = Reread::new(f.length);
            }
            let at = (f.file, f.index, f.offset);
            match reopen(keys, copies, at, &f.table_entry(), true, &mut bufs) {
                Ok(Record::Entry(e)) => e.rotated_at,
                _ => 0,
            }
        };
        let renamed = resolve(&mut self.found, &mut self.names, generation, changed);

        // Lost entry versions: listed by some copy, opened from none.
        self.listed.sort_unstable();
        self.listed.dedup();
        let mut lost: Vec<LostVersion> = Vec::new();
        for l in &self.listed {
            match lost.last_mut() {
                Some(last) if last.id == l.id && last.version == l.version => {
                    last.files.push(l.file as usize);
                }
                _ => {
                    let first = self.found.partition_point(|f| f.id < l.id);
                    let name = self
                        .found
                        .get(first)
                        .filter(|f| f.id == l.id)
                        .map(|f| names::get(&self.names, f.name).into());
                    lost.push(LostVersion {
                        name,
                        id: l.id,
                        version: l.version,
                        files: alloc::vec![l.file as usize],
                    });
                }
            }
        }
        self.listed = Vec::new();
        self.name_lost_from_events(&mut lost, copies);
        lost.sort_by(|a, b| (&a.name, &a.id, a.version).cmp(&(&b.name, &b.id, b.version)));

        // The audit trail: the longest chain that verifies, from any of the copies. The
        // events are in `(seq, hash)` order.
        let mut chain = ChainVerifier::new();
        let mut kept = alloc::vec![false; self.events.len()];
        loop {
            let (next, head) = (chain.next_seq(), chain.head());
            let from = self.events.partition_point(|e| e.seq < next);
            let found = self.events[from..].iter().position(|e| {
                e.prev_hash == head && (e.seq == next || (e.op == AuditOp::Salvage && e.seq > next))
            });
            let Some(i) = found.map(|i| from + i) else {
                break;
            };
            let e = &self.events[i];
            if chain
                .push_hashed(e.seq, e.op, &e.prev_hash, e.hash)
                .is_err()
            {
                break;
            }
            kept[i] = true;
        }
        let mut k = kept.iter();
        self.events.retain(|_| k.next().copied().unwrap_or(false));
        drop(kept);
        let salvage_seq = self.known_events.max(chain.next_seq());
        let events_lost = salvage_seq - chain.next_seq();

        // The metadata of the newest copy whose metadata record survived.
        let best = self
            .metas
            .iter()
            .enumerate()
            .max_by(|(_, a), (_, b)| a.2.cmp(&b.2).then(b.1.cmp(&a.1)))
            .map(|(i, _)| i);
        let mut metas = core::mem::take(&mut self.metas);
        let meta = best.map(|i| {
            let (m, from, _) = metas.swap_remove(i);
            (m, from)
        });
        drop(metas);
        let first_event_time = match (&meta, self.events.first()) {
            (None, Some(e)) => {
                let mut bufs = Reread::new(e.length);
                let at = (e.file, e.index, e.offset);
                match reopen(&self.keys, copies, at, &e.table_entry(), false, &mut bufs) {
                    Ok(Record::Audit(a)) if a.hash() == e.hash => Some(a.time),
                    _ => None,
                }
            }
            _ => None,
        };
        // Collected in place (the same allocation, then shrunk): no second list is made.
        let mut events: Vec<KeptEvent> = self
            .events
            .into_iter()
            .map(|e| KeptEvent {
                seq: e.seq,
                file: e.file,
                index: e.index,
                offset: e.offset,
                length: e.length,
            })
            .collect();
        events.shrink_to_fit();
        self.found.shrink_to_fit();
        Merged {
            vault_id: self.vault_id,
            found: self.found,
            names: self.names,
            renamed,
            lost,
            events,
            events_lost,
            salvage_seq,
            audit_head: chain.head(),
            first_event_time,
            meta,
            newest: self.newest,
            opened: self.opened,
            used: self.used,
            keys: self.keys,
        }
    }

    /// Names the lost versions of entries of which no version survived, from the newest
    /// audit event that names them.
    fn name_lost_from_events<S: CopyRecords + ?Sized>(
        &self,
        lost: &mut [LostVersion],
        copies: &mut S,
    ) {
        let mut unnamed: Vec<EntryId> = lost
            .iter()
            .filter(|l| l.name.is_none())
            .map(|l| l.id)
            .collect();
        if unnamed.is_empty() {
            return;
        }
        unnamed.sort_unstable();
        unnamed.dedup();
        let mut named: Vec<(EntryId, String)> = Vec::new();
        let largest = self.events.iter().map(|e| e.length).max().unwrap_or(0);
        let mut bufs = Reread::new(largest);
        for e in self.events.iter().rev() {
            if named.len() == unnamed.len() {
                break;
            }
            let at = (e.file, e.index, e.offset);
            let Ok(Record::Audit(a)) =
                reopen(&self.keys, copies, at, &e.table_entry(), false, &mut bufs)
            else {
                continue;
            };
            if a.hash() != e.hash
                || a.name.is_empty()
                || unnamed.binary_search(&a.entry_id).is_err()
            {
                continue;
            }
            if !named.iter().any(|(id, _)| *id == a.entry_id) {
                named.push((a.entry_id, a.name.into()));
            }
        }
        for l in lost.iter_mut().filter(|l| l.name.is_none()) {
            l.name = named
                .iter()
                .find(|(id, _)| *id == l.id)
                .map(|(_, n)| n.clone());
        }
    }
}

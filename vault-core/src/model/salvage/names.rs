//! Names in a salvaged vault: one entry per name, as the format requires.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Reverse;

use super::{EntryId, Found, NameRef};
use crate::constants::MAX_NAME_LEN;

/// The name `n` in `names`.
pub(super) fn get(names: &str, n: NameRef) -> &str {
    let start = n.at as usize;
    names.get(start..start + usize::from(n.len)).unwrap_or("")
}

/// A name for `name` that no other entry uses: `name (salvaged)`, `name (salvaged 2)`, …
/// cut to the format's limit.
#[must_use]
pub fn free_name(name: &str, taken: &[String]) -> String {
    free_name_where(name, |c| taken.iter().any(|t| t == c))
}

fn free_name_where(name: &str, taken: impl Fn(&str) -> bool) -> String {
    let mut n = 1u32;
    loop {
        let suffix = if n == 1 {
            " (salvaged)".to_owned()
        } else {
            format!(" (salvaged {n})")
        };
        let mut base = name.to_owned();
        while base.len() + suffix.len() > MAX_NAME_LEN {
            base.pop();
        }
        let candidate = base + &suffix;
        if !taken(&candidate) {
            return candidate;
        }
        n = n.saturating_add(1);
    }
}

/// Gives every entry a name no other entry has: when two entries (different ids) share a
/// name — one removed and a new one made under its name, say — the one found in the
/// newest copy (then the one changed last, then the lower id) keeps it and the others are
/// renamed, every version of each. `found` is in `(id, version)` order; an entry's name is
/// that of its newest version; `generation` gives each copy's generation and `changed`
/// when a version was made. Returns each renamed id with its name before, in id order.
pub(super) fn resolve(
    found: &mut [Found],
    names: &mut String,
    generation: impl Fn(u32) -> u64,
    mut changed: impl FnMut(&Found) -> u64,
) -> Vec<(EntryId, NameRef)> {
    // Each entry's versions: found[start..end].
    let mut groups: Vec<(u32, u32)> = Vec::new();
    let mut start = 0usize;
    for i in 1..=found.len() {
        if i == found.len() || found[i].id != found[start].id {
            groups.push((start as u32, i as u32));
            start = i;
        }
    }
    let newest = |found: &[Found], g: (u32, u32)| found[g.1 as usize - 1];
    // Who keeps a shared name: the newest copy holding any version, then the last change.
    let mut rank = |found: &[Found], g: (u32, u32)| {
        let versions = &found[g.0 as usize..g.1 as usize];
        let generation = versions
            .iter()
            .map(|f| generation(f.file))
            .max()
            .unwrap_or(0);
        (Reverse(generation), Reverse(changed(&newest(found, g))))
    };
    let mut by_name: Vec<u32> = (0..groups.len() as u32).collect();
    by_name.sort_unstable_by(|&a, &b| {
        let (na, nb) = (
            newest(found, groups[a as usize]).name,
            newest(found, groups[b as usize]).name,
        );
        get(names, na).cmp(get(names, nb))
    });
    let mut made: Vec<String> = Vec::new();
    let mut renamed: Vec<(EntryId, NameRef, String)> = Vec::new();
    let mut run = 0usize;
    while run < by_name.len() {
        let name_of = |g: u32| get(names, newest(found, groups[g as usize]).name);
        let name = name_of(by_name[run]);
        let mut end = run + 1;
        while end < by_name.len() && name_of(by_name[end]) == name {
            end += 1;
        }
        if end - run > 1 {
            let mut holders: Vec<_> = by_name[run..end]
                .iter()
                .map(|&g| {
                    let grp = groups[g as usize];
                    ((rank(found, grp), newest(found, grp).id), g)
                })
                .collect();
            holders.sort_unstable();
            for &(_, g) in &holders[1..] {
                let is_taken = |c: &str| {
                    made.iter().any(|m| m == c)
                        || by_name.binary_search_by(|&h| name_of(h).cmp(c)).is_ok()
                };
                let new = free_name_where(name, is_taken);
                let last = newest(found, groups[g as usize]);
                renamed.push((last.id, last.name, new.clone()));
                made.push(new);
            }
        }
        run = end;
    }
    // Every version of a renamed entry takes its new name.
    let mut before = Vec::with_capacity(renamed.len());
    for (id, old, new) in renamed {
        let at = u32::try_from(names.len()).unwrap_or(u32::MAX);
        let len = u16::try_from(new.len()).unwrap_or(0);
        names.push_str(&new);
        let n = NameRef { at, len };
        let first = found.partition_point(|f| f.id < id);
        for f in found[first..].iter_mut().take_while(|f| f.id == id) {
            f.name = n;
        }
        before.push((id, old));
    }
    before.sort_unstable_by_key(|(id, _)| *id);
    before
}

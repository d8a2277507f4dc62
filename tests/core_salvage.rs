//! vault-core's salvage in two passes, driven directly: a copy held whole and a copy read
//! one record at a time without its header (its table rows read again beside the records)
//! merge into every entry version either holds; a table that changed while it was read is
//! not used; and a record that changed between the passes is refused, never written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use airvault_tests::fixtures::{self, Spec, PASSWORD};
use airvault_tests::forge;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use vault_core::constants::TABLE_ENTRY_LEN;
use vault_core::model::{CopyRecords, Merged, Salvage, Vault};
use vault_core::{
    Error, HeaderParams, KdfLimits, SealedSlot, SlotKind, StreamWriter, VaultFile, VaultMasterKey,
};

const ENTRIES: usize = 12;

fn spec() -> Spec {
    Spec {
        entries: ENTRIES,
        secret_len: 32,
        iterations: 100_000,
        seed: 7,
    }
}

/// `file` with one byte of record `i` flipped.
fn damaged(file: &[u8], i: usize) -> Vec<u8> {
    let mut out = file.to_vec();
    let r = forge::record_range(&out, i);
    out[r.start + r.len() / 2] ^= 0x20;
    out
}

/// Takes `copy` as copy `index` one record at a time: the header only to open it, then its
/// table rows read again from the bytes beside each record, each changed by `change_rows`
/// as it is read. Returns whether the rows held.
fn take_by_rows(
    merge: &mut Salvage,
    index: usize,
    copy: &[u8],
    change_rows: impl Fn(&mut [u8; TABLE_ENTRY_LEN], u32),
) -> bool {
    let file = VaultFile::parse(copy, &KdfLimits::STANDARD).unwrap();
    let unlocked = file
        .unlock(SlotKind::Password, PASSWORD.as_bytes())
        .unwrap();
    let mut rows = merge.begin_rows(index, &unlocked);
    for i in 0..rows.count() {
        let at = rows.table_offset() as usize + TABLE_ENTRY_LEN * i as usize;
        let mut row: [u8; TABLE_ENTRY_LEN] = copy[at..at + TABLE_ENTRY_LEN].try_into().unwrap();
        change_rows(&mut row, i);
        let Some(at) = rows.row(&row) else { break };
        let start = at.offset as usize;
        let bytes = copy.get(start..start + at.entry.length as usize);
        merge.take_at(index, &at, bytes);
    }
    let held = rows.finish();
    if !held {
        merge.abandon(index);
    }
    held
}

/// Writes the merge as a new vault (a fresh master key, one password keyslot) with the
/// copies `second` read in the second pass.
fn write(merged: &mut Merged, second: &mut [Vec<u8>]) -> Result<Vec<u8>, Error> {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let (meta, _) = merged.metadata(None, 90, 1_800_000_000, &mut rng);
    let vmk = VaultMasterKey::generate(&mut rng);
    let slots = [SealedSlot::seal(
        SlotKind::Password,
        PASSWORD.as_bytes(),
        100_000,
        &KdfLimits::STANDARD,
        &vmk,
        &merged.vault_id,
        &mut rng,
    )?];
    let count = merged.record_count().unwrap();
    let mut header = vec![0u8; vault_core::format::header_len(1, count).unwrap()];
    let params = HeaderParams {
        vault_id: merged.vault_id,
        generation: 9,
        written_at: 1_800_000_000,
    };
    let mut w = StreamWriter::new(&mut header, &vmk, &params, &slots, count)?;
    let mut body = Vec::new();
    merged.write(
        &mut w,
        &meta,
        2,
        1_800_000_000,
        second,
        &mut rng,
        &mut |rec: &[u8], _| {
            body.extend_from_slice(rec);
            Ok::<(), Error>(())
        },
        &mut |_, _| {},
    )?;
    let (head, trailer) = w.finish()?;
    Ok([head, &body, head, &trailer].concat())
}

fn opened(file: &[u8]) -> Vault {
    let f = VaultFile::parse(file, &KdfLimits::STANDARD).unwrap();
    assert!(f.verify().is_intact());
    let u = f.unlock(SlotKind::Password, PASSWORD.as_bytes()).unwrap();
    Vault::from_unlocked(&u).unwrap()
}

#[test]
fn a_copy_held_and_a_copy_read_by_rows_merge_into_everything_either_holds() {
    let original = fixtures::vault(&spec());
    // Entry records are 1..=ENTRIES; each copy loses a different one.
    let mut copies = vec![damaged(&original, 2), damaged(&original, 5)];
    let id = VaultFile::parse(&original, &KdfLimits::STANDARD)
        .unwrap()
        .header()
        .vault_id();
    let mut merge = Salvage::new(id, 2);
    {
        let file = VaultFile::parse(&copies[0], &KdfLimits::STANDARD).unwrap();
        let unlocked = file
            .unlock(SlotKind::Password, PASSWORD.as_bytes())
            .unwrap();
        let taken = merge.take_file(0, &unlocked);
        assert_eq!(taken.failed, [2]);
    }
    assert!(take_by_rows(&mut merge, 1, &copies[1], |_, _| {}));
    let mut merged = merge.finish(&mut copies[..]);
    assert!(merged.lost.is_empty(), "{:?}", merged.lost);
    assert_eq!(merged.version_count(), ENTRIES);
    assert_eq!(merged.events_kept(), ENTRIES + 1);
    // Record 2 came from the copy read by rows, every other from the first.
    let from: Vec<usize> = merged.versions().map(|v| v.from).collect();
    assert_eq!(from.iter().filter(|&&f| f == 1).count(), 1);

    let rebuilt = opened(&write(&mut merged, &mut copies).unwrap());
    let before = opened(&original);
    assert_eq!(rebuilt.entries, before.entries);
    assert_eq!(rebuilt.events[..before.events.len()], before.events[..]);
}

#[test]
fn a_table_that_changed_while_it_was_read_is_not_used() {
    let original = fixtures::vault(&spec());
    let id = VaultFile::parse(&original, &KdfLimits::STANDARD)
        .unwrap()
        .header()
        .vault_id();
    // A row's length changed: its record and those after it no longer read, and the rows no
    // longer hash to the authenticated table.
    let changes: [fn(&mut [u8; TABLE_ENTRY_LEN], u32); 2] = [
        |row, i| {
            if i == 3 {
                row[4] ^= 0x10;
            }
        },
        // Only the checksum: every record still opens on its own MAC, but not with this row.
        |row, i| {
            if i == 3 {
                row[40] ^= 1;
            }
        },
    ];
    for change in changes {
        let mut merge = Salvage::new(id, 1);
        assert!(!take_by_rows(&mut merge, 0, &original, change));
        assert_eq!(merge.opened_generation(), None);
        let mut copies = [original.clone()];
        let merged = merge.finish(&mut copies[..]);
        assert_eq!(merged.version_count(), 0);
        assert_eq!(merged.used, 0);
    }
}

#[test]
fn a_record_changed_between_the_passes_is_refused() {
    let original = fixtures::vault(&spec());
    let id = VaultFile::parse(&original, &KdfLimits::STANDARD)
        .unwrap()
        .header()
        .vault_id();
    let records = forge::record_count(&original);
    // An entry version (record 4) and an audit event (the last record).
    for i in [4, records - 1] {
        let mut merge = Salvage::new(id, 1);
        assert!(take_by_rows(&mut merge, 0, &original, |_, _| {}));
        let mut first = vec![original.clone()];
        let mut merged = merge.finish(&mut first[..]);
        let mut changed = vec![damaged(&original, i)];
        let e = write(&mut merged, &mut changed).unwrap_err();
        assert!(
            matches!(
                e,
                Error::RecordDamaged { .. }
                    | Error::RecordAuthFailed { .. }
                    | Error::RecordForeign { .. }
            ),
            "record {i}: {e:?}"
        );
        // Unchanged, the same merge writes.
        assert!(write(&mut merged, &mut first).is_ok());
    }
}

#[test]
fn copies_in_memory_are_read_at_their_offsets() {
    let mut copies = [vec![1u8, 2, 3, 4], vec![5, 6]];
    let mut buf = [0u8; 2];
    assert!(copies[..].read_at(0, 2, &mut buf));
    assert_eq!(buf, [3, 4]);
    assert!(!copies[..].read_at(1, 1, &mut buf));
    assert!(!copies[..].read_at(2, 0, &mut buf));
    assert!(!copies[..].read_at(0, u64::MAX, &mut buf));
}

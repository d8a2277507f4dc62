//! The stream writer's two ways of keeping the record table — held, or handed out and read
//! back — write the same file.

use super::*;
use crate::records::{AuditOp, EntryKind, EntryStatus, Kcv};
use crate::secrets::SlotKey;
use std::vec::Vec;

/// The same bytes every run, so that two writers given the same draws write the same.
struct Counter(u64);

impl rand_core::RngCore for Counter {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        self.0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            *b = self.next_u64() as u8;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl rand_core::CryptoRng for Counter {}

/// Writes a file of `entries` entries and as many events, with the table held or
/// handed out, and returns its bytes.
fn write(entries: u32, without_table: bool) -> Vec<u8> {
    let mut rng = Counter(7);
    let vmk = VaultMasterKey::from_bytes([3; KEY_LEN]);
    let vault_id = [9; VAULT_ID_LEN];
    let slot = SealedSlot::seal_with_key(
        SlotKind::Password,
        600_000,
        [1; SALT_LEN],
        &SlotKey::from_bytes([5; KEY_LEN]),
        &vmk,
        &vault_id,
        &mut rng,
    );
    let slots = [slot];
    let params = HeaderParams {
        vault_id,
        generation: 4,
        written_at: 1_700_000_000,
    };
    let meta = Meta {
        recovery_secret: None,
        default_policy_days: 90,
        created_at: 1,
        audit_next_seq: entries,
        audit_head: [0; 32],
        check_key: Some(CheckKey::from_bytes([2; CHECK_KEY_LEN])),
    };
    let count = 1 + 2 * entries;
    let header_len = format::header_len(1, count).unwrap();
    let mut header = std::vec![0u8; header_len];
    let mut w = if without_table {
        StreamWriter::new_without_table(&mut header, &vmk, &params, &slots, count).unwrap()
    } else {
        StreamWriter::new(&mut header, &vmk, &params, &slots, count).unwrap()
    };
    let mut body = Vec::new();
    let mut rows = Vec::new();
    let mut rec = std::vec![0u8; MAX_RECORD_LEN];
    let mut put = |w: &StreamWriter<'_>, rec: &[u8], body: &mut Vec<u8>| {
        body.extend_from_slice(rec);
        if let Some(row) = w.last_row() {
            rows.extend_from_slice(&row);
        }
    };
    let n = w.push_meta(&meta, &mut rng, &mut rec).unwrap();
    put(&w, &rec[..n], &mut body);
    for i in 0..entries {
        let secret = [i as u8; 32];
        let name = std::format!("key-{i:05}");
        let e = Entry {
            id: (u128::from(i) + 1).to_be_bytes(),
            version: 1,
            kind: EntryKind::SymmetricKey,
            status: EntryStatus::Active,
            name: &name,
            secret: &secret,
            created_at: 1,
            rotated_at: 1,
            policy_days: 0,
        };
        let n = w.push_entry(&e, &mut rng, &mut rec).unwrap();
        put(&w, &rec[..n], &mut body);
    }
    for seq in 0..entries {
        let a = AuditEvent {
            seq,
            time: 1,
            op: AuditOp::Generate,
            entry_id: [0; 16],
            version: 0,
            kcv: Kcv::default(),
            kcv_showable: false,
            prev_hash: [seq as u8; 32],
            name: "",
            detail: "",
        };
        let n = w.push_audit(&a, &mut rng, &mut rec).unwrap();
        put(&w, &rec[..n], &mut body);
    }
    let mut file = Vec::new();
    if without_table {
        let mut read = |first: u32, buf: &mut [u8]| {
            let at = TABLE_ENTRY_LEN * first as usize;
            buf.copy_from_slice(&rows[at..at + buf.len()]);
            true
        };
        let sealed = w.finish_rows(&mut read).unwrap();
        let header = [sealed.start, &rows[..], &sealed.end[..]].concat();
        file.extend_from_slice(&header);
        file.extend_from_slice(&body);
        file.extend_from_slice(&header);
        file.extend_from_slice(&sealed.trailer);
    } else {
        let (head, trailer) = w.finish().unwrap();
        file.extend_from_slice(head);
        file.extend_from_slice(&body);
        file.extend_from_slice(head);
        file.extend_from_slice(&trailer);
    }
    file
}

#[test]
fn a_writer_without_its_table_writes_the_same_file() {
    // Past one chunk of rows (16), several, and an uneven last chunk.
    for entries in [0, 1, 40, 100] {
        let held = write(entries, false);
        let handed_out = write(entries, true);
        assert_eq!(held, handed_out, "{entries} entries");
        let file =
            crate::format::VaultFile::parse(&held, &crate::kdf::KdfLimits::STANDARD).unwrap();
        assert!(file.verify().is_intact());
    }
}

#[test]
fn each_finish_is_for_its_own_kind_of_writer() {
    let vmk = VaultMasterKey::from_bytes([3; KEY_LEN]);
    let params = HeaderParams {
        vault_id: [0; VAULT_ID_LEN],
        generation: 0,
        written_at: 0,
    };
    let slot = SealedSlot::seal_with_key(
        SlotKind::Password,
        600_000,
        [1; SALT_LEN],
        &SlotKey::from_bytes([5; KEY_LEN]),
        &vmk,
        &[0; VAULT_ID_LEN],
        &mut Counter(1),
    );
    let meta = Meta {
        recovery_secret: None,
        default_policy_days: 90,
        created_at: 1,
        audit_next_seq: 0,
        audit_head: [0; 32],
        check_key: None,
    };
    let mut rec = std::vec![0u8; MAX_RECORD_LEN];
    let mut buf = std::vec![0u8; 4096];
    let mut w = StreamWriter::new(&mut buf, &vmk, &params, &[slot], 1).unwrap();
    w.push_meta(&meta, &mut Counter(1), &mut rec).unwrap();
    assert!(w.finish_rows(&mut |_, _| true).is_err());
    let mut w = StreamWriter::new_without_table(&mut buf, &vmk, &params, &[slot], 1).unwrap();
    w.push_meta(&meta, &mut Counter(1), &mut rec).unwrap();
    assert!(w.last_row().is_some());
    assert!(w.finish().is_err());
}

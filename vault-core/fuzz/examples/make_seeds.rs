//! Writes the seed corpora: every format vector, cheap-to-open vaults (one PBKDF2 iteration,
//! password "fuzz") with entries, audit events and damaged variants, armored text, recovery
//! codes, SLIP-39 shares (the official vectors and a fresh split), and legacy inputs.
//!
//! Usage: make_seeds CORPUS_DIR VECTORS_DIR SLIP39_VECTORS_JSON

use std::fs;
use std::path::Path;

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use vault_core::{
    armor, recovery_code, slip39, AuditEvent, AuditOp, Entry, EntryKind, EntryStatus,
    HeaderParams, KdfLimits, Kcv, Layout, Meta, RecoverySecret, SealedSlot, SlotKind,
    VaultMasterKey, VaultWriter,
};

fn cheap_vault(seed: u64, entries: usize) -> Vec<u8> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let limits = KdfLimits::insecure_test_only();
    let vmk = VaultMasterKey::generate(&mut rng);
    let id = [seed as u8; 16];
    let recovery = RecoverySecret::from_bytes([0x42; 16]);
    let slots = [
        SealedSlot::seal(SlotKind::Password, b"fuzz", 1, &limits, &vmk, &id, &mut rng).unwrap(),
        SealedSlot::seal(SlotKind::Recovery, recovery.expose_secret(), 1, &limits, &vmk, &id, &mut rng).unwrap(),
    ];
    let names: Vec<String> = (0..entries).map(|i| format!("key-{i}")).collect();
    let secrets: Vec<Vec<u8>> = (0..entries).map(|i| vec![i as u8 + 1; 1 + i * 7]).collect();
    let list: Vec<Entry<'_>> = (0..entries)
        .map(|i| Entry {
            id: [i as u8 + 1; 16],
            version: 1,
            kind: EntryKind::from_u8(1 + (i % 5) as u8).unwrap(),
            status: EntryStatus::Active,
            name: &names[i],
            secret: &secrets[i],
            created_at: 1,
            rotated_at: 2,
            policy_days: 0,
        })
        .collect();
    let e0 = AuditEvent {
        seq: 0,
        time: 1,
        op: AuditOp::Init,
        entry_id: [0; 16],
        version: 0,
        kcv: Kcv::default(),
        kcv_showable: false,
        prev_hash: [0; 32],
        name: "",
        detail: "seed",
    };
    let meta = Meta {
        recovery_secret: Some(recovery),
        default_policy_days: 90,
        created_at: 1,
        audit_next_seq: 1,
        audit_head: e0.hash(),
        check_key: None,
    };
    let mut layout = Layout::new(2);
    list.iter().for_each(|e| layout.add_entry(e));
    layout.add_audit(&e0);
    let mut out = vec![0u8; layout.file_len().unwrap()];
    let params = HeaderParams { vault_id: id, generation: 1, written_at: 1 };
    let mut w = VaultWriter::new(&mut out, &vmk, &params, &slots, &meta, layout.records(), &mut rng).unwrap();
    for e in &list {
        w.push_entry(e, &mut rng).unwrap();
    }
    w.push_audit(&e0, &mut rng).unwrap();
    w.finish().unwrap();
    out
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    fs::create_dir_all(dir).unwrap();
    fs::write(dir.join(name), bytes).unwrap();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (corpus, vectors, slip) = (Path::new(&args[1]), Path::new(&args[2]), Path::new(&args[3]));

    // Vaults: the format vectors (keyless paths) and cheap ones (every path).
    for entry in fs::read_dir(vectors).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "airvault") {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            write(&corpus.join("parse_verify"), &name, &fs::read(&p).unwrap());
        }
    }
    for (i, n) in [0usize, 1, 3].into_iter().enumerate() {
        let v = cheap_vault(i as u64 + 1, n);
        for target in ["parse_verify", "open_rewrite"] {
            write(&corpus.join(target), &format!("cheap-{n}.airvault"), &v);
            let mut damaged = v.clone();
            let mid = damaged.len() / 2;
            damaged[mid] ^= 1;
            write(&corpus.join(target), &format!("cheap-{n}-flipped.airvault"), &damaged);
            write(&corpus.join(target), &format!("cheap-{n}-cut.airvault"), &v[..mid]);
        }
        let mut text = vec![0u8; armor::encoded_len(v.len())];
        armor::encode(&v, &mut text).unwrap();
        write(&corpus.join("armor"), &format!("cheap-{n}.asc"), &text);
    }
    // Short armor: empty, one partial line, one full line, a full and a partial line.
    for n in [0usize, 1, 19, 20, 21, 100] {
        let data: Vec<u8> = (0..n).map(|i| (i * 37) as u8).collect();
        let mut text = vec![0u8; armor::encoded_len(n)];
        armor::encode(&data, &mut text).unwrap();
        write(&corpus.join("armor"), &format!("short-{n}.asc"), &text);
    }

    // Recovery codes.
    for b in [0u8, 0x42, 0xFF] {
        let code = recovery_code::encode(&RecoverySecret::from_bytes([b; 16]));
        write(&corpus.join("recovery_code"), &format!("code-{b:02x}.txt"), code.expose_secret().as_bytes());
    }

    // SLIP-39: the official vectors' mnemonics, one set per file, and a fresh 2-of-3 split.
    // Each mnemonic on its own, and each vector's mnemonics together (consecutive lines of
    // the JSON file), so that whole sets reach the combining code.
    let json = fs::read_to_string(slip).unwrap();
    let mut set = 0;
    let mut group: Vec<&str> = Vec::new();
    let mut groups = 0;
    for line in json.lines() {
        let l = line.trim().trim_end_matches(',').trim_matches('"');
        if l.split(' ').count() >= 20 && l.chars().all(|c| c.is_ascii_lowercase() || c == ' ') {
            write(&corpus.join("slip39"), &format!("official-{set}.txt"), l.as_bytes());
            set += 1;
            group.push(l);
            continue;
        }
        if group.len() > 1 {
            let text = group.join("\n");
            write(&corpus.join("slip39"), &format!("official-set-{groups}.txt"), text.as_bytes());
            groups += 1;
        }
        group.clear();
    }
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let mut shares = vault_core::heapless::Vec::new();
    // airvault's own shares (iteration exponent 1), and the same split with exponent 0 (the
    // target combines only those).
    for e in [1u8, 0] {
        slip39::split(&[0x42; 16], b"", 2, 3, e, true, &mut rng, &mut shares).unwrap();
        let mut text = String::new();
        for s in &shares {
            slip39::write_mnemonic(s, &mut text).unwrap();
            text.push('\n');
        }
        write(&corpus.join("slip39"), &format!("split-2-of-3-e{e}.txt"), text.as_bytes());
    }

    // PBKDF2 differential: a few shapes.
    for (i, seed) in [&b"\x10\x00\x05\x03pwdsalt"[..], &[0xFF; 90], b"\x01\x00\x00\x00"].iter().enumerate() {
        write(&corpus.join("pbkdf2_diff"), &format!("seed-{i}"), seed);
    }
    println!("seed corpora written to {}", corpus.display());
}

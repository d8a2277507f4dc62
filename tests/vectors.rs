//! Every format test vector in `tests/vectors/`: the generator still produces exactly the
//! checked-in files, and vault-core gives each file its expected outcome.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::fs;

use airvault_tests::vectors::{generate, Expectation, ExpectedEntry};
use airvault_tests::vectors_dir;
use vault_core::audit::{ChainError, ChainVerifier};
use vault_core::constants::MAX_RECORD_LEN;
use vault_core::{KdfLimits, Meta, Record, SlotKind, VaultFile};

/// The audit-chain verdict in the vectors' words.
fn chain_verdict(events: &[vault_core::AuditEvent<'_>], meta: &Meta) -> String {
    let mut chain = ChainVerifier::new();
    let result = events
        .iter()
        .try_for_each(|e| chain.push(e))
        .and_then(|()| chain.finish(meta));
    match result {
        Ok(()) => "valid",
        Err(ChainError::Sequence { .. }) => "sequence",
        Err(ChainError::Link { .. }) => "link",
        Err(ChainError::Head) => "head",
        Err(_) => "other",
    }
    .into()
}

type Outcome = (String, Option<String>, Vec<ExpectedEntry>, Option<String>);

/// Parse → keyless verify → unlock → open every record (→ the audit chain), as the vectors
/// define it.
fn evaluate(bytes: &[u8], exp: &Expectation) -> Outcome {
    let vf = match VaultFile::parse(bytes, &KdfLimits::STANDARD) {
        Ok(vf) => vf,
        Err(e) => return (e.code().into(), None, vec![], None),
    };
    let keyless = Some(
        if vf.verify().is_intact() {
            "intact"
        } else {
            "damaged"
        }
        .to_string(),
    );
    // Argon2id's memory, as much as the keyslots of the kind tried need.
    let (kind, secret) = match (&exp.password, &exp.recovery_secret_hex) {
        (Some(pw), _) => (SlotKind::Password, pw.as_bytes().to_vec()),
        (None, Some(r)) => (SlotKind::Recovery, hex::decode(r).unwrap()),
        (None, None) => panic!("vector gives no secret"),
    };
    let mut memory = vec![vault_core::Argon2Block::new(); vf.kdf_memory_blocks(kind)];
    let unlocked = vf.unlock_with_memory(kind, &secret, &mut memory, &mut |_, _| {});
    let v = match unlocked {
        Ok(v) => v,
        Err(e) => return (e.code().into(), keyless, vec![], None),
    };
    let mut buf = vec![0u8; MAX_RECORD_LEN];
    let mut entries = vec![];
    let mut meta = None;
    let mut audit_bufs = vec![];
    for r in vf.records() {
        if r.entry.kind == vault_core::RecordKind::Audit {
            audit_bufs.push((r, vec![0u8; MAX_RECORD_LEN]));
        }
        match v.open_record(&r, &mut buf) {
            Ok(Record::Meta(m)) => meta = Some(m),
            Ok(Record::Entry(e)) => entries.push(ExpectedEntry {
                // The check value a reader shows: keyed with the metadata's check key for
                // a low-entropy secret, "-" where there is no check key (version 1).
                kcv: e
                    .check_value(meta.as_ref().and_then(|m: &Meta| m.check_key.as_ref()))
                    .map_or_else(|| "-".to_owned(), |k| k.to_string()),
                name: e.name.into(),
                id_hex: hex::encode(e.id),
                version: e.version,
                kind: e.kind.name().into(),
                status: e.status.name().into(),
                secret_hex: hex::encode(e.secret),
                created_at: e.created_at,
                rotated_at: e.rotated_at,
                policy_days: e.policy_days,
            }),
            Ok(_) => {}
            Err(e) => return (e.code().into(), keyless, vec![], None),
        }
    }
    let chain = exp.audit_chain.as_ref().map(|_| {
        let events: Vec<_> = audit_bufs
            .iter_mut()
            .map(|(r, b)| match v.open_record(r, b) {
                Ok(Record::Audit(a)) => a,
                other => panic!("audit record: {other:?}"),
            })
            .collect();
        chain_verdict(&events, meta.as_ref().expect("metadata record"))
    });
    ("success".into(), keyless, entries, chain)
}

#[test]
fn generator_reproduces_the_checked_in_files() {
    let dir = vectors_dir();
    let generated = generate();
    let mut names = BTreeSet::new();
    for v in &generated {
        names.insert(v.name.clone());
        let bytes = fs::read(dir.join(format!("{}.airvault", v.name))).unwrap_or_else(|e| {
            panic!(
                "{}: {e} — run `cargo run -p airvault-tests --bin gen-vectors`",
                v.name
            )
        });
        assert!(
            bytes == v.bytes,
            "{}.airvault differs from the generator's output",
            v.name
        );
        let json: Expectation = serde_json::from_str(
            &fs::read_to_string(dir.join(format!("{}.json", v.name))).unwrap(),
        )
        .unwrap();
        assert_eq!(json, v.expectation, "{}.json differs", v.name);
    }
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            continue; // v1/: frozen files of the first format version, not generated
        }
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        assert!(
            names.contains(&stem),
            "{} is not produced by the generator",
            path.display()
        );
    }
}

/// Runs every vector in `dir`; returns how many and the outcomes seen.
fn run_dir(dir: &std::path::Path) -> (usize, BTreeSet<String>) {
    let mut count = 0;
    let mut outcomes = BTreeSet::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let exp: Expectation = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let bytes = fs::read(path.with_extension("airvault")).unwrap();
        let (outcome, keyless, entries, chain) = evaluate(&bytes, &exp);
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        assert_eq!(outcome, exp.expect, "{name}: outcome");
        assert_eq!(keyless, exp.keyless, "{name}: keyless verdict");
        assert_eq!(entries, exp.entries, "{name}: entries");
        assert_eq!(chain, exp.audit_chain, "{name}: audit chain");
        outcomes.insert(outcome);
        count += 1;
    }
    (count, outcomes)
}

/// Files written in format version 1, before the check key: frozen copies of what the
/// version-1 generator made (`tests/vectors/v1/`), which every reader must still open.
#[test]
fn version_1_files_still_open() {
    let (count, outcomes) = run_dir(&vectors_dir().join("v1"));
    assert!(count >= 5, "only {count} version-1 vectors found");
    assert!(outcomes.contains("success"));
}

#[test]
fn every_vector_has_its_expected_outcome() {
    let (count, outcomes) = run_dir(&vectors_dir());
    assert!(count >= 40, "only {count} vectors found");
    // Every outcome category is represented.
    for want in [
        "success",
        "wrong_password",
        "not_a_vault",
        "unsupported_version",
        "kdf_cost_refused",
        "unsupported_slot",
        "header_damaged",
        "malformed",
        "truncated",
        "header_auth_failed",
        "record_damaged",
        "record_missing",
        "record_auth_failed",
        "record_foreign",
        "record_malformed",
    ] {
        assert!(outcomes.contains(want), "no vector expects {want}");
    }
}

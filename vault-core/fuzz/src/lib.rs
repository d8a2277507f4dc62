//! The checks of every fuzz target, as functions of the input bytes: the cargo-fuzz targets
//! (`fuzz_targets/*.rs`) call them, and the workspace's test suite replays every input kept
//! under `regressions/TARGET/` through them (`tests/fuzz_regressions.rs`), so an input that
//! once made a target fail keeps being checked by `cargo test`.
//!
//! Each function returns normally for any input; a panic (a failed assertion included) is a
//! bug.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use rand_chacha::rand_core::SeedableRng;
use vault_core::constants::MAX_RECORD_LEN;
use vault_core::legacy::{self, Digest, OpensslKdf};
use vault_core::slip39::{self, MAX_SHARES};
use vault_core::{
    armor as armor_codec, recovery_code as code, HeaderParams, KdfLimits, Pbkdf2, Record,
    RecoverySecret, Rewrite, SealedSlot, SlotKind, VaultFile,
};

/// The names of the targets, as `run.sh` and `regressions/` name them.
pub const TARGETS: [&str; 7] = [
    "parse_verify",
    "open_rewrite",
    "armor",
    "recovery_code",
    "slip39",
    "legacy",
    "pbkdf2_diff",
];

/// Runs the target called `name` on `data`.
///
/// # Panics
/// On an unknown name, and wherever the target finds a bug.
pub fn run(name: &str, data: &[u8]) {
    match name {
        "parse_verify" => parse_verify(data),
        "open_rewrite" => open_rewrite(data),
        "armor" => armor(data),
        "recovery_code" => recovery_code(data),
        "slip39" => slip39(data),
        "legacy" => legacy(data),
        "pbkdf2_diff" => pbkdf2_diff(data),
        _ => panic!("no fuzz target {name}"),
    }
}

/// Any bytes: parsing and the keyless check never panic, and a file judged intact has
/// every record present and matching its checksum.
pub fn parse_verify(data: &[u8]) {
    for limits in [KdfLimits::STANDARD, KdfLimits::insecure_test_only()] {
        if let Ok(file) = VaultFile::parse(data, &limits) {
            let report = file.verify();
            if report.is_intact() {
                assert!(file.records().all(|r| r.checksum_ok()));
                assert_eq!(report.actual_len, report.expected_len);
            }
            let _ = file.header().slots().count();
        }
    }
}

/// The password of every seed vault of `open_rewrite`.
const PASSWORD: &[u8] = b"fuzz";
/// Slots costlier than this are not opened (the fuzzer would spend its time in PBKDF2).
const MAX_FUZZ_ITERATIONS: u32 = 64;

/// Mutated vaults opened with the right password: unlocking, opening every record and
/// rewriting never panic, and whatever opens is consistent. Seeds are vaults whose
/// keyslots use a single PBKDF2 iteration, so each run is cheap.
pub fn open_rewrite(data: &[u8]) {
    let limits = KdfLimits::insecure_test_only();
    let Ok(file) = VaultFile::parse(data, &limits) else {
        return;
    };
    if file
        .header()
        .slots()
        .any(|s| s.iterations() > MAX_FUZZ_ITERATIONS)
    {
        return;
    }
    let _ = file.verify();
    let Ok(vault) = file.unlock(SlotKind::Password, PASSWORD) else {
        return;
    };
    let mut buf = vec![0u8; MAX_RECORD_LEN];
    for r in file.records() {
        if let Ok(Record::Entry(e)) = vault.open_record(&r, &mut buf) {
            assert_eq!(e.kcv(), vault_core::Kcv::of(e.secret));
            assert!(!e.secret.is_empty() && !e.name.is_empty());
        }
    }
    // Rewriting with the same key either fails cleanly or yields a file that opens.
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    let slots: Vec<SealedSlot> = file
        .header()
        .slots()
        .map(|s| SealedSlot::from_view(&s))
        .collect();
    let rw = Rewrite {
        params: HeaderParams {
            vault_id: file.header().vault_id(),
            generation: file.header().generation().wrapping_add(1),
            written_at: 0,
        },
        slots: &slots,
        new_master_key: None,
        event: None,
    };
    if let Ok(len) = vault.rewrite_len(&rw) {
        if len > 1 << 22 {
            return;
        }
        let mut out = vec![0u8; len];
        let mut scratch = vec![0u8; vault.scratch_len()];
        if let Ok(n) = vault.rewrite(&mut out, &mut scratch, &rw, &mut rng) {
            let again = VaultFile::parse(&out[..n], &limits).expect("rewritten file parses");
            assert!(again.verify().is_intact());
            again
                .unlock(SlotKind::Password, PASSWORD)
                .expect("rewritten file opens");
        }
    }
}

/// Bytes of the input that `armor` round-trips.
const ROUND_TRIP_MAX: usize = 128;

/// Armor: decoding any text never panics; encoding any bytes decodes back to them.
///
/// The whole input is decoded as text. The round trip encodes only the first 128 bytes:
/// seven lines, full and partial, reach every path of the encoder and of decoding its
/// output, while encoding all of a 5 KB input and decoding the 14 KB of text it gives
/// would cost four times the work of the hostile-text decode for no new path.
pub fn armor(data: &[u8]) {
    let mut out = vec![0u8; armor_codec::decoded_len_max(data.len())];
    let _ = armor_codec::decode(data, &mut out);

    let data = &data[..data.len().min(ROUND_TRIP_MAX)];
    let mut text = vec![0u8; armor_codec::encoded_len(data.len())];
    let n = armor_codec::encode(data, &mut text).expect("sized by encoded_len");
    assert_eq!(n, text.len());
    let mut back = vec![0u8; armor_codec::decoded_len_max(n)];
    let m = armor_codec::decode(&text, &mut back).expect("own armor decodes");
    assert_eq!(&back[..m], data);
}

/// Recovery codes: parsing any text never panics; every secret round-trips.
pub fn recovery_code(data: &[u8]) {
    if let Ok(text) = core::str::from_utf8(data) {
        let _ = code::parse(text);
    }
    if let Ok(bytes) = <[u8; 16]>::try_from(data.get(..16).unwrap_or(&[])) {
        let secret = RecoverySecret::from_bytes(bytes);
        let c = code::encode(&secret);
        assert!(code::parse(c.expose_secret()).expect("own code parses") == secret);
    }
}

/// SLIP-39: parsing any text (one mnemonic per line) never panics, what parses re-encodes
/// to the same share, and combining the shares that parse never panics.
///
/// Each line is parsed once: the wordlist lookup is constant-time (every word of the list
/// is compared with every input word), which dominates the cost of a run under coverage
/// instrumentation, so the shares are combined with `combine` rather than by parsing the
/// text again with `combine_mnemonics` (which is that parse followed by `combine`). Sets
/// with an iteration exponent above 0 are not combined: every step of the exponent doubles
/// the 10,000 PBKDF2 iterations of the Feistel decryption (exponent 15 would be 330
/// million), which only changes an iteration count that the unit tests and the official
/// vectors cover.
pub fn slip39(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let mut shares = Vec::new();
    for line in text.lines().take(MAX_SHARES + 1) {
        if let Ok(share) = slip39::parse_mnemonic(line) {
            shares.push(share);
        }
    }
    if let Some(share) = shares.first() {
        let mut again = String::new();
        slip39::write_mnemonic(share, &mut again).expect("writing to a String");
        let reparsed = slip39::parse_mnemonic(&again).expect("own mnemonic parses");
        assert_eq!(reparsed.value(), share.value());
        assert_eq!(reparsed.identifier(), share.identifier());
        assert_eq!(reparsed.member_index(), share.member_index());
        assert_eq!(reparsed.group_index(), share.group_index());
    }
    if !shares.is_empty() && shares.iter().all(|s| s.iteration_exponent() == 0) {
        let mut out = [0u8; 32];
        if let Ok(n) = slip39::combine(&shares, b"", &mut out) {
            assert!((16..=32).contains(&n));
        }
    }
}

/// Legacy imports: decrypting any bytes as an `openssl enc` file or a Fernet token never
/// panics. The first byte picks the KDF; iteration counts stay tiny to keep runs fast.
pub fn legacy(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let digest = [Digest::Sha256, Digest::Sha512, Digest::Sha1, Digest::Md5][usize::from(pick & 3)];
    let kdf = if pick & 4 == 0 {
        OpensslKdf::Pbkdf2 {
            iterations: 1 + u32::from(pick >> 4),
            digest,
        }
    } else {
        OpensslKdf::BytesToKey { digest }
    };
    let mut out = vec![0u8; rest.len() + 16];
    let _ = legacy::openssl_decrypt(rest, b"password", kdf, &mut out);
    let _ = legacy::openssl_max_plaintext_len(rest);
    let key = b"cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
    let _ = legacy::fernet_decrypt(key, rest, &mut out);
    let split = usize::from(pick) % (rest.len() + 1);
    let _ = legacy::fernet_decrypt(&rest[..split], &rest[split..], &mut out);
}

/// The core's PBKDF2 (the SHA-extension loop where the CPU has it, stepped in arbitrary
/// chunks) equals the `pbkdf2` crate on any password, salt and iteration count (1 to 128:
/// with chunks of 1 to 64 iterations that covers one step, several, and a last step shorter
/// than the others; every further iteration runs the same loop, so larger counts would
/// only slow the fuzzer down).
pub fn pbkdf2_diff(data: &[u8]) {
    if data.len() < 3 {
        return;
    }
    let iterations = 1 + u32::from(u16::from_le_bytes([data[0], data[1]]) % 128);
    let chunk = 1 + u32::from(data[2] % 64);
    let rest = &data[3..];
    let split = rest.first().map_or(0, |&b| usize::from(b)) % (rest.len() + 1);
    let (password, salt) = rest.split_at(split);
    let mut want = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, iterations, &mut want);
    let mut job = Pbkdf2::new(password, salt, iterations, &KdfLimits::insecure_test_only())
        .expect("within test limits");
    while job.remaining() > 0 {
        job.step(chunk);
    }
    assert_eq!(job.finish().expose_secret(), &want);
}

//! The official SLIP-39 test vectors (trezor/python-shamir-mnemonic
//! `vectors.json`). Passphrase "TREZOR" for all; an empty master secret means
//! the mnemonics must be rejected.
//!
//! The file is `tests/slip39/vectors.json` (a copy kept in the repository, see the
//! README beside it), or the path in the `SLIP39_VECTORS` environment variable. A missing
//! file is a failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use vault_core::slip39::{
    combine_mnemonics, MnemonicError, Parameter, Slip39Error, MAX_SECRET_LEN,
};

/// The copy kept in the repository.
const DEFAULT_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/slip39/vectors.json");

#[test]
fn official_vectors() {
    let path = std::env::var("SLIP39_VECTORS").unwrap_or_else(|_| DEFAULT_PATH.to_owned());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the SLIP-39 test vectors at {path}: {e}\n\
             (set SLIP39_VECTORS to the path of vectors.json from \
             trezor/python-shamir-mnemonic)"
        )
    });
    let vectors: Vec<(String, Vec<String>, String, String)> =
        serde_json::from_str(&text).expect("vectors.json is not [[desc, [mnemonics], hex, xprv]]");
    assert!(
        vectors.len() >= 45,
        "expected at least 45 vectors, found {}",
        vectors.len()
    );

    let mut failures = Vec::new();
    let (mut valid, mut invalid) = (0, 0);
    for (number, (description, mnemonics, secret_hex, _xprv)) in vectors.iter().enumerate() {
        let name = format!("vector {} ({description})", number + 1);
        let mut out = [0u8; MAX_SECRET_LEN];
        let result = combine_mnemonics(mnemonics.iter().map(String::as_str), b"TREZOR", &mut out);
        if secret_hex.is_empty() {
            invalid += 1;
            match result {
                Ok(_) => failures.push(format!("{name}: accepted invalid mnemonics")),
                Err(e) if rejected_for_the_right_reason(description, &e) => {
                    println!("ok   {name}: rejected: {e}")
                }
                Err(e) => failures.push(format!("{name}: rejected for the wrong reason: {e:?}")),
            }
        } else {
            valid += 1;
            match result {
                Ok(len) if hex::encode(&out[..len]) == *secret_hex => println!("ok   {name}"),
                Ok(len) => failures.push(format!(
                    "{name}: wrong secret {} (expected {secret_hex})",
                    hex::encode(&out[..len])
                )),
                Err(e) => failures.push(format!("{name}: rejected valid mnemonics: {e}")),
            }
        }
    }
    println!("{valid} valid and {invalid} invalid vectors checked");
    assert!(
        failures.is_empty(),
        "failing vectors:\n{}",
        failures.join("\n")
    );
}

/// Maps each kind of invalid vector (by its description) to the error it must
/// produce. Unknown kinds only need to be rejected.
fn rejected_for_the_right_reason(description: &str, error: &Slip39Error) -> bool {
    use MnemonicError as M;
    use Slip39Error as E;
    let d = description.to_ascii_lowercase();
    let share_error = match error {
        E::Share { share: _, error } => Some(*error),
        _ => None,
    };
    if d.contains("invalid checksum") {
        matches!(share_error, Some(M::Checksum { .. }))
    } else if d.contains("invalid padding") {
        share_error == Some(M::Padding)
    } else if d.contains("insufficient length") || d.contains("invalid master secret length") {
        matches!(share_error, Some(M::WordCount { .. }))
    } else if d.contains("greater group threshold than group count") {
        matches!(share_error, Some(M::GroupThreshold { .. }))
    } else if d.contains("different identifiers") {
        matches!(error, E::DifferentSets { .. })
    } else if d.contains("different iteration exponents") {
        matches!(
            error,
            E::Mismatch {
                parameter: Parameter::IterationExponent,
                ..
            }
        )
    } else if d.contains("mismatching group thresholds") {
        matches!(
            error,
            E::Mismatch {
                parameter: Parameter::GroupThreshold,
                ..
            }
        )
    } else if d.contains("mismatching group counts") {
        matches!(
            error,
            E::Mismatch {
                parameter: Parameter::GroupCount,
                ..
            }
        )
    } else if d.contains("mismatching member thresholds") {
        matches!(
            error,
            E::Mismatch {
                parameter: Parameter::MemberThreshold,
                ..
            }
        )
    } else if d.contains("duplicate member indices") {
        matches!(error, E::DuplicateMemberIndex { .. })
    } else if d.contains("invalid digest") {
        matches!(error, E::DigestMismatch { .. })
    } else if d.contains("insufficient number of groups") {
        matches!(error, E::NotEnoughGroups { .. })
    } else if d.contains("insufficient number of members") || d.contains("basic sharing") {
        matches!(error, E::NotEnoughShares { .. })
    } else {
        true
    }
}

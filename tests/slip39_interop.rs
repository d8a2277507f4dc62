//! Interoperability with the SLIP-39 reference implementation (PyPI package
//! `shamir-mnemonic`), driven through `tests/slip39_interop.py`.
//!
//! Requires `python3` (or the interpreter named by `$PYTHON`) with
//! `pip install shamir-mnemonic`. If either is missing the test FAILS.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::{Command, Stdio};

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde_json::{json, Value};
use vault_core::slip39::{combine_mnemonics, split, write_mnemonic, Share, MAX_SHARES};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/interop/slip39_interop.py");
const INSTALL: &str =
    "install Python 3 and the reference implementation: pip install shamir-mnemonic";

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// Runs the helper script with `command`, feeding `input` as JSON.
fn run(command: &str, input: &Value) -> Value {
    let python = python();
    let mut child = Command::new(&python)
        .arg(SCRIPT)
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `{python}` ({e}): {INSTALL}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    match output.status.code() {
        Some(0) => {}
        Some(3) => panic!("the Python package shamir-mnemonic is missing: {INSTALL}\n{stderr}"),
        _ => panic!("{SCRIPT} {command} failed ({}):\n{stderr}", output.status),
    }
    serde_json::from_slice(&output.stdout).expect("helper printed invalid JSON")
}

fn mnemonic(share: &Share) -> String {
    let mut text = String::new();
    write_mnemonic(share, &mut text).unwrap();
    text
}

#[test]
fn reference_implementation_is_available() {
    let version = run("check", &json!({}));
    println!("shamir-mnemonic {}", version["version"]);
}

#[test]
fn our_shares_combine_in_the_reference_implementation() {
    let mut rng = ChaCha20Rng::seed_from_u64(0x0051_1739);
    let mut sets = Vec::new();
    let mut expected = Vec::new();
    let mut labels = Vec::new();
    for (len, passphrase) in [(16usize, ""), (32, ""), (16, "TREZOR")] {
        for (threshold, count) in [(2u8, 3u8), (3, 5), (1, 1)] {
            for (exponent, extendable) in [(1u8, true), (0, true), (1, false), (0, false)] {
                let mut secret = vec![0u8; len];
                rng.fill_bytes(&mut secret);
                let mut shares = heapless::Vec::<Share, MAX_SHARES>::new();
                split(
                    &secret,
                    passphrase.as_bytes(),
                    threshold,
                    count,
                    exponent,
                    extendable,
                    &mut rng,
                    &mut shares,
                )
                .unwrap();
                let texts: Vec<String> = shares.iter().map(mnemonic).collect();
                // A few threshold-sized subsets, in varying order.
                let t = usize::from(threshold);
                let n = usize::from(count);
                for start in 0..n.min(3) {
                    let subset: Vec<&String> =
                        (0..t).map(|k| &texts[(start + 2 * k) % n]).collect();
                    sets.push(json!({ "mnemonics": subset, "passphrase": passphrase }));
                    expected.push(hex::encode(&secret));
                    labels.push(format!(
                        "{len}-byte secret, {threshold}-of-{count}, e={exponent}, \
                         ext={extendable}, passphrase {passphrase:?}, start {start}"
                    ));
                }
            }
        }
    }
    // The helper takes one passphrase per call; group the sets by passphrase.
    for passphrase in ["", "TREZOR"] {
        let picked: Vec<usize> = (0..sets.len())
            .filter(|&i| sets[i]["passphrase"] == passphrase)
            .collect();
        let request = json!({
            "passphrase": passphrase,
            "sets": picked.iter().map(|&i| sets[i]["mnemonics"].clone()).collect::<Vec<_>>(),
        });
        let response = run("combine", &request);
        for (k, &i) in picked.iter().enumerate() {
            let got = &response["secrets"][k];
            assert_eq!(
                got.as_str(),
                Some(expected[i].as_str()),
                "reference implementation disagrees for {}: {}",
                labels[i],
                response["errors"][k]
            );
        }
    }
}

#[test]
fn reference_shares_combine_here() {
    let mut rng = ChaCha20Rng::seed_from_u64(0x0051_173a);
    let mut checked = 0;
    for len in [16usize, 32] {
        for (threshold, count) in [(2u8, 3u8), (3, 5), (1, 1), (5, 5)] {
            for (exponent, extendable) in [(1u8, true), (0, true), (1, false), (0, false)] {
                let mut secret = vec![0u8; len];
                rng.fill_bytes(&mut secret);
                let response = run(
                    "generate",
                    &json!({
                        "group_threshold": 1,
                        "groups": [[threshold, count]],
                        "secret": hex::encode(&secret),
                        "passphrase": "",
                        "extendable": extendable,
                        "iteration_exponent": exponent,
                    }),
                );
                let group: Vec<String> = response["groups"][0]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m.as_str().unwrap().to_owned())
                    .collect();
                assert_eq!(group.len(), usize::from(count));
                let t = usize::from(threshold);
                for start in 0..group.len() {
                    let subset = (0..t).map(|k| group[(start + k) % group.len()].as_str());
                    let mut out = [0u8; 32];
                    let got = combine_mnemonics(subset, b"", &mut out).unwrap_or_else(|e| {
                        panic!("{threshold}-of-{count} e={exponent} ext={extendable}: {e}")
                    });
                    assert_eq!(&out[..got], &secret[..]);
                    checked += 1;
                }
            }
        }
    }
    println!("{checked} reference share sets combined");
}

#[test]
fn reference_multi_group_shares_combine_here() {
    let secret = hex::decode("0f1e2d3c4b5a69788796a5b4c3d2e1f0").unwrap();
    let response = run(
        "generate",
        &json!({
            "group_threshold": 2,
            "groups": [[2, 3], [1, 1], [3, 5]],
            "secret": hex::encode(&secret),
            "passphrase": "",
            "extendable": true,
            "iteration_exponent": 0,
        }),
    );
    let groups: Vec<Vec<String>> = serde_json::from_value(response["groups"].clone()).unwrap();
    let pick = |g: usize, m: usize| groups[g][m].as_str();
    let mut out = [0u8; 32];
    for set in [
        vec![pick(0, 0), pick(1, 0), pick(0, 2)],
        vec![pick(2, 4), pick(1, 0), pick(2, 0), pick(2, 2)],
        vec![pick(2, 1), pick(0, 1), pick(2, 3), pick(0, 0), pick(2, 0)],
    ] {
        let got = combine_mnemonics(set.iter().copied(), b"", &mut out).unwrap();
        assert_eq!(&out[..got], &secret[..]);
    }
    // Missing a member of group 3 (group index 2).
    let err = combine_mnemonics([pick(2, 4), pick(1, 0), pick(2, 0)], b"", &mut out).unwrap_err();
    assert_eq!(
        err.to_string(),
        "group 3: 1 more share is needed (have 2 of 3)"
    );
    // Only one group.
    let err = combine_mnemonics([pick(0, 0), pick(0, 1)], b"", &mut out).unwrap_err();
    assert_eq!(
        err.to_string(),
        "shares from 1 more group are needed (have 1 of 2 groups)"
    );
    // Three groups where two are needed.
    let err = combine_mnemonics(
        [pick(0, 0), pick(0, 1), pick(1, 0), pick(2, 0)],
        b"",
        &mut out,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "shares from 3 groups were given but exactly 2 groups must be used"
    );
}

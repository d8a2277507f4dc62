//! Known answers from the real `openssl enc` command line tool.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "legacy_common.rs"]
mod common;

use common::{openssl_encrypt, openssl_encrypt_with_salt, random_bytes};
use vault_core::legacy::{
    openssl_common_kdfs, openssl_decrypt, openssl_max_plaintext_len, Digest, LegacyError,
    OpensslKdf, Unauthenticated, MAX_PBKDF2_ITERATIONS,
};

const PASSWORD: &str = "correct horse battery staple";
const SALT: [u8; 8] = [0x5a, 0x17, 0x00, 0xff, 0x42, 0x99, 0x01, 0xc3];

fn digest_name(d: Digest) -> &'static str {
    match d {
        Digest::Sha256 => "sha256",
        Digest::Sha512 => "sha512",
        Digest::Sha1 => "sha1",
        Digest::Md5 => "md5",
        _ => unreachable!(),
    }
}

/// The `openssl enc` options that select `kdf`.
fn openssl_args(kdf: OpensslKdf) -> Vec<String> {
    match kdf {
        OpensslKdf::Pbkdf2 { iterations, digest } => vec![
            "-pbkdf2".into(),
            "-iter".into(),
            iterations.to_string(),
            "-md".into(),
            digest_name(digest).into(),
        ],
        OpensslKdf::BytesToKey { digest } => vec!["-md".into(), digest_name(digest).into()],
        _ => unreachable!(),
    }
}

fn encrypt(plaintext: &[u8], kdf: OpensslKdf, extra: &[&str]) -> Vec<u8> {
    let mut args = openssl_args(kdf);
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    openssl_encrypt(plaintext, PASSWORD, &args)
}

/// Decrypts with an exactly sized buffer and returns the plaintext.
fn decrypt(file: &[u8], password: &str, kdf: OpensslKdf) -> Result<Vec<u8>, LegacyError> {
    let needed = openssl_max_plaintext_len(file)?;
    let mut out = vec![0u8; needed];
    let Unauthenticated { len } = openssl_decrypt(file, password.as_bytes(), kdf, &mut out)?;
    assert!(len <= needed);
    out.truncate(len);
    Ok(out)
}

/// Plaintexts: empty, short text, exact block multiples, every byte value, binary.
fn plaintexts() -> Vec<Vec<u8>> {
    vec![
        Vec::new(),
        b"hello, airvault\n".to_vec(),
        vec![0x10; 16],
        vec![0x00; 32],
        (0..=255u8).collect(),
        random_bytes(1, 1000),
    ]
}

fn pbkdf2(iterations: u32, digest: Digest) -> OpensslKdf {
    OpensslKdf::Pbkdf2 { iterations, digest }
}

#[test]
fn pbkdf2_every_digest_and_iteration_count() {
    let binary = random_bytes(2, 777);
    for digest in [Digest::Sha256, Digest::Sha512, Digest::Sha1, Digest::Md5] {
        for iterations in [1000, 10_000, 100_000] {
            let kdf = pbkdf2(iterations, digest);
            let file = encrypt(&binary, kdf, &[]);
            assert!(file.starts_with(b"Salted__"));
            assert_eq!(decrypt(&file, PASSWORD, kdf).unwrap(), binary, "{kdf:?}");
        }
    }
}

#[test]
fn pbkdf2_all_plaintext_shapes() {
    let kdf = pbkdf2(10_000, Digest::Sha256);
    for pt in plaintexts() {
        let file = encrypt(&pt, kdf, &[]);
        assert_eq!(file.len(), 16 + (pt.len() / 16 + 1) * 16);
        assert_eq!(
            decrypt(&file, PASSWORD, kdf).unwrap(),
            pt,
            "len {}",
            pt.len()
        );
    }
}

#[test]
fn openssl_defaults() {
    let pt = random_bytes(3, 100);
    // `-pbkdf2` alone: SHA-256, 10 000 iterations.
    let file = openssl_encrypt(&pt, PASSWORD, &["-pbkdf2"]);
    assert_eq!(
        decrypt(&file, PASSWORD, pbkdf2(10_000, Digest::Sha256)).unwrap(),
        pt
    );
    // Neither `-pbkdf2` nor `-md`: EVP_BytesToKey with SHA-256 (OpenSSL >= 1.1.0).
    let file = openssl_encrypt(&pt, PASSWORD, &[]);
    let kdf = OpensslKdf::BytesToKey {
        digest: Digest::Sha256,
    };
    assert_eq!(decrypt(&file, PASSWORD, kdf).unwrap(), pt);
}

#[test]
fn bytes_to_key_digests() {
    for digest in [Digest::Md5, Digest::Sha256, Digest::Sha1, Digest::Sha512] {
        let kdf = OpensslKdf::BytesToKey { digest };
        for pt in plaintexts() {
            let file = encrypt(&pt, kdf, &[]);
            assert_eq!(decrypt(&file, PASSWORD, kdf).unwrap(), pt, "{kdf:?}");
        }
    }
}

#[test]
fn base64_form() {
    let cases = [
        pbkdf2(10_000, Digest::Sha256),
        pbkdf2(1000, Digest::Sha512),
        OpensslKdf::BytesToKey {
            digest: Digest::Md5,
        },
    ];
    let mut shapes = plaintexts();
    shapes.push(random_bytes(4, 5000)); // ~105 lines of 64 columns
    for kdf in cases {
        for pt in &shapes {
            let text = encrypt(pt, kdf, &["-a"]);
            assert!(text.starts_with(b"U2FsdGVkX1"), "{text:?}");
            assert!(text.ends_with(b"\n"));
            assert!(text.split(|&b| b == b'\n').all(|line| line.len() <= 64));
            assert_eq!(decrypt(&text, PASSWORD, kdf).unwrap(), *pt);

            // The same text with CRLF line ends, and the single-line `-A` form.
            let crlf: Vec<u8> = text
                .iter()
                .flat_map(|&b| {
                    if b == b'\n' {
                        vec![b'\r', b'\n']
                    } else {
                        vec![b]
                    }
                })
                .collect();
            assert_eq!(decrypt(&crlf, PASSWORD, kdf).unwrap(), *pt);
        }
        let one_line = encrypt(&shapes[5], kdf, &["-a", "-A"]);
        let body = one_line.strip_suffix(b"\n").unwrap_or(&one_line);
        assert!(
            body.len() > 64 && !body.contains(&b'\n'),
            "-A writes one line"
        );
        assert_eq!(decrypt(&one_line, PASSWORD, kdf).unwrap(), shapes[5]);
    }
}

#[test]
fn wrong_password_fails_padding_check_and_wipes_output() {
    let pt = random_bytes(5, 300);
    for kdf in [
        pbkdf2(10_000, Digest::Sha256),
        OpensslKdf::BytesToKey {
            digest: Digest::Md5,
        },
    ] {
        let args = openssl_args(kdf);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // Fixed salt: deterministic, and these passwords are known to fail the padding
        // check (a wrong password passes it about once in 256 tries).
        let file = openssl_encrypt_with_salt(&pt, PASSWORD, SALT, &args);
        assert_eq!(decrypt(&file, PASSWORD, kdf).unwrap(), pt);
        for wrong in ["wrong password", "", "Correct horse battery staple"] {
            let mut out = vec![0u8; 400];
            assert_eq!(
                openssl_decrypt(&file, wrong.as_bytes(), kdf, &mut out),
                Err(LegacyError::WrongPasswordOrParameters),
                "{wrong:?} {kdf:?}"
            );
            assert!(out.iter().all(|&b| b == 0), "output not wiped");
        }
    }
}

#[test]
fn wrong_parameters_fail_padding_check() {
    let pt = b"parameters matter".to_vec();
    let right = pbkdf2(10_000, Digest::Sha256);
    let args = openssl_args(right);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let file = openssl_encrypt_with_salt(&pt, PASSWORD, SALT, &args);
    assert_eq!(decrypt(&file, PASSWORD, right).unwrap(), pt);
    for wrong in [
        pbkdf2(10_001, Digest::Sha256),
        pbkdf2(1000, Digest::Sha256),
        pbkdf2(10_000, Digest::Sha512),
        pbkdf2(10_000, Digest::Sha1),
        pbkdf2(10_000, Digest::Md5),
        OpensslKdf::BytesToKey {
            digest: Digest::Sha256,
        },
        OpensslKdf::BytesToKey {
            digest: Digest::Md5,
        },
    ] {
        assert_eq!(
            decrypt(&file, PASSWORD, wrong),
            Err(LegacyError::WrongPasswordOrParameters),
            "{wrong:?}"
        );
    }
}

#[test]
fn common_kdfs_find_the_right_one() {
    let kdfs = openssl_common_kdfs();
    assert_eq!(
        kdfs[0],
        pbkdf2(10_000, Digest::Sha256),
        "openssl default first"
    );
    assert!(kdfs.contains(&OpensslKdf::BytesToKey {
        digest: Digest::Md5
    }));
    let pt = b"which settings were these?".to_vec();
    for (i, &kdf) in kdfs.iter().enumerate() {
        let args = openssl_args(kdf);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let file = openssl_encrypt_with_salt(&pt, PASSWORD, SALT, &args);
        // Fixed salt and password: deterministic. Every earlier candidate fails the padding
        // check for these inputs, so the loop stops at the right one.
        let found = kdfs
            .iter()
            .position(|&k| decrypt(&file, PASSWORD, k).is_ok())
            .unwrap();
        assert_eq!(found, i, "{kdf:?}");
        assert_eq!(decrypt(&file, PASSWORD, kdf).unwrap(), pt);
    }
}

#[test]
fn wrong_password_can_pass_padding_and_is_flagged_unauthenticated() {
    // The format has no MAC: find (deterministically) a wrong password whose garbage happens
    // to end in valid padding. It comes back as `Ok`, and the only thing the caller gets is
    // an `Unauthenticated` length, never a bare "this is your data".
    let pt = random_bytes(6, 64);
    let kdf = OpensslKdf::BytesToKey {
        digest: Digest::Md5,
    };
    let file = openssl_encrypt_with_salt(&pt, PASSWORD, SALT, &["-md", "md5"]);
    let mut out = vec![0u8; openssl_max_plaintext_len(&file).unwrap()];
    let mut false_positives = 0;
    for i in 0..20_000 {
        let wrong = format!("wrong-{i}");
        let result: Result<Unauthenticated, LegacyError> =
            openssl_decrypt(&file, wrong.as_bytes(), kdf, &mut out);
        match result {
            Ok(Unauthenticated { len }) => {
                assert_ne!(&out[..len], &pt[..]);
                false_positives += 1;
            }
            Err(e) => assert_eq!(e, LegacyError::WrongPasswordOrParameters),
        }
    }
    // Expected about 20 000 / 256 = 78.
    assert!(
        (30..200).contains(&false_positives),
        "{false_positives} false positives"
    );
}

#[test]
fn output_buffer_size() {
    let pt = random_bytes(7, 40); // 48 bytes of ciphertext
    let kdf = pbkdf2(1000, Digest::Sha256);
    let file = encrypt(&pt, kdf, &[]);
    assert_eq!(openssl_max_plaintext_len(&file), Ok(47));
    let mut small = [0u8; 46];
    assert_eq!(
        openssl_decrypt(&file, PASSWORD.as_bytes(), kdf, &mut small),
        Err(LegacyError::OutputTooSmall { needed: 47 })
    );
    let mut exact = [0xEEu8; 47];
    let r = openssl_decrypt(&file, PASSWORD.as_bytes(), kdf, &mut exact).unwrap();
    assert_eq!(r.len, 40);
    assert_eq!(&exact[..40], &pt[..]);
    assert!(
        exact[40..].iter().all(|&b| b == 0xEE),
        "nothing past the plaintext is written"
    );
    // Same bound for the base64 form.
    let text = encrypt(&pt, kdf, &["-a"]);
    assert_eq!(openssl_max_plaintext_len(&text), Ok(47));
    // Empty plaintext: one block of padding.
    let file = encrypt(b"", kdf, &[]);
    assert_eq!(openssl_max_plaintext_len(&file), Ok(15));
    let r = openssl_decrypt(&file, PASSWORD.as_bytes(), kdf, &mut [0u8; 15]).unwrap();
    assert_eq!(r, Unauthenticated { len: 0 });
}

#[test]
fn malformed_files() {
    let kdf = pbkdf2(1000, Digest::Sha256);
    let pt = random_bytes(8, 50);
    let file = encrypt(&pt, kdf, &[]);
    let text = encrypt(&pt, kdf, &["-a"]);
    let mut out = vec![0u8; 100];
    let mut check = |input: &[u8], want: LegacyError| {
        assert_eq!(
            openssl_decrypt(input, PASSWORD.as_bytes(), kdf, &mut out),
            Err(want),
            "{:?}",
            String::from_utf8_lossy(input)
        );
    };

    // Truncated anywhere, or with trailing junk: never a 16-byte multiple, or no ciphertext.
    for cut in 0..file.len() {
        let want = if cut < 8 {
            LegacyError::NotOpensslFile
        } else {
            LegacyError::MalformedOpensslFile
        };
        if cut % 16 != 0 || cut <= 16 {
            check(&file[..cut], want);
        }
    }
    let mut long = file.clone();
    long.push(0);
    check(&long, LegacyError::MalformedOpensslFile);

    // Not this format at all.
    check(b"", LegacyError::NotOpensslFile);
    check(b"hello world", LegacyError::NotOpensslFile);
    check(&pt, LegacyError::NotOpensslFile);
    let nosalt = openssl_encrypt(&pt, PASSWORD, &["-pbkdf2", "-iter", "1000", "-nosalt"]);
    check(&nosalt, LegacyError::NotOpensslFile);

    // Damaged base64: a bad character, a missing character, junk after the padding.
    let mut bad = text.clone();
    bad[40] = b'*';
    check(&bad, LegacyError::MalformedOpensslFile);
    let mut missing = text.clone();
    missing.remove(40);
    check(&missing, LegacyError::MalformedOpensslFile);
    let mut junk = text.clone();
    junk.extend_from_slice(b"QUJD\n");
    check(&junk, LegacyError::MalformedOpensslFile);
    // Base64 of something that is not a salted file.
    check(
        b"aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ=\n",
        LegacyError::NotOpensslFile,
    );
}

#[test]
fn iteration_cap() {
    let file = encrypt(b"x", pbkdf2(1000, Digest::Sha256), &[]);
    let mut out = [0u8; 16];
    for iterations in [0, MAX_PBKDF2_ITERATIONS + 1] {
        assert_eq!(
            openssl_decrypt(
                &file,
                PASSWORD.as_bytes(),
                pbkdf2(iterations, Digest::Sha256),
                &mut out
            ),
            Err(LegacyError::IterationCountOutOfRange { iterations })
        );
    }
}

#[test]
fn error_messages_are_plain_and_secret_free() {
    let all = [
        LegacyError::OutputTooSmall { needed: 47 },
        LegacyError::IterationCountOutOfRange { iterations: 0 },
        LegacyError::NotOpensslFile,
        LegacyError::MalformedOpensslFile,
        LegacyError::WrongPasswordOrParameters,
        LegacyError::MalformedFernetKey,
        LegacyError::MalformedFernetToken,
        LegacyError::FernetWrongKeyOrTampered,
    ];
    for e in all {
        let msg = e.to_string();
        assert!(!msg.is_empty() && !msg.contains('\n'), "{msg:?}");
        let _: &dyn std::error::Error = &e;
    }
    assert!(LegacyError::WrongPasswordOrParameters
        .to_string()
        .contains("wrong password or parameters (padding check failed)"));
    assert!(LegacyError::OutputTooSmall { needed: 47 }
        .to_string()
        .contains("47"));
}

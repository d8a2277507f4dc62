//! The rehearsal itself: a vault made, backed up, verified, restored, recovered and
//! salvaged, every secret checked at every step.

use std::path::{Path, PathBuf};

use base64::Engine;
use vault_core::constants::DEFAULT_ITERATIONS;
use vault_core::{recovery_code, EntryKind, KdfLimits, SlotKind, VaultFile};
use zeroize::Zeroizing;

use crate::commands::backup::{backup, BackupOptions};
use crate::commands::entries::{add, generate, read_entry, Generated, SecretInput};
use crate::commands::fingerprint::fingerprint;
use crate::commands::init::{init, InitOptions};
use crate::commands::restore::restore;
use crate::commands::verify::{verify, VerifyOptions};
use crate::commands::{decode_container, Context};
use crate::error::Exit;
use crate::files;
use crate::generations::Seen;
use crate::input::PasswordSource;
use crate::progress::{self, Progress};

use super::emergency::emergency;
use super::*;

#[allow(clippy::too_many_lines)]
pub(super) fn rehearse(d: &mut Drill<'_>, dir: &Path) -> Option<()> {
    let vault_path = dir.join("vault.airvault");
    let bin = dir.join("backup.airvault");
    let asc = dir.join("backup-paper.asc");
    let pw_vault = random_password();
    let pw_paper = random_password();
    let wrong = random_password();

    let (pw_file, paper_pw_file, wrong_file) = d.step("generate passwords", || {
        Ok((
            (
                password_file(dir, "vault.pw", &pw_vault)?,
                password_file(dir, "paper.pw", &pw_paper)?,
                password_file(dir, "wrong.pw", &wrong)?,
            ),
            "three random 24-byte passwords in 0600 files".to_owned(),
        ))
    })?;
    let ctx_with = |path: &Path, pw: &Path| Context {
        vault: path.to_path_buf(),
        password: PasswordSource::File(pw.to_path_buf()),
        progress: Progress::Silent,
        warnings: false,
        seen: Seen::off(),
    };
    let ctx = ctx_with(&vault_path, &pw_file);

    let code = d.step("init a vault with the default KDF cost", || {
        let r = init(&ctx, &InitOptions::default()).map_err(|e| e.to_string())?;
        let argon2 = vault_core::Argon2Params::DEFAULT.to_string();
        if r.iterations != DEFAULT_ITERATIONS || r.password_kdf != argon2 {
            return Err(format!("{}; {} iterations", r.password_kdf, r.iterations));
        }
        Ok((
            r.recovery_code,
            format!(
                "password: {}; recovery: {} iterations; recovery code issued",
                r.password_kdf, r.iterations
            ),
        ))
    })?;

    let mut originals = Originals::new();
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        base64::engine::general_purpose::STANDARD.encode(&*random_bytes(48))
    );
    let password_text = random_password();
    let opaque = random_bytes(300);
    d.step("add keys of every kind", || {
        let g1 = generate(
            &ctx,
            "db-master-key",
            Generated::Bytes(32),
            EntryKind::SymmetricKey,
        )
        .map_err(|e| e.to_string())?;
        let g2 = generate(&ctx, "vpn-totp", Generated::Bytes(20), EntryKind::TotpSeed)
            .map_err(|e| e.to_string())?;
        let pw_path = dir.join("root-password.txt");
        let mut with_newline = Zeroizing::new(password_text.as_bytes().to_vec());
        with_newline.push(b'\n');
        files::write_atomic(&pw_path, &with_newline, false, |_| Ok(()))
            .map_err(|e| e.to_string())?;
        add(
            &ctx,
            "root-password",
            EntryKind::Password,
            &SecretInput::File(pw_path),
        )
        .map_err(|e| e.to_string())?;
        let pem_path = dir.join("signing-key.pem");
        files::write_atomic(&pem_path, pem.as_bytes(), false, |_| Ok(()))
            .map_err(|e| e.to_string())?;
        add(
            &ctx,
            "signing-key",
            EntryKind::PrivateKeyPem,
            &SecretInput::File(pem_path),
        )
        .map_err(|e| e.to_string())?;
        add(
            &ctx,
            "hsm-blob",
            EntryKind::Opaque,
            &SecretInput::Bytes(opaque.clone()),
        )
        .map_err(|e| e.to_string())?;
        // Generated keys are read back once to know what they are.
        for name in [&g1.name, &g2.name] {
            let e = read_entry(&ctx, name, None).map_err(|e| e.to_string())?;
            originals.insert(
                name.clone(),
                (e.secret.clone(), vault_core::Kcv::of(&e.secret).to_string()),
            );
        }
        for (name, secret) in [
            ("root-password", password_text.as_bytes()),
            ("signing-key", pem.as_bytes()),
            ("hsm-blob", &opaque[..]),
        ] {
            originals.insert(
                name.to_owned(),
                (
                    Zeroizing::new(secret.to_vec()),
                    vault_core::Kcv::of(secret).to_string(),
                ),
            );
        }
        Ok((
            (),
            "symmetric key, TOTP seed, password, PEM private key, opaque bytes".to_owned(),
        ))
    })?;

    d.step("every secret reads back as put in", || {
        compare_all(&ctx, &originals)
    })?;

    let bin_fp = d.step("back up (binary, vault password)", || {
        let r = backup(
            &ctx,
            &BackupOptions {
                out: bin.clone(),
                armor: false,
                new_password: None,
                entries: Vec::new(),
                force: false,
            },
        )
        .map_err(|e| e.to_string())?;
        Ok((
            r.fingerprint,
            format!("{} bytes, re-read and verified", r.bytes),
        ))
    })?;

    d.step("back up (armored, its own password)", || {
        let r = backup(
            &ctx,
            &BackupOptions {
                out: asc.clone(),
                armor: true,
                new_password: Some(PasswordSource::File(paper_pw_file.clone())),
                entries: Vec::new(),
                force: false,
            },
        )
        .map_err(|e| e.to_string())?;
        Ok((
            (),
            format!("{} bytes of text, re-read and verified", r.bytes),
        ))
    })?;

    let keyless = |files: Vec<PathBuf>, expect: Option<String>| {
        let opts = VerifyOptions {
            files,
            expect_fingerprint: expect,
            ..VerifyOptions::default()
        };
        verify(&ctx_with(&vault_path, &pw_file), &opts).map_err(|e| e.to_string())
    };

    d.step("verify both backups without a password", || {
        let run = keyless(vec![bin.clone(), asc.clone()], None)?;
        expect_exit(&run, Exit::Ok)?;
        Ok(((), "both intact: headers, records, trailer".to_owned()))
    })?;

    d.step("fingerprint matches; a wrong one is exit 7", || {
        let fp = fingerprint(&bin).map_err(|e| e.to_string())?;
        if fp.sha256 != bin_fp {
            return Err("fingerprint differs from the one reported by backup".to_owned());
        }
        expect_exit(
            &keyless(vec![bin.clone()], Some(fp.sha256.clone()))?,
            Exit::Ok,
        )?;
        let mut other = fp.sha256.clone().into_bytes();
        other[0] = if other[0] == b'0' { b'1' } else { b'0' };
        let other = String::from_utf8(other).map_err(|e| e.to_string())?;
        expect_exit(&keyless(vec![bin.clone()], Some(other))?, Exit::Mismatch)?;
        Ok(((), format!("{}…", &fp.sha256[..16])))
    })?;

    d.step("the recovery code opens both backups", || {
        let secret = recovery_code::parse(&code).map_err(|e| e.to_string())?;
        for path in [&bin, &asc] {
            let raw = files::read_file(path).map_err(|e| e.to_string())?;
            let (bytes, _) = decode_container(raw, path).map_err(|e| e.to_string())?;
            let file = VaultFile::parse(&bytes, &KdfLimits::STANDARD).map_err(|e| e.to_string())?;
            progress::unlock(
                &file,
                SlotKind::Recovery,
                secret.expose_secret(),
                Progress::Silent,
            )
            .map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(((), "recovery slot opens in each".to_owned()))
    })?;

    d.step("simulate loss: delete the vault", || {
        std::fs::remove_file(&vault_path).map_err(|e| e.to_string())?;
        if vault_path.exists() {
            return Err("the vault is still there".to_owned());
        }
        Ok(((), "vault.airvault deleted".to_owned()))
    })?;

    d.step("restore from the binary backup by password", || {
        let r = restore(&ctx, &bin, &vault_path, false, false).map_err(|e| e.to_string())?;
        Ok((
            (),
            format!("{} entries, generation {}", r.entries, r.generation),
        ))
    })?;

    d.step("every secret in the restored vault matches", || {
        compare_all(&ctx, &originals)
    })?;

    d.step("verify the binary backup keyed --against the vault", || {
        let opts = VerifyOptions {
            files: vec![bin.clone()],
            keyed: true,
            against: Some(vault_path.clone()),
            ..VerifyOptions::default()
        };
        let run = verify(&ctx, &opts).map_err(|e| e.to_string())?;
        expect_exit(&run, Exit::Ok)?;
        Ok((
            (),
            "every record opened, nothing missing or stale".to_owned(),
        ))
    })?;

    let from_paper = dir.join("from-paper.airvault");
    d.step(
        "restore from the armored backup with its own password",
        || {
            let paper_ctx = ctx_with(&from_paper, &paper_pw_file);
            restore(&paper_ctx, &asc, &from_paper, false, false).map_err(|e| e.to_string())?;
            let (_, detail) = compare_all(&paper_ctx, &originals)?;
            Ok(((), detail))
        },
    )?;

    d.step(
        "verify the armored backup keyed --against the vault",
        || {
            let opts = VerifyOptions {
                files: vec![asc.clone()],
                keyed: true,
                against: Some(vault_path.clone()),
                against_password: Some(PasswordSource::File(pw_file.clone())),
                ..VerifyOptions::default()
            };
            let run =
                verify(&ctx_with(&vault_path, &paper_pw_file), &opts).map_err(|e| e.to_string())?;
            expect_exit(&run, Exit::Ok)?;
            Ok((
                (),
                "every record opened, nothing missing or stale".to_owned(),
            ))
        },
    )?;

    d.step(
        "a flipped byte is caught without a password (exit 5)",
        || {
            let mut bytes = std::fs::read(&bin).map_err(|e| e.to_string())?;
            let at = bytes.len() / 2;
            bytes[at] ^= 0x01;
            let copy = dir.join("flipped.airvault");
            std::fs::write(&copy, &bytes).map_err(|e| e.to_string())?;
            let run = keyless(vec![copy], None)?;
            expect_exit(&run, Exit::Corrupted)?;
            Ok((
                (),
                format!("byte {at} of {} flipped: detected", bytes.len()),
            ))
        },
    )?;

    d.step("a truncated copy is caught (exit 5)", || {
        let bytes = std::fs::read(&bin).map_err(|e| e.to_string())?;
        let copy = dir.join("truncated.airvault");
        std::fs::write(&copy, &bytes[..bytes.len() - 100]).map_err(|e| e.to_string())?;
        expect_exit(&keyless(vec![copy], None)?, Exit::Corrupted)?;
        Ok(((), "last 100 bytes cut: detected".to_owned()))
    })?;

    d.step("a mistyped armor line is named (exit 5)", || {
        let text = std::fs::read_to_string(&asc).map_err(|e| e.to_string())?;
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let n = lines
            .iter()
            .position(|l| l.starts_with("0003:"))
            .ok_or("no data line 3 in the armor")?;
        // Change one character of the data (after "0003: ").
        let line = &mut lines[n];
        let i = 7;
        let c = line.as_bytes()[i];
        let replacement = if c == b'2' { "3" } else { "2" };
        line.replace_range(i..=i, replacement);
        let copy = dir.join("mistyped.asc");
        std::fs::write(&copy, lines.join("\n") + "\n").map_err(|e| e.to_string())?;
        let run = keyless(vec![copy], None)?;
        expect_exit(&run, Exit::Corrupted)?;
        let msg = run.reports[0].message.clone().unwrap_or_default();
        let want = format!("line {}", n + 1);
        if !msg.contains(&want) {
            return Err(format!("message does not name {want}: {msg}"));
        }
        Ok(((), format!("reported: {want}")))
    })?;

    d.step(
        "a wrong password is an authentication error (exit 4)",
        || {
            let opts = VerifyOptions {
                files: vec![bin.clone()],
                keyed: true,
                ..VerifyOptions::default()
            };
            let run =
                verify(&ctx_with(&vault_path, &wrong_file), &opts).map_err(|e| e.to_string())?;
            expect_exit(&run, Exit::Authentication)?;
            let target = dir.join("not-restored.airvault");
            let err = restore(&ctx_with(&target, &wrong_file), &bin, &target, false, false)
                .err()
                .ok_or("restore accepted a wrong password")?;
            if err.exit() != Exit::Authentication || target.exists() {
                return Err(format!("restore: {err}"));
            }
            Ok((
                (),
                "verify and restore both refuse it; nothing written".to_owned(),
            ))
        },
    )?;

    d.step("a stale backup is reported --against (exit 7)", || {
        generate(
            &ctx,
            "new-key",
            Generated::Bytes(32),
            EntryKind::SymmetricKey,
        )
        .map_err(|e| e.to_string())?;
        let opts = VerifyOptions {
            files: vec![bin.clone()],
            keyed: true,
            against: Some(vault_path.clone()),
            ..VerifyOptions::default()
        };
        let run = verify(&ctx, &opts).map_err(|e| e.to_string())?;
        expect_exit(&run, Exit::Mismatch)?;
        if run.reports[0].missing != ["new-key"] {
            return Err(format!("missing: {:?}", run.reports[0].missing));
        }
        Ok((
            (),
            "new-key reported missing from the old backup".to_owned(),
        ))
    })?;
    emergency(d, dir, &ctx, &bin, &asc, &code, &mut originals)
}

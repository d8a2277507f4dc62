//! `airvault drill`: a complete disaster-recovery rehearsal in a temporary directory, run
//! through the same functions as the commands, with generated passwords and the real
//! default KDF cost. Each step is printed with its result and time; the drill passes only
//! if every step does. It stops at the first failed step, since the later ones depend on
//! it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use base64::Engine;
use rand_core::{OsRng, RngCore};
use vault_core::constants::DEFAULT_ITERATIONS;
use vault_core::{recovery_code, EntryKind, KdfLimits, RecordKind, SlotKind, VaultFile};
use zeroize::Zeroizing;

use crate::commands::backup::{backup, BackupOptions};
use crate::commands::entries::{add, generate, read_entry, Generated, SecretInput};
use crate::commands::fingerprint::fingerprint;
use crate::commands::init::{init, InitOptions};
use crate::commands::recover::{recover, RecoverOptions};
use crate::commands::restore::restore;
use crate::commands::salvage::{salvage, SalvageOptions};
use crate::commands::shares::{share_file_name, split, SplitOptions};
use crate::commands::verify::{verify, VerifyOptions, VerifyRun};
use crate::commands::{decode_container, load_vault, Context};
use crate::error::Exit;
use crate::files;
use crate::generations::Seen;
use crate::input::PasswordSource;
use crate::material::{read_material, RecoveryMaterial};
use crate::output::{DrillReport, DrillStepReport, Message, Printer};
use crate::progress::{self, Progress};

type StepResult<T> = Result<(T, String), String>;

struct Drill<'p> {
    printer: &'p Printer,
    started: Instant,
    steps: usize,
    failed: usize,
    broken_pipe: bool,
    /// The signal that stopped the rehearsal, if one did.
    interrupted: Option<i32>,
}

impl Drill<'_> {
    fn step<T>(&mut self, name: &str, f: impl FnOnce() -> StepResult<T>) -> Option<T> {
        // A signal stops the rehearsal between steps; the directory is removed on the way
        // out.
        if let Some(sig) = crate::signals::pending() {
            self.interrupted = Some(sig);
            return None;
        }
        self.steps += 1;
        let start = Instant::now();
        let result = f();
        let millis = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
        let (value, ok, detail) = match result {
            Ok((v, detail)) => (Some(v), true, detail),
            Err(detail) => (None, false, detail),
        };
        if !ok {
            self.failed += 1;
        }
        let msg = Message::DrillStep(DrillStepReport {
            step: self.steps,
            name: name.to_owned(),
            ok,
            millis,
            detail,
        });
        if let Err(e) = self.printer.emit(&msg) {
            self.broken_pipe |= e.is_quiet();
        }
        value
    }

    fn finish(self) -> Exit {
        let passed = self.failed == 0;
        let msg = Message::Drill(DrillReport {
            passed,
            steps: self.steps,
            failed: self.failed,
            millis: u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX),
        });
        let _ = self.printer.emit(&msg);
        if passed {
            Exit::Ok
        } else {
            Exit::Mismatch
        }
    }
}

/// A random password: 24 bytes from the OS, base64url.
fn random_password() -> Zeroizing<String> {
    let mut b = Zeroizing::new([0u8; 24]);
    OsRng.fill_bytes(&mut *b);
    Zeroizing::new(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(*b))
}

fn random_bytes(n: usize) -> Zeroizing<Vec<u8>> {
    let mut b = Zeroizing::new(vec![0u8; n]);
    OsRng.fill_bytes(&mut b);
    b
}

/// Writes a password file (mode 0600) as a script would keep one.
fn password_file(dir: &Path, name: &str, pw: &str) -> Result<PathBuf, String> {
    let path = dir.join(name);
    let mut text = Zeroizing::new(pw.as_bytes().to_vec());
    text.push(b'\n');
    files::write_atomic(&path, &text, false, |_| Ok(())).map_err(|e| e.to_string())?;
    Ok(path)
}

fn expect_exit(run: &VerifyRun, want: Exit) -> Result<(), String> {
    if run.exit == want {
        Ok(())
    } else {
        let why = run
            .reports
            .iter()
            .find_map(|r| r.message.clone())
            .unwrap_or_default();
        Err(format!(
            "expected exit {} ({}), got {} {why}",
            want.code(),
            want.name(),
            run.exit.code()
        ))
    }
}

/// The secrets as put in, by name.
type Originals = BTreeMap<String, (Zeroizing<Vec<u8>>, String)>;

fn compare_all(ctx: &Context, originals: &Originals) -> StepResult<()> {
    let (vault, _) = load_vault(ctx).map_err(|e| e.to_string())?;
    for (name, (secret, kcv)) in originals {
        let e = vault
            .newest(name)
            .ok_or_else(|| format!("'{name}' is missing"))?;
        if e.secret != *secret || vault_core::Kcv::of(&e.secret).to_string() != *kcv {
            return Err(format!("'{name}' differs from what was put in"));
        }
    }
    let current = vault.current().len();
    if current != originals.len() {
        return Err(format!("{current} entries, expected {}", originals.len()));
    }
    Ok((
        (),
        format!("{} secrets and KCVs identical", originals.len()),
    ))
}

/// Runs the drill in a new temporary directory (removed afterwards), printing each step.
/// Returns exit 0 if every step passed, else 7 (the rehearsal did not verify).
#[must_use]
pub fn run(printer: &Printer) -> Exit {
    // Private (0700): it holds the drill's passwords, recovery code and keys.
    let dir = match private_temp_dir() {
        Ok(d) => d,
        Err(e) => {
            let err = crate::error::CliError::io("create", Path::new("a temporary directory"), &e);
            crate::report_error(printer, &err);
            return err.exit();
        }
    };
    if !printer.is_json() && !printer.is_quiet() {
        let _ = printer.raw(
            format!(
                "airvault drill: disaster-recovery rehearsal in {} (password keyslot: {}; \
                 recovery keyslot: {} PBKDF2 iterations)\n\n",
                dir.path().display(),
                vault_core::Argon2Params::DEFAULT,
                DEFAULT_ITERATIONS
            )
            .as_bytes(),
        );
    }
    let mut d = Drill {
        printer,
        started: Instant::now(),
        steps: 0,
        failed: 0,
        broken_pipe: false,
        interrupted: None,
    };
    // A failed step stops the rehearsal; `finish` reports it.
    let _ = rehearse(&mut d, dir.path());
    drop(dir);
    if let Some(sig) = d.interrupted.or_else(crate::signals::pending) {
        let err = crate::error::CliError::interrupted(sig)
            .hint("the rehearsal was stopped and its temporary directory removed");
        crate::report_error(printer, &err);
        return err.exit();
    }
    let quiet = d.broken_pipe;
    let exit = d.finish();
    if quiet {
        Exit::Ok
    } else {
        exit
    }
}

/// A new temporary directory only the user can enter, removed when dropped.
fn private_temp_dir() -> std::io::Result<tempfile::TempDir> {
    let mut b = tempfile::Builder::new();
    b.prefix("airvault-drill-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o700));
    }
    b.tempdir()
}

#[allow(clippy::too_many_lines)]
fn rehearse(d: &mut Drill<'_>, dir: &Path) -> Option<()> {
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

/// Copies `src` to `dst` with the records of the entries `ids` damaged (one byte flipped
/// in each) and, if asked, the first or second header copy zeroed.
fn damaged_copy(
    src: &Path,
    dst: &Path,
    ids: &[[u8; 16]],
    zero_first: bool,
    zero_second: bool,
) -> Result<(), String> {
    let mut bytes = std::fs::read(src).map_err(|e| e.to_string())?;
    let (header_len, body_len, targets) = {
        let file = VaultFile::parse(&bytes, &KdfLimits::STANDARD).map_err(|e| e.to_string())?;
        let targets: Vec<(usize, usize)> = file
            .records()
            .filter(|r| r.entry.kind == RecordKind::Entry && ids.contains(&r.entry.id))
            .map(|r| {
                let at = usize::try_from(r.offset).unwrap_or(usize::MAX);
                (at, r.entry.length as usize)
            })
            .collect();
        let h = file.header();
        let body = usize::try_from(h.body_len()).unwrap_or(usize::MAX);
        (h.len(), body, targets)
    };
    if targets.len() != ids.len() {
        return Err("a record to damage is not in the file".to_owned());
    }
    for (at, len) in targets {
        bytes[at + len / 2] ^= 0x40;
    }
    if zero_first {
        bytes[..header_len].fill(0);
    }
    if zero_second {
        let at = header_len + body_len;
        bytes[at..at + header_len].fill(0);
    }
    std::fs::write(dst, &bytes).map_err(|e| e.to_string())
}

/// The emergency steps: recovery by code and by shares with a new password, and salvage
/// of damaged copies.
#[allow(clippy::too_many_lines)]
fn emergency(
    d: &mut Drill<'_>,
    dir: &Path,
    ctx: &Context,
    bin: &Path,
    asc: &Path,
    code: &str,
    originals: &mut Originals,
) -> Option<()> {
    let ctx_with = |path: &Path, pw: &Path| Context {
        vault: path.to_path_buf(),
        password: PasswordSource::File(pw.to_path_buf()),
        progress: Progress::Silent,
        warnings: false,
        seen: Seen::off(),
    };
    let share_dir = dir.join("shares");
    let shares = d.step("split the recovery secret into 2-of-3 shares", || {
        let r = split(
            ctx,
            &SplitOptions {
                threshold: 2,
                count: 3,
                out_dir: Some(share_dir.clone()),
                force: false,
            },
        )
        .map_err(|e| e.to_string())?;
        let files: Vec<PathBuf> = (1..=3)
            .map(|i| share_dir.join(share_file_name(i, 3)))
            .collect();
        Ok((files, format!("3 share files (0600), set {}", r.set)))
    })?;

    let (code_file, new_pw_file) = d.step(
        "write down the recovery code; choose a new password",
        || {
            let mut text = Zeroizing::new(b"# recovery code\n".to_vec());
            text.extend_from_slice(code.as_bytes());
            text.push(b'\n');
            let code_file = dir.join("recovery-code.txt");
            files::write_atomic(&code_file, &text, false, |_| Ok(())).map_err(|e| e.to_string())?;
            let pw = random_password();
            Ok((
                (code_file, password_file(dir, "new.pw", &pw)?),
                "as a person would keep them".to_owned(),
            ))
        },
    )?;

    let recover_into = |file: &Path, material: RecoveryMaterial, name: &str| {
        let out = dir.join(name);
        let opts = RecoverOptions {
            file: file.to_path_buf(),
            material,
            out: out.clone(),
            new_password: PasswordSource::File(new_pw_file.clone()),
            force: false,
            discard_newer: false,
        };
        recover(ctx, &opts).map(|r| (r, out))
    };

    d.step("recover the binary backup with the recovery code", || {
        let (r, out) = recover_into(
            bin,
            RecoveryMaterial::Code(code_file.clone()),
            "by-code.airvault",
        )
        .map_err(|e| e.to_string())?;
        let (_, detail) = compare_all(&ctx_with(&out, &new_pw_file), originals)?;
        Ok(((), format!("generation {}; {detail}", r.generation)))
    })?;

    d.step("a mistyped recovery-code group is named (exit 2)", || {
        let mut groups: Vec<String> = code.split('-').map(str::to_owned).collect();
        let g = groups.get_mut(2).ok_or("the code has no group 3")?;
        let first = if g.starts_with('9') { "1" } else { "9" };
        g.replace_range(0..1, first);
        let bad = dir.join("mistyped-code.txt");
        files::write_atomic(&bad, groups.join("-").as_bytes(), false, |_| Ok(()))
            .map_err(|e| e.to_string())?;
        let err = recover_into(bin, RecoveryMaterial::Code(bad), "not-recovered.airvault")
            .err()
            .ok_or("a mistyped code was accepted")?;
        if err.exit() != Exit::Usage || !err.what().contains("group 3") {
            return Err(format!("unexpected: {err}"));
        }
        if dir.join("not-recovered.airvault").exists() {
            return Err("a file was written".to_owned());
        }
        let what = err.what();
        Ok((
            (),
            format!("reported: {}", what.rsplit(": ").next().unwrap_or(what)),
        ))
    })?;

    d.step("recover the armored backup with 2 of 3 shares", || {
        let material = RecoveryMaterial::Shares(vec![shares[2].clone(), shares[0].clone()]);
        let (_, out) =
            recover_into(asc, material, "by-shares.airvault").map_err(|e| e.to_string())?;
        let (_, detail) = compare_all(&ctx_with(&out, &new_pw_file), originals)?;
        Ok(((), format!("shares 3 and 1; {detail}")))
    })?;

    d.step("one share alone is refused, saying how many more", || {
        let err = read_material(&RecoveryMaterial::Shares(vec![shares[1].clone()]))
            .err()
            .ok_or("one share of a 2-of-3 set was accepted")?;
        if err.exit() != Exit::Usage || !err.what().contains("1 more share is needed") {
            return Err(format!("unexpected: {err}"));
        }
        Ok(((), format!("reported: {}", err.what())))
    })?;

    // The live vault now also holds new-key (made by the stale-backup step).
    let newer = dir.join("backup-2.airvault");
    let ids = d.step("back up again (binary) after adding a key", || {
        let e = read_entry(ctx, "new-key", None).map_err(|e| e.to_string())?;
        originals.insert(
            "new-key".to_owned(),
            (e.secret.clone(), vault_core::Kcv::of(&e.secret).to_string()),
        );
        backup(
            ctx,
            &BackupOptions {
                out: newer.clone(),
                armor: false,
                new_password: None,
                entries: Vec::new(),
                force: false,
            },
        )
        .map_err(|e| e.to_string())?;
        let id = |name: &str| {
            read_entry(ctx, name, None)
                .map(|e| e.id)
                .map_err(|e| e.to_string())
        };
        Ok((
            (id("db-master-key")?, id("signing-key")?),
            "6 entries".to_owned(),
        ))
    })?;

    let (older_bad, newer_bad) = (
        dir.join("damaged-1.airvault"),
        dir.join("damaged-2.airvault"),
    );
    d.step("damage both backups in different places", || {
        damaged_copy(bin, &older_bad, &[ids.0], true, false)?;
        damaged_copy(&newer, &newer_bad, &[ids.1], false, true)?;
        Ok((
            (),
            "1: first header copy and db-master-key; 2: second header copy and signing-key"
                .to_owned(),
        ))
    })?;

    d.step(
        "salvage one damaged copy: the loss is named (exit 5)",
        || {
            let out = dir.join("salvaged-one.airvault");
            let run = salvage(
                ctx,
                &SalvageOptions {
                    files: vec![older_bad.clone()],
                    out: out.clone(),
                    material: None,
                    new_password: None,
                    force: false,
                    discard_newer: false,
                },
            )
            .map_err(|e| e.to_string())?;
            let lost: Vec<String> = run
                .report
                .lost
                .iter()
                .map(|l| format!("{} v{}", l.name.as_deref().unwrap_or("?"), l.version))
                .collect();
            if run.exit != Exit::Corrupted || lost != ["db-master-key v1"] || !out.exists() {
                return Err(format!("exit {}, lost {lost:?}", run.exit.code()));
            }
            Ok((
                (),
                format!(
                    "{} versions recovered, lost: {}",
                    run.report.recovered.len(),
                    lost.join(", ")
                ),
            ))
        },
    )?;

    d.step("salvage both damaged copies: everything comes back", || {
        let out = dir.join("salvaged.airvault");
        let run = salvage(
            ctx,
            &SalvageOptions {
                files: vec![older_bad.clone(), newer_bad.clone()],
                out: out.clone(),
                material: None,
                new_password: None,
                force: false,
                discard_newer: false,
            },
        )
        .map_err(|e| e.to_string())?;
        if run.exit != Exit::Ok || !run.report.lost.is_empty() || run.report.audit_events_lost > 0 {
            return Err(format!(
                "exit {}: {}",
                run.exit.code(),
                run.report.shortfall().unwrap_or_default()
            ));
        }
        let (_, detail) = compare_all(&ctx_with(&out, &password_path(ctx)?), originals)?;
        Ok((
            (),
            format!(
                "{detail}; {} audit events kept",
                run.report.audit_events_kept
            ),
        ))
    })?;
    Some(())
}

/// The password file of a context (the drill only uses files).
fn password_path(ctx: &Context) -> Result<PathBuf, String> {
    match &ctx.password {
        PasswordSource::File(p) => Ok(p.clone()),
        _ => Err("the drill's password is not in a file".to_owned()),
    }
}

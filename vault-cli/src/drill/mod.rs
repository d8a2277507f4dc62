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
use vault_core::{KdfLimits, RecordKind, VaultFile};
use zeroize::Zeroizing;

use crate::commands::verify::VerifyRun;
use crate::commands::{load_vault, Context};
use crate::error::Exit;
use crate::files;
use crate::output::{DrillReport, DrillStepReport, Message, Printer};

mod emergency;
mod rehearse;

use rehearse::rehearse;

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
            crate::output::report_error(printer, &err);
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
        crate::output::report_error(printer, &err);
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

/// Copies `src` to `dst` with the records of the entries `ids` damaged (one byte flipped
/// in each) and, if asked, the first or second header copy zeroed.
pub(super) fn damaged_copy(
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

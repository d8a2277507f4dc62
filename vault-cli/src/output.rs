//! What commands report: one type per result, printed as text for people or, with
//! `--json`, as one JSON object per line with a `"type"` field naming the shape
//! (documented in `docs/CLI.md`).

use std::io::{self, Write};

use serde::{Serialize, Serializer};
use zeroize::Zeroizing;

use crate::error::{CliError, Exit};

pub mod backups;
pub mod drill;
pub mod entries;
pub mod keyring;
pub mod kit;
pub mod lifecycle;
pub mod recovery;

use backups::verify_details;
pub use backups::{
    BackupReport, FingerprintReport, RestoreReport, StaleEntry, SummaryReport, VerifyReport,
};
pub use drill::{DrillReport, DrillStepReport};
pub use entries::{AddedReport, EntryReport, InitReport, RemovedReport, SecretReport};

use lifecycle::{
    AuditEventReport, AuditVerifyReport, BenchmarkReport, ImportReport, KeyStatusReport,
    PasswdReport, PolicyReport, RotateMasterReport, RotatedReport, StatusReport,
};

/// Every result a command prints.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Message {
    /// `init`.
    Init(InitReport),
    /// `generate`, `add`.
    Added(AddedReport),
    /// One line of `list`.
    Entry(EntryReport),
    /// `get`.
    Secret(SecretReport),
    /// `remove`.
    Removed(RemovedReport),
    /// `backup`.
    Backup(BackupReport),
    /// `restore`.
    Restore(RestoreReport),
    /// One file checked by `verify`.
    Verify(VerifyReport),
    /// The closing line of `verify`.
    Summary(SummaryReport),
    /// One file of `fingerprint`.
    Fingerprint(FingerprintReport),
    /// One step of `drill`.
    DrillStep(DrillStepReport),
    /// The closing line of `drill`.
    Drill(DrillReport),
    /// A command failed (JSON only; the same error also goes to standard error).
    Error(ErrorReport),
    /// `passwd`.
    Passwd(PasswdReport),
    /// `rotate-master`.
    RotateMaster(RotateMasterReport),
    /// `rotate`, `add --new-version`.
    Rotated(RotatedReport),
    /// `policy`.
    Policy(PolicyReport),
    /// One key of `status`.
    KeyStatus(KeyStatusReport),
    /// The closing line of `status`.
    Status(StatusReport),
    /// One event of `audit`.
    AuditEvent(AuditEventReport),
    /// `audit --verify`.
    AuditVerify(AuditVerifyReport),
    /// `benchmark`.
    Benchmark(BenchmarkReport),
    /// `import-legacy`.
    Imported(ImportReport),
    /// `recovery show`.
    RecoveryShow(recovery::RecoveryCodeReport),
    /// `recovery reset`.
    RecoveryReset(recovery::RecoveryCodeReport),
    /// `shares split`.
    Shares(recovery::SharesReport),
    /// `recover`.
    Recover(recovery::RecoverReport),
    /// `salvage`.
    Salvage(recovery::SalvageReport),
    /// `kit`.
    Kit(kit::KitReport),
    /// `page`.
    Page(kit::PageReport),
    /// A warning printed before the command's result (JSON only; the same warning also
    /// goes to standard error).
    Warning(RollbackWarning),
    /// `man`.
    Man(ManReport),
    /// One item written by `get --to-keyring` or `keyring restore`.
    KeyringItem(keyring::KeyringItemReport),
    /// The closing line of `keyring restore`.
    KeyringRestore(keyring::KeyringRestoreReport),
    /// One failed unlock of `audit --failures`.
    FailedUnlock(keyring::FailedUnlockReport),
    /// The closing line of `audit --failures`.
    Failures(keyring::FailuresReport),
}

/// The man pages written by `man`.
#[derive(Clone, Debug, Serialize)]
pub struct ManReport {
    /// The directory they were written into.
    pub out_dir: String,
    /// Every page written, `airvault.1` first.
    pub pages: Vec<String>,
}

impl ManReport {
    fn human(&self, w: &mut impl Write) -> io::Result<()> {
        for page in &self.pages {
            writeln!(w, "{page}")?;
        }
        Ok(())
    }
}

pub(crate) fn secret_str<S: Serializer>(v: &Zeroizing<String>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v)
}

pub(crate) fn opt_secret_str<S: Serializer>(
    v: &Option<Zeroizing<String>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_str(v),
        None => s.serialize_none(),
    }
}

/// A failed command, in JSON mode.
#[derive(Clone, Debug, Serialize)]
pub struct ErrorReport {
    /// The exit code.
    pub exit_code: u8,
    /// Its name (`usage`, `io`, …).
    pub status: &'static str,
    /// The one-line message with its hint.
    pub message: String,
}

/// Writes results to standard output in the chosen style.
#[derive(Debug)]
pub struct Printer {
    json: bool,
    quiet: bool,
    verbose: bool,
}

impl Printer {
    /// A printer for text (`json = false`) or JSON lines.
    #[must_use]
    pub fn new(json: bool) -> Self {
        Self {
            json,
            quiet: false,
            verbose: false,
        }
    }

    /// With `verbose` (`-v`), text output gains the details that JSON always has
    /// (`verify_details`).
    #[must_use]
    pub fn verbose(self, verbose: bool) -> Self {
        Self { verbose, ..self }
    }

    /// With `quiet` (`--quiet`), only what must be seen is printed: the data a command
    /// was asked for and failures ([`Message::must_show`]); other results are dropped.
    #[must_use]
    pub fn quiet(self, quiet: bool) -> Self {
        Self { quiet, ..self }
    }

    /// Whether results other than data and failures are dropped.
    #[must_use]
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    fn drops(&self, msg: &Message) -> bool {
        self.quiet && !msg.must_show()
    }

    /// Whether output is JSON.
    #[must_use]
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// Prints one result.
    ///
    /// # Errors
    /// A quiet error on a broken pipe, exit 3 on other write errors.
    pub fn emit(&self, msg: &Message) -> Result<(), CliError> {
        if self.drops(msg) {
            return Ok(());
        }
        let stdout = io::stdout();
        let mut out = stdout.lock();
        let res = if self.json {
            serde_json::to_writer(&mut out, msg)
                .map_err(io::Error::from)
                .and_then(|()| out.write_all(b"\n"))
        } else {
            msg.human(&mut out).and_then(|()| match msg {
                Message::Verify(r) if self.verbose => verify_details(r, &mut out),
                _ => Ok(()),
            })
        };
        res.and_then(|()| out.flush()).map_err(write_error)
    }

    /// Prints many results through one buffer, flushed once at the end (a listing of
    /// thousands of entries is then a few writes, not one per line).
    ///
    /// # Errors
    /// As [`Printer::emit`].
    pub fn emit_all(&self, msgs: impl IntoIterator<Item = Message>) -> Result<(), CliError> {
        let stdout = io::stdout();
        let mut out = io::BufWriter::with_capacity(64 * 1024, stdout.lock());
        for msg in msgs.into_iter().filter(|m| !self.drops(m)) {
            let res = if self.json {
                serde_json::to_writer(&mut out, &msg)
                    .map_err(io::Error::from)
                    .and_then(|()| out.write_all(b"\n"))
            } else {
                msg.human(&mut out)
            };
            res.map_err(write_error)?;
        }
        out.flush().map_err(write_error)
    }

    /// A buffered writer of results, for a long listing printed as it is made; call
    /// [`Emitter::finish`] at the end.
    #[must_use]
    pub fn emitter(&self) -> Emitter<'_> {
        Emitter {
            json: self.json,
            quiet: self.quiet,
            out: io::BufWriter::with_capacity(64 * 1024, io::stdout().lock()),
        }
    }

    /// Writes raw bytes (a secret) to standard output.
    ///
    /// # Errors
    /// As [`Printer::emit`].
    pub fn raw(&self, bytes: &[u8]) -> Result<(), CliError> {
        let stdout = io::stdout();
        let mut out = stdout.lock();
        out.write_all(bytes)
            .and_then(|()| out.flush())
            .map_err(write_error)
    }
}

/// Results written through one buffer ([`Printer::emitter`]).
#[derive(Debug)]
pub struct Emitter<'a> {
    json: bool,
    quiet: bool,
    out: io::BufWriter<io::StdoutLock<'a>>,
}

impl Emitter<'_> {
    /// Writes one result.
    ///
    /// # Errors
    /// As [`Printer::emit`].
    pub fn emit(&mut self, msg: &Message) -> Result<(), CliError> {
        if self.quiet && !msg.must_show() {
            return Ok(());
        }
        let out = &mut self.out;
        let res = if self.json {
            serde_json::to_writer(&mut *out, msg)
                .map_err(io::Error::from)
                .and_then(|()| out.write_all(b"\n"))
        } else {
            msg.human(out)
        };
        res.map_err(write_error)
    }

    /// Flushes what is buffered.
    ///
    /// # Errors
    /// As [`Printer::emit`].
    pub fn finish(mut self) -> Result<(), CliError> {
        self.out.flush().map_err(write_error)
    }
}

fn write_error(e: io::Error) -> CliError {
    CliError::io("write to", std::path::Path::new("standard output"), &e)
}

/// `1 entry`, `2 entries`.
fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `2024-05-01 12:00 UTC` for Unix seconds.
#[must_use]
pub fn utc(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        (rem % 3600) / 60
    )
}

impl Message {
    /// Whether `--quiet` still prints this: the data the command was asked for (a secret,
    /// a recovery code or shares shown only now) and failures (a failed drill step).
    #[must_use]
    pub fn must_show(&self) -> bool {
        match self {
            Message::Init(_)
            | Message::Secret(_)
            | Message::RecoveryShow(_)
            | Message::RecoveryReset(_)
            | Message::Error(_) => true,
            Message::Shares(r) => r.shares.iter().any(|s| s.mnemonic.is_some()),
            Message::Salvage(r) => r.recovery_code.is_some(),
            Message::DrillStep(r) => !r.ok,
            Message::Drill(r) => !r.passed,
            _ => false,
        }
    }

    /// Writes the result as text for a person.
    ///
    /// # Errors
    /// Write errors.
    pub fn human(&self, w: &mut impl Write) -> io::Result<()> {
        match self {
            Message::Init(r) => {
                writeln!(
                    w,
                    "Created vault {} (password keyslot: {}; recovery keyslot: PBKDF2-HMAC-SHA256, {} iterations).",
                    r.vault, r.password_kdf, r.iterations
                )?;
                writeln!(w)?;
                writeln!(w, "Recovery code (shown only now; write it down and keep it apart from the password):")?;
                writeln!(w)?;
                writeln!(w, "    {}", r.recovery_code.as_str())?;
                writeln!(w)?;
                writeln!(
                    w,
                    "It opens the vault and its backups if the password is lost."
                )
            }
            Message::Added(r) => writeln!(
                w,
                "{} {} ({}, {} bytes{}, version {}, KCV {})",
                if r.op == "generate" {
                    "Generated"
                } else {
                    "Added"
                },
                r.name,
                r.kind,
                r.bytes,
                r.entropy_bits
                    .map(|b| format!(", {b} bits of entropy"))
                    .unwrap_or_default(),
                r.version,
                r.kcv
            ),
            // The name comes last: names run to 256 bytes of any script, so every column
            // before it keeps its place whatever the names are.
            Message::Entry(r) => writeln!(
                w,
                "{:<15} v{:<3} {:<7} {:<8} {:>6} B  rotated {}  {}{}",
                r.kind,
                r.version,
                r.status,
                r.kcv,
                r.bytes,
                utc(r.rotated_at),
                r.name,
                if r.versions > 1 {
                    format!("  ({} versions kept)", r.versions)
                } else {
                    String::new()
                }
            ),
            Message::Secret(r) => match (&r.value, &r.out) {
                (Some(v), _) => writeln!(w, "{}", v.as_str()),
                (None, Some(out)) => writeln!(
                    w,
                    "Wrote {} version {} ({} bytes, {}, KCV {}) to {out}",
                    r.name, r.version, r.bytes, r.format, r.kcv
                ),
                (None, None) => Ok(()),
            },
            Message::Removed(r) => writeln!(
                w,
                "Removed {} ({})",
                r.name,
                count(r.versions, "version", "versions")
            ),
            Message::Backup(r) => {
                writeln!(
                    w,
                    "Wrote {} backup {}: {} ({}), {} bytes; re-read and verified.",
                    if r.armored { "armored" } else { "binary" },
                    r.out,
                    count(r.entries, "entry", "entries"),
                    count(r.versions, "version", "versions"),
                    r.bytes
                )?;
                if r.own_password {
                    writeln!(w, "The backup has its own password.")?;
                }
                writeln!(w, "Fingerprint: {}", r.fingerprint)
            }
            Message::Restore(r) => writeln!(
                w,
                "Restored {} ({}) from {} to {} (generation {}); it opens with the backup's \
                 password.",
                count(r.entries, "entry", "entries"),
                count(r.versions, "version", "versions"),
                r.backup,
                r.out,
                r.generation
            ),
            Message::Verify(r) => {
                let mark = if r.exit_code == 0 { "ok" } else { "FAILED" };
                write!(w, "{}: {mark}", r.file)?;
                if r.exit_code == 0 {
                    let mut parts = Vec::new();
                    if let Some(f) = r.format {
                        parts.push(f.to_string());
                    }
                    if let Some(n) = r.records {
                        parts.push(format!("{n} records intact"));
                    }
                    if let Some(n) = r.entries {
                        parts.push(format!("{} opened", count(n, "entry", "entries")));
                    }
                    if let Some(g) = r.generation {
                        parts.push(format!("generation {g}"));
                    }
                    write!(w, " ({})", parts.join(", "))?;
                } else {
                    write!(w, " ({})", r.status)?;
                }
                writeln!(w)?;
                for name in &r.missing {
                    writeln!(w, "  missing from backup: {name}")?;
                }
                for s in &r.stale {
                    writeln!(
                        w,
                        "  stale in backup: {} (backup v{}, vault v{})",
                        s.name, s.backup_version, s.vault_version
                    )?;
                }
                Ok(())
            }
            Message::Summary(r) => {
                if r.files > 1 {
                    writeln!(w, "{} files: {} ok, {} failed", r.files, r.ok, r.failed)?;
                }
                Ok(())
            }
            Message::Fingerprint(r) => writeln!(w, "{}  {}", r.sha256, r.file),
            Message::DrillStep(r) => writeln!(
                w,
                "{} {:>2}. {:<52} {:>6} ms  {}",
                if r.ok { "✓" } else { "✗" },
                r.step,
                r.name,
                r.millis,
                r.detail
            ),
            Message::Drill(r) => writeln!(
                w,
                "\n{}: {} of {} steps passed in {:.1} s",
                if r.passed { "PASS" } else { "FAIL" },
                r.steps - r.failed,
                r.steps,
                r.millis as f64 / 1000.0
            ),
            Message::Error(_) => Ok(()),
            Message::Passwd(r) => r.human(w),
            Message::RotateMaster(r) => r.human(w),
            Message::Rotated(r) => r.human(w),
            Message::Policy(r) => r.human(w),
            Message::KeyStatus(r) => r.human(w),
            Message::Status(r) => r.human(w),
            Message::AuditEvent(r) => r.human(w),
            Message::AuditVerify(r) => r.human(w),
            Message::Benchmark(r) => r.human(w),
            Message::Imported(r) => r.human(w),
            Message::RecoveryShow(r) => r.human_show(w),
            Message::RecoveryReset(r) => r.human_reset(w),
            Message::Shares(r) => r.human(w),
            Message::Recover(r) => r.human(w),
            Message::Salvage(r) => r.human(w),
            Message::Kit(r) => r.human(w),
            Message::Page(r) => r.human(w),
            Message::Warning(r) => r.human(w),
            Message::Man(r) => r.human(w),
            Message::KeyringItem(r) => r.human(w),
            Message::KeyringRestore(r) => r.human(w),
            Message::FailedUnlock(r) => r.human(w),
            Message::Failures(r) => r.human(w),
        }
    }
}

/// Prints an error: one line on standard error, and in JSON mode also an `error` object
/// on standard output.
pub fn report_error(printer: &Printer, e: &CliError) {
    if e.is_quiet() {
        return;
    }
    eprintln!("error: {e}");
    if printer.is_json() {
        let _ = printer.emit(&error_message(e));
    }
}

/// The JSON line for a failed command.
#[must_use]
pub fn error_message(e: &CliError) -> Message {
    let exit: Exit = e.exit();
    Message::Error(ErrorReport {
        exit_code: exit.code(),
        status: exit.name(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(1_700_000_000), "2023-11-14 22:13 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00 UTC");
    }

    #[test]
    fn secrets_do_not_appear_in_debug() {
        let r = InitReport {
            vault: "v".into(),
            vault_id: "00".into(),
            iterations: 1,
            password_kdf: String::new(),
            recovery_code: Zeroizing::new("123456-654321".into()),
        };
        assert!(!format!("{r:?}").contains("123456"));
        let json = serde_json::to_string(&Message::Init(r)).unwrap();
        assert!(json.contains(r#""type":"init""#) && json.contains("123456-654321"));
    }
}

/// A live vault older than a generation of it seen before on this machine. Printed on
/// standard error and, with `--json`, as a `warning` object before the command's result.
#[derive(Clone, Debug, Serialize)]
pub struct RollbackWarning {
    /// Always `rollback`.
    pub kind: &'static str,
    /// The vault file.
    pub vault: String,
    /// Its vault id, hex.
    pub vault_id: String,
    /// Its generation.
    pub generation: u64,
    /// The newest generation of this vault seen on this machine.
    pub seen_generation: u64,
    /// The warning as one line (without `warning: `).
    pub message: String,
}

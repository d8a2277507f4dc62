//! What the key-lifecycle and import commands report (`passwd`, `rotate-master`, `rotate`,
//! `add --new-version`, `policy`, `status`, `audit`, `benchmark`, `import-legacy`), and how
//! each report reads as text. The JSON shapes are documented in `docs/CLI.md`.

use std::io::{self, Write};

use serde::Serialize;

use super::utc;

/// A password keyslot rewrapped by `passwd`.
#[derive(Clone, Debug, Serialize)]
pub struct PasswdReport {
    /// Path of the vault.
    pub vault: String,
    /// Index of the keyslot that was replaced.
    pub slot: u8,
    /// PBKDF2 iterations of the new keyslot; 0 when it is Argon2id (see `kdf`).
    pub iterations: u32,
    /// PBKDF2 iterations of the keyslot it replaced; 0 when it was Argon2id.
    pub previous_iterations: u32,
    /// The new keyslot's KDF and cost, e.g. `Argon2id, 256 MiB, 3 passes, 4 lanes`.
    pub kdf: String,
    /// The replaced keyslot's KDF and cost.
    pub previous_kdf: String,
    /// The vault's new generation.
    pub generation: u64,
    /// Whether a new master key was made and every record re-encrypted (false only when
    /// other password keyslots would have been locked out).
    pub master_key_replaced: bool,
    /// Password keyslots other than the one replaced (kept as they were).
    pub other_password_slots: usize,
}

impl PasswdReport {
    /// Writes the report as text.
    ///
    /// # Errors
    /// Write errors.
    pub fn human(&self, w: &mut impl Write) -> io::Result<()> {
        writeln!(
            w,
            "Changed the password of {} (keyslot {}, {}).",
            self.vault, self.slot, self.kdf
        )?;
        if self.master_key_replaced {
            writeln!(
                w,
                "A new master key encrypts every record. The old password no longer opens \
                 this vault; the recovery code and shares still do."
            )?;
            writeln!(
                w,
                "Copies of the vault and backups made before now still open with the old \
                 password and show what they held then, including the recovery secret (which \
                 opens this vault too): if someone may know the old password and hold such a \
                 copy, also run 'airvault recovery reset'."
            )
        } else {
            writeln!(
                w,
                "The master key was kept, because {} other password keyslot(s) would be locked \
                 out by a new one. The old password no longer opens this file, but a copy of \
                 the vault or a backup made before now, opened with the old password, gives \
                 the master key that still decrypts every record of this vault: remove the \
                 other keyslots and run 'airvault rotate-master' if that matters.",
                self.other_password_slots
            )
        }
    }
}

/// A new master key, written by `rotate-master`.
#[derive(Clone, Debug, Serialize)]
pub struct RotateMasterReport {
    /// Path of the vault.
    pub vault: String,
    /// Entry versions re-encrypted.
    pub versions: usize,
    /// Audit events re-encrypted (the new `rotate-master` event is appended after them).
    pub audit_events: usize,
    /// Keyslots resealed around the new master key.
    pub keyslots: usize,
    /// Whether the recovery keyslot was resealed (with the same recovery secret).
    pub recovery: bool,
    /// The vault's new generation.
    pub generation: u64,
}

impl RotateMasterReport {
    /// Writes the report as text.
    ///
    /// # Errors
    /// Write errors.
    pub fn human(&self, w: &mut impl Write) -> io::Result<()> {
        writeln!(
            w,
            "Rotated the master key of {}: {} entry versions and {} audit events re-encrypted, \
             {} keyslots resealed.",
            self.vault, self.versions, self.audit_events, self.keyslots
        )?;
        writeln!(
            w,
            "The password{} unchanged. Backups made before now keep the old master key: make \
             a new backup.",
            if self.recovery {
                ", recovery code and shares are"
            } else {
                " is"
            }
        )
    }
}

/// A new version of an entry (`rotate`, `add --new-version`).
#[derive(Clone, Debug, Serialize)]
pub struct RotatedReport {
    /// `rotate` (new random bytes) or `add` (new bytes given).
    pub op: &'static str,
    /// Path of the vault.
    pub vault: String,
    /// Entry name.
    pub name: String,
    /// Entry id, hex (the same for every version).
    pub id: String,
    /// The new version.
    pub version: u32,
    /// The version it replaced, now retired.
    pub previous_version: u32,
    /// Entry kind.
    pub kind: &'static str,
    /// Key check value of the new version.
    pub kcv: String,
    /// Key check value of the retired version.
    pub previous_kcv: String,
    /// Length of the new secret.
    pub bytes: usize,
    /// When the new version was made (Unix seconds).
    pub rotated_at: u64,
}

impl RotatedReport {
    /// Writes the report as text.
    ///
    /// # Errors
    /// Write errors.
    pub fn human(&self, w: &mut impl Write) -> io::Result<()> {
        writeln!(
            w,
            "{} {} version {} ({}, {} bytes, KCV {}).",
            if self.op == "rotate" {
                "Rotated: new"
            } else {
                "Added"
            },
            self.name,
            self.version,
            self.kind,
            self.bytes,
            self.kcv
        )?;
        writeln!(
            w,
            "Version {} (KCV {}) is retired and stays readable: airvault get {} --version {}",
            self.previous_version, self.previous_kcv, self.name, self.previous_version
        )
    }
}

/// One entry with a rotation policy of its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyOverride {
    /// Entry name.
    pub name: String,
    /// Its policy in days.
    pub days: u32,
}

/// The vault's rotation policy after `policy`.
#[derive(Clone, Debug, Serialize)]
pub struct PolicyReport {
    /// Path of the vault.
    pub vault: String,
    /// The vault's default policy in days (0: none).
    pub default_days: u32,
    /// What this run changed: `default`, `entry`, or null when it only showed the policy.
    pub changed: Option<&'static str>,
    /// Entries with their own policy, by name.
    pub overrides: Vec<PolicyOverride>,
}

impl PolicyReport {
    /// Writes the report as text.
    ///
    /// # Errors
    /// Write errors.
    pub fn human(&self, w: &mut impl Write) -> io::Result<()> {
        if self.default_days == 0 {
            writeln!(w, "Default rotation policy: none")?;
        } else {
            writeln!(w, "Default rotation policy: {} days", self.default_days)?;
        }
        for o in &self.overrides {
            writeln!(w, "  {:<24} {} days", o.name, o.days)?;
        }
        Ok(())
    }
}

/// One key's age against its rotation policy (`status`).
#[derive(Clone, Debug, Serialize)]
pub struct KeyStatusReport {
    /// Entry name.
    pub name: String,
    /// Entry id, hex.
    pub id: String,
    /// Entry kind.
    pub kind: &'static str,
    /// Current version.
    pub version: u32,
    /// When the current version was made (Unix seconds).
    pub rotated_at: u64,
    /// Whole days since then.
    pub age_days: u64,
    /// The policy applied, in days, or null when there is none.
    pub policy_days: Option<u32>,
    /// Where the policy comes from: `entry`, `vault`, `override` (`--policy-days`), `none`.
    pub policy_source: &'static str,
    /// When the key is (or was) due for rotation (Unix seconds), or null.
    pub due_at: Option<u64>,
    /// Whether it is past due.
    pub overdue: bool,
}

impl KeyStatusReport {
    /// Writes the report as text.
    ///
    /// # Errors
    /// Write errors.
    pub fn human(&self, w: &mut impl Write) -> io::Result<()> {
        let policy = self
            .policy_days
            .map_or_else(|| "none".to_owned(), |d| format!("{d} d"));
        let state = match (self.overdue, self.due_at) {
            (true, Some(due)) => format!("OVERDUE since {}", utc(due)),
            (false, Some(due)) => format!("ok, due {}", utc(due)),
            _ => "ok".to_owned(),
        };
        writeln!(
            w,
            "{:<24} v{:<3} age {:>5} d  policy {:<7} {state}",
            self.name, self.version, self.age_days, policy
        )
    }
}

/// The closing line of `status`.
#[derive(Clone, Debug, Serialize)]
pub struct StatusReport {
    /// Path of the vault.
    pub vault: String,
    /// The time the ages were computed at (Unix seconds).
    pub now: u64,
    /// The vault's default policy in days (0: none).
    pub default_policy_days: u32,
    /// The `--policy-days` override of this run, or null.
    pub policy_override: Option<u32>,
    /// Keys (current versions) checked.
    pub keys: usize,
    /// Keys past due.
    pub overdue: usize,
    /// Failed unlocks of this vault (any copy) recorded on this machine since its last
    /// successful unlock before this one (`audit --failures` lists them).
    pub failed_unlocks: usize,
    /// The exit code of the run: 8 with `--check-overdue` and an overdue key, else 0.
    pub exit_code: u8,
}

impl StatusReport {
    /// Writes the report as text.
    ///
    /// # Errors
    /// Write errors.
    pub fn human(&self, w: &mut impl Write) -> io::Result<()> {
        let policy = match (self.policy_override, self.default_policy_days) {
            (Some(1), _) => "policy 1 day for every key in this run".to_owned(),
            (Some(d), _) => format!("policy {d} days for every key in this run"),
            (None, 0) => "no default policy".to_owned(),
            (None, d) => format!("default policy {d} days"),
        };
        writeln!(
            w,
            "{} {}, {} overdue ({policy}).",
            self.keys,
            if self.keys == 1 { "key" } else { "keys" },
            self.overdue
        )?;
        if self.failed_unlocks > 0 {
            writeln!(
                w,
                "{} failed unlock(s) of this vault since its last successful unlock: see \
                 'airvault audit --failures'.",
                self.failed_unlocks
            )?;
        }
        Ok(())
    }
}

/// One audit event (`audit`). Never holds a secret.
#[derive(Clone, Debug, Serialize)]
pub struct AuditEventReport {
    /// Position in the chain.
    pub seq: u32,
    /// When it happened (Unix seconds).
    pub time: u64,
    /// The operation (`init`, `generate`, `rotate`, …).
    pub op: &'static str,
    /// The entry concerned, or null.
    pub name: Option<String>,
    /// Its id, hex, or null.
    pub entry_id: Option<String>,
    /// Its version, or null.
    pub version: Option<u32>,
    /// Its key check value, or null.
    pub kcv: Option<String>,
    /// Short public detail (a file name, a count), possibly empty.
    pub detail: String,
}

impl AuditEventReport {
    /// Writes the report as text.
    ///
    /// # Errors
    /// Write errors.
    pub fn human(&self, w: &mut impl Write) -> io::Result<()> {
        let mut line = format!("{:>5}  {}  {:<14}", self.seq, utc(self.time), self.op);
        if let Some(name) = &self.name {
            line.push_str(&format!(" {name}"));
            if let Some(v) = self.version {
                line.push_str(&format!(" v{v}"));
            }
            if let Some(kcv) = &self.kcv {
                line.push_str(&format!(" KCV {kcv}"));
            }
        }
        if !self.detail.is_empty() {
            line.push_str(&format!("  ({})", self.detail));
        }
        writeln!(w, "{}", line.trim_end())
    }
}

/// The result of `audit --verify`.
#[derive(Clone, Debug, Serialize)]
pub struct AuditVerifyReport {
    /// Path of the vault.
    pub vault: String,
    /// Audit events checked before the result was known.
    pub events: usize,
    /// Whether every event decrypted and the chain is whole.
    pub ok: bool,
    /// Gaps acknowledged by `salvage` events (events lost from damaged backups).
    pub salvage_gaps: u32,
    /// Sequence number of the first event at fault, or null (none, or the end of the
    /// trail).
    pub first_break: Option<u32>,
    /// What is wrong, or null.
    pub message: Option<String>,
    /// 0, or 5 when the trail does not verify.
    pub exit_code: u8,
}

impl AuditVerifyReport {
    /// Writes the report as text.
    ///
    /// # Errors
    /// Write errors.
    pub fn human(&self, w: &mut impl Write) -> io::Result<()> {
        if self.ok {
            write!(
                w,
                "Audit trail of {}: {} events, chain intact",
                self.vault, self.events
            )?;
            if self.salvage_gaps > 0 {
                write!(
                    w,
                    " ({} gap(s) acknowledged by salvage events)",
                    self.salvage_gaps
                )?;
            }
            writeln!(w, ".")
        } else {
            writeln!(w, "Audit trail of {}: BROKEN", self.vault)
        }
    }
}

/// What `benchmark` measured.
#[derive(Clone, Debug, Serialize)]
pub struct BenchmarkReport {
    /// The keyslot KDF.
    pub kdf: &'static str,
    /// Iterations per second on this machine.
    pub iterations_per_second: u64,
    /// Iterations run to measure it.
    pub measured_iterations: u64,
    /// How long they took.
    pub measured_millis: u64,
    /// Iterations that take about one second here, rounded to 10,000 (not clamped).
    pub iterations_for_1s: u64,
    /// What `--target-time 1000` chooses here (clamped to the default and the maximum).
    pub target_time_1s: u32,
    /// The default for new keyslots.
    pub default_iterations: u32,
    /// How long the default takes here.
    pub default_millis: u64,
    /// Fewest iterations the format accepts.
    pub min_iterations: u32,
    /// Most iterations the format accepts.
    pub max_iterations: u32,
    /// How long the maximum takes here.
    pub max_millis: u64,
    /// Password guesses per second one core of this machine can test against a PBKDF2
    /// keyslot of the default cost (iterations per second ÷ the default count).
    pub default_guesses_per_second: f64,
    /// Argon2id, the default KDF of password keyslots.
    pub argon2id: Argon2Benchmark,
}

/// What `benchmark` measures of Argon2id.
#[derive(Clone, Debug, Serialize)]
pub struct Argon2Benchmark {
    /// KiB of memory filled per second, counting each pass (64 MiB, one pass, repeated).
    pub kib_passes_per_second: u64,
    /// The default cost of new password keyslots, as people read it.
    pub default: String,
    /// Its memory in KiB.
    pub default_memory_kib: u32,
    /// Its passes.
    pub default_passes: u32,
    /// Its lanes.
    pub default_lanes: u32,
    /// How long one derivation at the default cost took here: measured, one run.
    pub default_millis: u64,
    /// Password guesses per second one core of this machine can test against it
    /// (1000 ÷ `default_millis`).
    pub default_guesses_per_second: f64,
    /// What `--target-time 1000` chooses here.
    pub target_time_1s: String,
}

impl BenchmarkReport {
    /// Writes the report as text.
    ///
    /// # Errors
    /// Write errors.
    pub fn human(&self, w: &mut impl Write) -> io::Result<()> {
        writeln!(
            w,
            "# Measured {} iterations in {} ms.",
            self.measured_iterations, self.measured_millis
        )?;
        writeln!(
            w,
            "{:<20} {:>12} iterations per second",
            self.kdf, self.iterations_per_second
        )?;
        writeln!(
            w,
            "1 second here:       {:>12} iterations (--target-time 1000 picks {})",
            self.iterations_for_1s, self.target_time_1s
        )?;
        writeln!(
            w,
            "default:             {:>12} iterations, about {} ms here",
            self.default_iterations, self.default_millis
        )?;
        writeln!(
            w,
            "format bounds:       {} to {} iterations (the maximum about {} ms here)",
            self.min_iterations, self.max_iterations, self.max_millis
        )?;
        writeln!(
            w,
            "attacker, one core:  {:>12.1} guesses per second at the default",
            self.default_guesses_per_second
        )?;
        let a = &self.argon2id;
        writeln!(w)?;
        writeln!(
            w,
            "{:<20} {:>12} MiB filled per second (memory × passes)",
            "argon2id",
            a.kib_passes_per_second / 1024
        )?;
        writeln!(
            w,
            "default:             {}, {} ms here (measured)",
            a.default, a.default_millis
        )?;
        writeln!(
            w,
            "attacker, one core:  {:>12.1} guesses per second at the default",
            a.default_guesses_per_second
        )?;
        writeln!(w, "--target-time 1000:  {}", a.target_time_1s)
    }
}

/// An entry imported from a legacy file (`import-legacy`).
#[derive(Clone, Debug, Serialize)]
pub struct ImportReport {
    /// Path of the vault.
    pub vault: String,
    /// `openssl` or `fernet`.
    pub format: &'static str,
    /// The file imported.
    pub file: String,
    /// Entry name.
    pub name: String,
    /// Entry id, hex.
    pub id: String,
    /// Version (1).
    pub version: u32,
    /// Entry kind.
    pub kind: &'static str,
    /// Key check value of the imported secret.
    pub kcv: String,
    /// Length of the imported secret.
    pub bytes: usize,
    /// Whether the legacy format authenticated the data (Fernet: yes; openssl enc: no).
    pub authenticated: bool,
    /// The key derivation that decrypted an openssl file, or null.
    pub kdf: Option<String>,
    /// The Fernet token's creation time (Unix seconds), or null.
    pub token_time: Option<u64>,
}

impl ImportReport {
    /// Writes the report as text.
    ///
    /// # Errors
    /// Write errors.
    pub fn human(&self, w: &mut impl Write) -> io::Result<()> {
        writeln!(
            w,
            "Imported {} as {} ({}, {} bytes, version {}, KCV {}).",
            self.file, self.name, self.kind, self.bytes, self.version, self.kcv
        )?;
        match (&self.kdf, self.token_time) {
            (Some(kdf), _) => writeln!(
                w,
                "Source: openssl enc with {kdf}; UNAUTHENTICATED (that format has no MAC)."
            ),
            (None, Some(t)) => writeln!(
                w,
                "Source: Fernet token made {}; its HMAC verified.",
                utc(t)
            ),
            (None, None) => Ok(()),
        }
    }
}

//! The record of failed unlocks: every attempt to open a vault or a backup whose password,
//! recovery code or shares did not open it appends one line to a local log, the first
//! sign that someone is guessing at this machine.
//!
//! The log (`failed-unlocks` in the state directory of [`crate::generations::state_dir`]:
//! `$AIRVAULT_STATE_DIR`, else `~/.local/state/airvault/`) has one line per event:
//!
//! ```text
//! <unix seconds> failed <keyslot kind> <vault id, 32 hex> <generation> <header checksum, 64 hex>
//! <unix seconds> unlocked <keyslot kind> <vault id, 32 hex> <generation> <header checksum, 64 hex>
//! ```
//!
//! The header checksum is the SHA-256 the format stores at the end of the header copy that
//! was tried (`docs/FORMAT.md`): each file written has its own, so it names the copy — the
//! live vault or a backup — while the vault id names the vault all its copies belong to.
//! An `unlocked` line is added only after failures, when the same vault next opens, so
//! that the failures since the last successful unlock can be counted. Nothing typed is
//! ever written, not even its length. The file is created with mode 0600 in a directory of
//! mode 0700; an unusable log is a note on standard error, never a failure of the command.
//!
//! Recording is off until [`enable`] is called: the binary enables it for every command
//! but the drill (whose wrong passwords are part of the rehearsal); library callers and
//! tests that call commands directly record nothing.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use vault_core::constants::VAULT_ID_LEN;
use vault_core::{SlotKind, VaultFile};

use crate::error::{show, CliError, Result};
use crate::files;

/// File name of the log in the state directory.
pub const LOG_FILE: &str = "failed-unlocks";

/// Beyond this size the oldest lines are dropped (each line is under 150 bytes: this keeps
/// thousands).
const MAX_LOG_LEN: u64 = 512 * 1024;

/// Largest log read: far beyond what airvault lets it grow to ([`MAX_LOG_LEN`]), so that a
/// log grown by other hands is still read and cut.
const MAX_READ_LEN: u64 = 16 * 1024 * 1024;

/// Where the log is, once recording is enabled (`None` inside: no state directory known).
static LOG: OnceLock<Option<PathBuf>> = OnceLock::new();

/// Failures counted, for each vault opened by this process, between its previous
/// successful unlock and this process's first one.
static BEFORE_UNLOCK: Mutex<Vec<([u8; VAULT_ID_LEN], usize)>> = Mutex::new(Vec::new());

/// Whether a note about an unusable log was printed.
static NOTED: OnceLock<()> = OnceLock::new();

/// Turns recording on for this process, into `LOG_FILE` in `dir` (`None`: no directory
/// is known, and each failure is a note instead).
pub fn enable(dir: Option<PathBuf>) {
    let _ = LOG.set(dir.map(|d| d.join(LOG_FILE)));
}

/// Whether an unlock succeeded or failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The secret did not open the keyslot.
    Failed,
    /// The file opened.
    Unlocked,
}

impl Outcome {
    const fn name(self) -> &'static str {
        match self {
            Outcome::Failed => "failed",
            Outcome::Unlocked => "unlocked",
        }
    }
}

/// One line of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Unix seconds.
    pub time: u64,
    /// Failed or unlocked.
    pub outcome: Outcome,
    /// `password` or `recovery` (the recovery code and shares open the recovery keyslot).
    pub slot: String,
    /// The vault id of the file.
    pub vault_id: [u8; VAULT_ID_LEN],
    /// Its generation.
    pub generation: u64,
    /// The checksum of the header copy tried.
    pub header: [u8; 32],
}

/// A keyslot kind as the log and the reports name it.
#[must_use]
pub fn slot_name(kind: SlotKind) -> &'static str {
    match kind {
        SlotKind::Password => "password",
        SlotKind::Recovery => "recovery",
    }
}

/// An unlock of `file` through a keyslot of `kind` ended with `outcome`: appends a failure
/// to the log, and after failures of the same vault, the successful unlock that ends them.
/// Does nothing unless recording is [`enable`]d.
pub fn record(file: &VaultFile<'_>, kind: SlotKind, outcome: Outcome) {
    let Some(log) = LOG.get() else {
        return;
    };
    let Some(log) = log else {
        if outcome == Outcome::Failed {
            note("no home directory is known");
        }
        return;
    };
    let header = file.header();
    let event = Event {
        time: crate::clock::now(),
        outcome,
        slot: slot_name(kind).to_owned(),
        vault_id: header.vault_id(),
        generation: header.generation(),
        header: header.checksum(),
    };
    if outcome == Outcome::Unlocked {
        let before = read(log).map_or(0, |events| since_unlock(&events, &event.vault_id));
        if let Ok(mut counts) = BEFORE_UNLOCK.lock() {
            if !counts.iter().any(|(id, _)| *id == event.vault_id) {
                counts.push((event.vault_id, before));
            }
        }
        if before == 0 {
            return;
        }
    }
    if let Err(e) = append(log, &event) {
        note(e.what());
    }
}

/// Failures of the vault `vault_id` in the log since its last successful unlock (any copy),
/// as they were before this process first opened it.
#[must_use]
pub fn before_this_unlock(vault_id: &[u8; VAULT_ID_LEN]) -> usize {
    if let Ok(counts) = BEFORE_UNLOCK.lock() {
        if let Some((_, n)) = counts.iter().find(|(id, _)| id == vault_id) {
            return *n;
        }
    }
    match LOG.get() {
        Some(Some(log)) => read(log).map_or(0, |events| since_unlock(&events, vault_id)),
        _ => 0,
    }
}

/// Failures of `vault_id` after its last `unlocked` line.
fn since_unlock(events: &[Event], vault_id: &[u8; VAULT_ID_LEN]) -> usize {
    events
        .iter()
        .rev()
        .filter(|e| e.vault_id == *vault_id)
        .take_while(|e| e.outcome == Outcome::Failed)
        .count()
}

/// The log's path in `dir`.
#[must_use]
pub fn log_path(dir: &Path) -> PathBuf {
    dir.join(LOG_FILE)
}

/// Every line of the log at `path`, in order; lines that do not parse are skipped. A
/// missing log is empty.
///
/// # Errors
/// Exit 3 if it exists and cannot be read.
pub fn read(path: &Path) -> Result<Vec<Event>> {
    let bytes = match files::read_bounded(path, MAX_READ_LEN) {
        Ok(b) => b,
        Err(_) if !path.exists() => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let text = String::from_utf8_lossy(&bytes);
    Ok(text.lines().filter_map(parse_line).collect())
}

fn parse_line(line: &str) -> Option<Event> {
    let mut parts = line.split_ascii_whitespace();
    let time = parts.next()?.parse().ok()?;
    let outcome = match parts.next()? {
        "failed" => Outcome::Failed,
        "unlocked" => Outcome::Unlocked,
        _ => return None,
    };
    let slot = parts.next()?;
    if slot.len() > 16 || !slot.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
        return None;
    }
    let mut event = Event {
        time,
        outcome,
        slot: slot.to_owned(),
        vault_id: [0; VAULT_ID_LEN],
        generation: 0,
        header: [0; 32],
    };
    hex::decode_to_slice(parts.next()?, &mut event.vault_id).ok()?;
    event.generation = parts.next()?.parse().ok()?;
    hex::decode_to_slice(parts.next()?, &mut event.header).ok()?;
    parts.next().is_none().then_some(event)
}

fn format_line(e: &Event) -> String {
    let mut line = String::with_capacity(160);
    let _ = writeln!(
        line,
        "{} {} {} {} {} {}",
        e.time,
        e.outcome.name(),
        e.slot,
        hex::encode(e.vault_id),
        e.generation,
        hex::encode(e.header)
    );
    line
}

/// Appends `event` (one `write` of one line, with `O_APPEND`, so that two commands do not
/// interleave); a log grown past [`MAX_LOG_LEN`] is first cut to its newest lines, half
/// that size.
fn append(log: &Path, event: &Event) -> Result<()> {
    files::ensure_parent_dir(log)?;
    if fs::metadata(log).is_ok_and(|m| m.len() > MAX_LOG_LEN) {
        let lines: Vec<String> = read(log)?.iter().map(format_line).collect();
        let (mut start, mut kept) = (lines.len(), 0);
        while start > 0 && kept + lines[start - 1].len() <= (MAX_LOG_LEN / 2) as usize {
            start -= 1;
            kept += lines[start].len();
        }
        files::write_bookkeeping(log, lines[start..].concat().as_bytes())?;
    }
    let mut options = fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(log)
        .map_err(|e| CliError::io("write", log, &e))?;
    f.write_all(format_line(event).as_bytes())
        .map_err(|e| CliError::io("write", log, &e))
}

/// Prints, once per command, why a failed unlock could not be recorded.
fn note(why: &str) {
    if NOTED.set(()).is_ok() {
        eprintln!(
            "note: failed unlocks cannot be recorded: {why} — check that directory, or set \
             {} to a private one",
            crate::generations::STATE_DIR_ENV
        );
    }
}

/// The log in `dir` as shown by `audit --failures`: its failures at or after `since`
/// (Unix seconds), oldest first.
///
/// # Errors
/// Exit 3 if the log exists and cannot be read.
pub fn failures_since(dir: &Path, since: u64) -> Result<Vec<Event>> {
    Ok(read(&log_path(dir))?
        .into_iter()
        .filter(|e| e.outcome == Outcome::Failed && e.time >= since)
        .collect())
}

/// The log path as shown in messages.
#[must_use]
pub fn shown(dir: &Path) -> String {
    show(&log_path(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(time: u64, outcome: Outcome, id: u8) -> Event {
        Event {
            time,
            outcome,
            slot: "password".into(),
            vault_id: [id; VAULT_ID_LEN],
            generation: 3,
            header: [9; 32],
        }
    }

    #[test]
    fn lines_round_trip_and_bad_ones_are_skipped() {
        let e = event(1_700_000_000, Outcome::Failed, 1);
        let line = format_line(&e);
        assert_eq!(parse_line(line.trim_end()), Some(e));
        assert_eq!(parse_line("x failed password"), None);
        assert_eq!(parse_line(&format!("{} extra", line.trim_end())), None);
    }

    #[test]
    fn counts_failures_since_the_last_unlock_of_the_same_vault() {
        let events = [
            event(1, Outcome::Failed, 1),
            event(2, Outcome::Unlocked, 1),
            event(3, Outcome::Failed, 1),
            event(4, Outcome::Failed, 2),
            event(5, Outcome::Failed, 1),
        ];
        assert_eq!(since_unlock(&events, &[1; VAULT_ID_LEN]), 2);
        assert_eq!(since_unlock(&events, &[2; VAULT_ID_LEN]), 1);
        assert_eq!(since_unlock(&events, &[3; VAULT_ID_LEN]), 0);
    }

    #[test]
    fn a_log_grown_by_other_hands_is_cut_too() {
        let dir = tempfile::tempdir().unwrap();
        let log = log_path(dir.path());
        let line = format_line(&event(1, Outcome::Failed, 1));
        fs::write(&log, line.repeat((4 * MAX_LOG_LEN as usize) / line.len())).unwrap();
        append(&log, &event(2, Outcome::Failed, 1)).unwrap();
        assert!(fs::metadata(&log).unwrap().len() <= MAX_LOG_LEN / 2 + line.len() as u64);
        assert_eq!(read(&log).unwrap().last().map(|e| e.time), Some(2));
    }

    #[test]
    fn a_long_log_keeps_its_newer_half() {
        let dir = tempfile::tempdir().unwrap();
        let log = log_path(dir.path());
        let line = format_line(&event(1, Outcome::Failed, 1));
        fs::write(&log, line.repeat((MAX_LOG_LEN as usize / line.len()) + 2)).unwrap();
        append(&log, &event(2, Outcome::Failed, 1)).unwrap();
        let events = read(&log).unwrap();
        assert!(fs::metadata(&log).unwrap().len() <= MAX_LOG_LEN);
        assert_eq!(events.last().map(|e| e.time), Some(2));
    }
}

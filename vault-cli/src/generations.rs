//! The newest generation of each vault seen on this machine, so that an older copy of a
//! vault put in place of the newer one does not go unnoticed.
//!
//! Every vault file's header carries the vault id (random, fixed at creation, shared by
//! every backup) and the generation (a write counter raised by every change; a backup
//! keeps the vault's). The command line remembers, in a small state file, the highest
//! generation it has seen of each vault id at each place (the file's absolute path):
//! whenever a vault is opened as the live vault (after its header has been authenticated)
//! and whenever a vault is written. Then:
//!
//! - a live vault older than what was seen at the same place is reported (a warning, and
//!   the command goes on: only the person can tell whether the older copy was put back on
//!   purpose). Copies of one vault kept at other places (a backup restored to a second
//!   path to look at it) are not compared with it: they are not the file that was swapped;
//! - `restore`, `recover` and `salvage` refuse to replace a vault file of the same vault
//!   and a newer generation than the one they write from, unless told with
//!   `--discard-newer` ([`check_replace`]);
//! - what those three write gets a generation above the input's, the replaced file's and
//!   the highest remembered one of that vault anywhere ([`Seen::next_generation`]), so
//!   generations only go up.
//!
//! The state file (`generations` in `$AIRVAULT_STATE_DIR`, else the user's state directory,
//! `$XDG_STATE_HOME/airvault/` or `~/.local/state/airvault/`) holds one line per vault and
//! place: `<vault id, 32 hex digits> <place, 32 hex digits> <generation>`, the place being
//! the first 16 bytes of the SHA-256 of the file's absolute path. Vault ids, hashes and
//! generation numbers only, never a secret (nor a path). It is written atomically with mode 0600 in a directory of mode 0700. A
//! missing, unreadable or unwritable state file is a note on standard error, never a
//! failure: the memory is a tripwire, not a lock.
//!
//! # Security
//! What this cannot detect: on a fresh machine, or after the state file was deleted,
//! nothing is remembered; someone who can edit the state file as well as the vault can
//! defeat it; and backups legitimately carry older generations, so only the live vault is
//! compared, never a backup opened as a backup.

pub use crate::output::RollbackWarning;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use vault_core::constants::VAULT_ID_LEN;
use vault_core::{armor, KdfLimits, VaultFile};

use crate::error::{show, CliError, Result};
use crate::files;
use crate::output::{Message, Printer};

/// Environment variable naming the directory that holds the state file (tests, or a
/// machine whose state lives elsewhere).
pub const STATE_DIR_ENV: &str = "AIRVAULT_STATE_DIR";

/// File name of the state file in the state directory.
pub const STATE_FILE: &str = "generations";

/// Largest state file read. Each vault takes one 50-byte line, so this is far beyond
/// [`MAX_VAULTS`]; a larger file is not one airvault wrote and is ignored with a note.
const MAX_STATE_LEN: u64 = 1 << 20;

/// Vaults (and places) remembered at most; beyond this the ones not seen for longest are
/// forgotten.
pub const MAX_VAULTS: usize = 4096;

/// The first line of the state file.
const STATE_HEADER: &str = "# airvault: the newest generation seen of each vault at each place \
     (vault id, SHA-256 of the path, generation); no secrets";

/// Where a vault file is: the first 16 bytes of the SHA-256 of its absolute path.
type Place = [u8; 16];

/// One line of the state file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Remembered {
    vault_id: [u8; VAULT_ID_LEN],
    place: Place,
    generation: u64,
}

/// A vault file's identity and write counter, as its header states them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// The vault id.
    pub vault_id: [u8; VAULT_ID_LEN],
    /// The generation.
    pub generation: u64,
}

impl Stamp {
    /// What the header in use of a parsed file states.
    #[must_use]
    pub fn of(file: &VaultFile<'_>) -> Self {
        Self {
            vault_id: file.header().vault_id(),
            generation: file.header().generation(),
        }
    }
}

/// The memory of generations a command uses: where the state file is, and how warnings
/// are reported. Clones share whether a note about the state file was already printed.
#[derive(Clone, Debug)]
pub struct Seen {
    /// The state directory; `None` when remembering is off (the drill, library callers)
    /// or when no directory is known (then a note says so once).
    dir: Option<PathBuf>,
    /// Whether to remember at all.
    on: bool,
    /// Whether warnings are also printed as JSON objects on standard output.
    json: bool,
    /// Whether a note about the state file was printed already in this command (or is
    /// not to be printed: `--quiet`).
    noted: Arc<AtomicBool>,
    /// Whether warnings are dropped (`--quiet`); the memory is still kept.
    quiet: bool,
}

impl Seen {
    /// The memory of the user running the command: `$AIRVAULT_STATE_DIR` if set, else the
    /// user's state directory (`$XDG_STATE_HOME/airvault`, usually
    /// `~/.local/state/airvault`; where the platform has none, the local data directory).
    /// With `json`, warnings are also printed as `warning` objects.
    #[must_use]
    pub fn from_env(json: bool) -> Self {
        Self {
            dir: state_dir(),
            on: true,
            json,
            noted: Arc::default(),
            quiet: false,
        }
    }

    /// The same memory, its warnings and notes dropped with `quiet` (`--quiet`).
    #[must_use]
    pub fn quiet(self, quiet: bool) -> Self {
        Self {
            noted: Arc::new(AtomicBool::new(quiet)),
            quiet,
            ..self
        }
    }

    /// A memory kept in `dir`.
    #[must_use]
    pub fn in_dir(dir: PathBuf, json: bool) -> Self {
        Self {
            dir: Some(dir),
            on: true,
            json,
            noted: Arc::default(),
            quiet: false,
        }
    }

    /// No memory: nothing is read, written or warned about (the drill's throwaway vaults,
    /// library callers that did not ask for it).
    #[must_use]
    pub fn off() -> Self {
        Self {
            dir: None,
            on: false,
            json: false,
            noted: Arc::default(),
            quiet: false,
        }
    }

    /// The state file's path, if remembering is on and a directory is known.
    #[must_use]
    pub fn state_file(&self) -> Option<PathBuf> {
        self.dir
            .as_ref()
            .filter(|_| self.on)
            .map(|d| d.join(STATE_FILE))
    }

    /// The newest generation remembered for `vault_id`, at any place, if any.
    #[must_use]
    pub fn newest(&self, vault_id: &[u8; VAULT_ID_LEN]) -> Option<u64> {
        self.lines()
            .iter()
            .filter(|r| r.vault_id == *vault_id)
            .map(|r| r.generation)
            .max()
    }

    /// The newest generation remembered for `vault_id` at `path`, if any.
    #[must_use]
    pub fn newest_at(&self, vault_id: &[u8; VAULT_ID_LEN], path: &Path) -> Option<u64> {
        let place = place(path);
        self.lines()
            .iter()
            .find(|r| r.vault_id == *vault_id && r.place == place)
            .map(|r| r.generation)
    }

    /// The live vault at `path`, just opened (its header authenticated), is `stamp`:
    /// warns when a newer generation of it was seen at this place, remembers it when it
    /// is the newest. Returns the warning, if any.
    pub fn opened(&self, path: &Path, stamp: Stamp) -> Option<RollbackWarning> {
        if !self.on {
            return None;
        }
        let warning = self
            .newest_at(&stamp.vault_id, path)
            .filter(|&seen| seen > stamp.generation)
            .map(|seen| RollbackWarning::new(path, stamp, seen));
        match &warning {
            Some(w) => self.warn(w),
            None => self.remember(path, stamp),
        }
        warning
    }

    /// A vault was written at `path` as `stamp`: remembers its generation there if it is
    /// the newest seen there.
    pub fn written(&self, path: &Path, stamp: Stamp) {
        if self.on {
            self.remember(path, stamp);
        }
    }

    /// The state file's lines; none (with a note) if it cannot be read.
    fn lines(&self) -> Vec<Remembered> {
        let Some(file) = self.usable_file() else {
            return Vec::new();
        };
        read_state(&file).unwrap_or_else(|why| {
            self.note(&why);
            Vec::new()
        })
    }

    /// The generation for a vault that `restore`, `recover` or `salvage` writes at `out`
    /// from input of generation `input.generation`: one above the input's, the replaced
    /// file's (when it is the same vault) and the highest remembered, so that generations
    /// only go up.
    #[must_use]
    pub fn next_generation(&self, out: &Path, input: Stamp) -> u64 {
        let replaced = peek(out)
            .filter(|s| s.vault_id == input.vault_id)
            .map_or(0, |s| s.generation);
        let seen = self.newest(&input.vault_id).unwrap_or(0);
        input.generation.max(replaced).max(seen).saturating_add(1)
    }

    /// Adds `stamp` at `path` to the state file unless a generation as new is remembered
    /// there.
    fn remember(&self, path: &Path, stamp: Stamp) {
        let Some(file) = self.usable_file() else {
            return;
        };
        let line = Remembered {
            vault_id: stamp.vault_id,
            place: place(path),
            generation: stamp.generation,
        };
        if let Err(why) = update_state(&file, line) {
            self.note(&why);
        }
    }

    fn usable_file(&self) -> Option<PathBuf> {
        if !self.on {
            return None;
        }
        let file = self.state_file();
        if file.is_none() {
            self.note("no home directory is known");
        }
        file
    }

    fn warn(&self, w: &RollbackWarning) {
        if self.quiet {
            return;
        }
        eprintln!("warning: {}", w.message);
        if self.json {
            // A closed standard output shows up again, and is reported, when the result is
            // printed.
            let _ = Printer::new(true).emit(&Message::Warning(w.clone()));
        }
    }

    /// Prints, once per command, why the memory could not be used.
    fn note(&self, why: &str) {
        if !self.noted.swap(true, Ordering::Relaxed) {
            eprintln!(
                "note: the newest generation of each vault cannot be remembered: {why} — a \
                 vault replaced by an older copy of itself cannot be detected until it can; \
                 check that directory, or set {STATE_DIR_ENV} to a private one"
            );
        }
    }
}

/// The user's state directory for airvault: `$AIRVAULT_STATE_DIR` if set, else
/// `$XDG_STATE_HOME/airvault` (usually `~/.local/state/airvault`; where the platform has
/// none, the local data directory). `None` when no home directory is known.
#[must_use]
pub fn state_dir() -> Option<PathBuf> {
    match std::env::var_os(STATE_DIR_ENV) {
        Some(d) if !d.is_empty() => Some(PathBuf::from(d)),
        _ => directories::ProjectDirs::from("", "", "airvault").map(|d| {
            d.state_dir()
                .unwrap_or_else(|| d.data_local_dir())
                .to_path_buf()
        }),
    }
}

impl RollbackWarning {
    fn new(path: &Path, stamp: Stamp, seen: u64) -> Self {
        let vault = show(path);
        let message = format!(
            "{vault} is generation {} but generation {seen} of this vault was seen there on \
             this machine: it may have been replaced by an older copy — if no one meant to put an \
             older copy back, find the newer one (your latest backup) before changing this \
             one; 'airvault restore {vault} --out {vault} --force' keeps this copy and ends \
             the warning",
            stamp.generation
        );
        Self {
            kind: "rollback",
            vault,
            vault_id: hex::encode(stamp.vault_id),
            generation: stamp.generation,
            seen_generation: seen,
            message,
        }
    }

    /// Text for a person.
    ///
    /// # Errors
    /// Write errors.
    pub fn human(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        writeln!(w, "warning: {}", self.message)
    }
}

/// Refuses (exit 2) to replace the vault file at `out` when it is the same vault as
/// `input` and of a newer generation — replacing it would lose every change made since —
/// unless `discard_newer`. `from` names the input in the message. Reads only the header of
/// `out`, without a password; a file that is not a readable vault is left to the other
/// checks (`--force`).
///
/// # Errors
/// Exit 2, naming both generations and `--discard-newer`.
pub fn check_replace(out: &Path, input: Stamp, from: &str, discard_newer: bool) -> Result<()> {
    if discard_newer {
        return Ok(());
    }
    match peek(out) {
        Some(dest) if dest.vault_id == input.vault_id && dest.generation > input.generation => {
            Err(CliError::usage(format!(
                "{} is generation {} of this vault, newer than generation {} in {from}; \
                 replacing it would lose what changed after generation {}",
                show(out),
                dest.generation,
                input.generation,
                input.generation
            ))
            .hint(
                "pass --discard-newer to replace it anyway, or write to another path with \
                 --out",
            ))
        }
        _ => Ok(()),
    }
}

/// The vault id and generation of the vault or backup file at `path` (binary or armored),
/// read from its first intact header copy without a password. `None` if there is no such
/// file or it is not a readable airvault file. The header is not authenticated here.
#[must_use]
pub fn peek(path: &Path) -> Option<Stamp> {
    // Usually the first header copy alone is enough; anything else is read whole.
    if let Some(head) = files::read_head(path) {
        if let Ok(file) = VaultFile::parse(&head.bytes, &KdfLimits::STANDARD) {
            return Some(Stamp::of(&file));
        }
    }
    let bytes = files::read_file(path).ok()?;
    let bytes = if armor::is_armored(&bytes) {
        let mut out = vec![0u8; armor::decoded_len_max(bytes.len())];
        let n = armor::decode(&bytes, &mut out).ok()?;
        out.truncate(n);
        out
    } else {
        bytes
    };
    VaultFile::parse(&bytes, &KdfLimits::STANDARD)
        .ok()
        .map(|f| Stamp::of(&f))
}

/// Where `path` is: the first 16 bytes of the SHA-256 of its absolute path (symbolic
/// links resolved when it exists), so that the state file names no path.
fn place(path: &Path) -> Place {
    use sha2::{Digest, Sha256};
    let full = fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf());
    let digest = Sha256::digest(full.as_os_str().as_encoded_bytes());
    let mut place = [0u8; 16];
    place.copy_from_slice(&digest[..16]);
    place
}

/// The state file's lines, in file order (oldest update first). A missing file is empty.
fn read_state(file: &Path) -> std::result::Result<Vec<Remembered>, String> {
    let bytes = match files::read_bounded(file, MAX_STATE_LEN) {
        Ok(b) => b,
        Err(_) if !file.exists() => return Ok(Vec::new()),
        Err(e) => return Err(e.what().to_owned()),
    };
    let text =
        String::from_utf8(bytes).map_err(|_| format!("{} is not a text file", show(file)))?;
    let mut lines: Vec<Remembered> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // A line that does not parse (an edit by hand, say) is skipped, not fatal.
        if let Some(new) = parse_line(line) {
            match lines
                .iter_mut()
                .find(|r| r.vault_id == new.vault_id && r.place == new.place)
            {
                Some(known) => known.generation = known.generation.max(new.generation),
                None => lines.push(new),
            }
        }
    }
    Ok(lines)
}

fn parse_line(line: &str) -> Option<Remembered> {
    let mut parts = line.split_ascii_whitespace();
    let (id, place, generation) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let mut r = Remembered {
        vault_id: [0; VAULT_ID_LEN],
        place: [0; 16],
        generation: generation.parse().ok()?,
    };
    hex::decode_to_slice(id, &mut r.vault_id).ok()?;
    hex::decode_to_slice(place, &mut r.place).ok()?;
    Some(r)
}

/// Raises the generation remembered for `new`'s vault and place to `new.generation`,
/// holding a lock on the state directory so that two commands do not lose each other's
/// update.
fn update_state(file: &Path, new: Remembered) -> std::result::Result<(), String> {
    files::ensure_parent_dir(file).map_err(|e| e.what().to_owned())?;
    let _lock = lock_dir(file);
    let mut lines = read_state(file)?;
    if let Some(i) = lines
        .iter()
        .position(|r| r.vault_id == new.vault_id && r.place == new.place)
    {
        if lines[i].generation >= new.generation {
            return Ok(());
        }
        lines.remove(i);
    }
    // The line updated last goes last; the ones not seen for longest are forgotten first.
    lines.push(new);
    let excess = lines.len().saturating_sub(MAX_VAULTS);
    lines.drain(..excess);
    let mut text = String::with_capacity(STATE_HEADER.len() + 1 + lines.len() * 90);
    text.push_str(STATE_HEADER);
    text.push('\n');
    for r in &lines {
        let _ = writeln!(
            text,
            "{} {} {}",
            hex::encode(r.vault_id),
            hex::encode(r.place),
            r.generation
        );
    }
    files::write_bookkeeping(file, text.as_bytes()).map_err(|e| e.what().to_owned())
}

/// An exclusive `flock` on the directory holding `file`, released when dropped. Best
/// effort: without it, two commands updating at the same moment may lose one update,
/// which the next opening of that vault puts back.
#[cfg(unix)]
fn lock_dir(file: &Path) -> Option<fs::File> {
    use rustix::fs::{flock, FlockOperation};
    let dir = file.parent()?;
    let handle = fs::File::open(dir).ok()?;
    flock(&handle, FlockOperation::LockExclusive).ok()?;
    Some(handle)
}

#[cfg(not(unix))]
fn lock_dir(_file: &Path) -> Option<fs::File> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(b: u8, generation: u64) -> Stamp {
        Stamp {
            vault_id: [b; VAULT_ID_LEN],
            generation,
        }
    }

    #[test]
    fn remembers_the_highest_generation_per_vault_and_place() {
        let dir = tempfile::tempdir().unwrap();
        let seen = Seen::in_dir(dir.path().join("state"), false);
        let (v, w) = (dir.path().join("v.airvault"), dir.path().join("w.airvault"));
        assert_eq!(seen.newest(&[1; VAULT_ID_LEN]), None);
        seen.written(&v, stamp(1, 5));
        seen.written(&v, stamp(2, 9));
        seen.written(&v, stamp(1, 3));
        seen.written(&w, stamp(1, 7));
        assert_eq!(seen.newest(&[1; VAULT_ID_LEN]), Some(7));
        assert_eq!(seen.newest_at(&[1; VAULT_ID_LEN], &v), Some(5));
        assert_eq!(seen.newest(&[2; VAULT_ID_LEN]), Some(9));
        let warned = seen.opened(&v, stamp(1, 4)).unwrap();
        assert_eq!((warned.generation, warned.seen_generation), (4, 5));
        // A newer copy of the vault elsewhere is not the file that was swapped.
        assert!(seen.opened(&v, stamp(1, 6)).is_none());
        assert_eq!(seen.newest_at(&[1; VAULT_ID_LEN], &v), Some(6));
        let text = fs::read_to_string(seen.state_file().unwrap()).unwrap();
        let p = |path: &Path| hex::encode(place(path));
        assert_eq!(
            text.lines().skip(1).collect::<Vec<_>>(),
            [
                format!("{} {} 9", hex::encode([2u8; 16]), p(&v)),
                format!("{} {} 7", hex::encode([1u8; 16]), p(&w)),
                format!("{} {} 6", hex::encode([1u8; 16]), p(&v)),
            ]
        );
        assert!(!text.contains(".airvault"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&seen.state_file().unwrap()), 0o600);
            assert_eq!(mode(&dir.path().join("state")), 0o700);
        }
    }

    #[test]
    fn bad_lines_are_skipped_and_off_does_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(STATE_FILE);
        let v = dir.path().join("v");
        let (id, at) = (hex::encode([7u8; 16]), hex::encode(place(&v)));
        fs::write(
            &file,
            format!("# x\nnonsense\n{id} {at} 12\n{id} {at} 4\n{id} 3\n{id} {at} x\n"),
        )
        .unwrap();
        let seen = Seen::in_dir(dir.path().to_path_buf(), false);
        assert_eq!(seen.newest_at(&[7; VAULT_ID_LEN], &v), Some(12));
        let off = Seen::off();
        assert!(off.opened(&v, stamp(7, 1)).is_none());
        off.written(&v, stamp(8, 1));
        assert_eq!(off.state_file(), None);
    }

    #[test]
    fn forgets_the_oldest_beyond_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(STATE_FILE);
        let mut text = String::new();
        for i in 0..MAX_VAULTS as u32 {
            let mut id = [0u8; 16];
            id[..4].copy_from_slice(&i.to_le_bytes());
            text.push_str(&format!(
                "{} {} 1\n",
                hex::encode(id),
                hex::encode([0u8; 16])
            ));
        }
        fs::write(&file, text).unwrap();
        let last = Remembered {
            vault_id: [0xff; 16],
            place: [1; 16],
            generation: 2,
        };
        update_state(&file, last).unwrap();
        let lines = read_state(&file).unwrap();
        assert_eq!(lines.len(), MAX_VAULTS);
        assert_eq!(lines[0].vault_id[..4], 1u32.to_le_bytes());
        assert_eq!(lines[MAX_VAULTS - 1], last);
    }
}

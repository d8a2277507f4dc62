//! `airvault recover`: a vault or backup opened through its recovery keyslot (recovery
//! code or shares) and written as a working vault with a new password.
//!
//! A new password replaces one that may be lost to someone else, so the new vault gets a new
//! master key too: every record is re-encrypted (one at a time from an intact binary file,
//! by `rekey::stream_rewrite`; else whole with [`vault_core::UnlockedVault::rewrite`]), and
//! an old copy opened with the old password opens nothing the new vault holds after this.
//! The new file has a new password keyslot, the recovery keyslot resealed with the same
//! recovery secret (so the code and shares that opened it still do), a generation one
//! higher and a `recover` audit event.

use std::path::{Path, PathBuf};

use rand_core::{OsRng, RngCore};
use serde::Serialize;
use vault_core::constants::{ENTRY_ID_LEN, SALT_LEN};
use vault_core::{
    AuditOp, Error, HeaderParams, KdfLimits, Record, SealedSlot, SlotKdf, SlotKey, SlotKind,
    UnlockedVault, VaultFile, VaultMasterKey,
};
use zeroize::Zeroizing;

use super::recovery::{read_material, Recovered, RecoveryMaterial};
use super::restore::describe_damage;
use super::{decode_container, now, rekey, Context, Encoding};
use crate::error::{show, CliError, Doing, Exit, Result};
use crate::files;
use crate::generations::{self, Stamp};
use crate::input::PasswordSource;
use crate::model::clean_detail;
use crate::progress;

/// Options of `recover`.
#[derive(Debug, Clone)]
pub struct RecoverOptions {
    /// The vault or backup to open.
    pub file: PathBuf,
    /// The recovery code or shares.
    pub material: RecoveryMaterial,
    /// Where to write the vault.
    pub out: PathBuf,
    /// Where the new password comes from.
    pub new_password: PasswordSource,
    /// Replace an existing file at `out`.
    pub force: bool,
    /// Replace `out` even when it is a newer generation of the same vault.
    pub discard_newer: bool,
}

/// A vault recovered.
#[derive(Clone, Debug, Serialize)]
pub struct RecoverReport {
    /// The file opened.
    pub file: String,
    /// `binary` or `armored`.
    pub format: &'static str,
    /// The vault written.
    pub out: String,
    /// The vault's id.
    pub vault_id: String,
    /// The new vault's generation.
    pub generation: u64,
    /// `recovery-code` or `shares`.
    pub method: &'static str,
    /// Shares combined (shares only), else null.
    pub shares_used: Option<usize>,
    /// Number of entries.
    pub entries: usize,
    /// Number of entry versions.
    pub versions: usize,
    /// PBKDF2 iterations of the new password keyslot; 0 when it is Argon2id (see `kdf`).
    pub iterations: u32,
    /// The new password keyslot's KDF and cost: the same as the file's password keyslot
    /// (Argon2id's default if it has none).
    pub kdf: String,
    /// What was wrong with the file (a damaged header copy or trailer), or null.
    pub damage: Option<String>,
}

impl RecoverReport {
    /// Text for a person.
    ///
    /// # Errors
    /// Write errors.
    pub fn human(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        let with = match self.shares_used {
            Some(n) => format!("{n} shares"),
            None => "the recovery code".to_owned(),
        };
        writeln!(
            w,
            "Recovered {} with {with} into {} (generation {}): {} entries, {} versions.",
            self.file, self.out, self.generation, self.entries, self.versions
        )?;
        if let Some(d) = &self.damage {
            writeln!(w, "The file was damaged ({d}); every record was intact.")?;
        }
        writeln!(
            w,
            "The vault opens with the new password, and still with the same recovery code \
             and shares."
        )
    }
}

/// The error for a recovery secret that opens nothing in `file`.
fn open_error(e: Error, file: &Path, material: &Recovered) -> CliError {
    let name = show(file);
    match e {
        Error::WrongSecret => CliError::new(
            Exit::Authentication,
            format!("{} {name} (file intact)", does_not_open(material)),
        )
        .hint(
            "this recovery secret belongs to another vault, or was replaced ('airvault \
             recovery reset') after this file was written; use the code or shares that were \
             current then",
        ),
        Error::NoSuchSlot => CliError::new(
            Exit::Authentication,
            format!("{name} has no recovery keyslot"),
        )
        .hint("it opens only with its password: 'airvault restore'"),
        other => CliError::core(other, file, Doing::Restore),
    }
}

fn does_not_open(material: &Recovered) -> &'static str {
    match material.shares_used {
        Some(_) => "the shares do not open",
        None => "the recovery code does not open",
    }
}

/// A new password keyslot sealed around the master key of `unlocked`, with the key kept
/// so that the written file can be checked without another key derivation.
pub(crate) fn password_slot(
    password: &str,
    kdf: vault_core::SlotKdf,
    vmk: &vault_core::VaultMasterKey,
    vault_id: &[u8; 16],
    ctx: &Context,
    path: &Path,
) -> Result<(SealedSlot, SlotKey)> {
    let mut salt = [0u8; SALT_LEN];
    OsRng.fill_bytes(&mut salt);
    let key = progress::derive_kdf(
        password.as_bytes(),
        &salt,
        kdf,
        progress::sealing_label(SlotKind::Password),
        ctx.progress,
    )
    .map_err(|e| CliError::core(e, path, Doing::Write))?;
    let slot = SealedSlot::seal_with_kdf_key(
        SlotKind::Password,
        kdf,
        salt,
        &key,
        vmk,
        vault_id,
        &mut OsRng,
    )
    .map_err(|e| CliError::core(e, path, Doing::Write))?;
    Ok((slot, key))
}

/// Checks a newly written vault as a later reader would: it parses, every part is intact,
/// keyslot 0 opens with `key`, and every record opens. Returns (entries, versions).
pub(crate) fn check_written(bytes: &[u8], key: &SlotKey, path: &Path) -> Result<(usize, usize)> {
    let failed = |what: String| {
        CliError::new(
            Exit::Corrupted,
            format!("{} failed verification after writing: {what}", show(path)),
        )
        .hint("nothing was written; check the medium and try again")
    };
    let file = VaultFile::parse(bytes, &KdfLimits::STANDARD).map_err(|e| failed(e.to_string()))?;
    if !file.verify().is_intact() {
        return Err(failed("it is not intact".to_owned()));
    }
    let unlocked = file
        .unlock_with_slot_key(0, key)
        .map_err(|e| failed(e.to_string()))?;
    let mut buf = Zeroizing::new(vec![0u8; unlocked.scratch_len()]);
    let mut ids: Vec<[u8; ENTRY_ID_LEN]> = Vec::new();
    let mut versions = 0;
    for r in file.records() {
        if let Record::Entry(e) = unlocked
            .open_record(&r, &mut buf)
            .map_err(|e| failed(e.to_string()))?
        {
            versions += 1;
            if !ids.contains(&e.id) {
                ids.push(e.id);
            }
        }
    }
    Ok((ids.len(), versions))
}

/// `recover`.
///
/// # Errors
/// Exit 2 if `out` exists without `force`, or is a newer generation of the same vault
/// without `discard_newer`, or the recovery material is mistyped; 3 if a file cannot be
/// read or written; 4 if the material is well formed but does not open the
/// file; 5 if the file is damaged beyond its header (records damaged or missing: nothing
/// is written, and the hint names `salvage`); 6 for an unsupported file.
pub fn recover(ctx: &Context, opts: &RecoverOptions) -> Result<RecoverReport> {
    let path = opts.file.as_path();
    files::check_writable(&opts.out, opts.force)?;
    // Before any secret is asked, from the file's header; again once it is opened.
    if let Some(input) = generations::peek(path) {
        generations::check_replace(&opts.out, input, &show(path), opts.discard_newer)?;
    }
    // An intact binary file (checked keylessly first, in one pass) is read one record at a
    // time while the new vault is written, and never held whole; anything else — or
    // anything not as expected on the way — is read whole below, which reports exactly
    // what is wrong.
    let mut carried = Carried::default();
    if let Some(mut head) = super::intact_streaming(path)
        .then(|| files::read_head(path))
        .flatten()
    {
        if let Some(file) = rekey::intact_head(&head.bytes) {
            let material = read_material(&opts.material)?;
            let unlocked = progress::unlock(
                &file,
                SlotKind::Recovery,
                material.secret.expose_secret(),
                ctx.progress,
            )
            .map_err(|e| open_error(e, path, &material))?;
            let mut src = rekey::Source::new(&file, &unlocked, &mut head.file);
            if let Some(meta) = src.meta() {
                let password = opts.new_password.read_new(&files::file_name(&opts.out))?;
                let (plan, iterations) = plan(ctx, opts, &unlocked, &material, &password)?;
                let failed = |what: String| {
                    CliError::new(
                        Exit::Corrupted,
                        format!(
                            "{} failed verification after writing: {what}",
                            show(&opts.out)
                        ),
                    )
                    .hint("nothing was written; check the medium and try again")
                };
                files::ensure_parent_dir(&opts.out)?;
                if let Some(counts) =
                    rekey::stream_rewrite(src, meta, &plan, path, &opts.out, opts.force, failed)?
                {
                    ctx.seen.written(&opts.out, plan.stamp());
                    return Ok(report(
                        opts,
                        &plan,
                        &material,
                        Encoding::Binary,
                        counts,
                        iterations,
                        None,
                    ));
                }
                carried.password = Some(password);
                carried.plan = Some((plan, iterations));
            }
            carried.material = Some(material);
        }
    }
    recover_whole(ctx, opts, carried)
}

/// What the streaming attempt of [`recover`] already read or sealed, reused when it falls
/// back to the whole file so that nothing is asked twice.
#[derive(Default)]
struct Carried {
    material: Option<Recovered>,
    password: Option<Zeroizing<String>>,
    plan: Option<(rekey::Plan, SlotKdf)>,
}

/// The new vault's header, keyslots (a new password keyslot and the file's recovery
/// keyslot) and `recover` event, for the file unlocked with the recovery secret; and the
/// new keyslot's iteration count.
fn plan(
    ctx: &Context,
    opts: &RecoverOptions,
    unlocked: &UnlockedVault<'_>,
    material: &Recovered,
    password: &str,
) -> Result<(rekey::Plan, SlotKdf)> {
    let path = opts.file.as_path();
    let header = unlocked.file().header();
    let vault_id = header.vault_id();
    let input = Stamp {
        vault_id,
        generation: header.generation(),
    };
    generations::check_replace(&opts.out, input, &show(path), opts.discard_newer)?;
    let iterations = header
        .slots()
        .find(|s| s.kind() == SlotKind::Password)
        .map_or(SlotKdf::Argon2id(Default::default()), |s| s.kdf());
    let recovery_iterations = header
        .slot(usize::from(unlocked.slot_index()))
        .map(|s| s.iterations())
        .ok_or_else(|| CliError::core(Error::NoSuchSlot, path, Doing::Restore))?;
    let vmk = VaultMasterKey::generate(&mut OsRng);
    let (new_slot, key) = password_slot(password, iterations, &vmk, &vault_id, ctx, path)?;
    let (recovery_slot, recovery_key) = rekey::seal(
        SlotKind::Recovery,
        material.secret.expose_secret(),
        SlotKdf::Pbkdf2 {
            iterations: recovery_iterations,
        },
        &vmk,
        &vault_id,
        ctx.progress,
    )
    .map_err(|e| CliError::core(e, path, Doing::Write))?;
    let t = now();
    let detail = clean_detail(&format!(
        "from {} with {}",
        files::file_name(path),
        material.describe()
    ));
    let plan = rekey::Plan {
        params: HeaderParams {
            vault_id,
            generation: ctx.seen.next_generation(&opts.out, input),
            written_at: t,
        },
        slots: vec![new_slot, recovery_slot],
        keys: vec![(0, key), (1, recovery_key)],
        new_master_key: Some(vmk),
        op: AuditOp::Recover,
        time: t,
        detail,
    };
    Ok((plan, iterations))
}

fn report(
    opts: &RecoverOptions,
    plan: &rekey::Plan,
    material: &Recovered,
    encoding: Encoding,
    counts: (usize, usize),
    kdf: SlotKdf,
    damage: Option<String>,
) -> RecoverReport {
    RecoverReport {
        file: show(&opts.file),
        format: encoding.name(),
        out: show(&opts.out),
        vault_id: hex::encode(plan.params.vault_id),
        generation: plan.params.generation,
        method: material.method,
        shares_used: material.shares_used,
        entries: counts.0,
        versions: counts.1,
        iterations: match kdf {
            SlotKdf::Pbkdf2 { iterations } => iterations,
            SlotKdf::Argon2id(_) => 0,
        },
        kdf: kdf.to_string(),
        damage,
    }
}

/// [`recover`] with the file read whole.
fn recover_whole(ctx: &Context, opts: &RecoverOptions, carried: Carried) -> Result<RecoverReport> {
    let path = opts.file.as_path();
    let raw = files::read_file(path)?;
    let (bytes, encoding) = decode_container(raw, path)?;
    let file = VaultFile::parse(&bytes, &KdfLimits::STANDARD)
        .map_err(|e| CliError::core(e, path, Doing::Restore))?;
    let check = file.verify();
    if check.records_damaged + check.records_missing > 0 {
        return Err(CliError::new(
            Exit::Corrupted,
            format!(
                "{} is damaged: {}; recovering it whole is impossible",
                show(path),
                describe_damage(&check)
            ),
        )
        .hint(format!(
            "run 'airvault salvage {} {} --out NEW-VAULT' to rescue every intact record and \
             list what is lost",
            show(path),
            opts.material.as_flags()
        )));
    }
    let damage = (!check.is_intact()).then(|| describe_damage(&check));
    let material = match carried.material {
        Some(m) => m,
        None => read_material(&opts.material)?,
    };
    let unlocked = progress::unlock(
        &file,
        SlotKind::Recovery,
        material.secret.expose_secret(),
        ctx.progress,
    )
    .map_err(|e| open_error(e, path, &material))?;
    if let Some(d) = &damage {
        ctx.warn(&format!(
            "{} is damaged ({d}) but every record is intact: the recovered vault is complete; \
             replace this copy",
            show(path)
        ));
    }
    let (plan, iterations) = match (carried.plan, carried.password) {
        (Some(p), _) => p,
        (None, password) => {
            let password = match password {
                Some(pw) => pw,
                None => opts.new_password.read_new(&files::file_name(&opts.out))?,
            };
            plan(ctx, opts, &unlocked, &material, &password)?
        }
    };

    let mut scratch = Zeroizing::new(vec![0u8; unlocked.scratch_len()]);
    let first = file.record(0).ok_or_else(|| {
        CliError::core(
            Error::Malformed {
                reason: "no records",
            },
            path,
            Doing::Restore,
        )
    })?;
    let meta = match unlocked.open_record(&first, &mut scratch[..]) {
        Ok(Record::Meta(m)) => m,
        Ok(_) => {
            return Err(CliError::core(
                Error::Malformed {
                    reason: "record 0 is not the metadata record",
                },
                path,
                Doing::Restore,
            ))
        }
        Err(e) => return Err(CliError::core(e, path, Doing::Restore)),
    };
    let rewrite = plan.rewrite(&meta);
    let write_err = |e| CliError::core(e, &opts.out, Doing::Write);
    let len = unlocked.rewrite_len(&rewrite).map_err(write_err)?;
    let mut out = Zeroizing::new(vec![0u8; len]);
    let n = unlocked
        .rewrite(&mut out, &mut scratch, &rewrite, &mut OsRng)
        .map_err(|e| CliError::core(e, path, Doing::Restore))?;
    out.truncate(n);

    files::ensure_parent_dir(&opts.out)?;
    let mut counts = (0, 0);
    let key = &plan.keys[0].1;
    files::write_atomic(&opts.out, &out, opts.force, |written| {
        counts = check_written(written, key, &opts.out)?;
        Ok(())
    })?;
    ctx.seen.written(&opts.out, plan.stamp());
    Ok(report(
        opts, &plan, &material, encoding, counts, iterations, damage,
    ))
}

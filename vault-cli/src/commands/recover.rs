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

pub use crate::output::recovery::RecoverReport;
use crate::sealing::{check_written, password_slot};
use std::path::{Path, PathBuf};

use rand_core::OsRng;
use vault_core::{
    AuditOp, Error, HeaderParams, KdfLimits, SlotKdf, SlotKind, UnlockedVault, VaultFile,
    VaultMasterKey,
};
use zeroize::Zeroizing;

use super::{decode_container, now, Context, Encoding};
use crate::damage::describe_damage;
use crate::error::{show, CliError, Doing, Exit, Result};
use crate::files;
use crate::generations::{self, Stamp};
use crate::input::PasswordSource;
use crate::material::{read_material, Recovered, RecoveryMaterial};
use crate::model::clean_detail;
use crate::progress;
use crate::rekey;

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
    if let Some(mut head) = super::intact_streaming(path) {
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
    let meta = vault_core::model::read_meta(&unlocked)
        .map_err(|e| CliError::core(e, path, Doing::Restore))?;
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

//! The emergency part of the rehearsal: the password lost (recovery code, shares) and the
//! medium damaged (salvage of two damaged copies), and every mistake caught.

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::commands::backup::{backup, BackupOptions};
use crate::commands::entries::read_entry;
use crate::commands::recover::{recover, RecoverOptions};
use crate::commands::salvage::{salvage, SalvageOptions};
use crate::commands::shares::{share_file_name, split, SplitOptions};
use crate::commands::Context;
use crate::error::Exit;
use crate::files;
use crate::generations::Seen;
use crate::input::PasswordSource;
use crate::material::{read_material, RecoveryMaterial};
use crate::progress::Progress;

use super::*;

/// The emergency steps: recovery by code and by shares with a new password, and salvage
/// of damaged copies.
#[allow(clippy::too_many_lines)]
pub(super) fn emergency(
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
pub(super) fn password_path(ctx: &Context) -> Result<PathBuf, String> {
    match &ctx.password {
        PasswordSource::File(p) => Ok(p.clone()),
        _ => Err("the drill's password is not in a file".to_owned()),
    }
}

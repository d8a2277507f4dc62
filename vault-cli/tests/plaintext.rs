//! No plaintext left behind: `get --out` stopped at every step of its write (failpoints),
//! killed with SIGKILL at random moments and interrupted with SIGINT leaves the secret
//! only at the target it was asked to write, if anywhere; `drill` stopped by SIGINT or
//! SIGTERM removes its private directory. Every file under the directories involved is
//! scanned for the canary secrets afterwards.

#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::Env;

/// The secret stored, as the bytes `get --out` writes (raw) and as hex.
const CANARY: &[u8] = b"plaintext-canary-5d81e0c2b7";

fn hex(b: &[u8]) -> Vec<u8> {
    b.iter()
        .flat_map(|x| format!("{x:02x}").into_bytes())
        .collect()
}

/// Every file under `dir` (hidden ones too) holding a canary encoding, except `allowed`.
fn files_with_canary(dir: &Path, allowed: Option<&Path>) -> Vec<PathBuf> {
    let needles = [CANARY.to_vec(), hex(CANARY)];
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let meta = fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                stack.push(p);
            } else if meta.is_file() && Some(p.as_path()) != allowed {
                let data = fs::read(&p).unwrap();
                if needles
                    .iter()
                    .any(|n| data.windows(n.len()).any(|w| w == &n[..]))
                {
                    hits.push(p);
                }
            }
        }
    }
    hits
}

/// A vault holding the canary as entry `c`; the canary's source file is outside `env`.
fn vault_with_canary() -> Env {
    let env = Env::with_vault();
    let src = tempfile::NamedTempFile::new().unwrap();
    fs::write(src.path(), CANARY).unwrap();
    env.cmd()
        .args(["add", "c", "--from-file"])
        .arg(src.path())
        .assert()
        .success();
    assert!(files_with_canary(env.dir.path(), None).is_empty());
    env
}

fn get_out(env: &Env, out: &Path) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("airvault"));
    c.current_dir(env.dir.path())
        .env_remove("AIRVAULT_VAULT")
        .env_remove("AIRVAULT_FAILPOINT")
        .arg("--vault")
        .arg(&env.vault)
        .arg("--password-file")
        .arg(&env.pw)
        .args(["get", "c", "--out"])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

/// The target holds the whole secret or does not exist, and nothing else holds it. The
/// target is removed, so that the next run starts from a directory without plaintext.
fn check_after(env: &Env, out: &Path, what: &str) -> bool {
    let hits = files_with_canary(env.dir.path(), Some(out));
    assert!(hits.is_empty(), "{what}: plaintext left in {hits:?}");
    match fs::read(out) {
        Ok(data) => {
            assert_eq!(data, CANARY, "{what}: a partial target");
            fs::remove_file(out).unwrap();
            true
        }
        Err(_) => false,
    }
}

#[test]
fn get_out_stopped_at_every_write_step_leaves_plaintext_only_at_the_target() {
    let env = vault_with_canary();
    for (i, point) in [
        "after-write",
        "after-fsync",
        "before-rename",
        "after-rename",
    ]
    .iter()
    .enumerate()
    {
        let out = env.path(&format!("out-{i}.bin"));
        let status = get_out(&env, &out)
            .env("AIRVAULT_FAILPOINT", point)
            .status()
            .unwrap();
        assert!(!status.success(), "{point}: the failpoint was not reached");
        let written = check_after(&env, &out, point);
        assert_eq!(written, *point == "after-rename", "{point}");
    }
    // And with --force over an existing file.
    let out = env.path("forced.bin");
    fs::write(&out, "old").unwrap();
    get_out(&env, &out)
        .arg("--force")
        .env("AIRVAULT_FAILPOINT", "before-rename")
        .status()
        .unwrap();
    assert_eq!(fs::read(&out).unwrap(), b"old");
    let hits = files_with_canary(env.dir.path(), None);
    assert!(
        hits.is_empty(),
        "--force, before-rename: plaintext left in {hits:?}"
    );
    assert!(get_out(&env, &out)
        .arg("--force")
        .status()
        .unwrap()
        .success());
    assert!(check_after(&env, &out, "--force"));
}

#[test]
fn get_out_killed_at_random_moments_leaves_plaintext_only_at_the_target() {
    let env = vault_with_canary();
    let runs: u64 = std::env::var("AIRVAULT_KILL_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    // A whole run, to spread the kills over it.
    let start = Instant::now();
    assert!(get_out(&env, &env.path("timing.bin"))
        .status()
        .unwrap()
        .success());
    let span = start.elapsed().as_micros() as u64 + 1;
    fs::remove_file(env.path("timing.bin")).unwrap();
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64 ^ u64::from(std::process::id());
    let (mut written, mut not) = (0, 0);
    for i in 0..runs {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = Duration::from_micros(seed % (span + span / 4));
        let out = env.path(&format!("kill-{i}.bin"));
        let mut child = get_out(&env, &out).spawn().unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        if check_after(&env, &out, &format!("SIGKILL after {delay:?}")) {
            written += 1;
        } else {
            not += 1;
        }
    }
    eprintln!("{runs} SIGKILL runs of get --out: {written} wrote the target, {not} did not; no plaintext elsewhere");
}

#[test]
fn get_out_interrupted_leaves_nothing() {
    let env = vault_with_canary();
    for i in 0..10 {
        let out = env.path(&format!("int-{i}.bin"));
        let mut child = get_out(&env, &out).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(5 * i));
        let pid = rustix::process::Pid::from_raw(child.id() as i32).unwrap();
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::INT);
        let status = child.wait().unwrap();
        let written = check_after(&env, &out, "SIGINT");
        // Either it finished before the signal was seen, or it stopped with 130 and wrote
        // nothing (killed by the default action before the handlers were installed).
        assert!(
            written || status.code() == Some(130) || status.code().is_none(),
            "{status:?}"
        );
    }
}

fn drill_stopped_by(sig: rustix::process::Signal) {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let child = Command::new(assert_cmd::cargo::cargo_bin("airvault"))
        .arg("drill")
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the drill's vault exists: its passwords are on disk by then.
    let start = Instant::now();
    let dir = loop {
        let found = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.join("vault.airvault").exists());
        if let Some(d) = found {
            break d;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "no drill vault");
        std::thread::sleep(Duration::from_millis(10));
    };
    let mode = fs::metadata(&dir).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700, "the drill's directory is not private");
    let pid = rustix::process::Pid::from_raw(child.id() as i32).unwrap();
    rustix::process::kill_process(pid, sig).unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(128 + sig.as_raw()), "{err}");
    assert!(err.contains("error: interrupted by SIG"), "{err}");
    let left: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "the drill left {left:?}");
}

#[test]
fn drill_stopped_by_sigint_or_sigterm_removes_its_directory() {
    drill_stopped_by(rustix::process::Signal::INT);
    drill_stopped_by(rustix::process::Signal::TERM);
}

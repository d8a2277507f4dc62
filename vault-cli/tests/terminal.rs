//! The binary at a real terminal: it is run on a pseudo-terminal that is its controlling
//! terminal, typed at, and interrupted with Ctrl-C (the terminal's own SIGINT), SIGTERM and
//! SIGHUP at each kind of prompt. Afterwards the terminal must have echo on again and the
//! exit code must be 128 + the signal. Also: a secret typed into `add --stdin` is never
//! echoed, a command waiting at a prompt does not hold the vault's lock, three wrong
//! passwords end in exit 4, and the lock's wait is bounded and names its holder.

#![cfg(target_os = "linux")]
// Making the pseudo-terminal the child's controlling terminal happens between fork and
// exec (`pre_exec`), which is unsafe by nature.
#![allow(unsafe_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs::{self, File};
use std::io::{Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Env, ITER};
use rustix::termios::{tcgetattr, LocalModes};

const PASSWORD: &str = "correct horse battery staple";

/// A pseudo-terminal with the binary running on it.
struct Session {
    child: Child,
    master: File,
    /// The test's own handle on the terminal, to read its settings after the child exits.
    slave: OwnedFd,
    /// Everything the terminal showed.
    seen: Arc<Mutex<Vec<u8>>>,
}

impl Session {
    /// Runs `airvault ARGS` in `env`'s directory on a new pseudo-terminal that is its
    /// controlling terminal (stdin, stdout and stderr on it).
    fn start(env: &Env, args: &[&str]) -> Self {
        use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};
        let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC)
            .expect("a pseudo-terminal");
        grantpt(&master).unwrap();
        unlockpt(&master).unwrap();
        let name = ptsname(&master, Vec::new()).unwrap();
        let slave: OwnedFd = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(name.to_str().unwrap())
            .unwrap()
            .into();
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("airvault"));
        cmd.current_dir(env.dir.path())
            .env_remove("AIRVAULT_VAULT")
            .env_remove("AIRVAULT_FAILPOINT")
            .env("HOME", env.dir.path())
            .env("AIRVAULT_STATE_DIR", env.state.path())
            .arg("--vault")
            .arg(&env.vault)
            .args(args)
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave.try_clone().unwrap()));
        // SAFETY: only async-signal-safe system calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                rustix::process::setsid()?;
                rustix::process::ioctl_tiocsctty(BorrowedFd::borrow_raw(0))?;
                Ok(())
            });
        }
        let child = cmd.spawn().unwrap();
        let master = File::from(master);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut reader = master.try_clone().unwrap();
        let sink = Arc::clone(&seen);
        std::thread::spawn(move || {
            let mut buf = [0u8; 1024];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Self {
            child,
            master,
            slave,
            seen,
        }
    }

    fn seen(&self) -> String {
        String::from_utf8_lossy(&self.seen.lock().unwrap()).into_owned()
    }

    /// Waits until the terminal has shown `text` `times` times in all.
    fn expect_n(&self, text: &str, times: usize) {
        let start = Instant::now();
        while self.seen().matches(text).count() < times {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "waited for {text:?} ×{times}; the terminal shows: {:?}",
                self.seen()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn expect(&self, text: &str) {
        self.expect_n(text, 1);
    }

    /// Types `text` (a line ends with `\r`, as Enter sends).
    fn type_text(&mut self, text: &str) {
        self.master.write_all(text.as_bytes()).unwrap();
        self.master.flush().unwrap();
    }

    fn wait(&mut self) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader catch the last output.
                std::thread::sleep(Duration::from_millis(100));
                return status;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "the command did not end; the terminal shows: {:?}",
                self.seen()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn echo_is_on(&self) -> bool {
        tcgetattr(self.slave.as_fd())
            .unwrap()
            .local_modes
            .contains(LocalModes::ECHO)
    }

    fn signal(&self, sig: rustix::process::Signal) {
        let pid = rustix::process::Pid::from_raw(self.child.id() as i32).unwrap();
        rustix::process::kill_process(pid, sig).unwrap();
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Interrupts at the prompt showing `prompt`: Ctrl-C typed, or a signal sent.
fn interrupt_at(env: &Env, args: &[&str], prompt: &str, how: Option<rustix::process::Signal>) {
    let mut s = Session::start(env, args);
    s.expect(prompt);
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        !s.echo_is_on() || prompt.ends_with("[y/N] "),
        "{args:?}: echo on at {prompt:?}"
    );
    let want = match how {
        None => {
            s.type_text("\x03");
            130
        }
        Some(sig) => {
            s.signal(sig);
            128 + sig.as_raw()
        }
    };
    let status = s.wait();
    assert_eq!(status.code(), Some(want), "{args:?}: {:?}", s.seen());
    assert!(s.echo_is_on(), "{args:?}: echo left off");
    let seen = s.seen();
    assert!(
        seen.contains("error: interrupted by SIG") && seen.contains("nothing was written"),
        "{args:?}: {seen:?}"
    );
    assert_eq!(seen.matches("error:").count(), 1, "{args:?}: {seen:?}");
}

#[test]
fn ctrl_c_or_a_signal_at_every_kind_of_prompt_restores_the_terminal() {
    use rustix::process::Signal;
    let fresh = Env::new();
    // New password (asked twice), then nothing may exist.
    interrupt_at(
        &fresh,
        &["init", "--iterations", ITER],
        "New password for",
        None,
    );
    interrupt_at(
        &fresh,
        &["init", "--iterations", ITER],
        "New password for",
        Some(Signal::TERM),
    );
    assert!(!fresh.vault.exists());
    assert_eq!(fresh.listing(), ["vault.pw"]);

    let env = Env::with_vault();
    env.generate("k");
    let before = fs::read(&env.vault).unwrap();
    let pw = env.pw.to_str().unwrap().to_owned();
    // The password of an existing vault.
    interrupt_at(&env, &["generate", "x"], "Password for", None);
    interrupt_at(&env, &["generate", "x"], "Password for", Some(Signal::HUP));
    // A new password after the current one (`passwd`).
    let mut s = Session::start(&env, &["passwd"]);
    s.expect("Password for");
    s.type_text(&format!("{PASSWORD}\r"));
    s.expect("New password for");
    s.type_text("\x03");
    assert_eq!(s.wait().code(), Some(130));
    assert!(s.echo_is_on());
    drop(s);
    // A confirmation.
    interrupt_at(
        &env,
        &["--password-file", &pw, "remove", "k"],
        "[y/N] ",
        None,
    );
    // A secret for `add --stdin`.
    interrupt_at(
        &env,
        &["--password-file", &pw, "add", "s", "--stdin"],
        "Secret for s: ",
        None,
    );
    assert_eq!(fs::read(&env.vault).unwrap(), before, "the vault changed");
    assert_eq!(env.listing(), ["vault.airvault", "vault.pw"]);
}

#[test]
fn a_secret_typed_into_add_stdin_is_not_echoed_and_is_asked_twice() {
    let env = Env::with_vault();
    let pw = env.pw.to_str().unwrap().to_owned();
    let canary = "canary-7f3a9c-typed-secret";
    let mut s = Session::start(&env, &["--password-file", &pw, "add", "typed", "--stdin"]);
    s.expect("Secret for typed: ");
    s.type_text(&format!("{canary}\r"));
    s.expect("Repeat the secret: ");
    s.type_text("something else\r");
    s.expect("differ; type them again");
    s.expect_n("Secret for typed: ", 2);
    s.type_text(&format!("{canary}\r"));
    s.expect_n("Repeat the secret: ", 2);
    s.type_text(&format!("{canary}\r"));
    let status = s.wait();
    assert!(status.success(), "{:?}", s.seen());
    assert!(s.echo_is_on());
    assert!(
        !s.seen().contains(canary),
        "the secret was echoed: {:?}",
        s.seen()
    );
    assert!(!s.seen().contains("something else"));
    let out = env
        .cmd()
        .args(["get", "typed", "--format", "hex"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        hex_of(canary.as_bytes())
    );
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn a_command_at_its_prompt_does_not_hold_the_lock() {
    let env = Env::with_vault();
    let mut s = Session::start(&env, &["generate", "held"]);
    s.expect("Password for");
    let start = Instant::now();
    env.cmd()
        .args(["--wait", "5", "generate", "other"])
        .assert()
        .success();
    assert!(start.elapsed() < Duration::from_secs(5));
    // The first then applies its change to the vault as it is now.
    s.type_text(&format!("{PASSWORD}\r"));
    assert!(s.wait().success(), "{:?}", s.seen());
    let out = env.cmd().args(["list"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("held") && text.contains("other"), "{text}");
}

#[test]
fn three_wrong_passwords_exit_4_and_a_right_one_on_the_second_try_works() {
    let env = Env::with_vault();
    let mut s = Session::start(&env, &["generate", "x"]);
    for i in 1..=3 {
        s.expect_n("Password for", i);
        s.type_text("wrong password\r");
    }
    assert_eq!(s.wait().code(), Some(4), "{:?}", s.seen());
    assert_eq!(s.seen().matches("try again").count(), 3, "{:?}", s.seen());
    assert!(s.echo_is_on());
    drop(s);

    let mut s = Session::start(&env, &["generate", "y"]);
    s.expect("Password for");
    s.type_text("wrong password\r");
    s.expect_n("Password for", 2);
    s.type_text(&format!("{PASSWORD}\r"));
    assert!(s.wait().success(), "{:?}", s.seen());
}

#[test]
fn init_asks_again_when_the_two_passwords_differ() {
    let env = Env::new();
    let mut s = Session::start(&env, &["init", "--iterations", ITER]);
    s.expect("New password for");
    s.type_text("one\r");
    s.expect("Repeat the password: ");
    s.type_text("two\r");
    s.expect("differ; type them again");
    s.expect_n("New password for", 2);
    s.type_text("three\r");
    s.expect_n("Repeat the password: ", 2);
    s.type_text("three\r");
    assert!(s.wait().success(), "{:?}", s.seen());
    fs::write(&env.pw, "three\n").unwrap();
    env.cmd().arg("list").assert().success();
}

#[test]
fn the_process_cannot_dump_core() {
    let env = Env::with_vault();
    let s = Session::start(&env, &["generate", "x"]);
    s.expect("Password for");
    let limits = fs::read_to_string(format!("/proc/{}/limits", s.child.id())).unwrap();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    let fields: Vec<&str> = core.split_whitespace().collect();
    assert_eq!(&fields[4..6], ["0", "0"], "{core}");
}

/// Holds `dir`'s lock as another command would, with its note in the file.
fn hold_lock(dir: &Path, note: &str) -> File {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(dir.join(".airvault.lock"))
        .unwrap();
    rustix::fs::flock(&f, rustix::fs::FlockOperation::LockExclusive).unwrap();
    f.write_all(note.as_bytes()).unwrap();
    f
}

#[test]
fn waiting_for_the_lock_is_bounded_and_names_the_holder() {
    let env = Env::with_vault();
    let held = hold_lock(env.dir.path(), "4242 airvault generate\n");
    let start = Instant::now();
    let out = env
        .cmd()
        .args(["--wait", "1", "generate", "x"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(start.elapsed() < Duration::from_secs(10));
    assert!(
        err.contains("waiting: airvault generate (pid 4242)"),
        "{err}"
    );
    assert!(
        err.contains("error: gave up after 1 s waiting for the lock on")
            && err.contains("--wait SECONDS"),
        "{err}"
    );
    assert_eq!(err.matches("error:").count(), 1, "{err}");
    // Commands that only read take no lock.
    env.cmd().arg("list").assert().success();
    drop(held);
    env.cmd().args(["generate", "x"]).assert().success();
    assert!(
        !env.path(".airvault.lock").exists(),
        "the lock file was left"
    );
}

#[test]
fn a_lock_file_that_is_not_the_users_own_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::with_vault();
    let lock = env.path(".airvault.lock");
    // A symbolic link is never followed.
    std::os::unix::fs::symlink(env.path("elsewhere"), &lock).unwrap();
    env.cmd().args(["generate", "x"]).assert().code(3);
    assert!(!env.path("elsewhere").exists());
    fs::remove_file(&lock).unwrap();
    // A file others can open is not a lock of the user's own.
    fs::write(&lock, "").unwrap();
    fs::set_permissions(&lock, fs::Permissions::from_mode(0o644)).unwrap();
    let out = env.cmd().args(["generate", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a private file of this user"));
    fs::remove_file(&lock).unwrap();
    env.cmd().args(["generate", "x"]).assert().success();
}

/// The percentages a bar labelled `label` showed, in the order drawn.
fn percents_after(seen: &str, label: &str) -> Vec<u32> {
    seen.split(label)
        .skip(1)
        .filter_map(|frame| {
            let end = frame.find('%')?;
            frame[..end].trim().rsplit(' ').next()?.parse().ok()
        })
        .collect()
}

#[test]
fn progress_bars_name_each_derivation_and_do_not_start_full() {
    let env = Env::new();
    // Enough iterations for the bars to be drawn a few times.
    let pw = env.pw.to_str().unwrap().to_owned();
    let mut s = Session::start(
        &env,
        &["--password-file", &pw, "init", "--iterations", "3000000"],
    );
    assert!(s.wait().success(), "{:?}", s.seen());
    let seen = s.seen();
    assert!(seen.contains("Sealing the password keyslot"), "{seen:?}");
    assert!(seen.contains("Sealing the recovery keyslot"), "{seen:?}");
    let mut s = Session::start(&env, &["--password-file", &pw, "list"]);
    assert!(s.wait().success(), "{:?}", s.seen());
    let frames = percents_after(&s.seen(), "Unlocking with the password");
    assert!(!frames.is_empty(), "no unlocking bar drawn: {:?}", s.seen());
    assert!(
        frames[0] < 100,
        "the first frame shows {}%: {frames:?}",
        frames[0]
    );
}

#[test]
fn each_wrong_password_typed_is_one_line_in_the_failure_log() {
    let env = Env::with_vault();
    let mut s = Session::start(&env, &["list"]);
    for i in 1..=3 {
        s.expect_n("Password for", i);
        s.type_text("a wrong guess 3Kx\r");
    }
    assert_eq!(s.wait().code(), Some(4), "{:?}", s.seen());
    let log = fs::read_to_string(env.state.path().join("failed-unlocks")).unwrap();
    assert_eq!(log.lines().count(), 3, "{log}");
    assert!(
        log.lines().all(|l| l.contains(" failed password ")),
        "{log}"
    );
    assert!(!log.contains("guess"), "{log}");
}

/// `secret-tool ARGS` with `stdin`; its standard output if it succeeded.
fn secret_tool(args: &[&str], stdin: &[u8]) -> Option<Vec<u8>> {
    let mut child = Command::new("secret-tool")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("secret-tool (Debian: libsecret-tools)");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    out.status.success().then_some(out.stdout)
}

#[test]
#[ignore = "needs a Secret Service: bash tests/keyring/run.sh"]
fn keyring_items_holding_another_secret_are_replaced_only_after_a_yes() {
    let env = Env::with_vault();
    let svc = format!("airvault-terminal-{}", std::process::id());
    let pw = env.pw.to_str().unwrap().to_owned();
    for (account, secret) in [("a", "secret a"), ("b", "secret b")] {
        secret_tool(
            &[
                "store", "--label", "t", "service", &svc, "username", account,
            ],
            secret.as_bytes(),
        )
        .unwrap();
        env.cmd()
            .args(["add", account, "--kind", "password", "--from-keyring"])
            .arg(format!("{svc}/{account}"))
            .assert()
            .success();
        secret_tool(
            &[
                "store", "--label", "t", "service", &svc, "username", account,
            ],
            b"changed by the app",
        )
        .unwrap();
    }
    let held = |account: &str| {
        secret_tool(&["lookup", "service", &svc, "username", account], b"").unwrap()
    };
    // One entry: 'n' writes nothing (exit 2), 'y' replaces the item.
    let mut s = Session::start(&env, &["--password-file", &pw, "get", "a", "--to-keyring"]);
    s.expect("holds another secret. Replace it with 'a' version 1? [y/N]");
    s.type_text("n\r");
    assert_eq!(s.wait().code(), Some(2), "{:?}", s.seen());
    assert_eq!(held("a"), b"changed by the app");
    drop(s);
    let mut s = Session::start(&env, &["--password-file", &pw, "get", "a", "--to-keyring"]);
    s.expect("[y/N]");
    s.type_text("y\r");
    assert!(s.wait().success(), "{:?}", s.seen());
    assert_eq!(held("a"), b"secret a");
    drop(s);
    // The bulk form asks for each item: 'b' declined is kept, and reported.
    secret_tool(
        &["store", "--label", "t", "service", &svc, "username", "a"],
        b"changed again",
    )
    .unwrap();
    let mut s = Session::start(&env, &["--password-file", &pw, "keyring", "restore"]);
    s.expect("Replace it with 'a' version 1? [y/N]");
    s.type_text("y\r");
    s.expect("Replace it with 'b' version 1? [y/N]");
    s.type_text("n\r");
    assert!(s.wait().success(), "{:?}", s.seen());
    assert!(
        s.seen().contains("Kept (declined): keyring item"),
        "{:?}",
        s.seen()
    );
    assert!(
        s.seen().contains("1 replaced, 0 unchanged, 1 kept"),
        "{:?}",
        s.seen()
    );
    assert_eq!(held("a"), b"secret a");
    assert_eq!(held("b"), b"changed by the app");
    assert!(s.echo_is_on());
}

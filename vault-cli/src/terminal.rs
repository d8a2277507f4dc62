//! The controlling terminal, for prompts: one line read with or without echo, the
//! terminal's settings saved first and put back whatever happens — the line is read, the
//! reading fails, or a signal arrives (the wait polls the signals' self-pipe beside the
//! terminal, and returns the interruption as an error, so the restoring destructor runs
//! before the process exits).

use zeroize::Zeroizing;

use crate::error::{CliError, Result};

/// Longest line read at a prompt; anything longer is refused.
const MAX_LINE: usize = 64 * 1024;

/// The controlling terminal (`/dev/tty`), open for one prompt.
#[cfg(unix)]
pub struct Terminal {
    tty: std::fs::File,
    /// The settings to put back, while echo is off.
    saved: Option<rustix::termios::Termios>,
}

#[cfg(unix)]
impl std::fmt::Debug for Terminal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Terminal")
            .field("echo_off", &self.saved.is_some())
            .finish_non_exhaustive()
    }
}

#[cfg(unix)]
impl Terminal {
    /// The controlling terminal, if the process has one.
    #[must_use]
    pub fn open() -> Option<Self> {
        use std::os::unix::fs::OpenOptionsExt;
        let tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(rustix::fs::OFlags::NOCTTY.bits() as i32)
            .open("/dev/tty")
            .ok()?;
        Some(Self { tty, saved: None })
    }

    /// Shows `prompt` and reads one line, without its line ending. With `echo` false what
    /// is typed is not shown (the newline is).
    ///
    /// # Errors
    /// The interruption error if a signal arrives while waiting; exit 2 if the terminal
    /// closes (end of input) or the line is not UTF-8 or too long; exit 3 if the terminal
    /// cannot be read.
    pub fn read_line(&mut self, prompt: &str, echo: bool) -> Result<Zeroizing<String>> {
        use std::io::Write;
        if !echo {
            self.echo_off()?;
        }
        (&self.tty)
            .write_all(prompt.as_bytes())
            .and_then(|()| (&self.tty).flush())
            .map_err(|e| tty_error(&e))?;
        let line = self.wait_for_line();
        self.restore();
        if let Err(e) = &line {
            if e.exit().code() >= 128 {
                // Leave the cursor at the start of a fresh line for the error.
                let _ = (&self.tty).write_all(b"\n");
            }
        }
        let mut line = line?;
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        match std::str::from_utf8(&line) {
            Ok(s) => Ok(Zeroizing::new(s.to_owned())),
            Err(_) => Err(CliError::usage("what was typed is not UTF-8")
                .hint("type it again in a UTF-8 terminal")),
        }
    }

    fn echo_off(&mut self) -> Result<()> {
        use rustix::termios::{tcgetattr, tcsetattr, LocalModes, OptionalActions};
        let saved = tcgetattr(&self.tty).map_err(|e| tty_error(&e.into()))?;
        let mut quiet = saved.clone();
        quiet
            .local_modes
            .remove(LocalModes::ECHO | LocalModes::ECHOE | LocalModes::ECHOK);
        quiet.local_modes.insert(LocalModes::ECHONL);
        // Saved before the change, so that a failure half-way is still undone.
        self.saved = Some(saved);
        tcsetattr(&self.tty, OptionalActions::Flush, &quiet).map_err(|e| tty_error(&e.into()))
    }

    /// Puts the saved settings back, if echo was turned off.
    fn restore(&mut self) {
        if let Some(saved) = self.saved.take() {
            let _ = rustix::termios::tcsetattr(
                &self.tty,
                rustix::termios::OptionalActions::Now,
                &saved,
            );
        }
    }

    /// Reads up to a newline (the terminal is in line mode: one read returns one line),
    /// waking when a signal arrives.
    fn wait_for_line(&mut self) -> Result<Zeroizing<Vec<u8>>> {
        use rustix::event::{poll, PollFd, PollFlags};
        use std::io::Read;
        let mut line = Zeroizing::new(Vec::new());
        let mut buf = Zeroizing::new([0u8; 256]);
        loop {
            crate::signals::check()?;
            let wake = crate::signals::wake_fd();
            let ready = {
                let mut fds = vec![PollFd::new(&self.tty, PollFlags::IN)];
                if let Some(wake) = &wake {
                    fds.push(PollFd::new(wake, PollFlags::IN));
                }
                match poll(&mut fds, None) {
                    Ok(_) => !fds[0].revents().is_empty(),
                    Err(rustix::io::Errno::INTR) => false,
                    Err(e) => return Err(tty_error(&e.into())),
                }
            };
            if !ready {
                continue;
            }
            crate::signals::check()?;
            let n = match (&self.tty).read(&mut buf[..]) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(tty_error(&e)),
            };
            if n == 0 {
                return Err(
                    CliError::usage("the terminal closed before a line was typed")
                        .hint("run the command again and finish the line with Enter"),
                );
            }
            line.extend_from_slice(&buf[..n]);
            if line.len() > MAX_LINE {
                return Err(
                    CliError::usage("the line typed is too long").hint("give it in a file instead")
                );
            }
            if line.last() == Some(&b'\n') {
                return Ok(line);
            }
        }
    }

    /// Whether echo is on now (for tests of the restoring).
    #[must_use]
    pub fn echo_is_on(&self) -> bool {
        rustix::termios::tcgetattr(&self.tty)
            .is_ok_and(|t| t.local_modes.contains(rustix::termios::LocalModes::ECHO))
    }
}

#[cfg(unix)]
impl Drop for Terminal {
    fn drop(&mut self) {
        self.restore();
    }
}

#[cfg(unix)]
fn tty_error(e: &std::io::Error) -> CliError {
    CliError::io("use", std::path::Path::new("the terminal"), e)
}

/// Elsewhere, prompts go through rpassword (no echo) and standard input.
#[cfg(not(unix))]
#[derive(Debug)]
pub struct Terminal;

#[cfg(not(unix))]
impl Terminal {
    /// The console, if standard input or error is one.
    #[must_use]
    pub fn open() -> Option<Self> {
        interactive().then_some(Self)
    }

    /// Shows `prompt` and reads one line.
    ///
    /// # Errors
    /// Exit 2 if nothing can be read.
    pub fn read_line(&mut self, prompt: &str, echo: bool) -> Result<Zeroizing<String>> {
        let no_line = || CliError::usage("nothing was typed").hint("run the command again");
        if echo {
            eprint!("{prompt}");
            let mut line = Zeroizing::new(String::new());
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|_| no_line())?;
            let trimmed = line.trim_end_matches(['\r', '\n']).len();
            line.truncate(trimmed);
            Ok(line)
        } else {
            rpassword::prompt_password(prompt)
                .map(Zeroizing::new)
                .map_err(|_| no_line())
        }
    }
}

/// Whether a person could answer a prompt.
#[must_use]
pub fn interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() || std::io::stderr().is_terminal()
}

//! Secret canaries: known secrets — in every entry kind, binary ones among them — and known
//! passwords, recovery codes, shares, legacy passwords and keys are put in a vault; every
//! command of `airvault --help` is run, with and without `--json`, succeeding and failing
//! (wrong passwords, damaged and missing files, mistyped and mismatched recovery material,
//! refused parameters, a forced panic, an abort in the middle of a write); and standard
//! output, standard error, the strings inside the JSON output, and every file in the
//! working directory that the test did not write itself (vaults, backups, armor, kits,
//! share files, temporary files) are searched for every canary in raw, hex (both cases),
//! base64 (standard and URL-safe, at all three alignments), the `Debug` form of a byte
//! slice, JSON-escaped and lossy UTF-8 form. Armored files are decoded and searched too.
//!
//! The canaries are every secret the test can name: the passwords it chose; every entry
//! version's secret, master key and recovery secret of every vault and backup it finds
//! (opened in-process with each known password, so generated and rotated keys count too);
//! every recovery code; every share printed or written.
//!
//! Zero hits are allowed, except in the outputs whose purpose is to show a secret — `get`,
//! `recovery show`, `recovery reset`, `init`'s recovery code, `shares split`, and `kit
//! --include-recovery-code` / `--include-shares` — which may show exactly the secret asked
//! for (checked to be exactly it) and no other.
//!
//! A separate test checks that the `Debug` output of every type that holds a secret, in the
//! core and in the command line, shows none of it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine;
use common::*;
use sha2::{Digest, Sha256};
use vault_cli::model::{Vault, VaultFiles};
use vault_cli::progress::Progress;
use vault_core::{armor, recovery_code};

const PASSWORD: &str = "canary-vault-password-\u{e9}t\u{e9}-7Qx!";
const NEW_PASSWORD: &str = "canary-new-password-Zr4&m";
const BACKUP_PASSWORD: &str = "canary-backup-own-password-Lp2#";
const LEGACY_PASSWORD: &str = "canary-legacy-openssl-pass-9Kv";
const WRONG_PASSWORD: &str = "not-the-password";
const PEM_BODY: &str = "Q0FOQVJZLVBFTS1CT0RZLWxpbmUtb25lLTdmM2U5YTFjOGIyZDRlNWY2YTdiOGM5ZA==";
const PASSWORD_ENTRY: &str = "canary-password-entry-\u{fc}\u{20ac}-Xq7#vL9!";
const LEGACY_PLAINTEXT: &str = "canary-legacy-openssl-plaintext-3Hn";
const FERNET_PLAINTEXT: &str = "canary-fernet-plaintext-8Wd";

/// A distinctive binary secret: SHA-256 of a label, cut to `len`, with a 0x00 and an
/// invalid UTF-8 byte in it.
fn binary(label: &str, len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0u8;
    while out.len() < len {
        out.extend(Sha256::digest([label.as_bytes(), &[i]].concat()));
        i += 1;
    }
    out.truncate(len);
    out[3] = 0;
    out[5] = 0xff;
    out
}

fn pem() -> String {
    format!("-----BEGIN PRIVATE KEY-----\n{PEM_BODY}\n-----END PRIVATE KEY-----\n")
}

// --- Canaries and their forms -----------------------------------------------------------

/// One secret and the forms it is searched for in.
struct Canary {
    label: String,
    value: Vec<u8>,
    forms: Vec<(&'static str, Vec<u8>)>,
}

fn forms(value: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let mut f: Vec<(&'static str, Vec<u8>)> = vec![
        ("raw", value.to_vec()),
        ("hex", hex::encode(value).into_bytes()),
        ("HEX", hex::encode_upper(value).into_bytes()),
        (
            "debug",
            format!("{value:?}")
                .trim_matches(|c| c == '[' || c == ']')
                .as_bytes()
                .to_vec(),
        ),
    ];
    // Base64 at each of the three alignments the secret can take inside longer data: the
    // characters that depend on the secret alone.
    for (name, engine) in [
        ("base64", &base64::engine::general_purpose::STANDARD),
        ("base64url", &base64::engine::general_purpose::URL_SAFE),
    ] {
        for pad in 0..3usize {
            let mut data = vec![0u8; pad];
            data.extend_from_slice(value);
            let text = engine.encode(&data);
            let start = (pad * 8).div_ceil(6);
            let end = ((pad + value.len()) * 8) / 6;
            f.push((name, text.as_bytes()[start..end].to_vec()));
        }
    }
    match std::str::from_utf8(value) {
        Ok(s) => {
            let json = serde_json::to_string(s).unwrap();
            f.push(("json", json.trim_matches('"').as_bytes().to_vec()));
            let digits: String = s.chars().filter(char::is_ascii_digit).collect();
            if s.len() == recovery_code::CODE_LEN && digits.len() == 48 {
                // Also half a code, so that an echo of a code with one group mistyped
                // would still be found.
                f.push(("code digits", digits.clone().into_bytes()));
                f.push(("code spaced", s.replace('-', " ").into_bytes()));
                f.push(("code first half", s.as_bytes()[..27].to_vec()));
                f.push(("code second half", s.as_bytes()[28..].to_vec()));
            }
            let words: Vec<&str> = s.split(' ').collect();
            if words.len() == 20 {
                // Half a share, for the same reason.
                f.push(("share first half", words[..10].join(" ").into_bytes()));
                f.push(("share second half", words[10..].join(" ").into_bytes()));
            }
        }
        Err(_) => {
            let lossy = String::from_utf8_lossy(value).into_owned();
            let json = serde_json::to_string(&lossy).unwrap();
            f.push((
                "json lossy utf-8",
                json.trim_matches('"').as_bytes().to_vec(),
            ));
            f.push(("lossy utf-8", lossy.into_bytes()));
        }
    }
    f.retain(|(_, p)| p.len() >= 8);
    f.sort();
    f.dedup();
    f
}

/// Finds the canaries in a blob. An index of the blob's 8-byte windows makes the search
/// linear in the blob whatever the number of canaries.
struct Haystack<'a> {
    bytes: &'a [u8],
    windows: HashSet<[u8; 8]>,
}

impl<'a> Haystack<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        let windows = bytes
            .windows(8)
            .map(|w| <[u8; 8]>::try_from(w).unwrap())
            .collect();
        Self { bytes, windows }
    }

    fn contains(&self, needle: &[u8]) -> bool {
        let head = <[u8; 8]>::try_from(&needle[..8]).unwrap();
        self.windows.contains(&head) && self.bytes.windows(needle.len()).any(|w| w == needle)
    }
}

// --- Runs -------------------------------------------------------------------------------

/// What a run may show.
#[derive(Clone, Debug)]
enum Allow {
    /// The secret of this entry version.
    Entry(&'static str, u32),
    /// The recovery code of the vault the run names with `--vault` (as it is when the run
    /// ends).
    Code,
    /// The shares this run printed or wrote.
    OwnShares,
    /// The shares in this directory.
    SharesIn(&'static str),
}

/// One run of the binary and everything it left.
struct Run {
    label: String,
    json: bool,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    files: Vec<(PathBuf, Vec<u8>)>,
    allow: Vec<Allow>,
    /// The recovery codes named by `Allow::Code`, resolved right after the run.
    codes: Vec<String>,
}

struct Lab {
    env: Env,
    /// Files the test wrote itself (inputs: passwords, secrets, codes, shares it typed).
    inputs: HashSet<PathBuf>,
    /// Content hashes of files already scanned.
    seen: HashMap<PathBuf, [u8; 32]>,
    runs: Vec<Run>,
    /// The subcommands `airvault --help` lists, and those run so far.
    listed: Vec<String>,
    commands: HashSet<String>,
    /// Copies of the vault made so far.
    copies: usize,
}

/// How to run one command.
#[derive(Default, Clone)]
struct Opts {
    stdin: Option<Vec<u8>>,
    env: Vec<(&'static str, String)>,
    allow: Vec<Allow>,
}

impl Opts {
    fn allow(allow: Vec<Allow>) -> Self {
        Self {
            allow,
            ..Self::default()
        }
    }
}

impl Lab {
    fn new() -> Self {
        Self {
            env: Env::new(),
            inputs: HashSet::new(),
            seen: HashMap::new(),
            runs: Vec::new(),
            listed: listed_commands(),
            commands: HashSet::new(),
            copies: 0,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.env.path(name)
    }

    /// Writes an input file.
    fn input(&mut self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.env.file(name, contents);
        self.inputs.insert(p.clone());
        p
    }

    /// The arguments of a command line written as text, split at spaces. Shorthands:
    /// `@pw` is `--vault vault.airvault --password-file pw.txt`, `@wrong` the same with the
    /// wrong password and `@newpw` with the new one; `@copy` and `@copy-wrong` name a fresh
    /// copy of the vault instead (so that a change leaves the vault the other runs use
    /// alone); `$J` is `json` or `text`, so that each of the two runs writes its own file.
    /// Files are named relative to the working directory.
    fn args(&mut self, line: &str, json: bool) -> Vec<OsString> {
        let mut out = Vec::new();
        for word in line.split_whitespace() {
            let (vault, pw) = match word {
                "@pw" => ("vault.airvault".to_owned(), "pw.txt"),
                "@wrong" => ("vault.airvault".to_owned(), "wrong-pw.txt"),
                "@newpw" => ("vault.airvault".to_owned(), "new-pw.txt"),
                "@copy" | "@copy-wrong" => {
                    self.copies += 1;
                    let name = format!("copy-{}.airvault", self.copies);
                    fs::copy(self.path("vault.airvault"), self.path(&name)).unwrap();
                    let pw = if word == "@copy" {
                        "pw.txt"
                    } else {
                        "wrong-pw.txt"
                    };
                    (name, pw)
                }
                _ => {
                    out.push(
                        word.replace("$J", if json { "json" } else { "text" })
                            .into(),
                    );
                    continue;
                }
            };
            out.extend(os(&["--vault", &vault, "--password-file", pw]));
        }
        out
    }

    /// Runs a command line once, without `--json`.
    fn text(&mut self, label: &str, code: i32, opts: &Opts, line: &str) {
        let args = self.args(line, false);
        self.run_one(label, &args, code, false, opts);
    }

    /// Runs a command line once, with `--json`.
    fn json(&mut self, label: &str, code: i32, opts: &Opts, line: &str) {
        let args = self.args(line, true);
        self.run_one(label, &args, code, true, opts);
    }

    /// Runs a command line without and with `--json`.
    fn both(&mut self, label: &str, code: i32, opts: &Opts, line: &str) {
        self.text(label, code, opts, line);
        self.json(label, code, opts, line);
    }

    /// Runs `airvault ARGS` once, checks its exit code, and records what it printed and
    /// every new or changed file.
    fn run_one(&mut self, label: &str, args: &[OsString], code: i32, json: bool, opts: &Opts) {
        let mut c = Command::new(assert_cmd::cargo::cargo_bin("airvault"));
        c.current_dir(self.env.dir.path())
            .env_remove("AIRVAULT_VAULT")
            .env_remove("AIRVAULT_FAILPOINT")
            .env("HOME", self.env.dir.path())
            .env("XDG_DATA_HOME", self.path("xdg"))
            .env("RUST_BACKTRACE", "1");
        if json {
            c.arg("--json");
        }
        c.args(args);
        for (k, v) in &opts.env {
            c.env(k, v);
        }
        c.stdin(if opts.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        if let Some(input) = &opts.stdin {
            child.stdin.take().unwrap().write_all(input).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        let got = out.status.code().unwrap_or(-1);
        assert_eq!(
            got,
            code,
            "{label} (json {json}): exit {:?}\nstdout: {}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let files = self.new_files();
        let args: Vec<String> = args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let codes = if opts.allow.iter().any(|a| matches!(a, Allow::Code)) {
            let at = args.iter().position(|a| a == "--vault").unwrap();
            vec![code_of(&self.path(&args[at + 1]))]
        } else {
            Vec::new()
        };
        // The subcommand, for the coverage check.
        if let Some(cmd) = args.iter().find(|a| self.listed.contains(a)) {
            self.commands.insert(cmd.clone());
        }
        self.runs.push(Run {
            label: label.to_owned(),
            json,
            stdout: out.stdout,
            stderr: out.stderr,
            files,
            allow: opts.allow.clone(),
            codes,
        });
    }

    /// Every file under the directory that is new or changed since the last call, other
    /// than the test's own inputs.
    fn new_files(&mut self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut found = Vec::new();
        let mut stack = vec![self.env.dir.path().to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                if self.inputs.contains(&p) {
                    continue;
                }
                let bytes = fs::read(&p).unwrap();
                let hash: [u8; 32] = Sha256::digest(&bytes).into();
                if self.seen.insert(p.clone(), hash) != Some(hash) {
                    found.push((p, bytes));
                }
            }
        }
        found.sort();
        found
    }
}

/// The recovery code of the vault or backup at `path`, opened with a known password.
fn code_of(path: &Path) -> String {
    let v = open_any(path).unwrap_or_else(|| panic!("{path:?} does not open"));
    let secret = v.meta.recovery_secret.as_ref().unwrap();
    recovery_code::encode(secret).expose_secret().to_owned()
}

/// Opens a vault, backup, armored backup or kit with any password the test uses.
fn open_any(path: &Path) -> Option<Vault> {
    let raw = fs::read(path).ok()?;
    let bytes = if armor::is_armored(&raw) {
        let mut out = vec![0u8; armor::decoded_len_max(raw.len())];
        let n = armor::decode(&raw, &mut out).ok()?;
        out.truncate(n);
        out
    } else {
        raw
    };
    [PASSWORD, NEW_PASSWORD, BACKUP_PASSWORD]
        .iter()
        .find_map(|pw| Vault::open(&bytes, pw.as_bytes(), Progress::Silent).ok())
        .map(|o| o.vault)
}

fn os(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

fn p(path: &Path) -> String {
    path.to_str().unwrap().to_owned()
}

/// HMAC-SHA256, for making a Fernet token.
fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    k[..key.len()].copy_from_slice(key);
    let inner: Vec<u8> = k
        .iter()
        .map(|b| b ^ 0x36)
        .chain(msg.iter().copied())
        .collect();
    let inner = Sha256::digest(&inner);
    let outer: Vec<u8> = k
        .iter()
        .map(|b| b ^ 0x5c)
        .chain(inner.iter().copied())
        .collect();
    Sha256::digest(&outer).into()
}

fn openssl(args: &[&str]) {
    let st = Command::new("openssl")
        .args(args)
        .status()
        .expect("the openssl command line is required (Debian/Ubuntu: apt-get install openssl)");
    assert!(st.success(), "openssl {args:?}");
}

/// A Fernet token of `plaintext` under `key` (signing key ‖ encryption key).
fn fernet_token(lab: &Lab, key: &[u8; 32], plaintext: &[u8]) -> String {
    let iv = [0x42u8; 16];
    let pt = lab.path("fernet-plain.tmp-input");
    let ct = lab.path("fernet-ct.tmp-input");
    fs::write(&pt, plaintext).unwrap();
    openssl(&[
        "enc",
        "-aes-128-cbc",
        "-K",
        &hex::encode(&key[16..]),
        "-iv",
        &hex::encode(iv),
        "-in",
        &p(&pt),
        "-out",
        &p(&ct),
    ]);
    let mut token = vec![0x80u8];
    token.extend_from_slice(&1_700_000_000u64.to_be_bytes());
    token.extend_from_slice(&iv);
    token.extend_from_slice(&fs::read(&ct).unwrap());
    let tag = hmac_sha256(&key[..16], &token);
    token.extend_from_slice(&tag);
    fs::remove_file(pt).unwrap();
    fs::remove_file(ct).unwrap();
    base64::engine::general_purpose::URL_SAFE.encode(token)
}

/// The subcommands `airvault --help` lists.
fn listed_commands() -> Vec<String> {
    let out = Command::new(assert_cmd::cargo::cargo_bin("airvault"))
        .arg("--help")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut in_list = false;
    let mut cmds = Vec::new();
    for line in text.lines() {
        if line.starts_with("Commands:") {
            in_list = true;
            continue;
        }
        if in_list {
            if !line.starts_with("  ") {
                break;
            }
            if let Some(w) = line.split_whitespace().next() {
                cmds.push(w.to_owned());
            }
        }
    }
    assert!(cmds.len() > 20, "no command list in --help: {text}");
    cmds
}

#[test]
fn no_command_leaks_a_secret() {
    let mut lab = Lab::new();
    let sym = binary("canary symmetric key", 32);
    let fernet_key: [u8; 32] = binary("canary fernet key", 32).try_into().unwrap();
    let fernet_key_text = base64::engine::general_purpose::URL_SAFE.encode(fernet_key);
    lab.input("pw.txt", format!("{PASSWORD}\n"));
    lab.input("new-pw.txt", format!("{NEW_PASSWORD}\n"));
    lab.input("backup-pw.txt", format!("{BACKUP_PASSWORD}\n"));
    lab.input("wrong-pw.txt", format!("{WRONG_PASSWORD}\n"));
    lab.input("legacy-pw.txt", format!("{LEGACY_PASSWORD}\n"));
    lab.input("sym.bin", &sym);
    lab.input("key.pem", pem());
    lab.input("pw-entry.txt", format!("{PASSWORD_ENTRY}\n"));
    lab.input(
        "pw-entry-v2.txt",
        "canary-password-entry-second-version-Tt5\n",
    );
    lab.input("totp.bin", binary("canary totp seed", 20));
    lab.input("not-pem.bin", binary("canary not a pem", 48));
    lab.input("legacy-plain.txt", LEGACY_PLAINTEXT);
    lab.input("fernet.key", format!("{fernet_key_text}\n"));
    let wrong_key = base64::engine::general_purpose::URL_SAFE.encode([7u8; 32]);
    lab.input("wrong-fernet.key", format!("{wrong_key}\n"));
    lab.input("bad-fernet.key", "not base64 at all!\n");
    let token = fernet_token(&lab, &fernet_key, FERNET_PLAINTEXT.as_bytes());
    lab.input("token.txt", format!("{token}\n"));
    openssl(&[
        "enc",
        "-aes-256-cbc",
        "-pbkdf2",
        "-iter",
        "10000",
        "-md",
        "sha256",
        "-salt",
        "-pass",
        &format!("file:{}", p(&lab.path("legacy-pw.txt"))),
        "-in",
        &p(&lab.path("legacy-plain.txt")),
        "-out",
        &p(&lab.path("legacy.enc")),
    ]);
    let mut damaged_enc = fs::read(lab.path("legacy.enc")).unwrap();
    lab.input("legacy.enc", &damaged_enc);
    let n = damaged_enc.len();
    damaged_enc[n - 1] ^= 0x55;
    lab.input("legacy-damaged.enc", damaged_enc);
    let code = Opts::allow(vec![Allow::Code]);
    let shares = Opts::allow(vec![Allow::OwnShares]);
    let ok = Opts::default();

    // --- Creating the vault and filling it with canaries. `@pw` is `--vault vault.airvault
    // --password-file pw.txt`; see `Lab::args` for the other shorthands.
    lab.json("init", 0, &code, &format!("@pw init --iterations {ITER}"));
    lab.text(
        "init (text)",
        0,
        &code,
        &format!("--vault text-init.airvault --password-file pw.txt init --iterations {ITER}"),
    );
    lab.both("init over an existing vault", 2, &ok, "@pw init");
    lab.both(
        "init with a refused cost",
        6,
        &ok,
        "--vault refused-$J.airvault --password-file pw.txt init --iterations 4294967295",
    );
    lab.both(
        "init with a missing password file",
        3,
        &ok,
        "--vault nopw-$J.airvault --password-file no-such-file init",
    );
    lab.text(
        "add a symmetric key",
        0,
        &ok,
        "@pw add sym --kind symmetric-key --from-file sym.bin",
    );
    lab.json(
        "add a PEM key",
        0,
        &ok,
        "@pw add pem --kind private-key-pem --from-file key.pem",
    );
    lab.text(
        "add a password",
        0,
        &ok,
        "@pw add pw-entry --kind password --from-file pw-entry.txt",
    );
    lab.json(
        "add a TOTP seed",
        0,
        &ok,
        "@pw add totp --kind totp-seed --from-file totp.bin",
    );
    let stdin = Opts {
        stdin: Some(binary("canary opaque bytes", 40)),
        ..Opts::default()
    };
    lab.text(
        "add opaque bytes from standard input",
        0,
        &stdin,
        "@pw add opaque --stdin",
    );
    lab.both(
        "add a name that is taken",
        2,
        &ok,
        "@pw add sym --from-file sym.bin",
    );
    lab.both(
        "add a PEM key that is not PEM",
        2,
        &ok,
        "@pw add bad-pem --kind private-key-pem --from-file not-pem.bin",
    );
    lab.both(
        "add from a missing file",
        3,
        &ok,
        "@pw add x --from-file no-such-file",
    );
    lab.both(
        "add with a wrong password",
        4,
        &ok,
        "@wrong add x --from-file sym.bin",
    );
    lab.text("generate", 0, &ok, "@pw generate gen");
    lab.json(
        "generate a TOTP seed",
        0,
        &ok,
        "@pw generate gen2 --kind totp-seed",
    );
    lab.both("generate a name that is taken", 2, &ok, "@pw generate gen");
    let new_version = "@pw add pw-entry --new-version --from-file pw-entry-v2.txt";
    lab.json("add a new version", 0, &ok, new_version);
    lab.both(
        "add a new version equal to the current",
        2,
        &ok,
        new_version,
    );
    let openssl_import = "@pw import-legacy legacy --from openssl --yes";
    lab.text(
        "import-legacy openssl",
        0,
        &ok,
        &format!("{openssl_import} legacy.enc --legacy-password-file legacy-pw.txt"),
    );
    lab.json(
        "import-legacy fernet",
        0,
        &ok,
        "@pw import-legacy fernet token.txt --from fernet --key-file fernet.key",
    );
    let openssl_x = "@pw import-legacy x --from openssl";
    lab.both(
        "import-legacy openssl, wrong password",
        4,
        &ok,
        &format!("{openssl_x} legacy.enc --legacy-password-file wrong-pw.txt --yes"),
    );
    lab.both(
        "import-legacy openssl, damaged file",
        4,
        &ok,
        &format!("{openssl_x} legacy-damaged.enc --legacy-password-file legacy-pw.txt --yes"),
    );
    lab.both(
        "import-legacy openssl without --yes",
        2,
        &ok,
        &format!("{openssl_x} legacy.enc --legacy-password-file legacy-pw.txt"),
    );
    let fernet_x = "@pw import-legacy x token.txt --from fernet --key-file";
    lab.both(
        "import-legacy fernet, wrong key",
        4,
        &ok,
        &format!("{fernet_x} wrong-fernet.key"),
    );
    lab.both(
        "import-legacy fernet, malformed key",
        5,
        &ok,
        &format!("{fernet_x} bad-fernet.key"),
    );

    // --- Reading.
    lab.both("list", 0, &ok, "@pw list");
    lab.both("list, wrong password", 4, &ok, "@wrong list");
    lab.both(
        "list, missing vault",
        3,
        &ok,
        "--vault no-such.airvault --password-file pw.txt list",
    );
    let mut damaged_vault = fs::read(lab.path("vault.airvault")).unwrap();
    let h = u32::from_le_bytes(damaged_vault[12..16].try_into().unwrap()) as usize;
    damaged_vault[h + 200] ^= 1;
    lab.input("damaged-vault.airvault", &damaged_vault);
    lab.both(
        "list, damaged vault",
        5,
        &ok,
        "--vault damaged-vault.airvault --password-file pw.txt list",
    );
    for (name, version) in [
        ("sym", 1),
        ("pem", 1),
        ("pw-entry", 1),
        ("pw-entry", 2),
        ("totp", 1),
        ("opaque", 1),
        ("gen", 1),
        ("legacy", 1),
        ("fernet", 1),
    ] {
        let entry = Opts::allow(vec![Allow::Entry(name, version)]);
        let get = format!("@pw get {name} --version {version}");
        for format in ["hex", "base64"] {
            let label = format!("get {name} v{version} {format}");
            lab.both(&label, 0, &entry, &format!("{get} --format {format}"));
        }
        lab.text(&format!("get {name} v{version} raw"), 0, &entry, &get);
        let out = format!("{get} --out got-{name}-{version}-$J.bin");
        lab.both(&format!("get {name} v{version} --out"), 0, &entry, &out);
    }
    lab.both("get, unknown entry", 2, &ok, "@pw get nothing --format hex");
    lab.both("get, wrong password", 4, &ok, "@wrong get sym --format hex");
    lab.both(
        "get --out over an existing file",
        2,
        &ok,
        "@pw get sym --out got-sym-1-text.bin",
    );
    lab.json("get raw into JSON", 2, &ok, "@pw get sym --format raw");

    // --- Backups and verification.
    lab.both("backup", 0, &ok, "@pw backup --out backup-$J.airvault");
    lab.both(
        "backup --armor",
        0,
        &ok,
        "@pw backup --armor --out backup-$J.asc",
    );
    lab.both(
        "backup with its own password",
        0,
        &ok,
        "@pw backup --new-password-file backup-pw.txt --entry sym --out own-$J.airvault",
    );
    lab.both(
        "backup over an existing file",
        2,
        &ok,
        "@pw backup --out backup-text.airvault",
    );
    lab.both(
        "backup of an unknown entry",
        2,
        &ok,
        "@pw backup --entry nothing --out none-$J.airvault",
    );
    lab.both(
        "backup, wrong password",
        4,
        &ok,
        "@wrong backup --out wrong-$J.airvault",
    );
    let mut damaged_backup = fs::read(lab.path("backup-text.airvault")).unwrap();
    let h = u32::from_le_bytes(damaged_backup[12..16].try_into().unwrap()) as usize;
    damaged_backup[h + 300] ^= 1;
    lab.input("damaged-backup.airvault", &damaged_backup);
    let mut typo = fs::read_to_string(lab.path("backup-text.asc")).unwrap();
    let at = typo.find("0003: ").unwrap() + 6;
    let c = if &typo[at..=at] == "A" { "B" } else { "A" };
    typo.replace_range(at..=at, c);
    lab.input("typo.asc", typo);
    let mut hostile = fs::read(lab.path("backup-text.airvault")).unwrap();
    for at in [0, hostile.len() - 56 - h] {
        hostile[at + 64 + 4..at + 64 + 8].copy_from_slice(&u32::MAX.to_le_bytes());
        let sum = Sha256::digest(&hostile[at..at + h - 32]);
        hostile[at + h - 32..at + h].copy_from_slice(&sum);
    }
    lab.input("hostile.airvault", hostile);
    lab.both(
        "restore",
        0,
        &ok,
        "@pw restore backup-text.airvault --out restored-$J.airvault",
    );
    lab.both(
        "restore armor",
        0,
        &ok,
        "@pw restore backup-json.asc --out restored-asc-$J.airvault",
    );
    lab.both(
        "restore, wrong password",
        4,
        &ok,
        "@wrong restore backup-text.airvault --out r-wrong-$J.airvault",
    );
    lab.both(
        "restore, damaged backup",
        5,
        &ok,
        "@pw restore damaged-backup.airvault --out r-dam-$J.airvault",
    );
    lab.both(
        "restore, mistyped armor",
        5,
        &ok,
        "@pw restore typo.asc --out r-typo-$J.airvault",
    );
    lab.both(
        "restore, missing backup",
        3,
        &ok,
        "@pw restore no-such --out r-miss-$J.airvault",
    );
    lab.both(
        "restore over an existing file",
        2,
        &ok,
        "@pw restore backup-text.airvault --out vault.airvault",
    );
    let fp = hex::encode(Sha256::digest(
        fs::read(lab.path("backup-text.airvault")).unwrap(),
    ));
    lab.both(
        "verify",
        0,
        &ok,
        "verify backup-text.airvault backup-json.asc",
    );
    lab.both(
        "verify with the password, against the vault",
        0,
        &ok,
        &format!(
            "@pw verify backup-text.airvault --against vault.airvault --expect-fingerprint {fp}"
        ),
    );
    lab.both(
        "verify, wrong fingerprint",
        7,
        &ok,
        &format!("verify backup-json.airvault --expect-fingerprint {fp}"),
    );
    lab.both(
        "verify, wrong password",
        4,
        &ok,
        "--password-file wrong-pw.txt verify backup-text.airvault",
    );
    lab.both(
        "verify, damaged, mistyped and missing",
        5,
        &ok,
        "--password-file pw.txt verify damaged-backup.airvault typo.asc no-such-file",
    );
    lab.both(
        "verify --against, wrong vault password",
        4,
        &ok,
        "@pw verify backup-text.airvault --against vault.airvault \
         --against-password-file wrong-pw.txt",
    );
    lab.both(
        "fingerprint",
        3,
        &ok,
        "fingerprint backup-text.airvault no-such-file",
    );

    // --- Recovery material.
    lab.both("recovery show", 0, &code, "@pw recovery show");
    lab.both(
        "recovery show, wrong password",
        4,
        &ok,
        "@wrong recovery show",
    );
    let split = "shares split --threshold 2 --count 3";
    lab.both("shares split, printed", 0, &shares, &format!("@pw {split}"));
    lab.both(
        "shares split into files",
        0,
        &shares,
        &format!("@pw {split} --out-dir shares-$J"),
    );
    lab.both(
        "shares split, bad threshold",
        2,
        &ok,
        "@pw shares split --threshold 1 --count 3",
    );
    lab.both(
        "shares split over existing files",
        2,
        &ok,
        &format!("@pw {split} --out-dir shares-text"),
    );
    lab.both(
        "shares split, wrong password",
        4,
        &ok,
        &format!("@wrong {split}"),
    );
    // The share files the split wrote are inputs from now on (they were scanned as that
    // run's output, where they are allowed).
    let recovery_code = code_of(&lab.path("vault.airvault"));
    lab.input("code.txt", format!("{recovery_code}\n"));
    let mut groups: Vec<String> = recovery_code.split('-').map(str::to_owned).collect();
    let g: u32 = groups[2].parse().unwrap();
    groups[2] = format!("{:06}", (g + 1) % 1_000_000);
    lab.input("code-typo.txt", groups.join("-"));
    let wrong_code = recovery_code::encode(&vault_core::RecoverySecret::from_bytes([9; 16]));
    lab.input("code-wrong.txt", wrong_code.expose_secret());
    let words = fs::read_to_string(lab.path("shares-text/share-1-of-3.txt")).unwrap();
    let mut ws: Vec<&str> = words.lines().last().unwrap().split(' ').collect();
    ws[5] = if ws[5] == "academic" {
        "acid"
    } else {
        "academic"
    };
    lab.input("share-typo.txt", ws.join(" "));
    let (s1, s2, s3) = (
        "shares-text/share-1-of-3.txt",
        "shares-text/share-2-of-3.txt",
        "shares-text/share-3-of-3.txt",
    );
    let recover = "@newpw recover backup-text.airvault";
    lab.both(
        "recover with the code",
        0,
        &ok,
        &format!("{recover} --recovery-code-file code.txt --out recovered-$J.airvault"),
    );
    lab.both(
        "recover with shares",
        0,
        &ok,
        &format!(
            "@newpw recover backup-json.asc --share-file {s3} --share-file {s1} \
             --out recovered-shares-$J.airvault"
        ),
    );
    lab.both(
        "recover, mistyped code",
        2,
        &ok,
        &format!("{recover} --recovery-code-file code-typo.txt --out rc-typo-$J.airvault"),
    );
    lab.both(
        "recover, wrong code",
        4,
        &ok,
        &format!("{recover} --recovery-code-file code-wrong.txt --out rc-wrong-$J.airvault"),
    );
    lab.both(
        "recover, mistyped share",
        2,
        &ok,
        &format!(
            "{recover} --share-file share-typo.txt --share-file {s2} --out rs-typo-$J.airvault"
        ),
    );
    lab.both(
        "recover, one share",
        2,
        &ok,
        &format!("{recover} --share-file {s2} --out rs-one-$J.airvault"),
    );
    lab.both(
        "recover, shares of two sets",
        2,
        &ok,
        &format!(
            "{recover} --share-file {s2} --share-file shares-json/share-2-of-3.txt \
             --out rs-mix-$J.airvault"
        ),
    );
    lab.both(
        "recover, damaged backup",
        5,
        &ok,
        "@newpw recover damaged-backup.airvault --recovery-code-file code.txt \
         --out rc-damaged-$J.airvault",
    );
    lab.both(
        "salvage",
        0,
        &ok,
        "@pw salvage damaged-backup.airvault backup-json.asc --out salvaged-$J.airvault",
    );
    lab.both(
        "salvage with the code",
        5,
        &ok,
        "@newpw salvage damaged-backup.airvault --recovery-code-file code.txt \
         --out salvaged-code-$J.airvault",
    );
    lab.both(
        "salvage, wrong password",
        4,
        &ok,
        "@wrong salvage damaged-backup.airvault --out salvaged-wrong-$J.airvault",
    );
    lab.both(
        "salvage, refused KDF cost",
        6,
        &ok,
        "@pw salvage hostile.airvault --out salvaged-hostile-$J.airvault",
    );
    lab.both("kit", 0, &ok, "@pw kit --out kit-$J.html");
    // The page holds no secret; a binary built without one says so (exit 2).
    let page_code = if vault_cli::page::EMBEDDED.is_some() {
        0
    } else {
        2
    };
    lab.both("page", page_code, &ok, "page --out page-$J");
    lab.both(
        "kit with the recovery code and shares",
        0,
        &Opts::allow(vec![Allow::Code, Allow::SharesIn("shares-text")]),
        "@pw kit --include-recovery-code --include-shares shares-text --out kit-all-$J.html",
    );
    lab.both(
        "kit over an existing file",
        2,
        &ok,
        "@pw kit --out kit-text.html",
    );
    lab.both(
        "kit, wrong password",
        4,
        &ok,
        "@wrong kit --out kit-wrong-$J.html",
    );

    // --- Changes, each on its own copy of the vault (`@copy`).
    lab.both(
        "passwd",
        0,
        &ok,
        "@copy passwd --new-password-file new-pw.txt",
    );
    lab.both(
        "passwd, wrong password",
        4,
        &ok,
        "@copy-wrong passwd --new-password-file new-pw.txt",
    );
    lab.both(
        "passwd, refused cost",
        6,
        &ok,
        "@copy passwd --iterations 1 --new-password-file new-pw.txt",
    );
    lab.both("rotate-master", 0, &ok, "@copy rotate-master");
    lab.both(
        "rotate-master, wrong password",
        4,
        &ok,
        "@copy-wrong rotate-master",
    );
    lab.both("rotate", 0, &ok, "@copy rotate sym");
    lab.both("rotate a password entry", 2, &ok, "@copy rotate pw-entry");
    lab.both("remove", 0, &ok, "@copy remove opaque --yes");
    lab.both("remove without --yes", 2, &ok, "@pw remove opaque");
    lab.both("policy", 0, &ok, "@copy policy sym --days 10");
    lab.both("policy, shown", 0, &ok, "@pw policy");
    lab.both("policy without a value", 2, &ok, "@pw policy sym");
    lab.both("status", 0, &ok, "@pw status");
    let later = Opts {
        env: vec![("AIRVAULT_TEST_NOW", "4000000000".into())],
        ..Opts::default()
    };
    lab.both(
        "status --check-overdue, years later",
        8,
        &later,
        "@pw status --check-overdue",
    );
    lab.both("status, wrong password", 4, &ok, "@wrong status");
    lab.both("audit", 0, &ok, "@pw audit");
    lab.both("audit --verify", 0, &ok, "@pw audit --verify");
    lab.both("audit, wrong password", 4, &ok, "@wrong audit --verify");
    lab.both("audit, filtered", 0, &ok, "@pw audit --since 1d --op add");
    lab.both("audit --failures", 0, &ok, "audit --failures --since 1w");
    // No keyring here: the keyring commands fail with exit 3 before anything is asked.
    let no_bus = Opts {
        env: vec![(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/bus".into(),
        )],
        ..Opts::default()
    };
    lab.both(
        "keyring restore, no keyring",
        3,
        &no_bus,
        "@pw keyring restore --yes",
    );
    lab.both(
        "get --to-keyring, no keyring",
        3,
        &no_bus,
        "@pw get sym --to-keyring app/sym",
    );
    lab.both(
        "add --from-keyring, no keyring",
        3,
        &no_bus,
        "@copy add kr --from-keyring app/sym",
    );
    lab.both("recovery reset", 0, &code, "@copy recovery reset");
    lab.both(
        "recovery reset, wrong password",
        4,
        &ok,
        "@copy-wrong recovery reset",
    );
    lab.both("benchmark", 0, &ok, "benchmark");
    lab.both("drill", 0, &ok, "drill");
    lab.both("help", 0, &ok, "help");
    lab.both("--help", 0, &ok, "--help");
    lab.both("an unknown command", 2, &ok, "exfiltrate");

    // --- A forced panic with the secrets in memory, and an abort in the middle of a write.
    let panic = Opts {
        env: vec![
            ("AIRVAULT_FAILPOINT", "panic-after-unlock".into()),
            ("RUST_BACKTRACE", "full".into()),
        ],
        ..Opts::default()
    };
    lab.both("list, panicking", 101, &panic, "@pw list");
    lab.both("get, panicking", 101, &panic, "@pw get sym --format hex");
    lab.both(
        "passwd, panicking",
        101,
        &panic,
        "@copy passwd --new-password-file new-pw.txt",
    );
    lab.both(
        "recover, panicking",
        101,
        &panic,
        &format!("{recover} --recovery-code-file code.txt --out rc-panic-$J.airvault"),
    );
    let abort = Opts {
        env: vec![("AIRVAULT_FAILPOINT", "before-rename".into())],
        ..Opts::default()
    };
    lab.both(
        "add, aborted mid-write",
        -1,
        &abort,
        "@copy add x --from-file sym.bin",
    );
    for r in lab.runs.iter().filter(|r| r.label.ends_with("panicking")) {
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(
            err.contains("panicked") && err.contains("panic-after-unlock"),
            "{}: {err}",
            r.label
        );
    }

    // --- Every command of --help was run.
    let listed = lab.listed.clone();
    for c in &listed {
        assert!(lab.commands.contains(c), "'{c}' was never run");
    }

    // --- The canaries: everything secret the test knows of, now that every run is done.
    let mut values: BTreeMap<Vec<u8>, String> = BTreeMap::new();
    let mut add = |v: &[u8], label: String| {
        values.entry(v.to_vec()).or_insert(label);
    };
    for (pwd, label) in [
        (PASSWORD, "vault password"),
        (NEW_PASSWORD, "new password"),
        (BACKUP_PASSWORD, "backup password"),
        (LEGACY_PASSWORD, "legacy password"),
        (PEM_BODY, "PEM body"),
    ] {
        add(pwd.as_bytes(), label.to_owned());
    }
    add(&fernet_key, "Fernet key".into());
    add(fernet_key_text.as_bytes(), "Fernet key text".into());
    add(&fernet_key[..16], "Fernet signing key".into());
    add(&fernet_key[16..], "Fernet encryption key".into());
    let mut vaults = 0;
    let mut files: Vec<PathBuf> = lab.seen.keys().cloned().collect();
    files.sort();
    for f in &files {
        let Some(v) = open_any(f) else { continue };
        vaults += 1;
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        add(v.vmk.expose_secret(), format!("master key of {name}"));
        if let Some(s) = &v.meta.recovery_secret {
            add(s.expose_secret(), format!("recovery secret of {name}"));
            let code = recovery_code::encode(s);
            add(
                code.expose_secret().as_bytes(),
                format!("recovery code of {name}"),
            );
        }
        for e in &v.entries {
            add(&e.secret, format!("{} v{} in {name}", e.name, e.version));
        }
    }
    assert!(vaults >= 30, "only {vaults} vault files opened");
    // Shares: every mnemonic any run printed or wrote.
    let mut shares_of_run: HashMap<usize, Vec<String>> = HashMap::new();
    let mut shares_in_dir: HashMap<String, Vec<String>> = HashMap::new();
    for (i, r) in lab.runs.iter().enumerate() {
        if !r.allow.iter().any(|a| matches!(a, Allow::OwnShares)) {
            continue;
        }
        let mut found = mnemonics(&String::from_utf8_lossy(&r.stdout));
        for (path, bytes) in &r.files {
            let m = mnemonics(&String::from_utf8_lossy(bytes));
            let dir = path
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            shares_in_dir.entry(dir).or_default().extend(m.clone());
            found.extend(m);
        }
        assert_eq!(found.len(), 3, "{}: {found:?}", r.label);
        shares_of_run.insert(i, found);
    }
    for (i, m) in &shares_of_run {
        for (k, s) in m.iter().enumerate() {
            add(s.as_bytes(), format!("share {k} of run {i}"));
        }
    }
    // Recovery codes shown by runs (a reset's code lives on only in its output).
    for r in &lab.runs {
        for c in &r.codes {
            add(c.as_bytes(), format!("recovery code shown by {}", r.label));
        }
    }
    let canaries: Vec<Canary> = values
        .into_iter()
        .map(|(value, label)| Canary {
            forms: forms(&value),
            label,
            value,
        })
        .collect();
    let form_count: usize = canaries.iter().map(|c| c.forms.len()).sum();

    // --- Scanning.
    let mut scans = 0usize;
    let mut blobs = 0usize;
    let mut hits = Vec::new();
    let mut allowed_shown = 0usize;
    for (i, r) in lab.runs.iter().enumerate() {
        // What this run may show.
        let mut allowed: Vec<Vec<u8>> = Vec::new();
        for a in &r.allow {
            match a {
                Allow::Entry(..) | Allow::Code => {}
                Allow::OwnShares => {
                    allowed.extend(shares_of_run[&i].iter().map(|s| s.as_bytes().to_vec()))
                }
                Allow::SharesIn(d) => {
                    allowed.extend(shares_in_dir[*d].iter().map(|s| s.as_bytes().to_vec()))
                }
            }
        }
        allowed.extend(r.codes.iter().map(|c| c.as_bytes().to_vec()));
        for a in &r.allow {
            if let Allow::Entry(name, version) = a {
                let want = entry_value(&lab, name, *version);
                check_exact(r, &want);
                allowed.push(want);
            }
        }
        let mut streams: Vec<(String, Vec<u8>)> = vec![
            ("stdout".into(), r.stdout.clone()),
            ("stderr".into(), r.stderr.clone()),
        ];
        if r.json {
            streams.push(("JSON strings".into(), json_strings(&r.stdout)));
        }
        for (path, bytes) in &r.files {
            let name = path
                .strip_prefix(lab.env.dir.path())
                .unwrap()
                .display()
                .to_string();
            if armor::is_armored(bytes) {
                let mut out = vec![0u8; armor::decoded_len_max(bytes.len())];
                if let Ok(n) = armor::decode(bytes, &mut out) {
                    streams.push((format!("{name} (decoded armor)"), out[..n].to_vec()));
                }
            }
            streams.push((name, bytes.clone()));
        }
        for (stream, bytes) in &streams {
            blobs += 1;
            let hay = Haystack::new(bytes);
            for c in &canaries {
                // A secret may be shown where it is part of the secret asked for (the
                // body of a PEM key that `get` shows).
                let is_allowed = allowed
                    .iter()
                    .any(|a| a.windows(c.value.len()).any(|w| w == c.value.as_slice()));
                for (form, pattern) in &c.forms {
                    scans += 1;
                    if hay.contains(pattern) {
                        if is_allowed {
                            allowed_shown += 1;
                        } else {
                            hits.push(format!(
                                "{} (json {}): {stream} holds {} ({form})",
                                r.label, r.json, c.label
                            ));
                        }
                    }
                }
            }
        }
        // Outputs that show a secret show the one asked for.
        if !r.allow.is_empty() && !r.label.contains("kit") {
            let shown = streams.iter().any(|(_, b)| {
                let hay = Haystack::new(b);
                allowed
                    .iter()
                    .any(|a| forms(a).iter().any(|(_, p)| hay.contains(p)))
            });
            assert!(shown, "{}: does not show what it is for", r.label);
        }
    }
    assert!(
        hits.is_empty(),
        "{} canary hits:\n{}",
        hits.len(),
        hits.join("\n")
    );
    let kit_with_code = lab
        .runs
        .iter()
        .find(|r| r.label == "kit with the recovery code and shares")
        .unwrap();
    assert!(kit_with_code
        .files
        .iter()
        .any(|(_, b)| Haystack::new(b).contains(kit_with_code.codes[0].as_bytes())));
    eprintln!(
        "{} runs of {} commands; {} canaries in {} forms; {} outputs and files scanned; \
         {} scans (output or file × canary form): 0 hits; {} expected showings in the \
         outputs made to show a secret",
        lab.runs.len(),
        listed.len(),
        canaries.len(),
        form_count,
        blobs,
        scans,
        allowed_shown
    );
}

/// The secret of entry `name` version `version` in the main vault.
fn entry_value(lab: &Lab, name: &str, version: u32) -> Vec<u8> {
    let v = open_any(&lab.path("vault.airvault")).unwrap();
    v.entries
        .iter()
        .find(|e| e.name == name && e.version == version)
        .map(|e| e.secret.to_vec())
        .unwrap_or_else(|| panic!("no {name} v{version}"))
}

/// `get` shows exactly the secret asked for: the whole of standard output (hex, base64 or
/// raw), the JSON `value`, or the whole `--out` file.
fn check_exact(r: &Run, secret: &[u8]) {
    let hexed = hex::encode(secret);
    let b64 = base64::engine::general_purpose::STANDARD.encode(secret);
    if r.label.ends_with("--out") {
        let written: Vec<&Vec<u8>> = r
            .files
            .iter()
            .filter(|(p, _)| p.extension().is_some_and(|e| e == "bin"))
            .map(|(_, b)| b)
            .collect();
        assert_eq!(
            written,
            [secret],
            "{}: the file is not exactly the secret",
            r.label
        );
        return;
    }
    if r.json {
        let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
        let want = if r.label.ends_with("base64") {
            &b64
        } else {
            &hexed
        };
        assert_eq!(v["value"].as_str(), Some(want.as_str()), "{}", r.label);
        return;
    }
    let want: Vec<u8> = if r.label.ends_with("raw") {
        secret.to_vec()
    } else if r.label.ends_with("base64") {
        format!("{b64}\n").into_bytes()
    } else {
        format!("{hexed}\n").into_bytes()
    };
    assert_eq!(
        r.stdout, want,
        "{}: output is not exactly the secret",
        r.label
    );
}

/// Every string value in JSON lines, unescaped, one per line.
fn json_strings(stdout: &[u8]) -> Vec<u8> {
    fn walk(v: &serde_json::Value, out: &mut Vec<u8>) {
        match v {
            serde_json::Value::String(s) => {
                out.extend_from_slice(s.as_bytes());
                out.push(b'\n');
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            serde_json::Value::Object(o) => o.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for line in String::from_utf8_lossy(stdout).lines() {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
            walk(&v, &mut out);
        }
    }
    out
}

/// The SLIP-39 mnemonics (20 words) in a text: from JSON `mnemonic` fields or from lines
/// of words.
fn mnemonics(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
            if let Some(shares) = v["shares"].as_array() {
                for s in shares {
                    if let Some(m) = s["mnemonic"].as_str() {
                        found.push(m.to_owned());
                    }
                }
            }
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.len() == 20
            && words
                .iter()
                .all(|w| w.chars().all(|c| c.is_ascii_lowercase()))
        {
            found.push(words.join(" "));
        }
    }
    found
}

/// Fails if `text` holds any form of any of `secrets`.
fn assert_no_secret(what: &str, text: &str, secrets: &[&[u8]]) -> usize {
    let hay = Haystack::new(text.as_bytes());
    let mut scans = 0;
    for secret in secrets {
        for (form, pattern) in forms(secret) {
            scans += 1;
            assert!(
                !hay.contains(&pattern),
                "Debug of {what} shows a secret ({form}): {text}"
            );
        }
    }
    scans
}

/// The `Debug` output of every type that holds a secret — in the core and in the command
/// line, built from canary secrets or returned by the commands themselves — shows none of
/// them, in any form, also with `{:#?}`.
#[test]
fn debug_output_of_secret_holding_types_shows_no_secret() {
    use vault_cli::cli::SecretFormat;
    use vault_cli::commands::entries::{self, SecretInput};
    use vault_cli::commands::{init, recovery, shares, Context};
    use vault_cli::input::PasswordSource;
    use vault_cli::output::Message;
    use vault_core::slip39;
    use vault_core::{
        Entry, EntryKind, EntryStatus, KdfLimits, Meta, Pbkdf2, RecoverySecret, SlotKey, SlotKind,
        VaultFile, VaultMasterKey,
    };
    use zeroize::Zeroizing;

    let key = binary("debug canary key", 32);
    let slot_key = binary("debug canary slot key", 32);
    let rs = binary("debug canary recovery", 16);
    let entry_secret = binary("debug canary entry", 40);
    let k32: [u8; 32] = key.clone().try_into().unwrap();
    let r16: [u8; 16] = rs.clone().try_into().unwrap();
    let mut shown: Vec<(String, String)> = Vec::new();
    let mut show = |what: &str, d: &dyn std::fmt::Debug| {
        shown.push((what.to_owned(), format!("{d:?}")));
        shown.push((format!("{what} (alternate)"), format!("{d:#?}")));
    };

    // The core.
    let vmk = VaultMasterKey::from_bytes(k32);
    show("VaultMasterKey", &vmk);
    show(
        "SlotKey",
        &SlotKey::from_bytes(slot_key.clone().try_into().unwrap()),
    );
    let recovery_secret = RecoverySecret::from_bytes(r16);
    show("RecoverySecret", &recovery_secret);
    let code = recovery_code::encode(&recovery_secret);
    show("RecoveryCode", &code);
    let entry = Entry {
        id: [1; 16],
        version: 1,
        kind: EntryKind::Opaque,
        status: EntryStatus::Active,
        name: "debug-entry",
        secret: &entry_secret,
        created_at: 0,
        rotated_at: 0,
        policy_days: 0,
    };
    show("Entry", &entry);
    show("Record::Entry", &vault_core::Record::Entry(entry));
    let meta = Meta {
        recovery_secret: Some(RecoverySecret::from_bytes(r16)),
        default_policy_days: 90,
        created_at: 0,
        audit_next_seq: 0,
        audit_head: [0; 32],
        check_key: None,
    };
    show("Meta", &meta);
    let job = Pbkdf2::new(&key, b"salt", 100_000, &KdfLimits::STANDARD).unwrap();
    show("Pbkdf2", &job);
    let mut split = vault_core::heapless::Vec::new();
    slip39::split(&rs, b"", 2, 3, 0, true, &mut rand_core::OsRng, &mut split).unwrap();
    let mut mnemonic = String::new();
    slip39::write_mnemonic(&split[0], &mut mnemonic).unwrap();
    let share = slip39::parse_mnemonic(&mnemonic).unwrap();
    show("slip39::Share", &share);
    let share_value = share.value().to_vec();

    // The command line, through its own commands, on a vault holding the canaries.
    let env = Env::new();
    let ctx = Context::new(
        env.vault.clone(),
        PasswordSource::Given(Zeroizing::new(PASSWORD.to_owned())),
    );
    show("Context", &ctx);
    show(
        "PasswordSource::Given",
        &PasswordSource::Given(Zeroizing::new(PASSWORD.to_owned())),
    );
    let report = init::init(
        &ctx,
        &init::InitOptions {
            kdf: vault_cli::password_kdf::KdfOptions {
                iterations: Some(100_000),
                ..Default::default()
            },
            ..init::InitOptions::default()
        },
    )
    .unwrap();
    let init_code = report.recovery_code.to_string();
    show("InitReport", &report);
    show("Message::Init", &Message::Init(report));
    let input = SecretInput::Bytes(Zeroizing::new(entry_secret.clone()));
    show("SecretInput::Bytes", &input);
    let from_keyring = SecretInput::FromKeyring(
        Zeroizing::new(entry_secret.clone()),
        vault_cli::keyring::ItemName::parse("app/canary").unwrap(),
    );
    show("SecretInput::FromKeyring", &from_keyring);
    entries::add(&ctx, "canary", EntryKind::Opaque, &input).unwrap();
    let got = entries::get(&ctx, "canary", None, SecretFormat::Raw, None, false).unwrap();
    show("Got (raw)", &got);
    let got = entries::get(&ctx, "canary", None, SecretFormat::Hex, None, false).unwrap();
    show("Got (hex)", &got);
    show("Message::Secret", &Message::Secret(got.report));
    let (vault, password) = vault_cli::commands::load_vault(&ctx).unwrap();
    show("model::Vault", &vault);
    show("OwnedEntry", &vault.entries[0]);
    let vmk_bytes = vault.vmk.expose_secret().to_vec();
    let recovery_bytes = vault
        .meta
        .recovery_secret
        .as_ref()
        .unwrap()
        .expose_secret()
        .to_vec();
    drop(password);
    let bytes = fs::read(&env.vault).unwrap();
    let opened = Vault::open(&bytes, PASSWORD.as_bytes(), Progress::Silent).unwrap();
    show("model::Opened", &opened);
    let file = VaultFile::parse(&bytes, &KdfLimits::STANDARD).unwrap();
    let unlocked = file
        .unlock(SlotKind::Password, PASSWORD.as_bytes())
        .unwrap();
    show("UnlockedVault", &unlocked);
    show("VaultFile", &file);
    let code_report = recovery::show_code(&ctx).unwrap();
    show("RecoveryCodeReport", &code_report);
    show("Message::RecoveryShow", &Message::RecoveryShow(code_report));
    let code_file = env.file("code.txt", &init_code);
    let material = vault_cli::material::RecoveryMaterial::Code(code_file);
    let recovered = vault_cli::material::read_material(&material).unwrap();
    show("Recovered", &recovered);
    let split_report = shares::split(
        &ctx,
        &shares::SplitOptions {
            threshold: 2,
            count: 3,
            out_dir: None,
            force: false,
        },
    )
    .unwrap();
    let printed: Vec<String> = split_report
        .shares
        .iter()
        .map(|s| s.mnemonic.as_deref().unwrap().to_owned())
        .collect();
    show("ShareItem", &split_report.shares[0]);
    show("SharesReport", &split_report);
    show("Message::Shares", &Message::Shares(split_report));

    let mut secrets: Vec<&[u8]> = vec![
        &key,
        &slot_key,
        &rs,
        &entry_secret,
        &share_value,
        mnemonic.as_bytes(),
        code.expose_secret().as_bytes(),
        PASSWORD.as_bytes(),
        init_code.as_bytes(),
        &vmk_bytes,
        &recovery_bytes,
    ];
    secrets.extend(printed.iter().map(|m| m.as_bytes()));
    let mut scans = 0;
    for (what, text) in &shown {
        scans += assert_no_secret(what, text, &secrets);
    }
    eprintln!(
        "Debug output of {} values (plain and alternate) checked: {scans} scans, 0 hits",
        shown.len() / 2
    );
}

/// The search finds what it must: each canary embedded in longer data — as raw bytes, hex,
/// base64 and URL-safe base64 at every offset, its `Debug` form, JSON — is found.
#[test]
fn the_search_finds_every_form() {
    let secrets = [
        binary("self-test", 16),
        PASSWORD.as_bytes().to_vec(),
        pem().into_bytes(),
    ];
    for secret in &secrets {
        for pad in 0..3 {
            let mut data = vec![b'x'; pad];
            data.extend_from_slice(secret);
            data.extend_from_slice(b"tail");
            let encodings = [
                data.clone(),
                hex::encode(&data).into_bytes(),
                hex::encode_upper(&data).into_bytes(),
                base64::engine::general_purpose::STANDARD
                    .encode(&data)
                    .into_bytes(),
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .encode(&data)
                    .into_bytes(),
                format!("{data:?}").into_bytes(),
                serde_json::to_string(&String::from_utf8_lossy(&data))
                    .unwrap()
                    .into_bytes(),
            ];
            for (i, e) in encodings.iter().enumerate() {
                let hay = Haystack::new(e);
                assert!(
                    forms(secret).iter().any(|(_, p)| hay.contains(p)),
                    "encoding {i} at offset {pad} not found"
                );
            }
        }
    }
}

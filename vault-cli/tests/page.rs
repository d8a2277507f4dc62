//! `page`: the restore page a binary carries, written into a directory (mode 0600, never
//! over another file without `--force`) with its SHA-256; the refusal of a binary built
//! without one; and `kit` writing the page beside the sheet, its SHA-256 on the sheet.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod emergency;

use std::fs;
use std::path::Path;

use common::*;
use emergency::*;
use predicates::prelude::*;
use serde::Deserialize;
use vault_cli::commands::kit::{kit, KitOptions};
use vault_cli::commands::page::{page, PageOptions};
use vault_cli::commands::Context;
use vault_cli::error::Exit;
use vault_cli::input::PasswordSource;
use vault_cli::page::{sha256_hex, EmbeddedPage, EMBEDDED, FILE_NAME};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Page {
    #[serde(rename = "type")]
    type_: String,
    out: Option<String>,
    written: bool,
    bytes: usize,
    sha256: String,
    page_fingerprint: Option<String>,
    version: Option<String>,
}

/// A stand-in for the page web/build.sh writes: the same head fields.
fn fake_page(tag: &str) -> EmbeddedPage {
    let bytes: &'static [u8] = Box::leak(
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n\
             <meta name=\"airvault-version\" content=\"0.1.0 (test)\">\n\
             <meta name=\"airvault-content-sha256\" content=\"{}\">\n</head>\n\
             <body>{tag}</body>\n</html>\n",
            "ab".repeat(32)
        )
        .into_bytes()
        .into_boxed_slice(),
    );
    EmbeddedPage {
        bytes,
        sha256: Box::leak(sha256_hex(bytes).into_boxed_str()),
    }
}

fn options(out: &Path, force: bool) -> PageOptions {
    PageOptions {
        out: Some(out.to_path_buf()),
        force,
    }
}

#[test]
fn the_page_is_written_with_its_sha256_and_never_over_another_file() {
    let env = Env::new();
    let p = fake_page("one");
    let dir = env.path("usb/stick");
    let r = page(Some(p), &options(&dir, false)).unwrap();
    let file = dir.join(FILE_NAME);
    assert_eq!(fs::read(&file).unwrap(), p.bytes);
    assert_eq!(r.sha256, sha256_hex(p.bytes));
    assert_eq!(r.sha256, sha256_hex_file(&file));
    assert!(r.written);
    assert_eq!(r.bytes, p.bytes.len());
    assert_eq!(r.version.as_deref(), Some("0.1.0 (test)"));
    assert_eq!(r.page_fingerprint, Some("ab".repeat(32)));
    #[cfg(unix)]
    assert_eq!(mode(&file), 0o600);

    // The same bytes again: left alone, not an error.
    let again = page(Some(p), &options(&dir, false)).unwrap();
    assert!(!again.written);
    assert_eq!(again.out, r.out);

    // Another page there: refused without --force, untouched; replaced with it.
    let other = fake_page("two");
    let e = page(Some(other), &options(&dir, false)).unwrap_err();
    assert_eq!(e.exit(), Exit::Usage);
    assert!(e.to_string().contains("--force"), "{e}");
    assert_eq!(fs::read(&file).unwrap(), p.bytes);
    let r = page(Some(other), &options(&dir, true)).unwrap();
    assert!(r.written);
    assert_eq!(fs::read(&file).unwrap(), other.bytes);
    let names: Vec<_> = fs::read_dir(&dir).unwrap().collect();
    assert_eq!(names.len(), 1, "a temporary file was left behind");

    // --out naming a file, not a directory.
    let not_dir = env.file("plain.txt", "x");
    let e = page(Some(p), &options(&not_dir, false)).unwrap_err();
    assert_eq!(e.exit(), Exit::Io);

    // Without --out: the facts only, nothing written.
    let r = page(
        Some(p),
        &PageOptions {
            out: None,
            force: false,
        },
    )
    .unwrap();
    assert_eq!((r.out, r.written), (None, false));
}

#[test]
fn a_damaged_page_is_refused() {
    let p = EmbeddedPage {
        sha256: "00",
        ..fake_page("x")
    };
    let env = Env::new();
    let e = page(Some(p), &options(&env.path("out"), false)).unwrap_err();
    assert_eq!(e.exit(), Exit::Corrupted);
    assert!(!env.path("out").exists());
}

fn sha256_hex_file(path: &Path) -> String {
    sha256_hex(&fs::read(path).unwrap())
}

/// The binary as built: without AIRVAULT_PAGE it refuses in one line naming the release
/// bundle; with it (a release build), it writes exactly the page it carries.
#[test]
fn the_binary_writes_its_page_or_says_how_to_get_one() {
    let env = Env::new();
    let dir = env.path("usb");
    match EMBEDDED {
        None => {
            env.bare()
                .args(["page", "--out"])
                .arg(&dir)
                .assert()
                .code(2)
                .stdout("")
                .stderr(
                    predicate::str::contains("built without the restore page")
                        .and(predicate::str::contains("release/build.sh"))
                        .and(predicate::function(|s: &str| s.lines().count() == 1)),
                );
            assert!(!dir.exists());
            let out = env
                .bare()
                .args(["--json", "page"])
                .assert()
                .code(2)
                .get_output()
                .stdout
                .clone();
            assert!(String::from_utf8(out)
                .unwrap()
                .contains("\"type\":\"error\""));
        }
        Some(p) => {
            let out = env
                .bare()
                .args(["--json", "page", "--out"])
                .arg(&dir)
                .assert()
                .success()
                .get_output()
                .stdout
                .clone();
            let r: Page = one(&out);
            assert_eq!(r.type_, "page");
            assert!(r.written);
            assert_eq!(r.bytes, p.bytes.len());
            assert_eq!(r.sha256, p.sha256);
            assert_eq!(r.sha256, sha256_hex_file(&dir.join(FILE_NAME)));
            assert!(r.out.is_some() && r.page_fingerprint.is_some() && r.version.is_some());
        }
    }
}

#[test]
fn kit_writes_the_page_beside_the_sheet_and_its_sha256_on_it() {
    let (env, _code) = populated();
    let p = fake_page("kit");
    let ctx = Context::new(env.vault.clone(), PasswordSource::File(env.pw.clone()));
    let opts = |out: &str, page: Option<EmbeddedPage>, force: bool| KitOptions {
        out: env.path(out),
        include_recovery_code: false,
        include_shares: None,
        force,
        page,
    };
    let r = kit(&ctx, &opts("kit.html", Some(p), false)).unwrap();
    let beside = env.path(FILE_NAME);
    assert_eq!(fs::read(&beside).unwrap(), p.bytes);
    #[cfg(unix)]
    assert_eq!(mode(&beside), 0o600);
    assert_eq!(r.page_sha256.as_deref(), Some(p.sha256));
    assert_eq!(r.page.as_deref(), Some(beside.to_string_lossy().as_ref()));
    let html = fs::read_to_string(env.path("kit.html")).unwrap();
    assert!(
        html.contains(p.sha256),
        "the sheet lacks the page's SHA-256"
    );

    // A second sheet: the page already there is the same one and stays.
    kit(&ctx, &opts("kit2.html", Some(p), false)).unwrap();
    // Another file where the page goes: refused before anything is written.
    let other = fake_page("other");
    let e = kit(&ctx, &opts("kit3.html", Some(other), false)).unwrap_err();
    assert_eq!(e.exit(), Exit::Usage);
    assert!(!env.path("kit3.html").exists());
    assert_eq!(fs::read(&beside).unwrap(), p.bytes);
    // A sheet named like the page is refused.
    let e = kit(&ctx, &opts(FILE_NAME, Some(p), true)).unwrap_err();
    assert_eq!(e.exit(), Exit::Usage);
    assert_eq!(fs::read(&beside).unwrap(), p.bytes);

    // Without a page: only the sheet, as before.
    let r = kit(&ctx, &opts("kit4.html", None, false)).unwrap();
    assert_eq!((r.page, r.page_sha256), (None, None));
    let html = fs::read_to_string(env.path("kit4.html")).unwrap();
    assert!(!html.contains("sha256sum airvault-recovery.html"));
}

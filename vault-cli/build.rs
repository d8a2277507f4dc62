//! Embeds the restore page in the `airvault` binary when the build is given one.
//!
//! `AIRVAULT_PAGE=/path/to/airvault-recovery.html cargo build -p vault-cli` (what
//! `release/build.sh` does) copies the page into the build and records its SHA-256; the
//! binary's `page` command then writes exactly those bytes. Without the variable the binary
//! has no page, and `airvault page` says how to get one: a plain build needs no wasm
//! toolchain. A relative path is taken from the workspace root.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The largest page accepted (web/build.sh keeps it under 430,000 bytes).
const MAX_PAGE_BYTES: u64 = 1_000_000;

fn main() {
    println!("cargo:rerun-if-env-changed=AIRVAULT_PAGE");
    println!("cargo:rerun-if-changed=build.rs");
    let out_dir = match env::var_os("OUT_DIR") {
        Some(d) => PathBuf::from(d),
        None => fail("OUT_DIR is not set"),
    };
    let generated = match env::var_os("AIRVAULT_PAGE").filter(|p| !p.is_empty()) {
        None => "/// No restore page was given to this build.\n\
                 pub const EMBEDDED: Option<EmbeddedPage> = None;\n"
            .to_owned(),
        Some(given) => {
            let path = resolve(Path::new(&given));
            println!("cargo:rerun-if-changed={}", path.display());
            let bytes = read_page(&path);
            let copy = out_dir.join("airvault-recovery.html");
            if let Err(e) = fs::write(&copy, &bytes) {
                fail(&format!("cannot write {}: {e}", copy.display()));
            }
            let mut sha = String::with_capacity(64);
            for b in Sha256::digest(&bytes) {
                let _ = write!(sha, "{b:02x}");
            }
            format!(
                "/// The restore page given to this build, and its SHA-256.\n\
                 pub const EMBEDDED: Option<EmbeddedPage> = Some(EmbeddedPage {{\n    \
                 bytes: include_bytes!(concat!(env!(\"OUT_DIR\"), \"/airvault-recovery.html\")),\n    \
                 sha256: \"{sha}\",\n}});\n"
            )
        }
    };
    let target = out_dir.join("embedded_page.rs");
    if let Err(e) = fs::write(&target, generated) {
        fail(&format!("cannot write {}: {e}", target.display()));
    }
}

/// `path` as given if absolute, else under the workspace root (the parent of this crate).
fn resolve(path: &Path) -> PathBuf {
    if path.is_absolute() {
        return path.to_path_buf();
    }
    let manifest = env::var_os("CARGO_MANIFEST_DIR").map_or_else(PathBuf::new, PathBuf::from);
    manifest.parent().unwrap_or(&manifest).join(path)
}

/// The page's bytes, refused unless it looks like the restore page web/build.sh writes.
fn read_page(path: &Path) -> Vec<u8> {
    match fs::metadata(path) {
        Ok(m) if m.len() > MAX_PAGE_BYTES => fail(&format!(
            "AIRVAULT_PAGE={} is larger than {MAX_PAGE_BYTES} bytes; it is not the restore page",
            path.display()
        )),
        Ok(_) => {}
        Err(e) => fail(&format!(
            "AIRVAULT_PAGE={}: {e} (build the page with web/build.sh, or unset AIRVAULT_PAGE)",
            path.display()
        )),
    }
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) => fail(&format!(
            "cannot read AIRVAULT_PAGE={}: {e}",
            path.display()
        )),
    };
    let text = String::from_utf8_lossy(&bytes);
    if !text.starts_with("<!DOCTYPE html>") || !text.contains("name=\"airvault-content-sha256\"") {
        fail(&format!(
            "AIRVAULT_PAGE={} is not an airvault restore page (web/build.sh writes one)",
            path.display()
        ));
    }
    bytes
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1)
}

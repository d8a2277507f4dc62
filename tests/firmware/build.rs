//! Puts `memory.x` where the linker (through cortex-m-rt's `link.x`) finds it, and
//! rebuilds the firmware when the board's memory map or the embedded backup changes.

use std::env;
use std::fs;
use std::io;
use std::path::PathBuf;

fn main() -> io::Result<()> {
    let out = env::var_os("OUT_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| io::Error::other("OUT_DIR is not set"))?;
    fs::copy("memory.x", out.join("memory.x"))?;
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-changed=data/backup.airvault");
    println!("cargo:rerun-if-changed=data/password.txt");
    println!("cargo:rerun-if-changed=data/argon2id-backup.airvault");
    println!("cargo:rerun-if-changed=data/argon2id-recovery-code.txt");
    Ok(())
}

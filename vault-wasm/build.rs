//! Embeds the format test vectors (`tests/vectors/*.airvault` + `*.json`, and the frozen
//! version-1 ones in `tests/vectors/v1/`) for the wasm
//! tests, which run in a browser or Node with no file system: writes
//! `$OUT_DIR/vectors.rs` with one `(name, bytes, json)` triple per vector. Only the tests
//! include it; the library does not.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let dir = manifest.join("..").join("tests").join("vectors");
    let mut out = String::from(
        "/// Every format test vector: (name, file bytes, expectation JSON); the frozen\n\
         /// format version 1 files are named `v1/NAME`.\n\
         pub const VECTORS: &[(&str, &[u8], &str)] = &[\n",
    );
    for (prefix, dir) in [("", dir.clone()), ("v1/", dir.join("v1"))] {
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut names: Vec<String> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|e| {
                let path = e.ok()?.path();
                (path.extension()? == "json")
                    .then(|| path.file_stem()?.to_str().map(String::from))?
            })
            .collect();
        names.sort();
        for name in &names {
            let bin = dir.join(format!("{name}.airvault"));
            let json = dir.join(format!("{name}.json"));
            println!("cargo:rerun-if-changed={}", bin.display());
            println!("cargo:rerun-if-changed={}", json.display());
            writeln!(
                out,
                "    ({:?}, include_bytes!({:?}), include_str!({:?})),",
                format!("{prefix}{name}"),
                bin.canonicalize().unwrap(),
                json.canonicalize().unwrap()
            )
            .unwrap();
        }
    }
    out.push_str("];\n");
    let dest = PathBuf::from(env::var("OUT_DIR").unwrap()).join("vectors.rs");
    fs::write(dest, out).unwrap();
}

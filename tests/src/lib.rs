//! Support for airvault's cross-crate tests: the deterministic generator of the format
//! test vectors, an independent re-implementation of the format's derivations used to
//! craft hostile files, and paths to shared test data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(missing_docs)]

use std::path::PathBuf;

pub mod fixtures;
pub mod forge;
pub mod vectors;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
        .to_path_buf()
}

/// `tests/vectors/`.
pub fn vectors_dir() -> PathBuf {
    workspace_root().join("tests").join("vectors")
}

//! Replays every input kept under `vault-core/fuzz/regressions/TARGET/` through the checks
//! of that fuzz target (`vault-core/fuzz/src/lib.rs`, shared with the cargo-fuzz targets),
//! so that an input that once made a target fail — and the hand-made hostile inputs kept
//! beside them — is checked by every `cargo test`, not only by a fuzzing run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../vault-core/fuzz/src/lib.rs"]
mod checks;

use std::fs;
use std::path::Path;

#[test]
fn every_kept_input_passes_its_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vault-core/fuzz/regressions");
    let mut replayed = 0;
    for dir in fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let target = dir.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            checks::TARGETS.contains(&target.as_str()),
            "regressions/{target}/ is not named after a fuzz target"
        );
        let mut files: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in files {
            let data = fs::read(&f).unwrap();
            let outcome = std::panic::catch_unwind(|| checks::run(&target, &data));
            assert!(outcome.is_ok(), "{target}: {} fails again", f.display());
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no inputs under {}", root.display());
    eprintln!("replayed {replayed} kept fuzz inputs");
}

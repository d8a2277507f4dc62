//! Writes the format test vectors to `tests/vectors/` (NAME.airvault + NAME.json),
//! removing vector files that are no longer generated.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;

fn main() {
    let dir = airvault_tests::vectors_dir();
    fs::create_dir_all(&dir).unwrap();
    let vectors = airvault_tests::vectors::generate();
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let ext = path.extension().map(|e| e.to_string_lossy().to_string());
        if matches!(ext.as_deref(), Some("airvault" | "json"))
            && !vectors.iter().any(|v| v.name == stem)
        {
            fs::remove_file(&path).unwrap();
        }
    }
    for v in &vectors {
        fs::write(dir.join(format!("{}.airvault", v.name)), &v.bytes).unwrap();
        let json = serde_json::to_string_pretty(&v.expectation).unwrap();
        fs::write(dir.join(format!("{}.json", v.name)), json + "\n").unwrap();
    }
    println!("wrote {} vectors to {}", vectors.len(), dir.display());
}

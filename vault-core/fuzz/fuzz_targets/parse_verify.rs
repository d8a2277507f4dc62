//! Any bytes: parsing and the keyless check never panic, and a file judged intact has
//! every record present and matching its checksum.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vault_core::{KdfLimits, VaultFile};

fuzz_target!(|data: &[u8]| {
    for limits in [KdfLimits::STANDARD, KdfLimits::insecure_test_only()] {
        if let Ok(file) = VaultFile::parse(data, &limits) {
            let report = file.verify();
            if report.is_intact() {
                assert!(file.records().all(|r| r.checksum_ok()));
                assert_eq!(report.actual_len, report.expected_len);
            }
            let _ = file.header().slots().count();
        }
    }
});

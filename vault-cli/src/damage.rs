//! What a keyless check found wrong with a file, in words.

use vault_core::Verification;

/// A short account of what a keyless check found wrong, e.g. `record 3 damaged, second
/// header copy missing`.
#[must_use]
pub fn describe_damage(v: &Verification) -> String {
    use vault_core::PartState;
    let mut parts = Vec::new();
    let state = |s: PartState| match s {
        PartState::Intact => None,
        PartState::Damaged => Some("damaged"),
        PartState::Missing => Some("missing"),
    };
    if let Some(s) = state(v.header_a) {
        parts.push(format!("first header copy {s}"));
    }
    if let Some(s) = state(v.header_b) {
        parts.push(format!("second header copy {s}"));
    }
    if v.records_damaged + v.records_missing > 0 {
        let list: Vec<String> = v.damaged.iter().map(u32::to_string).collect();
        parts.push(format!(
            "{} of {} records damaged or missing ({} {})",
            v.records_damaged + v.records_missing,
            v.records,
            if list.len() == 1 { "index" } else { "indices" },
            list.join(", ")
        ));
    }
    if let Some(s) = state(v.trailer) {
        parts.push(format!("trailer {s}"));
    }
    if v.actual_len != v.expected_len {
        parts.push(format!(
            "{} bytes where {} are expected{}",
            v.actual_len,
            v.expected_len,
            if v.is_truncated() { " (truncated)" } else { "" }
        ));
    }
    if parts.is_empty() {
        parts.push("not intact".to_owned());
    }
    parts.join(", ")
}

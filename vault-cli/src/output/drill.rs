//! What `drill` reports: one line per step, and the closing line.

use serde::Serialize;

/// One step of the drill.
#[derive(Clone, Debug, Serialize)]
pub struct DrillStepReport {
    /// Step number, from 1.
    pub step: usize,
    /// What the step does.
    pub name: String,
    /// Whether it passed.
    pub ok: bool,
    /// How long it took.
    pub millis: u64,
    /// What was seen (or what went wrong).
    pub detail: String,
}

/// The drill's verdict.
#[derive(Clone, Debug, Serialize)]
pub struct DrillReport {
    /// Whether every step passed.
    pub passed: bool,
    /// Steps run.
    pub steps: usize,
    /// Steps failed.
    pub failed: usize,
    /// Total time.
    pub millis: u64,
}

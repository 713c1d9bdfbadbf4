//! Failures the fail-closed tests inject into an engine.

use std::sync::atomic::AtomicBool;

/// Failures the tests inject into an engine.
#[derive(Default)]
pub(crate) struct Faults {
    /// Poison the raw parts after execution, as a panic while holding them would.
    pub(crate) poison_raw_parts: AtomicBool,
    /// Fail each statement of a plan-cache replay.
    pub(crate) fail_replay: AtomicBool,
}

//! Helpers shared by the TUI tests (and the demo's service tests).

use super::model::Serial;

/// The serial `n` (never 0 in a test).
pub fn s(n: u32) -> Serial {
    Serial::new(n).expect("a test serial is not 0")
}

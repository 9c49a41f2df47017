//! Fault injection: make the virtual key fail or vanish at the Nth APDU or
//! CTAPHID report, so tests can prove that a pulled key loses nothing.

use serde::{Deserialize, Serialize};

/// What happens when an armed fault fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FaultKind {
    /// The key answers with an error (APDU: SW 6F00; CTAPHID: ERR_OTHER) and stays present.
    Fail,
    /// The key is unplugged: this and every later exchange fails as "card removed"
    /// until it is plugged in again.
    Vanish,
}

/// A fault armed to fire at the `at`-th exchange (1-based) counted from arming.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    pub at: u64,
    pub kind: FaultKind,
}

/// Counts exchanges and says when an armed fault fires.
#[derive(Debug, Clone, Default)]
pub struct FaultPlan {
    armed: Option<Fault>,
    seen: u64,
    vanished: bool,
}

/// Outcome of one exchange under a fault plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Process normally.
    Go,
    /// Answer with an error.
    Fail,
    /// The key is gone.
    Gone,
}

impl FaultPlan {
    /// Arm a fault, resetting the exchange count.
    pub fn arm(&mut self, fault: Fault) {
        self.armed = Some(fault);
        self.seen = 0;
    }

    /// Plug the key back in: clears a vanish and any armed fault.
    pub fn replug(&mut self) {
        self.armed = None;
        self.seen = 0;
        self.vanished = false;
    }

    /// Whether the key is currently unplugged by a fault.
    #[must_use]
    pub fn vanished(&self) -> bool {
        self.vanished
    }

    /// Count one exchange and decide its fate.
    pub fn step(&mut self) -> Step {
        if self.vanished {
            return Step::Gone;
        }
        self.seen += 1;
        match self.armed {
            Some(f) if f.at == self.seen => {
                self.armed = None;
                match f.kind {
                    FaultKind::Fail => Step::Fail,
                    FaultKind::Vanish => {
                        self.vanished = true;
                        Step::Gone
                    }
                }
            }
            _ => Step::Go,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fires_once_at_the_nth_exchange_and_vanish_sticks() {
        let mut p = FaultPlan::default();
        p.arm(Fault {
            at: 3,
            kind: FaultKind::Fail,
        });
        assert_eq!(
            [p.step(), p.step(), p.step(), p.step()],
            [Step::Go, Step::Go, Step::Fail, Step::Go]
        );
        p.arm(Fault {
            at: 2,
            kind: FaultKind::Vanish,
        });
        assert_eq!(
            [p.step(), p.step(), p.step()],
            [Step::Go, Step::Gone, Step::Gone]
        );
        assert!(p.vanished());
        p.replug();
        assert_eq!(p.step(), Step::Go);
    }
}

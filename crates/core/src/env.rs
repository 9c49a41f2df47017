//! What the workflows take from the world, injected so tests are
//! deterministic: the clock, the random source, and who is working where.

use rand::{CryptoRng, RngCore};
use time::OffsetDateTime;

/// Wall-clock time in UTC.
pub trait Clock: Send + std::fmt::Debug {
    fn now(&self) -> OffsetDateTime;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that stands still unless moved (tests).
#[derive(Debug, Clone)]
pub struct FixedClock(pub std::sync::Arc<std::sync::Mutex<OffsetDateTime>>);

impl FixedClock {
    #[must_use]
    pub fn at(t: OffsetDateTime) -> Self {
        Self(std::sync::Arc::new(std::sync::Mutex::new(t)))
    }

    /// Move the clock forward.
    pub fn advance(&self, by: time::Duration) {
        let mut t = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *t += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A cryptographically secure random source.
pub trait SecureRng: RngCore + CryptoRng + Send + std::fmt::Debug {}
impl<T: RngCore + CryptoRng + Send + std::fmt::Debug> SecureRng for T {}

/// Who works where: written into every audit event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    /// The technician's account.
    pub actor: String,
    /// The counter workstation.
    pub workstation: String,
}

impl Operator {
    /// The logged-in user on this machine.
    #[must_use]
    pub fn from_system() -> Self {
        let actor = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "unknown".into());
        let workstation = std::fs::read_to_string("/etc/hostname")
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        Self {
            actor,
            workstation: if workstation.is_empty() {
                "unknown".into()
            } else {
                workstation
            },
        }
    }
}

/// This process as a journal owner: "workstation:pid:start", where start is
/// the process start time from /proc (so a reused pid is not mistaken for us).
#[must_use]
pub fn process_owner(workstation: &str) -> String {
    let pid = std::process::id();
    format!(
        "{workstation}:{pid}:{}",
        start_time(pid).unwrap_or_default()
    )
}

/// Process start time (clock ticks since boot), field 22 of /proc/PID/stat.
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may contain spaces; the fields after it are plain.
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(19)?
        .parse()
        .ok()
}

/// Whether a journal entry owned by `owner` belongs to an operation that is
/// still running in another live process on this workstation. Entries of this
/// very process are not running (a desk does one thing at a time), and
/// entries of other workstations or without an owner cannot be checked, so
/// they count as interrupted.
#[must_use]
pub fn runs_elsewhere(owner: &str, workstation: &str) -> bool {
    let mut parts = owner.rsplitn(3, ':');
    let (Some(start), Some(pid), Some(host)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    host == workstation
        && pid != std::process::id()
        && start_time(pid).is_some_and(|t| t.to_string() == start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_owner_runs_elsewhere_only_if_it_is_another_live_process_here() {
        let me = process_owner("counter-1");
        assert!(me.starts_with("counter-1:"), "{me}");
        assert!(
            !runs_elsewhere(&me, "counter-1"),
            "our own entries are not running"
        );
        // A live process started with this test: pid 1 is always alive (init).
        let init = format!("counter-1:1:{}", start_time(1).unwrap_or_default());
        assert!(runs_elsewhere(&init, "counter-1"));
        assert!(
            !runs_elsewhere(&init, "counter-2"),
            "other workstations cannot be checked"
        );
        let reused = "counter-1:1:999999999999";
        assert!(
            !runs_elsewhere(reused, "counter-1"),
            "a reused pid is not the owner"
        );
        assert!(!runs_elsewhere("", "counter-1"));
        assert!(!runs_elsewhere("counter-1:notapid:5", "counter-1"));
    }
}

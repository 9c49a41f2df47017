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

//! [`Desk`]: one counter's session over the inventory (and, for device
//! workflows, the keys). It owns the injected clock, random source, operator
//! and enrolment profile, and builds the audit context for every write.

use keydesk_store::{Ctx, Store};

use crate::env::{Clock, Operator, SecureRng};
use crate::profile::Profile;

/// Everything a workflow takes from outside the inventory.
#[derive(Debug)]
pub struct Env {
    pub clock: Box<dyn Clock>,
    pub rng: Box<dyn SecureRng>,
    pub operator: Operator,
    pub profile: Profile,
}

/// One counter's session.
#[derive(Debug)]
pub struct Desk {
    pub(crate) store: Store,
    pub(crate) env: Env,
}

impl Desk {
    /// A desk over an open store.
    #[must_use]
    pub fn new(store: Store, env: Env) -> Self {
        Self { store, env }
    }

    /// Read access to the inventory (search, lookups, exports).
    #[must_use]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The enrolment profile in force.
    #[must_use]
    pub fn profile(&self) -> &Profile {
        &self.env.profile
    }

    /// The audit context for a write happening now.
    pub(crate) fn ctx(&self) -> Ctx {
        Ctx::new(&self.env.operator.actor, &self.env.operator.workstation, self.env.clock.now())
    }
}

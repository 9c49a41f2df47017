//! [`Desk`]: one counter's session over the inventory (and, for device
//! workflows, the keys). It owns the injected clock, random source, operator
//! and enrolment profile, and builds the audit context for every write.

use keydesk_device::source::KeySource;
use keydesk_store::{Ctx, Store};

use crate::env::{Clock, Operator, SecureRng};
use crate::profile::{Profile, ProfileSource};

/// Everything a workflow takes from outside the inventory.
#[derive(Debug)]
pub struct Env {
    pub clock: Box<dyn Clock>,
    pub rng: Box<dyn SecureRng>,
    pub operator: Operator,
    pub profile: Profile,
    /// The attestation roots trusted: [`crate::Trust::for_profile`].
    pub trust: crate::Trust,
}

/// One counter's session.
pub struct Desk {
    pub(crate) store: Store,
    pub(crate) env: Env,
    pub(crate) keys: Box<dyn KeySource>,
    pub(crate) prompt: Prompter,
    /// Where journal records go that a shared inventory's server cannot
    /// take (see [`crate::journal::local`]).
    pub(crate) local: Option<crate::journal::local::LocalJournal>,
    /// The site the counter works for ([`Desk::work_for`]); on every event.
    pub(crate) site: Option<keydesk_types::SiteCode>,
    /// Where `env.profile` came from.
    pub(crate) profile_source: ProfileSource,
}

/// What the person at the counter must do now, reported while a step waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// Touch the key; it gives up after `remaining`.
    Touch {
        serial: keydesk_store::Serial,
        remaining: std::time::Duration,
    },
}

/// Where prompts go (the TUI shows them; the CLI prints them).
pub type Prompter = std::sync::Arc<dyn Fn(Prompt) + Send + Sync>;

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("store", &self.store)
            .field("env", &self.env)
            .finish_non_exhaustive()
    }
}

impl Desk {
    /// A desk over an open store and a source of keys.
    #[must_use]
    pub fn new(store: Store, env: Env, keys: Box<dyn KeySource>) -> Self {
        Self {
            store,
            env,
            keys,
            prompt: std::sync::Arc::new(|_| {}),
            local: None,
            site: None,
            profile_source: ProfileSource::BuiltIn,
        }
    }

    /// Say where the env's profile came from (a file, for [`Desk::open`]).
    #[must_use]
    pub fn with_profile_source(mut self, source: ProfileSource) -> Self {
        self.profile_source = source;
        self
    }

    /// Keep journal records the server cannot take in `local` instead of
    /// losing them (shared inventories; the app names a file per user).
    pub fn keep_locally(&mut self, local: crate::journal::local::LocalJournal) {
        self.local = Some(local);
    }

    /// Send prompts (touch the key...) to `prompter`.
    pub fn set_prompter(&mut self, prompter: Prompter) {
        self.prompt = prompter;
    }

    /// The keys plugged in now.
    ///
    /// # Errors
    /// When the smart-card service or HID enumeration fails.
    pub(crate) fn plugged_keys(&mut self) -> crate::Result<Vec<keydesk_device::keys::Key>> {
        Ok(self.keys.keys()?)
    }

    /// The enrolment profile in force.
    #[must_use]
    pub fn profile(&self) -> &Profile {
        &self.env.profile
    }

    /// The attestation roots in force (Yubico's first, then those the
    /// profile names).
    #[must_use]
    pub fn trusted_roots(&self) -> Vec<crate::TrustedRoot> {
        self.env.trust.roots()
    }

    /// Where the enrolment profile in force came from.
    #[must_use]
    pub fn profile_source(&self) -> &ProfileSource {
        &self.profile_source
    }

    /// The audit context for a write happening now.
    pub(crate) fn ctx(&self) -> Ctx {
        Ctx::new(
            &self.env.operator.actor,
            &self.env.operator.workstation,
            self.env.clock.now(),
        )
        .with_owner(crate::env::process_owner(&self.env.operator.workstation))
        .with_site(self.site.clone())
    }
}

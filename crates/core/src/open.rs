//! Opening a desk: the inventory, the office profile, the attestation roots
//! it names, and where the keys come from. This is the one way the app
//! builds a [`Desk`]; what may be combined with what is decided here.
//!
//! Virtual keys (training builds only) open only a training inventory, so a
//! simulated key can never enter an office's real one.

use rand::SeedableRng;

use crate::desk::{Desk, Env};
use crate::env::{Operator, SystemClock};
use crate::error::{CoreError, Result};
use crate::profile::{Profile, ProfileSource};
use crate::trust::Trust;

/// Where a desk's keys come from.
#[derive(Debug)]
pub enum Keys {
    /// The keys plugged into this workstation: PC/SC through pcscd, FIDO
    /// through hidraw.
    System,
    /// As `System`, with keydesk-sim CTAPHID sockets standing in for the FIDO
    /// HID devices (end-to-end tests and training through pcscd).
    #[cfg(feature = "sim")]
    SystemWithSockets(Vec<std::path::PathBuf>),
    /// Virtual keys in this process (demo, training, `--sim`). Their
    /// attestation root is trusted for this desk only.
    #[cfg(feature = "sim")]
    Virtual(crate::training::Drawer),
}

impl Keys {
    /// Whether the keys are simulated (and so need a training inventory).
    fn simulated(&self) -> bool {
        !matches!(self, Self::System)
    }
}

impl Desk {
    /// Open the inventory at `db` (created when new) with the office profile
    /// at `profile` (built-in defaults without one; [`Desk::work_for`] then
    /// takes the profile the inventory keeps for the counter's site) and
    /// `keys`.
    ///
    /// # Errors
    /// `Profile` when the profile or a root file it names cannot be read;
    /// `Store` when the inventory cannot be opened; `NotTraining` when
    /// simulated keys are asked for on a real inventory.
    pub fn open(
        db: &keydesk_store::DbLocation,
        profile: Option<&std::path::Path>,
        keys: Keys,
    ) -> Result<Self> {
        let (profile, profile_source) = match profile {
            Some(p) => (Profile::load(p)?, ProfileSource::File(p.to_path_buf())),
            None => (Profile::default(), ProfileSource::BuiltIn),
        };
        #[allow(unused_mut)] // only training builds add the simulator's root
        let mut trust = Trust::for_profile(&profile)?;
        let mut store = keydesk_store::Store::open_at(db)?;
        if keys.simulated() && !store.mark_training()? {
            return Err(CoreError::NotTraining { db: db.to_string() });
        }
        let source: Box<dyn keydesk_device::source::KeySource> = match keys {
            Keys::System => Box::new(keydesk_device::source::SystemKeys::new()),
            #[cfg(feature = "sim")]
            Keys::SystemWithSockets(sockets) => Box::new(
                keydesk_device::source::SystemKeys::with_hid_sockets(sockets),
            ),
            #[cfg(feature = "sim")]
            Keys::Virtual(drawer) => {
                trust.add_pem(
                    crate::training::SIM_ROOT_PEM,
                    crate::training::SIM_ROOT_SOURCE,
                )?;
                Box::new(drawer.source())
            }
        };
        let env = Env {
            clock: Box::new(SystemClock),
            rng: Box::new(rand::rngs::StdRng::from_entropy()),
            operator: Operator::from_system(),
            profile,
            trust,
        };
        Ok(Self::new(store, env, source).with_profile_source(profile_source))
    }
}

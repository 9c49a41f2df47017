//! Training mode (the `sim` feature): virtual YubiKeys for `keydesk demo`,
//! `--sim` and training at the counter. Never in a production build: without
//! the feature neither keydesk-sim nor its test CA is linked.
//!
//! A [`Drawer`] is the box of virtual keys on the training counter: they are
//! plugged in, pulled and plugged back like real ones, and the simulated
//! person touches a key a moment after it asks, so touch prompts are seen.

use std::sync::Arc;
use std::time::Duration;

pub use keydesk_device::sim_source::{SimKeys, SimTime};
use keydesk_sim::clock::SystemClock;
use keydesk_sim::key::SimKey;
pub use keydesk_sim::Firmware;
use keydesk_sim::{Identity, Touch};
use keydesk_types::Serial;

/// The simulator's TEST-ONLY attestation root (PEM): trusted for virtual
/// keys in this process, and by a profile that names it for tests through pcscd.
pub const SIM_ROOT_PEM: &str = keydesk_sim::card::TEST_ROOT_CA;

/// How the record names the simulator's root when it verified an enrolment.
pub const SIM_ROOT_SOURCE: &str = "keydesk-sim (training)";

/// The virtual keys of a training counter and the drawer they come from.
#[derive(Debug, Clone)]
pub struct Drawer {
    keys: SimKeys,
    drawer: Vec<(Serial, Firmware)>,
    /// How long the simulated person takes to touch a key that asks.
    touch_after: Duration,
}

impl Drawer {
    /// A drawer of factory-fresh keys (serial, firmware), none plugged in.
    #[must_use]
    pub fn new(drawer: Vec<(Serial, Firmware)>) -> Self {
        Self {
            keys: SimKeys::new(SimTime::Real),
            drawer,
            touch_after: Duration::from_millis(1500),
        }
    }

    /// The same drawer whose keys are touched at once (scripts, `--sim`).
    #[must_use]
    pub fn touched_at_once(mut self) -> Self {
        self.touch_after = Duration::ZERO;
        self
    }

    /// The key source a desk reads these keys through.
    #[must_use]
    pub fn source(&self) -> SimKeys {
        self.keys.clone()
    }

    /// Serial and firmware of every key in the drawer.
    #[must_use]
    pub fn keys(&self) -> &[(Serial, Firmware)] {
        &self.drawer
    }

    /// Plug in the drawer key `serial` (a new key, or back in with its state).
    /// `false` for a serial that is not in the drawer.
    pub fn plug(&self, serial: Serial) -> bool {
        if self.keys.replug(serial.get()) {
            return true;
        }
        let Some(&(_, fw)) = self.drawer.iter().find(|(s, _)| *s == serial) else {
            return false;
        };
        let touch = if self.touch_after.is_zero() {
            Touch::Auto
        } else {
            Touch::After(self.touch_after)
        };
        self.keys.plug(SimKey::with(
            Identity::yubikey_5_nfc(serial.get(), fw),
            touch,
            Arc::new(SystemClock::new()),
        ));
        true
    }

    /// Pull a key out (it keeps its state).
    pub fn unplug(&self, serial: Serial) -> bool {
        self.keys.unplug(serial.get())
    }

    /// Pull a key out and plug it straight back in (opens the FIDO reset window).
    pub fn replug(&self, serial: Serial) -> bool {
        self.keys.unplug(serial.get());
        self.keys.replug(serial.get())
    }

    /// Serials plugged in now, in plug-in order.
    #[must_use]
    pub fn plugged(&self) -> Vec<Serial> {
        // The simulator plugs only drawer keys, whose serials are never 0.
        self.keys
            .plugged()
            .into_iter()
            .filter_map(|n| Serial::new(n).ok())
            .collect()
    }
}

//! The FIDO2 authenticator of the virtual key: CTAPHID framing over 64-byte
//! reports and CTAP 2.1 commands, behaving as a YubiKey 5 of the chosen
//! firmware profile.
//!
//! # Transport contract
//!
//! [`Authenticator`] is driven with raw 64-byte CTAPHID reports (no report ID):
//! the host calls [`Authenticator::send_report`] for every output report and
//! [`Authenticator::recv_report`] to read input reports; `recv_report` returns
//! `None` when nothing is pending. Processing is synchronous and
//! deterministic: when the last report of a CTAPHID message arrives, the
//! message is processed and all response reports are queued.
//!
//! When a command needs user presence (makeCredential, getAssertion with
//! `up`, authenticatorReset), the [`Touch`] setting decides:
//! - [`Touch::Auto`]: touched at once, the response is queued immediately.
//! - [`Touch::After`]`(d)`: a KEEPALIVE (status UPNEEDED) is queued at once and
//!   the command completes on a later `recv_report` call once
//!   `clock.now() >= start + d`.
//! - [`Touch::Never`]: keepalives until a CTAPHID CANCEL arrives (answer
//!   `CTAP2_ERR_KEEPALIVE_CANCEL`) or 30 s pass on the clock (answer
//!   `CTAP2_ERR_USER_ACTION_TIMEOUT`).
//!
//! While waiting, `recv_report` returns one KEEPALIVE per 100 ms of clock time
//! (the first one at once) and `None` in between, so a client polls
//! `recv_report` while time passes: a [`crate::clock::ManualClock`] advanced by
//! the test in-process, the [`crate::clock::SystemClock`] under `serve`.
//!
//! Fault injection ([`Authenticator::arm_fault`]) counts host-to-device reports:
//! `Fail` answers that report with CTAPHID ERROR `ERR_OTHER` and drops the
//! message being assembled; `Vanish` drops it and every later report, and
//! `recv_report` returns `None` until [`Authenticator::replug`].
//!
//! Implemented: CTAPHID INIT, PING, MSG (U2F_VERSION only), WINK, CBOR,
//! CANCEL, KEEPALIVE, ERROR, Yubico's vendor READ CONFIG (0xC2, the
//! Management device info; see [`Authenticator::share_management`]); CTAP2 getInfo, makeCredential and getAssertion
//! (ES256, discoverable credentials, up/uv, excludeList/allowList,
//! getNextAssertion, extensions credProtect and hmac-secret, "packed" self
//! attestation), clientPIN (protocols 1 and 2), reset, selection (2.1),
//! credentialManagement and authenticatorConfig setMinPINLength.
//! Not implemented: U2F register/authenticate over MSG, enterprise
//! attestation, toggleAlwaysUv, largeBlobs, credBlob / largeBlobKey /
//! minPinLength extensions, EdDSA credentials, pinUvAuthToken expiry timers.
//!
//! Firmware differences (see [`crate::identity::Firmware`]):
//! - 5.4.3: versions `U2F_V2, FIDO_2_0, FIDO_2_1_PRE`; AAGUID
//!   cb69481e-8ff7-4039-93ec-0a2729a154a8; PIN/UV auth protocol 1 only;
//!   credential management only as the prototype command 0x41
//!   (`credentialMgmtPreview`); no authenticatorConfig, no minPINLength /
//!   forcePINChange in getInfo; reset window 5 s; 25 discoverable credentials.
//! - 5.7.1: versions `U2F_V2, FIDO_2_0, FIDO_2_1_PRE, FIDO_2_1`; AAGUID
//!   a25342c0-3cdc-4414-8e46-f4807fca511c; protocols 2 and 1; credential
//!   management 0x0A and 0x41; authenticatorConfig (setMinPINLength,
//!   forceChangePin); reset window 10 s; 100 discoverable credentials.

mod cbor;
mod client_pin;
mod config;
mod cred_mgmt;
mod credential;
mod crypto;
mod ctap2;
mod ctaphid;
mod extensions;
mod frame;
mod state;
pub mod status;
mod vendor;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::card::MgmtState;
use crate::clock::Clock;
use crate::fault::{Fault, FaultPlan, Step};
use crate::identity::{Firmware, Identity};
use crate::touch::Touch;

pub use frame::{Report, REPORT_LEN};
pub use state::{AuthenticatorState, StoredCredential};

/// How long a command waits for touch before `CTAP2_ERR_USER_ACTION_TIMEOUT`.
pub const TOUCH_TIMEOUT: Duration = Duration::from_secs(30);
/// Interval between KEEPALIVE reports while waiting for touch.
pub const KEEPALIVE_INTERVAL: Duration = Duration::from_millis(100);

/// Per-firmware facts of the FIDO2 application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Profile {
    pub firmware: Firmware,
}

impl Profile {
    /// Whether the firmware implements CTAP 2.1 final (config, protocol 2, 0x0A).
    pub fn ctap21(self) -> bool {
        matches!(self.firmware, Firmware::V5_7_1)
    }

    /// How long after power-up authenticatorReset is accepted. Yubico: 5 s
    /// before firmware 5.5.2, 10 s from 5.5.4 on.
    pub fn reset_window(self) -> Duration {
        if self.ctap21() {
            Duration::from_secs(10)
        } else {
            Duration::from_secs(5)
        }
    }

    /// How many discoverable credentials fit.
    pub fn max_resident(self) -> usize {
        if self.ctap21() {
            100
        } else {
            25
        }
    }

    /// The AAGUID a YubiKey 5 NFC of this firmware reports.
    pub fn aaguid(self) -> [u8; 16] {
        let hex = match self.firmware {
            Firmware::V5_4_3 => "cb69481e8ff7403993ec0a2729a154a8",
            Firmware::V5_7_1 => "a25342c03cdc44148e46f4807fca511c",
        };
        let mut out = [0u8; 16];
        if let Ok(v) = hex::decode(hex) {
            out.copy_from_slice(&v);
        }
        out
    }

    /// PIN/UV auth protocols, preferred first.
    pub fn pin_protocols(self) -> &'static [u8] {
        if self.ctap21() {
            &[2, 1]
        } else {
            &[1]
        }
    }
}

/// A virtual FIDO2 authenticator behind the 64-byte CTAPHID report transport.
#[derive(Debug)]
pub struct Authenticator {
    pub(crate) profile: Profile,
    pub(crate) identity: Identity,
    pub(crate) state: AuthenticatorState,
    pub(crate) touch: Touch,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) faults: FaultPlan,
    pub(crate) dirty: bool,
    /// Clock time of the last power-up (start of the reset window).
    pub(crate) powered_at: Duration,
    pub(crate) hid: ctaphid::Hid,
    pub(crate) pin: client_pin::Volatile,
    pub(crate) cursors: ctap2::Cursors,
    /// Management settings for Yubico's READ CONFIG (shared with the card).
    pub(crate) mgmt: vendor::MgmtView,
}

impl Authenticator {
    /// A factory-fresh authenticator, just plugged in at `clock.now()`.
    #[must_use]
    pub fn new(identity: &Identity, touch: Touch, clock: Arc<dyn Clock>) -> Self {
        let profile = Profile {
            firmware: identity.firmware,
        };
        let state = AuthenticatorState::factory(profile.aaguid());
        Self::from_state(identity, state, touch, clock)
    }

    /// An authenticator with persisted state, just plugged in at `clock.now()`.
    #[must_use]
    pub fn from_state(
        identity: &Identity,
        state: AuthenticatorState,
        touch: Touch,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let powered_at = clock.now();
        Self {
            profile: Profile {
                firmware: identity.firmware,
            },
            identity: identity.clone(),
            state,
            touch,
            clock,
            faults: FaultPlan::default(),
            dirty: false,
            powered_at,
            hid: ctaphid::Hid::default(),
            pin: client_pin::Volatile::new(),
            cursors: ctap2::Cursors::default(),
            mgmt: vendor::factory_view(identity),
        }
    }

    /// The identity this authenticator belongs to.
    #[must_use]
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// Host to device: one output report (no report ID).
    pub fn send_report(&mut self, report: &[u8; REPORT_LEN]) {
        match self.faults.step() {
            Step::Gone => {}
            Step::Fail => self.hid_fail(report),
            Step::Go => self.hid_input(report),
        }
    }

    /// Device to host: the next input report, or `None` when nothing is pending.
    pub fn recv_report(&mut self) -> Option<[u8; REPORT_LEN]> {
        if self.faults.vanished() {
            return None;
        }
        self.hid_poll()
    }

    /// Power cycle: a new reset window from `clock.now()`, channels, pending
    /// commands and the PIN power-cycle block cleared, fresh key agreement
    /// key and PIN token.
    pub fn replug(&mut self) {
        self.faults.replug();
        self.powered_at = self.clock.now();
        self.hid = ctaphid::Hid::default();
        self.pin = client_pin::Volatile::new();
        self.cursors = ctap2::Cursors::default();
    }

    /// Report the Management settings of the key's card in Yubico's READ
    /// CONFIG (0xC2) from now on, so that both interfaces give the same
    /// device info. Without it the authenticator reports factory settings.
    pub fn share_management(&mut self, view: Arc<Mutex<MgmtState>>) {
        self.mgmt = view;
    }

    /// Change how the touch sensor behaves from now on.
    pub fn set_touch(&mut self, touch: Touch) {
        self.touch = touch;
    }

    /// Arm a fault counted in host-to-device reports from now on.
    pub fn arm_fault(&mut self, fault: Fault) {
        self.faults.arm(fault);
    }

    /// Whether the key is currently unplugged by a `Vanish` fault.
    #[must_use]
    pub fn vanished(&self) -> bool {
        self.faults.vanished()
    }

    /// A copy of the persistent state (what survives an unplug).
    #[must_use]
    pub fn state(&self) -> AuthenticatorState {
        self.state.clone()
    }

    /// Whether the persistent state changed since the last [`Self::clear_dirty`].
    #[must_use]
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// Mark the persistent state as saved.
    pub fn clear_dirty(&mut self) {
        self.dirty = false;
    }
}

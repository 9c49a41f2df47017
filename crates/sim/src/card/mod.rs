//! The smart-card side of the virtual key: ISO 7816 APDUs routed by SELECT
//! to the Management, PIV and OTP applications.
//!
//! [`Card::transmit`] takes one command APDU (short or extended) and returns
//! the response data followed by SW1 SW2, exactly what a reader would see.
//! Around the applications the card implements what every Yubico CCID
//! application shares: command chaining (CLA bit 0x10), responses longer
//! than 256 bytes split into 61xx chunks fetched with GET RESPONSE (INS C0),
//! power and reset handling, and fault injection ([`crate::fault`]).
//!
//! The persistent part ([`CardState`]: keys, PINs, counters, data objects,
//! enabled applications) is serde-serializable so that a key can be saved
//! and plugged in again (see [`crate::key::SimKey`]).

pub mod apdu;
pub(crate) mod mgmt;
mod otp;
pub mod piv;
pub mod tlv;

use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use crate::fault::{Fault, FaultPlan, Step};
use crate::identity::Identity;
use crate::touch::Touch;
use apdu::{sw, Command};

pub use mgmt::MgmtState;
pub use otp::OtpState;
pub use piv::{PivState, TEST_ROOT_CA};

/// ATR of a YubiKey 5 NFC over USB CCID.
pub const ATR: [u8; 23] = [
    0x3B, 0xFD, 0x13, 0x00, 0x00, 0x81, 0x31, 0xFE, 0x15, 0x80, 0x73, 0xC0, 0x21, 0xC0, 0x57, 0x59,
    0x75, 0x62, 0x69, 0x4B, 0x65, 0x79, 0x40,
];

/// Largest response chunk before the card answers 61xx.
const CHUNK: usize = 256;

/// The card was unplugged by an injected fault; nothing was processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the virtual card was removed")]
pub struct CardGone;

/// Everything the card keeps across power cycles.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CardState {
    pub mgmt: MgmtState,
    pub piv: PivState,
    pub otp: OtpState,
}

impl CardState {
    /// Factory state for `identity`, with fresh secrets from the OS RNG.
    #[must_use]
    pub fn factory(identity: &Identity) -> Self {
        Self {
            mgmt: MgmtState::factory(identity),
            piv: PivState::factory(identity),
            otp: OtpState::default(),
        }
    }
}

/// Which application is selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum App {
    Mgmt,
    Piv,
    Otp,
}

const AID_MGMT: &[u8] = &[0xA0, 0x00, 0x00, 0x05, 0x27, 0x47, 0x11, 0x17];
const AID_OTP: &[u8] = &[0xA0, 0x00, 0x00, 0x05, 0x27, 0x20, 0x01];
/// PIV AID prefix (PIX may follow).
const AID_PIV: &[u8] = &[0xA0, 0x00, 0x00, 0x03, 0x08];

/// One virtual smart card (the CCID interface of a YubiKey 5).
#[derive(Debug)]
pub struct Card {
    identity: Identity,
    state: CardState,
    selected: Option<App>,
    piv_session: piv::Session,
    chain: Option<(u8, Vec<u8>)>,
    pending: Vec<u8>,
    fault: FaultPlan,
    touch: Touch,
    dirty: bool,
    /// The Management settings as the FIDO interface reads them (READ CONFIG).
    mgmt_view: Arc<Mutex<MgmtState>>,
}

impl Card {
    /// A card in factory state.
    #[must_use]
    pub fn new(identity: Identity) -> Self {
        let state = CardState::factory(&identity);
        Self::from_state(identity, state)
    }

    /// A card with saved state, freshly plugged in.
    #[must_use]
    pub fn from_state(identity: Identity, state: CardState) -> Self {
        let mgmt_view = Arc::new(Mutex::new(state.mgmt.clone()));
        Self {
            identity,
            state,
            selected: None,
            piv_session: piv::Session::default(),
            chain: None,
            pending: Vec::new(),
            fault: FaultPlan::default(),
            touch: Touch::Auto,
            dirty: false,
            mgmt_view,
        }
    }

    /// Who this card is.
    #[must_use]
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The persistent state (to save it).
    #[must_use]
    pub fn state(&self) -> &CardState {
        &self.state
    }

    /// The Management settings, kept current, for the FIDO interface of the
    /// same key (see [`crate::fido::Authenticator::share_management`]).
    #[must_use]
    pub fn management_view(&self) -> Arc<Mutex<MgmtState>> {
        Arc::clone(&self.mgmt_view)
    }

    /// Whether the persistent state changed since the last call (and clear the flag).
    pub fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    /// Answer to reset.
    #[must_use]
    pub fn atr(&self) -> Vec<u8> {
        ATR.to_vec()
    }

    /// Power off: volatile state (selection, PIN verified, management key
    /// authenticated, pending responses) is lost.
    pub fn power_off(&mut self) {
        self.selected = None;
        self.piv_session = piv::Session::default();
        self.chain = None;
        self.pending.clear();
    }

    /// Power on (state as after power-off).
    pub fn power_on(&mut self) {
        self.power_off();
    }

    /// Warm reset: like a power cycle.
    pub fn reset(&mut self) {
        self.power_off();
    }

    /// Arm a fault for a later APDU (counted from now).
    pub fn arm_fault(&mut self, fault: Fault) {
        self.fault.arm(fault);
    }

    /// Plug the card back in after a vanish fault (power-cycles it).
    pub fn replug(&mut self) {
        self.fault.replug();
        self.power_off();
    }

    /// Set how the touch sensor behaves.
    pub fn set_touch(&mut self, touch: Touch) {
        self.touch = touch;
    }

    /// Process one command APDU; returns response data followed by SW1 SW2.
    ///
    /// # Errors
    /// [`CardGone`] when an injected fault has unplugged the card.
    pub fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, CardGone> {
        match self.fault.step() {
            Step::Gone => return Err(CardGone),
            Step::Fail => return Ok(sw_only(sw::NO_PRECISE_DIAGNOSIS)),
            Step::Go => {}
        }
        let Some(cmd) = Command::parse(apdu) else {
            return Ok(sw_only(sw::WRONG_LENGTH));
        };
        if cmd.ins == 0xC0 && cmd.cla & 0x10 == 0 {
            return Ok(self.next_chunk());
        }
        self.pending.clear();
        let reply = self.chained(cmd);
        Ok(match reply {
            Ok(data) => {
                self.pending = data;
                self.next_chunk()
            }
            Err(code) => sw_only(code),
        })
    }

    /// Collect chained commands; run the command when the chain ends.
    fn chained(&mut self, mut cmd: Command) -> apdu::Reply {
        if cmd.cla & 0x10 != 0 {
            match &mut self.chain {
                Some((ins, buf)) if *ins == cmd.ins => buf.extend_from_slice(&cmd.data),
                _ => self.chain = Some((cmd.ins, cmd.data)),
            }
            return Ok(Vec::new());
        }
        if let Some((ins, mut buf)) = self.chain.take() {
            if ins == cmd.ins {
                buf.extend_from_slice(&cmd.data);
                cmd.data = buf;
            }
        }
        cmd.cla &= !0x10;
        if cmd.cla != 0 {
            return Err(sw::CLA_NOT_SUPPORTED);
        }
        self.dispatch(&cmd)
    }

    fn dispatch(&mut self, cmd: &Command) -> apdu::Reply {
        if cmd.ins == 0xA4 && cmd.p1 == 0x04 {
            return self.select(cmd);
        }
        match self.selected {
            None => Err(sw::INS_NOT_SUPPORTED),
            Some(App::Mgmt) => {
                let out = mgmt::handle(&self.identity, &mut self.state.mgmt, cmd, &mut self.dirty);
                *self
                    .mgmt_view
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = self.state.mgmt.clone();
                if out.reboot {
                    self.power_off();
                }
                out.reply
            }
            Some(App::Otp) => otp::handle(&self.identity, &self.state.otp, cmd),
            Some(App::Piv) => piv::Piv {
                id: &self.identity,
                st: &mut self.state.piv,
                sess: &mut self.piv_session,
                touch: self.touch,
                dirty: &mut self.dirty,
            }
            .handle(cmd),
        }
    }

    fn select(&mut self, cmd: &Command) -> apdu::Reply {
        let aid = cmd.data.as_slice();
        let (app, reply) = if aid == AID_MGMT {
            (App::Mgmt, Ok(mgmt::select(&self.identity)))
        } else if aid == AID_OTP {
            (App::Otp, Ok(otp::status(&self.identity, &self.state.otp)))
        } else if aid.len() >= AID_PIV.len() && aid.starts_with(AID_PIV) {
            (App::Piv, Ok(piv::select_response()))
        } else {
            return Err(sw::FILE_NOT_FOUND);
        };
        if self.selected != Some(app) {
            self.piv_session = piv::Session::default();
        }
        self.selected = Some(app);
        reply
    }

    /// Hand out the next ≤256-byte chunk of the pending response.
    fn next_chunk(&mut self) -> Vec<u8> {
        let n = self.pending.len().min(CHUNK);
        let mut out: Vec<u8> = self.pending.drain(..n).collect();
        let left = self.pending.len();
        if left == 0 {
            out.extend_from_slice(&sw::OK.to_be_bytes());
        } else {
            out.push(0x61);
            out.push(u8::try_from(left).unwrap_or(0));
        }
        out
    }
}

fn sw_only(code: u16) -> Vec<u8> {
    code.to_be_bytes().to_vec()
}

//! The OTP application over CCID (AID A0 00 00 05 27 20 01): status on
//! SELECT (version, programming sequence, touch level with slot flags) and
//! the serial number, as yubikit's `YubiOtpSession` reads them. Slots ship
//! unconfigured; programming them is not simulated.

use serde::{Deserialize, Serialize};

use super::apdu::{sw, Command, Reply};
use crate::identity::Identity;

/// Persistent OTP state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtpState {
    /// Programming sequence number.
    pub prog_seq: u8,
    pub slot1_configured: bool,
    pub slot2_configured: bool,
}

/// Status bytes: version (3), programming sequence, touch level (LE u16,
/// low bits CFGSTATE: 0x01 slot 1 valid, 0x02 slot 2 valid).
#[must_use]
pub fn status(identity: &Identity, st: &OtpState) -> Vec<u8> {
    let (a, b, c) = identity.firmware.version();
    let flags = u16::from(st.slot1_configured) | (u16::from(st.slot2_configured) << 1);
    let [lo, hi] = flags.to_le_bytes();
    vec![a, b, c, st.prog_seq, lo, hi]
}

/// Handle one OTP command: INS 01 with slot 10 (device serial), INS 03 (status).
pub fn handle(identity: &Identity, st: &OtpState, cmd: &Command) -> Reply {
    match (cmd.ins, cmd.p1) {
        (0x01, 0x10) => Ok(identity.serial.to_be_bytes().to_vec()),
        (0x03, _) => Ok(status(identity, st)),
        (0x01, _) => Err(sw::CONDITIONS),
        _ => Err(sw::INS_NOT_SUPPORTED),
    }
}

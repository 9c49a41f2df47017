//! The Management application (AID A0 00 00 05 27 47 11 17): version on
//! SELECT, GET DEVICE INFO (INS 1D) and WRITE CONFIG (INS 1C) for the
//! enabled applications, as ykman's `ManagementSession` uses them.

use serde::{Deserialize, Serialize};

use super::apdu::{sw, Command, Reply};
use super::tlv;
use crate::identity::Identity;

/// Capability bits (yubikit `CAPABILITY`).
pub mod cap {
    pub const OTP: u16 = 0x01;
    pub const U2F: u16 = 0x02;
    pub const OPENPGP: u16 = 0x08;
    pub const PIV: u16 = 0x10;
    pub const OATH: u16 = 0x20;
    pub const FIDO2: u16 = 0x200;
    /// Everything a YubiKey 5 offers.
    pub const ALL: u16 = OTP | U2F | OPENPGP | PIV | OATH | FIDO2;
}

const TAG_USB_SUPPORTED: u32 = 0x01;
const TAG_SERIAL: u32 = 0x02;
const TAG_USB_ENABLED: u32 = 0x03;
const TAG_FORM_FACTOR: u32 = 0x04;
const TAG_VERSION: u32 = 0x05;
const TAG_AUTO_EJECT: u32 = 0x06;
const TAG_CHALRESP_TIMEOUT: u32 = 0x07;
const TAG_DEVICE_FLAGS: u32 = 0x08;
const TAG_CONFIG_LOCK: u32 = 0x0A;
const TAG_REBOOT: u32 = 0x0C;
const TAG_NFC_SUPPORTED: u32 = 0x0D;
const TAG_NFC_ENABLED: u32 = 0x0E;

/// Persistent Management settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MgmtState {
    /// Enabled applications over USB (capability bits).
    pub usb_enabled: u16,
    /// Enabled applications over NFC.
    pub nfc_enabled: u16,
    pub auto_eject_timeout: u16,
    pub chalresp_timeout: u8,
    pub device_flags: u8,
}

impl MgmtState {
    /// Everything enabled, as shipped.
    #[must_use]
    pub fn factory(identity: &Identity) -> Self {
        Self {
            usb_enabled: cap::ALL,
            nfc_enabled: if identity.nfc { cap::ALL } else { 0 },
            auto_eject_timeout: 0,
            chalresp_timeout: 15,
            device_flags: 0,
        }
    }
}

/// Result of a Management command: the reply and whether the key reboots.
#[derive(Debug)]
pub struct Outcome {
    pub reply: Reply,
    pub reboot: bool,
}

/// SELECT response: the firmware version as ASCII, e.g. "5.7.1".
#[must_use]
pub fn select(identity: &Identity) -> Vec<u8> {
    identity.firmware.to_string().into_bytes()
}

/// Handle one Management command.
pub fn handle(identity: &Identity, st: &mut MgmtState, cmd: &Command, dirty: &mut bool) -> Outcome {
    let reply = match cmd.ins {
        0x1D => Ok(device_info(identity, st)),
        0x1C => return write_config(identity, st, &cmd.data, dirty),
        _ => Err(sw::INS_NOT_SUPPORTED),
    };
    Outcome {
        reply,
        reboot: false,
    }
}

/// GET DEVICE INFO: one length byte, then TLVs (yubikit `DeviceInfo.parse`).
#[must_use]
pub fn device_info(identity: &Identity, st: &MgmtState) -> Vec<u8> {
    let (a, b, c) = identity.firmware.version();
    let mut body = Vec::new();
    body.extend(tlv::tlv(TAG_USB_SUPPORTED, &cap::ALL.to_be_bytes()));
    body.extend(tlv::tlv(TAG_SERIAL, &identity.serial.to_be_bytes()));
    body.extend(tlv::tlv(TAG_USB_ENABLED, &st.usb_enabled.to_be_bytes()));
    body.extend(tlv::tlv(TAG_FORM_FACTOR, &[identity.form_factor as u8]));
    body.extend(tlv::tlv(TAG_VERSION, &[a, b, c]));
    body.extend(tlv::tlv(
        TAG_AUTO_EJECT,
        &st.auto_eject_timeout.to_be_bytes(),
    ));
    body.extend(tlv::tlv(TAG_CHALRESP_TIMEOUT, &[st.chalresp_timeout]));
    body.extend(tlv::tlv(TAG_DEVICE_FLAGS, &[st.device_flags]));
    body.extend(tlv::tlv(TAG_CONFIG_LOCK, &[0]));
    if identity.nfc {
        body.extend(tlv::tlv(TAG_NFC_SUPPORTED, &cap::ALL.to_be_bytes()));
        body.extend(tlv::tlv(TAG_NFC_ENABLED, &st.nfc_enabled.to_be_bytes()));
    }
    let mut out = vec![u8::try_from(body.len()).unwrap_or(u8::MAX)];
    out.extend(body);
    out
}

fn be_u16(v: &[u8]) -> Option<u16> {
    match v {
        [x] => Some(u16::from(*x)),
        [x, y] => Some(u16::from_be_bytes([*x, *y])),
        _ => None,
    }
}

fn write_config(identity: &Identity, st: &mut MgmtState, data: &[u8], dirty: &mut bool) -> Outcome {
    let fail = |code| Outcome {
        reply: Err(code),
        reboot: false,
    };
    let Some((&len, body)) = data.split_first() else {
        return fail(sw::WRONG_LENGTH);
    };
    if usize::from(len) != body.len() {
        return fail(sw::WRONG_LENGTH);
    }
    let Some(tlvs) = tlv::parse(body) else {
        return fail(sw::INCORRECT_DATA);
    };
    let mut new = st.clone();
    let mut reboot = false;
    for (tag, value) in &tlvs {
        match *tag {
            TAG_USB_ENABLED => match be_u16(value) {
                Some(v) if v & !cap::ALL == 0 && v != 0 => new.usb_enabled = v,
                _ => return fail(sw::INCORRECT_DATA),
            },
            TAG_NFC_ENABLED if identity.nfc => match be_u16(value) {
                Some(v) if v & !cap::ALL == 0 => new.nfc_enabled = v,
                _ => return fail(sw::INCORRECT_DATA),
            },
            TAG_AUTO_EJECT => match be_u16(value) {
                Some(v) => new.auto_eject_timeout = v,
                None => return fail(sw::INCORRECT_DATA),
            },
            TAG_CHALRESP_TIMEOUT => match value.as_slice() {
                [v] => new.chalresp_timeout = *v,
                _ => return fail(sw::INCORRECT_DATA),
            },
            TAG_DEVICE_FLAGS => match value.as_slice() {
                [v] => new.device_flags = *v,
                _ => return fail(sw::INCORRECT_DATA),
            },
            TAG_REBOOT => reboot = true,
            // Setting or using a configuration lock code is not simulated.
            TAG_CONFIG_LOCK | 0x0B => return fail(sw::CONDITIONS),
            _ => return fail(sw::INCORRECT_DATA),
        }
    }
    if new != *st {
        *st = new;
        *dirty = true;
    }
    Outcome {
        reply: Ok(Vec::new()),
        reboot,
    }
}

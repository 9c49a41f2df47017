//! The OTP application over CCID (AID A0 00 00 05 27 20 01): slot status
//! (version, programming sequence, which slots are configured and whether
//! they trigger on touch) and the serial, which firmware 4.x exposes only here.

use keydesk_types::Serial;
use serde::{Deserialize, Serialize};

use crate::apdu::Apdus;
use crate::error::{DeviceError, Result};
use crate::management::Version;
use crate::transport::CardTransport;

/// AID of the OTP application.
pub const AID: &[u8] = &[0xA0, 0x00, 0x00, 0x05, 0x27, 0x20, 0x01];

const INS_CONFIG: u8 = 0x01;
const INS_STATUS: u8 = 0x03;
const SLOT_DEVICE_SERIAL: u8 = 0x10;

const SLOT1_VALID: u16 = 0x01;
const SLOT2_VALID: u16 = 0x02;
const SLOT1_TOUCH: u16 = 0x04;
const SLOT2_TOUCH: u16 = 0x08;

/// OTP slot status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtpStatus {
    pub version: Version,
    pub prog_seq: u8,
    pub slot1_configured: bool,
    pub slot2_configured: bool,
    pub slot1_touch: bool,
    pub slot2_touch: bool,
}

impl OtpStatus {
    /// Parse the 6-byte status (version, sequence, touch level LE).
    ///
    /// # Errors
    /// `Malformed` when shorter than 6 bytes.
    pub fn parse(b: &[u8]) -> Result<Self> {
        match b {
            [a, m, p, seq, lo, hi, ..] => {
                let f = u16::from_le_bytes([*lo, *hi]);
                Ok(Self {
                    version: Version(*a, *m, *p),
                    prog_seq: *seq,
                    slot1_configured: f & SLOT1_VALID != 0,
                    slot2_configured: f & SLOT2_VALID != 0,
                    slot1_touch: f & SLOT1_TOUCH != 0,
                    slot2_touch: f & SLOT2_TOUCH != 0,
                })
            }
            _ => Err(DeviceError::Malformed {
                command: "OTP status",
                detail: format!("{} bytes", b.len()),
            }),
        }
    }
}

/// An OTP session on one card.
#[derive(Debug)]
pub struct Otp<'t> {
    apdus: Apdus<'t>,
    status: OtpStatus,
}

impl<'t> Otp<'t> {
    /// SELECT OTP (the answer is the status).
    ///
    /// # Errors
    /// `Unsupported` when the OTP application is absent or disabled over USB.
    pub fn open(transport: &'t mut dyn CardTransport) -> Result<Self> {
        let mut apdus = Apdus::new(transport);
        let resp = apdus.select(AID, "OTP")?;
        let status = OtpStatus::parse(&resp)?;
        Ok(Self { apdus, status })
    }

    /// Status as of SELECT.
    #[must_use]
    pub fn status(&self) -> OtpStatus {
        self.status
    }

    /// Read the status again.
    ///
    /// # Errors
    /// Transport errors.
    pub fn read_status(&mut self) -> Result<OtpStatus> {
        let r = self.apdus.send("OTP STATUS", (0, INS_STATUS, 0, 0), &[])?;
        self.status = OtpStatus::parse(&r)?;
        Ok(self.status)
    }

    /// The serial number; `None` when the key hides it.
    ///
    /// # Errors
    /// Transport errors.
    pub fn serial(&mut self) -> Result<Option<Serial>> {
        let (r, s) =
            self.apdus
                .send_raw("OTP SERIAL", (0, INS_CONFIG, SLOT_DEVICE_SERIAL, 0), &[])?;
        match (s, r.as_slice()) {
            (crate::apdu::sw::OK, [a, b, c, d]) => Ok(Serial::from_be_bytes([*a, *b, *c, *d])),
            (crate::apdu::sw::OK, _) => Err(DeviceError::Malformed {
                command: "OTP SERIAL",
                detail: format!("{} bytes", r.len()),
            }),
            (crate::apdu::sw::CONDITIONS | crate::apdu::sw::SECURITY_STATUS, _) => Ok(None),
            (s, _) => Err(crate::apdu::status_error("OTP SERIAL", s)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_flags() {
        let s = OtpStatus::parse(&[5, 7, 1, 3, 0x05, 0x00]).unwrap();
        assert_eq!(s.version, Version(5, 7, 1));
        assert_eq!(s.prog_seq, 3);
        assert!(s.slot1_configured && !s.slot2_configured && s.slot1_touch && !s.slot2_touch);
        assert!(OtpStatus::parse(&[5, 7]).is_err());
    }
}

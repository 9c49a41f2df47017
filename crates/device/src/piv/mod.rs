//! The PIV application (NIST SP 800-73-4 plus Yubico's extensions) over
//! our own APDU layer: a [`Piv`] session on one card with PIN/PUK handling,
//! management-key authentication ([`mgmkey`]), key generation and signing
//! ([`keys`]), certificates and CSRs ([`cert`]) and the full reset.
//!
//! Why not the `yubikey` crate: docs/decisions/0002-piv-apdus.md.

pub mod cert;
pub mod keys;
pub mod mgmkey;
mod pin;

use keydesk_types::{Secret, Serial, Slot};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::apdu::{sw, tlv, Apdus, Format};
use crate::error::{DeviceError, Needs, PinRefusal, PivFeature, Result};
use crate::management::Version;
use crate::transport::CardTransport;

pub use keys::{min_version, PublicKey, SlotMetadata};
pub use mgmkey::{ManagementKey, MgmtKeyType};

/// PIV AID (with Yubico's PIX as yubikit sends it).
pub const AID: &[u8] = &[0xA0, 0x00, 0x00, 0x03, 0x08];

pub(crate) const INS_VERIFY: u8 = 0x20;
pub(crate) const INS_CHANGE_REFERENCE: u8 = 0x24;
pub(crate) const INS_RESET_RETRY: u8 = 0x2C;
pub(crate) const INS_GET_DATA: u8 = 0xCB;
pub(crate) const INS_PUT_DATA: u8 = 0xDB;
pub(crate) const INS_GET_METADATA: u8 = 0xF7;
pub(crate) const INS_SET_PIN_RETRIES: u8 = 0xFA;
pub(crate) const INS_RESET: u8 = 0xFB;
pub(crate) const INS_GET_VERSION: u8 = 0xFD;
pub(crate) const INS_GET_SERIAL: u8 = 0xF8;

const P2_PIN: u8 = 0x80;
const P2_PUK: u8 = 0x81;

/// Data objects keydesk uses.
pub mod object {
    /// Printed information: ykman stores the PIN-protected management key here.
    pub const PRINTED: u32 = 0x5F_C1_09;
    /// ykman's admin data (flags: PUK blocked, management key stored).
    pub const ADMIN_DATA: u32 = 0x5F_FF_00;
    /// Certificate of the F9 attestation key.
    pub const ATTESTATION: u32 = 0x5F_FF_01;
}

/// The data object that holds the certificate of `slot`.
#[must_use]
pub fn certificate_object(slot: Slot) -> u32 {
    match slot {
        Slot::Authentication => 0x5F_C1_05,
        Slot::Signature => 0x5F_C1_0A,
        Slot::KeyManagement => 0x5F_C1_0B,
        Slot::CardAuth => 0x5F_C1_01,
        // 82..95 keep theirs in 5FC10D..5FC120 (SP 800-73-4, part 1, table 3).
        Slot::Retired(r) => 0x5F_C1_0C + u32::from(r.number()),
        Slot::Attestation => object::ATTESTATION,
    }
}

/// Retry counters of the PIN or PUK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retries {
    pub total: Option<u8>,
    pub remaining: u8,
    /// Whether it is still the factory default (known only from metadata, 5.3+).
    pub is_default: Option<bool>,
}

/// An open PIV session on one card.
#[derive(Debug)]
pub struct Piv<'t> {
    pub(crate) apdus: Apdus<'t>,
    version: Version,
}

impl<'t> Piv<'t> {
    /// SELECT PIV and read its version (extended APDUs from 4.0, as yubikit).
    ///
    /// # Errors
    /// `Unsupported` when PIV is absent or disabled; transport errors.
    pub fn open(transport: &'t mut dyn CardTransport) -> Result<Self> {
        let mut apdus = Apdus::new(transport);
        apdus.select(AID, "PIV")?;
        let v = apdus.send("GET VERSION", (0, INS_GET_VERSION, 0, 0), &[])?;
        let version = match v.as_slice() {
            [a, b, c, ..] => Version(*a, *b, *c),
            _ => {
                return Err(DeviceError::Malformed {
                    command: "GET VERSION",
                    detail: format!("{} bytes", v.len()),
                })
            }
        };
        if version >= Version(4, 0, 0) {
            apdus.set_format(Format::Extended);
        }
        Ok(Self { apdus, version })
    }

    /// PIV application version (= firmware on YubiKey 5).
    #[must_use]
    pub fn version(&self) -> Version {
        self.version
    }

    /// APDUs exchanged in this session so far.
    #[must_use]
    pub fn apdus_sent(&self) -> u64 {
        self.apdus.sent()
    }

    pub(crate) fn require(&self, v: Version, feature: PivFeature) -> Result<()> {
        if self.version >= v {
            Ok(())
        } else {
            Err(DeviceError::Unsupported {
                needs: Needs::PivFirmware {
                    version: v,
                    feature,
                    has: self.version,
                },
            })
        }
    }

    /// Serial number (GET SERIAL, firmware 5.0+).
    ///
    /// # Errors
    /// `Unsupported` before 5.0.
    pub fn serial(&mut self) -> Result<Serial> {
        self.require(Version(5, 0, 0), PivFeature::SerialThroughPiv)?;
        let r = self
            .apdus
            .send("GET SERIAL", (0, INS_GET_SERIAL, 0, 0), &[])?;
        match r.as_slice() {
            [a, b, c, d] => Serial::from_be_bytes([*a, *b, *c, *d]).ok_or(DeviceError::Malformed {
                command: "GET SERIAL",
                detail: "serial 0".into(),
            }),
            _ => Err(DeviceError::Malformed {
                command: "GET SERIAL",
                detail: format!("{} bytes", r.len()),
            }),
        }
    }

    /// Map a PIN/PUK status word: `63Cx` and `6983` name the reference used.
    fn reference_error(command: &'static str, status: u16, puk: bool) -> DeviceError {
        match (status, puk) {
            (0x63C0..=0x63CF, false) => DeviceError::WrongPin {
                tries_left: (status & 0xF) as u8,
            },
            (0x63C0..=0x63CF, true) => DeviceError::WrongPuk {
                tries_left: (status & 0xF) as u8,
            },
            (sw::AUTH_BLOCKED, false) => DeviceError::PinBlocked,
            (sw::AUTH_BLOCKED, true) => DeviceError::PukBlocked,
            (s, _) => crate::apdu::status_error(command, s),
        }
    }

    /// VERIFY the PIN.
    ///
    /// # Errors
    /// `WrongPin { tries_left }`, `PinBlocked`.
    pub fn verify_pin(&mut self, pin: &Secret) -> Result<()> {
        let data = pin::padded(pin)?;
        let (_, s) = self
            .apdus
            .send_raw("VERIFY", (0, INS_VERIFY, 0, P2_PIN), data.as_slice())?;
        match s {
            sw::OK => Ok(()),
            s => Err(Self::reference_error("VERIFY", s, false)),
        }
    }

    fn metadata_retries(&mut self, p2: u8) -> Result<Retries> {
        let data = self
            .apdus
            .send("GET METADATA", (0, INS_GET_METADATA, 0, p2), &[])?;
        let retries = tlv::find(&data, 0x06)?;
        let default = tlv::find(&data, 0x05)?;
        match retries {
            Some([total, remaining]) => Ok(Retries {
                total: Some(*total),
                remaining: *remaining,
                is_default: default.map(|d| d.first().is_some_and(|b| *b != 0)),
            }),
            _ => Err(DeviceError::Malformed {
                command: "GET METADATA",
                detail: "no retry counters".into(),
            }),
        }
    }

    /// PIN retries: from metadata on 5.3+, else from an empty VERIFY
    /// (which does not use up a try).
    ///
    /// # Errors
    /// Transport errors.
    pub fn pin_retries(&mut self) -> Result<Retries> {
        if self.version >= Version(5, 3, 0) {
            return self.metadata_retries(P2_PIN);
        }
        let (_, s) = self
            .apdus
            .send_raw("VERIFY", (0, INS_VERIFY, 0, P2_PIN), &[])?;
        let remaining = match s {
            sw::OK => 3,
            0x63C0..=0x63CF => (s & 0xF) as u8,
            sw::AUTH_BLOCKED => 0,
            s => return Err(crate::apdu::status_error("VERIFY", s)),
        };
        Ok(Retries {
            total: None,
            remaining,
            is_default: None,
        })
    }

    /// PUK retries (metadata, firmware 5.3+).
    ///
    /// # Errors
    /// `Unsupported` before 5.3.
    pub fn puk_retries(&mut self) -> Result<Retries> {
        self.require(Version(5, 3, 0), PivFeature::PukRetries)?;
        self.metadata_retries(P2_PUK)
    }

    fn change_reference(
        &mut self,
        command: &'static str,
        ins: u8,
        p2: u8,
        old: &Secret,
        new: &Secret,
    ) -> Result<()> {
        let mut data = zeroize::Zeroizing::new(Vec::with_capacity(16));
        data.extend_from_slice(pin::padded(old)?.as_slice());
        data.extend_from_slice(pin::padded(new)?.as_slice());
        let (_, s) = self.apdus.send_raw(command, (0, ins, 0, p2), &data)?;
        match s {
            sw::OK => Ok(()),
            s => Err(Self::reference_error(
                command,
                s,
                p2 == P2_PUK || ins == INS_RESET_RETRY,
            )),
        }
    }

    /// CHANGE REFERENCE DATA for the PIN.
    ///
    /// # Errors
    /// `PinPolicy` for a bad new PIN, `WrongPin`, `PinBlocked`.
    pub fn change_pin(&mut self, old: &Secret, new: &Secret) -> Result<()> {
        pin::check_new(new)?;
        self.change_reference("CHANGE PIN", INS_CHANGE_REFERENCE, P2_PIN, old, new)
    }

    /// CHANGE REFERENCE DATA for the PUK.
    ///
    /// # Errors
    /// `PinPolicy`, `WrongPuk`, `PukBlocked`.
    pub fn change_puk(&mut self, old: &Secret, new: &Secret) -> Result<()> {
        pin::check_new(new)?;
        self.change_reference("CHANGE PUK", INS_CHANGE_REFERENCE, P2_PUK, old, new)
    }

    /// RESET RETRY COUNTER: unblock the PIN with the PUK and set a new PIN.
    ///
    /// # Errors
    /// `PinPolicy`, `WrongPuk`, `PukBlocked`.
    pub fn unblock_pin(&mut self, puk: &Secret, new_pin: &Secret) -> Result<()> {
        pin::check_new(new_pin)?;
        self.change_reference("UNBLOCK PIN", INS_RESET_RETRY, P2_PIN, puk, new_pin)
    }

    /// Set the PIN and PUK try counts. Needs the management key and the PIN;
    /// the key then resets PIN and PUK to their factory values (123456 /
    /// 12345678), so change them afterwards.
    ///
    /// # Errors
    /// `AccessDenied` without authentication.
    pub fn set_retries(&mut self, pin_tries: u8, puk_tries: u8) -> Result<()> {
        if pin_tries == 0 || puk_tries == 0 {
            return Err(DeviceError::PinPolicy {
                reason: PinRefusal::ZeroRetries,
            });
        }
        self.apdus.send(
            "SET PIN RETRIES",
            (0, INS_SET_PIN_RETRIES, pin_tries, puk_tries),
            &[],
        )?;
        Ok(())
    }

    /// GET DATA of one object; `None` when the key does not have it. Wiped
    /// on drop: the printed-information object holds a management key.
    ///
    /// # Errors
    /// `AccessDenied` for PIN-protected objects without the PIN.
    pub fn get_object(&mut self, id: u32) -> Result<Option<Zeroizing<Vec<u8>>>> {
        let req = tlv::encode(0x5C, &id.to_be_bytes()[1..]);
        let (resp, s) = self
            .apdus
            .send_raw("GET DATA", (0, INS_GET_DATA, 0x3F, 0xFF), &req)?;
        match s {
            sw::OK => Ok(Some(Zeroizing::new(tlv::unpack(0x53, &resp)?.to_vec()))),
            sw::FILE_NOT_FOUND => Ok(None),
            s => Err(crate::apdu::status_error("GET DATA", s)),
        }
    }

    /// PUT DATA of one object (needs the management key); `data` may be
    /// secret (the PIN-protected management key), so is the command.
    ///
    /// # Errors
    /// `AccessDenied` without authentication.
    pub fn put_object(&mut self, id: u32, data: &[u8]) -> Result<()> {
        let req = tlv::concat_secret(&[
            &tlv::encode(0x5C, &id.to_be_bytes()[1..]),
            &tlv::encode_secret(0x53, data),
        ]);
        self.apdus
            .send("PUT DATA", (0, INS_PUT_DATA, 0x3F, 0xFF), &req)?;
        Ok(())
    }

    /// Reset the PIV application: block PIN and PUK with wrong tries, then
    /// RESET. Everything in PIV is wiped (keys, certificates, PIN, PUK and
    /// management key back to factory values).
    ///
    /// # Errors
    /// Transport errors; `Status` if the key refuses the reset.
    pub fn reset(&mut self) -> Result<()> {
        // An empty PIN/PUK (8 x 0xFF on the wire, as ykman sends): never
        // valid, since PINs and PUKs have at least 6 characters.
        let wrong = Secret::new("");
        for _ in 0..16 {
            match self.verify_pin(&wrong) {
                Err(DeviceError::PinBlocked | DeviceError::WrongPin { tries_left: 0 }) => break,
                Err(DeviceError::WrongPin { .. }) | Ok(()) => {}
                Err(e) => return Err(e),
            }
        }
        for _ in 0..16 {
            match self.change_reference("UNBLOCK PIN", INS_RESET_RETRY, P2_PIN, &wrong, &wrong) {
                Err(DeviceError::PukBlocked | DeviceError::WrongPuk { tries_left: 0 }) => break,
                Err(DeviceError::WrongPuk { .. }) | Ok(()) => {}
                Err(e) => return Err(e),
            }
        }
        self.apdus.send("RESET", (0, INS_RESET, 0, 0), &[])?;
        Ok(())
    }
}

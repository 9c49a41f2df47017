//! The Management application (AID A0 00 00 05 27 47 11 17): firmware
//! version on SELECT, GET DEVICE INFO (serial, form factor, FIPS/SKY flags,
//! supported and enabled applications per transport, configuration lock)
//! and WRITE CONFIG to switch applications on or off over USB.

use keydesk_types::Serial;
use serde::{Deserialize, Serialize};

use crate::apdu::{tlv, Apdus};
use crate::error::{DeviceError, Needs, Result};
use crate::transport::CardTransport;

/// AID of the Management application.
pub const AID: &[u8] = &[0xA0, 0x00, 0x00, 0x05, 0x27, 0x47, 0x11, 0x17];

const INS_READ_CONFIG: u8 = 0x1D;
const INS_WRITE_CONFIG: u8 = 0x1C;

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

/// A firmware version (major.minor.patch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Version(pub u8, pub u8, pub u8);

impl Version {
    /// Parse the first "a.b.c" found in `text` (Management SELECT answers
    /// with text such as "5.7.1" or "Virtual mgr - FW version 5.4.3").
    #[must_use]
    pub fn find_in(text: &str) -> Option<Self> {
        text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .filter_map(|w| {
                let mut it = w.split('.').map(str::parse::<u8>);
                match (it.next(), it.next(), it.next()) {
                    (Some(Ok(a)), Some(Ok(b)), Some(Ok(c))) => Some(Self(a, b, c)),
                    _ => None,
                }
            })
            .next()
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// A set of applications (yubikit `CAPABILITY` bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Capabilities(pub u16);

impl Capabilities {
    pub const OTP: u16 = 0x01;
    pub const U2F: u16 = 0x02;
    pub const OPENPGP: u16 = 0x08;
    pub const PIV: u16 = 0x10;
    pub const OATH: u16 = 0x20;
    pub const HSMAUTH: u16 = 0x100;
    pub const FIDO2: u16 = 0x200;

    /// Whether all bits of `cap` are in the set.
    #[must_use]
    pub fn has(self, cap: u16) -> bool {
        self.0 & cap == cap
    }

    /// Names of the applications in the set, in a fixed order.
    #[must_use]
    pub fn names(self) -> Vec<&'static str> {
        [
            (Self::OTP, "OTP"),
            (Self::U2F, "FIDO U2F"),
            (Self::FIDO2, "FIDO2"),
            (Self::OATH, "OATH"),
            (Self::PIV, "PIV"),
            (Self::OPENPGP, "OpenPGP"),
            (Self::HSMAUTH, "YubiHSM Auth"),
        ]
        .into_iter()
        .filter(|(b, _)| self.has(*b))
        .map(|(_, n)| n)
        .collect()
    }
}

/// Form factor as GET DEVICE INFO reports it (low nibble of tag 0x04).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FormFactor {
    Unknown,
    UsbAKeychain,
    UsbANano,
    UsbCKeychain,
    UsbCNano,
    UsbCLightning,
    UsbABio,
    UsbCBio,
}

impl FormFactor {
    /// From the raw code (FIPS/SKY flag bits ignored).
    #[must_use]
    pub fn from_code(code: u8) -> Self {
        match code & 0x0F {
            0x01 => Self::UsbAKeychain,
            0x02 => Self::UsbANano,
            0x03 => Self::UsbCKeychain,
            0x04 => Self::UsbCNano,
            0x05 => Self::UsbCLightning,
            0x06 => Self::UsbABio,
            0x07 => Self::UsbCBio,
            _ => Self::Unknown,
        }
    }

    /// The raw code (as in PIV attestation's form-factor extension).
    #[must_use]
    pub fn code(self) -> u8 {
        match self {
            Self::Unknown => 0,
            Self::UsbAKeychain => 1,
            Self::UsbANano => 2,
            Self::UsbCKeychain => 3,
            Self::UsbCNano => 4,
            Self::UsbCLightning => 5,
            Self::UsbABio => 6,
            Self::UsbCBio => 7,
        }
    }
}

/// What GET DEVICE INFO tells about a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    /// `None` when the key hides its serial (or reports 0).
    pub serial: Option<Serial>,
    pub version: Version,
    pub form_factor: FormFactor,
    pub fips: bool,
    /// Security Key series (FIDO only, no PIV).
    pub sky: bool,
    pub usb_supported: Capabilities,
    pub usb_enabled: Capabilities,
    /// `None` without NFC.
    pub nfc_supported: Option<Capabilities>,
    pub nfc_enabled: Option<Capabilities>,
    pub config_locked: bool,
    pub auto_eject_timeout: u16,
    pub chalresp_timeout: u8,
    pub device_flags: u8,
}

fn be_uint(v: &[u8]) -> u32 {
    v.iter().take(4).fold(0, |a, b| (a << 8) | u32::from(*b))
}

impl DeviceInfo {
    /// Parse a GET DEVICE INFO answer (one length byte, then TLVs);
    /// `select_version` is used when the answer has no version tag.
    ///
    /// # Errors
    /// `Malformed` when the encoding is broken.
    pub fn parse(resp: &[u8], select_version: Version) -> Result<Self> {
        let malformed = |detail: String| DeviceError::Malformed {
            command: "GET DEVICE INFO",
            detail,
        };
        let (&len, body) = resp
            .split_first()
            .ok_or_else(|| malformed("empty answer".into()))?;
        let body = body
            .get(..usize::from(len))
            .ok_or_else(|| malformed(format!("length byte {len} exceeds the answer")))?;
        let tlvs = tlv::parse_all(body)?;
        let get = |tag: u32| tlvs.iter().find(|(t, _)| *t == tag).map(|(_, v)| *v);
        let num = |tag: u32| get(tag).map(be_uint).unwrap_or(0);
        let version = match get(TAG_VERSION) {
            Some([a, b, c, ..]) => Version(*a, *b, *c),
            _ => select_version,
        };
        let ff = num(TAG_FORM_FACTOR) as u8;
        let yk4 = version >= Version(4, 0, 0) && version < Version(5, 0, 0);
        let usb_supported = if version == Version(4, 2, 4) {
            Capabilities(0x3F)
        } else {
            Capabilities(num(TAG_USB_SUPPORTED) as u16)
        };
        let usb_enabled = match get(TAG_USB_ENABLED) {
            Some(v) if !yk4 => Capabilities(be_uint(v) as u16),
            _ => usb_supported,
        };
        let nfc_supported = get(TAG_NFC_SUPPORTED).map(|v| Capabilities(be_uint(v) as u16));
        let nfc_enabled = get(TAG_NFC_ENABLED).map(|v| Capabilities(be_uint(v) as u16));
        Ok(Self {
            serial: Serial::new(num(TAG_SERIAL)).ok(),
            version,
            form_factor: FormFactor::from_code(ff),
            fips: ff & 0x80 != 0,
            sky: ff & 0x40 != 0,
            usb_supported,
            usb_enabled,
            nfc_supported,
            nfc_enabled,
            config_locked: get(TAG_CONFIG_LOCK) == Some(&[1u8][..]),
            auto_eject_timeout: num(TAG_AUTO_EJECT) as u16,
            chalresp_timeout: num(TAG_CHALRESP_TIMEOUT) as u8,
            device_flags: num(TAG_DEVICE_FLAGS) as u8,
        })
    }

    /// A model name as ykman prints it, e.g. "YubiKey 5 NFC".
    #[must_use]
    pub fn model(&self) -> String {
        let base = if self.sky {
            "Security Key"
        } else if self.version.0 >= 5 {
            "YubiKey 5"
        } else if self.version.0 == 4 {
            "YubiKey 4"
        } else {
            "YubiKey"
        };
        let mut name = base.to_owned();
        match self.form_factor {
            FormFactor::UsbANano | FormFactor::UsbCNano => {
                if self.form_factor == FormFactor::UsbCNano {
                    name.push('C');
                }
                name.push_str(" Nano");
            }
            FormFactor::UsbCKeychain => name.push('C'),
            FormFactor::UsbCLightning => name.push_str("Ci"),
            _ => {}
        }
        if self.nfc_supported.is_some_and(|c| c.0 != 0) {
            name.push_str(" NFC");
        }
        if self.fips {
            name.push_str(" FIPS");
        }
        name
    }
}

/// A Management session on one card.
#[derive(Debug)]
pub struct Management<'t> {
    apdus: Apdus<'t>,
    version: Version,
}

impl<'t> Management<'t> {
    /// SELECT the Management application.
    ///
    /// # Errors
    /// `Unsupported` on keys without it, transport errors.
    pub fn open(transport: &'t mut dyn CardTransport) -> Result<Self> {
        let mut apdus = Apdus::new(transport);
        let resp = apdus.select(AID, "Management")?;
        let version = Version::find_in(&String::from_utf8_lossy(&resp)).ok_or_else(|| {
            DeviceError::Malformed {
                command: "SELECT Management",
                detail: "no firmware version in the answer".into(),
            }
        })?;
        Ok(Self { apdus, version })
    }

    /// APDUs exchanged so far.
    #[must_use]
    pub fn apdus_sent(&self) -> u64 {
        self.apdus.sent()
    }

    /// Firmware version from SELECT.
    #[must_use]
    pub fn version(&self) -> Version {
        self.version
    }

    /// GET DEVICE INFO (firmware 4.1 and later).
    ///
    /// # Errors
    /// `Unsupported` before 4.1, transport and parse errors.
    pub fn device_info(&mut self) -> Result<DeviceInfo> {
        if self.version < Version(4, 1, 0) {
            return Err(DeviceError::Unsupported {
                needs: Needs::DeviceInfoFirmware,
            });
        }
        let resp = self
            .apdus
            .send("GET DEVICE INFO", (0, INS_READ_CONFIG, 0, 0), &[])?;
        DeviceInfo::parse(&resp, self.version)
    }

    /// WRITE CONFIG with the applications enabled over USB; with `reboot`
    /// the key restarts (and disconnects) so the change takes effect.
    ///
    /// # Errors
    /// `Unsupported` before 5.0, `Status` when the config is locked.
    pub fn set_usb_enabled(&mut self, enabled: Capabilities, reboot: bool) -> Result<()> {
        if self.version < Version(5, 0, 0) {
            return Err(DeviceError::Unsupported {
                needs: Needs::SwitchFirmware,
            });
        }
        let mut body = Vec::new();
        if reboot {
            body.extend(tlv::encode(TAG_REBOOT, &[]));
        }
        body.extend(tlv::encode(TAG_USB_ENABLED, &enabled.0.to_be_bytes()));
        let mut data = vec![body.len() as u8];
        data.extend(body);
        self.apdus
            .send("WRITE CONFIG", (0, INS_WRITE_CONFIG, 0, 0), &data)?;
        Ok(())
    }

    /// Switch the OTP application over USB on or off (rebooting the key if
    /// anything changes). Returns whether a change was written.
    ///
    /// # Errors
    /// `Unsupported` when the key has no OTP application or is config-locked.
    pub fn set_otp_usb(&mut self, on: bool) -> Result<bool> {
        let info = self.device_info()?;
        if !info.usb_supported.has(Capabilities::OTP) {
            return Err(DeviceError::Unsupported {
                needs: Needs::OtpApplication,
            });
        }
        if info.config_locked {
            return Err(DeviceError::Unsupported {
                needs: Needs::UnlockedConfig,
            });
        }
        let now = info.usb_enabled.has(Capabilities::OTP);
        if now == on {
            return Ok(false);
        }
        let bits = if on {
            info.usb_enabled.0 | Capabilities::OTP
        } else {
            info.usb_enabled.0 & !Capabilities::OTP
        };
        self.set_usb_enabled(Capabilities(bits), true)?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let body = [
            tlv::encode(0x01, &[0x02, 0x3F]),
            tlv::encode(0x02, &12_345_678u32.to_be_bytes()),
            tlv::encode(0x03, &[0x02, 0x3A]),
            tlv::encode(0x04, &[0x81]),
            tlv::encode(0x05, &[5, 7, 1]),
            tlv::encode(0x0A, &[0]),
            tlv::encode(0x0D, &[0x02, 0x3F]),
            tlv::encode(0x0E, &[0x02, 0x3F]),
        ]
        .concat();
        let mut out = vec![body.len() as u8];
        out.extend(body);
        out
    }

    #[test]
    fn parses_device_info() {
        let i = DeviceInfo::parse(&sample(), Version(5, 0, 0)).unwrap();
        assert_eq!(i.serial, Some(Serial::new(12_345_678).unwrap()));
        assert_eq!(i.version, Version(5, 7, 1));
        assert_eq!(i.form_factor, FormFactor::UsbAKeychain);
        assert!(i.fips && !i.sky && !i.config_locked);
        assert!(i.usb_supported.has(Capabilities::OTP));
        assert!(!i.usb_enabled.has(Capabilities::OTP));
        assert!(i.usb_enabled.has(Capabilities::PIV | Capabilities::FIDO2));
        assert_eq!(i.nfc_enabled, Some(Capabilities(0x23F)));
        assert_eq!(i.model(), "YubiKey 5 NFC FIPS");
    }

    #[test]
    fn hidden_serial_and_version_fallback() {
        let body = tlv::encode(0x04, &[0x03]);
        let mut resp = vec![body.len() as u8];
        resp.extend(body);
        let i = DeviceInfo::parse(&resp, Version(5, 2, 7)).unwrap();
        assert_eq!(i.serial, None);
        assert_eq!(i.version, Version(5, 2, 7));
        assert_eq!(i.model(), "YubiKey 5C");
        assert!(DeviceInfo::parse(&[9, 1], Version(5, 0, 0)).is_err());
    }

    #[test]
    fn version_from_select_text() {
        assert_eq!(Version::find_in("5.7.1"), Some(Version(5, 7, 1)));
        assert_eq!(
            Version::find_in("Virtual mgr - FW version 5.4.3"),
            Some(Version(5, 4, 3))
        );
        assert_eq!(Version::find_in("none"), None);
        assert_eq!(
            Capabilities(0x213).names(),
            vec!["OTP", "FIDO U2F", "FIDO2", "PIV"]
        );
    }
}

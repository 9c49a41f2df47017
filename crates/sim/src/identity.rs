//! Who the virtual key is: serial, firmware, form factor and which
//! applications it offers. Chosen per key; persisted with its state.

use serde::{Deserialize, Serialize};

/// Firmware profile of a virtual key. The profile decides defaults and
/// which commands exist, as on the hardware.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Firmware {
    /// 5.4.3: PIV management key default 3DES; no MOVE/DELETE KEY, no RSA-3072/4096, no Ed25519.
    V5_4_3,
    /// 5.7.1: PIV management key default AES-192; RSA-3072/4096, Ed25519/X25519, MOVE/DELETE KEY.
    V5_7_1,
}

impl Firmware {
    /// Major, minor, patch as the Management and PIV applications report it.
    #[must_use]
    pub fn version(self) -> (u8, u8, u8) {
        match self {
            Self::V5_4_3 => (5, 4, 3),
            Self::V5_7_1 => (5, 7, 1),
        }
    }
}

impl std::str::FromStr for Firmware {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "5.4.3" => Ok(Self::V5_4_3),
            "5.7.1" => Ok(Self::V5_7_1),
            other => Err(format!(
                "unknown firmware profile {other:?}: use 5.4.3 or 5.7.1"
            )),
        }
    }
}

impl std::fmt::Display for Firmware {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (a, b, c) = self.version();
        write!(f, "{a}.{b}.{c}")
    }
}

/// Form factor codes as GET DEVICE INFO reports them (tag 0x04).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FormFactor {
    UsbAKeychain = 0x01,
    UsbANano = 0x02,
    UsbCKeychain = 0x03,
    UsbCNano = 0x04,
    UsbCLightning = 0x05,
}

/// The fixed facts of one virtual key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// Serial number printed on the key and reported by Management/PIV/OTP.
    pub serial: u32,
    pub firmware: Firmware,
    pub form_factor: FormFactor,
    /// Whether the key has NFC (YubiKey 5 NFC) besides USB.
    pub nfc: bool,
}

impl Identity {
    /// A YubiKey 5 NFC (USB-A keychain) with the given serial and firmware.
    #[must_use]
    pub fn yubikey_5_nfc(serial: u32, firmware: Firmware) -> Self {
        Self {
            serial,
            firmware,
            form_factor: FormFactor::UsbAKeychain,
            nfc: true,
        }
    }
}

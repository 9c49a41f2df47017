//! Yubico's vendor CTAPHID command READ CONFIG (0xC2), which answers with
//! the same device info as the Management application's GET DEVICE INFO
//! (serial, firmware, form factor, applications). It ties a FIDO HID
//! interface to the key's serial, so the HID and CCID interfaces of one
//! YubiKey group into one key. Other vendors' keys do not implement it.

use crate::error::{DeviceError, Needs, Result};
use crate::fido::ctap2::FidoKey;
use crate::management::{DeviceInfo, Version};

/// CTAPHID vendor command: Yubico READ CONFIG (vendor first 0x40 + 2, init bit set).
pub const CTAPHID_YUBIKEY_READ_CONFIG: u8 = 0xC2;

impl FidoKey {
    /// The YubiKey's device info over FIDO HID (firmware 4.1 and later).
    /// `Unsupported` on keys that do not implement the vendor command.
    pub fn yubikey_device_info(&mut self) -> Result<DeviceInfo> {
        let (a, b, c) = self.init_info().version;
        let answer = self
            .hid
            .transact(CTAPHID_YUBIKEY_READ_CONFIG, &[])
            .map_err(|e| match e {
                DeviceError::Unsupported { .. } => DeviceError::Unsupported {
                    needs: Needs::FidoHidSerial,
                },
                other => other,
            })?;
        DeviceInfo::parse(&answer, Version(a, b, c))
    }
}

//! [`HidTransport`] over hidapi (hidraw on Linux) for real FIDO keys.
//! Output reports carry report ID 0 in front of the 64 CTAPHID bytes.

use std::ffi::CString;
use std::time::Duration;

use crate::error::{DeviceError, Result};
use crate::fido::discovery::FidoDevice;
use crate::transport::{HidTransport, Report, HID_REPORT_LEN};

/// An open hidraw device.
pub struct HidapiTransport {
    device: hidapi::HidDevice,
    path: String,
}

impl std::fmt::Debug for HidapiTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HidapiTransport")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl HidapiTransport {
    /// Open `device`. Missing permissions give `DeviceError::Hid` with advice.
    pub fn open(device: &FidoDevice) -> Result<Self> {
        let api = hidapi::HidApi::new()
            .map_err(|e| DeviceError::Hid(format!("cannot start hidapi: {e}")))?;
        let c_path = CString::new(device.path.clone())
            .map_err(|_| DeviceError::Hid(format!("invalid device path {:?}", device.path)))?;
        let handle = api.open_path(&c_path).map_err(|e| {
            DeviceError::Hid(format!(
                "cannot open {} ({e}); is this user allowed to use it (udev rule for FIDO keys, e.g. the libfido2 or libu2f-udev package)",
                device.path
            ))
        })?;
        Ok(Self {
            device: handle,
            path: device.path.clone(),
        })
    }
}

impl HidTransport for HidapiTransport {
    fn send(&mut self, report: &Report) -> Result<()> {
        let mut buf = [0u8; HID_REPORT_LEN + 1];
        buf[1..].copy_from_slice(report);
        match self.device.write(&buf) {
            Ok(_) => Ok(()),
            Err(e) => {
                log::debug!("hid write to {} failed: {e}", self.path);
                Err(DeviceError::KeyRemoved)
            }
        }
    }

    fn recv(&mut self, timeout: Duration) -> Result<Option<Report>> {
        let mut buf = [0u8; HID_REPORT_LEN];
        let ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
        match self.device.read_timeout(&mut buf, ms) {
            Ok(0) => Ok(None),
            Ok(_) => Ok(Some(buf)),
            Err(e) => {
                log::debug!("hid read from {} failed: {e}", self.path);
                Err(DeviceError::KeyRemoved)
            }
        }
    }

    fn location(&self) -> String {
        self.path.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening_a_missing_device_is_an_error_with_advice_not_a_panic() {
        let device = FidoDevice {
            path: "/dev/hidraw-keydesk-does-not-exist".into(),
            vendor_id: 0x1050,
            product_id: 0x0407,
            product: None,
            serial_number: None,
        };
        let e = HidapiTransport::open(&device).unwrap_err();
        assert!(matches!(e, DeviceError::Hid(_)), "{e}");
        assert!(e.to_string().contains("udev"), "{e}");
    }
}

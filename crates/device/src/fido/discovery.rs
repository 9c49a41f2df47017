//! Finding FIDO HID devices: every HID interface on usage page 0xF1D0
//! (FIDO Alliance), as hidapi enumerates it.

use crate::error::{DeviceError, Result};

/// The FIDO Alliance HID usage page.
pub const FIDO_USAGE_PAGE: u16 = 0xF1D0;
/// Yubico's USB vendor id.
pub const YUBICO_VENDOR_ID: u16 = 0x1050;

/// One FIDO HID interface that is plugged in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FidoDevice {
    /// Platform path (on Linux `/dev/hidrawN`).
    pub path: String,
    pub vendor_id: u16,
    pub product_id: u16,
    /// USB product string, e.g. "YubiKey OTP+FIDO+CCID".
    pub product: Option<String>,
    /// USB serial string; YubiKeys leave it empty, so it is not the key's serial.
    pub serial_number: Option<String>,
}

impl FidoDevice {
    /// Whether Yubico made it.
    #[must_use]
    pub fn is_yubico(&self) -> bool {
        self.vendor_id == YUBICO_VENDOR_ID
    }
}

fn hid_error(what: &str, e: &hidapi::HidError) -> DeviceError {
    DeviceError::Hid(format!("{what}: {e}"))
}

/// Every FIDO HID device plugged in now. Never panics: without HID access
/// this is an error (`DeviceError::Hid`) or an empty list.
pub fn list_fido_devices() -> Result<Vec<FidoDevice>> {
    let api = hidapi::HidApi::new().map_err(|e| hid_error("cannot list HID devices", &e))?;
    let mut out: Vec<FidoDevice> = Vec::new();
    for d in api.device_list() {
        if d.usage_page() != FIDO_USAGE_PAGE {
            continue;
        }
        let path = d.path().to_string_lossy().into_owned();
        if out.iter().any(|o| o.path == path) {
            continue;
        }
        out.push(FidoDevice {
            path,
            vendor_id: d.vendor_id(),
            product_id: d.product_id(),
            product: d.product_string().map(str::to_owned),
            serial_number: d
                .serial_number()
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// What changed between two listings (HID re-enumeration), for plug and
/// unplug events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceChanges {
    pub added: Vec<FidoDevice>,
    pub removed: Vec<FidoDevice>,
}

impl DeviceChanges {
    /// Whether nothing changed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

/// Compare the listing `before` with `now` (devices are matched by path).
#[must_use]
pub fn changes(before: &[FidoDevice], now: &[FidoDevice]) -> DeviceChanges {
    let missing_from = |list: &[FidoDevice], d: &FidoDevice| !list.iter().any(|o| o.path == d.path);
    DeviceChanges {
        added: now
            .iter()
            .filter(|d| missing_from(before, d))
            .cloned()
            .collect(),
        removed: before
            .iter()
            .filter(|d| missing_from(now, d))
            .cloned()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(path: &str) -> FidoDevice {
        FidoDevice {
            path: path.into(),
            vendor_id: YUBICO_VENDOR_ID,
            product_id: 0x0407,
            product: None,
            serial_number: None,
        }
    }

    #[test]
    fn changes_report_plugged_and_unplugged() {
        let before = [dev("/dev/hidraw0"), dev("/dev/hidraw1")];
        let now = [dev("/dev/hidraw1"), dev("/dev/hidraw4")];
        let c = changes(&before, &now);
        assert_eq!(c.added, vec![dev("/dev/hidraw4")]);
        assert_eq!(c.removed, vec![dev("/dev/hidraw0")]);
        assert!(changes(&now, &now).is_empty());
        assert!(dev("x").is_yubico());
    }

    #[test]
    fn listing_never_panics_without_hid_devices() {
        // This machine has no FIDO HID devices (no /dev/uhid); the call must
        // come back with an empty list or a typed error, not a panic.
        match list_fido_devices() {
            Ok(list) => assert!(list.iter().all(|d| !d.path.is_empty())),
            Err(e) => assert!(matches!(e, DeviceError::Hid(_)), "{e}"),
        }
    }
}

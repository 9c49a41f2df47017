//! authenticatorReset with the hardware's rules: exactly one FIDO key may be
//! plugged in (the caller proves it with [`single_device`]), the reset must
//! arrive within a few seconds of plug-in, and the key must be touched.

use keydesk_types::Serial;

use crate::error::{DeviceError, Result};
use crate::fido::ctap2::{command, status, FidoKey};
use crate::fido::discovery::FidoDevice;

/// Seconds after plug-in within which a key accepts authenticatorReset:
/// YubiKey firmware before 5.5 allows 5 s, 5.5 and later 10 s. Unknown keys: 5 s.
#[must_use]
pub fn reset_window_secs(version: (u8, u8, u8)) -> u64 {
    if version >= (5, 5, 0) {
        10
    } else {
        5
    }
}

/// The one FIDO device present, or why a reset must not go ahead: none
/// (`KeyNotFound`) or more than one (`SeveralKeys`) plugged in.
///
/// `serial` is the key the technician means (for the messages).
pub fn single_device(devices: &[FidoDevice], serial: Serial) -> Result<&FidoDevice> {
    match devices {
        [] => Err(DeviceError::KeyNotFound { serial }),
        [one] => Ok(one),
        many => Err(DeviceError::SeveralKeys {
            serial,
            count: many.len(),
        }),
    }
}

impl FidoKey {
    /// authenticatorReset: erases every FIDO2 credential and the FIDO2 PIN.
    ///
    /// The key must have been plugged in moments ago (else
    /// `ResetWindowMissed`) and must be touched: keepalives go to the handler
    /// set with [`FidoKey::set_keepalive_handler`]; no touch in time gives
    /// `TouchTimeout`, a set cancel flag `Cancelled`.
    pub fn reset(&mut self) -> Result<()> {
        let window_secs = reset_window_secs(self.init_info().version);
        match self.call_raw(command::RESET, None, "authenticatorReset")? {
            Ok(_) => {
                self.refresh_info()?;
                Ok(())
            }
            Err(status::NOT_ALLOWED) => Err(DeviceError::ResetWindowMissed { window_secs }),
            Err(code) => Err(crate::fido::ctap2::status_error(code, "authenticatorReset")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(path: &str) -> FidoDevice {
        FidoDevice {
            path: path.into(),
            vendor_id: 0x1050,
            product_id: 0x0407,
            product: Some("YubiKey OTP+FIDO+CCID".into()),
            serial_number: None,
        }
    }

    #[test]
    fn refuses_none_and_several() {
        let s = Serial::new(12_345_678).unwrap();
        assert!(matches!(
            single_device(&[], s),
            Err(DeviceError::KeyNotFound { .. })
        ));
        assert_eq!(single_device(&[dev("a")], s).unwrap().path, "a");
        let err = single_device(&[dev("a"), dev("b")], s).unwrap_err();
        assert!(
            matches!(err, DeviceError::SeveralKeys { count: 2, .. }),
            "{err}"
        );
    }

    #[test]
    fn window_depends_on_firmware() {
        assert_eq!(reset_window_secs((5, 4, 3)), 5);
        assert_eq!(reset_window_secs((5, 7, 1)), 10);
    }
}

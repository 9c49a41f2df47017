//! authenticatorConfig (CTAP 2.1): setMinPINLength with forceChangePin, on
//! keys that advertise `authnrCfg` and `setMinPINLength`.

use ciborium::Value;
use keydesk_types::Secret;

use crate::error::{DeviceError, Needs, PinRefusal, Result};
use crate::fido::cbor::{self, int_map, uint};
use crate::fido::client_pin::permission;
use crate::fido::ctap2::{command, FidoKey};

const SET_MIN_PIN_LENGTH: u8 = 0x03;

impl FidoKey {
    /// Whether the key supports setMinPINLength.
    #[must_use]
    pub fn supports_set_min_pin_length(&self) -> bool {
        self.info.option("authnrCfg") == Some(true)
            && self.info.option("setMinPINLength") == Some(true)
    }

    /// Raise the minimum PIN length to `min_len`; with `force_change` the
    /// user must change the PIN before it can be used again. `pin` is
    /// needed when the key has a PIN.
    pub fn set_min_pin_length(
        &mut self,
        pin: Option<&Secret>,
        min_len: u8,
        force_change: bool,
    ) -> Result<()> {
        if !self.supports_set_min_pin_length() {
            return Err(DeviceError::Unsupported {
                needs: Needs::SetMinPinLength,
            });
        }
        if let Some(current) = self.info.min_pin_length {
            if u64::from(min_len) < current {
                return Err(DeviceError::PinPolicy {
                    reason: PinRefusal::MinLengthLowered { current },
                });
            }
        }
        let mut params = vec![(1, uint(min_len.into()))];
        if force_change {
            params.push((3, Value::Bool(true)));
        }
        let sub_params = int_map(params);
        let mut req = vec![
            (1, uint(SET_MIN_PIN_LENGTH.into())),
            (2, sub_params.clone()),
        ];
        if self.info.pin_is_set() == Some(true) {
            let pin = pin.ok_or(DeviceError::PinPolicy {
                reason: PinRefusal::FidoPinNeeded,
            })?;
            let token = self.pin_token(pin, permission::AUTHENTICATOR_CONFIG, None)?;
            let mut msg = vec![0xFF; 32];
            msg.extend_from_slice(&[command::CONFIG, SET_MIN_PIN_LENGTH]);
            msg.extend(cbor::encode(&sub_params)?);
            req.push((3, uint(token.protocol().number().into())));
            req.push((4, Value::Bytes(token.authenticate(&msg))));
        }
        self.call(command::CONFIG, Some(&int_map(req)), "setMinPINLength")?;
        self.refresh_info()?;
        Ok(())
    }
}

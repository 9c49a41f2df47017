//! authenticatorConfig (CTAP 2.1, firmware 5.7): setMinPINLength with
//! forceChangePin. Enterprise attestation and toggleAlwaysUv are not offered.

use ciborium::Value;

use super::cbor::{self, Map};
use super::client_pin::permission;
use super::status::{self, fail, Fail};
use super::Authenticator;

const SET_MIN_PIN_LENGTH: i64 = 0x03;

impl Authenticator {
    pub(crate) fn config(&mut self, params: &Value) -> Result<(), Fail> {
        let m = Map::of(params)?;
        let sub = cbor::int(m.need(1)?)?;
        let sub_params = m.get(2);
        if sub != SET_MIN_PIN_LENGTH {
            return fail(status::INVALID_SUBCOMMAND);
        }
        match m.get(4) {
            Some(param) => {
                let param = cbor::bytes(param)?;
                let mut msg = vec![0xFFu8; 32];
                msg.extend_from_slice(&[0x0D, SET_MIN_PIN_LENGTH as u8]);
                if let Some(p) = sub_params {
                    msg.extend(cbor::encode(p));
                }
                self.check_token(m.get(3), param, &[&msg], permission::ACFG, None)?;
            }
            None if self.state.pin_hash.is_some() => return fail(status::PUAT_REQUIRED),
            None => {}
        }
        let (new_min, force) = match sub_params {
            Some(p) => {
                let sp = Map::of(p)?;
                let new_min = sp.get(1).map(cbor::int).transpose()?;
                if sp.get(2).is_some() {
                    // minPinLengthRPIDs: this authenticator keeps no such list.
                    return fail(status::INVALID_PARAMETER);
                }
                let force = sp.get(3).map(cbor::boolean).transpose()?.unwrap_or(false);
                (new_min, force)
            }
            None => (None, false),
        };
        let new_min = match new_min {
            Some(n) => u8::try_from(n).map_err(|_| Fail::Status(status::PIN_POLICY_VIOLATION))?,
            None => self.state.min_pin_length,
        };
        if new_min < self.state.min_pin_length || new_min > 63 {
            return fail(status::PIN_POLICY_VIOLATION);
        }
        if force && self.state.pin_hash.is_none() {
            return fail(status::PIN_NOT_SET);
        }
        self.state.min_pin_length = new_min;
        if self.state.pin_hash.is_some() && (force || self.state.pin_length < new_min) {
            self.state.force_pin_change = true;
        }
        self.dirty = true;
        Ok(())
    }
}

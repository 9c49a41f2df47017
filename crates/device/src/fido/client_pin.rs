//! authenticatorClientPIN: PIN retries, set PIN, change PIN and PIN/UV auth
//! tokens (with permissions where the key supports pinUvAuthToken, else the
//! legacy getPinToken). PINs are [`Secret`]s (wiped on drop) and are checked
//! against the key's PIN policy on the host first, so errors are clear.

use ciborium::Value;
use keydesk_types::Secret;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{DeviceError, PinRefusal, Result};
use crate::fido::cbor::{as_u64, int_map, map_get, uint};
use crate::fido::ctap2::{command, status, status_error, FidoKey};
use crate::fido::pin_protocol::{PinProtocol, SharedSecret};

/// Largest PIN in UTF-8 bytes (CTAP 2.1: 63).
pub const MAX_PIN_BYTES: usize = 63;

/// Check a new PIN against CTAP's limits and the key's minimum length.
pub fn check_pin_policy(pin: &Secret, min_len: usize) -> Result<()> {
    let reason = if pin.char_count() < min_len {
        PinRefusal::FidoTooShort { min: min_len }
    } else if pin.expose_bytes().len() > MAX_PIN_BYTES {
        PinRefusal::FidoTooLong {
            max_bytes: MAX_PIN_BYTES,
        }
    } else if pin.expose_bytes().contains(&0) {
        PinRefusal::FidoNul
    } else {
        return Ok(());
    };
    Err(DeviceError::PinPolicy { reason })
}

/// clientPIN permission bits for [`FidoKey::pin_token`].
pub mod permission {
    pub const MAKE_CREDENTIAL: u8 = 0x01;
    pub const GET_ASSERTION: u8 = 0x02;
    pub const CREDENTIAL_MANAGEMENT: u8 = 0x04;
    pub const AUTHENTICATOR_CONFIG: u8 = 0x20;
}

/// What getPINRetries says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinRetries {
    pub retries: u8,
    /// Whether the key wants a power cycle before the next PIN attempt (CTAP 2.1 keys).
    pub power_cycle_required: Option<bool>,
}

/// A pinUvAuthToken. Zeroed on drop.
#[derive(Debug)]
pub struct PinToken {
    pub(crate) protocol: PinProtocol,
    pub(crate) token: Zeroizing<Vec<u8>>,
}

impl PinToken {
    /// pinUvAuthParam over `message`.
    #[must_use]
    pub fn authenticate(&self, message: &[u8]) -> Vec<u8> {
        self.protocol.authenticate(&self.token, message)
    }

    /// The protocol this token belongs to.
    #[must_use]
    pub fn protocol(&self) -> PinProtocol {
        self.protocol
    }
}

mod sub {
    pub const GET_RETRIES: u64 = 0x01;
    pub const GET_KEY_AGREEMENT: u64 = 0x02;
    pub const SET_PIN: u64 = 0x03;
    pub const CHANGE_PIN: u64 = 0x04;
    pub const GET_PIN_TOKEN: u64 = 0x05;
    pub const GET_TOKEN_WITH_PERMISSIONS: u64 = 0x09;
}

/// PIN padded with zeros to 64 bytes, as newPinEnc needs.
fn padded(pin: &Secret) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(vec![0u8; 64]);
    out[..pin.expose_bytes().len()].copy_from_slice(pin.expose_bytes());
    out
}

/// LEFT(SHA-256(pin), 16).
fn pin_hash(pin: &Secret) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(Sha256::digest(pin.expose_bytes())[..16].to_vec())
}

impl FidoKey {
    fn pin_request(&mut self, params: &Value) -> Result<std::result::Result<Option<Value>, u8>> {
        self.call_raw(command::CLIENT_PIN, Some(params), "clientPIN")
    }

    /// Map a failed PIN command, asking the retry counter for PIN_INVALID.
    fn pin_failure(&mut self, code: u8) -> DeviceError {
        if code == status::PIN_INVALID {
            return match self.pin_retries() {
                Ok(r) if r.retries == 0 => DeviceError::PinBlocked,
                Ok(r) => DeviceError::WrongPin {
                    tries_left: r.retries,
                },
                Err(e) => e,
            };
        }
        status_error(code, "clientPIN")
    }

    /// getPINRetries.
    pub fn pin_retries(&mut self) -> Result<PinRetries> {
        let protocol = self.pin_protocol()?;
        let req = int_map(vec![
            (1, uint(protocol.number().into())),
            (2, uint(sub::GET_RETRIES)),
        ]);
        let v = self
            .call(command::CLIENT_PIN, Some(&req), "getPINRetries")?
            .unwrap_or(Value::Null);
        let retries = map_get(&v, 3)
            .and_then(as_u64)
            .and_then(|n| u8::try_from(n).ok())
            .ok_or_else(|| DeviceError::Malformed {
                command: "getPINRetries",
                detail: "no pinRetries".into(),
            })?;
        Ok(PinRetries {
            retries,
            power_cycle_required: map_get(&v, 4).and_then(Value::as_bool),
        })
    }

    /// getKeyAgreement and ECDH: our COSE key and the shared secret.
    fn key_agreement(&mut self) -> Result<(PinProtocol, Value, SharedSecret)> {
        let protocol = self.pin_protocol()?;
        let req = int_map(vec![
            (1, uint(protocol.number().into())),
            (2, uint(sub::GET_KEY_AGREEMENT)),
        ]);
        let v = self
            .call(command::CLIENT_PIN, Some(&req), "getKeyAgreement")?
            .unwrap_or(Value::Null);
        let peer = map_get(&v, 1).ok_or_else(|| DeviceError::Malformed {
            command: "getKeyAgreement",
            detail: "no keyAgreement".into(),
        })?;
        let (ours, secret) = protocol.encapsulate(peer)?;
        Ok((protocol, ours, secret))
    }

    /// setPIN on a key without a PIN.
    pub fn set_pin(&mut self, new: &Secret) -> Result<()> {
        check_pin_policy(new, self.info.effective_min_pin_length())?;
        if self.info.pin_is_set() == Some(true) {
            return Err(DeviceError::PinPolicy {
                reason: PinRefusal::FidoAlreadySet,
            });
        }
        let (protocol, ours, secret) = self.key_agreement()?;
        let new_enc = secret.encrypt(&padded(new))?;
        let req = int_map(vec![
            (1, uint(protocol.number().into())),
            (2, uint(sub::SET_PIN)),
            (3, ours),
            (4, Value::Bytes(secret.authenticate(&new_enc))),
            (5, Value::Bytes(new_enc)),
        ]);
        match self.pin_request(&req)? {
            Ok(_) => {
                self.refresh_info()?;
                Ok(())
            }
            Err(code) => Err(self.pin_failure(code)),
        }
    }

    /// changePIN from `current` to `new`.
    pub fn change_pin(&mut self, current: &Secret, new: &Secret) -> Result<()> {
        check_pin_policy(new, self.info.effective_min_pin_length())?;
        let (protocol, ours, secret) = self.key_agreement()?;
        let new_enc = secret.encrypt(&padded(new))?;
        let hash_enc = secret.encrypt(&pin_hash(current))?;
        let auth = secret.authenticate(&[new_enc.as_slice(), &hash_enc].concat());
        let req = int_map(vec![
            (1, uint(protocol.number().into())),
            (2, uint(sub::CHANGE_PIN)),
            (3, ours),
            (4, Value::Bytes(auth)),
            (5, Value::Bytes(new_enc)),
            (6, Value::Bytes(hash_enc)),
        ]);
        match self.pin_request(&req)? {
            Ok(_) => {
                self.refresh_info()?;
                Ok(())
            }
            Err(code) => Err(self.pin_failure(code)),
        }
    }

    /// Whether the key supports getPinUvAuthTokenUsingPinWithPermissions.
    #[must_use]
    pub fn supports_token_permissions(&self) -> bool {
        self.info.option("pinUvAuthToken") == Some(true)
    }

    /// A pinUvAuthToken for `permissions` (see [`permission`]), bound to
    /// `rp_id` when given; the legacy getPinToken on keys without
    /// pinUvAuthToken support (permissions are then implied).
    pub fn pin_token(
        &mut self,
        pin: &Secret,
        permissions: u8,
        rp_id: Option<&str>,
    ) -> Result<PinToken> {
        if self.info.force_pin_change == Some(true) {
            return Err(DeviceError::PinPolicy {
                reason: PinRefusal::FidoChangeRequired,
            });
        }
        let (protocol, ours, secret) = self.key_agreement()?;
        let hash_enc = secret.encrypt(&pin_hash(pin))?;
        let mut entries = vec![(1, uint(protocol.number().into()))];
        if self.supports_token_permissions() {
            entries.push((2, uint(sub::GET_TOKEN_WITH_PERMISSIONS)));
            entries.push((3, ours));
            entries.push((6, Value::Bytes(hash_enc)));
            entries.push((9, uint(permissions.into())));
            if let Some(rp) = rp_id {
                entries.push((0x0A, Value::Text(rp.to_owned())));
            }
        } else {
            entries.push((2, uint(sub::GET_PIN_TOKEN)));
            entries.push((3, ours));
            entries.push((6, Value::Bytes(hash_enc)));
        }
        let v = match self.pin_request(&int_map(entries))? {
            Ok(v) => v.unwrap_or(Value::Null),
            Err(code) => return Err(self.pin_failure(code)),
        };
        let enc =
            map_get(&v, 2)
                .and_then(Value::as_bytes)
                .ok_or_else(|| DeviceError::Malformed {
                    command: "getPinToken",
                    detail: "no pinUvAuthToken".into(),
                })?;
        let token = secret.decrypt(enc)?;
        if token.len() != 16 && token.len() != 32 {
            return Err(DeviceError::Malformed {
                command: "getPinToken",
                detail: format!("token of {} bytes", token.len()),
            });
        }
        Ok(PinToken { protocol, token })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_counts_code_points_and_bytes() {
        assert!(check_pin_policy(&Secret::new("123"), 4).is_err());
        assert!(check_pin_policy(&Secret::new("1234"), 4).is_ok());
        // four code points, eight bytes
        assert!(check_pin_policy(&Secret::new("äöüß"), 4).is_ok());
        assert!(check_pin_policy(&Secret::new(&"a".repeat(64)), 4).is_err());
        assert!(check_pin_policy(&Secret::new(&"a".repeat(63)), 4).is_ok());
        let e = check_pin_policy(&Secret::new("12345"), 6).unwrap_err();
        assert!(e.to_string().contains("at least 6"), "{e}");
    }

    #[test]
    fn pin_is_never_printed() {
        assert_eq!(format!("{:?}", Secret::new("secret-pin")), "Secret(***)");
    }

    #[test]
    fn padding_and_hash() {
        let p = padded(&Secret::new("1234"));
        assert_eq!(p.len(), 64);
        assert_eq!(&p[..5], b"1234\0");
        assert_eq!(
            hex::encode(&*pin_hash(&Secret::new("1234"))),
            "03ac674216f3e15c761ee1a5e255f067"
        );
    }
}

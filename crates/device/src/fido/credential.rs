//! authenticatorMakeCredential, minimal: a discoverable ES256 credential,
//! used to prove credential management and for an enrolment self-check.

use ciborium::Value;
use sha2::{Digest, Sha256};

use crate::error::{DeviceError, Result};
use crate::fido::cbor::{int_map, map_get, text_map, uint};
use crate::fido::client_pin::PinToken;
use crate::fido::ctap2::{command, FidoKey};

/// Who a new credential is for.
#[derive(Debug, Clone)]
pub struct NewCredential<'a> {
    pub rp_id: &'a str,
    pub rp_name: &'a str,
    pub user_id: &'a [u8],
    pub user_name: &'a str,
}

impl FidoKey {
    /// Make a discoverable (resident) ES256 credential; needs touch, and a
    /// token with the makeCredential permission for `rp_id` when a PIN is
    /// set. Returns the credential id.
    pub fn make_credential(
        &mut self,
        new: &NewCredential<'_>,
        token: Option<&PinToken>,
    ) -> Result<Vec<u8>> {
        let client_data_hash = Sha256::digest(rand::random::<[u8; 32]>()).to_vec();
        let mut req = vec![
            (1, Value::Bytes(client_data_hash.clone())),
            (
                2,
                text_map(vec![
                    ("id", Value::Text(new.rp_id.into())),
                    ("name", Value::Text(new.rp_name.into())),
                ]),
            ),
            (
                3,
                text_map(vec![
                    ("id", Value::Bytes(new.user_id.to_vec())),
                    ("name", Value::Text(new.user_name.into())),
                    ("displayName", Value::Text(new.user_name.into())),
                ]),
            ),
            (
                4,
                Value::Array(vec![text_map(vec![
                    ("alg", Value::Integer((-7).into())),
                    ("type", Value::Text("public-key".into())),
                ])]),
            ),
            (7, text_map(vec![("rk", Value::Bool(true))])),
        ];
        if let Some(token) = token {
            req.push((8, Value::Bytes(token.authenticate(&client_data_hash))));
            req.push((9, uint(token.protocol().number().into())));
        }
        let v = self
            .call(
                command::MAKE_CREDENTIAL,
                Some(&int_map(req)),
                "makeCredential",
            )?
            .unwrap_or(Value::Null);
        let auth_data = map_get(&v, 2)
            .and_then(Value::as_bytes)
            .ok_or_else(|| bad("no authData"))?;
        credential_id(auth_data)
    }
}

fn bad(detail: &str) -> DeviceError {
    DeviceError::Malformed {
        command: "makeCredential",
        detail: detail.into(),
    }
}

/// The credential id inside attested authenticator data.
fn credential_id(auth_data: &[u8]) -> Result<Vec<u8>> {
    // rpIdHash 32, flags 1, signCount 4, aaguid 16, credentialIdLength 2
    const AT: u8 = 0x40;
    let flags = *auth_data.get(32).ok_or_else(|| bad("authData too short"))?;
    if flags & AT == 0 {
        return Err(bad("no attested credential data"));
    }
    let len_at = 32 + 1 + 4 + 16;
    let len = auth_data
        .get(len_at..len_at + 2)
        .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
        .ok_or_else(|| bad("authData too short"))?;
    auth_data
        .get(len_at + 2..len_at + 2 + len)
        .map(<[u8]>::to_vec)
        .ok_or_else(|| bad("credential id cut short"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_credential_id_in_auth_data() {
        let mut ad = vec![0u8; 32];
        ad.push(0x45);
        ad.extend([0, 0, 0, 1]);
        ad.extend([9u8; 16]);
        ad.extend([0, 3, 0xAA, 0xBB, 0xCC, 0xA5]);
        assert_eq!(credential_id(&ad).unwrap(), vec![0xAA, 0xBB, 0xCC]);
        ad[32] = 0x01;
        assert!(credential_id(&ad).is_err());
        assert!(credential_id(&ad[..40]).is_err());
    }
}

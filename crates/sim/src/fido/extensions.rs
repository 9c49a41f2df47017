//! The hmac-secret extension (CTAP 2.1 section 12.5): a per-credential secret
//! that the platform can query with one or two 32-byte salts, encrypted under
//! a PIN/UV auth protocol shared secret. The secret (CredRandom, with and
//! without UV) is derived from the wrapping key and the credential ID, so it
//! needs no storage and disappears with authenticatorReset.

use ciborium::Value;

use super::cbor::{self, Map};
use super::crypto::{self, PinProtocol};
use super::status::{self, fail, Fail};
use super::Authenticator;

/// An hmac-secret request of getAssertion, checked and decrypted.
#[derive(Clone)]
pub(crate) struct HmacSecret {
    protocol: PinProtocol,
    shared: Vec<u8>,
    salts: Vec<u8>,
}

impl std::fmt::Debug for HmacSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HmacSecret")
            .field("protocol", &self.protocol)
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    /// Parse `{1: keyAgreement, 2: saltEnc, 3: saltAuth, 4: pinUvAuthProtocol}`.
    pub(crate) fn hmac_secret_request(&self, ext: &Value) -> Result<HmacSecret, Fail> {
        let m = Map::of(ext)?;
        let number = m.get(4).map(cbor::int).transpose()?.unwrap_or(1);
        let protocol = PinProtocol::from_number(number)
            .filter(|_| {
                self.profile
                    .pin_protocols()
                    .iter()
                    .any(|&p| i64::from(p) == number)
            })
            .ok_or(Fail::Status(status::INVALID_PARAMETER))?;
        let z = crypto::ecdh(self.pin_key_agreement(), m.need(1)?)
            .ok_or(Fail::Status(status::INVALID_PARAMETER))?;
        let shared = protocol.kdf(&z);
        let salt_enc = cbor::bytes(m.need(2)?)?;
        let salt_auth = cbor::bytes(m.need(3)?)?;
        if !protocol.verify(&shared, &[salt_enc], salt_auth) {
            return fail(status::PIN_AUTH_INVALID);
        }
        let salts = protocol
            .decrypt(&shared, salt_enc)
            .filter(|s| s.len() == 32 || s.len() == 64)
            .ok_or(Fail::Status(status::INVALID_LENGTH))?;
        Ok(HmacSecret {
            protocol,
            shared,
            salts,
        })
    }
}

impl HmacSecret {
    /// The encrypted output for credential `id`.
    pub fn output(&self, wrap_key: &[u8], id: &[u8], uv: bool) -> Result<Vec<u8>, Fail> {
        let cred_random = crypto::hmac(wrap_key, &[b"hmac-secret", &[u8::from(uv)], id]);
        let mut out = Vec::with_capacity(self.salts.len());
        for salt in self.salts.chunks(32) {
            out.extend_from_slice(&crypto::hmac(&cred_random, &[salt]));
        }
        self.protocol
            .encrypt(&self.shared, &out)
            .ok_or(Fail::Status(status::OTHER))
    }
}

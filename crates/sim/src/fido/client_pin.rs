//! authenticatorClientPIN: PIN retries, key agreement, setPIN, changePIN,
//! getPinToken and getPinUvAuthTokenUsingPinWithPermissions with PIN/UV auth
//! protocols 1 and 2; the retry counter (8) with the power-cycle block after
//! 3 consecutive wrong PINs; and the checks of a pinUvAuthParam against the
//! current pinUvAuthToken for the other commands.

use ciborium::Value;
use p256::SecretKey;

use super::cbor::{self, i, imap, Map};
use super::crypto::{self, PinProtocol};
use super::state::PIN_RETRIES;
use super::status::{self, fail, Fail};
use super::Authenticator;

/// pinUvAuthToken permissions (CTAP 2.1 section 6.5.5.7).
pub mod permission {
    pub const MC: u8 = 0x01;
    pub const GA: u8 = 0x02;
    pub const CM: u8 = 0x04;
    pub const BE: u8 = 0x08;
    pub const LBW: u8 = 0x10;
    pub const ACFG: u8 = 0x20;
}

/// Wrong PINs in a row after which a power cycle is needed.
const POWER_CYCLE_BLOCK: u8 = 3;
/// Longest PIN in UTF-8 bytes.
const MAX_PIN_BYTES: usize = 63;

/// PIN state that does not survive a power cycle. `Debug` leaves out the token.
pub(crate) struct Volatile {
    key_agreement: SecretKey,
    token: Vec<u8>,
    token_valid: bool,
    permissions: u8,
    rp_id: Option<String>,
    consecutive_failures: u8,
}

impl std::fmt::Debug for Volatile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Volatile")
            .field("token_valid", &self.token_valid)
            .field("permissions", &self.permissions)
            .field("rp_id", &self.rp_id)
            .field("consecutive_failures", &self.consecutive_failures)
            .finish_non_exhaustive()
    }
}

impl Volatile {
    pub fn new() -> Self {
        Self {
            key_agreement: crypto::new_key(),
            token: crypto::random(32),
            token_valid: false,
            permissions: 0,
            rp_id: None,
            consecutive_failures: 0,
        }
    }
}

/// Parsed common parameters of a clientPIN request.
struct PinRequest<'a> {
    protocol: PinProtocol,
    map: Map<'a>,
}

impl Authenticator {
    /// authenticatorClientPIN (0x06).
    pub(crate) fn client_pin(&mut self, params: &Value) -> Result<Option<Value>, Fail> {
        let map = Map::of(params)?;
        let sub = cbor::int(map.need(2)?)?;
        if sub == 1 {
            // getPINRetries
            let mut out = vec![(3, i(i64::from(self.state.pin_retries)))];
            if self.profile.ctap21() {
                out.push((
                    4,
                    Value::Bool(self.pin.consecutive_failures >= POWER_CYCLE_BLOCK),
                ));
            }
            return Ok(Some(imap(out)));
        }
        let number = cbor::int(map.need(1)?)?;
        let protocol = PinProtocol::from_number(number)
            .filter(|p| {
                let n = match p {
                    PinProtocol::V1 => 1,
                    PinProtocol::V2 => 2,
                };
                self.profile.pin_protocols().contains(&n)
            })
            .ok_or(Fail::Status(status::INVALID_PARAMETER))?;
        let req = PinRequest { protocol, map };
        match sub {
            2 => {
                let public = self.pin.key_agreement.public_key();
                Ok(Some(imap(vec![(1, crypto::cose_p256(&public, -25))])))
            }
            3 => self.set_pin(&req).map(|()| None),
            4 => self.change_pin(&req).map(|()| None),
            5 => self.get_token(&req, None).map(Some),
            9 if self.profile.ctap21() => {
                let perms = cbor::int(req.map.need(9)?)?;
                let perms =
                    u8::try_from(perms).map_err(|_| Fail::Status(status::INVALID_PARAMETER))?;
                if perms == 0 {
                    return fail(status::INVALID_PARAMETER);
                }
                if perms & (permission::BE | permission::LBW) != 0 || perms & 0xC0 != 0 {
                    return fail(status::UNAUTHORIZED_PERMISSION);
                }
                self.get_token(&req, Some(perms)).map(Some)
            }
            _ => fail(status::INVALID_SUBCOMMAND),
        }
    }

    /// The current key agreement key (regenerated at power-up and after a wrong PIN).
    pub(crate) fn pin_key_agreement(&self) -> &SecretKey {
        &self.pin.key_agreement
    }

    /// The shared secret with the platform's keyAgreement parameter.
    fn shared(&self, req: &PinRequest<'_>) -> Result<Vec<u8>, Fail> {
        let platform = req.map.need(3)?;
        let z = crypto::ecdh(&self.pin.key_agreement, platform)
            .ok_or(Fail::Status(status::INVALID_PARAMETER))?;
        Ok(req.protocol.kdf(&z))
    }

    /// Decrypt and check a new PIN against the policy; returns (hash, length).
    fn new_pin(
        &self,
        req: &PinRequest<'_>,
        shared: &[u8],
        enc: &[u8],
    ) -> Result<([u8; 16], u8), Fail> {
        let padded = req
            .protocol
            .decrypt(shared, enc)
            .ok_or(Fail::Status(status::INVALID_PARAMETER))?;
        if padded.len() < 64 {
            return fail(status::INVALID_PARAMETER);
        }
        let end = padded.iter().position(|&c| c == 0).unwrap_or(padded.len());
        let pin = &padded[..end];
        let text =
            std::str::from_utf8(pin).map_err(|_| Fail::Status(status::PIN_POLICY_VIOLATION))?;
        let length = text.chars().count();
        if pin.len() > MAX_PIN_BYTES || length < usize::from(self.state.min_pin_length) {
            return fail(status::PIN_POLICY_VIOLATION);
        }
        let mut hash = [0u8; 16];
        hash.copy_from_slice(&crypto::sha256(pin)[..16]);
        Ok((hash, u8::try_from(length).unwrap_or(u8::MAX)))
    }

    fn set_pin(&mut self, req: &PinRequest<'_>) -> Result<(), Fail> {
        let param = cbor::bytes(req.map.need(4)?)?;
        let enc = cbor::bytes(req.map.need(5)?)?;
        if self.state.pin_hash.is_some() {
            return fail(status::NOT_ALLOWED);
        }
        let shared = self.shared(req)?;
        if !req.protocol.verify(&shared, &[enc], param) {
            return fail(status::PIN_AUTH_INVALID);
        }
        let (hash, len) = self.new_pin(req, &shared, enc)?;
        self.state.pin_hash = Some(hash);
        self.state.pin_length = len;
        self.state.pin_retries = PIN_RETRIES;
        self.dirty = true;
        Ok(())
    }

    /// Check the encrypted PIN hash, counting retries as the hardware does.
    fn verify_pin_hash(
        &mut self,
        req: &PinRequest<'_>,
        shared: &[u8],
        enc: &[u8],
    ) -> Result<(), Fail> {
        let Some(stored) = self.state.pin_hash else {
            return fail(status::PIN_NOT_SET);
        };
        if self.state.pin_retries == 0 {
            return fail(status::PIN_BLOCKED);
        }
        if self.pin.consecutive_failures >= POWER_CYCLE_BLOCK {
            return fail(status::PIN_AUTH_BLOCKED);
        }
        let hash = req
            .protocol
            .decrypt(shared, enc)
            .filter(|h| h.len() == 16)
            .ok_or(Fail::Status(status::INVALID_PARAMETER))?;
        self.state.pin_retries -= 1;
        self.dirty = true;
        if !crypto::ct_eq(&hash, &stored) {
            self.pin.key_agreement = crypto::new_key();
            self.pin.consecutive_failures += 1;
            if self.state.pin_retries == 0 {
                return fail(status::PIN_BLOCKED);
            }
            if self.pin.consecutive_failures >= POWER_CYCLE_BLOCK {
                return fail(status::PIN_AUTH_BLOCKED);
            }
            return fail(status::PIN_INVALID);
        }
        self.state.pin_retries = PIN_RETRIES;
        self.pin.consecutive_failures = 0;
        Ok(())
    }

    fn check_not_blocked(&self) -> Result<(), Fail> {
        if self.state.pin_hash.is_none() {
            return fail(status::PIN_NOT_SET);
        }
        if self.state.pin_retries == 0 {
            return fail(status::PIN_BLOCKED);
        }
        if self.pin.consecutive_failures >= POWER_CYCLE_BLOCK {
            return fail(status::PIN_AUTH_BLOCKED);
        }
        Ok(())
    }

    fn change_pin(&mut self, req: &PinRequest<'_>) -> Result<(), Fail> {
        let param = cbor::bytes(req.map.need(4)?)?;
        let new_enc = cbor::bytes(req.map.need(5)?)?;
        let hash_enc = cbor::bytes(req.map.need(6)?)?;
        self.check_not_blocked()?;
        let shared = self.shared(req)?;
        if !req.protocol.verify(&shared, &[new_enc, hash_enc], param) {
            return fail(status::PIN_AUTH_INVALID);
        }
        self.verify_pin_hash(req, &shared, hash_enc)?;
        let (hash, len) = self.new_pin(req, &shared, new_enc)?;
        if self.state.force_pin_change && self.state.pin_hash == Some(hash) {
            return fail(status::PIN_POLICY_VIOLATION);
        }
        self.state.pin_hash = Some(hash);
        self.state.pin_length = len;
        self.state.force_pin_change = false;
        self.pin.token_valid = false;
        self.dirty = true;
        Ok(())
    }

    /// getPinToken (`perms` None) or getPinUvAuthTokenUsingPinWithPermissions.
    fn get_token(&mut self, req: &PinRequest<'_>, perms: Option<u8>) -> Result<Value, Fail> {
        let hash_enc = cbor::bytes(req.map.need(6)?)?;
        self.check_not_blocked()?;
        let shared = self.shared(req)?;
        self.verify_pin_hash(req, &shared, hash_enc)?;
        if self.state.force_pin_change {
            return fail(status::PIN_POLICY_VIOLATION);
        }
        let rp_id = match req.map.get(0x0A) {
            Some(v) if perms.is_some() => Some(cbor::text(v)?.to_owned()),
            _ => None,
        };
        self.pin.token = crypto::random(32);
        self.pin.token_valid = true;
        self.pin.rp_id = rp_id;
        self.pin.permissions = match perms {
            Some(p) => p,
            // CTAP 2.1 gives getPinToken the mc and ga permissions; a CTAP 2.0
            // authenticator's token is good for everything it offers.
            None if self.profile.ctap21() => permission::MC | permission::GA,
            None => 0xFF,
        };
        let enc = req
            .protocol
            .encrypt(&shared, &self.pin.token)
            .ok_or(Fail::Status(status::OTHER))?;
        Ok(imap(vec![(2, Value::Bytes(enc))]))
    }

    /// Check a pinUvAuthParam over `msg` with the current token, its
    /// permission and RP binding. `protocol` is the request's pinUvAuthProtocol.
    pub(crate) fn check_token(
        &mut self,
        protocol: Option<&Value>,
        param: &[u8],
        msg: &[&[u8]],
        needed: u8,
        rp_id: Option<&str>,
    ) -> Result<(), Fail> {
        let number = cbor::int(protocol.ok_or(Fail::Status(status::MISSING_PARAMETER))?)?;
        let protocol = PinProtocol::from_number(number)
            .filter(|_| {
                self.profile
                    .pin_protocols()
                    .iter()
                    .any(|&p| i64::from(p) == number)
            })
            .ok_or(Fail::Status(status::INVALID_PARAMETER))?;
        if self.state.pin_hash.is_none() {
            return fail(status::PIN_NOT_SET);
        }
        if !self.pin.token_valid || !protocol.verify(&self.pin.token, msg, param) {
            return fail(status::PIN_AUTH_INVALID);
        }
        if self.pin.permissions & needed != needed {
            return fail(status::PIN_AUTH_INVALID);
        }
        if let (Some(bound), Some(rp)) = (&self.pin.rp_id, rp_id) {
            if bound != rp {
                return fail(status::PIN_AUTH_INVALID);
            }
        } else if let Some(rp) = rp_id {
            self.pin.rp_id = Some(rp.to_owned());
        }
        Ok(())
    }
}

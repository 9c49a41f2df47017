//! authenticatorCredentialManagement (0x0A, and the prototype 0x41 that
//! firmware before 5.5 offers as `credentialMgmtPreview`): metadata,
//! enumeration of RPs and of an RP's credentials, deletion and (CTAP 2.1)
//! updateUserInformation of discoverable credentials.

use ciborium::Value;
use p256::SecretKey;

use super::cbor::{self, b, i, imap, t, tmap, Map};
use super::client_pin::permission;
use super::credential::{descriptor, user_entity};
use super::crypto;
use super::status::{self, fail, Fail};
use super::Authenticator;

mod sub {
    pub const METADATA: i64 = 0x01;
    pub const RPS_BEGIN: i64 = 0x02;
    pub const RPS_NEXT: i64 = 0x03;
    pub const CREDS_BEGIN: i64 = 0x04;
    pub const CREDS_NEXT: i64 = 0x05;
    pub const DELETE: i64 = 0x06;
    pub const UPDATE_USER: i64 = 0x07;
}

impl Authenticator {
    pub(crate) fn cred_mgmt(&mut self, params: &Value) -> Result<Option<Value>, Fail> {
        let m = Map::of(params)?;
        let sub = cbor::int(m.need(1)?)?;
        let sub_params = m.get(2);
        if matches!(sub, sub::RPS_NEXT | sub::CREDS_NEXT) {
            let queue = if sub == sub::RPS_NEXT {
                &mut self.cursors.rps
            } else {
                &mut self.cursors.creds
            };
            return queue
                .pop_front()
                .map(Some)
                .ok_or(Fail::Status(status::NOT_ALLOWED));
        }
        self.cursors.rps.clear();
        self.cursors.creds.clear();
        let sub_byte = u8::try_from(sub).map_err(|_| Fail::Status(status::INVALID_SUBCOMMAND))?;
        if !(1..=7).contains(&sub_byte) || (sub == sub::UPDATE_USER && !self.profile.ctap21()) {
            return fail(status::INVALID_SUBCOMMAND);
        }
        let param = cbor::bytes(m.get(4).ok_or(Fail::Status(status::PUAT_REQUIRED))?)?;
        let mut msg = vec![sub_byte];
        if let Some(p) = sub_params {
            msg.extend(cbor::encode(p));
        }
        self.check_token(m.get(3), param, &[&msg], permission::CM, None)?;
        match sub {
            sub::METADATA => {
                let n = self.state.credentials.len();
                let left = self.profile.max_resident().saturating_sub(n);
                Ok(Some(imap(vec![(1, i(n as i64)), (2, i(left as i64))])))
            }
            sub::RPS_BEGIN => self.rps_begin().map(Some),
            sub::CREDS_BEGIN => {
                let sp = Map::of(sub_params.ok_or(Fail::Status(status::MISSING_PARAMETER))?)?;
                let hash = cbor::bytes(sp.need(1)?)?.to_vec();
                self.creds_begin(&hash).map(Some)
            }
            sub::DELETE => {
                let id = self.cred_id_param(sub_params)?;
                let before = self.state.credentials.len();
                self.state.credentials.retain(|c| c.id != id);
                if self.state.credentials.len() == before {
                    return fail(status::NO_CREDENTIALS);
                }
                self.dirty = true;
                Ok(None)
            }
            _ => {
                let id = self.cred_id_param(sub_params)?;
                let sp = Map::of(sub_params.ok_or(Fail::Status(status::MISSING_PARAMETER))?)?;
                let user = Map::of(sp.need(3)?)?;
                let uid = cbor::bytes(
                    user.text_key("id")
                        .ok_or(Fail::Status(status::MISSING_PARAMETER))?,
                )?;
                let name = user.text_key("name").map(cbor::text).transpose()?;
                let display = user.text_key("displayName").map(cbor::text).transpose()?;
                let c = self
                    .state
                    .credentials
                    .iter_mut()
                    .find(|c| c.id == id)
                    .ok_or(Fail::Status(status::NO_CREDENTIALS))?;
                if c.user_id != uid {
                    return fail(status::INVALID_PARAMETER);
                }
                c.user_name = name.map(str::to_owned);
                c.user_display_name = display.map(str::to_owned);
                self.dirty = true;
                Ok(None)
            }
        }
    }

    fn cred_id_param(&self, sub_params: Option<&Value>) -> Result<Vec<u8>, Fail> {
        let sp = Map::of(sub_params.ok_or(Fail::Status(status::MISSING_PARAMETER))?)?;
        let d = Map::of(sp.need(2)?)?;
        let id = d
            .text_key("id")
            .ok_or(Fail::Status(status::MISSING_PARAMETER))?;
        Ok(cbor::bytes(id)?.to_vec())
    }

    fn rps_begin(&mut self) -> Result<Value, Fail> {
        let mut rps: Vec<(&str, Option<&str>)> = Vec::new();
        for c in &self.state.credentials {
            if !rps.iter().any(|(id, _)| *id == c.rp_id) {
                rps.push((&c.rp_id, c.rp_name.as_deref()));
            }
        }
        if rps.is_empty() {
            return fail(status::NO_CREDENTIALS);
        }
        let total = rps.len();
        let mut entries: Vec<Value> = rps
            .iter()
            .map(|(id, name)| {
                let mut rp = vec![("id", t(id))];
                if let Some(n) = name {
                    rp.push(("name", t(n)));
                }
                imap(vec![(3, tmap(rp)), (4, b(&crypto::sha256(id.as_bytes())))])
            })
            .collect();
        if let Some(Value::Map(first)) = entries.first_mut() {
            first.push((i(5), i(total as i64)));
        }
        let mut queue: std::collections::VecDeque<Value> = entries.into();
        let first = queue
            .pop_front()
            .ok_or(Fail::Status(status::NO_CREDENTIALS))?;
        self.cursors.rps = queue;
        Ok(first)
    }

    fn creds_begin(&mut self, rp_hash: &[u8]) -> Result<Value, Fail> {
        let mut entries = Vec::new();
        for c in self.state.credentials.iter().rev() {
            if crypto::sha256(c.rp_id.as_bytes()) != rp_hash {
                continue;
            }
            let key =
                SecretKey::from_slice(&c.private_key).map_err(|_| Fail::Status(status::OTHER))?;
            entries.push(imap(vec![
                (6, user_entity(c, true)),
                (7, descriptor(&c.id)),
                (8, crypto::cose_p256(&key.public_key(), -7)),
                (0x0A, i(i64::from(c.cred_protect))),
            ]));
        }
        let total = entries.len();
        if total == 0 {
            return fail(status::NO_CREDENTIALS);
        }
        // totalCredentials (9) goes between publicKey (8) and credProtect (10).
        if let Some(Value::Map(first)) = entries.first_mut() {
            first.insert(3, (i(9), i(total as i64)));
        }
        let mut queue: std::collections::VecDeque<Value> = entries.into();
        let first = queue
            .pop_front()
            .ok_or(Fail::Status(status::NO_CREDENTIALS))?;
        self.cursors.creds = queue;
        Ok(first)
    }
}

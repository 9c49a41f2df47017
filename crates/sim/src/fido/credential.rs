//! authenticatorMakeCredential, authenticatorGetAssertion and
//! authenticatorGetNextAssertion: ES256 credentials, discoverable ones kept in
//! the state, others wrapped into their credential ID; user presence, user
//! verification through a pinUvAuthToken, excludeList, allowList, credProtect
//! and the global signature counter. Attestation is "packed" self attestation.

use std::collections::VecDeque;

use ciborium::Value;

use super::cbor::{self, b, i, imap, t, tmap, Map};
use super::client_pin::permission;
use super::crypto;
use super::ctap2::{AssertCred, Ctx, NextAssertions};
use super::state::StoredCredential;
use super::status::{self, fail, Fail};
use super::Authenticator;

const FLAG_UP: u8 = 0x01;
const FLAG_UV: u8 = 0x04;
const FLAG_AT: u8 = 0x40;
const FLAG_ED: u8 = 0x80;

/// The "public-key" PublicKeyCredentialDescriptor of `id`.
pub(crate) fn descriptor(id: &[u8]) -> Value {
    tmap(vec![("id", b(id)), ("type", t("public-key"))])
}

/// The user entity of a stored credential; names only when `detailed`.
pub(crate) fn user_entity(c: &StoredCredential, detailed: bool) -> Value {
    let mut e = vec![("id", b(&c.user_id))];
    if detailed {
        if let Some(n) = &c.user_name {
            e.push(("name", t(n)));
        }
        if let Some(n) = &c.user_display_name {
            e.push(("displayName", t(n)));
        }
    }
    tmap(e)
}

fn opt_text(m: &Map<'_>, k: &str) -> Result<Option<String>, Fail> {
    m.text_key(k)
        .map(|v| cbor::text(v).map(str::to_owned))
        .transpose()
}

/// The up, uv and rk options as given, `None` when absent.
type Options = (Option<bool>, Option<bool>, Option<bool>);

/// Parse an options map.
fn options(v: Option<&Value>) -> Result<Options, Fail> {
    let Some(v) = v else {
        return Ok((None, None, None));
    };
    let m = Map::of(v)?;
    let get = |k: &str| m.text_key(k).map(cbor::boolean).transpose();
    Ok((get("up")?, get("uv")?, get("rk")?))
}

impl Authenticator {
    /// Handle an empty pinUvAuthParam (the platform asks which key to use) and
    /// check a present one. Returns whether the user was verified.
    fn user_verified(
        &mut self,
        param: Option<&Value>,
        protocol: Option<&Value>,
        client_data_hash: &[u8],
        perm: u8,
        rp_id: &str,
        ctx: Ctx,
    ) -> Result<bool, Fail> {
        let Some(param) = param else {
            return Ok(false);
        };
        let param = cbor::bytes(param)?;
        if param.is_empty() {
            ctx.require_up()?;
            return fail(if self.state.pin_hash.is_some() {
                status::PIN_INVALID
            } else {
                status::PIN_NOT_SET
            });
        }
        self.check_token(protocol, param, &[client_data_hash], perm, Some(rp_id))?;
        Ok(true)
    }

    /// The private key of credential `id` for this RP, with its stored record.
    fn find(&self, id: &[u8], rp_hash: &[u8; 32]) -> Option<(Vec<u8>, Option<&StoredCredential>)> {
        let stored = self
            .state
            .credentials
            .iter()
            .find(|c| c.id == id && &crypto::sha256(c.rp_id.as_bytes()) == rp_hash);
        if let Some(c) = stored {
            return Some((c.private_key.clone(), Some(c)));
        }
        crypto::unwrap(&self.state.wrap_key, id, rp_hash).map(|d| (d, None))
    }

    pub(crate) fn make_credential(&mut self, params: &Value, ctx: Ctx) -> Result<Value, Fail> {
        let m = Map::of(params)?;
        let cdh = cbor::bytes(m.need(1)?)?.to_vec();
        let rp = Map::of(m.need(2)?)?;
        let rp_id = cbor::text(
            rp.text_key("id")
                .ok_or(Fail::Status(status::MISSING_PARAMETER))?,
        )?
        .to_owned();
        let rp_name = opt_text(&rp, "name")?;
        let user = Map::of(m.need(3)?)?;
        let user_id = cbor::bytes(
            user.text_key("id")
                .ok_or(Fail::Status(status::MISSING_PARAMETER))?,
        )?
        .to_vec();
        if user_id.len() > 64 {
            return fail(status::INVALID_LENGTH);
        }
        let user_name = opt_text(&user, "name")?;
        let user_display_name = opt_text(&user, "displayName")?;
        let algs = cbor::array(m.need(4)?)?;
        let mut es256 = false;
        for a in algs {
            let a = Map::of(a)?;
            let alg = a.text_key("alg").map(cbor::int).transpose()?;
            let ty = a.text_key("type").map(cbor::text).transpose()?;
            es256 |= alg == Some(-7) && ty == Some("public-key");
        }
        if !es256 {
            return fail(status::UNSUPPORTED_ALGORITHM);
        }
        let (up, uv_opt, rk) = options(m.get(7))?;
        if up == Some(false) {
            return fail(status::INVALID_OPTION);
        }
        let rk = rk.unwrap_or(false);
        let uv = self.user_verified(m.get(8), m.get(9), &cdh, permission::MC, &rp_id, ctx)?;
        if !uv {
            if uv_opt == Some(true) {
                return fail(status::INVALID_OPTION);
            }
            let uv_not_required = self.profile.ctap21() && !rk;
            if self.state.pin_hash.is_some() && !uv_not_required {
                return fail(status::PUAT_REQUIRED);
            }
        }
        let rp_hash = crypto::sha256(rp_id.as_bytes());
        if let Some(list) = m.get(5) {
            for d in cbor::array(list)? {
                let id = Map::of(d)?.text_key("id").map(cbor::bytes).transpose()?;
                if id.is_some_and(|id| self.find(id, &rp_hash).is_some()) {
                    ctx.require_up()?;
                    return fail(status::CREDENTIAL_EXCLUDED);
                }
            }
        }
        let mut cred_protect = 1u8;
        let mut hmac_secret = false;
        if let Some(ext) = m.get(6) {
            let ext = Map::of(ext)?;
            if let Some(hs) = ext.text_key("hmac-secret") {
                hmac_secret = cbor::boolean(hs)?;
            }
            if let Some(cp) = ext.text_key("credProtect") {
                cred_protect = u8::try_from(cbor::int(cp)?)
                    .ok()
                    .filter(|l| (1..=3).contains(l))
                    .ok_or(Fail::Status(status::INVALID_OPTION))?;
            }
        }
        let replaces = |c: &StoredCredential| c.rp_id == rp_id && c.user_id == user_id;
        if rk
            && !self.state.credentials.iter().any(replaces)
            && self.state.credentials.len() >= self.profile.max_resident()
        {
            return fail(status::KEY_STORE_FULL);
        }
        ctx.require_up()?;

        let key = crypto::new_key();
        let d = key.to_bytes().to_vec();
        let id = crypto::wrap(&self.state.wrap_key, &d, &rp_hash);
        if rk {
            self.state.credentials.retain(|c| !replaces(c));
            self.state.credentials.push(StoredCredential {
                id: id.clone(),
                rp_id: rp_id.clone(),
                rp_name,
                user_id,
                user_name,
                user_display_name,
                private_key: d.clone(),
                cred_protect,
            });
        }
        self.state.sign_count = self.state.sign_count.wrapping_add(1);
        self.dirty = true;

        let mut flags = FLAG_UP | FLAG_AT;
        if uv {
            flags |= FLAG_UV;
        }
        let mut ext_out = Vec::new();
        if cred_protect > 1 {
            ext_out.push(("credProtect", i(i64::from(cred_protect))));
        }
        if hmac_secret {
            ext_out.push(("hmac-secret", Value::Bool(true)));
        }
        let ext = (!ext_out.is_empty()).then(|| tmap(ext_out));
        if ext.is_some() {
            flags |= FLAG_ED;
        }
        let mut auth_data = rp_hash.to_vec();
        auth_data.push(flags);
        auth_data.extend_from_slice(&self.state.sign_count.to_be_bytes());
        auth_data.extend_from_slice(&self.state.aaguid);
        auth_data.extend_from_slice(&u16::try_from(id.len()).unwrap_or(0).to_be_bytes());
        auth_data.extend_from_slice(&id);
        auth_data.extend(cbor::encode(&crypto::cose_p256(&key.public_key(), -7)));
        if let Some(ext) = ext {
            auth_data.extend(cbor::encode(&ext));
        }
        let sig = crypto::sign(&d, &[&auth_data, &cdh]).ok_or(Fail::Status(status::OTHER))?;
        Ok(imap(vec![
            (1, t("packed")),
            (2, Value::Bytes(auth_data)),
            (3, tmap(vec![("alg", i(-7)), ("sig", Value::Bytes(sig))])),
        ]))
    }

    pub(crate) fn get_assertion(&mut self, params: &Value, ctx: Ctx) -> Result<Value, Fail> {
        let m = Map::of(params)?;
        let rp_id = cbor::text(m.need(1)?)?.to_owned();
        let cdh = cbor::bytes(m.need(2)?)?.to_vec();
        let (up, uv_opt, rk) = options(m.get(5))?;
        if rk.is_some() {
            return fail(status::UNSUPPORTED_OPTION);
        }
        let uv = self.user_verified(m.get(6), m.get(7), &cdh, permission::GA, &rp_id, ctx)?;
        if !uv && uv_opt == Some(true) {
            return fail(status::INVALID_OPTION);
        }
        let hmac_secret = match m.get(4) {
            Some(ext) => Map::of(ext)?
                .text_key("hmac-secret")
                .map(|h| self.hmac_secret_request(h))
                .transpose()?,
            None => None,
        };
        let rp_hash = crypto::sha256(rp_id.as_bytes());
        let mut creds = VecDeque::new();
        let allow = m
            .get(3)
            .map(cbor::array)
            .transpose()?
            .filter(|l| !l.is_empty());
        let from_allow_list = allow.is_some();
        if let Some(list) = allow {
            for d in list {
                let Some(id) = Map::of(d)?.text_key("id").map(cbor::bytes).transpose()? else {
                    continue;
                };
                if let Some((key, stored)) = self.find(id, &rp_hash) {
                    if stored.is_some_and(|c| c.cred_protect == 3 && !uv) {
                        continue;
                    }
                    let user = stored.map(|c| user_entity(c, false));
                    creds.push_back(AssertCred {
                        id: id.to_vec(),
                        private_key: key,
                        user,
                    });
                    break;
                }
            }
        } else {
            for c in self.state.credentials.iter().rev() {
                if c.rp_id != rp_id || (c.cred_protect >= 2 && !uv) {
                    continue;
                }
                creds.push_back(AssertCred {
                    id: c.id.clone(),
                    private_key: c.private_key.clone(),
                    user: Some(user_entity(c, uv)),
                });
            }
        }
        if creds.is_empty() {
            return fail(status::NO_CREDENTIALS);
        }
        let up = up.unwrap_or(true);
        if up {
            ctx.require_up()?;
        }
        let mut flags = 0;
        if up {
            flags |= FLAG_UP;
        }
        if uv {
            flags |= FLAG_UV;
        }
        let total = creds.len();
        let mut next = NextAssertions {
            rp_hash,
            client_data_hash: cdh,
            flags,
            creds,
            hmac_secret,
        };
        let count = (!from_allow_list && total > 1).then_some(total);
        let first = self.assert_one(&mut next, count)?;
        if !next.creds.is_empty() {
            self.cursors.assertions = Some(next);
        }
        Ok(first)
    }

    pub(crate) fn get_next_assertion(&mut self) -> Result<Value, Fail> {
        let Some(mut next) = self.cursors.assertions.take() else {
            return fail(status::NOT_ALLOWED);
        };
        let out = self.assert_one(&mut next, None)?;
        if !next.creds.is_empty() {
            self.cursors.assertions = Some(next);
        }
        Ok(out)
    }

    fn assert_one(
        &mut self,
        next: &mut NextAssertions,
        count: Option<usize>,
    ) -> Result<Value, Fail> {
        let c = next
            .creds
            .pop_front()
            .ok_or(Fail::Status(status::NOT_ALLOWED))?;
        self.state.sign_count = self.state.sign_count.wrapping_add(1);
        self.dirty = true;
        let ext = match &next.hmac_secret {
            Some(h) => {
                let uv = next.flags & FLAG_UV != 0;
                let out = h.output(&self.state.wrap_key, &c.id, uv)?;
                Some(tmap(vec![("hmac-secret", Value::Bytes(out))]))
            }
            None => None,
        };
        let mut auth_data = next.rp_hash.to_vec();
        auth_data.push(next.flags | if ext.is_some() { FLAG_ED } else { 0 });
        auth_data.extend_from_slice(&self.state.sign_count.to_be_bytes());
        if let Some(ext) = &ext {
            auth_data.extend(cbor::encode(ext));
        }
        let sig = crypto::sign(&c.private_key, &[&auth_data, &next.client_data_hash])
            .ok_or(Fail::Status(status::OTHER))?;
        let mut out = vec![
            (1, descriptor(&c.id)),
            (2, Value::Bytes(auth_data)),
            (3, Value::Bytes(sig)),
        ];
        if let Some(user) = c.user {
            out.push((4, user));
        }
        if let Some(n) = count {
            out.push((5, i(n as i64)));
        }
        Ok(imap(out))
    }
}

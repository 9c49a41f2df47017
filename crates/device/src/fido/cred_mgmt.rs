//! authenticatorCredentialManagement: metadata, enumeration of relying
//! parties and their discoverable credentials, deletion. Uses command 0x0A
//! where the key advertises `credMgmt`, else the prototype 0x41 of
//! FIDO_2_1_PRE keys (`credentialMgmtPreview`, YubiKey firmware before 5.5).

use ciborium::Value;
use keydesk_types::Secret;

use crate::error::{DeviceError, Needs, Result};
use crate::fido::cbor::{self, as_u64, int_map, map_get, text_get, text_map, uint};
use crate::fido::client_pin::{permission, PinToken};
use crate::fido::ctap2::{command, status, status_error, FidoKey};

mod sub {
    pub const METADATA: u8 = 0x01;
    pub const RPS_BEGIN: u8 = 0x02;
    pub const RPS_NEXT: u8 = 0x03;
    pub const CREDS_BEGIN: u8 = 0x04;
    pub const CREDS_NEXT: u8 = 0x05;
    pub const DELETE: u8 = 0x06;
}

/// How many discoverable credentials exist and how many more fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CredsMetadata {
    pub existing: u64,
    pub remaining: u64,
}

/// A relying party with discoverable credentials on the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelyingParty {
    pub id: String,
    pub name: Option<String>,
    pub id_hash: Vec<u8>,
}

/// One discoverable credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub credential_id: Vec<u8>,
    pub user_id: Vec<u8>,
    pub user_name: Option<String>,
    pub user_display_name: Option<String>,
    pub cred_protect: Option<u64>,
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_text).map(str::to_owned)
}

impl FidoKey {
    /// The credential management command this key offers.
    pub fn cred_mgmt_command(&self) -> Result<u8> {
        if self.info.option("credMgmt") == Some(true) {
            Ok(command::CRED_MGMT)
        } else if self.info.option("credentialMgmtPreview") == Some(true) {
            Ok(command::CRED_MGMT_PREVIEW)
        } else {
            Err(DeviceError::Unsupported {
                needs: Needs::CredentialManagement,
            })
        }
    }

    /// A token allowed to manage credentials.
    pub fn cred_mgmt_token(&mut self, pin: &Secret) -> Result<PinToken> {
        self.cred_mgmt_command()?;
        self.pin_token(pin, permission::CREDENTIAL_MANAGEMENT, None)
    }

    /// One credential management subcommand; `Ok(None)` on NO_CREDENTIALS.
    fn cm(
        &mut self,
        token: Option<&PinToken>,
        subcommand: u8,
        params: Option<Value>,
    ) -> Result<Option<Value>> {
        let cmd = self.cred_mgmt_command()?;
        let mut req = vec![(1, uint(subcommand.into()))];
        if let Some(token) = token {
            let mut msg = vec![subcommand];
            if let Some(p) = &params {
                msg.extend(cbor::encode(p)?);
            }
            if let Some(p) = params {
                req.push((2, p));
            }
            req.push((3, uint(token.protocol().number().into())));
            req.push((4, Value::Bytes(token.authenticate(&msg))));
        }
        match self.call_raw(cmd, Some(&int_map(req)), "credentialManagement")? {
            Ok(v) => Ok(Some(v.unwrap_or(Value::Null))),
            Err(status::NO_CREDENTIALS) => Ok(None),
            Err(code) => Err(status_error(code, "credentialManagement")),
        }
    }

    /// getCredsMetadata.
    pub fn credentials_metadata(&mut self, token: &PinToken) -> Result<CredsMetadata> {
        let v = self
            .cm(Some(token), sub::METADATA, None)?
            .unwrap_or(Value::Null);
        let get = |k| map_get(&v, k).and_then(as_u64);
        match (get(1), get(2)) {
            (Some(existing), Some(remaining)) => Ok(CredsMetadata {
                existing,
                remaining,
            }),
            _ => Err(DeviceError::Malformed {
                command: "getCredsMetadata",
                detail: "counts missing".into(),
            }),
        }
    }

    /// Every relying party with discoverable credentials.
    pub fn relying_parties(&mut self, token: &PinToken) -> Result<Vec<RelyingParty>> {
        let Some(first) = self.cm(Some(token), sub::RPS_BEGIN, None)? else {
            return Ok(Vec::new());
        };
        let total = map_get(&first, 5).and_then(as_u64).unwrap_or(1);
        let mut out = vec![parse_rp(&first)?];
        for _ in 1..total {
            let next = self
                .cm(None, sub::RPS_NEXT, None)?
                .ok_or_else(|| short("enumerateRPs"))?;
            out.push(parse_rp(&next)?);
        }
        Ok(out)
    }

    /// The discoverable credentials of one relying party.
    pub fn credentials(&mut self, token: &PinToken, rp: &RelyingParty) -> Result<Vec<Credential>> {
        let params = int_map(vec![(1, Value::Bytes(rp.id_hash.clone()))]);
        let Some(first) = self.cm(Some(token), sub::CREDS_BEGIN, Some(params))? else {
            return Ok(Vec::new());
        };
        let total = map_get(&first, 9).and_then(as_u64).unwrap_or(1);
        let mut out = vec![parse_cred(&first)?];
        for _ in 1..total {
            let next = self
                .cm(None, sub::CREDS_NEXT, None)?
                .ok_or_else(|| short("enumerateCredentials"))?;
            out.push(parse_cred(&next)?);
        }
        Ok(out)
    }

    /// Delete one discoverable credential by id.
    pub fn delete_credential(&mut self, token: &PinToken, credential_id: &[u8]) -> Result<()> {
        let descriptor = text_map(vec![
            ("id", Value::Bytes(credential_id.to_vec())),
            ("type", Value::Text("public-key".into())),
        ]);
        let params = int_map(vec![(2, descriptor)]);
        match self.cm(Some(token), sub::DELETE, Some(params))? {
            Some(_) => Ok(()),
            None => Err(DeviceError::Ctap {
                command: "deleteCredential",
                code: status::NO_CREDENTIALS,
                name: "NO_CREDENTIALS",
            }),
        }
    }
}

fn short(command: &'static str) -> DeviceError {
    DeviceError::Malformed {
        command,
        detail: "the key ended the list early".into(),
    }
}

fn parse_rp(v: &Value) -> Result<RelyingParty> {
    let rp = map_get(v, 3).ok_or_else(|| short("enumerateRPs"))?;
    Ok(RelyingParty {
        id: text(text_get(rp, "id")).ok_or_else(|| short("enumerateRPs"))?,
        name: text(text_get(rp, "name")),
        id_hash: map_get(v, 4)
            .and_then(Value::as_bytes)
            .cloned()
            .ok_or_else(|| short("enumerateRPs"))?,
    })
}

fn parse_cred(v: &Value) -> Result<Credential> {
    let user = map_get(v, 6).ok_or_else(|| short("enumerateCredentials"))?;
    let descriptor = map_get(v, 7).ok_or_else(|| short("enumerateCredentials"))?;
    Ok(Credential {
        credential_id: text_get(descriptor, "id")
            .and_then(Value::as_bytes)
            .cloned()
            .ok_or_else(|| short("enumerateCredentials"))?,
        user_id: text_get(user, "id")
            .and_then(Value::as_bytes)
            .cloned()
            .unwrap_or_default(),
        user_name: text(text_get(user, "name")),
        user_display_name: text(text_get(user, "displayName")),
        cred_protect: map_get(v, 0x0A).and_then(as_u64),
    })
}

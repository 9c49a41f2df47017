//! CTAP2 command dispatch, authenticatorGetInfo, authenticatorReset and
//! authenticatorSelection.

use std::collections::VecDeque;
use std::time::Duration;

use ciborium::Value;

use super::cbor::{self, b, i, imap, t, tmap};
use super::frame::MAX_MESSAGE;
use super::state::AuthenticatorState;
use super::status::{self, fail, Fail};
use super::Authenticator;

/// CTAP2 command bytes.
pub(crate) mod command {
    pub const MAKE_CREDENTIAL: u8 = 0x01;
    pub const GET_ASSERTION: u8 = 0x02;
    pub const GET_INFO: u8 = 0x04;
    pub const CLIENT_PIN: u8 = 0x06;
    pub const RESET: u8 = 0x07;
    pub const GET_NEXT_ASSERTION: u8 = 0x08;
    pub const CRED_MGMT: u8 = 0x0A;
    pub const SELECTION: u8 = 0x0B;
    pub const CONFIG: u8 = 0x0D;
    pub const CRED_MGMT_PREVIEW: u8 = 0x41;
}

/// maxMsgSize as a YubiKey 5 reports it.
pub const MAX_MSG_SIZE: usize = 1200;

/// Circumstances of one execution of a CBOR command.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx {
    /// Whether the user has touched the key for this command.
    pub touched: bool,
    /// Clock time the command arrived (for the reset window).
    pub received_at: Duration,
}

impl Ctx {
    /// Continue only with user presence; otherwise the command waits for touch.
    pub fn require_up(self) -> Result<(), Fail> {
        if self.touched {
            Ok(())
        } else {
            Err(Fail::NeedTouch)
        }
    }
}

/// Result of a CBOR command.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// The full CTAPHID_CBOR response: status byte and CBOR data.
    Done(Vec<u8>),
    /// Nothing changed yet; the command waits for touch.
    NeedTouch,
}

/// One credential to sign with in an assertion sequence.
#[derive(Clone)]
pub(crate) struct AssertCred {
    pub id: Vec<u8>,
    pub private_key: Vec<u8>,
    pub user: Option<Value>,
}

impl std::fmt::Debug for AssertCred {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssertCred")
            .field("id", &hex::encode(&self.id))
            .finish_non_exhaustive()
    }
}

/// Remaining assertions for authenticatorGetNextAssertion.
#[derive(Debug, Clone)]
pub(crate) struct NextAssertions {
    pub rp_hash: [u8; 32],
    pub client_data_hash: Vec<u8>,
    pub flags: u8,
    pub creds: VecDeque<AssertCred>,
    pub hmac_secret: Option<super::extensions::HmacSecret>,
}

/// Iteration state of multi-call commands; cleared by power cycle.
#[derive(Debug, Default)]
pub(crate) struct Cursors {
    pub assertions: Option<NextAssertions>,
    pub rps: VecDeque<Value>,
    pub creds: VecDeque<Value>,
}

impl Authenticator {
    /// Execute one CTAPHID_CBOR request (command byte and CBOR parameters).
    pub(crate) fn ctap2(&mut self, req: &[u8], ctx: Ctx) -> Outcome {
        let result = if req.len() > MAX_MSG_SIZE && req.len() <= MAX_MESSAGE {
            fail(status::REQUEST_TOO_LARGE)
        } else {
            self.ctap2_inner(req, ctx)
        };
        match result {
            Ok(None) => Outcome::Done(vec![status::OK]),
            Ok(Some(v)) => {
                let mut out = vec![status::OK];
                out.extend(cbor::encode(&v));
                Outcome::Done(out)
            }
            Err(Fail::Status(s)) => Outcome::Done(vec![s]),
            Err(Fail::NeedTouch) => Outcome::NeedTouch,
        }
    }

    fn ctap2_inner(&mut self, req: &[u8], ctx: Ctx) -> Result<Option<Value>, Fail> {
        let (&cmd, params) = req
            .split_first()
            .ok_or(Fail::Status(status::INVALID_LENGTH))?;
        let params = if params.is_empty() {
            None
        } else {
            Some(cbor::decode(params)?)
        };
        let ctap21 = self.profile.ctap21();
        if cmd != command::GET_NEXT_ASSERTION {
            self.cursors.assertions = None;
        }
        if cmd != command::CRED_MGMT && cmd != command::CRED_MGMT_PREVIEW {
            self.cursors.rps.clear();
            self.cursors.creds.clear();
        }
        let empty = Value::Map(Vec::new());
        let p = params.as_ref().unwrap_or(&empty);
        match cmd {
            command::GET_INFO => Ok(Some(self.get_info())),
            command::MAKE_CREDENTIAL => self.make_credential(p, ctx).map(Some),
            command::GET_ASSERTION => self.get_assertion(p, ctx).map(Some),
            command::GET_NEXT_ASSERTION => self.get_next_assertion().map(Some),
            command::CLIENT_PIN => self.client_pin(p),
            command::RESET => self.reset(ctx).map(|()| None),
            command::SELECTION if ctap21 => ctx.require_up().map(|()| None),
            command::CRED_MGMT if ctap21 => self.cred_mgmt(p),
            command::CRED_MGMT_PREVIEW => self.cred_mgmt(p),
            command::CONFIG if ctap21 => self.config(p).map(|()| None),
            _ => fail(status::INVALID_COMMAND),
        }
    }

    /// authenticatorGetInfo.
    pub(crate) fn get_info(&self) -> Value {
        let ctap21 = self.profile.ctap21();
        let mut versions = vec![t("U2F_V2"), t("FIDO_2_0"), t("FIDO_2_1_PRE")];
        if ctap21 {
            versions.push(t("FIDO_2_1"));
        }
        let pin_set = self.state.pin_hash.is_some();
        let mut options = vec![
            ("rk", Value::Bool(true)),
            ("up", Value::Bool(true)),
            ("plat", Value::Bool(false)),
            ("clientPin", Value::Bool(pin_set)),
            ("credentialMgmtPreview", Value::Bool(true)),
        ];
        if ctap21 {
            options.extend([
                ("credMgmt", Value::Bool(true)),
                ("authnrCfg", Value::Bool(true)),
                ("setMinPINLength", Value::Bool(true)),
                ("pinUvAuthToken", Value::Bool(true)),
                ("makeCredUvNotRqd", Value::Bool(true)),
                ("alwaysUv", Value::Bool(false)),
            ]);
        }
        let mut transports = Vec::new();
        if self.identity.nfc {
            transports.push(t("nfc"));
        }
        transports.push(t("usb"));
        let protocols = self
            .profile
            .pin_protocols()
            .iter()
            .map(|&p| i(i64::from(p)))
            .collect();
        let mut info = vec![
            (0x01, Value::Array(versions)),
            (0x02, Value::Array(vec![t("credProtect"), t("hmac-secret")])),
            (0x03, b(&self.state.aaguid)),
            (0x04, tmap(options)),
            (0x05, i(MAX_MSG_SIZE as i64)),
            (0x06, Value::Array(protocols)),
            (0x07, i(8)),
            (0x08, i(128)),
            (0x09, Value::Array(transports)),
            (
                0x0A,
                Value::Array(vec![tmap(vec![("alg", i(-7)), ("type", t("public-key"))])]),
            ),
        ];
        if ctap21 {
            let (a, bb, c) = self.identity.firmware.version();
            let fw = (i64::from(a) << 16) | (i64::from(bb) << 8) | i64::from(c);
            let remaining = self
                .profile
                .max_resident()
                .saturating_sub(self.state.credentials.len());
            info.extend([
                (0x0C, Value::Bool(self.state.force_pin_change)),
                (0x0D, i(i64::from(self.state.min_pin_length))),
                (0x0E, i(fw)),
                (0x14, i(remaining as i64)),
            ]);
        }
        imap(info)
    }

    /// authenticatorReset: only within the reset window after power-up, with touch.
    fn reset(&mut self, ctx: Ctx) -> Result<(), Fail> {
        if ctx.received_at.saturating_sub(self.powered_at) > self.profile.reset_window() {
            return fail(status::NOT_ALLOWED);
        }
        ctx.require_up()?;
        self.state = AuthenticatorState::factory(self.profile.aaguid());
        self.pin = super::client_pin::Volatile::new();
        self.dirty = true;
        Ok(())
    }
}

//! CTAP2 over CTAPHID_CBOR: the [`FidoKey`] handle, authenticatorGetInfo
//! parsed into [`Info`], and CTAP2 status codes mapped to [`DeviceError`].

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use ciborium::Value;

use crate::error::{DeviceError, Needs, PinRefusal, Result};
use crate::fido::cbor::{self, as_u64, map_get};
use crate::fido::ctaphid::{Ctaphid, FidoClock, InitInfo, KeepaliveFn};
use crate::fido::pin_protocol::PinProtocol;
use crate::transport::HidTransport;

/// CTAP2 command bytes.
pub mod command {
    pub const MAKE_CREDENTIAL: u8 = 0x01;
    pub const GET_INFO: u8 = 0x04;
    pub const CLIENT_PIN: u8 = 0x06;
    pub const RESET: u8 = 0x07;
    pub const CRED_MGMT: u8 = 0x0A;
    pub const CONFIG: u8 = 0x0D;
    pub const CRED_MGMT_PREVIEW: u8 = 0x41;
}

/// CTAP2 status codes this client treats specially.
pub mod status {
    pub const OK: u8 = 0x00;
    pub const KEEPALIVE_CANCEL: u8 = 0x2D;
    pub const NO_CREDENTIALS: u8 = 0x2E;
    pub const USER_ACTION_TIMEOUT: u8 = 0x2F;
    pub const NOT_ALLOWED: u8 = 0x30;
    pub const PIN_INVALID: u8 = 0x31;
    pub const PIN_BLOCKED: u8 = 0x32;
    pub const PIN_AUTH_BLOCKED: u8 = 0x34;
    pub const PIN_NOT_SET: u8 = 0x35;
    pub const PIN_POLICY_VIOLATION: u8 = 0x37;
}

/// Name of a CTAP2 status code, for messages.
#[must_use]
pub fn status_name(code: u8) -> &'static str {
    match code {
        0x01 => "INVALID_COMMAND",
        0x02 => "INVALID_PARAMETER",
        0x03 => "INVALID_LENGTH",
        0x11 => "CBOR_UNEXPECTED_TYPE",
        0x12 => "INVALID_CBOR",
        0x14 => "MISSING_PARAMETER",
        0x15 => "LIMIT_EXCEEDED",
        0x19 => "CREDENTIAL_EXCLUDED",
        0x26 => "UNSUPPORTED_ALGORITHM",
        0x27 => "OPERATION_DENIED",
        0x28 => "KEY_STORE_FULL",
        0x2B => "UNSUPPORTED_OPTION",
        0x2C => "INVALID_OPTION",
        0x2D => "KEEPALIVE_CANCEL",
        0x2E => "NO_CREDENTIALS",
        0x2F => "USER_ACTION_TIMEOUT",
        0x30 => "NOT_ALLOWED",
        0x31 => "PIN_INVALID",
        0x32 => "PIN_BLOCKED",
        0x33 => "PIN_AUTH_INVALID",
        0x34 => "PIN_AUTH_BLOCKED",
        0x35 => "PIN_NOT_SET",
        0x36 => "PUAT_REQUIRED",
        0x37 => "PIN_POLICY_VIOLATION",
        0x39 => "REQUEST_TOO_LARGE",
        0x3E => "INVALID_SUBCOMMAND",
        0x40 => "UNAUTHORIZED_PERMISSION",
        0x7F => "OTHER",
        _ => "unknown",
    }
}

/// Map a CTAP2 error status from `command` to a [`DeviceError`].
///
/// `PIN_INVALID` needs the retry counter; callers that can ask for it
/// (see `client_pin`) replace the `tries_left` given here.
#[must_use]
pub fn status_error(code: u8, command: &'static str) -> DeviceError {
    match code {
        status::KEEPALIVE_CANCEL => DeviceError::Cancelled,
        status::USER_ACTION_TIMEOUT => DeviceError::TouchTimeout,
        status::PIN_INVALID => DeviceError::WrongPin { tries_left: 0 },
        status::PIN_BLOCKED => DeviceError::PinBlocked,
        status::PIN_AUTH_BLOCKED => DeviceError::PinAuthBlocked,
        status::PIN_POLICY_VIOLATION => DeviceError::PinPolicy {
            reason: PinRefusal::FidoRefused,
        },
        status::PIN_NOT_SET => DeviceError::PinPolicy {
            reason: PinRefusal::FidoNotSet,
        },
        _ => DeviceError::Ctap {
            command,
            code,
            name: status_name(code),
        },
    }
}

/// authenticatorGetInfo, typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Info {
    pub versions: Vec<String>,
    pub extensions: Vec<String>,
    pub aaguid: [u8; 16],
    /// Options as the key reports them (absent options are absent here).
    pub options: BTreeMap<String, bool>,
    pub max_msg_size: Option<u64>,
    pub pin_uv_auth_protocols: Vec<u8>,
    pub max_credential_count_in_list: Option<u64>,
    pub max_credential_id_length: Option<u64>,
    pub transports: Vec<String>,
    pub force_pin_change: Option<bool>,
    pub min_pin_length: Option<u64>,
    pub firmware_version: Option<u64>,
    pub max_rpids_for_set_min_pin_length: Option<u64>,
    pub remaining_discoverable_credentials: Option<u64>,
}

fn texts(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|t| t.as_text().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

impl Info {
    /// Parse the CBOR map of a getInfo answer.
    pub fn parse(v: &Value) -> Result<Self> {
        let bad = |detail: &str| DeviceError::Malformed {
            command: "getInfo",
            detail: detail.into(),
        };
        if v.as_map().is_none() {
            return Err(bad("answer is not a map"));
        }
        let versions = texts(map_get(v, 0x01));
        if versions.is_empty() {
            return Err(bad("no versions"));
        }
        let aaguid = map_get(v, 0x03)
            .and_then(Value::as_bytes)
            .and_then(|b| <[u8; 16]>::try_from(b.as_slice()).ok())
            .ok_or_else(|| bad("aaguid missing or not 16 bytes"))?;
        let options = map_get(v, 0x04)
            .and_then(Value::as_map)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.as_text()?.to_owned(), v.as_bool()?)))
                    .collect()
            })
            .unwrap_or_default();
        let pin_uv_auth_protocols = map_get(v, 0x06)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|p| as_u64(p).and_then(|n| u8::try_from(n).ok()))
                    .collect()
            })
            .unwrap_or_default();
        let num = |k: i64| map_get(v, k).and_then(as_u64);
        Ok(Self {
            versions,
            extensions: texts(map_get(v, 0x02)),
            aaguid,
            options,
            max_msg_size: num(0x05),
            pin_uv_auth_protocols,
            max_credential_count_in_list: num(0x07),
            max_credential_id_length: num(0x08),
            transports: texts(map_get(v, 0x09)),
            force_pin_change: map_get(v, 0x0C).and_then(Value::as_bool),
            min_pin_length: num(0x0D),
            firmware_version: num(0x0E),
            max_rpids_for_set_min_pin_length: num(0x10),
            remaining_discoverable_credentials: num(0x14),
        })
    }

    /// An option's value, `None` when the key does not report it.
    #[must_use]
    pub fn option(&self, name: &str) -> Option<bool> {
        self.options.get(name).copied()
    }

    /// Whether a version string (e.g. "FIDO_2_1") is advertised.
    #[must_use]
    pub fn has_version(&self, v: &str) -> bool {
        self.versions.iter().any(|x| x == v)
    }

    /// Whether a PIN is set (`clientPin` true); `None` when the key has no PIN support.
    #[must_use]
    pub fn pin_is_set(&self) -> Option<bool> {
        self.option("clientPin")
    }

    /// The AAGUID in the usual 8-4-4-4-12 form.
    #[must_use]
    pub fn aaguid_string(&self) -> String {
        let h = hex::encode(self.aaguid);
        format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        )
    }

    /// The minimum PIN length the key enforces (4 when it does not say).
    #[must_use]
    pub fn effective_min_pin_length(&self) -> usize {
        self.min_pin_length
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(4)
    }
}

/// An open FIDO2 key: a CTAPHID channel plus what getInfo said.
#[derive(Debug)]
pub struct FidoKey {
    pub(crate) hid: Ctaphid,
    pub(crate) info: Info,
    pub(crate) forced_protocol: Option<PinProtocol>,
}

impl FidoKey {
    /// Open the key behind `transport`: INIT, then getInfo.
    pub fn open(transport: Box<dyn HidTransport>) -> Result<Self> {
        Self::from_hid(Ctaphid::open(transport)?)
    }

    /// As [`Self::open`] with timeouts measured on `clock`.
    pub fn open_with_clock(
        transport: Box<dyn HidTransport>,
        clock: Arc<dyn FidoClock>,
    ) -> Result<Self> {
        Self::from_hid(Ctaphid::open_with_clock(transport, clock)?)
    }

    /// Use an already open CTAPHID channel.
    pub fn from_hid(hid: Ctaphid) -> Result<Self> {
        if !hid.info().has_cbor() {
            return Err(DeviceError::Unsupported {
                needs: Needs::Ctap2,
            });
        }
        let mut this = Self {
            hid,
            info: Info::default(),
            forced_protocol: None,
        };
        this.refresh_info()?;
        Ok(this)
    }

    /// The last getInfo answer.
    #[must_use]
    pub fn info(&self) -> &Info {
        &self.info
    }

    /// What CTAPHID INIT said (device version, capabilities).
    #[must_use]
    pub fn init_info(&self) -> InitInfo {
        self.hid.info()
    }

    /// Ask getInfo again (PIN state and counters change).
    pub fn refresh_info(&mut self) -> Result<&Info> {
        let v = self
            .call(command::GET_INFO, None, "getInfo")?
            .ok_or_else(|| DeviceError::Malformed {
                command: "getInfo",
                detail: "empty answer".into(),
            })?;
        self.info = Info::parse(&v)?;
        Ok(&self.info)
    }

    /// Call `f` for every KEEPALIVE (e.g. to show "touch your key").
    pub fn set_keepalive_handler(&mut self, f: Option<KeepaliveFn>) {
        self.hid.set_keepalive_handler(f);
    }

    /// Cancel a running command when `flag` becomes true.
    pub fn set_cancel_flag(&mut self, flag: Option<Arc<AtomicBool>>) {
        self.hid.set_cancel_flag(flag);
    }

    /// How long to wait for touch (default 30 s).
    pub fn set_touch_timeout(&mut self, timeout: Duration) {
        self.hid.set_touch_timeout(timeout);
    }

    /// Use this PIN/UV auth protocol instead of the preferred one (tests, old keys).
    pub fn force_pin_protocol(&mut self, protocol: Option<PinProtocol>) {
        self.forced_protocol = protocol;
    }

    /// The PIN/UV auth protocol to use: forced, else 2 when offered, else 1.
    pub fn pin_protocol(&self) -> Result<PinProtocol> {
        if let Some(p) = self.forced_protocol {
            return Ok(p);
        }
        if self.info.pin_uv_auth_protocols.is_empty() {
            // CTAP 2.0 keys may omit the list; protocol 1 is implied.
            return Ok(PinProtocol::V1);
        }
        PinProtocol::choose(&self.info.pin_uv_auth_protocols).ok_or(DeviceError::Unsupported {
            needs: Needs::PinUvProtocol,
        })
    }

    /// The CTAPHID layer (for PING, WINK).
    pub fn hid_mut(&mut self) -> &mut Ctaphid {
        &mut self.hid
    }

    /// One CTAP2 command; the raw status when it is not OK.
    pub(crate) fn call_raw(
        &mut self,
        command: u8,
        params: Option<&Value>,
        name: &'static str,
    ) -> Result<std::result::Result<Option<Value>, u8>> {
        let mut req = vec![command];
        if let Some(p) = params {
            req.extend(cbor::encode(p)?);
        }
        let resp = self.hid.cbor(&req)?;
        let Some((&code, body)) = resp.split_first() else {
            return Err(DeviceError::Malformed {
                command: name,
                detail: "empty CTAP2 answer".into(),
            });
        };
        if code != status::OK {
            return Ok(Err(code));
        }
        if body.is_empty() {
            return Ok(Ok(None));
        }
        cbor::decode(name, body).map(|v| Ok(Some(v)))
    }

    /// One CTAP2 command, status codes mapped to errors.
    pub(crate) fn call(
        &mut self,
        command: u8,
        params: Option<&Value>,
        name: &'static str,
    ) -> Result<Option<Value>> {
        self.call_raw(command, params, name)?
            .map_err(|code| status_error(code, name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fido::cbor::{int_map, text_map, uint};

    #[test]
    fn parses_get_info() {
        let v = int_map(vec![
            (
                1,
                Value::Array(vec![
                    Value::Text("FIDO_2_0".into()),
                    Value::Text("FIDO_2_1".into()),
                ]),
            ),
            (3, Value::Bytes((0..16).collect())),
            (
                4,
                text_map(vec![
                    ("clientPin", Value::Bool(false)),
                    ("authnrCfg", Value::Bool(true)),
                ]),
            ),
            (5, uint(1200)),
            (6, Value::Array(vec![uint(2), uint(1)])),
            (0x0C, Value::Bool(true)),
            (0x0D, uint(6)),
            (0x0E, uint(0x050701)),
            (0x14, uint(99)),
        ]);
        let info = Info::parse(&v).unwrap();
        assert!(info.has_version("FIDO_2_1"));
        assert_eq!(info.aaguid_string(), "00010203-0405-0607-0809-0a0b0c0d0e0f");
        assert_eq!(info.pin_is_set(), Some(false));
        assert_eq!(info.option("authnrCfg"), Some(true));
        assert_eq!(info.option("credMgmt"), None);
        assert_eq!(info.max_msg_size, Some(1200));
        assert_eq!(info.pin_uv_auth_protocols, vec![2, 1]);
        assert_eq!(info.force_pin_change, Some(true));
        assert_eq!(info.effective_min_pin_length(), 6);
        assert_eq!(info.firmware_version, Some(0x050701));
        assert_eq!(info.remaining_discoverable_credentials, Some(99));
        assert!(Info::parse(&int_map(vec![(1, Value::Array(vec![]))])).is_err());
    }

    #[test]
    fn status_codes_map_to_errors_with_advice() {
        assert!(matches!(status_error(0x2D, "x"), DeviceError::Cancelled));
        assert!(matches!(status_error(0x2F, "x"), DeviceError::TouchTimeout));
        assert!(matches!(status_error(0x32, "x"), DeviceError::PinBlocked));
        assert!(matches!(
            status_error(0x34, "x"),
            DeviceError::PinAuthBlocked
        ));
        assert!(status_error(0x34, "x")
            .to_string()
            .contains("plug it back in"));
        assert!(matches!(
            status_error(0x37, "x"),
            DeviceError::PinPolicy { .. }
        ));
        assert!(matches!(
            status_error(0x30, "reset"),
            DeviceError::Ctap {
                code: 0x30,
                name: "NOT_ALLOWED",
                ..
            }
        ));
    }
}

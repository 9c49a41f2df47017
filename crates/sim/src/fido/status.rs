//! CTAP2 status codes (CTAP 2.1 section 8.2), and how a command handler
//! fails: with one of them, or by waiting for touch. Every CTAP2 module
//! answers with these; this module depends on none of them.

pub const OK: u8 = 0x00;
pub const INVALID_COMMAND: u8 = 0x01;
pub const INVALID_PARAMETER: u8 = 0x02;
pub const INVALID_LENGTH: u8 = 0x03;
pub const CBOR_UNEXPECTED_TYPE: u8 = 0x11;
pub const INVALID_CBOR: u8 = 0x12;
pub const MISSING_PARAMETER: u8 = 0x14;
pub const LIMIT_EXCEEDED: u8 = 0x15;
pub const CREDENTIAL_EXCLUDED: u8 = 0x19;
pub const UNSUPPORTED_ALGORITHM: u8 = 0x26;
pub const KEY_STORE_FULL: u8 = 0x28;
pub const UNSUPPORTED_OPTION: u8 = 0x2B;
pub const INVALID_OPTION: u8 = 0x2C;
pub const KEEPALIVE_CANCEL: u8 = 0x2D;
pub const NO_CREDENTIALS: u8 = 0x2E;
pub const USER_ACTION_TIMEOUT: u8 = 0x2F;
pub const NOT_ALLOWED: u8 = 0x30;
pub const PIN_INVALID: u8 = 0x31;
pub const PIN_BLOCKED: u8 = 0x32;
pub const PIN_AUTH_INVALID: u8 = 0x33;
pub const PIN_AUTH_BLOCKED: u8 = 0x34;
pub const PIN_NOT_SET: u8 = 0x35;
pub const PUAT_REQUIRED: u8 = 0x36;
pub const PIN_POLICY_VIOLATION: u8 = 0x37;
pub const REQUEST_TOO_LARGE: u8 = 0x39;
pub const INVALID_SUBCOMMAND: u8 = 0x3E;
pub const UNAUTHORIZED_PERMISSION: u8 = 0x40;
pub const OTHER: u8 = 0x7F;

/// Why a handler did not produce a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fail {
    /// Answer with this CTAP2 status.
    Status(u8),
    /// The command must wait for touch and be run again with `touched`.
    NeedTouch,
}

/// Shorthand for a CTAP2 status error.
pub(crate) fn fail<T>(code: u8) -> Result<T, Fail> {
    Err(Fail::Status(code))
}

//! The one error type of keydesk-device. Every variant says what happened in
//! terms the technician understands; `Display` texts end with what to do next.

use keydesk_types::{Serial, Slot};

mod detail;

pub use detail::{AttestationFault, AttestationMismatchKind, Needs, PinRefusal, PivFeature};

/// Errors from talking to a security key.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error(
        "wrong PIN: {tries_left} tries left before the PIN is blocked; check the PIN and try again"
    )]
    WrongPin { tries_left: u8 },
    #[error("the PIN is blocked; unblock it with the PUK, or reset the application")]
    PinBlocked,
    #[error("wrong PUK: {tries_left} tries left before the PUK is blocked")]
    WrongPuk { tries_left: u8 },
    #[error("the PUK is blocked; only a reset of the PIV application can recover the key")]
    PukBlocked,
    #[error(
        "too many wrong FIDO2 PINs in a row: unplug the key and plug it back in, then try again"
    )]
    PinAuthBlocked,
    #[error("the PIN does not meet the policy: {reason}")]
    PinPolicy { reason: PinRefusal },
    #[error(
        "management key authentication failed; the key does not use the expected management key"
    )]
    ManagementKeyRejected,
    #[error("key {serial} is not in factory state (PIN or management key changed); reset it before enrolling it")]
    NotFactoryFresh { serial: Serial },
    #[error("no security key is plugged in; plug in the key and try again")]
    NoKey,
    #[error("key {serial} is not plugged in; plug it in (or check the serial) and try again")]
    KeyNotFound { serial: Serial },
    #[error("{count} FIDO keys are plugged in; unplug all but key {serial} and try again")]
    SeveralKeys { serial: Serial, count: usize },
    #[error("the key was not touched in time; start again and touch the key when it blinks")]
    TouchTimeout,
    #[error("the FIDO2 reset must start within {window_secs} s of plugging the key in; unplug it, plug it back in and confirm at once")]
    ResetWindowMissed { window_secs: u64 },
    #[error("the operation was cancelled")]
    Cancelled,
    #[error("attestation does not match the key in hand: {what}; do not issue this key, set it aside and report it")]
    AttestationMismatch { what: AttestationMismatchKind },
    #[error("attestation could not be verified: {0}")]
    Attestation(AttestationFault),
    #[error("this key cannot do that: it needs {needs}")]
    Unsupported { needs: Needs },
    #[error("the key was removed during the operation; plug it back in and run recovery")]
    KeyRemoved,
    #[error("the key answered with status {sw:04X} to {command}")]
    Status { command: &'static str, sw: u16 },
    #[error("the key sent a malformed answer to {command}: {detail}")]
    Malformed {
        command: &'static str,
        detail: String,
    },
    #[error("CTAP error 0x{code:02X} ({name}) from {command}")]
    Ctap {
        command: &'static str,
        code: u8,
        name: &'static str,
    },
    #[error("smart-card service: {0}; check that pcscd is running")]
    Pcsc(String),
    #[error("HID access failed: {0}; check the udev rule or group for FIDO devices")]
    Hid(String),
    #[error("transport error: {0}")]
    Transport(String),
    #[error(
        "the key refused {command}: verify the PIN or authenticate with the management key first"
    )]
    AccessDenied { command: &'static str },
    #[error("the key has no such application, slot or data object ({command})")]
    NotFound { command: &'static str },
    #[error("{count} keys report serial {serial}; unplug all but one and try again")]
    DuplicateSerial { serial: Serial, count: usize },
    #[error("the key is used by another program (e.g. gpg's scdaemon); close it and try again")]
    CardBusy,
    #[error("the certificate is not for the key in slot {slot}; request a certificate for this key's CSR")]
    CertificateKeyMismatch { slot: Slot },
}

/// Result alias for this crate.
pub type Result<T, E = DeviceError> = std::result::Result<T, E>;

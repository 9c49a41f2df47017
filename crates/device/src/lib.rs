//! keydesk-device: the only code that talks to security keys.
//!
//! PC/SC for the Management, PIV and OTP applications, HID (CTAPHID/CTAP2)
//! for FIDO2. Every plugged key is found on all its interfaces and grouped by
//! serial; every operation addresses one key by serial.

pub mod apdu;
pub mod attestation;
pub mod discovery;
pub mod error;
pub mod fido;
pub mod keys;
pub mod management;
pub mod otp;
pub mod pcsc_transport;
pub mod piv;
pub mod transport;
pub mod watch;

pub use error::{
    AttestationFault, AttestationMismatchKind, DeviceError, Needs, PinRefusal, PivFeature, Result,
};
pub use transport::{CardTransport, HidTransport, Report, HID_REPORT_LEN};
#[cfg(feature = "sim")]
pub mod sim_source;
pub mod source;

//! FIDO2 over HID: our own CTAPHID framing and CTAP 2.1 client (getInfo,
//! clientPIN with PIN/UV auth protocols 2 and 1, reset, authenticatorConfig,
//! credential management) over the [`crate::HidTransport`] trait, with
//! transports for real devices (hidapi) and the simulator's Unix socket.
//!
//! Why our own client and not ctap-hid-fido2: docs/decisions/0001-fido2-client.md.
//!
//! A FIDO2 reset as the counter does it (the technician has just re-plugged
//! the key; the UI shows "touch your key" from the keepalives):
//!
//! ```no_run
//! use keydesk_device::fido::{self, FidoKey, HidapiTransport, Keepalive};
//! use keydesk_types::Serial;
//!
//! # fn main() -> keydesk_device::Result<()> {
//! let present = fido::list_fido_devices()?;
//! let serial = Serial::new(12_345_678).expect("a serial is never 0");
//! let device = fido::single_device(&present, serial)?; // SeveralKeys if >1
//! let mut key = FidoKey::open(Box::new(HidapiTransport::open(device)?))?;
//! key.set_keepalive_handler(Some(Box::new(|k: &Keepalive| {
//!     eprintln!("touch the key ({} s left)", k.remaining.as_secs());
//! })));
//! key.reset()?; // ResetWindowMissed, TouchTimeout, Cancelled, KeyRemoved ...
//! # Ok(())
//! # }
//! ```

pub mod cbor;
pub mod client_pin;
pub mod config;
pub mod cred_mgmt;
pub mod credential;
pub mod ctap2;
pub mod ctaphid;
#[cfg(test)]
mod ctaphid_tests;
pub mod discovery;
pub mod hid_transport;
pub mod pin_protocol;
pub mod reset;
pub mod socket_transport;
pub mod yubikey;

pub use client_pin::{check_pin_policy, permission, PinRetries, PinToken};
pub use cred_mgmt::{Credential, CredsMetadata, RelyingParty};
pub use credential::NewCredential;
pub use ctap2::{FidoKey, Info};
pub use ctaphid::{Ctaphid, FidoClock, InitInfo, Keepalive, KeepaliveStatus, SystemClock};
pub use discovery::{changes, list_fido_devices, DeviceChanges, FidoDevice, FIDO_USAGE_PAGE};
pub use hid_transport::HidapiTransport;
pub use pin_protocol::PinProtocol;
pub use reset::{reset_window_secs, single_device};
pub use socket_transport::UnixSocketTransport;

//! keydesk-sim: a virtual YubiKey 5 for tests, demo and training.
//!
//! It speaks the same protocols as the hardware so that real stacks accept it:
//! the Management, PIV and OTP applications over ISO 7816 APDUs ([`card`]), and a
//! FIDO2 authenticator over CTAPHID 64-byte reports ([`fido`]). One [`SimKey`]
//! is one physical key: both interfaces share its [`identity::Identity`].
//!
//! It runs in-process (tests call [`card::Card::transmit`] and the authenticator's
//! report functions directly) or as the `keydesk-sim serve` process that plugs
//! into pcscd through the vsmartcard `vpcd` driver and serves CTAPHID on a Unix
//! socket ([`serve`]).

pub mod card;
pub mod clock;
pub mod fault;
pub mod fido;
pub mod identity;
pub mod key;
pub mod serve;
pub mod touch;

pub use identity::{Firmware, FormFactor, Identity};
pub use key::SimKey;
pub use touch::Touch;

//! keydesk-core: the counter workflows (enrol, reset, revoke, return, replace,
//! lost) as state machines over keydesk-device and keydesk-store, with a
//! crash-safe journal so that a killed process or a pulled key loses nothing.
//!
//! Entry point: [`Desk`], built from a [`keydesk_store::Store`] and an [`Env`]
//! (injected clock, random source, operator and [`Profile`]).

pub mod desk;
pub mod env;
pub mod error;
pub mod profile;
pub mod workflow;

pub use desk::{Desk, Env};
pub use env::{Clock, FixedClock, Operator, SecureRng, SystemClock};
pub use error::{CoreError, ErrorKind, Result};
pub use profile::Profile;
pub use workflow::inventory::ImportKind;
pub use workflow::status::RevokeReason;

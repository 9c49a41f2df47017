//! keydesk-types: the value types that every keydesk layer names, defined
//! once. Device, store, core and the app all use these; none re-declares
//! them. Each type is parsed once, at the edge (a clap value parser, a CSV
//! cell, a profile field, a database column), and is valid from then on.
//!
//! - identities: [`Serial`] (never 0), [`PersonnelNo`], [`AssetTag`],
//!   [`SiteCode`] (an office, upper case)
//! - the key lifecycle: [`KeyState`] (with its transition table) and
//!   [`RevokeReason`]
//! - PIV: [`Slot`], [`Algorithm`], [`PinPolicy`], [`TouchPolicy`]
//! - lists and reports: [`ImportKind`], [`ExportKind`]
//! - [`Secret`]: PINs, PUKs and management keys, wiped on drop, compared in
//!   constant time, never printed
//!
//! Parse failures are one typed [`ParseError`]. With the `clap` feature the
//! closed sets implement `clap::ValueEnum`; the others parse through
//! `FromStr`, which clap's `value_parser!` picks up on its own.

mod error;
mod ids;
mod key_state;
mod lists;
mod operator;
mod piv;
mod reason;
mod secret;
mod serial;
mod site;

#[cfg(feature = "clap")]
mod value_enum;

pub use error::ParseError;
pub use ids::{AssetTag, PersonnelNo, TEXT_ID_MAX_CHARS};
pub use key_state::KeyState;
pub use lists::{ExportKind, ImportKind};
pub use operator::{OperatorRole, SiteScope};
pub use piv::{Algorithm, PinPolicy, RetiredSlot, Slot, TouchPolicy};
pub use reason::RevokeReason;
pub use secret::Secret;
pub use serial::Serial;
pub use site::{SiteCode, SITE_CODE_MAX_CHARS};

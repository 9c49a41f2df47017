//! keydesk-core: the counter workflows (enrol, reset, revoke, return, replace,
//! lost) as state machines over keydesk-device and keydesk-store, with a
//! crash-safe journal so that a killed process or a pulled key loses nothing.
//!
//! Entry point: [`Desk`], built from a [`keydesk_store::Store`] and an [`Env`]
//! (injected clock, random source, operator and [`Profile`]).

pub mod account;
pub mod desk;
pub mod env;
pub mod error;
pub mod journal;
mod lookup;
mod open;
pub mod profile;
mod replug;
pub mod schema;
#[cfg(feature = "sim")]
pub mod training;
pub mod trust;
mod views;
pub mod workflow;

/// The inventory's records and reports as the desk's views and workflows
/// return them: the faces read these, never the store itself.
pub mod records {
    pub use keydesk_store::{
        format_date, parse_date, Assignment, AuditAnchor, AuditHead, CopyReport, CopyStep, Dialect,
        FieldChange, Hit, HitKind, ImportAction, ImportChange, ImportField, ImportReport,
        JournalEntry, Key, KeyHistory, Notebook, Operator, Site, Staff,
    };
}

/// Where the inventory lives: an SQLite file, or a PostgreSQL URL.
pub use keydesk_store::DbLocation;

/// The SHA-256 (hex) that names a site's stored profile in the trail.
pub use keydesk_store::profile_sha256;

pub use account::Account;
pub use desk::{Desk, Env, Prompt, Prompter};
pub use env::{Clock, FixedClock, Operator, SecureRng, SystemClock};
pub use error::{CoreError, ErrorKind, Result};
pub use journal::names::Workflow;
pub use open::Keys;
pub use profile::{Profile, ProfileSource};
pub use trust::{Trust, TrustedRoot};
pub use views::{OpenWork, PluggedKey, MAX_BATCH};
pub use workflow::batch::{BatchEvent, ResetBatch, Standing};
pub use workflow::enrol::{EnrolOutcome, EnrolRequest, PinLetter, Secrets};
pub use workflow::recover::{RecoveryOutcome, RecoveryReport};
pub use workflow::reset::{ResetOutcome, ResetRequest};
pub use workflow::service::OldKey;
pub use workflow::sites::{CounterStatus, SiteProfileChange};
// Value types that the desk's operations take, from keydesk-types.
pub use keydesk_types::{ImportKind, RevokeReason, Secret, SiteCode};

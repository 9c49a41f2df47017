//! keydesk-store: the SQLite inventory of keys, staff and notebooks, the key
//! lifecycle, a hash-chained audit trail, and CSV import/export for German
//! offices (Excel-ready).
//!
//! Main API (all on one concrete [`Store`]; every write takes a [`Ctx`] with
//! actor, workstation and time, and commits its audit event with it):
//! - open: [`Store::open`] (file, mode 0600, WAL), [`Store::open_in_memory`],
//!   `checkpoint` (call when idle), `optimize`; [`Store::open_at`] and
//!   [`Store::migrate`] for a [`DbLocation`] (file or `postgresql://` URL,
//!   TLS by `sslmode`/`sslrootcert`), `server_tls`
//! - sites (offices): `add_site`, `get_site`, `sites`; a [`Ctx`] names the
//!   counter's site (`with_site`), which every event records
//! - staff/notebooks: `add_staff`, `update_staff`, `get_staff`,
//!   `get_staff_by_id`, `add_notebook`, `update_notebook`, `get_notebook`,
//!   `get_notebook_by_id`
//! - keys: `add_key` ([`NewKey::unknown`] when only the serial is known),
//!   `get_key`, `issue` (holder, notebook, optional due date), `transition`
//!   (checked by [`KeyState::can_become`], see `lifecycle`), `set_notes`,
//!   `record_enrolment`, `enrolments`, `key_history`, `current_assignment`,
//!   `assignments_of_staff`, `assignments_of_notebook`, `expired_loans`,
//!   `count_by_state`
//! - audit: `verify` → `Ok(events)` or [`StoreError::AuditBroken`];
//!   `audit_head` → the newest event as an [`AuditAnchor`] (`<event>:<hash>`)
//!   to keep outside the file, `verify_anchored` → `verify` plus that anchor
//!   still in the chain unchanged
//! - journal: `journal_begin`, `journal_record`, `journal_close`,
//!   `journal_unfinished`
//! - search: `search(query, limit)` → [`Hit`]s (prefix first, then
//!   substring; case- and umlaut-insensitive via [`fold`])
//! - CSV in: `import_staff`, `import_notebooks`, `import_keys` with
//!   [`ImportOptions`] (dry run) → [`ImportReport`] (counts and the first
//!   [`CHANGES_LISTED`] changes, field by field); `import` takes an
//!   [`ImportKind`] and a progress callback
//! - copy: `copy_into` (a [`DbLocation`]) or `copy_into_store` copies the
//!   whole inventory, ids, audit chain and all, into an empty one of either
//!   engine in one transaction → [`CopyReport`], progress by [`CopyStep`]
//! - CSV out: `export_inventory`, `export_history`, `export_blocked`,
//!   `export_staff`, `export_notebooks` to any `io::Write`, [`Dialect`]
//!   Excel (default) or RFC 4180
//!
//! SQL stays inside this crate, with bound parameters only, so another
//! backend (PostgreSQL) can follow behind the same API.

mod audit;
mod claims;
mod copy;
mod csv_in;
mod csv_out;
mod db;
mod error;
mod inventory;
mod journal;
mod keys;
mod lifecycle;
mod location;
mod model;
mod operators;
mod pg;
mod purpose;
mod search;
mod sites;
mod sql;

pub use audit::{AuditAnchor, AuditHead, GENESIS};
pub use claims::ClaimHolder;
pub use copy::{CopyReport, CopyStep, COPY_PROGRESS_EVERY};
pub use csv_in::{
    FieldChange, ImportAction, ImportChange, ImportField, ImportOptions, ImportReport,
    CHANGES_LISTED, PROGRESS_EVERY,
};
pub use csv_out::{neutralise, Dialect, EXPORT_PROGRESS_EVERY, HISTORY_SQL};
pub use db::Store;
pub use error::{
    AnchorFault, AuditProblem, ImportIssue, ImportProblem, Result, ServerError, StoreError,
};
pub use journal::{JournalEntry, JournalOutcome};
pub use location::DbLocation;
pub use operators::Operator;
// The value types, defined in keydesk-types, re-exported for convenience.
pub use keydesk_types::{
    AssetTag, ExportKind, ImportKind, KeyState, ParseError, PersonnelNo, Serial, SiteCode,
};
pub use model::{
    format_date, format_ts, parse_date, Assignment, Ctx, Enrolment, Event, Key, KeyHistory, NewKey,
    NewNotebook, NewStaff, Notebook, Staff,
};
pub use purpose::Purpose;
pub use search::{fold, Hit, HitKind};
pub use sites::{profile_sha256, Site};

//! keydesk-store: the SQLite inventory of keys, staff and notebooks, the key
//! lifecycle, a hash-chained audit trail, and CSV import/export for German
//! offices (Excel-ready).
//!
//! Main API (all on one concrete [`Store`]; every write takes a [`Ctx`] with
//! actor, workstation and time, and commits its audit event with it):
//! - open: [`Store::open`], [`Store::open_in_memory`]
//! - staff/notebooks: `add_staff`, `update_staff`, `get_staff`, `add_notebook`,
//!   `update_notebook`, `get_notebook`
//! - keys: `add_key`, `get_key`, `issue`, `transition` (checked by
//!   [`KeyState::can_become`]), `set_notes`, `record_enrolment`,
//!   `key_history`, `current_assignment`, `assignments_of_staff`,
//!   `assignments_of_notebook`, `expired_loans`
//! - audit: `verify`
//! - journal: `journal_begin`, `journal_record`, `journal_close`, `journal_unfinished`
//! - search: `search` (prefix + substring, umlaut-folded, first page)
//! - CSV: `import_staff`, `import_notebooks`, `import_keys` (with dry run),
//!   `export_inventory`, `export_history`, `export_blocked`, `export_staff`,
//!   `export_notebooks` (Excel or RFC 4180 dialect, streaming to any `io::Write`)

mod audit;
mod csv_in;
mod csv_out;
mod db;
mod error;
mod inventory;
mod journal;
mod keys;
mod lifecycle;
mod model;
mod search;

pub use audit::GENESIS;
pub use csv_in::{ImportAction, ImportChange, ImportOptions, ImportReport};
pub use csv_out::{neutralise, Dialect, HISTORY_SQL};
pub use db::Store;
pub use error::{AuditProblem, ImportIssue, Result, StoreError};
pub use journal::{JournalEntry, JournalOutcome};
pub use lifecycle::KeyState;
pub use model::{
    format_date, format_ts, parse_date, AssetTag, Assignment, Ctx, Enrolment, Event, Key,
    KeyHistory, NewKey, NewNotebook, NewStaff, Notebook, PersonnelNo, Serial, Staff,
};
pub use search::{fold, Hit, HitKind};

//! The one error type of keydesk-store. Messages are written for the
//! technician at the counter: what is wrong, and what to do next.

use keydesk_types::ParseError;

use crate::model::{KeyState, Serial};

mod import;

use import::format_import_errors;
pub use import::{ImportIssue, ImportProblem};

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file could not be opened or used.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The PostgreSQL server refused or could not be reached.
    #[error("database server: {0}")]
    Postgres(ServerError),
    /// The server refused this to the operator's database role.
    #[error("the database refuses this to {user} ({roles}): {detail}; nothing was changed; an administrator can grant the role it needs (`keydesk operator grant technician|admin {user}`)")]
    NotPermitted {
        /// The authenticated database user.
        user: String,
        /// The keydesk roles that user has ("no keydesk role" when none).
        roles: String,
        /// What the server said.
        detail: String,
    },
    /// A technician's counter or workflow touches a site the technician is
    /// not granted.
    #[error("{user} works on {granted} as a technician, not on site {site}; nothing was changed; an administrator can grant it (`keydesk operator grant technician {user} --site {site}`)")]
    SiteNotPermitted {
        /// The authenticated database user.
        user: String,
        /// The site asked for.
        site: String,
        /// The sites the user has ("no site" when none).
        granted: String,
    },
    /// Sites are granted to technicians; the other roles see every site.
    #[error("only technicians are granted sites; an {role} sees every site: leave out --site and --all-sites")]
    ScopeNotForRole {
        /// The role asked for.
        role: keydesk_types::OperatorRole,
    },
    /// A technician is granted without saying where it works.
    #[error(
        "say which sites technician {user} works on: --site CODE (once per site) or --all-sites"
    )]
    ScopeMissing {
        /// The database user.
        user: String,
    },
    /// Operator roles exist on a shared inventory only.
    #[error("{what} needs a shared inventory on a PostgreSQL server; an SQLite file has one local operator")]
    OnlyOnServer {
        /// What was asked for.
        what: &'static str,
    },
    /// Another counter works on this key right now; nothing was changed.
    #[error("key {serial} is being handled at counter {workstation} ({operator}) since {since}; nothing was changed here: finish it there, or wait until it is done")]
    KeyClaimed {
        /// The key.
        serial: Serial,
        /// The other counter's workstation.
        workstation: String,
        /// Its operator.
        operator: String,
        /// Since when (RFC 3339, UTC).
        since: String,
    },
    /// The server's schema is older than this keydesk: a counter does not
    /// change a shared schema by itself.
    #[error("the inventory database is at schema version {found}, this keydesk needs version {wanted}; ask an administrator to run `keydesk db migrate` (as the database owner), then start again")]
    SchemaOutdated {
        /// The version on the server (0: keydesk never migrated it).
        found: i64,
        /// The version this keydesk needs.
        wanted: i64,
    },
    /// The server's schema is newer than this keydesk.
    #[error("the inventory database is at schema version {found}, newer than this keydesk knows ({wanted}); update keydesk on this counter")]
    SchemaNewer {
        /// The version on the server.
        found: i64,
        /// The newest version this keydesk knows.
        wanted: i64,
    },
    /// The schema could not be brought up to date.
    #[error("database schema could not be updated: {0}; restore the last backup or ask an administrator")]
    Migration(#[from] rusqlite_migration::Error),
    /// Reading or writing a file failed.
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
    /// A CSV file could not be written.
    #[error("CSV error: {0}")]
    Csv(#[from] csv::Error),
    /// A key was asked to move to a state its current state does not allow.
    #[error("key {serial} is {current}; it cannot become {wanted} from there")]
    IllegalTransition {
        /// The key.
        serial: Serial,
        /// Its state now.
        current: KeyState,
        /// The state that was asked for.
        wanted: KeyState,
    },
    /// No key with this serial is known.
    #[error("key {0} is not in the inventory; add it to stock first")]
    UnknownKey(Serial),
    /// The key is already in the inventory.
    #[error("key {0} is already in the inventory")]
    DuplicateKey(Serial),
    /// No staff member with this personnel number.
    #[error(
        "no staff member with personnel number {0}; import the staff list or add the person first"
    )]
    UnknownStaff(String),
    /// The personnel number already exists.
    #[error("personnel number {0} already exists")]
    DuplicateStaff(String),
    /// No notebook with this asset tag.
    #[error("no notebook with asset tag {0}; import the notebook list or add it first")]
    UnknownNotebook(String),
    /// The asset tag already exists.
    #[error("asset tag {0} already exists")]
    DuplicateNotebook(String),
    /// No site with this code.
    #[error("no site with code {0}; add it first with `keydesk site add {0} --name NAME`")]
    UnknownSite(String),
    /// The site code already exists.
    #[error("site {0} already exists")]
    DuplicateSite(String),
    /// No journal entry with this id.
    #[error("journal entry {0} does not exist")]
    UnknownJournal(i64),
    /// A journal entry that is already closed was written to.
    #[error("journal entry {0} is already closed")]
    JournalClosed(i64),
    /// A value given by the caller is not valid (serial, personnel number, date...).
    #[error("{0}")]
    Invalid(String),
    /// An import file was rejected; nothing was changed.
    #[error("{}", format_import_errors(.0))]
    Import(Vec<ImportIssue>),
    /// The audit trail is broken.
    #[error("audit trail broken at event {id}: {problem}")]
    AuditBroken {
        /// The first event that does not fit the chain.
        id: i64,
        /// What is wrong with it.
        problem: AuditProblem,
    },
    /// A value stored in the database cannot be read back (hand-edited file?).
    #[error("database holds an unreadable value: {0}")]
    Corrupt(String),
    /// An audit anchor given by the caller is not of the form `<event>:<hash>`.
    #[error("{input:?} is not an audit anchor: {fault}; give it as `keydesk audit head` prints it, <event>:<64 hex digits>")]
    BadAnchor {
        /// What was given (at most 80 characters of it).
        input: String,
        /// What is wrong with it.
        fault: AnchorFault,
    },
    /// The inventory to copy into already holds data; nothing was written.
    #[error("the target inventory is not empty (its table {what} has rows); nothing was copied; copy into a new file, or into a database that `keydesk db migrate` has just created, empty")]
    CopyTargetNotEmpty {
        /// The first table found with rows.
        what: &'static str,
    },
}

impl StoreError {
    /// Whether the database server could not be reached, or the connection
    /// to it broke (as opposed to a refusal).
    #[must_use]
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Postgres(e) if e.unreachable)
    }
}

/// A value that does not parse (a serial, a personnel number, a state...)
/// is invalid input, with the value type's own message.
impl From<ParseError> for StoreError {
    fn from(e: ParseError) -> Self {
        Self::Invalid(e.to_string())
    }
}

/// What the PostgreSQL server (or the way to it) said, in full: the
/// client library's own `Display` says only "db error".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerError {
    /// The whole message, with the server's detail and hint.
    pub message: String,
    /// The SQLSTATE code, when the server answered (`42501`: no privilege).
    pub code: Option<String>,
    /// True when the server could not be reached or the connection broke
    /// (as opposed to the server refusing a statement).
    pub unreachable: bool,
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        let head = e.to_string();
        // The server shutting down or restarting (57P01-57P03) and broken
        // connections (class 08) are the way to the server, not a refusal.
        let going_away = e.as_db_error().is_some_and(|db| {
            let code = db.code().code();
            matches!(code, "57P01" | "57P02" | "57P03") || code.starts_with("08")
        });
        let unreachable = going_away
            || e.is_closed()
            || matches!(
                head.as_str(),
                "error communicating with the server"
                    | "error connecting to server"
                    | "timeout waiting for server"
                    | "connection closed"
            );
        let (message, code) = match e.as_db_error() {
            Some(db) => {
                let mut m = db.message().to_owned();
                if let Some(d) = db.detail() {
                    m.push_str(&format!(" ({d})"));
                }
                if let Some(h) = db.hint() {
                    m.push_str(&format!("; {h}"));
                }
                (m, Some(db.code().code().to_owned()))
            }
            None => {
                let mut m = head;
                let mut source = std::error::Error::source(&e);
                while let Some(s) = source {
                    m.push_str(&format!(": {s}"));
                    source = s.source();
                }
                (m, None)
            }
        };
        Self::Postgres(ServerError {
            message,
            code,
            unreachable,
        })
    }
}

/// What `verify` found wrong with an audit event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditProblem {
    /// The row's content does not match its hash.
    Edited,
    /// Events before this one are missing (ids `from..=to`).
    Deleted {
        /// First missing id.
        from: i64,
        /// Last missing id.
        to: i64,
    },
    /// This row was put into the chain by hand.
    Inserted,
    /// The newest events were removed (the head record points past the end).
    Truncated {
        /// The id the head record names as the newest event.
        expected_last: i64,
    },
    /// The chain holds together, but the anchored event carries another hash
    /// than the auditor wrote down: the history up to it was rewritten.
    AnchorMismatch {
        /// The hash in the anchor.
        anchored: String,
        /// The hash the event carries now.
        found: String,
    },
    /// The chain holds together, but the anchored event is gone: the history
    /// was cut back to before it.
    AnchorMissing,
}

impl std::fmt::Display for AuditProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Edited => write!(f, "the event was edited after it was written"),
            Self::Deleted { from, to } if from == to => write!(f, "event {from} was deleted"),
            Self::Deleted { from, to } => write!(f, "events {from} to {to} were deleted"),
            Self::Inserted => write!(f, "the event was inserted by hand"),
            Self::Truncated { expected_last } => {
                write!(f, "events up to {expected_last} were removed from the end")
            }
            Self::AnchorMismatch { anchored, found } => write!(
                f,
                "the event carries hash {found}, not {anchored} as in the anchor; the history up to it was rewritten"
            ),
            Self::AnchorMissing => write!(
                f,
                "the anchored event no longer exists; the history up to it was deleted"
            ),
        }
    }
}

/// What is wrong with a string given as an audit anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnchorFault {
    /// No `:` between the event id and the hash.
    NoSeparator,
    /// The part before `:` is not an event id (a whole number from 1, no sign, no leading zero).
    BadEvent,
    /// The part after `:` is not 64 hexadecimal digits.
    BadHash,
}

impl std::fmt::Display for AnchorFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoSeparator => write!(f, "there is no ':' between event and hash"),
            Self::BadEvent => write!(
                f,
                "the event before ':' is not a whole number from 1 (no sign, no leading zero)"
            ),
            Self::BadHash => write!(f, "the hash after ':' is not 64 hexadecimal digits"),
        }
    }
}

/// Result alias for the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

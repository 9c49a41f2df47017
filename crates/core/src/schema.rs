//! The inventory's schema: `keydesk db migrate`. A counter brings its own
//! SQLite file up to date when it opens it; a shared server's schema is
//! changed only here, by an administrator, never by a counter starting.

use keydesk_store::{DbLocation, Store};

use crate::error::Result;

/// What a migration did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migrated {
    /// The schema version before.
    pub before: i64,
    /// The schema version now.
    pub after: i64,
}

/// Apply the pending migrations of the inventory at `at`.
///
/// # Errors
/// `Store` errors: the server unreachable, the role lacking the privilege
/// (the database owner migrates), a schema newer than this keydesk.
pub fn migrate(at: &DbLocation) -> Result<Migrated> {
    let (before, after) = Store::migrate(at)?;
    Ok(Migrated { before, after })
}

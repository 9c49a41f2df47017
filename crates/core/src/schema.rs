//! The inventory's schema: `keydesk db migrate`. A counter brings its own
//! SQLite file up to date when it opens it; a shared server's schema is
//! changed only here, by an administrator, never by a counter starting.

use keydesk_store::{CopyReport, CopyStep, DbLocation, Store};

use crate::error::{CoreError, Result};

impl crate::Desk {
    /// Make the database user `user` an operator with `role` on this
    /// shared inventory (audited; an admin's right); a technician works on
    /// `sites`.
    ///
    /// # Errors
    /// `Store(OnlyOnServer)` on an SQLite file; `Store(NotPermitted)` when
    /// this operator may not grant roles; `Store(ScopeMissing)` /
    /// `Store(ScopeNotForRole)` when sites are missing for a technician or
    /// given to another role; `Store(UnknownSite)`.
    pub fn grant_operator(
        &mut self,
        role: keydesk_types::OperatorRole,
        user: &str,
        sites: Option<&keydesk_types::SiteScope>,
    ) -> Result<()> {
        let ctx = self.ctx();
        Ok(self.store.grant_operator(&ctx, role, user, sites)?)
    }

    /// The operators of this shared inventory.
    ///
    /// # Errors
    /// `Store(OnlyOnServer)` on an SQLite file; database errors.
    pub fn operators(&self) -> Result<Vec<keydesk_store::Operator>> {
        Ok(self.store.operators()?)
    }
}

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

/// Copy the whole inventory at `from` into the empty one at `to` (either
/// engine: a new SQLite file, or a migrated empty PostgreSQL database), ids
/// and audit chain intact; then check on `to` that the chain verifies up to
/// the source's newest event. `progress` hears (table, rows done, rows).
///
/// # Errors
/// `Usage` when `from` is a file that does not exist; `Store` errors: the
/// target not empty (`CopyTargetNotEmpty`), not migrated, unreachable; the
/// chain not verifying on the target (`AuditBroken`).
pub fn copy(
    from: &DbLocation,
    to: &DbLocation,
    progress: &mut dyn FnMut(CopyStep, u64, u64),
) -> Result<CopyReport> {
    if let Some(p) = from.file() {
        if !p.exists() {
            return Err(CoreError::Usage(format!(
                "{} does not exist; give the inventory to copy with --db",
                p.display()
            )));
        }
    }
    let source = Store::open_at(from)?;
    let report = source.copy_into(to, progress)?;
    let target = Store::open_at(to)?;
    match &report.head {
        Some(anchor) => target.verify_anchored(anchor)?,
        None => target.verify()?,
    };
    Ok(report)
}

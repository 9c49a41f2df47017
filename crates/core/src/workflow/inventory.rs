//! Inventory work that involves no key: CSV imports (staff, notebooks, a
//! delivery into stock) and the audit check. Exports and lookups are reads
//! through [`Desk::store`].

use keydesk_store::{ImportOptions, ImportReport, ListKind};

use crate::desk::Desk;
use crate::error::Result;

/// What a CSV file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// An HR export of staff.
    Staff,
    /// An asset export of notebooks.
    Notebooks,
    /// A supplier's list of key serials (a delivery into stock).
    Stock,
}

impl Desk {
    /// Import a CSV file (bytes as read from disk; encoding and delimiter are
    /// detected). On any bad row nothing changes and the error lists the lines.
    ///
    /// # Errors
    /// The file's problems with line numbers, or database errors.
    pub fn import(
        &mut self,
        kind: ImportKind,
        bytes: &[u8],
        source: &str,
        dry_run: bool,
    ) -> Result<ImportReport> {
        self.import_with_progress(kind, bytes, source, dry_run, &mut |_, _| {})
    }

    /// [`Desk::import`], telling `progress` (rows done, rows in all) how far
    /// it got: once the file is checked, every
    /// [`keydesk_store::PROGRESS_EVERY`] rows and at the end. Still all rows
    /// or none.
    ///
    /// # Errors
    /// As [`Desk::import`].
    pub fn import_with_progress(
        &mut self,
        kind: ImportKind,
        bytes: &[u8],
        source: &str,
        dry_run: bool,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ImportReport> {
        let ctx = self.ctx();
        let opts = ImportOptions {
            dry_run,
            source: source.to_owned(),
        };
        let list = match kind {
            ImportKind::Staff => ListKind::Staff,
            ImportKind::Notebooks => ListKind::Notebooks,
            ImportKind::Stock => ListKind::Keys,
        };
        Ok(self.store.import(&ctx, list, bytes, &opts, progress)?)
    }

    /// Check the audit trail's hash chain; the number of events checked.
    ///
    /// # Errors
    /// `StoreError::AuditBroken` naming the first event that does not fit.
    pub fn verify_audit(&self) -> Result<u64> {
        Ok(self.store.verify()?)
    }
}

//! Inventory work that involves no key: CSV imports (staff, notebooks, a
//! delivery into stock) and the audit check. Exports and lookups are reads
//! through [`Desk::store`].

use keydesk_store::{AuditAnchor, AuditHead, ImportOptions, ImportReport};
use keydesk_types::ImportKind;

use crate::desk::Desk;
use crate::error::Result;

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
        Ok(self.store.import(&ctx, kind, bytes, &opts, progress)?)
    }

    /// Check the audit trail's hash chain; the number of events checked.
    ///
    /// # Errors
    /// `StoreError::AuditBroken` naming the first event that does not fit.
    pub fn verify_audit(&self) -> Result<u64> {
        Ok(self.store.verify()?)
    }

    /// The newest audit event as an anchor to write down (`None` while the
    /// trail is empty). Read only; see [`Desk::verify_audit_head`].
    ///
    /// # Errors
    /// Database errors.
    pub fn audit_head(&self) -> Result<Option<AuditHead>> {
        Ok(self.store.audit_head()?)
    }

    /// Check the hash chain and that `anchor` (written down earlier) is
    /// still in it unchanged; the number of events checked.
    ///
    /// # Errors
    /// `StoreError::AuditBroken` naming the first event that does not fit,
    /// or the anchored event when history up to it was rewritten or deleted.
    pub fn verify_audit_anchored(&self, anchor: &AuditAnchor) -> Result<u64> {
        Ok(self.store.verify_anchored(anchor)?)
    }

    /// The head to write down, checked: the chain verifies and contains
    /// the head just read (events appended meanwhile are checked too).
    /// The number of events checked and the head, `None` while empty.
    ///
    /// # Errors
    /// As [`Desk::verify_audit_anchored`].
    pub fn verify_audit_head(&self) -> Result<(u64, Option<AuditHead>)> {
        let head = self.store.audit_head()?;
        let n = match &head {
            Some(h) => self.store.verify_anchored(&h.anchor)?,
            None => self.store.verify()?,
        };
        Ok((n, head))
    }
}

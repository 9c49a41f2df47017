//! The local journal: what a counter could not write to a shared inventory
//! because the server went away in the middle of a workflow.
//!
//! A device step may have changed the key when the record that says so
//! fails to reach the server. That record is then kept in a file on this
//! workstation (JSON lines, mode 0600, never a secret: it holds the same
//! snapshot the server would have got), the workflow stops with an error
//! that says so, and `recover` brings the records to the server first once
//! it is back, then reconciles the entry as after a crash.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Result;

/// A journal record waiting for the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// The inventory it belongs to (its location as shown, without password).
    pub inventory: String,
    /// The journal entry on the server.
    pub entry: i64,
    /// The key.
    pub serial: u32,
    /// The step record (`piv.generate:done`...).
    pub step: String,
    /// The entry's snapshot with that record (begun steps and facts).
    pub snapshot: String,
    /// When it was kept (RFC 3339, UTC).
    pub at: String,
}

/// The local journal file of a counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalJournal {
    path: PathBuf,
    inventory: String,
}

impl LocalJournal {
    /// The file at `path`, for the inventory shown as `inventory`.
    #[must_use]
    pub fn new(path: PathBuf, inventory: String) -> Self {
        Self { path, inventory }
    }

    /// Where the records are kept.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Keep one record (appended, flushed to disk before this returns).
    pub(crate) fn keep(
        &self,
        entry: i64,
        serial: u32,
        step: &str,
        snapshot: &str,
        at: String,
    ) -> Result<()> {
        let p = Pending {
            inventory: self.inventory.clone(),
            entry,
            serial,
            step: step.to_owned(),
            snapshot: snapshot.to_owned(),
            at,
        };
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(keydesk_store::StoreError::from)?;
        }
        let mut opts = std::fs::OpenOptions::new();
        opts.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts
            .open(&self.path)
            .map_err(keydesk_store::StoreError::from)?;
        let mut line =
            serde_json::to_string(&p).map_err(|e| crate::error::CoreError::Usage(e.to_string()))?;
        line.push('\n');
        f.write_all(line.as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(keydesk_store::StoreError::from)?;
        Ok(())
    }

    /// The records kept for this inventory, oldest first (none without a file).
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn pending(&self) -> Result<Vec<Pending>> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(keydesk_store::StoreError::from(e).into()),
        };
        Ok(text
            .lines()
            .filter_map(|l| serde_json::from_str::<Pending>(l).ok())
            .filter(|p| p.inventory == self.inventory)
            .collect())
    }

    /// Drop the records of `entry` (they reached the server), keeping the
    /// rest: written to a new file, then renamed over the old one.
    pub(crate) fn forget(&self, entry: i64) -> Result<()> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(keydesk_store::StoreError::from(e).into()),
        };
        let keep: String = text
            .lines()
            .filter(|l| {
                serde_json::from_str::<Pending>(l).map_or(true, |p| {
                    !(p.entry == entry && p.inventory == self.inventory)
                })
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let tmp = self.path.with_extension("tmp");
        let mut opts = std::fs::OpenOptions::new();
        opts.create(true).write(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let written = opts
            .open(&tmp)
            .and_then(|mut f| f.write_all(keep.as_bytes()).and_then(|()| f.sync_all()))
            .and_then(|()| std::fs::rename(&tmp, &self.path));
        written.map_err(|e| keydesk_store::StoreError::from(e).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_kept_per_inventory_and_forgotten_per_entry() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("local").join("journal.jsonl");
        let a = LocalJournal::new(path.clone(), "postgresql://db/a".into());
        let b = LocalJournal::new(path.clone(), "postgresql://db/b".into());
        assert!(a.pending().unwrap().is_empty());
        a.keep(
            7,
            42,
            "piv.generate:done",
            "{}",
            "2026-12-03T09:00:00Z".into(),
        )
        .unwrap();
        a.keep(
            8,
            43,
            "fido.reset:done",
            "{}",
            "2026-12-03T09:01:00Z".into(),
        )
        .unwrap();
        b.keep(7, 44, "piv.reset:done", "{}", "2026-12-03T09:02:00Z".into())
            .unwrap();
        assert_eq!(a.pending().unwrap().len(), 2);
        assert_eq!(b.pending().unwrap()[0].serial, 44);
        a.forget(7).unwrap();
        assert_eq!(a.pending().unwrap()[0].entry, 8);
        assert_eq!(
            b.pending().unwrap().len(),
            1,
            "another inventory's records stay"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}

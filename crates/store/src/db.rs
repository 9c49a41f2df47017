//! Opening the database: file mode, PRAGMAs and migrations.

use std::path::Path;
use std::time::Duration;

use include_dir::{include_dir, Dir};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use rusqlite_migration::Migrations;

use crate::error::Result;

static MIGRATIONS_DIR: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../migrations");

/// The schema migrations from the top-level `migrations/` directory.
pub(crate) fn migrations() -> Result<Migrations<'static>> {
    Ok(Migrations::from_directory(&MIGRATIONS_DIR)?)
}

/// How long a writer waits for another connection's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The inventory. One concrete type over SQLite; all SQL stays in this crate.
#[derive(Debug)]
pub struct Store {
    pub(crate) conn: Connection,
}

impl Store {
    /// Open (or create, with mode 0600) the database at `path`, set the
    /// PRAGMAs and bring the schema up to date. Several `Store`s (also in
    /// other processes) may have the same file open: readers see committed
    /// data while a writer works (WAL).
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        create_private(path)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        Self::setup(conn, true)
    }

    /// A private in-memory database (tests, demo mode).
    pub fn open_in_memory() -> Result<Self> {
        Self::setup(Connection::open_in_memory()?, false)
    }

    fn setup(mut conn: Connection, file: bool) -> Result<Self> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        if file {
            // WAL lets an auditor read and export while the counter writes;
            // NORMAL is durable across application crashes in WAL mode.
            conn.pragma_update(None, "journal_mode", "WAL")?;
            // A checkpoint (with its fsync) lands on the commit that crosses
            // the limit: 10,000 pages (~40 MiB) make that rare at the
            // counter; call `checkpoint` when idle to keep it off the
            // technician's clock entirely.
            conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // 64 MiB page cache: a 100,000-row import must not spill mid-transaction.
        conn.pragma_update(None, "cache_size", -65_536)?;
        conn.set_prepared_statement_cache_capacity(64);
        migrations()?.to_latest(&mut conn)?;
        Ok(Self { conn })
    }

    /// A write transaction that takes the lock at once (no upgrade deadlock).
    pub(crate) fn write_tx(&mut self) -> Result<Transaction<'_>> {
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    /// The current schema version (number of applied migrations).
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Copy the WAL back into the database file without blocking readers
    /// or waiting for writers (call when idle, e.g. every minute).
    pub fn checkpoint(&self) -> Result<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Run `PRAGMA optimize` (cheap; call at exit) so the planner has statistics.
    pub fn optimize(&self) -> Result<()> {
        self.conn.execute_batch("PRAGMA optimize;")?;
        Ok(())
    }
}

/// Create the file with mode 0600 if it does not exist yet, so the inventory
/// is never readable by other users, not even for a moment.
fn create_private(path: &Path) -> Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_validate() {
        migrations().unwrap().validate().unwrap();
    }

    #[test]
    fn open_sets_pragmas_and_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kd.sqlite");
        let store = Store::open(&path).unwrap();
        let mode: String = store
            .conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = store
            .conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        let sync: i64 = store
            .conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 1);
        let busy: i64 = store
            .conn
            .pragma_query_value(None, "busy_timeout", |r| r.get(0))
            .unwrap();
        assert_eq!(busy, 10_000);
        assert_eq!(store.schema_version().unwrap(), 3, "all migrations applied");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let m = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(m & 0o777, 0o600);
        }
        drop(store);
        // Reopening an existing file keeps working and does not re-migrate.
        let again = Store::open(&path).unwrap();
        assert_eq!(
            again.schema_version().unwrap(),
            3,
            "reopening applies nothing twice"
        );
    }
}

//! Opening the database (an SQLite file, or a PostgreSQL server) and the
//! transactions every store operation runs in.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use include_dir::{include_dir, Dir};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use rusqlite_migration::Migrations;

use crate::error::{Result, StoreError};
use crate::location::DbLocation;
use crate::pg::PgConn;
use crate::sql::{Engine, Tx};

static SQLITE_MIGRATIONS: Dir<'static> =
    include_dir!("$CARGO_MANIFEST_DIR/../../migrations/sqlite");

/// The SQLite schema migrations from `migrations/sqlite/`.
pub(crate) fn migrations() -> Result<Migrations<'static>> {
    Ok(Migrations::from_directory(&SQLITE_MIGRATIONS)?)
}

/// How long a writer waits for another connection's lock before giving up.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The inventory: one type over both engines; all SQL stays in this crate.
pub struct Store {
    pub(crate) db: Db,
}

/// The connection behind a [`Store`].
pub(crate) enum Db {
    Sqlite(Connection),
    /// Behind a mutex because the server client needs `&mut` even to read,
    /// while the store's read API takes `&self`.
    Postgres(Box<Mutex<PgConn>>),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.db {
            Db::Sqlite(c) => f
                .debug_struct("Store")
                .field("sqlite", &c.path().unwrap_or(":memory:"))
                .finish(),
            Db::Postgres(_) => f.debug_struct("Store").field("postgres", &true).finish(),
        }
    }
}

impl Store {
    /// Open (or create, with mode 0600) the SQLite database at `path`, set
    /// the PRAGMAs and bring the schema up to date. Several `Store`s (also in
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

    /// Open the inventory at `at`: an SQLite file as [`Store::open`] does, or
    /// a PostgreSQL database, which must be on the current schema (see
    /// [`Store::migrate`]).
    ///
    /// # Errors
    /// `SchemaOutdated` when the server's schema is older than this keydesk,
    /// `SchemaNewer` when it is newer, database errors otherwise.
    pub fn open_at(at: &DbLocation) -> Result<Self> {
        match at {
            DbLocation::File(p) => Self::open(p),
            DbLocation::Server(url) => Ok(Self {
                db: Db::Postgres(Box::new(Mutex::new(PgConn::open(url)?))),
            }),
        }
    }

    /// Bring the schema at `at` up to date: the pending migrations for its
    /// engine, each in its own transaction. Returns (version before, version
    /// after). SQLite files are also migrated whenever they are opened.
    ///
    /// # Errors
    /// Database errors; on PostgreSQL also missing privileges (the role
    /// that migrates must own the database).
    pub fn migrate(at: &DbLocation) -> Result<(i64, i64)> {
        match at {
            DbLocation::File(p) => {
                create_private(p)?;
                let mut conn = Connection::open(p)?;
                let before = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
                migrations()?.to_latest(&mut conn)?;
                let after = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
                Ok((before, after))
            }
            DbLocation::Server(url) => crate::pg::migrate(url),
        }
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
        Ok(Self {
            db: Db::Sqlite(conn),
        })
    }

    /// The engine behind this store.
    pub(crate) fn engine(&self) -> Engine {
        match self.db {
            Db::Sqlite(_) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// Whether this store is on a PostgreSQL server.
    #[must_use]
    pub fn is_server(&self) -> bool {
        self.engine() == Engine::Postgres
    }

    /// Run `f` in a read transaction: one consistent snapshot even while
    /// other connections write.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        match &self.db {
            Db::Sqlite(c) => {
                let mut tx = Tx::Sqlite(c.unchecked_transaction()?);
                let v = f(&mut tx)?;
                tx.commit()?;
                Ok(v)
            }
            Db::Postgres(m) => {
                let mut guard = m.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let mut tx = guard.read_tx()?;
                let v = f(&mut tx)?;
                tx.commit()?;
                Ok(v)
            }
        }
    }

    /// A write transaction that holds the inventory's write lock from its
    /// first statement (SQLite `BEGIN IMMEDIATE`; on PostgreSQL the write
    /// gate exclusively, then the row lock on the audit chain's head), so
    /// every check a write makes still holds at its commit, and the audit
    /// chain stays one gapless line. For writes whose checks span many rows
    /// (imports, copies, administration); the counter's frequent writes use
    /// [`Store::write_rows`].
    pub(crate) fn write_tx(&mut self) -> Result<Tx<'_>> {
        match &mut self.db {
            Db::Sqlite(c) => Ok(Tx::Sqlite(
                c.transaction_with_behavior(TransactionBehavior::Immediate)?,
            )),
            Db::Postgres(m) => m
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .write_tx(),
        }
    }

    /// Run `f` in a write transaction (see [`Store::write_tx`]) and commit.
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        let done = (|| {
            let mut tx = self.write_tx()?;
            let v = f(&mut tx)?;
            tx.commit()?;
            Ok(v)
        })();
        self.refine(done)
    }

    /// Run `f` in a write transaction that runs beside other counters'
    /// (PostgreSQL) and commit. `f` must lock every row whose check its
    /// write depends on before it reads it: keys with [`lock_keys`] or a
    /// [`Locking`](crate::sql::Locking) read, by serial ascending when
    /// there are several, then journal entries; the audit head is locked
    /// last, by the append. Serialised writes ([`Store::write`]) do not
    /// run meanwhile (the write gate), so this order is the only one and no
    /// two writers wait for each other in a circle. On SQLite this is
    /// [`Store::write`]: its write transactions are exclusive.
    ///
    /// What is serialised between counters is then only the append and
    /// the commit, not the whole read-check-write.
    pub(crate) fn write_rows<T>(&mut self, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        let done = (|| {
            let mut tx = match &mut self.db {
                Db::Sqlite(c) => {
                    Tx::Sqlite(c.transaction_with_behavior(TransactionBehavior::Immediate)?)
                }
                Db::Postgres(m) => m
                    .get_mut()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .rows_tx()?,
            };
            let v = f(&mut tx)?;
            tx.commit()?;
            Ok(v)
        })();
        self.refine(done)
    }

    /// A server's "permission denied" as what the operator's role lacks.
    pub(crate) fn refine<T>(&self, r: Result<T>) -> Result<T> {
        match r {
            Err(StoreError::Postgres(e)) if e.code.as_deref() == Some("42501") => {
                let (user, roles) = self
                    .read(|tx| {
                        let user: String =
                            tx.one("SELECT session_user::text", &[], |r| r.get(0))?;
                        Ok((user, crate::operators::roles_of_session(tx)?))
                    })
                    .unwrap_or_else(|_| ("?".into(), Vec::new()));
                let roles = if roles.is_empty() {
                    "no keydesk role".to_owned()
                } else {
                    roles
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                Err(StoreError::NotPermitted {
                    user,
                    roles,
                    detail: e.message,
                })
            }
            Err(e @ (StoreError::UnknownKey(_) | StoreError::UnknownStaff(_))) => {
                Err(self.explain(e))
            }
            other => other,
        }
    }

    /// The current schema version (number of applied migrations of this
    /// store's engine).
    pub fn schema_version(&self) -> Result<i64> {
        match &self.db {
            Db::Sqlite(c) => Ok(c.pragma_query_value(None, "user_version", |r| r.get(0))?),
            Db::Postgres(_) => self.read(crate::pg::version),
        }
    }

    /// Whether the connection to the server is encrypted with TLS (`None`
    /// for an SQLite file). See `sslmode` in the README.
    pub fn server_tls(&self) -> Result<Option<bool>> {
        match &self.db {
            Db::Sqlite(_) => Ok(None),
            Db::Postgres(_) => self.read(crate::pg::encrypted).map(Some),
        }
    }

    /// Copy the WAL back into the database file without blocking readers
    /// or waiting for writers (call when idle, e.g. every minute). Nothing
    /// to do on a server.
    pub fn checkpoint(&self) -> Result<()> {
        if let Db::Sqlite(c) = &self.db {
            c.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        }
        Ok(())
    }

    /// Run `PRAGMA optimize` (cheap; call at exit) so the planner has
    /// statistics. The server keeps its own (autovacuum).
    pub fn optimize(&self) -> Result<()> {
        if let Db::Sqlite(c) = &self.db {
            c.execute_batch("PRAGMA optimize;")?;
        }
        Ok(())
    }
}

/// Lock the rows of `serials` for the rest of a [`Store::write_rows`]
/// transaction (PostgreSQL; nothing to do on SQLite), in ascending order
/// whatever the order given. Serials without a row lock nothing (the
/// caller's read then finds no key).
pub(crate) fn lock_keys(tx: &mut Tx<'_>, serials: &[crate::model::Serial]) -> Result<()> {
    if tx.engine() == Engine::Sqlite {
        return Ok(());
    }
    let mut sorted = serials.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    for serial in sorted {
        tx.exec(
            "SELECT serial FROM keys WHERE serial = ?1 FOR NO KEY UPDATE",
            crate::sql::args![serial],
        )?;
    }
    Ok(())
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

    fn conn(s: &Store) -> &Connection {
        match &s.db {
            Db::Sqlite(c) => c,
            Db::Postgres(_) => panic!("an SQLite store"),
        }
    }

    #[test]
    fn migrations_validate() {
        migrations().unwrap().validate().unwrap();
    }

    #[test]
    fn open_sets_pragmas_and_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kd.sqlite");
        let store = Store::open(&path).unwrap();
        let c = conn(&store);
        let mode: String = c
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = c
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        let sync: i64 = c
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 1);
        let busy: i64 = c
            .pragma_query_value(None, "busy_timeout", |r| r.get(0))
            .unwrap();
        assert_eq!(busy, 10_000);
        assert_eq!(store.schema_version().unwrap(), 5, "all migrations applied");
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
            5,
            "reopening applies nothing twice"
        );
        let at = DbLocation::File(path.clone());
        assert_eq!(Store::migrate(&at).unwrap(), (5, 5), "nothing pending");
    }
}

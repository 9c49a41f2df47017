//! The PostgreSQL side: connecting, the schema version and its migrations,
//! and the transactions the store runs in.
//!
//! Unlike an SQLite file, a server's schema is never changed by a counter
//! opening it: a counter on an outdated schema refuses to start and names
//! `keydesk db migrate`, which an administrator runs once (as the role that
//! owns the database) when keydesk is updated.

use std::str::FromStr;
use std::time::Duration;

use include_dir::{include_dir, Dir};
use postgres::{Client, Config, IsolationLevel, NoTls};

use crate::claims::{holder, lock_key, probe, ClaimHolder};
use crate::error::{Result, StoreError};
use crate::model::{Ctx, Serial};
use crate::sql::{args, StmtCache, Tx};

mod tls;

use tls::TlsUrl;

static PG_MIGRATIONS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../migrations/postgres");

/// Advisory lock key that `keydesk db migrate` holds, so two administrators
/// migrating at once do not both apply a step ("keydesk" in ASCII).
const MIGRATE_LOCK: i64 = 0x006B_6579_6465_736B;

/// The write gate (an advisory lock in keydesk's namespace, above every
/// claim's key): serialised writes take it exclusively before the audit
/// head, writes that lock their own rows take it shared before those rows.
/// So the lock order is always gate, rows (keys by serial ascending, then
/// journal entries), audit head: no two writers wait for each other in a
/// circle.
const WRITE_GATE: i64 = 0x6B64_0001_0000_0000;

/// How long a statement waits for a row lock held by another counter.
const LOCK_TIMEOUT: Duration = crate::db::BUSY_TIMEOUT;

/// How long connecting may take before the counter says the server is
/// unreachable (per host of a multi-host URL).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The migrations for PostgreSQL, in order: (version, name, SQL). A step's
/// version is its folder's number, and the schema's version is the number
/// of the newest step applied.
pub(crate) fn migrations() -> Result<Vec<(i64, &'static str, &'static str)>> {
    let mut out = Vec::new();
    for d in PG_MIGRATIONS.dirs() {
        let name = d.path().to_str().unwrap_or_default();
        let version = name
            .split('-')
            .next()
            .and_then(|n| n.parse::<i64>().ok())
            .ok_or_else(|| StoreError::Corrupt(format!("migration folder {name} has no number")))?;
        let sql = d
            .get_file(d.path().join("up.sql"))
            .and_then(|f| f.contents_utf8())
            .ok_or_else(|| StoreError::Corrupt(format!("migration {name} has no up.sql")))?;
        out.push((version, name, sql));
    }
    in_order(out)
}

/// Sort the steps and check their numbers: from 1, each number once. A
/// number may be missing (branches that add steps side by side are given
/// their final numbers when they are merged), but two steps with one number
/// would leave one of them unapplied on a server that has the other.
fn in_order<T>(mut steps: Vec<(i64, &'static str, T)>) -> Result<Vec<(i64, &'static str, T)>> {
    steps.sort_by_key(|m| m.0);
    let mut last = 0;
    for m in &steps {
        if m.0 <= last {
            return Err(StoreError::Corrupt(format!(
                "PostgreSQL migrations must be numbered from 1, each number once: {}",
                m.1
            )));
        }
        last = m.0;
    }
    Ok(steps)
}

/// The schema version this keydesk needs: the number of its newest step.
pub(crate) fn wanted() -> Result<i64> {
    Ok(newest(&migrations()?))
}

fn newest<T>(steps: &[(i64, &'static str, T)]) -> i64 {
    steps.last().map_or(0, |m| m.0)
}

/// Connect as the URL says, TLS included (see `tls` for `sslmode` and
/// `sslrootcert`).
fn connect(url: &str) -> Result<Client> {
    let tls = TlsUrl::parse(url)?;
    let mut config = Config::from_str(&tls.url)?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("keydesk");
    }
    let connected = match tls.connector()? {
        Some(connector) => config.connect(connector),
        None => config.connect(NoTls),
    };
    let mut client = connected.map_err(|e| tls.explain(e))?;
    client.batch_execute(&format!(
        "SET lock_timeout = '{}ms'; SET client_encoding = 'UTF8'",
        LOCK_TIMEOUT.as_millis()
    ))?;
    Ok(client)
}

/// The version recorded on the server (0 for a database keydesk never
/// migrated).
fn recorded_version(client: &mut Client) -> Result<i64> {
    let exists: bool = client
        .query_one("SELECT to_regclass('keydesk_schema') IS NOT NULL", &[])?
        .try_get(0)?;
    if !exists {
        return Ok(0);
    }
    Ok(client
        .query_one("SELECT version FROM keydesk_schema WHERE one = 1", &[])?
        .try_get(0)?)
}

/// Whether this session is encrypted with TLS, inside a store transaction.
pub(crate) fn encrypted(tx: &mut Tx<'_>) -> Result<bool> {
    tx.one(
        "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        &[],
        |r| r.get(0),
    )
}

/// The schema version, inside a store transaction.
pub(crate) fn version(tx: &mut Tx<'_>) -> Result<i64> {
    tx.one(
        "SELECT version FROM keydesk_schema WHERE one = 1",
        &[],
        |r| r.get(0),
    )
}

/// Apply the pending migrations at `url`: (version before, version after).
pub(crate) fn migrate(url: &str) -> Result<(i64, i64)> {
    let mut client = connect(url)?;
    let steps = migrations()?;
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS keydesk_schema (
             one      BIGINT PRIMARY KEY CHECK (one = 1),
             version  BIGINT NOT NULL
         );
         INSERT INTO keydesk_schema (one, version) VALUES (1, 0) ON CONFLICT (one) DO NOTHING;",
    )?;
    let before: i64 = tx
        .query_one(
            "SELECT version FROM keydesk_schema WHERE one = 1 FOR UPDATE",
            &[],
        )?
        .try_get(0)?;
    let wanted = newest(&steps);
    if before > wanted {
        return Err(StoreError::SchemaNewer {
            found: before,
            wanted,
        });
    }
    for (version, _, sql) in steps.iter().filter(|m| m.0 > before) {
        tx.batch_execute(sql)?;
        tx.execute(
            "UPDATE keydesk_schema SET version = $1 WHERE one = 1",
            &[version],
        )?;
    }
    tx.commit()?;
    Ok((before, wanted))
}

/// One counter's connection to the server.
pub(crate) struct PgConn {
    client: Client,
    cache: StmtCache,
    /// Keys this connection holds a claim on (see `claims`).
    claims: std::collections::HashSet<Serial>,
    /// Where to connect again after the connection broke.
    url: String,
    /// The authenticated database user (`session_user`).
    user: String,
}

impl PgConn {
    /// Connect and check that the schema is the one this keydesk needs.
    pub(crate) fn open(url: &str) -> Result<Self> {
        let mut client = connect(url)?;
        let found = recorded_version(&mut client)?;
        let wanted = wanted()?;
        if found < wanted {
            return Err(StoreError::SchemaOutdated { found, wanted });
        }
        if found > wanted {
            return Err(StoreError::SchemaNewer { found, wanted });
        }
        let user: String = client
            .query_one("SELECT session_user::text", &[])?
            .try_get(0)?;
        Ok(Self {
            client,
            cache: StmtCache::default(),
            claims: std::collections::HashSet::new(),
            url: url.to_owned(),
            user,
        })
    }

    /// A new session when the old one broke (the server restarted, the
    /// network came back). Its prepared statements died with it, and so did
    /// its claims' locks: they are taken again, so that work in progress
    /// never goes on unclaimed; a key another counter took meanwhile is
    /// refused with who has it now.
    fn reconnect_if_closed(&mut self) -> Result<()> {
        if !self.client.is_closed() {
            return Ok(());
        }
        self.client = connect(&self.url)?;
        self.cache = StmtCache::default();
        for serial in std::mem::take(&mut self.claims) {
            let key = lock_key(serial);
            let got: bool = self
                .client
                .query_one("SELECT pg_try_advisory_lock($1)", &[&key])?
                .try_get(0)?;
            if !got {
                let holder = self
                    .client
                    .query_opt(
                        "SELECT workstation, actor, since FROM claims WHERE serial = $1",
                        &[&i64::from(serial.get())],
                    )?
                    .map(|r| -> Result<ClaimHolder> {
                        Ok(ClaimHolder {
                            workstation: r.try_get(0)?,
                            operator: r.try_get(1)?,
                            since: r.try_get(2)?,
                        })
                    })
                    .transpose()?;
                return Err(StoreError::claimed(serial, holder));
            }
            self.claims.insert(serial);
        }
        Ok(())
    }

    /// A read-only transaction on one snapshot.
    pub(crate) fn read_tx(&mut self) -> Result<Tx<'_>> {
        self.reconnect_if_closed()?;
        let tx = self
            .client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        Ok(Tx::Postgres {
            tx,
            cache: &mut self.cache,
            user: &self.user,
            appends: None,
        })
    }

    /// A write transaction that holds the write gate exclusively and the
    /// audit head's row lock from its start (see `Store::write_tx`): no
    /// other write runs beside it.
    pub(crate) fn write_tx(&mut self) -> Result<Tx<'_>> {
        let mut tx = self.plain_tx()?;
        tx.exec("SELECT pg_advisory_xact_lock(?1)", args![WRITE_GATE])?;
        tx.exec(
            "SELECT last_id FROM audit_head WHERE one = 1 FOR UPDATE",
            &[],
        )?;
        Ok(tx)
    }

    /// A write transaction that runs beside others (see
    /// `Store::write_rows`): it holds the write gate shared, so no
    /// serialised write runs at the same time, and locks the rows it checks
    /// itself; the audit head is locked at the append.
    pub(crate) fn rows_tx(&mut self) -> Result<Tx<'_>> {
        let mut tx = self.plain_tx()?;
        tx.exec("SELECT pg_advisory_xact_lock_shared(?1)", args![WRITE_GATE])?;
        if let Tx::Postgres { appends, .. } = &mut tx {
            *appends = Some(Vec::new());
        }
        Ok(tx)
    }

    /// A read-write transaction without any lock of keydesk's: for writes
    /// that neither append to the audit trail nor change inventory rows
    /// (the `claims` rows, under their key's advisory lock).
    fn plain_tx(&mut self) -> Result<Tx<'_>> {
        self.reconnect_if_closed()?;
        let tx = self.client.transaction()?;
        Ok(Tx::Postgres {
            tx,
            cache: &mut self.cache,
            user: &self.user,
            appends: None,
        })
    }
}

impl PgConn {
    /// See `Store::claim`.
    pub(crate) fn claim(&mut self, ctx: &Ctx, serial: Serial) -> Result<()> {
        let held = self.claims.contains(&serial);
        // Not audited, and only this session writes the row while it holds
        // the key's lock: no write lock needed.
        let mut tx = self.plain_tx()?;
        if !held {
            let got: bool = tx.one(
                "SELECT pg_try_advisory_lock(?1)",
                args![lock_key(serial)],
                |r| r.get(0),
            )?;
            if !got {
                let h = holder(&mut tx, serial)?;
                return Err(StoreError::claimed(serial, h));
            }
        }
        let written = tx
            .exec(
                "INSERT INTO claims (serial, owner, workstation, actor, since) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (serial) DO UPDATE SET owner = excluded.owner, workstation = excluded.workstation,
                     actor = excluded.actor, since = excluded.since",
                args![serial, ctx.owner, ctx.workstation, tx.actor(&ctx.actor), ctx.ts()],
            )
            .and_then(|_| tx.commit());
        if let Err(e) = written {
            // The lock is the session's, not the transaction's: give it back.
            if !held {
                let _ = self
                    .client
                    .execute("SELECT pg_advisory_unlock($1)", &[&lock_key(serial)]);
            }
            return Err(e);
        }
        self.claims.insert(serial);
        Ok(())
    }

    /// See `Store::release`.
    pub(crate) fn release(&mut self, serial: Serial) -> Result<()> {
        if !self.claims.remove(&serial) {
            return Ok(());
        }
        let mut tx = self.plain_tx()?;
        tx.exec("DELETE FROM claims WHERE serial = ?1", args![serial])?;
        tx.one(
            "SELECT pg_advisory_unlock(?1)",
            args![lock_key(serial)],
            |r| r.get::<bool>(0),
        )?;
        tx.commit()
    }

    /// See `Store::claimed_elsewhere`.
    pub(crate) fn claimed_elsewhere(&mut self, serial: Serial) -> Result<Option<ClaimHolder>> {
        if self.claims.contains(&serial) {
            return Ok(None);
        }
        let mut tx = self.read_tx()?;
        let out = probe(&mut tx, serial)?;
        tx.commit()?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn migrations_are_numbered_once_each_and_the_newest_is_the_version() {
        let steps = migrations().unwrap();
        assert_eq!(steps[0].0, 1);
        assert!(steps.iter().any(|m| m.1 == "06-site-profiles"));
        assert_eq!(wanted().unwrap(), newest(&steps));
        let ok = in_order(vec![(4, "04-b", ()), (1, "01-a", ()), (6, "06-c", ())]).unwrap();
        let names: Vec<_> = ok.iter().map(|m| m.1).collect();
        assert_eq!(names, ["01-a", "04-b", "06-c"]);
        assert_eq!(newest(&ok), 6);
        let twice = in_order(vec![(1, "01-a", ()), (5, "05-b", ()), (5, "05-c", ())]);
        assert!(twice.unwrap_err().to_string().contains("05-c"));
        assert!(in_order(vec![(0, "00-a", ())]).is_err());
    }
}

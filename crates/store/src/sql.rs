//! The seam between the store's logic and its two database engines.
//!
//! Every statement in this crate is written once, in the SQL both SQLite and
//! PostgreSQL understand, with numbered placeholders (`?1`, `?2`...). A
//! [`Tx`] runs it on either engine: for PostgreSQL the placeholders become
//! `$1`, `$2`... and the prepared statement is cached per connection. Where
//! the engines really differ (full-text search, PRAGMAs, schema versions) the
//! caller asks [`Tx::engine`] and takes its own branch; those places are few
//! and named.
//!
//! Values cross the seam as [`Arg`]s (bound parameters, never spliced into
//! SQL) and come back through [`Col`], which reads integers, booleans, text
//! and bytes from either engine's row. On PostgreSQL every integer column is
//! `BIGINT` and booleans are `BIGINT` 0/1 as in SQLite, so the same SQL
//! literals work on both.

use std::borrow::Cow;
use std::collections::HashMap;

use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{IsNull, ToSql, Type};

use crate::error::{Result, StoreError};
use crate::model::Serial;

/// Which engine a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Engine {
    /// The embedded SQLite file (one counter, the demo).
    Sqlite,
    /// A PostgreSQL server (many counters).
    Postgres,
}

/// Prepared statements of one PostgreSQL connection, by their SQLite text.
#[derive(Default)]
pub(crate) struct StmtCache {
    stmts: HashMap<&'static str, postgres::Statement>,
}

/// The rows among a simple query's messages, every value as text.
fn text_rows(msgs: &[postgres::SimpleQueryMessage]) -> Vec<Vec<Option<String>>> {
    msgs.iter()
        .filter_map(|m| match m {
            postgres::SimpleQueryMessage::Row(r) => {
                Some((0..r.len()).map(|i| r.get(i).map(str::to_owned)).collect())
            }
            _ => None,
        })
        .collect()
}

/// A transaction on either engine. Every read and write of the store runs
/// in one: reads see one snapshot, writes commit together with their audit
/// event or not at all. Dropping it without [`Tx::commit`] rolls back.
pub(crate) enum Tx<'a> {
    Sqlite(rusqlite::Transaction<'a>),
    Postgres {
        tx: postgres::Transaction<'a>,
        cache: &'a mut StmtCache,
        /// The authenticated database user: the "who" of the audit trail.
        user: &'a str,
        /// `Some` in a transaction that runs beside others: its audit
        /// events, as statements, sent with the COMMIT (see
        /// `audit::append_on_server`); `None`: appended at once.
        appends: Option<Vec<(String, crate::audit::RawEvent)>>,
    },
}

/// A `SELECT` in two spellings: as written, and with a row-locking clause
/// (`FOR UPDATE`, `FOR NO KEY UPDATE`) appended for PostgreSQL. SQLite has
/// no such clause and needs none: its write transactions are exclusive.
/// Made by [`locking!`], chosen by [`Tx::pick`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Locking {
    pub plain: &'static str,
    pub locked: &'static str,
}

/// `locking!("SELECT ... WHERE serial = ?1", "FOR NO KEY UPDATE")`: a
/// [`Locking`] statement.
macro_rules! locking {
    ($sql:expr, $clause:literal) => {
        $crate::sql::Locking {
            plain: $sql,
            locked: concat!($sql, " ", $clause),
        }
    };
}
pub(crate) use locking;

/// A bound parameter.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg<'a> {
    Null,
    Int(i64),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// Turns a value into a bound parameter (see [`args!`]).
pub(crate) trait ToArg {
    fn arg(&self) -> Arg<'_>;
}

impl ToArg for i64 {
    fn arg(&self) -> Arg<'_> {
        Arg::Int(*self)
    }
}
impl ToArg for u32 {
    fn arg(&self) -> Arg<'_> {
        Arg::Int(i64::from(*self))
    }
}
impl ToArg for i32 {
    fn arg(&self) -> Arg<'_> {
        Arg::Int(i64::from(*self))
    }
}
impl ToArg for bool {
    fn arg(&self) -> Arg<'_> {
        Arg::Int(i64::from(*self))
    }
}
impl ToArg for str {
    fn arg(&self) -> Arg<'_> {
        Arg::Text(self)
    }
}
impl ToArg for String {
    fn arg(&self) -> Arg<'_> {
        Arg::Text(self)
    }
}
impl ToArg for [u8] {
    fn arg(&self) -> Arg<'_> {
        Arg::Blob(self)
    }
}
impl ToArg for Vec<u8> {
    fn arg(&self) -> Arg<'_> {
        Arg::Blob(self)
    }
}
impl ToArg for Serial {
    fn arg(&self) -> Arg<'_> {
        Arg::Int(i64::from(self.get()))
    }
}
impl<T: ToArg + ?Sized> ToArg for &T {
    fn arg(&self) -> Arg<'_> {
        (**self).arg()
    }
}
impl<T: ToArg> ToArg for Option<T> {
    fn arg(&self) -> Arg<'_> {
        self.as_ref().map_or(Arg::Null, ToArg::arg)
    }
}

/// Bound parameters, as `rusqlite::params!` takes them: `args![a, b.c]`.
macro_rules! args {
    () => { &[] as &[$crate::sql::Arg<'_>] };
    ($($e:expr),+ $(,)?) => {
        &[$($crate::sql::ToArg::arg(&$e)),+] as &[$crate::sql::Arg<'_>]
    };
}
pub(crate) use args;

impl rusqlite::ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match *self {
            Self::Null => ValueRef::Null,
            Self::Int(v) => ValueRef::Integer(v),
            Self::Text(s) => ValueRef::Text(s.as_bytes()),
            Self::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

impl ToSql for Arg<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match *self {
            Self::Null => Ok(IsNull::Yes),
            Self::Int(v) => match *ty {
                Type::INT8 => v.to_sql(ty, out),
                Type::INT4 => i32::try_from(v)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(v)?.to_sql(ty, out),
                Type::BOOL => (v != 0).to_sql(ty, out),
                _ => v.to_string().as_str().to_sql(ty, out),
            },
            Self::Text(s) => s.to_sql(ty, out),
            Self::Blob(b) => b.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        // Checked per value in `to_sql`: an integer fits any integer column.
        true
    }

    postgres::types::to_sql_checked!();
}

/// One result row of either engine.
pub(crate) enum Row<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Postgres(&'a postgres::Row),
}

/// A column value read from a [`Row`].
pub(crate) trait Col: Sized {
    fn sqlite(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self>;
    fn postgres(r: &postgres::Row, i: usize) -> std::result::Result<Self, postgres::Error>;
}

macro_rules! col_direct {
    ($($t:ty),*) => {$(
        impl Col for $t {
            fn sqlite(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
                r.get(i)
            }
            fn postgres(r: &postgres::Row, i: usize) -> std::result::Result<Self, postgres::Error> {
                r.try_get(i)
            }
        }
    )*};
}
col_direct!(String, Option<String>, Vec<u8>, Option<Vec<u8>>);

/// An integer-like PostgreSQL value (any integer width, or a boolean).
fn pg_int(r: &postgres::Row, i: usize) -> std::result::Result<Option<i64>, postgres::Error> {
    let ty = r.columns().get(i).map(|c| c.type_().clone());
    match ty {
        Some(Type::INT4) => Ok(r.try_get::<_, Option<i32>>(i)?.map(i64::from)),
        Some(Type::INT2) => Ok(r.try_get::<_, Option<i16>>(i)?.map(i64::from)),
        Some(Type::BOOL) => Ok(r.try_get::<_, Option<bool>>(i)?.map(i64::from)),
        _ => r.try_get::<_, Option<i64>>(i),
    }
}

impl Col for Option<i64> {
    fn sqlite(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        r.get(i)
    }
    fn postgres(r: &postgres::Row, i: usize) -> std::result::Result<Self, postgres::Error> {
        pg_int(r, i)
    }
}

impl Col for i64 {
    fn sqlite(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        r.get(i)
    }
    fn postgres(r: &postgres::Row, i: usize) -> std::result::Result<Self, postgres::Error> {
        // A NULL here is a schema fault; try_get reports it with the column.
        match pg_int(r, i)? {
            Some(v) => Ok(v),
            None => r.try_get::<_, i64>(i),
        }
    }
}

impl Col for bool {
    fn sqlite(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        r.get(i)
    }
    fn postgres(r: &postgres::Row, i: usize) -> std::result::Result<Self, postgres::Error> {
        Ok(i64::postgres(r, i)? != 0)
    }
}

/// A cell of an export, as the engine holds it.
pub(crate) enum Cell<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a [u8]),
}

impl Row<'_> {
    /// Column `i` (0-based).
    pub(crate) fn get<T: Col>(&self, i: usize) -> Result<T> {
        match self {
            Self::Sqlite(r) => Ok(T::sqlite(r, i)?),
            Self::Postgres(r) => Ok(T::postgres(r, i)?),
        }
    }

    /// Number of columns.
    pub(crate) fn len(&self) -> usize {
        match self {
            Self::Sqlite(r) => r.as_ref().column_count(),
            Self::Postgres(r) => r.len(),
        }
    }

    /// Column `i` as it is, for writing out (exports).
    pub(crate) fn cell(&self, i: usize) -> Result<Cell<'_>> {
        use rusqlite::types::ValueRef;
        match self {
            Self::Sqlite(r) => Ok(match r.get_ref(i)? {
                ValueRef::Null => Cell::Null,
                ValueRef::Integer(v) => Cell::Int(v),
                ValueRef::Real(v) => Cell::Real(v),
                ValueRef::Text(t) | ValueRef::Blob(t) => Cell::Text(t),
            }),
            Self::Postgres(r) => {
                let ty = r.columns().get(i).map(|c| c.type_().clone());
                Ok(match ty {
                    Some(Type::INT8 | Type::INT4 | Type::INT2 | Type::BOOL) => {
                        pg_int(r, i)?.map_or(Cell::Null, Cell::Int)
                    }
                    Some(Type::FLOAT8) => r
                        .try_get::<_, Option<f64>>(i)?
                        .map_or(Cell::Null, Cell::Real),
                    Some(Type::BYTEA) => r
                        .try_get::<_, Option<&[u8]>>(i)?
                        .map_or(Cell::Null, Cell::Text),
                    _ => r
                        .try_get::<_, Option<&str>>(i)?
                        .map_or(Cell::Null, |s| Cell::Text(s.as_bytes())),
                })
            }
        }
    }
}

/// `?N` placeholders as PostgreSQL's `$N`, outside string literals.
pub(crate) fn postgres_sql(sql: &str) -> Cow<'_, str> {
    if !sql.contains('?') {
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    for c in sql.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => out.push('$'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn pg_params<'b>(args: &'b [Arg<'b>]) -> Vec<&'b (dyn ToSql + Sync)> {
    args.iter().map(|a| a as &(dyn ToSql + Sync)).collect()
}

impl<'a> Tx<'a> {
    /// Who the audit trail names for a change: on a server the
    /// authenticated database user, never a name the client chose; on an
    /// SQLite file the counter's operator.
    pub(crate) fn actor(&self, ctx_actor: &str) -> String {
        match self {
            Self::Sqlite(_) => ctx_actor.to_owned(),
            Self::Postgres { user, .. } => (*user).to_owned(),
        }
    }

    /// The engine this transaction runs on.
    pub(crate) fn engine(&self) -> Engine {
        match self {
            Self::Sqlite(_) => Engine::Sqlite,
            Self::Postgres { .. } => Engine::Postgres,
        }
    }

    /// The spelling of a [`Locking`] statement for this engine: on
    /// PostgreSQL the one that locks the rows it reads until commit.
    pub(crate) fn pick(&self, sql: Locking) -> &'static str {
        match self {
            Self::Sqlite(_) => sql.plain,
            Self::Postgres { .. } => sql.locked,
        }
    }

    fn pg_stmt(
        tx: &mut postgres::Transaction<'a>,
        cache: &mut StmtCache,
        sql: &'static str,
    ) -> Result<postgres::Statement> {
        if let Some(s) = cache.stmts.get(sql) {
            return Ok(s.clone());
        }
        let stmt = tx.prepare(&postgres_sql(sql))?;
        cache.stmts.insert(sql, stmt.clone());
        Ok(stmt)
    }

    /// Run a statement; the number of rows it changed.
    pub(crate) fn exec(&mut self, sql: &'static str, args: &[Arg<'_>]) -> Result<u64> {
        match self {
            Self::Sqlite(c) => {
                Ok(c.prepare_cached(sql)?
                    .execute(rusqlite::params_from_iter(args.iter()))? as u64)
            }
            Self::Postgres { tx, cache, .. } => {
                let stmt = Self::pg_stmt(tx, cache, sql)?;
                Ok(tx.execute(&stmt, &pg_params(args))?)
            }
        }
    }

    /// Statements without parameters, built at run time (role grants, whose
    /// names cannot be bound; test set-up); not cached.
    pub(crate) fn batch(&mut self, sql: &str) -> Result<()> {
        match self {
            Self::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Self::Postgres { tx, .. } => Ok(tx.batch_execute(sql)?),
        }
    }

    /// Stream the rows of a query into `f`, which returns `false` to stop.
    pub(crate) fn each(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
        f: impl FnMut(&Row<'_>) -> Result<bool>,
    ) -> Result<()> {
        self.each_inner(sql, args, f)
    }

    fn each_inner(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
        mut f: impl FnMut(&Row<'_>) -> Result<bool>,
    ) -> Result<()> {
        match self {
            Self::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(args.iter()))?;
                while let Some(r) = rows.next()? {
                    if !f(&Row::Sqlite(r))? {
                        break;
                    }
                }
                Ok(())
            }
            Self::Postgres { tx, cache, .. } => {
                let stmt = Self::pg_stmt(tx, cache, sql)?;
                let mut rows = tx.query_raw(&stmt, pg_params(args))?;
                while let Some(r) = rows.next()? {
                    if !f(&Row::Postgres(&r))? {
                        break;
                    }
                }
                Ok(())
            }
        }
    }

    /// All rows of a query, each read by `f`.
    pub(crate) fn all<T>(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
        mut f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.each(sql, args, |r| {
            out.push(f(r)?);
            Ok(true)
        })?;
        Ok(out)
    }

    /// The first row of a query, if any, read by `f`.
    pub(crate) fn opt<T>(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut f = Some(f);
        let mut out = None;
        self.each(sql, args, |r| {
            if let Some(f) = f.take() {
                out = Some(f(r)?);
            }
            Ok(false)
        })?;
        Ok(out)
    }

    /// The first row of a query that always returns one (`COUNT(*)`...).
    pub(crate) fn one<T>(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.opt(sql, args, f)?
            .ok_or_else(|| StoreError::Corrupt(format!("no row from: {sql}")))
    }

    /// An `INSERT ... RETURNING id`: the new row's id.
    pub(crate) fn insert(&mut self, sql: &'static str, args: &[Arg<'_>]) -> Result<i64> {
        self.one(sql, args, |r| r.get(0))
    }

    /// Whether audit events wait for the commit (see `audit::append`).
    pub(crate) fn defers_appends(&self) -> bool {
        matches!(
            self,
            Self::Postgres {
                appends: Some(_),
                ..
            }
        )
    }

    /// Queue an audit event's statement for the commit.
    pub(crate) fn defer_append(&mut self, sql: String, ev: crate::audit::RawEvent) {
        if let Self::Postgres {
            appends: Some(list),
            ..
        } = self
        {
            list.push((sql, ev));
        }
    }

    /// Run `sql` (one or more statements, values as literals) as a simple
    /// query on PostgreSQL: the rows it returns, every value as text.
    /// Nothing on SQLite (no caller needs it there).
    pub(crate) fn simple_rows(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>> {
        match self {
            Self::Sqlite(_) => Ok(Vec::new()),
            Self::Postgres { tx, .. } => Ok(text_rows(&tx.simple_query(sql)?)),
        }
    }

    /// Make the transaction's changes permanent. With audit events queued
    /// (PostgreSQL, a transaction beside others), they go to the server
    /// with the COMMIT in one message, and the hash the server made of
    /// each is checked once it has answered.
    pub(crate) fn commit(self) -> Result<()> {
        match self {
            Self::Sqlite(t) => Ok(t.commit()?),
            Self::Postgres {
                mut tx,
                appends: Some(list),
                ..
            } if !list.is_empty() => {
                let mut sql = String::new();
                for (stmt, _) in &list {
                    sql.push_str(stmt);
                    sql.push_str(";\n");
                }
                sql.push_str("COMMIT");
                let rows = text_rows(&tx.simple_query(&sql)?);
                // The server ran the COMMIT: the transaction is over, and
                // the wrapper's only work on drop would be a ROLLBACK (a
                // warning in the server's log). A top-level
                // `postgres::Transaction` owns no memory (a borrow of the
                // connection, no savepoint), so forgetting it leaks nothing.
                std::mem::forget(tx);
                if rows.len() != list.len() {
                    return Err(StoreError::Corrupt(format!(
                        "{} audit events sent, the server appended {}",
                        list.len(),
                        rows.len()
                    )));
                }
                for ((_, ev), row) in list.into_iter().zip(&rows) {
                    crate::audit::check_appended(ev, row)?;
                }
                Ok(())
            }
            Self::Postgres { tx, .. } => Ok(tx.commit()?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dollars_outside_literals() {
        assert_eq!(
            postgres_sql("SELECT a FROM t WHERE b = ?1 AND c = '?x' AND d IN (?2, ?10)"),
            "SELECT a FROM t WHERE b = $1 AND c = '?x' AND d IN ($2, $10)"
        );
        assert!(matches!(postgres_sql("SELECT 1"), Cow::Borrowed(_)));
    }

    #[test]
    fn locking_statements_lock_on_postgres_only() {
        let l = locking!(
            "SELECT state FROM keys WHERE serial = ?1",
            "FOR NO KEY UPDATE"
        );
        assert_eq!(l.plain, "SELECT state FROM keys WHERE serial = ?1");
        assert_eq!(
            l.locked,
            "SELECT state FROM keys WHERE serial = ?1 FOR NO KEY UPDATE"
        );
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        let tx = Tx::Sqlite(c.transaction().unwrap());
        assert_eq!(tx.pick(l), l.plain);
    }

    #[test]
    fn args_bind_like_params() {
        let s = String::from("x");
        let o: Option<&str> = None;
        let b = vec![1_u8];
        let a = args![1_i64, s, o, true, b];
        assert!(matches!(a[0], Arg::Int(1)));
        assert!(matches!(a[1], Arg::Text("x")));
        assert!(matches!(a[2], Arg::Null));
        assert!(matches!(a[3], Arg::Int(1)));
        assert!(matches!(a[4], Arg::Blob(&[1])));
    }
}

//! Copying a whole inventory into an empty one of either engine (`keydesk
//! db copy`): from the counter's SQLite file onto a server when the office
//! grows, or from the server back into a file (archive, test, way back).
//!
//! Every row keeps its id and every column its bytes, so the audit chain
//! verifies on the target and an anchor taken on the source still holds
//! there. The source is read in one transaction (one snapshot, even while
//! counters keep working on it), the target is written in one (all or
//! nothing). Rows stream from the source's cursor straight into the
//! target's open transaction, so memory stays flat for ten million events:
//! a server takes them by binary `COPY` (encoded here, sent in 1 MiB
//! chunks), an SQLite file by one insert prepared per table and run per
//! row with the values bound straight from the source row.

use crate::audit::AuditAnchor;
use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::location::DbLocation;
use crate::search::sync_fts;
use crate::sql::{args, Arg, Engine, Row, Tx};

/// The table a copy is busy with. Tables are copied in this order: rows
/// before the rows that refer to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CopyStep {
    /// Sites (offices).
    Sites,
    /// Staff members.
    Staff,
    /// Notebooks.
    Notebooks,
    /// Keys.
    Keys,
    /// Who held which key when (open and closed assignments).
    Assignments,
    /// Facts recorded at enrolment.
    Enrolments,
    /// The audit trail.
    Events,
    /// Device operations in flight and finished.
    Journal,
    /// The search terms.
    SearchIndex,
    /// What the inventory is for (the training mark).
    InventoryMeta,
}

impl CopyStep {
    /// Every step, in the order a copy takes them.
    pub const ALL: [Self; 10] = [
        Self::Sites,
        Self::Staff,
        Self::Notebooks,
        Self::Keys,
        Self::Assignments,
        Self::Enrolments,
        Self::Events,
        Self::Journal,
        Self::SearchIndex,
        Self::InventoryMeta,
    ];

    /// The database table.
    #[must_use]
    pub fn table(self) -> &'static str {
        TABLES[self as usize].name
    }
}

impl std::fmt::Display for CopyStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.table())
    }
}

/// What a copy did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// Rows copied, per table, in copy order.
    pub rows: Vec<(CopyStep, u64)>,
    /// The newest event, now on both sides (`None`: the trail is empty).
    pub head: Option<AuditAnchor>,
}

impl CopyReport {
    /// Rows copied of one table.
    #[must_use]
    pub fn rows_of(&self, step: CopyStep) -> u64 {
        self.rows
            .iter()
            .find(|(s, _)| *s == step)
            .map_or(0, |(_, n)| *n)
    }

    /// Rows copied in all.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.rows.iter().map(|(_, n)| n).sum()
    }
}

/// Rows between two progress reports of a copy.
pub const COPY_PROGRESS_EVERY: u64 = 10_000;

/// How a column is read and written.
#[derive(Debug, Clone, Copy)]
enum Ty {
    Int,
    Text,
    Blob,
}

/// The statements that copy one table.
struct Table {
    step: CopyStep,
    name: &'static str,
    /// Whether the table has any row (the emptiness check on the target).
    any: &'static str,
    count: &'static str,
    /// Every column, in the key's order (the order the rows were written).
    select: &'static str,
    insert: &'static str,
    copy: &'static str,
    /// Moves the server's identity sequence past the copied ids.
    reseed: Option<&'static str>,
    cols: &'static [Ty],
}

/// A [`Table`] from its name, key, columns and the insert's placeholders
/// (checked against the columns by a test).
macro_rules! table {
    ($step:ident, $name:ident by $key:ident, identity: $identity:literal,
     [$($col:ident: $ty:ident),+ $(,)?], $ph:literal) => {
        Table {
            step: CopyStep::$step,
            name: stringify!($name),
            any: concat!("SELECT EXISTS (SELECT 1 FROM ", stringify!($name), ")"),
            count: concat!("SELECT COUNT(*) FROM ", stringify!($name)),
            select: concat!(
                "SELECT ", stringify!($($col),+), " FROM ", stringify!($name),
                " ORDER BY ", stringify!($key)
            ),
            insert: concat!(
                "INSERT INTO ", stringify!($name), " (", stringify!($($col),+),
                ") VALUES (", $ph, ")"
            ),
            copy: concat!(
                "COPY ", stringify!($name), " (", stringify!($($col),+),
                ") FROM STDIN (FORMAT binary)"
            ),
            reseed: if $identity {
                Some(concat!(
                    "SELECT setval(pg_get_serial_sequence('", stringify!($name), "', '",
                    stringify!($key), "'), COALESCE(MAX(", stringify!($key),
                    "), 0) + 1, false) FROM ", stringify!($name)
                ))
            } else {
                None
            },
            cols: &[$(Ty::$ty),+],
        }
    };
}

/// The tables, in [`CopyStep`] order. `audit_head` is not among them: the
/// target has its row already, which takes the source's values.
static TABLES: [Table; 10] = [
    table!(Sites, sites by id, identity: true,
        [id: Int, code: Text, name: Text, profile: Text],
        "?1, ?2, ?3, ?4"),
    table!(Staff, staff by id, identity: true,
        [id: Int, personnel_no: Text, surname: Text, given_name: Text, department: Text,
         email: Text, active: Int, site_id: Int],
        "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8"),
    table!(Notebooks, notebooks by id, identity: true,
        [id: Int, asset_tag: Text, hostname: Text, model: Text, serial_no: Text, staff_id: Int,
         site_id: Int],
        "?1, ?2, ?3, ?4, ?5, ?6, ?7"),
    table!(Keys, keys by serial, identity: false,
        [serial: Int, model: Text, form_factor: Text, firmware: Text, aaguid: Text, batch: Text,
         state: Text, state_since: Text, notes: Text, site_id: Int],
        "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10"),
    table!(Assignments, assignments by id, identity: true,
        [id: Int, serial: Int, staff_id: Int, notebook_id: Int, from_ts: Text, until_ts: Text,
         due_date: Text],
        "?1, ?2, ?3, ?4, ?5, ?6, ?7"),
    table!(Enrolments, enrolments by id, identity: true,
        [id: Int, serial: Int, at: Text, firmware: Text, aaguid: Text, slot: Text,
         pubkey_sha256: Text, attestation_json: Text, certificate_pem: Text,
         certificate_der: Blob],
        "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10"),
    // The chain's ids are no sequence (see the PostgreSQL schema).
    table!(Events, events by id, identity: false,
        [id: Int, at: Text, actor: Text, workstation: Text, action: Text, subject: Text,
         serial: Int, before_json: Text, after_json: Text, reason: Text, prev_hash: Text,
         hash: Text, site: Text],
        "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13"),
    table!(Journal, journal by id, identity: true,
        [id: Int, serial: Int, workflow: Text, step: Text, intent_json: Text, result_json: Text,
         state: Text, created_at: Text, updated_at: Text, owner: Text],
        "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10"),
    // Copied rather than rebuilt: the same rows, and no folding of millions
    // of terms again. SQLite's AUTOINCREMENT counter follows the explicit ids.
    table!(SearchIndex, search_index by id, identity: true,
        [id: Int, kind: Text, ref_id: Int, label: Text, folded: Text, rank: Int],
        "?1, ?2, ?3, ?4, ?5, ?6"),
    table!(InventoryMeta, inventory_meta by name, identity: false,
        [name: Text, value: Text],
        "?1, ?2"),
];

/// The most columns a copied table has.
const MAX_COLS: usize = 13;

/// Bytes of binary `COPY` data gathered before they go to the server.
const COPY_CHUNK: usize = 1 << 20;

/// Read a source row into `out`, column by column as the table declares
/// them, borrowed from the row (no allocation per value). A value of
/// another type is an error, not a silent conversion.
fn read_row<'r>(r: &'r Row<'_>, t: &Table, out: &mut [Arg<'r>; MAX_COLS]) -> Result<usize> {
    use rusqlite::types::ValueRef;
    let wrong = |i: usize| {
        StoreError::Corrupt(format!(
            "{}: column {} is not of the type the copy expects",
            t.name,
            i + 1
        ))
    };
    for (i, ty) in t.cols.iter().enumerate() {
        out[i] = match r {
            Row::Sqlite(r) => match (ty, r.get_ref(i)?) {
                (_, ValueRef::Null) => Arg::Null,
                (Ty::Int, ValueRef::Integer(v)) => Arg::Int(v),
                (Ty::Text, ValueRef::Text(b)) => {
                    Arg::Text(std::str::from_utf8(b).map_err(|_| wrong(i))?)
                }
                (Ty::Blob, ValueRef::Blob(b)) => Arg::Blob(b),
                _ => return Err(wrong(i)),
            },
            Row::Postgres(r) => match ty {
                Ty::Int => r.try_get::<_, Option<i64>>(i)?.map_or(Arg::Null, Arg::Int),
                Ty::Text => r
                    .try_get::<_, Option<&str>>(i)?
                    .map_or(Arg::Null, Arg::Text),
                Ty::Blob => r
                    .try_get::<_, Option<&[u8]>>(i)?
                    .map_or(Arg::Null, Arg::Blob),
            },
        };
    }
    Ok(t.cols.len())
}

/// Append one row to binary `COPY` data (every integer column is `BIGINT`
/// on the server, every text column `TEXT`, blobs `BYTEA`).
fn put_copy_row(buf: &mut bytes::BytesMut, t: &Table, args: &[Arg<'_>]) -> Result<()> {
    use bytes::BufMut;
    let too_long = || StoreError::Corrupt(format!("{}: a value over 2 GiB", t.name));
    // At most MAX_COLS columns: the count fits.
    buf.put_i16(i16::try_from(args.len()).map_err(|_| too_long())?);
    for a in args {
        match *a {
            Arg::Null => buf.put_i32(-1),
            Arg::Int(v) => {
                buf.put_i32(8);
                buf.put_i64(v);
            }
            Arg::Text(s) => {
                buf.put_i32(i32::try_from(s.len()).map_err(|_| too_long())?);
                buf.put_slice(s.as_bytes());
            }
            Arg::Blob(b) => {
                buf.put_i32(i32::try_from(b.len()).map_err(|_| too_long())?);
                buf.put_slice(b);
            }
        }
    }
    Ok(())
}

impl Store {
    /// Copy this whole inventory into the empty one at `target`: an SQLite
    /// file (created and migrated when new) or a PostgreSQL database, which
    /// must be migrated already (`keydesk db migrate`). Ids and values stay
    /// as they are, so the audit chain and its anchors verify on the target.
    ///
    /// `progress(step, rows done, rows of this step)` is called as each
    /// table starts, every [`COPY_PROGRESS_EVERY`] rows and as it ends.
    ///
    /// # Errors
    /// [`StoreError::CopyTargetNotEmpty`] when the target holds any data
    /// (then nothing is written); [`StoreError::SchemaOutdated`] for an
    /// unmigrated server database; database errors, after which the target
    /// is as it was (the copy is one transaction).
    pub fn copy_into(
        &self,
        target: &DbLocation,
        progress: &mut dyn FnMut(CopyStep, u64, u64),
    ) -> Result<CopyReport> {
        let mut to = Self::open_at(target)?;
        self.copy_into_store(&mut to, progress)
    }

    /// [`Store::copy_into`] an inventory that is open already.
    ///
    /// # Errors
    /// As [`Store::copy_into`].
    pub fn copy_into_store(
        &self,
        target: &mut Store,
        progress: &mut dyn FnMut(CopyStep, u64, u64),
    ) -> Result<CopyReport> {
        // One snapshot of the source for the whole copy, and one write
        // transaction on the target that commits only when all is there.
        self.read(|src| {
            let mut dst = target.write_tx()?;
            refuse_unless_empty(&mut dst)?;
            let mut rows = Vec::with_capacity(TABLES.len());
            for t in &TABLES {
                let total: i64 = src.one(t.count, &[], |r| r.get(0))?;
                let total = u64::try_from(total).unwrap_or(0);
                progress(t.step, 0, total);
                let n = copy_table(src, &mut dst, t, total, progress)?;
                progress(t.step, n, n);
                rows.push((t.step, n));
            }
            let (last_id, last_hash): (i64, String) = src.one(
                "SELECT last_id, last_hash FROM audit_head WHERE one = 1",
                &[],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            dst.exec(
                "UPDATE audit_head SET last_id = ?1, last_hash = ?2 WHERE one = 1",
                args![last_id, last_hash],
            )?;
            match dst.engine() {
                Engine::Postgres => {
                    for reseed in TABLES.iter().filter_map(|t| t.reseed) {
                        dst.exec(reseed, &[])?;
                    }
                    // Statistics with the rows: without them the first
                    // counters on the copy get plans for empty tables
                    // (search took 0.1-0.4 s until autovacuum came by).
                    let names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
                    dst.batch(&format!("ANALYZE {}", names.join(", ")))?;
                }
                Engine::Sqlite => {
                    // The target's trigram index is empty: take every term.
                    dst.exec("UPDATE search_fts_state SET synced_upto = 0", &[])?;
                    sync_fts(&mut dst)?;
                }
            }
            dst.commit()?;
            let head = (last_id > 0).then(|| AuditAnchor::new(last_id, last_hash));
            Ok(CopyReport { rows, head })
        })
    }
}

/// [`StoreError::CopyTargetNotEmpty`] unless every copied table of the
/// target is empty and its audit trail has never started.
fn refuse_unless_empty(dst: &mut Tx<'_>) -> Result<()> {
    for t in &TABLES {
        if dst.one(t.any, &[], |r| r.get::<bool>(0))? {
            return Err(StoreError::CopyTargetNotEmpty { what: t.name });
        }
    }
    let last: i64 = dst.one("SELECT last_id FROM audit_head WHERE one = 1", &[], |r| {
        r.get(0)
    })?;
    if last != 0 {
        return Err(StoreError::CopyTargetNotEmpty { what: "audit_head" });
    }
    Ok(())
}

/// Rows per multi-row `INSERT` into an SQLite target.
const SQLITE_BATCH: usize = 64;

/// A value held between its source row and the batch's insert: integers
/// as they are, text and bytes as a range of [`SqliteBatch::bytes`].
#[derive(Clone, Copy)]
enum Held {
    Null,
    Int(i64),
    Text(usize, usize),
    Blob(usize, usize),
}

/// Rows gathered for one `INSERT ... VALUES (...), (...), ...` of
/// [`SQLITE_BATCH`] rows (one statement prepared per table; the last,
/// shorter batch goes row by row through the one-row insert).
struct SqliteBatch<'c> {
    many: rusqlite::Statement<'c>,
    one: rusqlite::Statement<'c>,
    cols: usize,
    bytes: Vec<u8>,
    cells: Vec<Held>,
}

/// A held value bound without another copy.
struct Bound<'b>(rusqlite::types::ValueRef<'b>);

impl rusqlite::ToSql for Bound<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::Borrowed(self.0))
    }
}

impl<'c> SqliteBatch<'c> {
    fn new(c: &'c rusqlite::Transaction<'_>, t: &Table) -> Result<Self> {
        let head = t.insert.split(" VALUES ").next().unwrap_or(t.insert);
        let row = format!("({})", vec!["?"; t.cols.len()].join(", "));
        let many = format!("{head} VALUES {}", vec![row; SQLITE_BATCH].join(", "));
        Ok(Self {
            many: c.prepare(&many)?,
            one: c.prepare(t.insert)?,
            cols: t.cols.len(),
            bytes: Vec::with_capacity(64 << 10),
            cells: Vec::with_capacity(SQLITE_BATCH * t.cols.len()),
        })
    }

    fn push(&mut self, row: &[Arg<'_>]) -> Result<()> {
        for a in row {
            let start = self.bytes.len();
            self.cells.push(match *a {
                Arg::Null => Held::Null,
                Arg::Int(v) => Held::Int(v),
                Arg::Text(s) => {
                    self.bytes.extend_from_slice(s.as_bytes());
                    Held::Text(start, self.bytes.len())
                }
                Arg::Blob(b) => {
                    self.bytes.extend_from_slice(b);
                    Held::Blob(start, self.bytes.len())
                }
            });
        }
        if self.cells.len() == SQLITE_BATCH * self.cols {
            let bytes = &self.bytes;
            Self::run(&mut self.many, bytes, &self.cells)?;
            self.cells.clear();
            self.bytes.clear();
        }
        Ok(())
    }

    fn run(stmt: &mut rusqlite::Statement<'_>, bytes: &[u8], cells: &[Held]) -> Result<()> {
        use rusqlite::types::ValueRef;
        let vals = cells.iter().map(|h| {
            Bound(match *h {
                Held::Null => ValueRef::Null,
                Held::Int(v) => ValueRef::Integer(v),
                Held::Text(a, b) => ValueRef::Text(&bytes[a..b]),
                Held::Blob(a, b) => ValueRef::Blob(&bytes[a..b]),
            })
        });
        stmt.execute(rusqlite::params_from_iter(vals))?;
        Ok(())
    }

    /// The rows of a last, shorter batch.
    fn finish(mut self) -> Result<()> {
        for row in self.cells.chunks(self.cols) {
            Self::run(&mut self.one, &self.bytes, row)?;
        }
        Ok(())
    }
}

/// Stream one table from `src` into `dst`; the rows copied. SQLite:
/// multi-row inserts of [`SQLITE_BATCH`] rows, prepared once per table. PostgreSQL: binary `COPY` encoded here and sent in chunks of
/// [`COPY_CHUNK`] bytes.
fn copy_table(
    src: &mut Tx<'_>,
    dst: &mut Tx<'_>,
    t: &Table,
    total: u64,
    progress: &mut dyn FnMut(CopyStep, u64, u64),
) -> Result<u64> {
    let mut n = 0_u64;
    let mut tick = |n: u64| {
        if n % COPY_PROGRESS_EVERY == 0 {
            progress(t.step, n, total.max(n));
        }
    };
    match dst {
        Tx::Sqlite(c) => {
            let mut batch = SqliteBatch::new(c, t)?;
            src.each(t.select, &[], |r| {
                let mut vals = [Arg::Null; MAX_COLS];
                let len = read_row(r, t, &mut vals)?;
                batch.push(&vals[..len])?;
                n += 1;
                tick(n);
                Ok(true)
            })?;
            batch.finish()?;
        }
        Tx::Postgres { tx, .. } => {
            use bytes::BufMut;
            use std::io::Write;
            let mut w = tx.copy_in(t.copy)?;
            let mut buf = bytes::BytesMut::with_capacity(COPY_CHUNK + (64 << 10));
            buf.put_slice(b"PGCOPY\n\xff\r\n\0");
            buf.put_i32(0); // flags
            buf.put_i32(0); // header extension
            src.each(t.select, &[], |r| {
                let mut vals = [Arg::Null; MAX_COLS];
                let len = read_row(r, t, &mut vals)?;
                put_copy_row(&mut buf, t, &vals[..len])?;
                if buf.len() >= COPY_CHUNK {
                    w.write_all(&buf)?;
                    buf.clear();
                }
                n += 1;
                tick(n);
                Ok(true)
            })?;
            buf.put_i16(-1); // trailer
            w.write_all(&buf)?;
            w.finish()?;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_follow_the_steps_and_placeholders_match_the_columns() {
        for (step, t) in CopyStep::ALL.iter().zip(&TABLES) {
            assert_eq!(*step, t.step);
            let cols = t
                .select
                .split(" FROM ")
                .next()
                .unwrap()
                .matches(',')
                .count()
                + 1;
            assert_eq!(cols, t.cols.len(), "{}", t.name);
            assert_eq!(t.insert.matches('?').count(), t.cols.len(), "{}", t.name);
            assert!(t.insert.ends_with(&format!("?{})", t.cols.len())));
            assert!(t.cols.len() <= MAX_COLS, "{}", t.name);
        }
    }

    #[test]
    fn every_table_of_the_schema_is_copied() {
        let s = Store::open_in_memory().unwrap();
        let tables: Vec<String> = s
            .read(|tx| {
                tx.all(
                    "SELECT name FROM sqlite_master WHERE type = 'table'
                     AND name NOT LIKE 'search_fts%' AND name NOT LIKE 'sqlite_%'
                     ORDER BY name",
                    &[],
                    |r| r.get(0),
                )
            })
            .unwrap();
        let mut copied: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
        copied.push("audit_head");
        copied.sort_unstable();
        assert_eq!(tables, copied);
        // And every column of them, so a migration that adds one fails here.
        for t in &TABLES {
            let schema: Vec<String> = s
                .read(|tx| {
                    tx.all(
                        "SELECT name FROM pragma_table_info(?1) ORDER BY cid",
                        args![t.name],
                        |r| r.get(0),
                    )
                })
                .unwrap();
            // (stringify! may break a long column list across lines.)
            let listed = t.select["SELECT ".len()..].split(" FROM ").next().unwrap();
            let listed = listed.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(schema.join(", "), listed, "{}", t.name);
        }
    }
}

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
//! a server takes them by binary `COPY`, an SQLite file by one prepared
//! insert per row (in one transaction that is as fast as SQLite gets).

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};

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

impl Ty {
    fn postgres(self) -> Type {
        match self {
            Self::Int => Type::INT8,
            Self::Text => Type::TEXT,
            Self::Blob => Type::BYTEA,
        }
    }
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
        [id: Int, code: Text, name: Text],
        "?1, ?2, ?3"),
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

/// One column value on its way from source to target.
enum Val {
    Null,
    Int(i64),
    Text(String),
    Blob(Vec<u8>),
}

impl Val {
    fn arg(&self) -> Arg<'_> {
        match self {
            Self::Null => Arg::Null,
            Self::Int(v) => Arg::Int(*v),
            Self::Text(s) => Arg::Text(s),
            Self::Blob(b) => Arg::Blob(b),
        }
    }
}

/// Read a source row into `out`, column by column as the table declares
/// them (a value of another type is an error, not a silent conversion).
fn read_row(r: &Row<'_>, cols: &[Ty], out: &mut Vec<Val>) -> Result<()> {
    out.clear();
    for (i, ty) in cols.iter().enumerate() {
        out.push(match ty {
            Ty::Int => r.get::<Option<i64>>(i)?.map_or(Val::Null, Val::Int),
            Ty::Text => r.get::<Option<String>>(i)?.map_or(Val::Null, Val::Text),
            Ty::Blob => r.get::<Option<Vec<u8>>>(i)?.map_or(Val::Null, Val::Blob),
        });
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

/// Stream one table from `src` into `dst`; the rows copied.
fn copy_table(
    src: &mut Tx<'_>,
    dst: &mut Tx<'_>,
    t: &Table,
    total: u64,
    progress: &mut dyn FnMut(CopyStep, u64, u64),
) -> Result<u64> {
    let mut vals = Vec::with_capacity(t.cols.len());
    let mut n = 0_u64;
    let mut tick = |n: u64| {
        if n % COPY_PROGRESS_EVERY == 0 {
            progress(t.step, n, total.max(n));
        }
    };
    match dst.engine() {
        Engine::Sqlite => {
            src.each(t.select, &[], |r| {
                read_row(r, t.cols, &mut vals)?;
                let args: Vec<Arg<'_>> = vals.iter().map(Val::arg).collect();
                dst.exec(t.insert, &args)?;
                n += 1;
                tick(n);
                Ok(true)
            })?;
        }
        Engine::Postgres => {
            let types: Vec<Type> = t.cols.iter().map(|c| c.postgres()).collect();
            let Some(writer) = dst.copy_in(t.copy)? else {
                return Err(StoreError::Corrupt(
                    "a server transaction without COPY".into(),
                ));
            };
            let mut w = BinaryCopyInWriter::new(writer, &types);
            src.each(t.select, &[], |r| {
                read_row(r, t.cols, &mut vals)?;
                let args: Vec<Arg<'_>> = vals.iter().map(Val::arg).collect();
                let refs: Vec<&(dyn ToSql + Sync)> =
                    args.iter().map(|a| a as &(dyn ToSql + Sync)).collect();
                w.write(&refs)?;
                n += 1;
                tick(n);
                Ok(true)
            })?;
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

//! CSV export: inventory, full history, blocked serials, and the staff and
//! notebook lists (in the same columns the importer reads, so an export can
//! be imported again).
//!
//! Rows stream from SQLite straight into the writer: memory does not grow
//! with the size of the export. Cells that Excel would take for a formula
//! (starting with `=`, `+`, `-`, `@`, tab or CR) get a leading apostrophe.
//! No column anywhere holds a PIN, PUK, management key or OTP secret; the
//! schema has no place for them.

use std::io::Write;

use keydesk_types::ExportKind;

use crate::db::Store;
use crate::error::Result;
use crate::sql::Cell;

/// The CSV flavour to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// What German Excel opens with a double click: UTF-8 BOM, `;`, CRLF.
    #[default]
    Excel,
    /// RFC 4180: `,`, CRLF, no BOM.
    Rfc4180,
}

/// Prefix an apostrophe to cells that a spreadsheet would evaluate.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

fn needs_neutralising(b: &[u8]) -> bool {
    matches!(b.first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'))
}

const INVENTORY_SQL: &str =
    "SELECT k.serial, k.model, k.form_factor, k.firmware, k.batch, k.state, k.state_since,
        s.personnel_no, CASE WHEN s.id IS NULL THEN NULL WHEN s.given_name = '' THEN s.surname
                             ELSE s.surname || ', ' || s.given_name END,
        n.asset_tag, n.hostname, a.from_ts, a.due_date, k.notes,
        (SELECT t.code FROM sites t WHERE t.id = k.site_id)
    FROM keys k
    LEFT JOIN assignments a ON a.serial = k.serial AND a.until_ts IS NULL
    LEFT JOIN staff s ON s.id = a.staff_id
    LEFT JOIN notebooks n ON n.id = a.notebook_id
    ORDER BY k.serial";
const INVENTORY_HEADER: &[&str] = &[
    "serial",
    "model",
    "form_factor",
    "firmware",
    "batch",
    "state",
    "state_since",
    "holder_personnel_no",
    "holder_name",
    "notebook",
    "hostname",
    "issued_since",
    "due",
    "notes",
    "site",
];

/// The query behind `export_history`, public so benchmarks and auditors
/// can run the same one with `sqlite3 -csv`.
pub const HISTORY_SQL: &str = "SELECT id, at, actor, workstation, action, subject, serial, reason, before_json, after_json, prev_hash, hash, site FROM events ORDER BY id";
const HISTORY_HEADER: &[&str] = &[
    "id",
    "at",
    "actor",
    "workstation",
    "action",
    "subject",
    "serial",
    "reason",
    "before",
    "after",
    "prev_hash",
    "hash",
    "site",
];

const BLOCKED_SQL: &str =
    "SELECT serial, state, state_since FROM keys WHERE state IN ('revoked', 'lost') ORDER BY serial";
const BLOCKED_HEADER: &[&str] = &["serial", "state", "since"];

const STAFF_SQL: &str =
    "SELECT s.personnel_no, s.surname, s.given_name, s.department, s.email, s.active, t.code
    FROM staff s LEFT JOIN sites t ON t.id = s.site_id ORDER BY s.personnel_no";
const STAFF_HEADER: &[&str] = &[
    "personnel_no",
    "surname",
    "given_name",
    "department",
    "email",
    "active",
    "site",
];

const NOTEBOOK_SQL: &str =
    "SELECT n.asset_tag, n.hostname, n.model, n.serial_no, s.personnel_no, t.code
    FROM notebooks n LEFT JOIN staff s ON s.id = n.staff_id
    LEFT JOIN sites t ON t.id = n.site_id ORDER BY n.asset_tag";
const NOTEBOOK_HEADER: &[&str] = &[
    "asset_tag",
    "hostname",
    "model",
    "serial_no",
    "personnel_no",
    "site",
];

/// The query and header of an export.
fn sql(kind: ExportKind) -> (&'static str, &'static [&'static str]) {
    match kind {
        ExportKind::Inventory => (INVENTORY_SQL, INVENTORY_HEADER),
        ExportKind::History => (HISTORY_SQL, HISTORY_HEADER),
        ExportKind::Revoked => (BLOCKED_SQL, BLOCKED_HEADER),
        ExportKind::Staff => (STAFF_SQL, STAFF_HEADER),
        ExportKind::Notebooks => (NOTEBOOK_SQL, NOTEBOOK_HEADER),
    }
}

/// How many rows an export will write, cheaply: the audit log is
/// append-only, so its highest id is its length.
fn count_sql(kind: ExportKind) -> &'static str {
    match kind {
        ExportKind::Inventory => "SELECT COUNT(*) FROM keys",
        ExportKind::History => "SELECT COALESCE(MAX(id), 0) FROM events",
        ExportKind::Revoked => "SELECT COUNT(*) FROM keys WHERE state IN ('revoked', 'lost')",
        ExportKind::Staff => "SELECT COUNT(*) FROM staff",
        ExportKind::Notebooks => "SELECT COUNT(*) FROM notebooks",
    }
}

/// Rows between two progress reports of an export.
pub const EXPORT_PROGRESS_EVERY: u64 = 10_000;

impl Store {
    /// Write one export as CSV, calling `progress(rows written, rows in
    /// all)` before the first row, every [`EXPORT_PROGRESS_EVERY`] rows
    /// and at the end. Returns rows written.
    ///
    /// # Errors
    /// Database and write errors.
    pub fn export<W: Write>(
        &self,
        kind: ExportKind,
        out: W,
        dialect: Dialect,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<u64> {
        let (sql, header) = sql(kind);
        self.stream(sql, header, count_sql(kind), out, dialect, progress)
    }

    fn stream<W: Write>(
        &self,
        sql: &'static str,
        header: &[&str],
        count_sql: &'static str,
        out: W,
        dialect: Dialect,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<u64> {
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, out);
        let delimiter = match dialect {
            Dialect::Excel => {
                out.write_all(b"\xEF\xBB\xBF")?;
                b';'
            }
            Dialect::Rfc4180 => b',',
        };
        let mut w = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        w.write_record(header)?;
        // A read transaction gives one consistent snapshot even while
        // another connection writes (WAL; REPEATABLE READ on the server).
        // Rows stream from the engine: memory stays flat however long.
        let n = self.read(|tx| {
            let total: i64 = tx.one(count_sql, &[], |r| r.get(0))?;
            let total = u64::try_from(total).unwrap_or(0);
            progress(0, total);
            let mut n = 0_u64;
            let mut num = String::new();
            let mut cell: Vec<u8> = Vec::new();
            tx.each(sql, &[], |row| {
                for i in 0..row.len() {
                    match row.cell(i)? {
                        Cell::Null => w.write_field(b"")?,
                        Cell::Int(v) => {
                            num.clear();
                            std::fmt::Write::write_fmt(&mut num, format_args!("{v}")).ok();
                            w.write_field(neutralise(&num).as_bytes())?;
                        }
                        Cell::Real(v) => w.write_field(v.to_string().as_bytes())?,
                        Cell::Text(t) => {
                            if needs_neutralising(t) {
                                cell.clear();
                                cell.push(b'\'');
                                cell.extend_from_slice(t);
                                w.write_field(&cell)?;
                            } else {
                                w.write_field(t)?;
                            }
                        }
                    }
                }
                w.write_record(None::<&[u8]>)?;
                n += 1;
                if n % EXPORT_PROGRESS_EVERY == 0 {
                    progress(n, total.max(n));
                }
                Ok(true)
            })?;
            Ok(n)
        })?;
        w.flush()?;
        drop(w);
        out.flush()?;
        progress(n, n);
        Ok(n)
    }

    /// Every key with state, holder, notebook and since when. Returns rows written.
    pub fn export_inventory<W: Write>(&self, out: W, dialect: Dialect) -> Result<u64> {
        self.export(ExportKind::Inventory, out, dialect, &mut |_, _| {})
    }

    /// The full audit history, oldest first.
    pub fn export_history<W: Write>(&self, out: W, dialect: Dialect) -> Result<u64> {
        self.export(ExportKind::History, out, dialect, &mut |_, _| {})
    }

    /// Serials that must not be trusted (revoked and lost), for VPN/RADIUS.
    pub fn export_blocked<W: Write>(&self, out: W, dialect: Dialect) -> Result<u64> {
        self.export(ExportKind::Revoked, out, dialect, &mut |_, _| {})
    }

    /// The staff list, in the columns `import_staff` reads.
    pub fn export_staff<W: Write>(&self, out: W, dialect: Dialect) -> Result<u64> {
        self.export(ExportKind::Staff, out, dialect, &mut |_, _| {})
    }

    /// The notebook list, in the columns `import_notebooks` reads.
    pub fn export_notebooks<W: Write>(&self, out: W, dialect: Dialect) -> Result<u64> {
        self.export(ExportKind::Notebooks, out, dialect, &mut |_, _| {})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        for c in ["=1+1", "+49 30", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(c), format!("'{c}"));
        }
        assert_eq!(neutralise("Müller"), "Müller");
        assert_eq!(neutralise("4711"), "4711");
        assert!(needs_neutralising(b"=HYPERLINK()") && !needs_neutralising(b"a=b"));
    }
}

//! CSV import of staff lists (HR export), notebook lists (asset export) and
//! supplier serial lists (a delivery of keys into stock).
//!
//! The whole file is checked first (encoding, delimiter, header, every row);
//! then all rows are applied in one transaction. Any problem, and nothing is
//! changed. A dry run does the same work and rolls back, so its report is
//! exactly what a real import would do. Rows equal to the database change
//! nothing and write no event: importing the same file again is a no-op.
//!
//! While the rows are applied, an optional callback hears how far it got
//! (every [`PROGRESS_EVERY`] rows), and the report lists the first
//! [`CHANGES_LISTED`] adds and changes with the fields they change, so that a
//! dry run shows what the import would do while a 100,000-row report stays
//! small.

mod changes;
mod detect;
mod rows;

use std::collections::HashMap;

use crate::sql::Tx;
use keydesk_types::ImportKind;
use serde::Serialize;

use crate::db::Store;
use crate::error::{ImportIssue, ImportProblem, Result, StoreError};
use crate::inventory::{Outcome, Put};
use crate::model::{Ctx, NewKey, NewNotebook, NewStaff};
use crate::{inventory, keys};
pub use changes::{FieldChange, ImportField};
use rows::{Col, HeaderMap, KeyRow, NotebookRow, StaffRow};

/// The report lists this many adds and changes; the rest are only counted
/// (in [`ImportReport::changes_omitted`]).
pub const CHANGES_LISTED: usize = 200;

/// The progress callback hears from an import every this many rows, and
/// once at the start and once at the end.
pub const PROGRESS_EVERY: usize = 1000;

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Check and report, change nothing.
    pub dry_run: bool,
    /// Where the file came from (file name), recorded as the events' reason.
    pub source: String,
}

/// What happened (or would happen) to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportAction {
    /// New record.
    Add,
    /// Existing record with different data.
    Change,
    /// Existing record, same data.
    Unchanged,
}

/// One row that adds or changes something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportChange {
    /// Line in the file.
    pub line: u64,
    /// Personnel number, asset tag or serial.
    pub id: String,
    /// Add or change.
    pub action: ImportAction,
    /// For a change, each field that differs, old → new; empty for an add.
    pub fields: Vec<FieldChange>,
}

/// The outcome of an import (or dry run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Encoding detected.
    pub encoding: &'static str,
    /// Delimiter detected.
    pub delimiter: char,
    /// Data rows read.
    pub rows: usize,
    /// New records.
    pub added: usize,
    /// Changed records.
    pub changed: usize,
    /// Rows that matched the database already.
    pub unchanged: usize,
    /// The first [`CHANGES_LISTED`] adds and changes, in file order.
    pub changes: Vec<ImportChange>,
    /// Adds and changes beyond those listed.
    pub changes_omitted: usize,
    /// True when nothing was written.
    pub dry_run: bool,
}

struct Parsed<R> {
    encoding: &'static str,
    delimiter: u8,
    rows: Vec<(u64, String, R)>,
    /// Whether the file has a site column; without one, a row keeps the
    /// site its record has (a list from before sites clears nothing).
    has_site: bool,
}

/// Physical line numbers from byte offsets. The csv crate's own line count
/// is one short for CRLF files (it ends a record at the CR), so count here.
struct Lines<'a> {
    text: &'a [u8],
    pos: usize,
    line: u64,
}

impl Lines<'_> {
    fn at(&mut self, pos: Option<&csv::Position>) -> u64 {
        let Some(p) = pos else { return 0 };
        let mut target = usize::try_from(p.byte())
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while matches!(self.text.get(target), Some(b'\r' | b'\n')) {
            target += 1;
        }
        if target >= self.pos {
            self.line += self.text[self.pos..target]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.pos = target;
        }
        self.line
    }
}

fn one(line: u64, problem: ImportProblem) -> StoreError {
    StoreError::Import(vec![ImportIssue { line, problem }])
}

/// Read and check the whole file; `convert` turns one record into (id, record).
fn parse<R>(
    bytes: &[u8],
    kind: ImportKind,
    convert: impl Fn(&HeaderMap, &csv::StringRecord) -> std::result::Result<(String, R), ImportProblem>,
) -> Result<Parsed<R>> {
    let decoded = detect::decode(bytes).map_err(|i| StoreError::Import(vec![i]))?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(decoded.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(decoded.text.as_bytes());
    let mut lines = Lines {
        text: decoded.text.as_bytes(),
        pos: 0,
        line: 1,
    };
    let mut records = reader.records();
    let header = match records.next() {
        None => return Err(one(0, ImportProblem::Empty)),
        Some(Err(e)) => {
            let detail = e.to_string();
            return Err(one(1, ImportProblem::UnreadableHeader { detail }));
        }
        Some(Ok(h)) => h,
    };
    let map = HeaderMap::new(kind, &header).map_err(StoreError::Import)?;
    let mut issues = Vec::new();
    let mut first_seen: HashMap<String, u64> = HashMap::new();
    let mut rows = Vec::new();
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = lines.at(e.position());
                issues.push(ImportIssue {
                    line,
                    problem: ImportProblem::UnreadableRow {
                        detail: e.to_string(),
                    },
                });
                continue;
            }
        };
        let line = lines.at(rec.position());
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue; // Excel leaves ";;;;" lines at the end
        }
        let extra_filled = rec.iter().skip(map.width).any(|f| !f.trim().is_empty());
        if rec.len() < map.width || extra_filled {
            issues.push(ImportIssue {
                line,
                problem: ImportProblem::FieldCount {
                    found: rec.len(),
                    expected: map.width,
                    delimiter: char::from(decoded.delimiter),
                },
            });
            continue;
        }
        match convert(&map, &rec) {
            Err(problem) => issues.push(ImportIssue { line, problem }),
            Ok((id, r)) => {
                if let Some(first) = first_seen.get(&id) {
                    issues.push(ImportIssue {
                        line,
                        problem: ImportProblem::Duplicate {
                            kind,
                            id,
                            first_line: *first,
                        },
                    });
                } else {
                    first_seen.insert(id.clone(), line);
                    rows.push((line, id, r));
                }
            }
        }
    }
    if issues.is_empty() {
        Ok(Parsed {
            encoding: decoded.encoding,
            delimiter: decoded.delimiter,
            rows,
            has_site: map.has(Col::Site),
        })
    } else {
        Err(StoreError::Import(issues))
    }
}

impl Store {
    /// Apply checked rows in one transaction; `progress` hears (rows done,
    /// rows in all) at the start, every [`PROGRESS_EVERY`] rows and after
    /// the commit.
    fn apply<R>(
        &mut self,
        kind: ImportKind,
        parsed: Parsed<R>,
        opts: &ImportOptions,
        progress: &mut dyn FnMut(usize, usize),
        put: impl Fn(&mut Tx<'_>, &R, &str) -> Result<ImportAction>,
    ) -> Result<ImportReport> {
        let total = parsed.rows.len();
        let mut report = ImportReport {
            encoding: parsed.encoding,
            delimiter: char::from(parsed.delimiter),
            rows: total,
            added: 0,
            changed: 0,
            unchanged: 0,
            changes: Vec::new(),
            changes_omitted: 0,
            dry_run: opts.dry_run,
        };
        let reason = if opts.source.is_empty() {
            "import".to_owned()
        } else {
            format!("import {}", opts.source)
        };
        let mut tx = self.write_tx()?;
        let mut issues = Vec::new();
        progress(0, total);
        for (done, (line, id, rec)) in (1..).zip(parsed.rows) {
            match put(&mut tx, &rec, &reason) {
                Ok(ImportAction::Unchanged) => report.unchanged += 1,
                Ok(action) => {
                    if action == ImportAction::Add {
                        report.added += 1;
                    } else {
                        report.changed += 1;
                    }
                    if report.changes.len() < CHANGES_LISTED {
                        let fields = if action == ImportAction::Change {
                            changes::read_back(&mut tx, &format!("{}:{id}", rows::subject(kind)))?
                        } else {
                            Vec::new()
                        };
                        report.changes.push(ImportChange {
                            line,
                            id,
                            action,
                            fields,
                        });
                    } else {
                        report.changes_omitted += 1;
                    }
                }
                // A holder the inventory does not know is the file's fault;
                // anything else (the database, a stored value that does not
                // read back) is not, and stops the import as it is.
                Err(StoreError::UnknownStaff(personnel_no)) => issues.push(ImportIssue {
                    line,
                    problem: ImportProblem::UnknownHolder { personnel_no },
                }),
                Err(StoreError::UnknownSite(code)) => issues.push(ImportIssue {
                    line,
                    problem: ImportProblem::UnknownSite { code },
                }),
                Err(e) => return Err(e),
            }
            if done % PROGRESS_EVERY == 0 && done < total {
                progress(done, total);
            }
        }
        if !issues.is_empty() {
            return Err(StoreError::Import(issues)); // tx dropped: rolled back
        }
        if opts.dry_run {
            drop(tx); // rolled back
        } else {
            crate::search::sync_fts(&mut tx)?;
            tx.commit()?;
        }
        progress(total, total);
        Ok(report)
    }

    /// Import a list of `kind` (see `import_staff`, `import_notebooks`,
    /// `import_keys`), telling `progress` (rows done, rows in all) how far
    /// it got: once the file is checked, every [`PROGRESS_EVERY`] rows, and
    /// when all rows are in. Still one transaction: all rows or none.
    pub fn import(
        &mut self,
        ctx: &Ctx,
        kind: ImportKind,
        bytes: &[u8],
        opts: &ImportOptions,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ImportReport> {
        let r = self.import_kind(ctx, kind, bytes, opts, progress);
        self.refine(r)
    }

    fn import_kind(
        &mut self,
        ctx: &Ctx,
        kind: ImportKind,
        bytes: &[u8],
        opts: &ImportOptions,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ImportReport> {
        match kind {
            ImportKind::Staff => {
                let parsed = parse(bytes, kind, |h, r| {
                    let rec = StaffRow::read(h, r).to_record()?;
                    Ok((rec.personnel_no.to_string(), rec))
                })?;
                let keep = !parsed.has_site;
                self.apply(kind, parsed, opts, progress, |c, rec: &NewStaff, reason| {
                    let mut rec = rec.clone();
                    if keep {
                        rec.site = inventory::get_staff_conn(c, &rec.personnel_no)?
                            .and_then(|s| s.data.site);
                    }
                    Ok(action(inventory::put_staff(
                        c,
                        ctx,
                        &rec,
                        reason,
                        Put::Upsert,
                    )?))
                })
            }
            ImportKind::Notebooks => {
                let parsed = parse(bytes, kind, |h, r| {
                    let rec = NotebookRow::read(h, r).to_record()?;
                    Ok((rec.asset_tag.to_string(), rec))
                })?;
                let keep = !parsed.has_site;
                self.apply(
                    kind,
                    parsed,
                    opts,
                    progress,
                    |c, rec: &NewNotebook, reason| {
                        let mut rec = rec.clone();
                        if keep {
                            rec.site = inventory::get_notebook_conn(c, &rec.asset_tag)?
                                .and_then(|n| n.data.site);
                        }
                        Ok(action(inventory::put_notebook(
                            c,
                            ctx,
                            &rec,
                            reason,
                            Put::Upsert,
                        )?))
                    },
                )
            }
            ImportKind::Stock => {
                let parsed = parse(bytes, kind, |h, r| {
                    let rec = KeyRow::read(h, r).to_record()?;
                    Ok((rec.serial.to_string(), rec))
                })?;
                // A row without a site (no column, or an empty cell): a key
                // the inventory has keeps its site, a new one is delivered
                // to the site of the counter that imports it.
                self.apply(kind, parsed, opts, progress, |c, rec: &NewKey, reason| {
                    let mut rec = rec.clone();
                    if rec.site.is_none() {
                        rec.site = match keys::get_key_conn(c, rec.serial)? {
                            Some(k) => k.data.site,
                            None => ctx.site.clone(),
                        };
                    }
                    Ok(action(keys::put_key(c, ctx, &rec, reason, Put::Upsert)?))
                })
            }
        }
    }

    /// Import a staff list (Personalnummer, Name, Vorname, Abteilung, E-Mail, Aktiv).
    pub fn import_staff(
        &mut self,
        ctx: &Ctx,
        bytes: &[u8],
        opts: &ImportOptions,
    ) -> Result<ImportReport> {
        self.import(ctx, ImportKind::Staff, bytes, opts, &mut |_, _| {})
    }

    /// Import a notebook list (Inventarnummer, Hostname, Modell, Seriennummer,
    /// Personalnummer of the holder). Holders must exist already.
    pub fn import_notebooks(
        &mut self,
        ctx: &Ctx,
        bytes: &[u8],
        opts: &ImportOptions,
    ) -> Result<ImportReport> {
        self.import(ctx, ImportKind::Notebooks, bytes, opts, &mut |_, _| {})
    }

    /// Import a supplier serial list (Seriennummer, Modell, Formfaktor,
    /// Firmware, Lieferung/Charge, optionally Dienststelle): new serials go
    /// into stock, known ones get their supplier data updated (never their
    /// state). A row without a site puts a new key at the counter's site
    /// (`ctx.site`) and leaves a known key at its own.
    pub fn import_keys(
        &mut self,
        ctx: &Ctx,
        bytes: &[u8],
        opts: &ImportOptions,
    ) -> Result<ImportReport> {
        self.import(ctx, ImportKind::Stock, bytes, opts, &mut |_, _| {})
    }
}

fn action(o: Outcome) -> ImportAction {
    match o {
        Outcome::Added => ImportAction::Add,
        Outcome::Changed => ImportAction::Change,
        Outcome::Unchanged => ImportAction::Unchanged,
    }
}

//! Staff and notebooks: add, get, update. Every write is audited.
//!
//! Both kinds are written by one generic [`put`]: a [`Record`] says how its
//! kind is stored, indexed for search and named in the audit trail.

use keydesk_types::ParseError;
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, Change};
use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::model::{AssetTag, Ctx, NewNotebook, NewStaff, Notebook, PersonnelNo, Staff};
use crate::search::{self, HitKind};
use crate::sites::{opt_site_id, parse_site_column};
use crate::sql::{args, Row, Tx};

pub(crate) fn staff_id(conn: &mut Tx<'_>, no: &PersonnelNo) -> Result<i64> {
    conn.opt(
        "SELECT id FROM staff WHERE personnel_no = ?1",
        args![no.as_str()],
        |r| r.get(0),
    )?
    .ok_or_else(|| StoreError::UnknownStaff(no.to_string()))
}

pub(crate) fn notebook_id(conn: &mut Tx<'_>, tag: &AssetTag) -> Result<i64> {
    conn.opt(
        "SELECT id FROM notebooks WHERE asset_tag = ?1",
        args![tag.as_str()],
        |r| r.get(0),
    )?
    .ok_or_else(|| StoreError::UnknownNotebook(tag.to_string()))
}

type StaffTuple = (
    i64,
    String,
    String,
    String,
    String,
    String,
    bool,
    Option<String>,
);

fn staff_from_row(r: &Row<'_>) -> Result<StaffTuple> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

fn to_staff(t: StaffTuple) -> Result<Staff> {
    Ok(Staff {
        id: t.0,
        data: NewStaff {
            personnel_no: PersonnelNo::parse(&t.1)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            surname: t.2,
            given_name: t.3,
            department: t.4,
            email: t.5,
            active: t.6,
            site: parse_site_column(t.7)?,
        },
    })
}

pub(crate) fn get_staff_conn(conn: &mut Tx<'_>, no: &PersonnelNo) -> Result<Option<Staff>> {
    let t = conn.opt(
        "SELECT s.id, s.personnel_no, s.surname, s.given_name, s.department, s.email, s.active, t.code
         FROM staff s LEFT JOIN sites t ON t.id = s.site_id WHERE s.personnel_no = ?1",
        args![no.as_str()],
        staff_from_row,
    )?;
    t.map(to_staff).transpose()
}

fn staff_label(s: &NewStaff) -> String {
    let mut l = s.surname.clone();
    if !s.given_name.is_empty() {
        l.push_str(", ");
        l.push_str(&s.given_name);
    }
    l.push_str(&format!(" ({})", s.personnel_no));
    if !s.department.is_empty() {
        l.push(' ');
        l.push_str(&s.department);
    }
    l
}

pub(crate) fn get_notebook_conn(conn: &mut Tx<'_>, tag: &AssetTag) -> Result<Option<Notebook>> {
    type NotebookTuple = (
        i64,
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
    );
    let t: Option<NotebookTuple> = conn.opt(
        "SELECT n.id, n.asset_tag, n.hostname, n.model, n.serial_no, s.personnel_no, t.code
         FROM notebooks n LEFT JOIN staff s ON s.id = n.staff_id
         LEFT JOIN sites t ON t.id = n.site_id WHERE n.asset_tag = ?1",
        args![tag.as_str()],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        },
    )?;
    let Some(t) = t else { return Ok(None) };
    let corrupt = |e: ParseError| StoreError::Corrupt(e.to_string());
    Ok(Some(Notebook {
        id: t.0,
        data: NewNotebook {
            asset_tag: AssetTag::parse(&t.1).map_err(corrupt)?,
            hostname: t.2,
            model: t.3,
            serial_no: t.4,
            staff: t
                .5
                .as_deref()
                .map(PersonnelNo::parse)
                .transpose()
                .map_err(corrupt)?,
            site: parse_site_column(t.6)?,
        },
    }))
}

/// How `put_*` treats an existing record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Put {
    /// Must be new.
    Create,
    /// Must exist.
    Update,
    /// Either (imports).
    Upsert,
}

/// What `put_*` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Added,
    Changed,
    Unchanged,
}

/// A kind of inventory record that [`put`] writes: one table row found by a
/// natural key (personnel number, asset tag), indexed for search, audited.
pub(crate) trait Record: Serialize + PartialEq {
    /// The record as read back, with its row id (`Staff`, `Notebook`).
    type Stored;
    /// Row ids of other records this one names by natural key, looked up
    /// before anything is written (a notebook's holder).
    type Refs;
    /// Audit subject prefix: `KIND:key`.
    const KIND: &'static str;
    /// Audit action of an insert.
    const ADDED: &'static str;
    /// Audit action of an update.
    const UPDATED: &'static str;
    /// The error for `Put::Create` of a record that exists.
    const DUPLICATE: fn(String) -> StoreError;
    /// The error for a record that should exist but does not.
    const UNKNOWN: fn(String) -> StoreError;

    /// The natural key.
    fn key(&self) -> &str;
    /// The stored record with this one's natural key, if any.
    fn stored(&self, conn: &mut Tx<'_>) -> Result<Option<Self::Stored>>;
    /// Row id and data of a stored record.
    fn parts(stored: &Self::Stored) -> (i64, &Self);
    /// Look up [`Self::Refs`]; fails when a named record does not exist.
    fn refs(&self, conn: &mut Tx<'_>) -> Result<Self::Refs>;
    /// Insert a new row; returns its id.
    fn insert(&self, conn: &mut Tx<'_>, refs: &Self::Refs) -> Result<i64>;
    /// Overwrite row `id` with this record's data.
    fn update(&self, conn: &mut Tx<'_>, id: i64, refs: &Self::Refs) -> Result<()>;
    /// (Re-)index row `id` for search; `existed` when it had entries before.
    fn index(&self, conn: &mut Tx<'_>, id: i64, existed: bool) -> Result<()>;
}

impl Record for NewStaff {
    type Stored = Staff;
    /// The site's row id.
    type Refs = Option<i64>;
    const KIND: &'static str = "staff";
    const ADDED: &'static str = "staff.add";
    const UPDATED: &'static str = "staff.update";
    const DUPLICATE: fn(String) -> StoreError = StoreError::DuplicateStaff;
    const UNKNOWN: fn(String) -> StoreError = StoreError::UnknownStaff;

    fn key(&self) -> &str {
        self.personnel_no.as_str()
    }

    fn stored(&self, conn: &mut Tx<'_>) -> Result<Option<Staff>> {
        get_staff_conn(conn, &self.personnel_no)
    }

    fn parts(stored: &Staff) -> (i64, &Self) {
        (stored.id, &stored.data)
    }

    fn refs(&self, conn: &mut Tx<'_>) -> Result<Option<i64>> {
        opt_site_id(conn, self.site.as_ref())
    }

    fn insert(&self, conn: &mut Tx<'_>, site: &Option<i64>) -> Result<i64> {
        conn.insert(
            "INSERT INTO staff (personnel_no, surname, given_name, department, email, active, site_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
            args![
                self.personnel_no.as_str(),
                self.surname,
                self.given_name,
                self.department,
                self.email,
                self.active,
                site
            ],
        )
    }

    fn update(&self, conn: &mut Tx<'_>, id: i64, site: &Option<i64>) -> Result<()> {
        conn.exec(
            "UPDATE staff SET surname = ?1, given_name = ?2, department = ?3, email = ?4, active = ?5, site_id = ?6 WHERE id = ?7",
            args![self.surname, self.given_name, self.department, self.email, self.active, site, id],
        )?;
        Ok(())
    }

    fn index(&self, conn: &mut Tx<'_>, id: i64, existed: bool) -> Result<()> {
        if existed {
            search::unindex(conn, HitKind::Staff, id)?;
        }
        let a = format!("{} {}", self.surname, self.given_name);
        let b = format!("{} {}", self.given_name, self.surname);
        let terms = [a.as_str(), &b, self.personnel_no.as_str()];
        search::index_new(conn, HitKind::Staff, id, &staff_label(self), &terms)
    }
}

impl Record for NewNotebook {
    type Stored = Notebook;
    /// The holder's staff row id and the site's row id.
    type Refs = (Option<i64>, Option<i64>);
    const KIND: &'static str = "notebook";
    const ADDED: &'static str = "notebook.add";
    const UPDATED: &'static str = "notebook.update";
    const DUPLICATE: fn(String) -> StoreError = StoreError::DuplicateNotebook;
    const UNKNOWN: fn(String) -> StoreError = StoreError::UnknownNotebook;

    fn key(&self) -> &str {
        self.asset_tag.as_str()
    }

    fn stored(&self, conn: &mut Tx<'_>) -> Result<Option<Notebook>> {
        get_notebook_conn(conn, &self.asset_tag)
    }

    fn parts(stored: &Notebook) -> (i64, &Self) {
        (stored.id, &stored.data)
    }

    fn refs(&self, conn: &mut Tx<'_>) -> Result<(Option<i64>, Option<i64>)> {
        let staff = self.staff.as_ref().map(|p| staff_id(conn, p)).transpose()?;
        Ok((staff, opt_site_id(conn, self.site.as_ref())?))
    }

    fn insert(&self, conn: &mut Tx<'_>, (staff, site): &(Option<i64>, Option<i64>)) -> Result<i64> {
        conn.insert(
            "INSERT INTO notebooks (asset_tag, hostname, model, serial_no, staff_id, site_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
            args![
                self.asset_tag.as_str(),
                self.hostname,
                self.model,
                self.serial_no,
                staff,
                site
            ],
        )
    }

    fn update(
        &self,
        conn: &mut Tx<'_>,
        id: i64,
        (staff, site): &(Option<i64>, Option<i64>),
    ) -> Result<()> {
        conn.exec(
            "UPDATE notebooks SET hostname = ?1, model = ?2, serial_no = ?3, staff_id = ?4, site_id = ?5 WHERE id = ?6",
            args![self.hostname, self.model, self.serial_no, staff, site, id],
        )?;
        Ok(())
    }

    fn index(&self, conn: &mut Tx<'_>, id: i64, existed: bool) -> Result<()> {
        let label = if self.model.is_empty() {
            format!("{} {}", self.asset_tag, self.hostname)
        } else {
            format!("{} {} ({})", self.asset_tag, self.hostname, self.model)
        };
        if existed {
            search::unindex(conn, HitKind::Notebook, id)?;
        }
        let terms = [self.asset_tag.as_str(), &self.hostname];
        search::index_new(conn, HitKind::Notebook, id, label.trim_end(), &terms)
    }
}

/// Insert or update one record inside `conn`'s transaction, with its audit
/// event. Writes nothing when the stored record is already equal.
pub(crate) fn put<R: Record>(
    conn: &mut Tx<'_>,
    ctx: &Ctx,
    rec: &R,
    reason: &str,
    mode: Put,
) -> Result<Outcome> {
    let old = rec.stored(conn)?;
    let old = old.as_ref().map(R::parts);
    let refs = rec.refs(conn)?;
    let id = match (old, mode) {
        (Some(_), Put::Create) => return Err(R::DUPLICATE(rec.key().to_owned())),
        (None, Put::Update) => return Err(R::UNKNOWN(rec.key().to_owned())),
        (Some((_, data)), _) if data == rec => return Ok(Outcome::Unchanged),
        (Some((id, _)), _) => {
            rec.update(conn, id, &refs)?;
            id
        }
        (None, _) => rec.insert(conn, &refs)?,
    };
    rec.index(conn, id, old.is_some())?;
    audit::append(
        conn,
        ctx,
        Change {
            action: if old.is_none() { R::ADDED } else { R::UPDATED },
            subject: format!("{}:{}", R::KIND, rec.key()),
            serial: None,
            before: old.map(|(_, data)| json!(data)),
            after: Some(json!(rec)),
            reason,
        },
    )?;
    Ok(if old.is_none() {
        Outcome::Added
    } else {
        Outcome::Changed
    })
}

/// [`put`] for a staff member (the name imports call it by).
pub(crate) fn put_staff(
    conn: &mut Tx<'_>,
    ctx: &Ctx,
    s: &NewStaff,
    reason: &str,
    mode: Put,
) -> Result<Outcome> {
    put(conn, ctx, s, reason, mode)
}

/// [`put`] for a notebook (the name imports call it by).
pub(crate) fn put_notebook(
    conn: &mut Tx<'_>,
    ctx: &Ctx,
    n: &NewNotebook,
    reason: &str,
    mode: Put,
) -> Result<Outcome> {
    put(conn, ctx, n, reason, mode)
}

impl Store {
    /// Add a new record in its own transaction; returns it as stored.
    fn add_record<R: Record>(&mut self, ctx: &Ctx, rec: &R, reason: &str) -> Result<R::Stored> {
        self.write(|tx| {
            put(tx, ctx, rec, reason, Put::Create)?;
            search::sync_fts(tx)?;
            rec.stored(tx)?
                .ok_or_else(|| R::UNKNOWN(rec.key().to_owned()))
        })
    }

    /// Replace an existing record's data in its own transaction; `false`
    /// when nothing changed.
    fn update_record<R: Record>(&mut self, ctx: &Ctx, rec: &R, reason: &str) -> Result<bool> {
        self.write(|tx| {
            let changed = put(tx, ctx, rec, reason, Put::Update)? != Outcome::Unchanged;
            search::sync_fts(tx)?;
            Ok(changed)
        })
    }

    /// Add a staff member.
    pub fn add_staff(&mut self, ctx: &Ctx, staff: &NewStaff, reason: &str) -> Result<Staff> {
        self.add_record(ctx, staff, reason)
    }

    /// Replace a staff member's data (looked up by personnel number).
    /// Returns `false` (and writes nothing) when nothing changed.
    pub fn update_staff(&mut self, ctx: &Ctx, staff: &NewStaff, reason: &str) -> Result<bool> {
        self.update_record(ctx, staff, reason)
    }

    /// A staff member by personnel number.
    pub fn get_staff(&self, no: &PersonnelNo) -> Result<Option<Staff>> {
        self.read(|tx| get_staff_conn(tx, no))
    }

    /// A staff member by row id (as in search hits).
    pub fn get_staff_by_id(&self, id: i64) -> Result<Option<Staff>> {
        let t = self.read(|tx| {
            tx.opt(
                "SELECT s.id, s.personnel_no, s.surname, s.given_name, s.department, s.email, s.active, t.code
                 FROM staff s LEFT JOIN sites t ON t.id = s.site_id WHERE s.id = ?1",
                args![id],
                staff_from_row,
            )
        })?;
        t.map(to_staff).transpose()
    }

    /// Add a notebook.
    pub fn add_notebook(&mut self, ctx: &Ctx, nb: &NewNotebook, reason: &str) -> Result<Notebook> {
        self.add_record(ctx, nb, reason)
    }

    /// Replace a notebook's data (looked up by asset tag).
    pub fn update_notebook(&mut self, ctx: &Ctx, nb: &NewNotebook, reason: &str) -> Result<bool> {
        self.update_record(ctx, nb, reason)
    }

    /// A notebook by asset tag.
    pub fn get_notebook(&self, tag: &AssetTag) -> Result<Option<Notebook>> {
        self.read(|tx| get_notebook_conn(tx, tag))
    }

    /// A notebook by row id (as in search hits).
    pub fn get_notebook_by_id(&self, id: i64) -> Result<Option<Notebook>> {
        let tag: Option<String> = self.read(|tx| {
            tx.opt(
                "SELECT asset_tag FROM notebooks WHERE id = ?1",
                args![id],
                |r| r.get(0),
            )
        })?;
        match tag {
            Some(t) => self.get_notebook(
                &AssetTag::parse(&t).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            ),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests;

//! Staff and notebooks: add, get, update. Every write is audited.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::json;

use crate::audit::{self, Change};
use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::model::{AssetTag, Ctx, NewNotebook, NewStaff, Notebook, PersonnelNo, Staff};
use crate::search::{self, HitKind};

pub(crate) fn staff_id(conn: &Connection, no: &PersonnelNo) -> Result<i64> {
    conn.prepare_cached("SELECT id FROM staff WHERE personnel_no = ?1")?
        .query_row([no.as_str()], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::UnknownStaff(no.to_string()))
}

pub(crate) fn notebook_id(conn: &Connection, tag: &AssetTag) -> Result<i64> {
    conn.prepare_cached("SELECT id FROM notebooks WHERE asset_tag = ?1")?
        .query_row([tag.as_str()], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::UnknownNotebook(tag.to_string()))
}

const STAFF_COLS: &str = "id, personnel_no, surname, given_name, department, email, active";

fn staff_from_row(
    r: &Row<'_>,
) -> rusqlite::Result<(i64, String, String, String, String, String, bool)> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

fn to_staff(t: (i64, String, String, String, String, String, bool)) -> Result<Staff> {
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
        },
    })
}

pub(crate) fn get_staff_conn(conn: &Connection, no: &PersonnelNo) -> Result<Option<Staff>> {
    let t = conn
        .prepare_cached(&format!(
            "SELECT {STAFF_COLS} FROM staff WHERE personnel_no = ?1"
        ))?
        .query_row([no.as_str()], staff_from_row)
        .optional()?;
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

fn index_staff(conn: &Connection, id: i64, s: &NewStaff, existed: bool) -> Result<()> {
    if existed {
        search::unindex(conn, HitKind::Staff, id)?;
    }
    let a = format!("{} {}", s.surname, s.given_name);
    let b = format!("{} {}", s.given_name, s.surname);
    let terms = [a.as_str(), &b, s.personnel_no.as_str()];
    search::index_new(conn, HitKind::Staff, id, &staff_label(s), &terms)
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

/// Insert or update one staff member inside `conn`'s transaction, with its
/// audit event.
pub(crate) fn put_staff(
    conn: &Connection,
    ctx: &Ctx,
    s: &NewStaff,
    reason: &str,
    mode: Put,
) -> Result<Outcome> {
    let old = get_staff_conn(conn, &s.personnel_no)?;
    let id = match (&old, mode) {
        (Some(_), Put::Create) => {
            return Err(StoreError::DuplicateStaff(s.personnel_no.to_string()))
        }
        (None, Put::Update) => return Err(StoreError::UnknownStaff(s.personnel_no.to_string())),
        (Some(o), _) if o.data == *s => return Ok(Outcome::Unchanged),
        (Some(o), _) => {
            conn.prepare_cached(
                "UPDATE staff SET surname = ?1, given_name = ?2, department = ?3, email = ?4, active = ?5 WHERE id = ?6",
            )?
            .execute(params![s.surname, s.given_name, s.department, s.email, s.active, o.id])?;
            o.id
        }
        (None, _) => {
            conn.prepare_cached(
                "INSERT INTO staff (personnel_no, surname, given_name, department, email, active) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![s.personnel_no.as_str(), s.surname, s.given_name, s.department, s.email, s.active])?;
            conn.last_insert_rowid()
        }
    };
    index_staff(conn, id, s, old.is_some())?;
    audit::append(
        conn,
        ctx,
        Change {
            action: if old.is_none() {
                "staff.add"
            } else {
                "staff.update"
            },
            subject: format!("staff:{}", s.personnel_no),
            serial: None,
            before: old.as_ref().map(|o| json!(o.data)),
            after: Some(json!(s)),
            reason,
        },
    )?;
    Ok(if old.is_none() {
        Outcome::Added
    } else {
        Outcome::Changed
    })
}

const NB_COLS: &str = "n.id, n.asset_tag, n.hostname, n.model, n.serial_no, s.personnel_no";

pub(crate) fn get_notebook_conn(conn: &Connection, tag: &AssetTag) -> Result<Option<Notebook>> {
    let t: Option<(i64, String, String, String, String, Option<String>)> = conn
        .prepare_cached(&format!(
            "SELECT {NB_COLS} FROM notebooks n LEFT JOIN staff s ON s.id = n.staff_id WHERE n.asset_tag = ?1"
        ))?
        .query_row([tag.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
        .optional()?;
    let Some(t) = t else { return Ok(None) };
    let corrupt = |e: StoreError| StoreError::Corrupt(e.to_string());
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
        },
    }))
}

/// Insert or update one notebook inside a transaction, with its audit event.
pub(crate) fn put_notebook(
    conn: &Connection,
    ctx: &Ctx,
    n: &NewNotebook,
    reason: &str,
    mode: Put,
) -> Result<Outcome> {
    let old = get_notebook_conn(conn, &n.asset_tag)?;
    let staff = n.staff.as_ref().map(|p| staff_id(conn, p)).transpose()?;
    let id = match (&old, mode) {
        (Some(_), Put::Create) => {
            return Err(StoreError::DuplicateNotebook(n.asset_tag.to_string()))
        }
        (None, Put::Update) => return Err(StoreError::UnknownNotebook(n.asset_tag.to_string())),
        (Some(o), _) if o.data == *n => return Ok(Outcome::Unchanged),
        (Some(o), _) => {
            conn.prepare_cached(
                "UPDATE notebooks SET hostname = ?1, model = ?2, serial_no = ?3, staff_id = ?4 WHERE id = ?5",
            )?
            .execute(params![n.hostname, n.model, n.serial_no, staff, o.id])?;
            o.id
        }
        (None, _) => {
            conn.prepare_cached(
                "INSERT INTO notebooks (asset_tag, hostname, model, serial_no, staff_id) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![n.asset_tag.as_str(), n.hostname, n.model, n.serial_no, staff])?;
            conn.last_insert_rowid()
        }
    };
    let label = if n.model.is_empty() {
        format!("{} {}", n.asset_tag, n.hostname)
    } else {
        format!("{} {} ({})", n.asset_tag, n.hostname, n.model)
    };
    if old.is_some() {
        search::unindex(conn, HitKind::Notebook, id)?;
    }
    let terms = [n.asset_tag.as_str(), &n.hostname];
    search::index_new(conn, HitKind::Notebook, id, label.trim_end(), &terms)?;
    audit::append(
        conn,
        ctx,
        Change {
            action: if old.is_none() {
                "notebook.add"
            } else {
                "notebook.update"
            },
            subject: format!("notebook:{}", n.asset_tag),
            serial: None,
            before: old.as_ref().map(|o| json!(o.data)),
            after: Some(json!(n)),
            reason,
        },
    )?;
    Ok(if old.is_none() {
        Outcome::Added
    } else {
        Outcome::Changed
    })
}

impl Store {
    /// Add a staff member.
    pub fn add_staff(&mut self, ctx: &Ctx, staff: &NewStaff, reason: &str) -> Result<Staff> {
        let tx = self.write_tx()?;
        put_staff(&tx, ctx, staff, reason, Put::Create)?;
        search::sync_fts(&tx)?;
        let s = get_staff_conn(&tx, &staff.personnel_no)?
            .ok_or_else(|| StoreError::UnknownStaff(staff.personnel_no.to_string()))?;
        tx.commit()?;
        Ok(s)
    }

    /// Replace a staff member's data (looked up by personnel number).
    /// Returns `false` (and writes nothing) when nothing changed.
    pub fn update_staff(&mut self, ctx: &Ctx, staff: &NewStaff, reason: &str) -> Result<bool> {
        let tx = self.write_tx()?;
        let changed = put_staff(&tx, ctx, staff, reason, Put::Update)? != Outcome::Unchanged;
        search::sync_fts(&tx)?;
        tx.commit()?;
        Ok(changed)
    }

    /// A staff member by personnel number.
    pub fn get_staff(&self, no: &PersonnelNo) -> Result<Option<Staff>> {
        get_staff_conn(&self.conn, no)
    }

    /// A staff member by row id (as in search hits).
    pub fn get_staff_by_id(&self, id: i64) -> Result<Option<Staff>> {
        let t = self
            .conn
            .prepare_cached(&format!("SELECT {STAFF_COLS} FROM staff WHERE id = ?1"))?
            .query_row([id], staff_from_row)
            .optional()?;
        t.map(to_staff).transpose()
    }

    /// Add a notebook.
    pub fn add_notebook(&mut self, ctx: &Ctx, nb: &NewNotebook, reason: &str) -> Result<Notebook> {
        let tx = self.write_tx()?;
        put_notebook(&tx, ctx, nb, reason, Put::Create)?;
        search::sync_fts(&tx)?;
        let n = get_notebook_conn(&tx, &nb.asset_tag)?
            .ok_or_else(|| StoreError::UnknownNotebook(nb.asset_tag.to_string()))?;
        tx.commit()?;
        Ok(n)
    }

    /// Replace a notebook's data (looked up by asset tag).
    pub fn update_notebook(&mut self, ctx: &Ctx, nb: &NewNotebook, reason: &str) -> Result<bool> {
        let tx = self.write_tx()?;
        let changed = put_notebook(&tx, ctx, nb, reason, Put::Update)? != Outcome::Unchanged;
        search::sync_fts(&tx)?;
        tx.commit()?;
        Ok(changed)
    }

    /// A notebook by asset tag.
    pub fn get_notebook(&self, tag: &AssetTag) -> Result<Option<Notebook>> {
        get_notebook_conn(&self.conn, tag)
    }

    /// A notebook by row id (as in search hits).
    pub fn get_notebook_by_id(&self, id: i64) -> Result<Option<Notebook>> {
        let tag: Option<String> = self
            .conn
            .prepare_cached("SELECT asset_tag FROM notebooks WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        match tag {
            Some(t) => self.get_notebook(
                &AssetTag::parse(&t).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            ),
            None => Ok(None),
        }
    }
}

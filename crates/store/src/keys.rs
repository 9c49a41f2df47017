//! Keys: stock, enrolment facts, notes, temporary loans and lookups with history.

use keydesk_types::ParseError;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::json;
use time::Date;

use crate::audit::{self, Change, RawEvent};
use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::inventory::{Outcome, Put};
use crate::model::{
    format_date, parse_date, parse_slot_column, slot_column, AssetTag, Assignment, Ctx, Enrolment,
    Event, Key, KeyHistory, KeyState, NewKey, PersonnelNo, Serial,
};
use crate::search::{self, HitKind};

const KEY_COLS: &str =
    "serial, model, form_factor, firmware, batch, aaguid, state, state_since, notes";

fn serial_of(n: i64) -> Result<Serial> {
    u32::try_from(n)
        .ok()
        .and_then(|n| Serial::new(n).ok())
        .ok_or_else(|| StoreError::Corrupt(format!("serial {n}")))
}

fn key_from_row(r: &Row<'_>) -> rusqlite::Result<(i64, [String; 5], String, String, String)> {
    Ok((
        r.get(0)?,
        [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?],
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
    ))
}

fn to_key(t: (i64, [String; 5], String, String, String)) -> Result<Key> {
    let [model, form_factor, firmware, batch, aaguid] = t.1;
    Ok(Key {
        data: NewKey {
            serial: serial_of(t.0)?,
            model,
            form_factor,
            firmware,
            batch,
        },
        aaguid,
        state: t
            .2
            .parse()
            .map_err(|e: ParseError| StoreError::Corrupt(e.to_string()))?,
        state_since: t.3,
        notes: t.4,
    })
}

pub(crate) fn get_key_conn(conn: &Connection, serial: Serial) -> Result<Option<Key>> {
    let t = conn
        .prepare_cached(&format!("SELECT {KEY_COLS} FROM keys WHERE serial = ?1"))?
        .query_row([serial.get()], key_from_row)
        .optional()?;
    t.map(to_key).transpose()
}

fn key_label(k: &NewKey) -> String {
    if k.model.is_empty() {
        k.serial.to_string()
    } else {
        format!("{} {}", k.serial, k.model)
    }
}

/// Add a key to stock, or update its supplier data
/// (model, form factor, firmware, batch; never the state). Audited.
pub(crate) fn put_key(
    conn: &Connection,
    ctx: &Ctx,
    k: &NewKey,
    reason: &str,
    mode: Put,
) -> Result<Outcome> {
    let old = get_key_conn(conn, k.serial)?;
    let create = old.is_none();
    match (&old, mode) {
        (Some(_), Put::Create) => return Err(StoreError::DuplicateKey(k.serial)),
        (None, Put::Update) => return Err(StoreError::UnknownKey(k.serial)),
        (Some(o), _) if o.data == *k => return Ok(Outcome::Unchanged),
        (Some(_), _) => {
            conn.prepare_cached("UPDATE keys SET model = ?1, form_factor = ?2, firmware = ?3, batch = ?4 WHERE serial = ?5")?
                .execute(params![k.model, k.form_factor, k.firmware, k.batch, k.serial.get()])?;
        }
        (None, _) => {
            conn.prepare_cached(
                "INSERT INTO keys (serial, model, form_factor, firmware, batch, state, state_since)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'in_stock', ?6)",
            )?
            .execute(params![
                k.serial.get(),
                k.model,
                k.form_factor,
                k.firmware,
                k.batch,
                ctx.ts()
            ])?;
        }
    }
    let serial = k.serial.to_string();
    let id = i64::from(k.serial.get());
    if !create {
        search::unindex(conn, HitKind::Key, id)?;
    }
    let label = key_label(k);
    search::index_new(conn, HitKind::Key, id, &label, &[&serial])?;
    search::index_suffixes(conn, id, &label, &serial)?;
    audit::append(
        conn,
        ctx,
        Change {
            action: if create { "key.add" } else { "key.update" },
            subject: format!("key:{serial}"),
            serial: Some(k.serial),
            before: old.map(|o| json!(o.data)),
            after: Some(if create {
                json!({ "key": k, "state": KeyState::InStock })
            } else {
                json!(k)
            }),
            reason,
        },
    )?;
    Ok(if create {
        Outcome::Added
    } else {
        Outcome::Changed
    })
}

const ASSIGN_SELECT: &str = "SELECT a.id, a.serial, s.personnel_no, s.surname, s.given_name, n.asset_tag,
        a.from_ts, a.until_ts, a.due_date
    FROM assignments a JOIN staff s ON s.id = a.staff_id LEFT JOIN notebooks n ON n.id = a.notebook_id";

fn assignments(
    conn: &Connection,
    filter: &str,
    param: &dyn rusqlite::ToSql,
) -> Result<Vec<Assignment>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{ASSIGN_SELECT} WHERE {filter} ORDER BY a.from_ts, a.id"
    ))?;
    let rows = stmt.query_map([param], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, Option<String>>(7)?,
            r.get::<_, Option<String>>(8)?,
        ))
    })?;
    let corrupt = |e: ParseError| StoreError::Corrupt(e.to_string());
    let mut out = Vec::new();
    for row in rows {
        let (id, serial, pno, surname, given, tag, from, until, due) = row?;
        let holder = if given.is_empty() {
            surname
        } else {
            format!("{surname}, {given}")
        };
        out.push(Assignment {
            id,
            serial: serial_of(serial)?,
            personnel_no: PersonnelNo::parse(&pno).map_err(corrupt)?,
            holder,
            asset_tag: tag
                .as_deref()
                .map(AssetTag::parse)
                .transpose()
                .map_err(corrupt)?,
            from,
            until,
            due: due
                .as_deref()
                .map(parse_date)
                .transpose()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        });
    }
    Ok(out)
}

impl Store {
    /// Add a key to stock. Only the serial needs to be known.
    pub fn add_key(&mut self, ctx: &Ctx, key: &NewKey, reason: &str) -> Result<Key> {
        let tx = self.write_tx()?;
        put_key(&tx, ctx, key, reason, Put::Create)?;
        search::sync_fts(&tx)?;
        let k = get_key_conn(&tx, key.serial)?.ok_or(StoreError::UnknownKey(key.serial))?;
        tx.commit()?;
        Ok(k)
    }

    /// A key by serial.
    pub fn get_key(&self, serial: Serial) -> Result<Option<Key>> {
        get_key_conn(&self.conn, serial)
    }

    /// Keys in any of `states`, oldest state change first (the keys that have
    /// waited longest), at most `limit`. Uses the `keys_state` index.
    pub fn keys_in_states(&self, states: &[KeyState], limit: usize) -> Result<Vec<Key>> {
        let mut out = Vec::new();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {KEY_COLS} FROM keys WHERE state = ?1 ORDER BY state_since, serial LIMIT ?2"
        ))?;
        for state in states {
            let rows = stmt.query_map(params![state.as_str(), limit], key_from_row)?;
            for row in rows {
                out.push(to_key(row?)?);
            }
        }
        out.sort_by(|a, b| {
            (a.state_since.as_str(), a.data.serial).cmp(&(b.state_since.as_str(), b.data.serial))
        });
        out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(out)
    }

    /// Replace the free-text notes of a key.
    pub fn set_notes(
        &mut self,
        ctx: &Ctx,
        serial: Serial,
        notes: &str,
        reason: &str,
    ) -> Result<()> {
        let tx = self.write_tx()?;
        let old = get_key_conn(&tx, serial)?.ok_or(StoreError::UnknownKey(serial))?;
        tx.prepare_cached("UPDATE keys SET notes = ?1 WHERE serial = ?2")?
            .execute(params![notes, serial.get()])?;
        audit::append(
            &tx,
            ctx,
            Change {
                action: "key.notes",
                subject: format!("key:{serial}"),
                serial: Some(serial),
                before: Some(json!({ "notes": old.notes })),
                after: Some(json!({ "notes": notes })),
                reason,
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Record what enrolment learnt about a key (firmware, AAGUID,
    /// attestation, certificate). Updates the key's firmware/AAGUID.
    pub fn record_enrolment(
        &mut self,
        ctx: &Ctx,
        serial: Serial,
        e: &Enrolment,
        reason: &str,
    ) -> Result<i64> {
        let tx = self.write_tx()?;
        let old = get_key_conn(&tx, serial)?.ok_or(StoreError::UnknownKey(serial))?;
        let attestation = if e.attestation_json.trim().is_empty() {
            "{}"
        } else {
            e.attestation_json.as_str()
        };
        serde_json::from_str::<serde_json::Value>(attestation)
            .map_err(|err| StoreError::Invalid(format!("attestation facts are not JSON: {err}")))?;
        tx.prepare_cached(
            "INSERT INTO enrolments (serial, at, firmware, aaguid, slot, pubkey_sha256, attestation_json, certificate_pem, certificate_der)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            serial.get(), ctx.ts(), e.firmware, e.aaguid, slot_column(e.slot), e.pubkey_sha256, attestation, e.certificate_pem,
            e.certificate_der
        ])?;
        let id = tx.last_insert_rowid();
        let firmware = if e.firmware.is_empty() {
            &old.data.firmware
        } else {
            &e.firmware
        };
        let aaguid = if e.aaguid.is_empty() {
            &old.aaguid
        } else {
            &e.aaguid
        };
        tx.prepare_cached("UPDATE keys SET firmware = ?1, aaguid = ?2 WHERE serial = ?3")?
            .execute(params![firmware, aaguid, serial.get()])?;
        audit::append(
            &tx,
            ctx,
            Change {
                action: "key.enrol",
                subject: format!("key:{serial}"),
                serial: Some(serial),
                before: Some(json!({ "firmware": old.data.firmware, "aaguid": old.aaguid })),
                after: Some(json!({
                    "enrolment": id, "firmware": firmware, "aaguid": aaguid, "slot": slot_column(e.slot),
                    "pubkey_sha256": e.pubkey_sha256, "certificate": e.certificate_pem.is_some() || e.certificate_der.is_some(),
                })),
                reason,
            },
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Enrolment records of a key, oldest first.
    pub fn enrolments(&self, serial: Serial) -> Result<Vec<Enrolment>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT firmware, aaguid, slot, pubkey_sha256, attestation_json, certificate_pem, certificate_der
             FROM enrolments WHERE serial = ?1 ORDER BY at, id",
        )?;
        let rows = stmt.query_map([serial.get()], |r| {
            Ok((
                r.get::<_, String>(2)?,
                Enrolment {
                    firmware: r.get(0)?,
                    aaguid: r.get(1)?,
                    slot: None,
                    pubkey_sha256: r.get(3)?,
                    attestation_json: r.get(4)?,
                    certificate_pem: r.get(5)?,
                    certificate_der: r.get(6)?,
                },
            ))
        })?;
        rows.map(|row| {
            let (slot, e) = row?;
            Ok(Enrolment {
                slot: parse_slot_column(&slot)?,
                ..e
            })
        })
        .collect()
    }

    /// The current assignment of a key, if it has a holder.
    pub fn current_assignment(&self, serial: Serial) -> Result<Option<Assignment>> {
        Ok(assignments(
            &self.conn,
            "a.serial = ?1 AND a.until_ts IS NULL",
            &serial.get(),
        )?
        .pop())
    }

    /// Everything about one key: data, assignments, enrolments, events.
    pub fn key_history(&self, serial: Serial) -> Result<KeyHistory> {
        let key = self
            .get_key(serial)?
            .ok_or(StoreError::UnknownKey(serial))?;
        Ok(KeyHistory {
            key,
            assignments: assignments(&self.conn, "a.serial = ?1", &serial.get())?,
            enrolments: self.enrolments(serial)?,
            events: self.events_for_key(serial)?,
        })
    }

    /// Audit events about one key, oldest first.
    pub fn events_for_key(&self, serial: Serial) -> Result<Vec<Event>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {} FROM events WHERE serial = ?1 ORDER BY id",
            RawEvent::COLUMNS
        ))?;
        let rows = stmt.query_map([serial.get()], RawEvent::from_row)?;
        rows.map(|r| r.map_err(StoreError::from).and_then(RawEvent::into_event))
            .collect()
    }

    /// All keys a staff member ever held (current ones have `until == None`).
    pub fn assignments_of_staff(&self, no: &PersonnelNo) -> Result<Vec<Assignment>> {
        assignments(&self.conn, "s.personnel_no = ?1", &no.as_str())
    }

    /// All keys ever used with a notebook.
    pub fn assignments_of_notebook(&self, tag: &AssetTag) -> Result<Vec<Assignment>> {
        assignments(&self.conn, "n.asset_tag = ?1", &tag.as_str())
    }

    /// Temporary loans still open whose last day is before `today`.
    pub fn expired_loans(&self, today: Date) -> Result<Vec<Assignment>> {
        assignments(
            &self.conn,
            "a.until_ts IS NULL AND a.due_date < ?1",
            &format_date(today),
        )
    }

    /// Number of keys per state.
    pub fn count_by_state(&self) -> Result<Vec<(KeyState, u64)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT state, COUNT(*) FROM keys GROUP BY state")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (s, n) = row?;
            out.push((s.parse()?, u64::try_from(n).unwrap_or(0)));
        }
        Ok(out)
    }
}

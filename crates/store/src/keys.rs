//! Keys: stock, enrolment facts, notes, temporary loans and lookups with history.

use keydesk_types::ParseError;
use serde_json::json;
use time::Date;

use crate::audit::{self, Change, RawEvent};
use crate::db::{lock_keys, Store};
use crate::error::{Result, StoreError};
use crate::inventory::{Outcome, Put};
use crate::model::{
    format_date, parse_date, parse_slot_column, slot_column, AssetTag, Assignment, Ctx, Enrolment,
    Event, Key, KeyHistory, KeyState, NewKey, PersonnelNo, Serial,
};
use crate::search::{self, HitKind};
use crate::sites::{opt_site_id, parse_site_column};
use crate::sql::{args, Row, Tx};

fn serial_of(n: i64) -> Result<Serial> {
    u32::try_from(n)
        .ok()
        .and_then(|n| Serial::new(n).ok())
        .ok_or_else(|| StoreError::Corrupt(format!("serial {n}")))
}

type KeyTuple = (i64, [String; 5], String, String, String, Option<String>);

/// The columns `key_from_row` reads, for `SELECT {KEY_COLS} FROM keys k`.
macro_rules! key_cols {
    () => {
        "k.serial, k.model, k.form_factor, k.firmware, k.batch, k.aaguid, k.state, k.state_since, k.notes,
         (SELECT t.code FROM sites t WHERE t.id = k.site_id)"
    };
}

fn key_from_row(r: &Row<'_>) -> Result<KeyTuple> {
    Ok((
        r.get(0)?,
        [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?],
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
    ))
}

fn to_key(t: KeyTuple) -> Result<Key> {
    let [model, form_factor, firmware, batch, aaguid] = t.1;
    Ok(Key {
        data: NewKey {
            serial: serial_of(t.0)?,
            model,
            form_factor,
            firmware,
            batch,
            site: parse_site_column(t.5)?,
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

pub(crate) fn get_key_conn(tx: &mut Tx<'_>, serial: Serial) -> Result<Option<Key>> {
    let t = tx.opt(
        concat!("SELECT ", key_cols!(), " FROM keys k WHERE k.serial = ?1"),
        args![serial],
        key_from_row,
    )?;
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
    conn: &mut Tx<'_>,
    ctx: &Ctx,
    k: &NewKey,
    reason: &str,
    mode: Put,
) -> Result<Outcome> {
    let old = get_key_conn(conn, k.serial)?;
    let create = old.is_none();
    let site = opt_site_id(conn, k.site.as_ref())?;
    match (&old, mode) {
        (Some(_), Put::Create) => return Err(StoreError::DuplicateKey(k.serial)),
        (None, Put::Update) => return Err(StoreError::UnknownKey(k.serial)),
        (Some(o), _) if o.data == *k => return Ok(Outcome::Unchanged),
        (Some(_), _) => {
            conn.exec(
                "UPDATE keys SET model = ?1, form_factor = ?2, firmware = ?3, batch = ?4, site_id = ?5 WHERE serial = ?6",
                args![k.model, k.form_factor, k.firmware, k.batch, site, k.serial],
            )?;
        }
        (None, _) => {
            conn.exec(
                "INSERT INTO keys (serial, model, form_factor, firmware, batch, state, state_since, site_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'in_stock', ?6, ?7)",
                args![
                    k.serial,
                    k.model,
                    k.form_factor,
                    k.firmware,
                    k.batch,
                    ctx.ts(),
                    site
                ],
            )?;
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

/// The assignments selected by `filter` (a condition on `?1`).
#[derive(Clone, Copy)]
enum AssignedBy<'a> {
    OpenOfKey(Serial),
    Key(Serial),
    Staff(&'a str),
    Notebook(&'a str),
    DueBefore(&'a str),
}

fn assignments(tx: &mut Tx<'_>, by: AssignedBy<'_>) -> Result<Vec<Assignment>> {
    macro_rules! select {
        ($filter:literal) => {
            concat!(
                "SELECT a.id, a.serial, s.personnel_no, s.surname, s.given_name, n.asset_tag,
                    a.from_ts, a.until_ts, a.due_date
                FROM assignments a JOIN staff s ON s.id = a.staff_id LEFT JOIN notebooks n ON n.id = a.notebook_id
                WHERE ",
                $filter,
                " ORDER BY a.from_ts, a.id"
            )
        };
    }
    let read = |r: &Row<'_>| {
        Ok((
            r.get::<i64>(0)?,
            r.get::<i64>(1)?,
            r.get::<String>(2)?,
            r.get::<String>(3)?,
            r.get::<String>(4)?,
            r.get::<Option<String>>(5)?,
            r.get::<String>(6)?,
            r.get::<Option<String>>(7)?,
            r.get::<Option<String>>(8)?,
        ))
    };
    let rows = match by {
        AssignedBy::OpenOfKey(k) => tx.all(
            select!("a.serial = ?1 AND a.until_ts IS NULL"),
            args![k],
            read,
        )?,
        AssignedBy::Key(k) => tx.all(select!("a.serial = ?1"), args![k], read)?,
        AssignedBy::Staff(p) => tx.all(select!("s.personnel_no = ?1"), args![p], read)?,
        AssignedBy::Notebook(t) => tx.all(select!("n.asset_tag = ?1"), args![t], read)?,
        AssignedBy::DueBefore(d) => tx.all(
            select!("a.until_ts IS NULL AND a.due_date < ?1"),
            args![d],
            read,
        )?,
    };
    let corrupt = |e: ParseError| StoreError::Corrupt(e.to_string());
    let mut out = Vec::new();
    for (id, serial, pno, surname, given, tag, from, until, due) in rows {
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
        self.write(|tx| {
            put_key(tx, ctx, key, reason, Put::Create)?;
            search::sync_fts(tx)?;
            get_key_conn(tx, key.serial)?.ok_or(StoreError::UnknownKey(key.serial))
        })
    }

    /// A key by serial.
    pub fn get_key(&self, serial: Serial) -> Result<Option<Key>> {
        self.read(|tx| get_key_conn(tx, serial))
    }

    /// Keys in any of `states`, oldest state change first (the keys that have
    /// waited longest), at most `limit`. Uses the `keys_state` index.
    pub fn keys_in_states(&self, states: &[KeyState], limit: usize) -> Result<Vec<Key>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut out = self.read(|tx| {
            let mut out = Vec::new();
            for state in states {
                for t in tx.all(
                    concat!(
                        "SELECT ",
                        key_cols!(),
                        " FROM keys k WHERE k.state = ?1 ORDER BY k.state_since, k.serial LIMIT ?2"
                    ),
                    args![state.as_str(), limit],
                    key_from_row,
                )? {
                    out.push(to_key(t)?);
                }
            }
            Ok(out)
        })?;
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
        self.write_rows(|tx| {
            lock_keys(tx, &[serial])?;
            let old = get_key_conn(tx, serial)?.ok_or(StoreError::UnknownKey(serial))?;
            tx.exec(
                "UPDATE keys SET notes = ?1 WHERE serial = ?2",
                args![notes, serial],
            )?;
            audit::append(
                tx,
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
            Ok(())
        })
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
        let attestation = if e.attestation_json.trim().is_empty() {
            "{}"
        } else {
            e.attestation_json.as_str()
        };
        serde_json::from_str::<serde_json::Value>(attestation)
            .map_err(|err| StoreError::Invalid(format!("attestation facts are not JSON: {err}")))?;
        self.write_rows(|tx| {
            lock_keys(tx, &[serial])?;
            let old = get_key_conn(tx, serial)?.ok_or(StoreError::UnknownKey(serial))?;
            let id = tx.insert(
                "INSERT INTO enrolments (serial, at, firmware, aaguid, slot, pubkey_sha256, attestation_json, certificate_pem, certificate_der)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
                args![
                    serial, ctx.ts(), e.firmware, e.aaguid, slot_column(e.slot), e.pubkey_sha256,
                    attestation, e.certificate_pem, e.certificate_der
                ],
            )?;
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
            tx.exec(
                "UPDATE keys SET firmware = ?1, aaguid = ?2 WHERE serial = ?3",
                args![firmware, aaguid, serial],
            )?;
            audit::append(
                tx,
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
            Ok(id)
        })
    }

    /// Enrolment records of a key, oldest first.
    pub fn enrolments(&self, serial: Serial) -> Result<Vec<Enrolment>> {
        self.read(|tx| enrolments(tx, serial))
    }

    /// The current assignment of a key, if it has a holder.
    pub fn current_assignment(&self, serial: Serial) -> Result<Option<Assignment>> {
        Ok(self
            .read(|tx| assignments(tx, AssignedBy::OpenOfKey(serial)))?
            .pop())
    }

    /// Everything about one key: data, assignments, enrolments, events.
    pub fn key_history(&self, serial: Serial) -> Result<KeyHistory> {
        self.read(|tx| {
            let key = get_key_conn(tx, serial)?.ok_or(StoreError::UnknownKey(serial))?;
            Ok(KeyHistory {
                key,
                assignments: assignments(tx, AssignedBy::Key(serial))?,
                enrolments: enrolments(tx, serial)?,
                events: events_for_key(tx, serial)?,
            })
        })
    }

    /// Audit events about one key, oldest first.
    pub fn events_for_key(&self, serial: Serial) -> Result<Vec<Event>> {
        self.read(|tx| events_for_key(tx, serial))
    }

    /// All keys a staff member ever held (current ones have `until == None`).
    pub fn assignments_of_staff(&self, no: &PersonnelNo) -> Result<Vec<Assignment>> {
        self.read(|tx| assignments(tx, AssignedBy::Staff(no.as_str())))
    }

    /// All keys ever used with a notebook.
    pub fn assignments_of_notebook(&self, tag: &AssetTag) -> Result<Vec<Assignment>> {
        self.read(|tx| assignments(tx, AssignedBy::Notebook(tag.as_str())))
    }

    /// Temporary loans still open whose last day is before `today`.
    pub fn expired_loans(&self, today: Date) -> Result<Vec<Assignment>> {
        let today = format_date(today);
        self.read(|tx| assignments(tx, AssignedBy::DueBefore(&today)))
    }

    /// Number of keys per state.
    pub fn count_by_state(&self) -> Result<Vec<(KeyState, u64)>> {
        let rows = self.read(|tx| {
            tx.all(
                "SELECT state, COUNT(*) FROM keys GROUP BY state",
                &[],
                |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)?)),
            )
        })?;
        let mut out = Vec::new();
        for (s, n) in rows {
            out.push((s.parse()?, u64::try_from(n).unwrap_or(0)));
        }
        Ok(out)
    }
}

fn enrolments(tx: &mut Tx<'_>, serial: Serial) -> Result<Vec<Enrolment>> {
    let rows = tx.all(
        "SELECT firmware, aaguid, slot, pubkey_sha256, attestation_json, certificate_pem, certificate_der
         FROM enrolments WHERE serial = ?1 ORDER BY at, id",
        args![serial],
        |r| {
            Ok((
                r.get::<String>(2)?,
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
        },
    )?;
    rows.into_iter()
        .map(|(slot, e)| {
            Ok(Enrolment {
                slot: parse_slot_column(&slot)?,
                ..e
            })
        })
        .collect()
}

fn events_for_key(tx: &mut Tx<'_>, serial: Serial) -> Result<Vec<Event>> {
    tx.all(
        "SELECT id, at, actor, workstation, action, subject, serial, before_json, after_json, reason, prev_hash, hash, site
         FROM events WHERE serial = ?1 ORDER BY id",
        args![serial],
        RawEvent::from_row,
    )?
    .into_iter()
    .map(RawEvent::into_event)
    .collect()
}

//! The key lifecycle: the one place where state changes are checked,
//! against the transition table of [`KeyState`] (see its docs, in
//! keydesk-types). Issuing from stock goes only through [`Store::issue`]
//! (it needs a holder). revoked, returned and retired end the current
//! assignment; suspended and lost keep it (the holder is still responsible
//! for the key).

use serde_json::json;
use time::Date;

use crate::audit::{self, Change};
use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::model::{format_date, AssetTag, Ctx, KeyState, PersonnelNo, Serial};
use crate::sql::{args, Engine, Tx};

/// Check one transition; the error names the current state.
pub fn check(serial: Serial, current: KeyState, wanted: KeyState) -> Result<()> {
    if current.can_become(wanted) {
        Ok(())
    } else {
        Err(StoreError::IllegalTransition {
            serial,
            current,
            wanted,
        })
    }
}

impl Store {
    /// The state of a key this counter may change: on PostgreSQL its row
    /// locked until the write transaction ends, so the check made on it
    /// holds at commit, and refused with [`StoreError::KeyClaimed`] while
    /// another counter has claimed it (one round trip for both: the claim
    /// is probed as in `claims::probe`, the lock tried and, when free,
    /// given back at once).
    pub(crate) fn key_state_tx(conn: &mut Tx<'_>, serial: Serial) -> Result<KeyState> {
        let (state, free): (Option<String>, bool) = match conn.engine() {
            Engine::Sqlite => (
                conn.opt("SELECT state FROM keys WHERE serial = ?1", args![serial], |r| {
                    r.get(0)
                })?,
                true,
            ),
            Engine::Postgres => conn
                .opt(
                    "SELECT state, CASE WHEN pg_try_advisory_lock(?2) THEN pg_advisory_unlock(?2) ELSE false END
                     FROM keys WHERE serial = ?1 FOR NO KEY UPDATE",
                    args![serial, crate::claims::lock_key(serial)],
                    |r| Ok((Some(r.get(0)?), r.get(1)?)),
                )?
                .unwrap_or((None, true)),
        };
        let state: KeyState = state.ok_or(StoreError::UnknownKey(serial))?.parse()?;
        if !free {
            let holder = crate::claims::holder(conn, serial)?;
            return Err(StoreError::claimed(serial, holder));
        }
        Ok(state)
    }

    /// Move a key to `to` (every move except issuing from stock, see
    /// [`Store::issue`]). Writes the audit event in the same transaction.
    pub fn transition(
        &mut self,
        ctx: &Ctx,
        serial: Serial,
        to: KeyState,
        reason: &str,
    ) -> Result<()> {
        self.write_rows(|tx| Self::transition_tx(tx, ctx, serial, to, reason))
    }

    fn transition_tx(
        tx: &mut Tx<'_>,
        ctx: &Ctx,
        serial: Serial,
        to: KeyState,
        reason: &str,
    ) -> Result<()> {
        let from = Self::key_state_tx(tx, serial)?;
        check(serial, from, to)?;
        if from == KeyState::InStock && to == KeyState::Issued {
            return Err(StoreError::Invalid(format!(
                "key {serial} is in stock; issue it to a staff member (with holder and notebook) instead"
            )));
        }
        let now = ctx.ts();
        tx.exec(
            "UPDATE keys SET state = ?1, state_since = ?2 WHERE serial = ?3",
            args![to.as_str(), now, serial],
        )?;
        let mut after = json!({ "state": to });
        if from.has_holder() && !to.has_holder() {
            let closed = tx.exec(
                "UPDATE assignments SET until_ts = ?1 WHERE serial = ?2 AND until_ts IS NULL",
                args![now, serial],
            )?;
            after["assignment_closed"] = json!(closed > 0);
        }
        audit::append(
            tx,
            ctx,
            Change {
                action: "key.transition",
                subject: format!("key:{serial}"),
                serial: Some(serial),
                before: Some(json!({ "state": from })),
                after: Some(after),
                reason,
            },
        )?;
        Ok(())
    }

    /// Issue a key from stock to a staff member, optionally for a notebook,
    /// optionally as a temporary loan until `due` (last day).
    pub fn issue(
        &mut self,
        ctx: &Ctx,
        serial: Serial,
        holder: &PersonnelNo,
        notebook: Option<&AssetTag>,
        due: Option<Date>,
        reason: &str,
    ) -> Result<()> {
        self.write_rows(|tx| Self::issue_tx(tx, ctx, serial, holder, notebook, due, reason))
    }

    fn issue_tx(
        tx: &mut Tx<'_>,
        ctx: &Ctx,
        serial: Serial,
        holder: &PersonnelNo,
        notebook: Option<&AssetTag>,
        due: Option<Date>,
        reason: &str,
    ) -> Result<()> {
        let from = Self::key_state_tx(tx, serial)?;
        if from != KeyState::InStock {
            return Err(StoreError::IllegalTransition {
                serial,
                current: from,
                wanted: KeyState::Issued,
            });
        }
        let staff_id = crate::inventory::staff_id(tx, holder)?;
        let notebook_id = match notebook {
            Some(tag) => Some(crate::inventory::notebook_id(tx, tag)?),
            None => None,
        };
        let now = ctx.ts();
        let due_s = due.map(format_date);
        tx.exec(
            "INSERT INTO assignments (serial, staff_id, notebook_id, from_ts, due_date) VALUES (?1, ?2, ?3, ?4, ?5)",
            args![serial, staff_id, notebook_id, now, due_s],
        )?;
        tx.exec(
            "UPDATE keys SET state = 'issued', state_since = ?1 WHERE serial = ?2",
            args![now, serial],
        )?;
        audit::append(
            tx,
            ctx,
            Change {
                action: "key.issue",
                subject: format!("key:{serial}"),
                serial: Some(serial),
                before: Some(json!({ "state": from })),
                after: Some(json!({
                    "state": KeyState::Issued,
                    "holder": holder,
                    "notebook": notebook,
                    "due": due_s,
                })),
                reason,
            },
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_documentation() {
        use KeyState::*;
        let legal: &[(KeyState, KeyState)] = &[
            (InStock, Issued),
            (InStock, Retired),
            (Issued, Suspended),
            (Issued, Lost),
            (Issued, Revoked),
            (Issued, Returned),
            (Suspended, Issued),
            (Suspended, Lost),
            (Suspended, Revoked),
            (Suspended, Returned),
            (Lost, Revoked),
            (Lost, Returned),
            (Revoked, Reset),
            (Revoked, Retired),
            (Returned, Reset),
            (Returned, Retired),
            (Reset, InStock),
            (Reset, Retired),
        ];
        let s = Serial::new(1).unwrap();
        for a in KeyState::ALL {
            for b in KeyState::ALL {
                let want = legal.contains(&(a, b));
                assert_eq!(a.can_become(b), want, "{a} -> {b}");
                match check(s, a, b) {
                    Ok(()) => assert!(want),
                    Err(StoreError::IllegalTransition {
                        current, wanted, ..
                    }) => {
                        assert!(!want);
                        assert_eq!((current, wanted), (a, b));
                    }
                    Err(e) => panic!("unexpected {e}"),
                }
            }
        }
    }

    #[test]
    fn states_round_trip_and_message_names_current_state() {
        for k in KeyState::ALL {
            assert_eq!(k.as_str().parse::<KeyState>().unwrap(), k);
        }
        let e = check(
            Serial::new(42).unwrap(),
            KeyState::Retired,
            KeyState::InStock,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "key 42 is retired; it cannot become in_stock from there"
        );
    }
}

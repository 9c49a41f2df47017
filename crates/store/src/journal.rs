//! The journal of device operations in flight. keydesk-core writes the
//! intent before a device step and the result after it, so a crash leaves a
//! record to reconcile at the next start. Intents and results are JSON and
//! must never hold a PIN, PUK, management key or OTP secret.

use serde::Serialize;
use serde_json::json;

use crate::audit::{self, Change};
use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::model::{Ctx, Serial};
use crate::sql::{args, locking, Locking};

/// How a journalled operation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalOutcome {
    /// Finished as intended.
    Done,
    /// Failed; the result says why.
    Failed,
    /// Given up (e.g. the technician decided at reconciliation).
    Abandoned,
}

impl JournalOutcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Abandoned => "abandoned",
        }
    }
}

/// One journal entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    /// Id.
    pub id: i64,
    /// The key, if known.
    pub serial: Option<Serial>,
    /// Workflow name ("enrol", "reset"...).
    pub workflow: String,
    /// Current step.
    pub step: String,
    /// What was about to happen (JSON).
    pub intent: String,
    /// What came back from the last step (JSON), if anything.
    pub result: Option<String>,
    /// "open", "done", "failed" or "abandoned".
    pub state: String,
    /// Created (RFC 3339 UTC).
    pub created_at: String,
    /// Last written.
    pub updated_at: String,
    /// The process that runs it ("workstation:pid:start"; empty if not recorded).
    pub owner: String,
}

fn check_json(what: &str, s: &str) -> Result<()> {
    serde_json::from_str::<serde_json::Value>(s)
        .map(|_| ())
        .map_err(|e| StoreError::Invalid(format!("journal {what} is not JSON: {e}")))
}

impl Store {
    /// Write the intent of a device step before doing it. Returns the entry id.
    pub fn journal_begin(
        &mut self,
        ctx: &Ctx,
        serial: Option<Serial>,
        workflow: &str,
        step: &str,
        intent_json: &str,
    ) -> Result<i64> {
        check_json("intent", intent_json)?;
        let now = ctx.ts();
        // A new row: nothing to check, nothing to lock but the audit head.
        self.write_rows(|tx| {
            let id = tx.insert(
                "INSERT INTO journal (serial, workflow, step, intent_json, state, created_at, updated_at, owner)
                 VALUES (?1, ?2, ?3, ?4, 'open', ?5, ?5, ?6) RETURNING id",
                args![serial, workflow, step, intent_json, now, ctx.owner],
            )?;
            audit::append(
                tx,
                ctx,
                Change {
                    action: "journal.begin",
                    subject: format!("journal:{id}"),
                    serial,
                    before: None,
                    after: Some(json!({ "workflow": workflow, "step": step })),
                    reason: "",
                },
            )?;
            Ok(id)
        })
    }

    /// Record the result of a step (and move to the next step name).
    /// Not audited: the outcome is, when the entry is closed.
    pub fn journal_record(
        &mut self,
        ctx: &Ctx,
        id: i64,
        step: &str,
        result_json: &str,
    ) -> Result<()> {
        check_json("result", result_json)?;
        let now = ctx.ts();
        // Not audited (the begin and close events are), but the entry's row
        // is locked so that it cannot race a close at another counter.
        self.write_rows(|tx| {
            const SQL: Locking = locking!("SELECT state FROM journal WHERE id = ?1", "FOR UPDATE");
            let sql = tx.pick(SQL);
            let state: String = tx
                .opt(sql, args![id], |r| r.get(0))?
                .ok_or(StoreError::UnknownJournal(id))?;
            if state != "open" {
                return Err(StoreError::JournalClosed(id));
            }
            tx.exec(
                "UPDATE journal SET step = ?1, result_json = ?2, updated_at = ?3 WHERE id = ?4",
                args![step, result_json, now, id],
            )?;
            Ok(())
        })
    }

    /// Close an entry with its outcome.
    pub fn journal_close(
        &mut self,
        ctx: &Ctx,
        id: i64,
        outcome: JournalOutcome,
        reason: &str,
    ) -> Result<()> {
        self.write_rows(|tx| {
            const SQL: Locking = locking!(
                "SELECT state, serial, workflow FROM journal WHERE id = ?1",
                "FOR UPDATE"
            );
            let sql = tx.pick(SQL);
            let row: Option<(String, Option<i64>, String)> =
                tx.opt(sql, args![id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            let (state, serial, workflow) = row.ok_or(StoreError::UnknownJournal(id))?;
            if state != "open" {
                return Err(StoreError::JournalClosed(id));
            }
            tx.exec(
                "UPDATE journal SET state = ?1, updated_at = ?2 WHERE id = ?3",
                args![outcome.as_str(), ctx.ts(), id],
            )?;
            let serial = serial
                .and_then(|s| u32::try_from(s).ok())
                .and_then(|s| Serial::new(s).ok());
            audit::append(
                tx,
                ctx,
                Change {
                    action: "journal.close",
                    subject: format!("journal:{id}"),
                    serial,
                    before: Some(json!({ "state": "open", "workflow": workflow })),
                    after: Some(json!({ "state": outcome })),
                    reason,
                },
            )?;
            Ok(())
        })
    }

    /// Entries still open (oldest first): what to reconcile at start.
    pub fn journal_unfinished(&self) -> Result<Vec<JournalEntry>> {
        let rows = self.read(|tx| {
            tx.all(
            "SELECT id, serial, workflow, step, intent_json, result_json, state, created_at, updated_at, owner
             FROM journal WHERE state = 'open' ORDER BY id",
            &[],
            |r| {
            Ok((
                r.get::<i64>(0)?,
                r.get::<Option<i64>>(1)?,
                JournalEntry {
                    id: r.get(0)?,
                    serial: None,
                    workflow: r.get(2)?,
                    step: r.get(3)?,
                    intent: r.get(4)?,
                    result: r.get(5)?,
                    state: r.get(6)?,
                    created_at: r.get(7)?,
                    updated_at: r.get(8)?,
                    owner: r.get(9)?,
                },
            ))
            })
        })?;
        let mut out = Vec::new();
        for (_, serial, mut e) in rows {
            e.serial = serial
                .and_then(|s| u32::try_from(s).ok())
                .and_then(|s| Serial::new(s).ok());
            out.push(e);
        }
        Ok(out)
    }
}

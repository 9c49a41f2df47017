//! Claims: the same key is never worked on at two counters at once.
//!
//! On a shared inventory (PostgreSQL) a workflow claims its key for its
//! whole duration, device phases included: a session-level advisory lock on
//! the serial, which the server releases by itself when the counter's
//! session ends (a crash, a kill, a pulled network cable), plus a `claims`
//! row saying which counter, operator and since when, for the message the
//! second counter shows. A claim is held at most once per connection (a
//! second claim of the same key by the same counter is the same claim), and
//! released by [`Store::release`].
//!
//! On SQLite (one counter) claims cost nothing and always succeed: the
//! journal's process owner tells a running operation from an interrupted
//! one there (keydesk-core's `runs_elsewhere`).

use crate::db::{Db, Store};
use crate::error::{Result, StoreError};
use crate::model::{Ctx, Serial};
use crate::sql::{args, Tx};

/// Who holds a claim on a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimHolder {
    /// The workstation of the counter working on the key.
    pub workstation: String,
    /// The operator there.
    pub operator: String,
    /// Since when (RFC 3339, UTC).
    pub since: String,
}

impl ClaimHolder {
    /// A holder whose row is gone while its lock is not (yet).
    pub(crate) fn unknown() -> Self {
        Self {
            workstation: "?".into(),
            operator: "?".into(),
            since: "?".into(),
        }
    }
}

/// The advisory lock key of a serial: keydesk's namespace in the high bits.
pub(crate) fn lock_key(serial: Serial) -> i64 {
    0x6B64_0000_0000_0000_i64 | i64::from(serial.get())
}

impl Store {
    /// Claim `serial` for this counter, or learn at once who holds it.
    ///
    /// # Errors
    /// [`StoreError::KeyClaimed`] when another live counter works on the key
    /// (nothing is changed); database errors.
    pub fn claim(&mut self, ctx: &Ctx, serial: Serial) -> Result<()> {
        match &mut self.db {
            Db::Sqlite(_) => Ok(()),
            Db::Postgres(m) => m
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .claim(ctx, serial),
        }
    }

    /// Give up this counter's claim on `serial` (nothing when it holds none).
    ///
    /// # Errors
    /// Database errors.
    pub fn release(&mut self, serial: Serial) -> Result<()> {
        match &mut self.db {
            Db::Sqlite(_) => Ok(()),
            Db::Postgres(m) => m
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .release(serial),
        }
    }

    /// Whether another live counter holds a claim on `serial`, and who.
    /// This counter's own claims are not "elsewhere".
    ///
    /// # Errors
    /// Database errors.
    pub fn claimed_elsewhere(&self, serial: Serial) -> Result<Option<ClaimHolder>> {
        match &self.db {
            Db::Sqlite(_) => Ok(None),
            Db::Postgres(m) => m
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .claimed_elsewhere(serial),
        }
    }
}

/// Who holds the claim on `serial` in another session, if anyone: the lock
/// is tried and, when free, given back at once, in one round trip (CASE
/// evaluates in order, so the unlock runs only after a successful try).
pub(crate) fn probe(tx: &mut Tx<'_>, serial: Serial) -> Result<Option<ClaimHolder>> {
    let free: bool = tx.one(
        "SELECT CASE WHEN pg_try_advisory_lock(?1) THEN pg_advisory_unlock(?1) ELSE false END",
        args![lock_key(serial)],
        |r| r.get(0),
    )?;
    if free {
        return Ok(None);
    }
    Ok(Some(
        holder(tx, serial)?.unwrap_or_else(ClaimHolder::unknown),
    ))
}

/// The `claims` row of `serial`: who said they work on it.
pub(crate) fn holder(tx: &mut Tx<'_>, serial: Serial) -> Result<Option<ClaimHolder>> {
    tx.opt(
        "SELECT workstation, actor, since FROM claims WHERE serial = ?1",
        args![serial],
        |r| {
            Ok(ClaimHolder {
                workstation: r.get(0)?,
                operator: r.get(1)?,
                since: r.get(2)?,
            })
        },
    )
}

impl StoreError {
    /// The error for a key another counter holds (`None`: the holder's row
    /// is gone, the lock not yet).
    pub(crate) fn claimed(serial: Serial, holder: Option<ClaimHolder>) -> Self {
        let h = holder.unwrap_or_else(ClaimHolder::unknown);
        Self::KeyClaimed {
            serial,
            workstation: h.workstation,
            operator: h.operator,
            since: h.since,
        }
    }
}

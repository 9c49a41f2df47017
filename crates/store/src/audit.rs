//! The append-only, hash-chained audit trail.
//!
//! Each event stores the hash of the event before it (`prev_hash`) and its own
//! hash: SHA-256 over a version tag, `prev_hash` and every column of the row
//! (id included), each length-prefixed so no two rows encode alike. A small
//! `audit_head` row, written in the same transaction, remembers the newest
//! event so that cutting events off the end is noticed too.
//!
//! Two versions of the scheme, chosen per event by its `site` column (the
//! counter's site, added with sites):
//! - `keydesk-audit-v1`: events without a site (`site` NULL, as every event
//!   written before sites). The tag, `prev_hash`, id, at, actor,
//!   workstation, action, subject, serial, before, after, reason. Events
//!   written before sites hash exactly as they did, so old chains verify.
//! - `keydesk-audit-v2`: events with a site. The same fields in the same
//!   order under the v2 tag, then the site code as one more field. The tag
//!   differs, so dropping the site of a v2 event (setting it NULL) breaks
//!   the hash instead of turning it into a valid v1 event.
//!
//! Limits, on purpose: the chain has no secret key. Someone with write access
//! to the file who knows this scheme can rewrite the whole tail consistently;
//! `verify` catches hand edits, deletions and insertions with plain SQL, not a
//! determined forger.
//!
//! Anchors close part of that gap. An [`AuditAnchor`] (`<event>:<hash>`, from
//! [`Store::audit_head`]) is written down by the auditor or filed with an
//! export, outside the file. [`Store::verify_anchored`] later checks the chain
//! *and* that this event still carries this hash, so every rewrite or
//! deletion of history up to the anchor is caught, however consistently the
//! chain was recomputed. What anchors do not do: they say nothing about
//! events after the newest anchor (a forger can still rewrite or drop those
//! consistently, so anchor often, e.g. with every export); they are only as
//! trustworthy as the place they are kept (an anchor stored in the same file,
//! or taken after the file was already forged, proves nothing); and they
//! cannot tell who changed the history or restore it: that takes a backup.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::db::Store;
use crate::error::{AnchorFault, AuditProblem, Result, StoreError};
use crate::model::{Ctx, Event, Serial, SiteCode};
use crate::sql::{args, Engine, Row, Tx};

/// `prev_hash` of the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Hex digits of an event hash (SHA-256).
const HASH_HEX_LEN: usize = 64;

/// Characters of a rejected anchor repeated in the error.
const ANCHOR_ECHO: usize = 80;

/// A point of the chain an auditor keeps outside the database: an event id
/// and the hash that event carried. Written and parsed as `<event>:<hash>`
/// (hash in lowercase hex; upper case is accepted and lowered).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AuditAnchor {
    event: i64,
    hash: String,
}

impl AuditAnchor {
    /// The anchor of an event read from the database.
    pub(crate) fn new(event: i64, hash: String) -> Self {
        Self { event, hash }
    }

    /// The id of the anchored event.
    #[must_use]
    pub fn event(&self) -> i64 {
        self.event
    }

    /// The hash the anchored event carried, lowercase hex.
    #[must_use]
    pub fn hash(&self) -> &str {
        &self.hash
    }
}

impl std::fmt::Display for AuditAnchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.event, self.hash)
    }
}

impl std::str::FromStr for AuditAnchor {
    type Err = StoreError;

    /// Parse `<event>:<hash>`; spaces around it are ignored (copied from a
    /// file or a note), anything else out of shape is a
    /// [`StoreError::BadAnchor`].
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim();
        let bad = |fault| StoreError::BadAnchor {
            input: t.chars().take(ANCHOR_ECHO).collect(),
            fault,
        };
        let (event, hash) = t
            .split_once(':')
            .ok_or_else(|| bad(AnchorFault::NoSeparator))?;
        let canonical = event.bytes().all(|b| b.is_ascii_digit()) && !event.starts_with('0');
        let event = event
            .parse::<i64>()
            .ok()
            .filter(|n| canonical && *n >= 1)
            .ok_or_else(|| bad(AnchorFault::BadEvent))?;
        if hash.len() != HASH_HEX_LEN || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad(AnchorFault::BadHash));
        }
        Ok(Self {
            event,
            hash: hash.to_ascii_lowercase(),
        })
    }
}

/// The newest event of the chain: its anchor and when it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditHead {
    /// What to write down.
    pub anchor: AuditAnchor,
    /// When the event was written (RFC 3339, UTC).
    pub at: String,
}

impl Store {
    /// A technician whom the sites limit sees only its sites' events: the
    /// chain it sees has gaps, so checking it would cry wolf. Auditors (and
    /// administrators) verify.
    fn refuse_partial_view(&self) -> Result<()> {
        match self.session_scope()? {
            Some((user, scope)) => Err(StoreError::NotPermitted {
                user,
                roles: format!("technician of {scope}"),
                detail: "checking the audit chain needs every event, and a technician sees only its sites' events; an auditor or administrator checks it".into(),
            }),
            None => Ok(()),
        }
    }

    /// Check the whole audit chain: `Ok(number of events)` or
    /// `StoreError::AuditBroken` with the first broken event.
    pub fn verify(&self) -> Result<u64> {
        self.refuse_partial_view()?;
        // One read transaction: head and events from the same snapshot,
        // even while another connection appends.
        self.read(verify)
    }

    /// The newest event as an anchor to write down, `None` while the trail
    /// is empty. This reads, it does not check: verify (best with
    /// [`Store::verify_anchored`] on this very anchor) before trusting it.
    pub fn audit_head(&self) -> Result<Option<AuditHead>> {
        self.read(|tx| {
            tx.opt(
                "SELECT id, hash, at FROM events ORDER BY id DESC LIMIT 1",
                &[],
                |r| {
                    Ok(AuditHead {
                        anchor: AuditAnchor {
                            event: r.get(0)?,
                            hash: r.get(1)?,
                        },
                        at: r.get(2)?,
                    })
                },
            )
        })
    }

    /// [`Store::verify`], and the anchored event is still in the chain with
    /// the anchored hash: `Ok(number of events)`, or
    /// `StoreError::AuditBroken` naming the first broken event, or the
    /// anchored event with [`AuditProblem::AnchorMismatch`] (history up to
    /// it rewritten) or [`AuditProblem::AnchorMissing`] (deleted).
    pub fn verify_anchored(&self, anchor: &AuditAnchor) -> Result<u64> {
        self.refuse_partial_view()?;
        let (n, found) = self.read(|tx| {
            let n = verify(tx)?;
            let found: Option<String> = tx.opt(
                "SELECT hash FROM events WHERE id = ?1",
                args![anchor.event],
                |r| r.get(0),
            )?;
            Ok((n, found))
        })?;
        let problem = match found {
            Some(found) if found == anchor.hash => return Ok(n),
            Some(found) => AuditProblem::AnchorMismatch {
                anchored: anchor.hash.clone(),
                found,
            },
            None => AuditProblem::AnchorMissing,
        };
        Err(StoreError::AuditBroken {
            id: anchor.event,
            problem,
        })
    }
}

/// One field of the hash input: `N` for none, or `S`, the length as 8
/// bytes big-endian, the UTF-8 bytes (so no two rows encode alike).
fn field(out: &mut impl HashInput, v: Option<&str>) {
    match v {
        None => out.put(b"N"),
        Some(s) => {
            out.put(b"S");
            out.put(&(s.len() as u64).to_be_bytes());
            out.put(s.as_bytes());
        }
    }
}

/// Where [`field`] writes: the hash itself, or bytes sent to the server.
trait HashInput {
    fn put(&mut self, b: &[u8]);
}

impl HashInput for Sha256 {
    fn put(&mut self, b: &[u8]) {
        self.update(b);
    }
}

impl HashInput for Vec<u8> {
    fn put(&mut self, b: &[u8]) {
        self.extend_from_slice(b);
    }
}

/// The columns of an event that the hash covers, in hash order.
#[derive(Debug, Clone)]
pub(crate) struct RawEvent {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub workstation: String,
    pub action: String,
    pub subject: String,
    pub serial: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub reason: String,
    pub prev_hash: String,
    pub hash: String,
    /// The counter's site code; `None` hashes as v1 (see the module doc).
    pub site: Option<String>,
}

impl RawEvent {
    pub(crate) fn from_row(r: &Row<'_>) -> Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            workstation: r.get(3)?,
            action: r.get(4)?,
            subject: r.get(5)?,
            serial: r.get(6)?,
            before: r.get(7)?,
            after: r.get(8)?,
            reason: r.get(9)?,
            prev_hash: r.get(10)?,
            hash: r.get(11)?,
            site: r.get(12)?,
        })
    }

    /// The hash this row should carry.
    pub(crate) fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.tag());
        field(&mut h, Some(&self.prev_hash));
        field(&mut h, Some(&self.id.to_string()));
        h.update(self.tail());
        hex::encode(h.finalize())
    }

    /// The version tag the hash starts with (see the module doc).
    fn tag(&self) -> &'static [u8] {
        if self.site.is_some() {
            b"keydesk-audit-v2\n"
        } else {
            b"keydesk-audit-v1\n"
        }
    }

    /// What the hash covers after `prev_hash` and the id, encoded: the part
    /// a writer knows before it holds the chain's head.
    fn tail(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        for v in [
            Some(self.at.as_str()),
            Some(&self.actor),
            Some(&self.workstation),
            Some(&self.action),
            Some(&self.subject),
            self.serial.map(|s| s.to_string()).as_deref(),
            self.before.as_deref(),
            self.after.as_deref(),
            Some(&self.reason),
        ] {
            field(&mut out, v);
        }
        if let Some(site) = &self.site {
            field(&mut out, Some(site));
        }
        out
    }

    pub(crate) fn into_event(self) -> Result<Event> {
        let serial = match self.serial {
            None => None,
            Some(n) => Some(
                u32::try_from(n)
                    .ok()
                    .and_then(|n| Serial::new(n).ok())
                    .ok_or_else(|| {
                        StoreError::Corrupt(format!("event {} has serial {n}", self.id))
                    })?,
            ),
        };
        Ok(Event {
            id: self.id,
            at: self.at,
            actor: self.actor,
            workstation: self.workstation,
            action: self.action,
            subject: self.subject,
            serial,
            before: self.before,
            after: self.after,
            reason: self.reason,
            site: self
                .site
                .as_deref()
                .map(SiteCode::parse)
                .transpose()
                .map_err(|e| StoreError::Corrupt(format!("event {}: {e}", self.id)))?,
        })
    }
}

/// What an audit event says; `append` adds who/when/where from the context.
#[derive(Debug)]
pub(crate) struct Change<'a> {
    pub action: &'a str,
    pub subject: String,
    pub serial: Option<Serial>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub reason: &'a str,
}

/// Append one event. Call inside the transaction that makes the change,
/// after its other row locks (see `Store::write_rows`): the chain's head is
/// locked here, so concurrent writers queue only for the append and their
/// commit. The new event's id is the head's + 1, read under that lock: one
/// chain without gaps (a writer that rolls back gives its id back with its
/// head update).
pub(crate) fn append(tx: &mut Tx<'_>, ctx: &Ctx, change: Change<'_>) -> Result<()> {
    let mut ev = RawEvent {
        id: 0,
        at: ctx.ts(),
        actor: tx.actor(&ctx.actor),
        workstation: ctx.workstation.clone(),
        action: change.action.to_owned(),
        subject: change.subject,
        serial: change.serial.map(|s| i64::from(s.get())),
        before: change.before.map(|v| v.to_string()),
        after: change.after.map(|v| v.to_string()),
        reason: change.reason.to_owned(),
        prev_hash: String::new(),
        hash: String::new(),
        site: ctx.site.as_ref().map(|c| c.as_str().to_owned()),
    };
    if tx.engine() == Engine::Postgres {
        return append_on_server(tx, ev);
    }
    let (last_id, prev_hash): (i64, String) = tx
        .opt(
            "SELECT last_id, last_hash FROM audit_head WHERE one = 1",
            &[],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
        .unwrap_or((0, GENESIS.to_owned()));
    ev.id = last_id + 1;
    ev.prev_hash = prev_hash;
    ev.hash = ev.compute_hash();
    tx.exec(
        "INSERT INTO events (id, at, actor, workstation, action, subject, serial, before_json, after_json, reason, prev_hash, hash, site)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        args![
            ev.id, ev.at, ev.actor, ev.workstation, ev.action, ev.subject, ev.serial, ev.before,
            ev.after, ev.reason, ev.prev_hash, ev.hash, ev.site
        ],
    )?;
    tx.exec(
        "UPDATE audit_head SET last_id = ?1, last_hash = ?2 WHERE one = 1",
        args![ev.id, ev.hash],
    )?;
    Ok(())
}

/// The append on PostgreSQL: one statement that locks the head, hashes
/// the event on the server (SHA-256 over the same bytes as
/// [`RawEvent::compute_hash`]: the tag, then `prev_hash` and the id, known
/// only under the lock, then the rest, encoded here), inserts it and moves
/// the head.
///
/// In a transaction that runs beside others ([`Tx::defers_appends`], see
/// `Store::write_rows`) the statement is only queued here and sent with
/// the COMMIT in one message ([`Tx::commit`]): the head's lock is then
/// held from this statement to the end of the commit inside the server,
/// never across a round trip to this client. That is what lets many
/// counters append at once. Elsewhere (serialised writes, which hold the
/// head from their start) it runs at once.
fn append_on_server(tx: &mut Tx<'_>, ev: RawEvent) -> Result<()> {
    let sql = append_statement(&ev);
    if tx.defers_appends() {
        tx.defer_append(sql, ev);
        return Ok(());
    }
    let rows = tx.simple_rows(&sql)?;
    check_appended(ev, rows.first().map_or(&[][..], Vec::as_slice))
}

/// The statement that appends `ev` on PostgreSQL, its values as literals
/// (it is sent as a simple query, so that it can travel with the COMMIT):
/// bytes hex-encoded, texts quoted by the server's own rules
/// (`escape_literal`), the serial a number.
///
/// Under READ COMMITTED, `prev` waits for the lock and returns the head as
/// the previous writer committed it; the UPDATE then works on that same
/// newest version (it re-reads a row changed since the statement began).
/// Had the two ever disagreed, the event's `prev_hash` (from `prev`) would
/// not be what the server hashed (from the row): [`check_appended`]
/// recomputes the hash and reports a difference.
pub(crate) fn append_statement(ev: &RawEvent) -> String {
    fn text(v: Option<&str>) -> String {
        v.map_or_else(
            || "NULL".to_owned(),
            postgres_protocol::escape::escape_literal,
        )
    }
    let serial = ev
        .serial
        .map_or_else(|| "NULL".to_owned(), |s| s.to_string());
    format!(
        "WITH prev AS (
             SELECT last_id, last_hash FROM audit_head WHERE one = 1 FOR UPDATE
         ), head AS (
             UPDATE audit_head h SET
                 last_id = h.last_id + 1,
                 last_hash = encode(sha256(decode('{tag}', 'hex')
                     || 'S'::bytea || int8send(octet_length(h.last_hash)::bigint)
                     || convert_to(h.last_hash, 'UTF8')
                     || 'S'::bytea || int8send(octet_length((h.last_id + 1)::text)::bigint)
                     || convert_to((h.last_id + 1)::text, 'UTF8')
                     || decode('{tail}', 'hex')), 'hex')
             FROM prev p
             WHERE h.one = 1
             RETURNING h.last_id, p.last_hash AS prev_hash, h.last_hash
         )
         INSERT INTO events (id, at, actor, workstation, action, subject, serial, before_json, after_json, reason, prev_hash, hash, site)
         SELECT last_id, {at}, {actor}, {workstation}, {action}, {subject}, {serial}::bigint, {before},
                {after}, {reason}, prev_hash, last_hash, {site}
         FROM head
         RETURNING id, prev_hash, hash",
        tag = hex::encode(ev.tag()),
        tail = hex::encode(ev.tail()),
        at = text(Some(&ev.at)),
        actor = text(Some(&ev.actor)),
        workstation = text(Some(&ev.workstation)),
        action = text(Some(&ev.action)),
        subject = text(Some(&ev.subject)),
        before = text(ev.before.as_deref()),
        after = text(ev.after.as_deref()),
        reason = text(Some(&ev.reason)),
        site = text(ev.site.as_deref()),
    )
}

/// Check what the server returned for an [`append_statement`] (its row:
/// id, prev_hash, hash) against the hash keydesk computes for the event.
pub(crate) fn check_appended(mut ev: RawEvent, row: &[Option<String>]) -> Result<()> {
    let missing = || StoreError::Corrupt("the audit chain's head row is missing".into());
    let (Some(Some(id)), Some(Some(prev_hash)), Some(Some(hash))) =
        (row.first(), row.get(1), row.get(2))
    else {
        return Err(missing());
    };
    ev.id = id
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("the server's event id {id:?} is no number")))?;
    ev.prev_hash.clone_from(prev_hash);
    ev.hash = ev.compute_hash();
    if &ev.hash != hash {
        return Err(StoreError::Corrupt(format!(
            "the server hashed event {} as {hash}, keydesk as {}",
            ev.id, ev.hash
        )));
    }
    Ok(())
}

const VERIFY_SQL: &str = "SELECT id, at, actor, workstation, action, subject, serial, before_json, after_json, reason, prev_hash, hash, site FROM events ORDER BY id";

/// Walk the whole chain. `Ok(n)` with the number of events when intact,
/// otherwise `StoreError::AuditBroken` naming the first bad event.
pub(crate) fn verify(tx: &mut Tx<'_>) -> Result<u64> {
    let head: Option<(i64, String)> = tx.opt(
        "SELECT last_id, last_hash FROM audit_head WHERE one = 1",
        &[],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let head_id = head.as_ref().map_or(0, |h| h.0);
    let (mut prev_id, mut prev_hash) = (0_i64, GENESIS.to_owned());
    let mut count = 0_u64;
    // The first bad event and what is wrong with it; a bad row whose
    // successor links to the row before it was inserted, so the verdict on
    // such a row waits for the next one (`suspect`).
    let mut verdict: Option<(i64, AuditProblem)> = None;
    let mut suspect: Option<i64> = None;
    tx.each(VERIFY_SQL, &[], |r| {
        let row = RawEvent::from_row(r)?;
        if let Some(id) = suspect {
            let problem = if row.prev_hash == prev_hash {
                AuditProblem::Inserted
            } else {
                AuditProblem::Edited
            };
            verdict = Some((id, problem));
            return Ok(false);
        }
        let link_ok = row.prev_hash == prev_hash;
        let content_ok = row.compute_hash() == row.hash;
        if row.id > head_id {
            verdict = Some((row.id, AuditProblem::Inserted));
            return Ok(false);
        }
        if !(link_ok && content_ok) {
            if row.id > prev_id + 1 {
                verdict = Some((
                    row.id,
                    AuditProblem::Deleted {
                        from: prev_id + 1,
                        to: row.id - 1,
                    },
                ));
                return Ok(false);
            }
            suspect = Some(row.id);
            return Ok(true);
        }
        prev_id = row.id;
        prev_hash = row.hash;
        count += 1;
        Ok(true)
    })?;
    if let (None, Some(id)) = (&verdict, suspect) {
        verdict = Some((id, AuditProblem::Edited));
    }
    let broken = |id: i64, problem: AuditProblem| Err(StoreError::AuditBroken { id, problem });
    if let Some((id, problem)) = verdict {
        return broken(id, problem);
    }
    if let Some((last_id, last_hash)) = head {
        if last_id != prev_id || last_hash != prev_hash {
            return broken(
                prev_id + 1,
                AuditProblem::Truncated {
                    expected_last: last_id,
                },
            );
        }
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(site: Option<&str>) -> RawEvent {
        RawEvent {
            id: 1,
            at: "2026-11-23T09:00:00Z".into(),
            actor: "tech.anna".into(),
            workstation: "counter-1".into(),
            action: "key.add".into(),
            subject: "key:100".into(),
            serial: Some(100),
            before: None,
            after: Some("{}".into()),
            reason: String::new(),
            prev_hash: GENESIS.into(),
            hash: String::new(),
            site: site.map(str::to_owned),
        }
    }

    /// The v1 scheme, written out as before sites: what old events carry.
    fn v1(e: &RawEvent) -> String {
        let mut h = Sha256::new();
        h.update(b"keydesk-audit-v1\n");
        for v in [
            Some(e.prev_hash.clone()),
            Some(e.id.to_string()),
            Some(e.at.clone()),
            Some(e.actor.clone()),
            Some(e.workstation.clone()),
            Some(e.action.clone()),
            Some(e.subject.clone()),
            e.serial.map(|s| s.to_string()),
            e.before.clone(),
            e.after.clone(),
            Some(e.reason.clone()),
        ] {
            match v {
                None => h.update(b"N"),
                Some(s) => {
                    h.update(b"S");
                    h.update((s.len() as u64).to_be_bytes());
                    h.update(s.as_bytes());
                }
            }
        }
        hex::encode(h.finalize())
    }

    #[test]
    fn events_without_a_site_hash_as_v1_and_with_one_as_v2() {
        let old = event(None);
        assert_eq!(old.compute_hash(), v1(&old), "old events verify unchanged");
        let at_site = event(Some("AMT12"));
        let v2 = at_site.compute_hash();
        assert_ne!(v2, v1(&at_site), "the site is covered");
        assert_ne!(v2, event(Some("AMT20")).compute_hash());
        // Dropping the site of a v2 event does not make a valid v1 event.
        assert_ne!(v2, old.compute_hash());
    }
}

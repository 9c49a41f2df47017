//! `keydesk audit`: verify the hash chain (against an anchor the auditor
//! wrote down, if given) and print the chain's head as an anchor to keep
//! outside the database file.

use keydesk_core::records::{AuditAnchor, AuditHead};
use keydesk_core::{CoreError, Desk};
use serde_json::{json, Value};

use super::output::Out;
use crate::i18n::Text;
use crate::tui::problem::plain;

/// `keydesk audit verify [--anchor EVENT:HASH]`: exit code 5 names the
/// first broken event, or the anchored one when history up to it was
/// rewritten or deleted; 2 for an anchor that is not one.
pub fn verify(desk: &Desk, anchor: Option<&str>, out: &Out) -> anyhow::Result<()> {
    let Some(anchor) = anchor else {
        let n = desk.verify_audit()?;
        out.done(
            json!({ "ok": true, "events": n }),
            &out.t(Text::CliAuditIntact, vec![plain(n)]),
        );
        return Ok(());
    };
    let anchor: AuditAnchor = anchor.parse().map_err(CoreError::from)?;
    let n = desk.verify_audit_anchored(&anchor)?;
    out.done(
        json!({ "ok": true, "events": n, "anchor": anchor.to_string() }),
        &out.t(
            Text::CliAuditIntactSince,
            vec![plain(n), plain(anchor.event()), plain(&anchor)],
        ),
    );
    Ok(())
}

/// `keydesk audit head`: verify the chain, then print its newest event as
/// the anchor to write down (with the date) or file with an export.
pub fn head(desk: &Desk, out: &Out) -> anyhow::Result<()> {
    let (n, head) = desk.verify_audit_head()?;
    let Some(head) = head else {
        out.done(
            json!({ "event": null, "hash": null, "at": null, "anchor": null, "events": 0 }),
            &out.t(Text::CliAuditEmpty, vec![]),
        );
        return Ok(());
    };
    let anchor = &head.anchor;
    out.done(
        json!({ "event": anchor.event(), "hash": anchor.hash(), "at": head.at, "anchor": anchor.to_string(), "events": n }),
        &out.t(
            Text::CliAuditHead,
            vec![plain(n), plain(anchor.event()), plain(&head.at), plain(anchor)],
        ),
    );
    Ok(())
}

/// The anchor to report with an export, `null` for an empty trail.
pub fn anchor_json(head: Option<&AuditHead>) -> Value {
    head.map_or(Value::Null, |h| Value::String(h.anchor.to_string()))
}

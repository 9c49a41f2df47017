//! Tampering with the audit trail by raw SQL, and `verify` noticing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

/// A store with some history, and a raw connection for tampering.
fn tamper_setup() -> (Db, Store, Raw) {
    let db = Db::new();
    let mut s = db.open();
    s.add_staff(&ctx(), &staff("4711", "Müller", "Jörg"), "hr")
        .unwrap();
    for n in 1..=5 {
        s.add_key(&ctx(), &NewKey::unknown(serial(n)), "delivery")
            .unwrap();
    }
    assert_eq!(s.verify().unwrap(), 6);
    let mut raw = db.raw();
    // The triggers stop casual edits; a tamperer drops them first.
    let err = raw
        .exec("UPDATE events SET reason = 'x' WHERE id = 3")
        .unwrap_err();
    assert!(err.contains("append-only"), "{err}");
    raw.drop_triggers();
    (db, s, raw)
}

fn broken(s: &Store) -> (i64, AuditProblem) {
    match s.verify() {
        Err(StoreError::AuditBroken { id, problem }) => (id, problem),
        other => panic!("verify should fail, got {other:?}"),
    }
}

#[test]
fn audit_verify_catches_an_edit() {
    let (_d, s, mut raw) = tamper_setup();
    raw.exec("UPDATE events SET actor = 'mallory' WHERE id = 3")
        .unwrap();
    assert_eq!(broken(&s), (3, AuditProblem::Edited));
}

#[test]
fn audit_verify_catches_a_deletion() {
    let (_d, s, mut raw) = tamper_setup();
    raw.exec("DELETE FROM events WHERE id IN (3, 4)").unwrap();
    assert_eq!(broken(&s), (5, AuditProblem::Deleted { from: 3, to: 4 }));
}

#[test]
fn audit_verify_catches_a_cut_tail() {
    let (_d, s, mut raw) = tamper_setup();
    raw.exec("DELETE FROM events WHERE id = 6").unwrap();
    assert_eq!(
        broken(&s),
        (6, AuditProblem::Truncated { expected_last: 6 })
    );
}

#[test]
fn audit_verify_catches_an_insertion() {
    let (_d, s, mut raw) = tamper_setup();
    // Appended at the end, with a plausible-looking link.
    raw.exec(
        "INSERT INTO events (id, at, actor, workstation, action, subject, reason, prev_hash, hash)
         SELECT 7, at, actor, workstation, 'key.add', 'key:9', '', hash, hash FROM events WHERE id = 6",
    )
    .unwrap();
    assert_eq!(broken(&s), (7, AuditProblem::Inserted));
}

#[test]
fn audit_verify_catches_an_insertion_in_the_middle() {
    let (_d, s, mut raw) = tamper_setup();
    // Free id 4 by moving the rest up, then slip a row into the gap.
    raw.exec(
        "UPDATE events SET id = id + 100 WHERE id >= 4;
         UPDATE events SET id = id - 99 WHERE id >= 104;
         INSERT INTO events (id, at, actor, workstation, action, subject, reason, prev_hash, hash)
         SELECT 4, at, actor, workstation, 'key.retire', 'key:1', '', hash, 'feed' FROM events WHERE id = 3;",
    )
    .unwrap();
    assert_eq!(broken(&s), (4, AuditProblem::Inserted));
}

// ---- anchors: the head written down outside the file ----

use keydesk_store::{AnchorFault, AuditAnchor};
use sha2::{Digest, Sha256};

/// The hash of one event as the forger recomputes it from the documented
/// scheme (keydesk-audit-v1: each field length-prefixed, NULL marked), from
/// the row's id, at, actor, workstation, action, subject, serial,
/// before_json, after_json and reason as text.
fn forged_hash(r: &[Option<String>], prev_hash: &str) -> String {
    fn field(h: &mut Sha256, v: Option<&str>) {
        match v {
            None => h.update(b"N"),
            Some(s) => {
                h.update(b"S");
                h.update((s.len() as u64).to_be_bytes());
                h.update(s.as_bytes());
            }
        }
    }
    let mut h = Sha256::new();
    h.update(b"keydesk-audit-v1\n");
    field(&mut h, Some(prev_hash));
    for v in r {
        field(&mut h, v.as_deref());
    }
    hex::encode(h.finalize())
}

/// Recompute every hash and link from event `from` on, and the head record,
/// as a forger with the database and this scheme would after editing history.
fn rechain_from(raw: &mut Raw, from: i64) {
    let mut prev = raw
        .rows(&format!("SELECT hash FROM events WHERE id = {}", from - 1))
        .first()
        .and_then(|r| r[0].clone())
        .unwrap_or_else(|| keydesk_store::GENESIS.to_owned());
    let rows = raw.rows(&format!(
        "SELECT CAST(id AS TEXT), at, actor, workstation, action, subject, CAST(serial AS TEXT),
                before_json, after_json, reason
         FROM events WHERE id >= {from} ORDER BY id"
    ));
    let mut last = None;
    for r in rows {
        let id: i64 = r[0].as_deref().unwrap().parse().unwrap();
        let hash = forged_hash(&r, &prev);
        raw.exec(&format!(
            "UPDATE events SET prev_hash = '{prev}', hash = '{hash}' WHERE id = {id}"
        ))
        .unwrap();
        prev = hash;
        last = Some(id);
    }
    if let Some(id) = last {
        raw.exec(&format!(
            "UPDATE audit_head SET last_id = {id}, last_hash = '{prev}'"
        ))
        .unwrap();
    }
}

fn anchor_broken(s: &Store, anchor: &AuditAnchor) -> (i64, AuditProblem) {
    match s.verify_anchored(anchor) {
        Err(StoreError::AuditBroken { id, problem }) => (id, problem),
        other => panic!("anchored verify should fail, got {other:?}"),
    }
}

/// The anchor of the newest event (id 6 in `tamper_setup`).
fn anchor_now(s: &Store) -> AuditAnchor {
    s.audit_head().unwrap().expect("events exist").anchor
}

#[test]
fn an_empty_trail_has_no_anchor_and_no_anchor_fits_it() {
    let s = fresh();
    assert_eq!(s.audit_head().unwrap(), None);
    let anchor: AuditAnchor = format!("1:{}", "a".repeat(64)).parse().unwrap();
    assert_eq!(anchor_broken(&s, &anchor), (1, AuditProblem::AnchorMissing));
}

#[test]
fn an_anchor_names_the_newest_event_and_still_verifies_after_more_events() {
    let mut s = seeded();
    let head = s.audit_head().unwrap().unwrap();
    assert_eq!(head.anchor.event(), 3);
    assert_eq!(head.at, "2026-11-23T09:00:00Z");
    let hash = head.anchor.hash();
    assert!(
        hash.len() == 64
            && hash
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()),
        "{hash}"
    );
    // What the auditor writes down reads back as the same anchor.
    let written = head.anchor.to_string();
    assert_eq!(written, format!("3:{hash}"));
    assert_eq!(written.parse::<AuditAnchor>().unwrap(), head.anchor);
    assert_eq!(s.verify_anchored(&head.anchor).unwrap(), 3);

    s.add_key(&ctx(), &NewKey::unknown(serial(101)), "delivery")
        .unwrap();
    s.transition(&ctx(), serial(100), KeyState::Retired, "broken")
        .unwrap();
    assert_eq!(s.verify_anchored(&head.anchor).unwrap(), 5);
    let newer = s.audit_head().unwrap().unwrap();
    assert_eq!(newer.anchor.event(), 5);
    assert_eq!(s.verify_anchored(&newer.anchor).unwrap(), 5);
}

#[test]
fn a_consistently_rewritten_history_passes_verify_but_not_the_anchor() {
    let (_d, s, mut raw) = tamper_setup();
    let anchor = anchor_now(&s);
    assert_eq!(anchor.event(), 6);
    raw.exec("UPDATE events SET actor = 'mallory' WHERE id = 3")
        .unwrap();
    rechain_from(&mut raw, 3);
    assert_eq!(s.verify().unwrap(), 6, "the forger knows the scheme");
    let (id, problem) = anchor_broken(&s, &anchor);
    assert_eq!(id, 6);
    let found = anchor_now(&s).hash().to_owned();
    assert_eq!(
        problem,
        AuditProblem::AnchorMismatch {
            anchored: anchor.hash().to_owned(),
            found,
        }
    );
    let message = s.verify_anchored(&anchor).unwrap_err().to_string();
    assert!(message.contains("rewritten"), "{message}");
}

#[test]
fn a_rewrite_after_the_anchor_is_beyond_what_the_anchor_covers() {
    let (_d, mut s, mut raw) = tamper_setup();
    let anchor = anchor_now(&s);
    s.add_key(&ctx(), &NewKey::unknown(serial(6)), "delivery")
        .unwrap();
    raw.exec("UPDATE events SET actor = 'mallory' WHERE id = 7")
        .unwrap();
    rechain_from(&mut raw, 7);
    // The documented limit: only history up to the anchor is pinned.
    assert_eq!(s.verify_anchored(&anchor).unwrap(), 7);
}

#[test]
fn a_deleted_tail_with_the_anchor_fails_even_when_cut_cleanly() {
    let (_d, mut s, mut raw) = tamper_setup();
    let anchor = anchor_now(&s);
    raw.exec(
        "DELETE FROM events WHERE id >= 5;
         UPDATE audit_head SET last_id = 4, last_hash = (SELECT hash FROM events WHERE id = 4);",
    )
    .unwrap();
    assert_eq!(s.verify().unwrap(), 4, "a clean cut passes the plain check");
    assert_eq!(anchor_broken(&s, &anchor), (6, AuditProblem::AnchorMissing));
    let message = s.verify_anchored(&anchor).unwrap_err().to_string();
    assert!(message.contains("deleted"), "{message}");
    // New work fills the ids again; the anchored one now holds another event.
    for n in 6..=7 {
        s.add_key(&ctx(), &NewKey::unknown(serial(n)), "delivery")
            .unwrap();
    }
    assert_eq!(s.verify().unwrap(), 6);
    assert!(matches!(
        anchor_broken(&s, &anchor),
        (6, AuditProblem::AnchorMismatch { .. })
    ));
}

#[test]
fn a_hand_edit_is_reported_as_such_under_an_anchor_too() {
    let (_d, s, mut raw) = tamper_setup();
    let anchor = anchor_now(&s);
    raw.exec("UPDATE events SET reason = 'x' WHERE id = 2")
        .unwrap();
    assert_eq!(anchor_broken(&s, &anchor), (2, AuditProblem::Edited));
}

#[test]
fn malformed_anchors_are_refused_with_what_is_wrong() {
    let hash = "0123456789abcdef".repeat(4);
    let cases: Vec<(String, AnchorFault)> = vec![
        (String::new(), AnchorFault::NoSeparator),
        (hash.clone(), AnchorFault::NoSeparator),
        ("7-".to_owned() + &hash, AnchorFault::NoSeparator),
        (format!(":{hash}"), AnchorFault::BadEvent),
        (format!("0:{hash}"), AnchorFault::BadEvent),
        (format!("07:{hash}"), AnchorFault::BadEvent),
        (format!("+7:{hash}"), AnchorFault::BadEvent),
        (format!("-7:{hash}"), AnchorFault::BadEvent),
        (format!("7 :{hash}"), AnchorFault::BadEvent),
        (format!("x:{hash}"), AnchorFault::BadEvent),
        (
            format!("99999999999999999999:{hash}"),
            AnchorFault::BadEvent,
        ),
        ("7:".to_owned(), AnchorFault::BadHash),
        (format!("7:{}", &hash[1..]), AnchorFault::BadHash),
        (format!("7:{hash}0"), AnchorFault::BadHash),
        (format!("7:{}g", &hash[1..]), AnchorFault::BadHash),
        (format!("7: {}", &hash[1..]), AnchorFault::BadHash),
        (format!("7:{hash}:8"), AnchorFault::BadHash),
        (
            format!("7:{}\n{}", &hash[..32], &hash[32..]),
            AnchorFault::BadHash,
        ),
    ];
    for (input, want) in cases {
        match input.parse::<AuditAnchor>() {
            Err(e @ StoreError::BadAnchor { fault, .. }) => {
                assert_eq!(fault, want, "{input:?}");
                let message = e.to_string();
                assert!(!message.contains('\n'), "one line: {message}");
                assert!(message.contains("keydesk audit head"), "{message}");
            }
            other => panic!("{input:?} gave {other:?}"),
        }
    }
    // A pasted essay is not repeated whole.
    match "x".repeat(500).parse::<AuditAnchor>() {
        Err(StoreError::BadAnchor { input, .. }) => assert_eq!(input.len(), 80),
        other => panic!("{other:?}"),
    }
    // Copied with spaces around, or in upper case: the same anchor.
    let anchor: AuditAnchor = format!("  7:{}\n", hash.to_uppercase()).parse().unwrap();
    assert_eq!((anchor.event(), anchor.hash()), (7, hash.as_str()));
    assert_eq!(anchor.to_string(), format!("7:{hash}"));
}

//! Tampering with the audit trail by raw SQL, and `verify` noticing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

/// A file-backed store with some history, and a raw connection for tampering.
fn tamper_setup() -> (tempfile::TempDir, Store, rusqlite::Connection) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kd.sqlite");
    let mut s = Store::open(&path).unwrap();
    s.add_staff(&ctx(), &staff("4711", "Müller", "Jörg"), "hr")
        .unwrap();
    for n in 1..=5 {
        s.add_key(&ctx(), &NewKey::unknown(serial(n)), "delivery")
            .unwrap();
    }
    assert_eq!(s.verify().unwrap(), 6);
    let raw = rusqlite::Connection::open(&path).unwrap();
    // The triggers stop casual edits; a tamperer drops them first.
    let err = raw
        .execute("UPDATE events SET reason = 'x' WHERE id = 3", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"));
    raw.execute_batch("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;")
        .unwrap();
    (dir, s, raw)
}

fn broken(s: &Store) -> (i64, AuditProblem) {
    match s.verify() {
        Err(StoreError::AuditBroken { id, problem }) => (id, problem),
        other => panic!("verify should fail, got {other:?}"),
    }
}

#[test]
fn audit_verify_catches_an_edit() {
    let (_d, s, raw) = tamper_setup();
    raw.execute("UPDATE events SET actor = 'mallory' WHERE id = 3", [])
        .unwrap();
    assert_eq!(broken(&s), (3, AuditProblem::Edited));
}

#[test]
fn audit_verify_catches_a_deletion() {
    let (_d, s, raw) = tamper_setup();
    raw.execute("DELETE FROM events WHERE id IN (3, 4)", [])
        .unwrap();
    assert_eq!(broken(&s), (5, AuditProblem::Deleted { from: 3, to: 4 }));
}

#[test]
fn audit_verify_catches_a_cut_tail() {
    let (_d, s, raw) = tamper_setup();
    raw.execute("DELETE FROM events WHERE id = 6", []).unwrap();
    assert_eq!(
        broken(&s),
        (6, AuditProblem::Truncated { expected_last: 6 })
    );
}

#[test]
fn audit_verify_catches_an_insertion() {
    let (_d, s, raw) = tamper_setup();
    // Appended at the end, with a plausible-looking link.
    raw.execute(
        "INSERT INTO events (id, at, actor, workstation, action, subject, reason, prev_hash, hash)
         SELECT 7, at, actor, workstation, 'key.add', 'key:9', '', hash, hash FROM events WHERE id = 6",
        [],
    )
    .unwrap();
    assert_eq!(broken(&s), (7, AuditProblem::Inserted));
}

#[test]
fn audit_verify_catches_an_insertion_in_the_middle() {
    let (_d, s, raw) = tamper_setup();
    // Free id 4 by moving the rest up, then slip a row into the gap.
    raw.execute_batch(
        "UPDATE events SET id = id + 100 WHERE id >= 4;
         UPDATE events SET id = id - 99 WHERE id >= 104;
         INSERT INTO events (id, at, actor, workstation, action, subject, reason, prev_hash, hash)
         SELECT 4, at, actor, workstation, 'key.retire', 'key:1', '', hash, 'feed' FROM events WHERE id = 3;",
    )
    .unwrap();
    assert_eq!(broken(&s), (4, AuditProblem::Inserted));
}

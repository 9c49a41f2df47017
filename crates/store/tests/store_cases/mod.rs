//! Integration tests of keydesk-store through its public API (and raw SQL
//! where a test plays the tamperer), run once per engine: `store_sqlite`
//! and `store_postgres` include this module with their own [`Db`].
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub use crate::backend::{fresh, who, Db, Raw};

use keydesk_store::{
    AssetTag, AuditProblem, Ctx, Dialect, Enrolment, ExportKind, HitKind, ImportAction,
    ImportOptions, JournalOutcome, KeyState, NewKey, NewNotebook, NewStaff, PersonnelNo, Serial,
    Store, StoreError,
};
use keydesk_types::Slot;
use time::macros::{date, datetime};

fn ctx() -> Ctx {
    Ctx::new("tech.anna", "counter-1", datetime!(2026-11-23 09:00:00 UTC))
}

fn serial(n: u32) -> Serial {
    Serial::new(n).unwrap()
}

fn pno(s: &str) -> PersonnelNo {
    PersonnelNo::parse(s).unwrap()
}

fn staff(no: &str, surname: &str, given: &str) -> NewStaff {
    NewStaff {
        personnel_no: pno(no),
        surname: surname.into(),
        given_name: given.into(),
        department: "IT-3".into(),
        email: format!("{}@stadt.example", given.to_lowercase()),
        active: true,
        site: None,
    }
}

fn notebook(tag: &str, host: &str, holder: Option<&str>) -> NewNotebook {
    NewNotebook {
        asset_tag: AssetTag::parse(tag).unwrap(),
        hostname: host.into(),
        model: "ThinkPad T14".into(),
        serial_no: format!("PF-{tag}"),
        staff: holder.map(pno),
        site: None,
    }
}

/// A store with one staff member (4711 Müller), one notebook and key 100 in stock.
fn seeded() -> Store {
    let mut s = fresh();
    s.add_staff(&ctx(), &staff("4711", "Müller", "Jörg"), "hr")
        .unwrap();
    s.add_notebook(
        &ctx(),
        &notebook("INV-0001", "nb-0001", Some("4711")),
        "asset",
    )
    .unwrap();
    s.add_key(&ctx(), &NewKey::unknown(serial(100)), "delivery")
        .unwrap();
    s
}

fn event_count(s: &Store) -> u64 {
    s.verify().unwrap()
}

fn csv_text(f: impl FnOnce(&mut Vec<u8>) -> keydesk_store::Result<u64>) -> String {
    let mut buf = Vec::new();
    f(&mut buf).unwrap();
    String::from_utf8(buf).unwrap()
}

/// Bring key 100 of a seeded store into `state` along legal moves.
fn drive_to(s: &mut Store, state: KeyState) {
    use KeyState::*;
    let k = serial(100);
    let path: &[KeyState] = match state {
        InStock => &[],
        Issued => &[Issued],
        Suspended => &[Issued, Suspended],
        Lost => &[Issued, Lost],
        Revoked => &[Issued, Revoked],
        Returned => &[Issued, Returned],
        Reset => &[Issued, Returned, Reset],
        Retired => &[Retired],
    };
    for &step in path {
        if step == Issued {
            s.issue(
                &ctx(),
                k,
                &pno("4711"),
                Some(&AssetTag::parse("INV-0001").unwrap()),
                None,
                "new hire",
            )
            .unwrap();
        } else {
            s.transition(&ctx(), k, step, "test").unwrap();
        }
    }
    assert_eq!(s.get_key(k).unwrap().unwrap().state, state);
}

#[test]
fn every_transition_legal_and_illegal() {
    for from in KeyState::ALL {
        for to in KeyState::ALL {
            let mut s = seeded();
            drive_to(&mut s, from);
            let before = event_count(&s);
            let res = if from == KeyState::InStock && to == KeyState::Issued {
                s.issue(&ctx(), serial(100), &pno("4711"), None, None, "x")
            } else {
                s.transition(&ctx(), serial(100), to, "x")
            };
            let legal = from.can_become(to);
            match res {
                Ok(()) => {
                    assert!(legal, "{from} -> {to} was accepted");
                    assert_eq!(s.get_key(serial(100)).unwrap().unwrap().state, to);
                    assert_eq!(
                        event_count(&s),
                        before + 1,
                        "one audit event per transition"
                    );
                }
                Err(StoreError::IllegalTransition {
                    current,
                    wanted,
                    serial: k,
                }) => {
                    assert!(!legal, "{from} -> {to} was refused");
                    assert_eq!((current, wanted, k), (from, to, serial(100)));
                    assert_eq!(s.get_key(serial(100)).unwrap().unwrap().state, from);
                    assert_eq!(event_count(&s), before, "a refused move writes nothing");
                }
                Err(e) => panic!("{from} -> {to}: {e}"),
            }
        }
    }
}

#[test]
fn issue_return_keeps_history_and_audit_has_who_where_when() {
    let mut s = seeded();
    drive_to(&mut s, KeyState::Issued);
    let a = s.current_assignment(serial(100)).unwrap().unwrap();
    assert_eq!(
        (a.personnel_no.as_str(), a.holder.as_str()),
        ("4711", "Müller, Jörg")
    );
    assert_eq!(a.asset_tag.as_ref().map(AssetTag::as_str), Some("INV-0001"));
    let later = Ctx::new(
        "tech.ben",
        "counter-2",
        datetime!(2026-12-01 15:30:00 +01:00),
    );
    s.transition(&later, serial(100), KeyState::Returned, "left the office")
        .unwrap();
    assert!(s.current_assignment(serial(100)).unwrap().is_none());
    let h = s.key_history(serial(100)).unwrap();
    assert_eq!(h.assignments.len(), 1);
    assert_eq!(
        h.assignments[0].until.as_deref(),
        Some("2026-12-01T14:30:00Z")
    );
    let last = h.events.last().unwrap();
    assert_eq!(
        (
            last.actor.as_str(),
            last.workstation.as_str(),
            last.at.as_str(),
            last.reason.as_str()
        ),
        (
            who("tech.ben").as_str(),
            "counter-2",
            "2026-12-01T14:30:00Z",
            "left the office"
        )
    );
    assert_eq!(last.before.as_deref(), Some(r#"{"state":"issued"}"#));
    assert!(last
        .after
        .as_deref()
        .unwrap()
        .contains(r#""state":"returned""#));
    assert_eq!(s.assignments_of_staff(&pno("4711")).unwrap().len(), 1);
    assert_eq!(
        s.assignments_of_notebook(&AssetTag::parse("INV-0001").unwrap())
            .unwrap()
            .len(),
        1
    );
    // Unknown keys and people are typed errors.
    assert!(matches!(
        s.transition(&ctx(), serial(9), KeyState::Lost, ""),
        Err(StoreError::UnknownKey(_))
    ));
    s.add_key(&ctx(), &NewKey::unknown(serial(101)), "")
        .unwrap();
    let refused = s.transition(&ctx(), serial(101), KeyState::Issued, "");
    assert!(
        matches!(&refused, Err(StoreError::Invalid(m)) if m.contains("issue it")),
        "issuing from stock needs a holder: {refused:?}"
    );
    assert!(matches!(
        s.issue(&ctx(), serial(101), &pno("0000"), None, None, ""),
        Err(StoreError::UnknownStaff(_))
    ));
    assert!(matches!(
        s.add_key(&ctx(), &NewKey::unknown(serial(101)), ""),
        Err(StoreError::DuplicateKey(_))
    ));
}

#[test]
fn temporary_loans_expire() {
    let mut s = seeded();
    s.add_key(&ctx(), &NewKey::unknown(serial(200)), "")
        .unwrap();
    s.issue(
        &ctx(),
        serial(100),
        &pno("4711"),
        None,
        Some(date!(2026 - 11 - 30)),
        "loan",
    )
    .unwrap();
    s.issue(&ctx(), serial(200), &pno("4711"), None, None, "permanent")
        .unwrap();
    assert!(s.expired_loans(date!(2026 - 11 - 30)).unwrap().is_empty());
    let expired = s.expired_loans(date!(2026 - 12 - 01)).unwrap();
    assert_eq!(expired.len(), 1);
    assert_eq!(
        (expired[0].serial, expired[0].due),
        (serial(100), Some(date!(2026 - 11 - 30)))
    );
    s.transition(&ctx(), serial(100), KeyState::Returned, "back")
        .unwrap();
    assert!(s.expired_loans(date!(2026 - 12 - 01)).unwrap().is_empty());
}

#[test]
fn enrolment_notes_and_staff_updates_are_recorded() {
    let mut s = seeded();
    let e = Enrolment {
        firmware: "5.7.1".into(),
        aaguid: "a25342c0-3cdc-4414-8e46-f4807fca511c".into(),
        slot: Some(Slot::Authentication),
        pubkey_sha256: "ab".repeat(32),
        attestation_json: r#"{"serial_attested":100,"chain":"ok"}"#.into(),
        certificate_pem: Some(
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".into(),
        ),
        certificate_der: Some(vec![0x30, 0x82]),
    };
    s.record_enrolment(&ctx(), serial(100), &e, "enrol")
        .unwrap();
    assert_eq!(s.enrolments(serial(100)).unwrap(), vec![e]);
    let k = s.get_key(serial(100)).unwrap().unwrap();
    assert_eq!(
        (k.data.firmware.as_str(), k.aaguid.as_str()),
        ("5.7.1", "a25342c0-3cdc-4414-8e46-f4807fca511c")
    );
    s.set_notes(&ctx(), serial(100), "scratched case", "")
        .unwrap();
    assert_eq!(
        s.get_key(serial(100)).unwrap().unwrap().notes,
        "scratched case"
    );
    let mut changed = staff("4711", "Müller-Lüdenscheidt", "Jörg");
    changed.active = false;
    assert!(s.update_staff(&ctx(), &changed, "name change").unwrap());
    assert!(
        !s.update_staff(&ctx(), &changed, "again").unwrap(),
        "no change, no event"
    );
    assert_eq!(s.get_staff(&pno("4711")).unwrap().unwrap().data, changed);
    let bad = Enrolment {
        attestation_json: "not json".into(),
        ..Enrolment::default()
    };
    assert!(matches!(
        s.record_enrolment(&ctx(), serial(100), &bad, ""),
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(s.verify().unwrap(), 6);
}

#[test]
fn journal_tracks_operations_in_flight() {
    let mut s = seeded();
    let a = s
        .journal_begin(
            &ctx(),
            Some(serial(100)),
            "reset",
            "piv_reset",
            r#"{"slot":"all"}"#,
        )
        .unwrap();
    let b = s
        .journal_begin(&ctx(), None, "enrol", "detect", "{}")
        .unwrap();
    s.journal_record(&ctx(), a, "fido_reset", r#"{"piv":"ok"}"#)
        .unwrap();
    let open = s.journal_unfinished().unwrap();
    assert_eq!(open.iter().map(|e| e.id).collect::<Vec<_>>(), vec![a, b]);
    assert_eq!(
        (open[0].step.as_str(), open[0].result.as_deref()),
        ("fido_reset", Some(r#"{"piv":"ok"}"#))
    );
    assert_eq!(open[0].serial, Some(serial(100)));
    s.journal_close(&ctx(), a, JournalOutcome::Done, "")
        .unwrap();
    assert!(matches!(
        s.journal_close(&ctx(), a, JournalOutcome::Failed, ""),
        Err(StoreError::JournalClosed(_))
    ));
    assert!(matches!(
        s.journal_record(&ctx(), 999, "x", "{}"),
        Err(StoreError::UnknownJournal(999))
    ));
    assert_eq!(s.journal_unfinished().unwrap().len(), 1);
    assert!(s
        .journal_begin(&ctx(), None, "enrol", "x", "{oops")
        .is_err());
}

#[test]
fn search_as_you_type_folds_umlauts() {
    let mut s = seeded();
    s.add_staff(&ctx(), &staff("4712", "Mueller", "Hans"), "")
        .unwrap();
    s.add_staff(&ctx(), &staff("5000", "Schäfer", "Anna"), "")
        .unwrap();
    s.add_staff(&ctx(), &staff("5001", "Weiß", "Grete"), "")
        .unwrap();
    s.add_key(&ctx(), &NewKey::unknown(serial(12_345_678)), "")
        .unwrap();
    let staff_ids = |q: &str| {
        let mut v: Vec<i64> = s
            .search(q, 20)
            .unwrap()
            .into_iter()
            .filter(|h| h.kind == HitKind::Staff)
            .map(|h| h.ref_id)
            .collect();
        v.sort_unstable();
        v
    };
    let muller = s.get_staff(&pno("4711")).unwrap().unwrap().id;
    let mueller = s.get_staff(&pno("4712")).unwrap().unwrap().id;
    for q in ["muller", "mueller", "Müller", "MUELL", "mül"] {
        assert_eq!(staff_ids(q), vec![muller, mueller], "query {q}");
    }
    assert_eq!(staff_ids("schafer").len(), 1);
    assert_eq!(staff_ids("weiss"), staff_ids("Weiß"));
    assert_eq!(
        staff_ids("jorg"),
        vec![muller],
        "given name first also works"
    );
    assert_eq!(staff_ids("ller"), vec![muller, mueller], "substring");
    let hits = s.search("3456", 20).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(
        (hits[0].kind, hits[0].ref_id, hits[0].prefix),
        (HitKind::Key, 12_345_678, false)
    );
    let hits = s.search("1234", 20).unwrap();
    assert!(hits[0].prefix && hits[0].ref_id == 12_345_678);
    let hits = s.search("nb-00", 20).unwrap();
    assert_eq!(hits[0].kind, HitKind::Notebook);
    assert!(s.search("", 20).unwrap().is_empty());
    assert_eq!(s.search("m", 20).unwrap().len(), 2, "one-letter prefix");
    assert_eq!(s.search("m", 1).unwrap().len(), 1, "page size is respected");
}

#[test]
fn search_follows_renames() {
    let mut s = seeded();
    s.update_staff(&ctx(), &staff("4711", "Schmidt", "Jörg"), "married")
        .unwrap();
    assert!(s.search("muller", 20).unwrap().is_empty());
    assert_eq!(s.search("schmi", 20).unwrap().len(), 1);
}

mod audit;
mod concurrency;
mod copy;
mod csv;
mod import_changes;
mod sites;

#[test]
fn migrate_again_applies_nothing_and_the_store_reopens() {
    let db = Db::new();
    let mut s = db.open();
    s.add_key(&ctx(), &NewKey::unknown(serial(7)), "delivery")
        .unwrap();
    let v = s.schema_version().unwrap();
    drop(s);
    assert_eq!(Store::migrate(&db.location()).unwrap(), (v, v));
    let again = db.open();
    assert_eq!(
        again.get_key(serial(7)).unwrap().unwrap().data.serial,
        serial(7)
    );
    assert_eq!(again.verify().unwrap(), 1);
}

#[test]
fn claiming_and_releasing_a_key_writes_no_history() {
    let mut s = seeded();
    let before = s.verify().unwrap();
    s.claim(&ctx(), serial(100)).unwrap();
    assert_eq!(s.claimed_elsewhere(serial(100)).unwrap(), None);
    s.release(serial(100)).unwrap();
    assert_eq!(s.verify().unwrap(), before);
}

//! Unit tests of `inventory`: the write paths of both kinds pinned down
//! (outcomes, errors, the audit events they write, the search index they
//! keep).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde::Serialize;
use time::macros::datetime;

use super::*;

fn ctx() -> Ctx {
    Ctx::new("tech.anna", "counter-1", datetime!(2026-11-23 09:00:00 UTC))
}

fn pno(s: &str) -> PersonnelNo {
    PersonnelNo::parse(s).unwrap()
}

fn staff(no: &str, surname: &str) -> NewStaff {
    NewStaff {
        personnel_no: pno(no),
        surname: surname.into(),
        given_name: "Jörg".into(),
        department: "IT-3".into(),
        email: "joerg@stadt.example".into(),
        active: true,
        site: None,
    }
}

/// Notebook `tag`, host `nb-1`, without a holder.
fn notebook(tag: &str) -> NewNotebook {
    NewNotebook {
        asset_tag: AssetTag::parse(tag).unwrap(),
        hostname: "nb-1".into(),
        model: "ThinkPad T14".into(),
        serial_no: String::new(),
        staff: None,
        site: None,
    }
}

type EventRow = (String, String, Option<String>, Option<String>, String);

/// action, subject, before, after, reason of every event, oldest first.
fn events(s: &Store) -> Vec<EventRow> {
    s.read(|tx| {
        tx.all(
            "SELECT action, subject, before_json, after_json, reason FROM events ORDER BY id",
            &[],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
    })
    .unwrap()
}

/// The events of adding `a` as `kind:key`, then changing it to `b`.
fn add_then_update<T: Serialize>(kind: &str, key: &str, a: &T, b: &T) -> [EventRow; 2] {
    let (a, b) = (json!(a).to_string(), json!(b).to_string());
    let subject = format!("{kind}:{key}");
    [
        (
            format!("{kind}.add"),
            subject.clone(),
            None,
            Some(a.clone()),
            "why".into(),
        ),
        (
            format!("{kind}.update"),
            subject,
            Some(a),
            Some(b),
            "why".into(),
        ),
    ]
}

fn labels(s: &Store, query: &str, kind: HitKind) -> Vec<String> {
    let hits = s.search(query, 20).unwrap();
    hits.into_iter()
        .filter(|h| h.kind == kind)
        .map(|h| h.label)
        .collect()
}

#[test]
fn staff_add_update_and_their_events() {
    let mut s = Store::open_in_memory().unwrap();
    let a = staff("4711", "Müller");
    let added = s.add_staff(&ctx(), &a, "why").unwrap();
    assert_eq!(added.data, a);
    assert_eq!(s.get_staff_by_id(added.id).unwrap(), Some(added.clone()));
    assert!(matches!(
        s.add_staff(&ctx(), &a, "why"),
        Err(StoreError::DuplicateStaff(no)) if no == "4711"
    ));
    assert!(!s.update_staff(&ctx(), &a, "why").unwrap());
    assert!(matches!(
        s.update_staff(&ctx(), &staff("4712", "Meyer"), "why"),
        Err(StoreError::UnknownStaff(no)) if no == "4712"
    ));
    let b = staff("4711", "Schmidt");
    assert!(s.update_staff(&ctx(), &b, "why").unwrap());
    let now = s.get_staff(&b.personnel_no).unwrap().unwrap();
    assert_eq!((now.id, &now.data), (added.id, &b));
    assert_eq!(events(&s), add_then_update("staff", "4711", &a, &b));
    assert!(labels(&s, "Müller", HitKind::Staff).is_empty());
    assert_eq!(
        labels(&s, "Schmidt", HitKind::Staff),
        ["Schmidt, Jörg (4711) IT-3"]
    );
}

#[test]
fn notebook_add_update_and_their_events() {
    let mut s = Store::open_in_memory().unwrap();
    let a = notebook("INV-1");
    let held = |no: &str| NewNotebook {
        staff: Some(pno(no)),
        ..a.clone()
    };
    assert!(matches!(
        s.add_notebook(&ctx(), &held("4711"), "why"),
        Err(StoreError::UnknownStaff(no)) if no == "4711"
    ));
    assert!(events(&s).is_empty(), "a failed add writes nothing");
    s.add_staff(&ctx(), &staff("4711", "Müller"), "why")
        .unwrap();
    let added = s.add_notebook(&ctx(), &a, "why").unwrap();
    assert_eq!(added.data, a);
    assert_eq!(s.get_notebook_by_id(added.id).unwrap(), Some(added.clone()));
    assert!(matches!(
        s.add_notebook(&ctx(), &a, "why"),
        Err(StoreError::DuplicateNotebook(tag)) if tag == "INV-1"
    ));
    // The holder is looked up first, before the notebook is found to exist.
    assert!(matches!(
        s.add_notebook(&ctx(), &held("999"), "why"),
        Err(StoreError::UnknownStaff(no)) if no == "999"
    ));
    assert!(matches!(
        s.update_notebook(&ctx(), &notebook("INV-2"), "why"),
        Err(StoreError::UnknownNotebook(tag)) if tag == "INV-2"
    ));
    assert!(!s.update_notebook(&ctx(), &a, "why").unwrap());
    let b = NewNotebook {
        hostname: "nb-9".into(),
        ..held("4711")
    };
    assert!(s.update_notebook(&ctx(), &b, "why").unwrap());
    let now = s.get_notebook(&b.asset_tag).unwrap().unwrap();
    assert_eq!((now.id, &now.data), (added.id, &b));
    assert_eq!(
        events(&s)[1..],
        add_then_update("notebook", "INV-1", &a, &b)
    );
    assert!(labels(&s, "nb-1", HitKind::Notebook).is_empty());
    assert_eq!(
        labels(&s, "nb-9", HitKind::Notebook),
        ["INV-1 nb-9 (ThinkPad T14)"]
    );
}

#[test]
fn upsert_outcomes() {
    let mut s = Store::open_in_memory().unwrap();
    let mut tx = s.write_tx().unwrap();
    let mut put_s = |x: &NewStaff| put_staff(&mut tx, &ctx(), x, "why", Put::Upsert).unwrap();
    assert_eq!(put_s(&staff("1", "A")), Outcome::Added);
    assert_eq!(put_s(&staff("1", "A")), Outcome::Unchanged);
    assert_eq!(put_s(&staff("1", "B")), Outcome::Changed);
    let mut put_n = |x: &NewNotebook| put_notebook(&mut tx, &ctx(), x, "why", Put::Upsert).unwrap();
    let held = NewNotebook {
        staff: Some(pno("1")),
        ..notebook("T-1")
    };
    assert_eq!(put_n(&held), Outcome::Added);
    assert_eq!(put_n(&held), Outcome::Unchanged);
    assert_eq!(put_n(&notebook("T-1")), Outcome::Changed);
    tx.commit().unwrap();
    let actions: Vec<String> = events(&s).into_iter().map(|e| e.0).collect();
    assert_eq!(
        actions,
        [
            "staff.add",
            "staff.update",
            "notebook.add",
            "notebook.update"
        ]
    );
}

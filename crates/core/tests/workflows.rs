//! The counter workflows in-process: an in-memory store, a fixed clock, a
//! seeded random source (and, for device workflows, virtual keys).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use keydesk_core::{Desk, Env, ErrorKind, FixedClock, Operator, Profile, RevokeReason};
use keydesk_device::sim_source::{SimKeys, SimTime};
use keydesk_store::{
    AssetTag, Ctx, KeyState, NewKey, NewNotebook, NewStaff, PersonnelNo, Serial, Store,
};
use rand::SeedableRng;
use time::macros::datetime;

/// A desk whose inventory has Anna Müller (4711), notebook NB-0815 and two
/// keys in stock; the serials in `issued` are issued to her first.
fn desk_with(issued: &[u32]) -> Desk {
    let mut store = Store::open_in_memory().unwrap();
    let ctx = Ctx::new("setup", "test", datetime!(2026-11-01 08:00 UTC));
    store
        .add_staff(
            &ctx,
            &NewStaff {
                personnel_no: PersonnelNo::parse("4711").unwrap(),
                surname: "Müller".into(),
                given_name: "Anna".into(),
                department: "Amt 12".into(),
                email: "anna.mueller@example.org".into(),
                active: true,
                site: None,
            },
            "test setup",
        )
        .unwrap();
    store
        .add_notebook(
            &ctx,
            &NewNotebook {
                asset_tag: AssetTag::parse("NB-0815").unwrap(),
                hostname: "mz-nb-0815".into(),
                model: "T14".into(),
                serial_no: "PF-1".into(),
                staff: None,
                site: None,
            },
            "test setup",
        )
        .unwrap();
    for n in [23_456_789, 23_456_790] {
        store
            .add_key(&ctx, &NewKey::unknown(Serial::new(n).unwrap()), "delivery")
            .unwrap();
    }
    for &n in issued {
        let (holder, nb) = (
            PersonnelNo::parse("4711").unwrap(),
            AssetTag::parse("NB-0815").unwrap(),
        );
        store
            .issue(
                &ctx,
                serial(n),
                &holder,
                Some(&nb),
                None,
                "issued for the test",
            )
            .unwrap();
    }
    let env = Env {
        clock: Box::new(FixedClock::at(datetime!(2026-11-23 09:00 UTC))),
        rng: Box::new(rand::rngs::StdRng::seed_from_u64(7)),
        operator: Operator {
            actor: "tech1".into(),
            workstation: "counter-1".into(),
        },
        profile: Profile::default(),
        trust: keydesk_core::Trust::yubico().unwrap(),
    };
    Desk::new(store, env, Box::new(SimKeys::new(SimTime::Real)))
}

fn serial(n: u32) -> Serial {
    Serial::new(n).unwrap()
}

/// Key `n` as the inventory has it now.
fn stored(d: &Desk, n: u32) -> keydesk_store::Key {
    d.key(serial(n)).unwrap().unwrap()
}

#[test]
fn lost_key_is_recorded_as_lost_then_revoked_and_on_the_revoked_export() {
    let mut d = desk_with(&[23_456_789]);
    d.revoke(serial(23_456_789), RevokeReason::Lost).unwrap();
    let history = d.key_history(serial(23_456_789)).unwrap();
    assert_eq!(history.key.state, KeyState::Revoked);
    let actions: Vec<_> = history
        .events
        .iter()
        .map(|e| (e.after.clone().unwrap_or_default(), e.reason.clone()))
        .collect();
    assert!(
        actions
            .iter()
            .any(|(after, why)| after.contains("lost") && why == "lost"),
        "{actions:?}"
    );
    assert!(history
        .events
        .iter()
        .all(|e| e.actor == "tech1" || e.actor == "setup"));
    let mut csv = Vec::new();
    d.export(
        keydesk_store::ExportKind::Revoked,
        &mut csv,
        keydesk_store::Dialect::Rfc4180,
        &mut |_, _| {},
    )
    .unwrap();
    assert!(String::from_utf8(csv).unwrap().contains("23456789"));
}

#[test]
fn revoking_a_key_in_stock_is_a_wrong_state_error_naming_the_state() {
    let mut d = desk_with(&[]);
    let err = d
        .revoke(serial(23_456_790), RevokeReason::Defective)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WrongState);
    assert!(err.to_string().contains("in_stock"), "{err}");
    let err = d.revoke(serial(99), RevokeReason::Left).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
}

#[test]
fn suspend_and_reinstate_keep_the_holder_and_notes_are_audited() {
    let mut d = desk_with(&[23_456_789]);
    d.suspend(serial(23_456_789), "parental leave").unwrap();
    assert_eq!(stored(&d, 23_456_789).state, KeyState::Suspended);
    assert!(
        d.holder(serial(23_456_789)).unwrap().is_some(),
        "suspension keeps the holder"
    );
    let again = d.suspend(serial(23_456_789), "twice").unwrap_err();
    assert_eq!(again.kind(), ErrorKind::WrongState);
    d.reinstate(serial(23_456_789), "back from leave").unwrap();
    assert_eq!(stored(&d, 23_456_789).state, KeyState::Issued);
    let not_suspended = d.reinstate(serial(23_456_789), "again").unwrap_err();
    assert_eq!(not_suspended.kind(), ErrorKind::WrongState);
    d.note(serial(23_456_789), "Kratzer am Gehäuse").unwrap();
    assert_eq!(stored(&d, 23_456_789).notes, "Kratzer am Gehäuse");
    assert!(
        d.verify_audit().unwrap() > 0,
        "audit chain intact after the workflow"
    );
}

#[test]
fn audit_anchors_pass_through_the_desk_with_their_error_kinds() {
    let mut d = desk_with(&[]);
    // Staff, notebook and two keys: four events, the newest one the head.
    let (n, head) = d.verify_audit_head().unwrap();
    let head = head.expect("events exist");
    assert_eq!((n, head.anchor.event()), (4, 4));
    assert_eq!(d.audit_head().unwrap(), Some(head.clone()));
    d.note(serial(23_456_789), "Kratzer").unwrap();
    assert_eq!(d.verify_audit_anchored(&head.anchor).unwrap(), 5);

    let gone: keydesk_store::AuditAnchor = format!("9:{}", head.anchor.hash()).parse().unwrap();
    let err = d.verify_audit_anchored(&gone).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Integrity, "{err}");
    let other: keydesk_store::AuditAnchor = format!("4:{}", "0".repeat(64)).parse().unwrap();
    let err = d.verify_audit_anchored(&other).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Integrity, "{err}");
    let bad = "4:xyz"
        .parse::<keydesk_store::AuditAnchor>()
        .map_err(keydesk_core::CoreError::from)
        .unwrap_err();
    assert_eq!(bad.kind(), ErrorKind::Usage, "{bad}");
}

#[test]
fn notebook_choices_offer_the_staff_members_own_notebooks_first() {
    let mut store = Store::open_in_memory().unwrap();
    let ctx = Ctx::new("setup", "test", datetime!(2026-11-01 08:00 UTC));
    for (no, surname) in [("4711", "Müller"), ("4712", "Weiß")] {
        store
            .add_staff(
                &ctx,
                &NewStaff {
                    personnel_no: PersonnelNo::parse(no).unwrap(),
                    surname: surname.into(),
                    given_name: "Anna".into(),
                    department: String::new(),
                    email: String::new(),
                    active: true,
                    site: None,
                },
                "test setup",
            )
            .unwrap();
    }
    for (tag, owner) in [
        ("NB-0001", Some("4712")),
        ("NB-0815", Some("4711")),
        ("NB-0816", None),
        ("NB-0900", Some("4711")),
    ] {
        store
            .add_notebook(
                &ctx,
                &NewNotebook {
                    asset_tag: AssetTag::parse(tag).unwrap(),
                    hostname: format!("mz-{}", tag.to_lowercase()),
                    model: String::new(),
                    serial_no: String::new(),
                    staff: owner.map(|o| PersonnelNo::parse(o).unwrap()),
                    site: None,
                },
                "test setup",
            )
            .unwrap();
    }
    let desk = Desk::new(
        store,
        Env {
            clock: Box::new(FixedClock::at(datetime!(2026-11-23 09:00 UTC))),
            rng: Box::new(rand::rngs::StdRng::seed_from_u64(7)),
            operator: Operator {
                actor: "tech1".into(),
                workstation: "counter-1".into(),
            },
            profile: Profile::default(),
            trust: keydesk_core::Trust::yubico().unwrap(),
        },
        Box::new(SimKeys::new(SimTime::Real)),
    );
    let anna = desk
        .search("4711", 5)
        .unwrap()
        .into_iter()
        .find(|h| h.kind == keydesk_store::HitKind::Staff)
        .unwrap()
        .ref_id;
    let tags = |q: &str| -> Vec<String> {
        desk.notebook_choices(anna, q, 20)
            .unwrap()
            .iter()
            .map(|h| h.label.split_whitespace().next().unwrap_or("").to_owned())
            .collect()
    };
    assert_eq!(tags(""), ["NB-0815", "NB-0900"], "hers, nothing typed");
    let typed = tags("nb-0");
    assert_eq!(&typed[..2], ["NB-0815", "NB-0900"], "hers first: {typed:?}");
    assert!(typed.contains(&"NB-0001".to_owned()) && typed.contains(&"NB-0816".to_owned()));
    assert_eq!(typed.len(), 4, "each once: {typed:?}");
    assert_eq!(tags("0816"), ["NB-0816"], "a typed tag that is not hers");
    assert!(desk
        .notebook_choices(anna, "", 1)
        .is_ok_and(|h| h.len() == 1));
}

//! `copy_into`: this engine's inventory into an empty SQLite file and an
//! empty PostgreSQL database, every id and byte kept.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use keydesk_store::{CopyStep, DbLocation, Purpose};

/// An empty inventory of either engine to copy into.
enum Target {
    File(tempfile::TempDir),
    Server(String),
}

impl Target {
    /// A new SQLite file (not created yet: the copy creates it).
    fn file() -> Self {
        Self::File(tempfile::tempdir().unwrap())
    }

    /// A database of its own on this process's test server, migrated.
    fn server() -> Self {
        let server = keydesk_testpg::Server::shared().expect("a PostgreSQL test server");
        let url = server.fresh_database().unwrap();
        Store::migrate(&DbLocation::Server(url.clone())).unwrap();
        Self::Server(url)
    }

    fn both() -> [Self; 2] {
        [Self::file(), Self::server()]
    }

    fn location(&self) -> DbLocation {
        match self {
            Self::File(dir) => DbLocation::File(dir.path().join("copy.sqlite")),
            Self::Server(url) => DbLocation::Server(url.clone()),
        }
    }

    fn open(&self) -> Store {
        Store::open_at(&self.location()).unwrap()
    }
}

/// An inventory with history: a training mark, staff (one renamed, so the
/// search index has gaps), notebooks, keys issued, returned, lost, an
/// enrolment with certificate bytes, and journal entries open and closed.
fn with_history() -> Store {
    let mut s = fresh();
    assert!(s.mark_training().unwrap());
    s.add_staff(&ctx(), &staff("4711", "Müller", "Jörg"), "hr")
        .unwrap();
    s.add_staff(&ctx(), &staff("5000", "Schäfer", "Anna"), "hr")
        .unwrap();
    s.update_staff(&ctx(), &staff("5000", "Weiß", "Anna"), "married")
        .unwrap();
    s.add_notebook(
        &ctx(),
        &notebook("INV-0001", "nb-0001", Some("4711")),
        "asset",
    )
    .unwrap();
    s.add_notebook(&ctx(), &notebook("INV-0002", "nb-0002", None), "asset")
        .unwrap();
    for n in [100, 101, 102, 12_345_678] {
        s.add_key(&ctx(), &NewKey::unknown(serial(n)), "delivery")
            .unwrap();
    }
    let inv1 = AssetTag::parse("INV-0001").unwrap();
    s.issue(&ctx(), serial(100), &pno("4711"), Some(&inv1), None, "new")
        .unwrap();
    s.transition(&ctx(), serial(100), KeyState::Returned, "back")
        .unwrap();
    s.issue(
        &ctx(),
        serial(101),
        &pno("5000"),
        None,
        Some(date!(2026 - 12 - 24)),
        "loan",
    )
    .unwrap();
    s.issue(&ctx(), serial(102), &pno("4711"), None, None, "spare")
        .unwrap();
    s.transition(&ctx(), serial(102), KeyState::Lost, "train")
        .unwrap();
    let e = Enrolment {
        firmware: "5.7.1".into(),
        aaguid: "a25342c0-3cdc-4414-8e46-f4807fca511c".into(),
        slot: Some(Slot::Authentication),
        pubkey_sha256: "ab".repeat(32),
        attestation_json: r#"{"serial_attested":101}"#.into(),
        certificate_pem: Some("-----BEGIN CERTIFICATE-----\nMIIB\n".into()),
        certificate_der: Some(vec![0x30, 0x82, 0x00, 0xff, b'\\', b'\n', 0x00]),
    };
    s.record_enrolment(&ctx(), serial(101), &e, "enrol")
        .unwrap();
    s.set_notes(&ctx(), serial(101), "tab\there; quote \" and \\", "")
        .unwrap();
    let done = s
        .journal_begin(&ctx(), Some(serial(100)), "reset", "piv_reset", "{}")
        .unwrap();
    s.journal_close(&ctx(), done, JournalOutcome::Done, "")
        .unwrap();
    s.journal_begin(&ctx(), Some(serial(101)), "enrol", "detect", r#"{"a":1}"#)
        .unwrap();
    s
}

fn exports(s: &Store) -> Vec<String> {
    ExportKind::ALL
        .iter()
        .map(|&k| csv_text(|w| s.export(k, w, Dialect::Rfc4180, &mut |_, _| {})))
        .collect()
}

fn searches(s: &Store) -> Vec<Vec<keydesk_store::Hit>> {
    [
        "muller", "weiss", "ller", "nb-00", "3456", "1234", "10", "schafer",
    ]
    .iter()
    .map(|q| s.search(q, 20).unwrap())
    .collect()
}

/// Everything the store shows of an inventory, for comparing two: (what,
/// how it looks).
fn picture(s: &Store) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = ExportKind::ALL
        .iter()
        .zip(exports(s))
        .map(|(k, csv)| (format!("export {k:?}"), csv))
        .collect();
    for n in [100, 101, 102] {
        let h = s.key_history(serial(n)).unwrap();
        out.push((format!("history {n}"), format!("{h:?}")));
    }
    // The engines group in their own order.
    let mut by_state: Vec<String> = s
        .count_by_state()
        .unwrap()
        .iter()
        .map(|c| format!("{c:?}"))
        .collect();
    by_state.sort_unstable();
    out.extend([
        ("searches".into(), format!("{:?}", searches(s))),
        (
            "unfinished".into(),
            format!("{:?}", s.journal_unfinished().unwrap()),
        ),
        (
            "enrolments".into(),
            format!("{:?}", s.enrolments(serial(101)).unwrap()),
        ),
        ("purpose".into(), format!("{:?}", s.purpose().unwrap())),
        ("by state".into(), by_state.join(", ")),
        (
            "loans".into(),
            format!("{:?}", s.expired_loans(date!(2027 - 01 - 01)).unwrap()),
        ),
    ]);
    out
}

/// Two inventories look alike, one view after the other.
fn assert_alike(a: &Store, b: &Store) {
    for ((what, x), (_, y)) in picture(a).into_iter().zip(picture(b)) {
        assert_eq!(x, y, "{what}");
    }
}

#[test]
fn a_copy_keeps_every_row_the_chain_and_its_anchor() {
    let src = with_history();
    let events = src.verify().unwrap();
    let anchor = src.audit_head().unwrap().unwrap().anchor;
    for target in Target::both() {
        let mut seen: Vec<(CopyStep, u64, u64)> = Vec::new();
        let report = src
            .copy_into(&target.location(), &mut |s, done, all| {
                seen.push((s, done, all));
            })
            .unwrap();
        assert_eq!(report.rows_of(CopyStep::Events), events);
        assert_eq!(report.rows_of(CopyStep::Staff), 2);
        assert_eq!(report.rows_of(CopyStep::InventoryMeta), 1);
        assert_eq!(report.head.as_ref(), Some(&anchor));
        for step in CopyStep::ALL {
            let n = report.rows_of(step);
            assert!(seen.contains(&(step, 0, n)), "{step} starts");
            assert!(seen.contains(&(step, n, n)), "{step} ends");
        }

        let mut to = target.open();
        assert_eq!(to.verify().unwrap(), events);
        assert_eq!(to.verify_anchored(&anchor).unwrap(), events);
        assert_eq!(to.audit_head().unwrap().unwrap().anchor, anchor);
        assert_eq!(to.purpose().unwrap(), Purpose::Training);
        assert_alike(&src, &to);

        // The target works on: new rows get fresh ids past the copied ones.
        let max_staff = src.get_staff(&pno("5000")).unwrap().unwrap().id;
        let new = to
            .add_staff(&ctx(), &staff("6000", "Neumann", "Ida"), "hr")
            .unwrap();
        assert!(new.id > max_staff, "{} after {max_staff}", new.id);
        to.add_key(&ctx(), &NewKey::unknown(serial(103)), "delivery")
            .unwrap();
        let b = to
            .journal_begin(&ctx(), None, "enrol", "detect", "{}")
            .unwrap();
        assert!(to.journal_unfinished().unwrap().iter().any(|e| e.id == b));
        assert_eq!(to.verify_anchored(&anchor).unwrap(), events + 3);
        assert_eq!(to.search("neuma", 20).unwrap().len(), 1);
        assert_eq!(to.search("eumann", 20).unwrap().len(), 1, "trigrams too");
        assert_eq!(src.verify().unwrap(), events, "the source is untouched");
    }
}

#[test]
fn a_second_copy_into_the_same_target_is_refused_and_writes_nothing() {
    let src = with_history();
    for target in Target::both() {
        src.copy_into(&target.location(), &mut |_, _, _| {})
            .unwrap();
        let mut to = target.open();
        to.add_key(&ctx(), &NewKey::unknown(serial(103)), "delivery")
            .unwrap();
        let after = exports(&to);
        let err = src
            .copy_into(&target.location(), &mut |_, _, _| {})
            .unwrap_err();
        assert!(
            matches!(err, StoreError::CopyTargetNotEmpty { what: "staff" }),
            "{err:?}"
        );
        assert!(err.to_string().contains("not empty"), "{err}");
        assert_eq!(exports(&to), after);
        assert_eq!(to.verify().unwrap(), src.verify().unwrap() + 1);
    }
}

#[test]
fn any_data_in_the_target_refuses_the_copy() {
    let src = with_history();
    for target in Target::both() {
        let mut to = target.open();
        to.journal_begin(&ctx(), None, "enrol", "detect", "{}")
            .unwrap();
        let err = src.copy_into_store(&mut to, &mut |_, _, _| {}).unwrap_err();
        assert!(
            matches!(err, StoreError::CopyTargetNotEmpty { what: "events" }),
            "{err:?}"
        );
        assert!(to.get_staff(&pno("4711")).unwrap().is_none());
        assert_eq!(to.verify().unwrap(), 1);
    }
    // A fresh inventory marked for training is not empty either: its mark
    // would meet the source's.
    for target in Target::both() {
        let mut to = target.open();
        assert!(to.mark_training().unwrap());
        let err = src.copy_into_store(&mut to, &mut |_, _, _| {}).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::CopyTargetNotEmpty {
                    what: "inventory_meta"
                }
            ),
            "{err:?}"
        );
    }
}

#[test]
fn an_unmigrated_server_database_is_no_target() {
    let server = keydesk_testpg::Server::shared().unwrap();
    let url = server.fresh_database().unwrap();
    let err = seeded()
        .copy_into(&DbLocation::Server(url), &mut |_, _, _| {})
        .unwrap_err();
    assert!(
        matches!(err, StoreError::SchemaOutdated { found: 0, .. }),
        "{err:?}"
    );
}

#[test]
fn an_empty_inventory_copies_to_an_empty_one() {
    let target = Target::server();
    let report = fresh()
        .copy_into(&target.location(), &mut |_, _, _| {})
        .unwrap();
    assert_eq!((report.total(), report.head), (0, None));
    let mut to = target.open();
    to.add_staff(&ctx(), &staff("4711", "Müller", "Jörg"), "hr")
        .unwrap();
    assert_eq!(to.verify().unwrap(), 1);
}

#[test]
fn a_round_trip_through_the_server_and_back_changes_nothing() {
    let src = with_history();
    let anchor = src.audit_head().unwrap().unwrap().anchor;
    let server = Target::server();
    src.copy_into(&server.location(), &mut |_, _, _| {})
        .unwrap();
    let back = Target::file();
    server
        .open()
        .copy_into(&back.location(), &mut |_, _, _| {})
        .unwrap();
    let back = back.open();
    assert_eq!(exports(&back), exports(&src));
    assert_alike(&src, &back);
    assert_eq!(
        back.verify_anchored(&anchor).unwrap(),
        src.verify().unwrap()
    );
}

#[test]
fn tables_longer_than_a_batch_copy_whole_and_in_order() {
    // 150 keys: more than two of the SQLite target's 64-row inserts and a
    // shorter rest, in keys, events and the search index.
    let mut src = with_history();
    for n in 1000..1150 {
        src.add_key(&ctx(), &NewKey::unknown(serial(n)), "delivery")
            .unwrap();
    }
    let events = src.verify().unwrap();
    let anchor = src.audit_head().unwrap().unwrap().anchor;
    for target in Target::both() {
        let report = src
            .copy_into(&target.location(), &mut |_, _, _| {})
            .unwrap();
        assert_eq!(report.rows_of(CopyStep::Events), events);
        assert!(report.rows_of(CopyStep::Keys) >= 150);
        let to = target.open();
        assert_eq!(to.verify_anchored(&anchor).unwrap(), events);
        assert_alike(&src, &to);
        for n in [1000, 1063, 1064, 1127, 1128, 1149] {
            assert_eq!(
                to.get_key(serial(n)).unwrap(),
                src.get_key(serial(n)).unwrap()
            );
            assert_eq!(
                to.search(&n.to_string(), 20).unwrap(),
                src.search(&n.to_string(), 20).unwrap(),
                "search {n}"
            );
        }
    }
}

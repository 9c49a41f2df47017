//! Integration tests of keydesk-store through its public API (and raw SQL
//! where a test plays the tamperer).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use keydesk_store::{
    AssetTag, AuditProblem, Ctx, Dialect, Enrolment, HitKind, ImportAction, ImportOptions,
    JournalOutcome, KeyState, NewKey, NewNotebook, NewStaff, PersonnelNo, Serial, Store,
    StoreError,
};
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
    }
}

fn notebook(tag: &str, host: &str, holder: Option<&str>) -> NewNotebook {
    NewNotebook {
        asset_tag: AssetTag::parse(tag).unwrap(),
        hostname: host.into(),
        model: "ThinkPad T14".into(),
        serial_no: format!("PF-{tag}"),
        staff: holder.map(pno),
    }
}

/// A store with one staff member (4711 Müller), one notebook and key 100 in stock.
fn seeded() -> Store {
    let mut s = Store::open_in_memory().unwrap();
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
            "tech.ben",
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
        slot: "9a".into(),
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

// ---------------------------------------------------------------- audit

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

// ---------------------------------------------------------------- CSV

fn opts() -> ImportOptions {
    ImportOptions {
        dry_run: false,
        source: "test.csv".into(),
    }
}

/// Everything an import could touch, as text, to prove "unchanged".
fn snapshot(s: &Store) -> String {
    let mut out = csv_text(|w| s.export_staff(w, Dialect::Rfc4180));
    out += &csv_text(|w| s.export_notebooks(w, Dialect::Rfc4180));
    out += &csv_text(|w| s.export_inventory(w, Dialect::Rfc4180));
    out += &csv_text(|w| s.export_history(w, Dialect::Rfc4180));
    out
}

fn import_err(s: &mut Store, bytes: &[u8]) -> Vec<keydesk_store::ImportIssue> {
    match s.import_staff(&ctx(), bytes, &opts()) {
        Err(StoreError::Import(issues)) => issues,
        other => panic!("import should fail, got {other:?}"),
    }
}

#[test]
fn german_excel_semicolon_windows_1252() {
    let mut s = Store::open_in_memory().unwrap();
    // "Personalnummer;Name;Vorname;Abteilung;E-Mail" as Excel "CSV (Trennzeichen-getrennt)" writes it.
    let file: &[u8] = b"Personalnummer;Name;Vorname;Abteilung;E-Mail\r\n\
        4711;M\xFCller;J\xF6rg;Stra\xDFenbau;j.mueller@stadt.example\r\n\
        4712;\"Gr\xE4f; von\";\xC4nne;\"B\xFCrger\r\nservice\";\r\n;;;;\r\n";
    let r = s.import_staff(&ctx(), file, &opts()).unwrap();
    assert_eq!(
        (r.encoding, r.delimiter, r.added, r.rows),
        ("Windows-1252", ';', 2, 2)
    );
    let m = s.get_staff(&pno("4711")).unwrap().unwrap().data;
    assert_eq!(
        (
            m.surname.as_str(),
            m.given_name.as_str(),
            m.department.as_str()
        ),
        ("Müller", "Jörg", "Straßenbau")
    );
    let g = s.get_staff(&pno("4712")).unwrap().unwrap().data;
    assert_eq!(
        (g.surname.as_str(), g.given_name.as_str()),
        ("Gräf; von", "Änne")
    );
    assert_eq!(
        g.department, "Bürger\r\nservice",
        "line break inside quotes"
    );
    assert_eq!(r.changes[1].line, 3);
}

#[test]
fn utf8_bom_and_comma_variants() {
    let mut s = Store::open_in_memory().unwrap();
    let bom =
        "\u{FEFF}Personal-Nr.;Nachname;Vorname;Dienststelle;Aktiv\r\n0815;Weiß;Grete;Amt 12;ja\r\n";
    let r = s.import_staff(&ctx(), bom.as_bytes(), &opts()).unwrap();
    assert_eq!(
        (r.encoding, r.delimiter, r.added),
        ("UTF-8 with BOM", ';', 1)
    );
    let comma = "personnel_number,last_name,first_name,department,email,active\n\
        0816,\"O'Brien, Jr.\",Seán,IT,sean@x.example,no\n";
    let r = s.import_staff(&ctx(), comma.as_bytes(), &opts()).unwrap();
    assert_eq!((r.encoding, r.delimiter, r.added), ("UTF-8", ',', 1));
    let o = s.get_staff(&pno("0816")).unwrap().unwrap().data;
    assert_eq!(
        (o.surname.as_str(), o.given_name.as_str(), o.active),
        ("O'Brien, Jr.", "Seán", false)
    );
    assert_eq!(
        s.get_staff(&pno("0815")).unwrap().unwrap().data.department,
        "Amt 12"
    );
}

#[test]
fn reimport_is_idempotent_and_dry_run_changes_nothing() {
    let mut s = Store::open_in_memory().unwrap();
    let file = "Personalnummer;Name;Vorname\n1;Alpha;A\n2;Beta;B\n";
    let dry = s
        .import_staff(
            &ctx(),
            file.as_bytes(),
            &ImportOptions {
                dry_run: true,
                ..opts()
            },
        )
        .unwrap();
    assert_eq!((dry.added, dry.dry_run), (2, true));
    assert!(
        s.get_staff(&pno("1")).unwrap().is_none(),
        "dry run wrote nothing"
    );
    assert_eq!(s.verify().unwrap(), 0);
    s.import_staff(&ctx(), file.as_bytes(), &opts()).unwrap();
    let before = snapshot(&s);
    let again = s.import_staff(&ctx(), file.as_bytes(), &opts()).unwrap();
    assert_eq!((again.added, again.changed, again.unchanged), (0, 0, 2));
    assert_eq!(snapshot(&s), before, "no new events either");
    let changed = "Personalnummer;Name;Vorname\n1;Alpha;A\n2;Beta;Bea\n3;Gamma;G\n";
    let dry = s
        .import_staff(
            &ctx(),
            changed.as_bytes(),
            &ImportOptions {
                dry_run: true,
                ..opts()
            },
        )
        .unwrap();
    assert_eq!((dry.added, dry.changed, dry.unchanged), (1, 1, 1));
    assert_eq!(dry.changes[0].action, ImportAction::Change);
    assert_eq!((dry.changes[0].line, dry.changes[0].id.as_str()), (3, "2"));
    assert_eq!(snapshot(&s), before);
}

#[test]
fn bad_files_name_the_line_and_change_nothing() {
    let mut s = seeded();
    let before = snapshot(&s);
    let dup = "Personalnummer;Name\n1;A\n2;B\n3;C\n4;D\n5;E\n6;F\n7;G\n1;H\n";
    let issues = import_err(&mut s, dup.as_bytes());
    assert_eq!(issues[0].line, 9);
    assert_eq!(
        issues[0].message,
        "personnel number 1 appears twice (first on line 2)"
    );
    let e = s
        .import_staff(&ctx(), dup.as_bytes(), &opts())
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("line 9: personnel number 1 appears twice (first on line 2)"),
        "{e}"
    );
    assert!(
        e.ends_with("nothing was imported; fix the file and import again"),
        "{e}"
    );

    let missing = "Name;Vorname\nMüller;Jörg\n";
    let issues = import_err(&mut s, missing.as_bytes());
    assert_eq!(issues[0].line, 1);
    assert!(issues[0]
        .message
        .contains("required column \"personalnummer\" is missing"));

    let quote = "Personalnummer;Name\n1;A\n2;B\n3;\"C\n4;D\n";
    let issues = import_err(&mut s, quote.as_bytes());
    assert_eq!(issues[0].line, 4);
    assert!(issues[0].message.contains("never closed"));

    let wrong_encoding: &[u8] = b"Personalnummer;Name\n1;A\n2;\x81\x8D\n";
    assert_eq!(import_err(&mut s, wrong_encoding)[0].line, 3);
    let utf16_without_bom: &[u8] = b"P\0e\0r\0s\0";
    assert!(import_err(&mut s, utf16_without_bom)[0]
        .message
        .contains("NUL"));
    assert!(import_err(&mut s, b"PK\x03\x04rest")[0]
        .message
        .contains("Excel workbook"));

    let short = "Personalnummer;Name;Vorname\n1;A;B\n2;B\n";
    assert_eq!(import_err(&mut s, short.as_bytes())[0].line, 3);
    // A row that is fine on its own but fails against the database (holder unknown).
    let late = "Inventarnummer;Hostname;Personalnummer\nINV-9;nb-9;4711\nINV-10;nb-10;9999\n";
    match s.import_notebooks(&ctx(), late.as_bytes(), &opts()) {
        Err(StoreError::Import(issues)) => {
            assert_eq!(issues.len(), 1);
            assert_eq!(issues[0].line, 3);
            assert!(issues[0].message.contains("9999"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        snapshot(&s),
        before,
        "the database is unchanged after every failed import"
    );
    assert!(s
        .get_notebook(&AssetTag::parse("INV-9").unwrap())
        .unwrap()
        .is_none());
}

#[test]
fn export_then_import_round_trips() {
    let mut a = seeded();
    a.add_staff(&ctx(), &staff("=cmd", "-Minus", "@home"), "")
        .unwrap();
    a.add_notebook(&ctx(), &notebook("INV-0002", "+nb", None), "")
        .unwrap();
    let k = NewKey {
        serial: serial(23_456_789),
        model: "YubiKey 5C NFC".into(),
        form_factor: "USB-C keychain".into(),
        firmware: "5.7.1".into(),
        batch: "L-2026-11; Charge 3".into(),
    };
    a.add_key(&ctx(), &k, "").unwrap();
    for dialect in [Dialect::Excel, Dialect::Rfc4180] {
        let (mut st, mut nb, mut inv) = (Vec::new(), Vec::new(), Vec::new());
        a.export_staff(&mut st, dialect).unwrap();
        a.export_notebooks(&mut nb, dialect).unwrap();
        a.export_inventory(&mut inv, dialect).unwrap();
        let st_text = String::from_utf8(st.clone()).unwrap();
        assert!(
            st_text.contains("'=cmd") && st_text.contains("'-Minus") && st_text.contains("'@home")
        );
        let mut b = Store::open_in_memory().unwrap();
        b.import_staff(&ctx(), &st, &opts()).unwrap();
        b.import_notebooks(&ctx(), &nb, &opts()).unwrap();
        let r = b.import_keys(&ctx(), &inv, &opts()).unwrap();
        assert_eq!(r.added, 2);
        assert_eq!(
            csv_text(|w| a.export_staff(w, dialect)),
            csv_text(|w| b.export_staff(w, dialect))
        );
        assert_eq!(
            csv_text(|w| a.export_notebooks(w, dialect)),
            csv_text(|w| b.export_notebooks(w, dialect))
        );
        assert_eq!(b.get_key(k.serial).unwrap().unwrap().data, k);
        assert_eq!(
            b.get_staff(&pno("=cmd")).unwrap().unwrap().data.surname,
            "-Minus"
        );
    }
}

#[test]
fn exports_have_the_right_dialect_and_columns() {
    let mut s = seeded();
    drive_to(&mut s, KeyState::Lost);
    s.add_key(&ctx(), &NewKey::unknown(serial(7)), "").unwrap();
    let excel = csv_text(|w| s.export_blocked(w, Dialect::Excel));
    assert_eq!(
        excel,
        "\u{FEFF}serial;state;since\r\n100;lost;2026-11-23T09:00:00Z\r\n"
    );
    let rfc = csv_text(|w| s.export_inventory(w, Dialect::Rfc4180));
    let mut lines = rfc.split("\r\n");
    assert_eq!(
        lines.next().unwrap(),
        "serial,model,form_factor,firmware,batch,state,state_since,holder_personnel_no,holder_name,notebook,hostname,issued_since,due,notes"
    );
    assert_eq!(
        lines.next().unwrap(),
        "7,,,,,in_stock,2026-11-23T09:00:00Z,,,,,,,"
    );
    assert_eq!(
        lines.next().unwrap(),
        "100,,,,,lost,2026-11-23T09:00:00Z,4711,\"Müller, Jörg\",INV-0001,nb-0001,2026-11-23T09:00:00Z,,"
    );
    let history = csv_text(|w| s.export_history(w, Dialect::Excel));
    assert_eq!(history.lines().count(), 1 + s.verify().unwrap() as usize);
    for text in [&excel, &rfc, &history] {
        let lower = text.to_lowercase();
        for secret in ["pin", "puk", "management", "otp", "secret"] {
            assert!(
                !lower.lines().next().unwrap().contains(secret),
                "no {secret} column"
            );
        }
    }
}

// ---------------------------------------------------------------- concurrency

#[test]
fn a_second_store_reads_and_exports_while_the_first_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kd.sqlite");
    let mut writer = Store::open(&path).unwrap();
    writer
        .add_staff(&ctx(), &staff("4711", "Müller", "Jörg"), "")
        .unwrap();
    let p2 = path.clone();
    let reader = std::thread::spawn(move || {
        let auditor = Store::open(&p2).unwrap();
        let mut last = 0;
        for _ in 0..50 {
            let mut out = Vec::new();
            let n = auditor.export_history(&mut out, Dialect::Rfc4180).unwrap();
            assert!(n >= last, "history never shrinks");
            last = n;
            auditor.verify().unwrap();
            auditor.search("mul", 20).unwrap();
        }
        last
    });
    for n in 1..=300 {
        writer
            .add_key(&ctx(), &NewKey::unknown(serial(n)), "delivery")
            .unwrap();
        if n % 3 == 0 {
            writer
                .issue(&ctx(), serial(n), &pno("4711"), None, None, "")
                .unwrap();
        }
    }
    let seen = reader.join().unwrap();
    assert!(seen >= 1);
    assert_eq!(writer.verify().unwrap(), 401);
    // A second writer waits for the lock instead of failing.
    let mut other = Store::open(&path).unwrap();
    other
        .add_key(&ctx(), &NewKey::unknown(serial(1000)), "")
        .unwrap();
    assert_eq!(writer.verify().unwrap(), 402);
}

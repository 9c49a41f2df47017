//! CSV import (German Excel variants, bad files) and export.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use keydesk_store::{ImportIssue, ImportKind, ImportProblem, ParseError, EXPORT_PROGRESS_EVERY};

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
    let mut s = fresh();
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
    let mut s = fresh();
    let bom =
        "\u{FEFF}Personal-Nr.;Nachname;Vorname;Abteilung;Aktiv\r\n0815;Weiß;Grete;Amt 12;ja\r\n";
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
    let mut s = fresh();
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
        issues[0].problem.to_string(),
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
        .problem
        .to_string()
        .contains("required column \"personalnummer\" is missing"));

    let quote = "Personalnummer;Name\n1;A\n2;B\n3;\"C\n4;D\n";
    let issues = import_err(&mut s, quote.as_bytes());
    assert_eq!(issues[0].line, 4);
    assert!(issues[0].problem.to_string().contains("never closed"));

    let wrong_encoding: &[u8] = b"Personalnummer;Name\n1;A\n2;\x81\x8D\n";
    assert_eq!(import_err(&mut s, wrong_encoding)[0].line, 3);
    let utf16_without_bom: &[u8] = b"P\0e\0r\0s\0";
    assert!(import_err(&mut s, utf16_without_bom)[0]
        .problem
        .to_string()
        .contains("NUL"));
    assert!(import_err(&mut s, b"PK\x03\x04rest")[0]
        .problem
        .to_string()
        .contains("Excel workbook"));

    let short = "Personalnummer;Name;Vorname\n1;A;B\n2;B\n";
    assert_eq!(import_err(&mut s, short.as_bytes())[0].line, 3);
    // A row that is fine on its own but fails against the database (holder unknown).
    let late = "Inventarnummer;Hostname;Personalnummer\nINV-9;nb-9;4711\nINV-10;nb-10;9999\n";
    match s.import_notebooks(&ctx(), late.as_bytes(), &opts()) {
        Err(StoreError::Import(issues)) => {
            assert_eq!(issues.len(), 1);
            assert_eq!(issues[0].line, 3);
            assert!(issues[0].problem.to_string().contains("9999"));
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

/// The first problem of importing `text` as `kind`, typed.
fn first_problem(s: &mut Store, kind: ImportKind, text: &str) -> (u64, ImportProblem) {
    match s.import(&ctx(), kind, text.as_bytes(), &opts(), &mut |_, _| {}) {
        Err(StoreError::Import(issues)) => (issues[0].line, issues[0].problem.clone()),
        other => panic!("import should fail, got {other:?}"),
    }
}

#[test]
fn line_problems_are_typed_and_carry_their_data() {
    let mut s = seeded();
    let staff = |s: &mut Store, t: &str| first_problem(s, ImportKind::Staff, t);
    assert_eq!(
        staff(&mut s, "Personalnummer;Name\n1;A\n1;B\n"),
        (
            3,
            ImportProblem::Duplicate {
                kind: ImportKind::Staff,
                id: "1".into(),
                first_line: 2,
            }
        )
    );
    let (line, p) = staff(&mut s, "Name;Vorname\nA;B\n");
    assert_eq!(line, 1);
    match p {
        ImportProblem::MissingColumn {
            column,
            accepted,
            header,
        } => {
            assert_eq!(column, "personalnummer");
            assert!(accepted.contains(&"employeeid"));
            assert_eq!(header, ["Name", "Vorname"]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        staff(&mut s, "Personalnummer;PNR;Name\n1;1;A\n"),
        (
            1,
            ImportProblem::AmbiguousColumn {
                first: "Personalnummer".into(),
                second: "PNR".into(),
                column: "personalnummer",
            }
        )
    );
    assert_eq!(
        staff(&mut s, "Personalnummer,Name,Vorname\n1,A\n"),
        (
            2,
            ImportProblem::FieldCount {
                found: 2,
                expected: 3,
                delimiter: ',',
            }
        )
    );
    assert_eq!(
        staff(&mut s, "Personalnummer;Name\n7;\n"),
        (
            2,
            ImportProblem::NoName {
                personnel_no: PersonnelNo::parse("7").unwrap()
            }
        )
    );
    assert_eq!(
        staff(&mut s, "Personalnummer;Name;Aktiv\n7;A;vielleicht\n"),
        (
            2,
            ImportProblem::NotYesNo {
                value: "vielleicht".into()
            }
        )
    );
    assert_eq!(staff(&mut s, ""), (0, ImportProblem::Empty));
    assert_eq!(
        staff(&mut s, "Personalnummer;Name\n1;\"A\n"),
        (2, ImportProblem::UnclosedQuote)
    );
    assert_eq!(
        first_problem(&mut s, ImportKind::Stock, "Seriennummer\nabc\n"),
        (
            2,
            ImportProblem::Value(ParseError::NotASerial {
                input: "abc".into()
            })
        )
    );
    assert_eq!(
        first_problem(
            &mut s,
            ImportKind::Notebooks,
            "Inventarnummer;Personalnummer\nINV-1;9999\n"
        ),
        (
            2,
            ImportProblem::UnknownHolder {
                personnel_no: "9999".into()
            }
        )
    );
    let bytes: &[u8] = b"Personalnummer;Name\n1;A\x81\n";
    match s.import_staff(&ctx(), bytes, &opts()) {
        Err(StoreError::Import(issues)) => assert_eq!(
            (issues[0].line, &issues[0].problem),
            (2, &ImportProblem::UndefinedByte { byte: 0x81 })
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn typed_problems_read_as_before_in_english() {
    let issue = |line, problem| ImportIssue { line, problem }.to_string();
    assert_eq!(
        issue(
            9,
            ImportProblem::Duplicate {
                kind: ImportKind::Notebooks,
                id: "INV-1".into(),
                first_line: 2,
            }
        ),
        "line 9: asset tag INV-1 appears twice (first on line 2)"
    );
    assert_eq!(
        issue(
            3,
            ImportProblem::FieldCount {
                found: 2,
                expected: 3,
                delimiter: ';',
            }
        ),
        "line 3: 2 fields, but the header has 3; a field containing \";\" must be quoted"
    );
    assert_eq!(
        issue(2, ImportProblem::UndefinedByte { byte: 0x8d }),
        "line 2: byte 0x8D is neither UTF-8 nor Windows-1252; save the file again as \"CSV UTF-8\""
    );
    assert_eq!(
        issue(
            1,
            ImportProblem::MissingColumn {
                column: "seriennummer",
                accepted: &["seriennummer", "serial"],
                header: vec!["Modell".into(), "Charge".into()],
            }
        ),
        "line 1: required column \"seriennummer\" is missing (accepted names: seriennummer, serial); the header has: Modell, Charge"
    );
    assert_eq!(issue(0, ImportProblem::Empty), "the file is empty");
    assert_eq!(
        issue(4, ImportProblem::Value(ParseError::ZeroSerial)),
        "line 4: serial 0 is not a key serial"
    );
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
        site: None,
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
        let mut b = fresh();
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
        "serial,model,form_factor,firmware,batch,state,state_since,holder_personnel_no,holder_name,notebook,hostname,issued_since,due,notes,site"
    );
    assert_eq!(
        lines.next().unwrap(),
        "7,,,,,in_stock,2026-11-23T09:00:00Z,,,,,,,,"
    );
    assert_eq!(
        lines.next().unwrap(),
        "100,,,,,lost,2026-11-23T09:00:00Z,4711,\"Müller, Jörg\",INV-0001,nb-0001,2026-11-23T09:00:00Z,,,"
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

#[test]
fn exports_report_progress_with_the_row_count_known_up_front() {
    let mut s = fresh();
    let n = EXPORT_PROGRESS_EVERY * 2 + 345;
    let file: String = std::iter::once("Personalnummer;Name\r\n".to_owned())
        .chain((0..n).map(|i| format!("{};Person {i}\r\n", 100_000 + i)))
        .collect();
    s.import_staff(&ctx(), file.as_bytes(), &opts()).unwrap();
    for kind in [ExportKind::Staff, ExportKind::History] {
        let mut calls = Vec::new();
        let mut out = Vec::new();
        let rows = s
            .export(kind, &mut out, Dialect::Excel, &mut |done, total| {
                calls.push((done, total));
            })
            .unwrap();
        let total = calls.first().map(|c| c.1).unwrap();
        assert_eq!(
            total, rows,
            "{kind:?}: the total is known before the first row"
        );
        assert_eq!(calls.first(), Some(&(0, rows)));
        assert_eq!(calls.last(), Some(&(rows, rows)));
        let steps: Vec<u64> = calls[1..calls.len() - 1].iter().map(|c| c.0).collect();
        let every: Vec<u64> = (1..=rows / EXPORT_PROGRESS_EVERY)
            .map(|i| i * EXPORT_PROGRESS_EVERY)
            .collect();
        assert_eq!(steps, every, "{kind:?}");
        assert!(
            calls.windows(2).all(|w| w[0].0 <= w[1].0),
            "never backwards"
        );
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count() as u64, rows + 1, "header and rows");
    }
}

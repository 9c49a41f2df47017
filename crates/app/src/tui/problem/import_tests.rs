//! Every problem of an import file, and every value that does not parse,
//! reads in German and in English; the English reads as the store's own
//! `Display` (scripts and the C locale see what they saw before).

use keydesk_core::error::{ImportIssue, ImportProblem, StoreError};
use keydesk_types::{ImportKind, ParseError, PersonnelNo};

use super::tests::{assert_translated, both};
use super::*;

fn import_cases() -> Vec<ImportProblem> {
    vec![
        ImportProblem::ExcelWorkbook,
        ImportProblem::BomNotUtf8,
        ImportProblem::NotUtf16,
        ImportProblem::NulBytes,
        ImportProblem::UndefinedByte { byte: 0x81 },
        ImportProblem::TextAfterQuote,
        ImportProblem::UnclosedQuote,
        ImportProblem::Empty,
        ImportProblem::UnreadableHeader {
            detail: "CSV parse error".into(),
        },
        ImportProblem::UnreadableRow {
            detail: "CSV parse error".into(),
        },
        ImportProblem::MissingColumn {
            column: "personalnummer",
            accepted: &["personalnummer", "pnr"],
            header: vec!["Name".into(), "Vorname".into()],
        },
        ImportProblem::AmbiguousColumn {
            first: "Personalnummer".into(),
            second: "PNR".into(),
            column: "personalnummer",
        },
        ImportProblem::FieldCount {
            found: 2,
            expected: 3,
            delimiter: ';',
        },
        ImportProblem::Duplicate {
            kind: ImportKind::Staff,
            id: "4711".into(),
            first_line: 2,
        },
        ImportProblem::Duplicate {
            kind: ImportKind::Notebooks,
            id: "INV-1".into(),
            first_line: 2,
        },
        ImportProblem::Duplicate {
            kind: ImportKind::Stock,
            id: "23456780".into(),
            first_line: 2,
        },
        ImportProblem::Value(ParseError::ZeroSerial),
        ImportProblem::NoName {
            personnel_no: PersonnelNo::parse("4711").expect("personnel number"),
        },
        ImportProblem::NotYesNo {
            value: "vielleicht".into(),
        },
        ImportProblem::UnknownHolder {
            personnel_no: "9999".into(),
        },
        ImportProblem::UnknownSite {
            code: "AMT99".into(),
        },
    ]
}

fn parse_cases() -> Vec<ParseError> {
    let input = || "x".to_owned();
    vec![
        ParseError::NotASerial { input: input() },
        ParseError::ZeroSerial,
        ParseError::BadIdentifier {
            what: "personnel number",
            input: input(),
        },
        ParseError::BadIdentifier {
            what: "asset tag",
            input: input(),
        },
        ParseError::NotAKeyState { input: input() },
        ParseError::NotARevokeReason { input: input() },
        ParseError::NotASlot { input: input() },
        ParseError::NotAnAlgorithm { input: input() },
        ParseError::NotAPinPolicy { input: input() },
        ParseError::NotATouchPolicy { input: input() },
        ParseError::NotAnImportKind { input: input() },
        ParseError::NotAnExportKind { input: input() },
        ParseError::NotASiteCode { input: input() },
    ]
}

#[test]
fn every_import_problem_is_translated_and_reads_as_the_store_in_english() {
    for p in import_cases() {
        let shown = Problem::from_import(&p);
        assert_translated(&shown, &p.to_string(), &format!("{p:?}"));
        assert_eq!(shown.show(Lang::En), p.to_string(), "{p:?}");
    }
}

#[test]
fn every_value_that_does_not_parse_is_translated_and_reads_as_before_in_english() {
    for e in parse_cases() {
        let shown = Problem::from_parse(&e);
        assert_translated(&shown, &e.to_string(), &format!("{e:?}"));
        assert_eq!(shown.show(Lang::En), e.to_string(), "{e:?}");
    }
}

#[test]
fn import_lines_are_german_under_german() {
    let issues = vec![
        ImportIssue {
            line: 9,
            problem: ImportProblem::Duplicate {
                kind: ImportKind::Staff,
                id: "1".into(),
                first_line: 2,
            },
        },
        ImportIssue {
            line: 3,
            problem: ImportProblem::FieldCount {
                found: 2,
                expected: 3,
                delimiter: ';',
            },
        },
        ImportIssue {
            line: 4,
            problem: ImportProblem::Value(ParseError::BadIdentifier {
                what: "asset tag",
                input: String::new(),
            }),
        },
        ImportIssue {
            line: 0,
            problem: ImportProblem::ExcelWorkbook,
        },
    ];
    let (de, en) = both(&Problem::from_store(&StoreError::Import(issues)));
    let de: Vec<&str> = de.lines().collect();
    assert_eq!(
        de[1..],
        [
            "Zeile 9: Personalnummer 1 kommt doppelt vor (zuerst in Zeile 2)",
            "Zeile 3: 2 Felder, aber die Kopfzeile hat 3; ein Feld, das „;“ enthält, muss in Anführungszeichen stehen",
            "Zeile 4: „“ ist keine gültige Inventarnummer",
            "ganze Datei: Das ist eine Excel-Arbeitsmappe, keine CSV-Datei; in Excel „Speichern unter“ wählen und „CSV UTF-8“ oder „CSV (Trennzeichen-getrennt)“ nehmen",
        ]
    );
    assert!(
        en.contains("\nline 9: personnel number 1 appears twice (first on line 2)\n"),
        "{en}"
    );
    assert!(
        en.contains("\nline 4: \"\" is not a valid asset tag\n"),
        "{en}"
    );
}

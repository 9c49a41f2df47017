//! CSV import: the progress callback and the change list of the report
//! (which rows add or change what, capped so a big file's report stays small).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use keydesk_store::{
    FieldChange, ImportChange, ImportField, ImportKind, ImportReport, CHANGES_LISTED,
    PROGRESS_EVERY,
};

use super::*;

fn opts(dry_run: bool) -> ImportOptions {
    ImportOptions {
        dry_run,
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

/// A staff list of `n` people numbered from 1; `dept` picks each one's department.
fn staff_list(n: usize, dept: impl Fn(usize) -> String) -> String {
    let mut f = String::from("Personalnummer;Name;Vorname;Abteilung\n");
    for i in 1..=n {
        f.push_str(&format!("{i};Name{i};Vorname{i};{}\n", dept(i)));
    }
    f
}

/// Run an import of `kind`, recording every progress call.
fn import_logged(
    s: &mut Store,
    kind: ImportKind,
    file: &str,
    dry_run: bool,
) -> (keydesk_store::Result<ImportReport>, Vec<(usize, usize)>) {
    let mut calls = Vec::new();
    let r = s.import(
        &ctx(),
        kind,
        file.as_bytes(),
        &opts(dry_run),
        &mut |done, total| calls.push((done, total)),
    );
    (r, calls)
}

fn field(field: ImportField, old: &str, new: &str) -> FieldChange {
    FieldChange {
        field,
        old: old.into(),
        new: new.into(),
    }
}

#[test]
fn progress_is_reported_at_the_start_every_thousand_rows_and_at_the_end() {
    assert_eq!(PROGRESS_EVERY, 1000);
    let mut s = fresh();
    let file = staff_list(2500, |_| "IT".into());
    let (r, calls) = import_logged(&mut s, ImportKind::Staff, &file, true);
    let want = vec![(0, 2500), (1000, 2500), (2000, 2500), (2500, 2500)];
    assert_eq!(calls, want, "dry run");
    assert_eq!(r.unwrap().added, 2500);
    assert!(s.get_staff(&pno("1")).unwrap().is_none());
    let (r, calls) = import_logged(&mut s, ImportKind::Staff, &file, false);
    assert_eq!(calls, want, "real import");
    assert_eq!(r.unwrap().added, 2500);
    // An exact multiple of the step reports the end once.
    let (_, calls) = import_logged(
        &mut s,
        ImportKind::Staff,
        &staff_list(2000, |_| "IT".into()),
        false,
    );
    assert_eq!(calls, vec![(0, 2000), (1000, 2000), (2000, 2000)]);
    // The wrappers without a callback still work.
    assert_eq!(
        s.import_staff(&ctx(), file.as_bytes(), &opts(false))
            .unwrap()
            .unchanged,
        2500
    );
}

#[test]
fn a_file_rejected_before_writing_reports_no_progress() {
    let mut s = fresh();
    let (r, calls) = import_logged(
        &mut s,
        ImportKind::Staff,
        "Personalnummer;Name\n1;A\n1;B\n",
        false,
    );
    assert!(matches!(r, Err(StoreError::Import(_))));
    assert!(calls.is_empty(), "{calls:?}");
}

#[test]
fn a_bad_row_late_in_the_file_still_changes_nothing() {
    let mut s = seeded();
    let before = snapshot(&s);
    // 1,500 notebooks; the last one names a holder who does not exist.
    let mut file = String::from("Inventarnummer;Hostname;Personalnummer\n");
    file.push_str("INV-0001;nb-renamed;4711\n");
    for i in 2..1500 {
        file.push_str(&format!("INV-{i:04};nb-{i:04};4711\n"));
    }
    file.push_str("INV-1500;nb-1500;9999\n");
    for dry_run in [true, false] {
        let (r, calls) = import_logged(&mut s, ImportKind::Notebooks, &file, dry_run);
        match r {
            Err(StoreError::Import(issues)) => {
                assert_eq!(issues.len(), 1);
                assert_eq!(issues[0].line, 1501);
                assert!(
                    issues[0].problem.to_string().contains("9999"),
                    "{}",
                    issues[0].problem
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            calls,
            vec![(0, 1500), (1000, 1500)],
            "no end: nothing was done"
        );
        assert_eq!(snapshot(&s), before, "dry run {dry_run}: nothing changed");
    }
    assert_eq!(
        s.get_notebook(&AssetTag::parse("INV-0001").unwrap())
            .unwrap()
            .unwrap()
            .data
            .hostname,
        "nb-0001"
    );
}

#[test]
fn the_change_list_names_line_identity_and_each_changed_field() {
    let mut s = seeded();
    s.add_staff(&ctx(), &staff("4712", "Weiß", "Grete"), "")
        .unwrap();
    let file = "Personalnummer;Name;Vorname;Abteilung;E-Mail;Aktiv\n\
        4711;Müller;Jörg;IT-4;jörg@stadt.example;nein\n\
        4712;Weiß;Grete;IT-3;grete@stadt.example;ja\n\
        4713;Neu;Nina;IT-3;;ja\n";
    let before = snapshot(&s);
    let (r, _) = import_logged(&mut s, ImportKind::Staff, file, true);
    let r = r.unwrap();
    assert_eq!((r.added, r.changed, r.unchanged), (1, 1, 1));
    assert_eq!(r.changes_omitted, 0);
    assert_eq!(
        r.changes,
        vec![
            ImportChange {
                line: 2,
                id: "4711".into(),
                action: ImportAction::Change,
                fields: vec![
                    field(ImportField::Department, "IT-3", "IT-4"),
                    field(ImportField::Active, "true", "false"),
                ],
            },
            ImportChange {
                line: 4,
                id: "4713".into(),
                action: ImportAction::Add,
                fields: vec![],
            },
        ]
    );
    assert_eq!(snapshot(&s), before, "the dry run changed nothing");
    // The real import reports the same list.
    let real = s
        .import_staff(&ctx(), file.as_bytes(), &opts(false))
        .unwrap();
    assert_eq!(real.changes, r.changes);

    // Notebooks: a new holder; keys: supplier data.
    let nb = "Inventarnummer;Hostname;Modell;Seriennummer;Personalnummer\n\
        INV-0001;nb-0001;ThinkPad T14;PF-INV-0001;4712\n";
    let (r, _) = import_logged(&mut s, ImportKind::Notebooks, nb, true);
    assert_eq!(
        r.unwrap().changes[0].fields,
        vec![field(ImportField::Holder, "4711", "4712")]
    );
    let keys = "Seriennummer;Modell;Firmware;Lieferung\n100;YubiKey 5 NFC;5.7.1;L-7\n";
    let r = s.import_keys(&ctx(), keys.as_bytes(), &opts(true)).unwrap();
    assert_eq!(
        r.changes[0].fields,
        vec![
            field(ImportField::Model, "", "YubiKey 5 NFC"),
            field(ImportField::Firmware, "", "5.7.1"),
            field(ImportField::Batch, "", "L-7"),
        ]
    );
    assert_eq!(r.changes[0].id, "100");
}

#[test]
fn the_change_list_is_capped_and_counts_the_rest() {
    let mut s = fresh();
    let n = CHANGES_LISTED + 50;
    let (r, _) = import_logged(
        &mut s,
        ImportKind::Staff,
        &staff_list(n, |_| "IT".into()),
        false,
    );
    let r = r.unwrap();
    assert_eq!(
        (r.added, r.changes.len(), r.changes_omitted),
        (n, CHANGES_LISTED, 50)
    );
    assert_eq!(
        r.changes.last().map(|c| c.line),
        Some(CHANGES_LISTED as u64 + 1)
    );
    // Every other row changes department: 125 changes, all listed with fields.
    let half = staff_list(n, |i| {
        if i % 2 == 0 {
            "Amt 7".into()
        } else {
            "IT".into()
        }
    });
    let (r, _) = import_logged(&mut s, ImportKind::Staff, &half, false);
    let r = r.unwrap();
    assert_eq!(
        (r.changed, r.unchanged, r.changes_omitted),
        (n / 2, n / 2, 0)
    );
    assert!(r
        .changes
        .iter()
        .all(|c| c.fields == vec![field(ImportField::Department, "IT", "Amt 7")]));
    // All rows change: the first CHANGES_LISTED are listed, the rest counted.
    let all = staff_list(n, |_| "Amt 8".into());
    let r = s
        .import_staff(&ctx(), all.as_bytes(), &opts(false))
        .unwrap();
    assert_eq!(
        (r.changed, r.changes.len(), r.changes_omitted),
        (n, CHANGES_LISTED, 50)
    );
    assert_eq!(r.changes[0].fields[0].old, "IT");
    assert_eq!(r.changes[1].fields[0].old, "Amt 7");
}

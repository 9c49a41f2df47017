//! Worker side of the import screen: the store's report becomes the summary
//! the screen shows, with field names as table texts (so the change list
//! follows a language switch) and yes/no values as flags.

use keydesk_core::records::{ImportAction, ImportField, ImportReport};

use crate::i18n::Text;
use crate::tui::model::{ChangeLine, ImportSummary, Val};

fn field_text(f: ImportField) -> Text {
    match f {
        ImportField::Surname => Text::FieldSurname,
        ImportField::GivenName => Text::FieldGivenName,
        ImportField::Department => Text::FactDepartment,
        ImportField::Email => Text::FactEmail,
        ImportField::Active => Text::FieldActive,
        ImportField::Hostname => Text::FactHostname,
        ImportField::Model => Text::FactModel,
        ImportField::SerialNo => Text::FieldSerialNo,
        ImportField::Holder => Text::FactHolder,
        ImportField::FormFactor => Text::FieldFormFactor,
        ImportField::Firmware => Text::FactFirmware,
        ImportField::Batch => Text::FieldBatch,
        ImportField::Site => Text::FieldSite,
    }
}

fn value(f: ImportField, s: &str) -> Val {
    if f == ImportField::Active {
        Val::Flag(s == "true")
    } else {
        Val::Text(s.to_owned())
    }
}

/// What the screen shows of an import's report.
#[must_use]
pub fn summary(r: &ImportReport) -> ImportSummary {
    ImportSummary {
        dry_run: r.dry_run,
        rows: r.rows,
        added: r.added,
        changed: r.changed,
        unchanged: r.unchanged,
        encoding: r.encoding.to_owned(),
        delimiter: r.delimiter,
        changes: r
            .changes
            .iter()
            .map(|c| ChangeLine {
                line: c.line,
                added: c.action == ImportAction::Add,
                id: c.id.clone(),
                fields: c
                    .fields
                    .iter()
                    .map(|f| {
                        (
                            field_text(f.field),
                            value(f.field, &f.old),
                            value(f.field, &f.new),
                        )
                    })
                    .collect(),
            })
            .collect(),
        more: r.changes_omitted,
    }
}

#[cfg(test)]
mod tests {
    use keydesk_core::records::{FieldChange, ImportChange};

    use super::*;

    #[test]
    fn the_worker_sends_row_progress_then_the_summary_with_the_change_list() {
        use crate::tui::model::{Cmd, ImportKind, Msg};
        use crate::tui::runtime::Service;
        let dir = tempfile::tempdir().expect("temp dir");
        let desk = keydesk_core::Desk::open(
            &keydesk_core::DbLocation::File(dir.path().join("inventory.db")),
            None,
            keydesk_core::Keys::System,
        )
        .expect("desk");
        let mut service = crate::tui::service::DeskService::new(desk);
        let (tx, rx) = std::sync::mpsc::channel();
        service.attach(tx);
        let mut file = String::from("Personalnummer;Name;Vorname\n");
        for i in 1..=2500 {
            file.push_str(&format!("{};Name{i};Vorname{i}\n", 900_000 + i));
        }
        let path = dir.path().join("staff.csv");
        std::fs::write(&path, file).expect("write csv");
        let out = service.run(Cmd::Import {
            what: ImportKind::Staff,
            path: path.display().to_string(),
            dry_run: true,
        });
        let progress: Vec<Msg> = rx.try_iter().collect();
        let want: Vec<Msg> = [0, 1000, 2000, 2500]
            .into_iter()
            .map(|done| Msg::RowProgress { done, total: 2500 })
            .collect();
        assert_eq!(progress, want);
        match out.as_slice() {
            [Msg::Imported(s)] => {
                assert_eq!((s.dry_run, s.added), (true, 2500));
                assert_eq!((s.changes.len(), s.more), (200, 2300));
                assert_eq!((s.changes[0].line, s.changes[0].id.as_str()), (2, "900001"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn fields_become_texts_and_active_a_flag() {
        let change = |action, fields| ImportChange {
            line: 7,
            id: "4711".into(),
            action,
            fields,
        };
        let r = ImportReport {
            encoding: "UTF-8",
            delimiter: ';',
            rows: 300,
            added: 1,
            changed: 250,
            unchanged: 49,
            changes: vec![
                change(ImportAction::Add, vec![]),
                change(
                    ImportAction::Change,
                    vec![
                        FieldChange {
                            field: ImportField::Department,
                            old: "IT-3".into(),
                            new: "IT-4".into(),
                        },
                        FieldChange {
                            field: ImportField::Active,
                            old: "true".into(),
                            new: "false".into(),
                        },
                    ],
                ),
            ],
            changes_omitted: 249,
            dry_run: true,
        };
        let s = summary(&r);
        assert_eq!((s.rows, s.more, s.changes.len()), (300, 249, 2));
        assert!(s.changes[0].added && !s.changes[1].added);
        assert_eq!(
            s.changes[1].fields,
            vec![
                (
                    Text::FactDepartment,
                    Val::Text("IT-3".into()),
                    Val::Text("IT-4".into())
                ),
                (Text::FieldActive, Val::Flag(true), Val::Flag(false)),
            ]
        );
    }
}

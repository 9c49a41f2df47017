//! File errors and the worker's own refusals (a demo drawer that is empty,
//! a record deleted since it was found) come from the table, and a problem
//! can be shown on one line.

use std::collections::BTreeSet;
use std::io;

use keydesk_core::error::DeviceError;
use keydesk_core::error::{Done, Next};
use keydesk_core::error::{ImportIssue, ImportProblem, StoreError};
use keydesk_core::CoreError;

use super::tests::{assert_translated, both, serial};
use super::*;

#[test]
fn file_errors_name_the_file_say_what_to_do_and_keep_the_system_message() {
    use io::ErrorKind as K;
    let path = "/srv/export/keydesk-inventory.csv";
    let cases = [
        (K::NotFound, FileOp::Read, "gibt es nicht", "does not exist"),
        (
            K::NotFound,
            FileOp::Write,
            "Den Ordner für",
            "The folder for",
        ),
        (
            K::PermissionDenied,
            FileOp::Read,
            "nicht gelesen werden (Zugriff verweigert)",
            "cannot be read (permission denied)",
        ),
        (
            K::PermissionDenied,
            FileOp::Write,
            "kann nicht geschrieben werden (Zugriff verweigert). Wählen Sie einen anderen Ort.",
            "cannot be written (permission denied). Choose another place.",
        ),
        (
            K::AlreadyExists,
            FileOp::Write,
            "gibt es schon",
            "already exists",
        ),
        (
            K::IsADirectory,
            FileOp::Read,
            "ist ein Ordner",
            "is a folder",
        ),
        (
            K::StorageFull,
            FileOp::Write,
            "kein Platz mehr",
            "disk is full",
        ),
        (
            K::InvalidData,
            FileOp::Read,
            "kann nicht gelesen werden: erneut",
            "cannot be read: try again",
        ),
        (
            K::Interrupted,
            FileOp::Write,
            "kann nicht geschrieben werden: einen anderen Ort",
            "cannot be written: choose another place",
        ),
    ];
    let mut seen = BTreeSet::new();
    for (kind, op, de_want, en_want) in cases {
        let e = io::Error::from(kind);
        let p = Problem::file(op, path, &e);
        seen.insert(format!("{:?}", p.text()));
        let (de, en) = both(&p);
        assert!(
            de.contains(path) && de.contains(de_want),
            "{kind:?} {op:?}: {de}"
        );
        assert!(
            en.contains(path) && en.contains(en_want),
            "{kind:?} {op:?}: {en}"
        );
        assert!(de.ends_with(&format!("(Systemmeldung: {e})")), "{de}");
        assert!(en.ends_with(&format!("(system message: {e})")), "{en}");
        assert_translated(&p, &e.to_string(), &format!("{kind:?} {op:?}"));
    }
    assert_eq!(seen.len(), cases.len(), "each case has its own text");
}

#[test]
fn one_line_form_for_the_footer() {
    let p = Problem::from_core(&CoreError::from(DeviceError::NoKey).after(
        Done::Returned { serial: serial() },
        Next::ResetLater { serial: serial() },
    ));
    assert!(p.show(Lang::De).contains('\n'));
    assert!(!p.show_one_line(Lang::De).contains('\n'));
    let import = Problem::from_store(&StoreError::Import(vec![
        ImportIssue {
            line: 3,
            problem: ImportProblem::Empty,
        },
        ImportIssue {
            line: 7,
            problem: ImportProblem::NotYesNo { value: "x".into() },
        },
    ]));
    assert!(
        import.show_one_line(Lang::En).ends_with(
            "import again: line 3: the file is empty; line 7: \"x\" is not a yes/no value for the active column (ja/nein, 1/0)"
        ),
        "{}",
        import.show_one_line(Lang::En)
    );
}

#[cfg(feature = "sim")]
#[test]
fn the_worker_reports_file_demo_and_gone_record_problems_from_the_table() {
    use crate::tui::model::{Cmd, ExportKind, ImportKind, Msg, Pins, Target};
    use crate::tui::runtime::Service;
    use crate::tui::testing::s;

    let dir = tempfile::tempdir().expect("tempdir");
    let mut svc = crate::demo::open(&dir.path().join("demo.db"), 4).expect("demo opens");
    let failed = |out: Vec<Msg>| {
        out.into_iter()
            .find_map(|m| match m {
                Msg::Failed(p) | Msg::WizardFailed(p) => Some(p),
                _ => None,
            })
            .expect("a failure")
    };
    let missing = dir.path().join("nowhere").join("staff.csv");
    let missing = missing.display().to_string();
    let p = failed(svc.run(Cmd::Import {
        what: ImportKind::Staff,
        path: missing.clone(),
        dry_run: true,
    }));
    assert_eq!(p.text(), Text::ErrFileNotFound);
    assert!(
        p.show(Lang::De)
            .starts_with(&format!("Die Datei {missing} gibt es nicht")),
        "{}",
        p.show(Lang::De)
    );
    let export = |path: String| Cmd::Export {
        what: ExportKind::Inventory,
        path,
    };
    let p = failed(svc.run(export(missing.clone())));
    assert_eq!(p.text(), Text::ErrFileNoFolder);
    assert!(p.show(Lang::En).contains(&missing), "{}", p.show(Lang::En));
    let p = failed(svc.run(export(dir.path().display().to_string())));
    assert_eq!(p.text(), Text::ErrFileIsFolder);
    let p = failed(svc.run(Cmd::PlugVirtual));
    assert_eq!(p.text(), Text::ErrDemoAllPlugged, "all drawer keys are in");
    let p = failed(svc.run(Cmd::Open(Target::Staff(999_999))));
    assert_eq!(p.text(), Text::ErrStaffGone);
    let p = failed(svc.run(Cmd::Open(Target::Notebook(999_999))));
    assert_eq!(p.text(), Text::ErrNotebookGone);
    let p = failed(svc.run(Cmd::Enrol {
        serial: s(23_456_780),
        staff: 999_999,
        notebook: None,
        pins: Pins::Letter,
    }));
    assert_eq!(p.text(), Text::ErrStaffGone);
}

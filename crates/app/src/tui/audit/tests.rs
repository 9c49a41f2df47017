//! The audit screen's keys and jobs: verify, exports to an edited path,
//! imports as a dry run first, row progress, and the app routing to it.

use crossterm::event::KeyModifiers;

use super::*;
use crate::i18n::Lang;

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// A key on the audit screen: the commands it sends, and whether it closes it.
fn press(a: &mut Audit, code: KeyCode) -> Outcome {
    a.on_key(key(code), &Ctx::test(&[]))
}

#[test]
fn verify_then_export_to_an_edited_path() {
    let mut a = Audit::new();
    assert_eq!(press(&mut a, KeyCode::Enter).cmds(), [Cmd::Verify]);
    assert!(
        press(&mut a, KeyCode::Enter).cmds().is_empty(),
        "one job at a time"
    );
    a.log_line(Text::AuditOk, "12".into(), true);
    press(&mut a, KeyCode::Down);
    assert_eq!(a.path, "keydesk-inventory.csv");
    for _ in 0..a.path.len() {
        press(&mut a, KeyCode::Backspace);
    }
    assert!(
        press(&mut a, KeyCode::Enter).cmds().is_empty(),
        "no path, no export"
    );
    assert_eq!(a.log.last().map(|l| l.0), Some(Text::ExportNeedsPath));
    for c in "/tmp/x.csv".chars() {
        press(&mut a, KeyCode::Char(c));
    }
    assert_eq!(
        press(&mut a, KeyCode::Enter).cmds(),
        [Cmd::Export {
            what: ExportKind::Inventory,
            path: "/tmp/x.csv".into()
        }]
    );
    a.log_line(Text::ExportWrote, "3".into(), true);
    press(&mut a, KeyCode::Down);
    press(&mut a, KeyCode::Down);
    assert_eq!(a.export(), Some(ExportKind::Revoked));
    assert!(press(&mut a, KeyCode::Esc).closes());
}

#[test]
fn import_runs_a_dry_run_first_then_applies_on_a_second_enter() {
    let mut a = Audit::new();
    for _ in 0..4 {
        press(&mut a, KeyCode::Down);
    }
    assert_eq!(a.import(), Some(ImportKind::Staff));
    assert_eq!(a.path, "staff.csv");
    let dry = vec![Cmd::Import {
        what: ImportKind::Staff,
        path: "staff.csv".into(),
        dry_run: true,
    }];
    assert_eq!(press(&mut a, KeyCode::Enter).cmds(), dry);
    assert!(a.busy);
    a.tick(Duration::from_millis(1500));
    assert_eq!(a.elapsed, Duration::from_millis(1500));
    assert!(
        press(&mut a, KeyCode::Enter).cmds().is_empty(),
        "one job at a time"
    );
    let summary = ImportSummary {
        dry_run: true,
        rows: 3,
        added: 2,
        changed: 1,
        unchanged: 0,
        encoding: "windows-1252".into(),
        delimiter: ';',
        changes: Vec::new(),
        more: 0,
    };
    a.imported(&summary);
    assert!(!a.busy);
    assert_eq!(a.log.last().map(|l| l.0), Some(Text::ImportFormat));
    assert_eq!(a.review.as_ref().map(|r| &r.summary), Some(&summary));
    assert_eq!(a.footer_keys(), Text::FooterReview);
    // While the change list shows, letters do not edit the hidden path,
    // and Esc discards the dry run without leaving the screen.
    press(&mut a, KeyCode::Char('x'));
    assert_eq!(a.path, "staff.csv");
    assert!(!press(&mut a, KeyCode::Esc).closes());
    assert!(a.review.is_none() && a.pending.is_none());
    assert_eq!(a.log.last().map(|l| l.0), Some(Text::ReviewDiscarded));
    assert_eq!(a.footer_keys(), Text::FooterAudit);
    // Editing the path after the dry run asks for a new dry run.
    press(&mut a, KeyCode::Char('x'));
    press(&mut a, KeyCode::Backspace);
    assert_eq!(press(&mut a, KeyCode::Enter).cmds(), dry);
    a.imported(&summary);
    press(&mut a, KeyCode::Down);
    assert_eq!(a.import(), Some(ImportKind::Staff), "↓ scrolls the list");
    assert_eq!(
        press(&mut a, KeyCode::Enter).cmds(),
        [Cmd::Import {
            what: ImportKind::Staff,
            path: "staff.csv".into(),
            dry_run: false,
        }]
    );
    assert_eq!(a.log.last().map(|l| l.0), Some(Text::ImportApplying));
    assert!(a.review.is_none(), "back to the log while it runs");
    a.imported(&ImportSummary {
        dry_run: false,
        ..summary
    });
    assert_eq!(
        a.pending, None,
        "applied; the next Enter is a dry run again"
    );
    assert!(a.review.is_none(), "no review after the real import");
    press(&mut a, KeyCode::Down);
    press(&mut a, KeyCode::Down);
    press(&mut a, KeyCode::Down);
    assert_eq!(a.import(), Some(ImportKind::Stock), "last entry stays");
}

#[test]
fn row_progress_shows_while_an_import_or_export_runs_and_clears_at_the_end() {
    let mut a = Audit::new();
    a.row_progress(10, 20);
    assert_eq!(a.progress, None, "nothing runs");
    press(&mut a, KeyCode::Down);
    press(&mut a, KeyCode::Enter);
    a.row_progress(10_000, 20_000);
    assert_eq!(
        a.progress,
        Some((10_000, 20_000)),
        "an export's rows so far"
    );
    a.log_line(Text::ExportWrote, "20000".into(), true);
    assert_eq!(a.progress, None, "the bar goes with the result");
    for _ in 0..4 {
        press(&mut a, KeyCode::Down);
    }
    press(&mut a, KeyCode::Enter);
    assert!(a.busy && a.progress.is_none(), "reading the file");
    a.row_progress(0, 2500);
    a.row_progress(1000, 2500);
    assert_eq!(a.progress, Some((1000, 2500)));
    // A failure ends the job and its bar.
    a.log_line(Text::ErrorPrefix, "disk full".into(), true);
    assert!(!a.busy && a.progress.is_none());
    a.row_progress(2000, 2500);
    assert_eq!(a.progress, None, "late messages are dropped");
    press(&mut a, KeyCode::Enter);
    a.row_progress(2500, 2500);
    a.imported(&ImportSummary {
        dry_run: true,
        rows: 2500,
        added: 2500,
        changed: 0,
        unchanged: 0,
        encoding: "UTF-8".into(),
        delimiter: ',',
        changes: Vec::new(),
        more: 2500,
    });
    assert_eq!(a.progress, None);
}

#[test]
fn the_app_routes_progress_and_review_keys_to_the_audit_screen() {
    use super::super::model::{ChangeLine, Msg};
    use super::super::state::App;
    let mut app = App::new(Lang::En, false);
    let press = |app: &mut App, code| app.update(Msg::Key(key(code)));
    press(&mut app, KeyCode::F(3));
    for _ in 0..4 {
        press(&mut app, KeyCode::Down);
    }
    assert_eq!(press(&mut app, KeyCode::Enter).len(), 1);
    app.update(Msg::RowProgress {
        done: 1000,
        total: 4000,
    });
    let audit = |app: &App| app.screen::<Audit>().cloned().expect("audit screen");
    assert_eq!(audit(&app).progress, Some((1000, 4000)));
    let changes: Vec<ChangeLine> = (0..30)
        .map(|i| ChangeLine {
            line: i + 2,
            added: true,
            id: i.to_string(),
            fields: Vec::new(),
        })
        .collect();
    app.update(Msg::Imported(ImportSummary {
        dry_run: true,
        rows: 4000,
        added: 30,
        changed: 0,
        unchanged: 3970,
        encoding: "UTF-8".into(),
        delimiter: ';',
        changes,
        more: 0,
    }));
    let scroll = |app: &App| audit(app).review.map(|r| r.scroll);
    assert_eq!(scroll(&app), Some(0));
    press(&mut app, KeyCode::PageDown);
    assert_eq!(scroll(&app), Some(review::PAGE - 1));
    press(&mut app, KeyCode::End);
    assert_eq!(scroll(&app), Some(30 - review::PAGE));
    press(&mut app, KeyCode::Up);
    assert_eq!(scroll(&app), Some(30 - review::PAGE - 1));
    press(&mut app, KeyCode::Esc);
    assert_eq!(scroll(&app), None, "Esc discards the dry run");
    assert!(
        app.screen::<Audit>().is_some(),
        "and stays on the audit screen"
    );
    press(&mut app, KeyCode::Esc);
    assert!(app.screen::<Audit>().is_none());
}

//! The audit and export screen: check the audit trail's hash chain (and show
//! its newest event as the anchor the auditor writes down), write the exports
//! (inventory, history, revoked serials; CSV that German Excel opens) to a
//! file, import CSV files (staff, notebooks, a delivery into stock: first a
//! dry run, whose change list is shown for review, then Enter again to
//! apply), with a log of what happened. While the worker runs, a spinner and
//! the elapsed seconds show, and for an import or export a progress bar with
//! the rows done so far (an import is still one transaction: all rows or none).

mod anchor;
mod progress;
pub mod report;
pub mod review;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, List, ListItem, Paragraph, Widget, Wrap};

use super::model::{Cmd, DefaultFile, ExportKind, ImportKind, ImportSummary, Label};
use crate::i18n::{Lang, Text};
pub(crate) use progress::fill;
use progress::progress_line;
use review::Review;

/// State of the audit screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    /// 0: verify; 1..=3: the exports; 4..=6: the imports.
    pub choice: usize,
    /// Target file of the selected export (editable).
    pub path: String,
    /// What happened, newest last.
    pub log: Vec<(Text, String)>,
    pub busy: bool,
    /// How long the running job has taken (for the spinner).
    pub elapsed: Duration,
    /// A dry run passed for this import and file: Enter applies it.
    pub pending: Option<(ImportKind, String)>,
    /// The running import's rows applied so far, of all.
    pub progress: Option<(usize, usize)>,
    /// The dry run's change list, shown instead of the menu until Enter
    /// applies the import or Esc discards it.
    pub review: Option<Review>,
    pub closed: bool,
}

/// Menu entries: verify, the exports, the imports.
const ENTRIES: usize = 1 + ExportKind::AUDIT.len() + ImportKind::ALL.len();

impl Default for Audit {
    fn default() -> Self {
        Self::new()
    }
}

impl Audit {
    #[must_use]
    pub fn new() -> Self {
        Self {
            choice: 0,
            path: String::new(),
            log: Vec::new(),
            busy: false,
            elapsed: Duration::ZERO,
            pending: None,
            progress: None,
            review: None,
            closed: false,
        }
    }

    /// The export under the cursor, if it is one.
    #[must_use]
    pub fn export(&self) -> Option<ExportKind> {
        self.choice
            .checked_sub(1)
            .and_then(|i| ExportKind::AUDIT.get(i).copied())
    }

    /// The import under the cursor, if it is one.
    #[must_use]
    pub fn import(&self) -> Option<ImportKind> {
        self.choice
            .checked_sub(1 + ExportKind::AUDIT.len())
            .and_then(|i| ImportKind::ALL.get(i).copied())
    }

    fn select(&mut self, choice: usize) {
        self.choice = choice;
        self.pending = None;
        self.path = match (self.export(), self.import()) {
            (Some(e), _) => e.default_file().to_owned(),
            (_, Some(i)) => i.default_file().to_owned(),
            _ => String::new(),
        };
    }

    fn start(&mut self) {
        self.busy = true;
        self.elapsed = Duration::ZERO;
        self.progress = None;
    }

    fn stop(&mut self) {
        self.busy = false;
        self.progress = None;
    }

    /// The keys line of the footer for what the screen shows now.
    #[must_use]
    pub fn footer(&self) -> Text {
        if self.review.is_some() {
            Text::FooterReview
        } else {
            Text::FooterAudit
        }
    }

    /// Time passed: the spinner turns while a job runs.
    pub fn tick(&mut self, dt: Duration) {
        if self.busy {
            self.elapsed += dt;
        }
    }

    fn on_enter(&mut self) -> Vec<Cmd> {
        let path = self.path.trim().to_owned();
        if let Some(what) = self.import() {
            if path.is_empty() {
                self.log
                    .push((Text::ImportNeedsPath, what.default_file().to_owned()));
                return Vec::new();
            }
            self.review = None;
            let apply = self.pending.take() == Some((what, path.clone()));
            let text = if apply {
                Text::ImportApplying
            } else {
                Text::ImportChecking
            };
            self.log.push((text, path.clone()));
            self.start();
            return vec![Cmd::Import {
                what,
                path,
                dry_run: !apply,
            }];
        }
        match self.export() {
            None => {
                self.start();
                vec![Cmd::Verify]
            }
            Some(what) if path.is_empty() => {
                self.log.push((Text::ExportNeedsPath, what_name(what)));
                Vec::new()
            }
            Some(what) => {
                self.start();
                vec![Cmd::Export { what, path }]
            }
        }
    }

    /// The worker got this far with the running import or export.
    pub fn row_progress(&mut self, done: usize, total: usize) {
        if self.busy && (self.import().is_some() || self.export().is_some()) {
            self.progress = Some((done, total));
        }
    }

    /// The worker's answer to an import.
    pub fn imported(&mut self, s: &ImportSummary) {
        let counts = format!("{}/{}/{}/{}", s.rows, s.added, s.changed, s.unchanged);
        let text = if s.dry_run {
            Text::ImportWould
        } else {
            Text::ImportDone
        };
        self.log.push((text, counts));
        self.log.push((
            Text::ImportFormat,
            format!("{} / {:?}", s.encoding, s.delimiter),
        ));
        self.stop();
        if s.dry_run {
            if let Some(what) = self.import() {
                self.pending = Some((what, self.path.trim().to_owned()));
                self.review = Some(Review::new(s.clone()));
            }
        }
    }

    /// A key while the dry run's change list is shown.
    fn on_review_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        match key.code {
            KeyCode::Enter => self.on_enter(),
            KeyCode::Esc => {
                self.review = None;
                self.pending = None;
                self.log
                    .push((Text::ReviewDiscarded, self.path.trim().to_owned()));
                Vec::new()
            }
            _ => {
                if let Some(r) = &mut self.review {
                    r.on_key(key);
                }
                Vec::new()
            }
        }
    }

    /// A key on this screen.
    pub fn on_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        if self.review.is_some() && !self.busy {
            return self.on_review_key(key);
        }
        match key.code {
            KeyCode::Esc => self.closed = true,
            KeyCode::Up | KeyCode::Down if self.busy => {}
            KeyCode::Up => self.select(self.choice.saturating_sub(1)),
            KeyCode::Down => self.select((self.choice + 1).min(ENTRIES - 1)),
            KeyCode::Enter if self.busy => {}
            KeyCode::Enter => return self.on_enter(),
            KeyCode::Backspace if self.choice > 0 && !self.busy => {
                self.pending = None;
                self.path.pop();
            }
            KeyCode::Char(c) if self.choice > 0 && !self.busy => {
                self.pending = None;
                self.path.push(c);
            }
            _ => {}
        }
        Vec::new()
    }

    /// A line of progress or a result from the worker.
    pub fn log_line(&mut self, text: Text, arg: String, finished: bool) {
        self.log.push((text, arg));
        if finished {
            self.stop();
        }
    }
}

fn what_name(what: ExportKind) -> String {
    what.default_file().to_owned()
}

/// A log entry: the text with its argument in the `{}` slot, or after it.
fn log_line(text: &str, arg: &str) -> Line<'static> {
    let line = if text.contains("{}") {
        fill(text, &[arg.to_owned()])
    } else if arg.is_empty() {
        text.to_owned()
    } else {
        format!("{text} {arg}")
    };
    Line::from(line)
}

/// Draw the audit screen.
pub fn render(a: &Audit, lang: Lang, area: Rect, buf: &mut Buffer) {
    if let Some(r) = &a.review {
        review::render(r, &a.path, lang, area, buf);
        return;
    }
    let t = |x| lang.t(x);
    let [menu, path, log] = Layout::vertical([
        Constraint::Length(u16::try_from(ENTRIES).unwrap_or(7) + 2),
        Constraint::Length(3),
        Constraint::Min(3),
    ])
    .areas(area);
    let items: Vec<ListItem<'_>> = std::iter::once(Text::AuditVerify)
        .chain(ExportKind::AUDIT.iter().map(|e| e.text()))
        .chain(ImportKind::ALL.iter().map(|e| e.text()))
        .enumerate()
        .map(|(i, x)| {
            let mark = if i == a.choice { "›" } else { " " };
            let item = ListItem::new(format!("{mark} {}", t(x)));
            if i == a.choice {
                item.style(Style::new().add_modifier(Modifier::REVERSED))
            } else {
                item
            }
        })
        .collect();
    List::new(items)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(t(Text::AuditTitle)),
        )
        .render(menu, buf);
    let path_line = if a.choice > 0 {
        Line::from(format!("{}▏", a.path))
    } else {
        Line::from(t(Text::AuditVerifyHint))
    };
    Paragraph::new(path_line)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(t(Text::ExportPath)),
        )
        .render(path, buf);
    let mut lines: Vec<Line<'_>> = a.log.iter().map(|(x, arg)| log_line(t(*x), arg)).collect();
    if a.busy {
        const SPIN: [&str; 4] = ["|", "/", "-", "\\"];
        let tenths = a.elapsed.as_millis() / 250;
        let frame = SPIN[usize::try_from(tenths % 4).unwrap_or(0)];
        let mut line = format!("{frame} {} {}s", t(Text::Working), a.elapsed.as_secs());
        if a.import().is_some() {
            let note = if a.progress.is_some() {
                Text::ImportAllOrNothing
            } else {
                Text::ImportReading
            };
            line = format!("{line} · {}", t(note));
        }
        lines.push(Line::from(line));
        if let Some((done, total)) = a.progress {
            lines.push(Line::from(progress_line(done, total, lang)));
        }
    } else if a.pending.is_some() {
        lines.push(Line::from(t(Text::ImportConfirm)));
    }
    let skip = lines
        .len()
        .saturating_sub(usize::from(log.height.saturating_sub(2)));
    Paragraph::new(lines.split_off(skip))
        .wrap(Wrap { trim: false })
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(t(Text::AuditLog)),
        )
        .render(log, buf);
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyModifiers;

    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn verify_then_export_to_an_edited_path() {
        let mut a = Audit::new();
        assert_eq!(a.on_key(key(KeyCode::Enter)), vec![Cmd::Verify]);
        assert!(
            a.on_key(key(KeyCode::Enter)).is_empty(),
            "one job at a time"
        );
        a.log_line(Text::AuditOk, "12".into(), true);
        a.on_key(key(KeyCode::Down));
        assert_eq!(a.path, "keydesk-inventory.csv");
        for _ in 0..a.path.len() {
            a.on_key(key(KeyCode::Backspace));
        }
        assert!(
            a.on_key(key(KeyCode::Enter)).is_empty(),
            "no path, no export"
        );
        assert_eq!(a.log.last().map(|l| l.0), Some(Text::ExportNeedsPath));
        for c in "/tmp/x.csv".chars() {
            a.on_key(key(KeyCode::Char(c)));
        }
        assert_eq!(
            a.on_key(key(KeyCode::Enter)),
            vec![Cmd::Export {
                what: ExportKind::Inventory,
                path: "/tmp/x.csv".into()
            }]
        );
        a.log_line(Text::ExportWrote, "3".into(), true);
        a.on_key(key(KeyCode::Down));
        a.on_key(key(KeyCode::Down));
        assert_eq!(a.export(), Some(ExportKind::Revoked));
        a.on_key(key(KeyCode::Esc));
        assert!(a.closed);
    }

    #[test]
    fn import_runs_a_dry_run_first_then_applies_on_a_second_enter() {
        let mut a = Audit::new();
        for _ in 0..4 {
            a.on_key(key(KeyCode::Down));
        }
        assert_eq!(a.import(), Some(ImportKind::Staff));
        assert_eq!(a.path, "staff.csv");
        let dry = vec![Cmd::Import {
            what: ImportKind::Staff,
            path: "staff.csv".into(),
            dry_run: true,
        }];
        assert_eq!(a.on_key(key(KeyCode::Enter)), dry);
        assert!(a.busy);
        a.tick(Duration::from_millis(1500));
        assert_eq!(a.elapsed, Duration::from_millis(1500));
        assert!(
            a.on_key(key(KeyCode::Enter)).is_empty(),
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
        assert_eq!(a.footer(), Text::FooterReview);
        // While the change list shows, letters do not edit the hidden path,
        // and Esc discards the dry run without leaving the screen.
        a.on_key(key(KeyCode::Char('x')));
        assert_eq!(a.path, "staff.csv");
        a.on_key(key(KeyCode::Esc));
        assert!(!a.closed && a.review.is_none() && a.pending.is_none());
        assert_eq!(a.log.last().map(|l| l.0), Some(Text::ReviewDiscarded));
        assert_eq!(a.footer(), Text::FooterAudit);
        // Editing the path after the dry run asks for a new dry run.
        a.on_key(key(KeyCode::Char('x')));
        a.on_key(key(KeyCode::Backspace));
        assert_eq!(a.on_key(key(KeyCode::Enter)), dry);
        a.imported(&summary);
        a.on_key(key(KeyCode::Down));
        assert_eq!(a.import(), Some(ImportKind::Staff), "↓ scrolls the list");
        assert_eq!(
            a.on_key(key(KeyCode::Enter)),
            vec![Cmd::Import {
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
        a.on_key(key(KeyCode::Down));
        a.on_key(key(KeyCode::Down));
        a.on_key(key(KeyCode::Down));
        assert_eq!(a.import(), Some(ImportKind::Stock), "last entry stays");
    }

    #[test]
    fn row_progress_shows_while_an_import_or_export_runs_and_clears_at_the_end() {
        let mut a = Audit::new();
        a.row_progress(10, 20);
        assert_eq!(a.progress, None, "nothing runs");
        a.on_key(key(KeyCode::Down));
        a.on_key(key(KeyCode::Enter));
        a.row_progress(10_000, 20_000);
        assert_eq!(
            a.progress,
            Some((10_000, 20_000)),
            "an export's rows so far"
        );
        a.log_line(Text::ExportWrote, "20000".into(), true);
        assert_eq!(a.progress, None, "the bar goes with the result");
        for _ in 0..4 {
            a.on_key(key(KeyCode::Down));
        }
        a.on_key(key(KeyCode::Enter));
        assert!(a.busy && a.progress.is_none(), "reading the file");
        a.row_progress(0, 2500);
        a.row_progress(1000, 2500);
        assert_eq!(a.progress, Some((1000, 2500)));
        // A failure ends the job and its bar.
        a.log_line(Text::ErrorPrefix, "disk full".into(), true);
        assert!(!a.busy && a.progress.is_none());
        a.row_progress(2000, 2500);
        assert_eq!(a.progress, None, "late messages are dropped");
        a.on_key(key(KeyCode::Enter));
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
        let audit = |app: &App| app.audit.clone().expect("audit screen");
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
        assert!(app.audit.is_some(), "and stays on the audit screen");
        press(&mut app, KeyCode::Esc);
        assert!(app.audit.is_none());
    }
}

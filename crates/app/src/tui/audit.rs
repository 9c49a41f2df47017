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
mod view;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::choice::Choice;
use super::model::{Cmd, ExportKind, ImportKind, ImportSummary, Msg};
use super::screen::{Ctx, Outcome, Screen};
use crate::i18n::Text;
use crate::tui::model::{DefaultFile, Label};
pub(crate) use progress::fill;
use review::Review;

/// An entry of the audit menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Verify,
    Export(ExportKind),
    Import(ImportKind),
}

impl Entry {
    /// The menu: verify, the exports, the imports.
    fn menu() -> Vec<Self> {
        std::iter::once(Self::Verify)
            .chain(ExportKind::AUDIT.map(Self::Export))
            .chain(ImportKind::ALL.map(Self::Import))
            .collect()
    }

    /// The text naming this entry.
    #[must_use]
    pub fn text(self) -> Text {
        match self {
            Self::Verify => Text::AuditVerify,
            Self::Export(e) => e.text(),
            Self::Import(i) => i.text(),
        }
    }
}

/// State of the audit screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    /// The menu and the entry under the cursor.
    pub menu: Choice<Entry>,
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
}

impl Default for Audit {
    fn default() -> Self {
        Self::new()
    }
}

impl Audit {
    #[must_use]
    pub fn new() -> Self {
        Self {
            menu: Choice::new(Entry::menu()),
            path: String::new(),
            log: Vec::new(),
            busy: false,
            elapsed: Duration::ZERO,
            pending: None,
            progress: None,
            review: None,
        }
    }

    /// The export under the cursor, if it is one.
    #[must_use]
    pub fn export(&self) -> Option<ExportKind> {
        match self.menu.selected() {
            Some(Entry::Export(e)) => Some(*e),
            _ => None,
        }
    }

    /// The import under the cursor, if it is one.
    #[must_use]
    pub fn import(&self) -> Option<ImportKind> {
        match self.menu.selected() {
            Some(Entry::Import(i)) => Some(*i),
            _ => None,
        }
    }

    /// Whether the entry under the cursor writes or reads a file.
    #[must_use]
    pub fn has_path(&self) -> bool {
        self.export().is_some() || self.import().is_some()
    }

    /// The cursor moved (or stayed at an end): the entry's default file,
    /// and a dry run passed before no longer counts.
    fn moved(&mut self) {
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
    pub fn footer_keys(&self) -> Text {
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

impl Screen for Audit {
    fn on_key(&mut self, key: KeyEvent, _ctx: &Ctx<'_>) -> Outcome {
        if self.review.is_some() && !self.busy {
            return self.on_review_key(key).into();
        }
        match key.code {
            KeyCode::Esc => return Outcome::close(),
            KeyCode::Up | KeyCode::Down if self.busy => {}
            KeyCode::Up => {
                self.menu.up();
                self.moved();
            }
            KeyCode::Down => {
                self.menu.down();
                self.moved();
            }
            KeyCode::Enter if self.busy => {}
            KeyCode::Enter => return self.on_enter().into(),
            KeyCode::Backspace if self.has_path() && !self.busy => {
                self.pending = None;
                self.path.pop();
            }
            KeyCode::Char(c) if self.has_path() && !self.busy => {
                self.pending = None;
                self.path.push(c);
            }
            _ => {}
        }
        Outcome::stay()
    }

    fn wants(&self, msg: &Msg) -> bool {
        matches!(
            msg,
            Msg::Tick(_)
                | Msg::RowProgress { .. }
                | Msg::Imported(_)
                | Msg::Progress(..)
                | Msg::Verified(_)
                | Msg::Failed(_)
        )
    }

    fn on_msg(&mut self, msg: &Msg, ctx: &Ctx<'_>) -> Outcome {
        match msg {
            Msg::Tick(dt) => self.tick(*dt),
            Msg::RowProgress { done, total } => self.row_progress(*done, *total),
            Msg::Imported(summary) => self.imported(summary),
            Msg::Progress(text, arg) => {
                let done = matches!(text, Text::ExportWrote);
                self.log_line(*text, arg.clone(), done);
            }
            Msg::Verified(Ok(v)) => self.verified(v, ctx.lang, ctx.offset),
            Msg::Verified(Err(e)) => {
                self.log_line(Text::AuditBroken, e.show_one_line(ctx.lang), true);
            }
            Msg::Failed(e) => self.log_line(Text::ErrorPrefix, e.show_one_line(ctx.lang), true),
            _ => {}
        }
        Outcome::stay()
    }

    fn render(&self, ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
        view::render(self, ctx.lang, area, buf);
    }

    fn footer(&self, _ctx: &Ctx<'_>) -> [Option<Text>; 2] {
        [Some(self.footer_keys()), Some(Text::FooterGlobal)]
    }
}

#[cfg(test)]
mod tests;

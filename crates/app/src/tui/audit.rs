//! The audit and export screen: check the audit trail's hash chain and write
//! the exports (inventory, history, revoked serials; CSV that German Excel
//! opens) to a file, with a log of what happened.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, List, ListItem, Paragraph, Widget, Wrap};

use super::model::{Cmd, ExportWhat};
use crate::i18n::{Lang, Text};

/// State of the audit screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    /// 0: verify; 1..=3: the exports.
    pub choice: usize,
    /// Target file of the selected export (editable).
    pub path: String,
    /// What happened, newest last.
    pub log: Vec<(Text, String)>,
    pub busy: bool,
    pub closed: bool,
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
            choice: 0,
            path: String::new(),
            log: Vec::new(),
            busy: false,
            closed: false,
        }
    }

    /// The export under the cursor, if it is one.
    #[must_use]
    pub fn export(&self) -> Option<ExportWhat> {
        self.choice
            .checked_sub(1)
            .and_then(|i| ExportWhat::ALL.get(i).copied())
    }

    fn select(&mut self, choice: usize) {
        self.choice = choice;
        self.path = self
            .export()
            .map(|e| e.default_file().to_owned())
            .unwrap_or_default();
    }

    /// A key on this screen.
    pub fn on_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        match key.code {
            KeyCode::Esc => self.closed = true,
            KeyCode::Up => self.select(self.choice.saturating_sub(1)),
            KeyCode::Down => self.select((self.choice + 1).min(ExportWhat::ALL.len())),
            KeyCode::Enter if self.busy => {}
            KeyCode::Enter => {
                self.busy = true;
                return match self.export() {
                    None => vec![Cmd::Verify],
                    Some(what) if self.path.trim().is_empty() => {
                        self.busy = false;
                        self.log.push((Text::ExportNeedsPath, what_name(what)));
                        Vec::new()
                    }
                    Some(what) => vec![Cmd::Export {
                        what,
                        path: self.path.trim().to_owned(),
                    }],
                };
            }
            KeyCode::Backspace if self.export().is_some() => {
                self.path.pop();
            }
            KeyCode::Char(c) if self.export().is_some() => self.path.push(c),
            _ => {}
        }
        Vec::new()
    }

    /// A line of progress or a result from the worker.
    pub fn log_line(&mut self, text: Text, arg: String, finished: bool) {
        self.log.push((text, arg));
        if finished {
            self.busy = false;
        }
    }
}

fn what_name(what: ExportWhat) -> String {
    what.default_file().to_owned()
}

/// Draw the audit screen.
pub fn render(a: &Audit, lang: Lang, area: Rect, buf: &mut Buffer) {
    let t = |x| lang.t(x);
    let [menu, path, log] = Layout::vertical([
        Constraint::Length(6),
        Constraint::Length(3),
        Constraint::Min(3),
    ])
    .areas(area);
    let items: Vec<ListItem<'_>> = std::iter::once(Text::AuditVerify)
        .chain(ExportWhat::ALL.iter().map(|e| e.text()))
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
    let path_line = if a.export().is_some() {
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
    let mut lines: Vec<Line<'_>> = a
        .log
        .iter()
        .map(|(x, arg)| Line::from(format!("{} {arg}", t(*x))))
        .collect();
    if a.busy {
        lines.push(Line::from(t(Text::Working)));
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
                what: ExportWhat::Inventory,
                path: "/tmp/x.csv".into()
            }]
        );
        a.log_line(Text::ExportWrote, "3".into(), true);
        a.on_key(key(KeyCode::Down));
        a.on_key(key(KeyCode::Down));
        a.on_key(key(KeyCode::Down));
        assert_eq!(a.export(), Some(ExportWhat::Revoked));
        a.on_key(key(KeyCode::Esc));
        assert!(a.closed);
    }
}

//! The dry run's result on the audit screen: the counts and the change list
//! (each row the import would add or change, with its line in the file, its
//! identity and, for a change, every field old → new), scrolled with ↑/↓,
//! PgUp/PgDn, Home/End, before the technician applies it with Enter or
//! discards it with Esc.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use super::fill;
use crate::i18n::{Lang, Text};
use crate::tui::model::{ChangeLine, ImportSummary, Val};

/// List lines visible at 80x24, the smallest screen keydesk supports:
/// scrolling stops once the last line is in view there, and PgUp/PgDn move
/// by a page less one line of context. (14 since the header has a second
/// line, the counter's site and profile.)
pub const PAGE: usize = 14;

/// The dry run under review and how far its list is scrolled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub summary: ImportSummary,
    /// The first list line shown.
    pub scroll: usize,
}

impl Review {
    #[must_use]
    pub fn new(summary: ImportSummary) -> Self {
        Self { summary, scroll: 0 }
    }

    /// Lines of the list: one per row, one per changed field, and one for
    /// the rows not listed (or one saying there is no change).
    #[must_use]
    pub fn lines(&self) -> usize {
        let s = &self.summary;
        let rows: usize = s.changes.iter().map(|c| 1 + c.fields.len()).sum();
        (rows + usize::from(s.more > 0)).max(1)
    }

    fn last_scroll(&self) -> usize {
        self.lines().saturating_sub(PAGE)
    }

    /// Scroll keys; others do nothing here.
    pub fn on_key(&mut self, key: KeyEvent) {
        let last = self.last_scroll();
        self.scroll = match key.code {
            KeyCode::Up => self.scroll.saturating_sub(1),
            KeyCode::Down => self.scroll + 1,
            KeyCode::PageUp => self.scroll.saturating_sub(PAGE - 1),
            KeyCode::PageDown => self.scroll + (PAGE - 1),
            KeyCode::Home => 0,
            KeyCode::End => last,
            _ => self.scroll,
        }
        .min(last);
    }
}

fn show(v: &Val, lang: Lang) -> String {
    match v {
        Val::Text(s) if s.is_empty() => "–".to_owned(),
        Val::Text(s) => s.clone(),
        Val::Flag(true) => lang.t(Text::Yes).to_owned(),
        Val::Flag(false) => lang.t(Text::No).to_owned(),
    }
}

fn change_lines(c: &ChangeLine, lang: Lang, out: &mut Vec<Line<'static>>) {
    let action = if c.added {
        Text::ReviewAdded
    } else {
        Text::ReviewChanged
    };
    out.push(
        Line::from(format!(
            "{} {:>6}  {:<9} {}",
            lang.t(Text::ReviewLine),
            c.line,
            lang.t(action),
            c.id
        ))
        .style(Style::new().add_modifier(Modifier::BOLD)),
    );
    for (field, old, new) in &c.fields {
        out.push(Line::from(format!(
            "{:8}{}: {} → {}",
            "",
            lang.t(*field),
            show(old, lang),
            show(new, lang)
        )));
    }
}

/// Every line of the list (at most a few hundred: the store caps it).
fn list(s: &ImportSummary, lang: Lang) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for c in &s.changes {
        change_lines(c, lang, &mut out);
    }
    if s.more > 0 {
        out.push(Line::from(fill(
            lang.t(Text::ReviewMore),
            &[s.more.to_string()],
        )));
    }
    if out.is_empty() {
        out.push(Line::from(lang.t(Text::ReviewNone)));
    }
    out
}

/// Draw the review in place of the audit menu.
pub fn render(r: &Review, path: &str, lang: Lang, area: Rect, buf: &mut Buffer) {
    let t = |x| lang.t(x);
    let s = &r.summary;
    let [head, body] = Layout::vertical([Constraint::Length(4), Constraint::Min(3)]).areas(area);
    let counts = fill(
        t(Text::ReviewCounts),
        &[
            s.rows.to_string(),
            s.added.to_string(),
            s.changed.to_string(),
            s.unchanged.to_string(),
        ],
    );
    Paragraph::new(vec![
        Line::from(format!("{counts} · {} / {:?}", s.encoding, s.delimiter)),
        Line::from(t(Text::ReviewHint)),
    ])
    .block(Block::default().borders(Borders::ALL).title(format!(
        "{} {}",
        t(Text::ImportChecking),
        path.trim()
    )))
    .render(head, buf);

    let mut lines = list(s, lang);
    let n = lines.len();
    let height = usize::from(body.height.saturating_sub(2));
    // On a screen taller than 24 lines the last page still fills.
    let start = r.scroll.min(n.saturating_sub(height));
    let end = (start + height).min(n);
    let shown: Vec<Line<'static>> = lines.drain(start..end).collect();
    Paragraph::new(shown)
        .block(Block::default().borders(Borders::ALL).title(format!(
            "{} {}–{}/{n}",
            t(Text::ReviewChanges),
            start + 1,
            end
        )))
        .render(body, buf);
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyModifiers;

    use super::*;

    fn summary(changes: usize, fields: usize, more: usize) -> ImportSummary {
        ImportSummary {
            dry_run: true,
            rows: changes + more + 10,
            added: 0,
            changed: changes + more,
            unchanged: 10,
            encoding: "UTF-8".into(),
            delimiter: ';',
            changes: (0..changes)
                .map(|i| ChangeLine {
                    line: i as u64 + 2,
                    added: false,
                    id: format!("{}", 4700 + i),
                    fields: (0..fields)
                        .map(|_| {
                            (
                                Text::FactDepartment,
                                Val::Text("IT-3".into()),
                                Val::Text("IT-4".into()),
                            )
                        })
                        .collect(),
                })
                .collect(),
            more,
        }
    }

    fn press(r: &mut Review, code: KeyCode) -> usize {
        r.on_key(KeyEvent::new(code, KeyModifiers::NONE));
        r.scroll
    }

    #[test]
    fn scrolling_stops_when_the_last_line_is_in_view() {
        // 20 rows with 2 fields each and a "more" line: 61 lines.
        let mut r = Review::new(summary(20, 2, 5));
        assert_eq!(r.lines(), 61);
        assert_eq!(press(&mut r, KeyCode::Up), 0, "nothing above the top");
        assert_eq!(press(&mut r, KeyCode::Down), 1);
        assert_eq!(press(&mut r, KeyCode::PageDown), 1 + PAGE - 1);
        assert_eq!(press(&mut r, KeyCode::PageUp), 1);
        assert_eq!(press(&mut r, KeyCode::PageUp), 0);
        assert_eq!(press(&mut r, KeyCode::End), 61 - PAGE);
        assert_eq!(press(&mut r, KeyCode::Down), 61 - PAGE, "last page");
        assert_eq!(press(&mut r, KeyCode::PageDown), 61 - PAGE);
        assert_eq!(
            press(&mut r, KeyCode::Up),
            61 - PAGE - 1,
            "Up moves at once"
        );
        assert_eq!(press(&mut r, KeyCode::Home), 0);
        assert_eq!(press(&mut r, KeyCode::Char('x')), 0);
    }

    #[test]
    fn a_short_list_does_not_scroll() {
        let mut r = Review::new(summary(3, 1, 0));
        assert_eq!(r.lines(), 6);
        assert_eq!(press(&mut r, KeyCode::PageDown), 0);
        assert_eq!(press(&mut r, KeyCode::End), 0);
        let empty = Review::new(summary(0, 0, 0));
        assert_eq!(empty.lines(), 1, "the line saying there is no change");
    }

    #[test]
    fn the_list_says_each_field_in_the_screen_language() {
        let mut s = summary(1, 0, 2);
        s.changes[0].fields = vec![
            (Text::FieldActive, Val::Flag(true), Val::Flag(false)),
            (
                Text::FactEmail,
                Val::Text(String::new()),
                Val::Text("a@x".into()),
            ),
        ];
        let text = |lang| -> Vec<String> {
            list(&s, lang)
                .iter()
                .map(|l| l.spans.iter().map(|x| x.content.as_ref()).collect())
                .collect()
        };
        assert_eq!(
            text(Lang::De),
            vec![
                "Zeile      2  geändert  4700",
                "        Aktiv: ja → nein",
                "        E-Mail: – → a@x",
                "… und 2 weitere (nicht aufgelistet)",
            ]
        );
        assert_eq!(text(Lang::En)[1], "        Active: yes → no");
    }
}

//! Detail views of a key, a staff member or a notebook: the facts as
//! label/value pairs and the history, newest last (the latest lines show
//! when it does not fit). On a key's details, its letters start wizards.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use time::UtcOffset;

use super::clock::on_screen;
use super::model::{DetailView, HitKind, Msg, Seg};
use super::screen::{Ctx, FKeys, Outcome, Screen};
use super::wizard::{Flow, Wizard};
use crate::i18n::{Lang, Text};
use crate::tui::model::Label;

/// The detail screen: what the worker answered to [`Cmd::Open`](super::model::Cmd::Open).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub view: DetailView,
}

impl Detail {
    #[must_use]
    pub fn new(view: DetailView) -> Self {
        Self { view }
    }
}

impl Screen for Detail {
    fn on_key(&mut self, key: KeyEvent, _ctx: &Ctx<'_>) -> Outcome {
        match key.code {
            KeyCode::Esc => Outcome::close(),
            // A letter or Alt+letter: the detail view has no text box.
            KeyCode::Char(c) => match (Flow::from_letter(c), self.view.serial) {
                (Some(flow), Some(serial)) => Outcome::Swap(Box::new(Wizard::new(flow, serial))),
                _ => Outcome::stay(),
            },
            _ => Outcome::stay(),
        }
    }

    fn wants(&self, msg: &Msg) -> bool {
        matches!(msg, Msg::Detail(_))
    }

    /// Newer details take this one's place.
    fn on_msg(&mut self, msg: &Msg, _ctx: &Ctx<'_>) -> Outcome {
        match msg {
            Msg::Detail(d) => Outcome::Swap(Box::new(Self::new(d.clone()))),
            _ => Outcome::stay(),
        }
    }

    fn render(&self, ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
        render(&self.view, ctx.lang, ctx.offset, area, buf);
    }

    fn footer(&self, _ctx: &Ctx<'_>) -> [Option<Text>; 2] {
        let first = self.view.serial.map(|_| Text::FooterActions);
        [first, Some(Text::FooterDetail)]
    }

    fn fkeys(&self) -> FKeys {
        FKeys::All
    }
}

/// Draw a detail view; stored times show at `offset` (local time).
pub fn render(d: &DetailView, lang: Lang, offset: UtcOffset, area: Rect, buf: &mut Buffer) {
    let t = |x| lang.t(x);
    let kind = match d.kind {
        HitKind::Staff => Text::KindStaff,
        HitKind::Notebook => Text::KindNotebook,
        HitKind::Key => Text::KindKey,
    };
    let facts_h = u16::try_from(d.facts.len() + usize::from(d.state.is_some()))
        .unwrap_or(u16::MAX)
        .saturating_add(2)
        .min(11);
    let [facts, history] =
        Layout::vertical([Constraint::Length(facts_h), Constraint::Min(3)]).areas(area);
    let fact = |label: Text, value: String| {
        Line::from(vec![
            Span::styled(
                format!("{:<16}", t(label)),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            Span::raw(value),
        ])
    };
    let mut lines: Vec<Line<'_>> = Vec::new();
    if let Some((state, since)) = &d.state {
        let since = if since.is_empty() {
            String::new()
        } else {
            format!(
                " ({} {})",
                t(Text::FactSince),
                on_screen(since, offset, lang)
            )
        };
        lines.push(fact(Text::FactState, format!("{}{since}", t(state.text()))));
    }
    lines.extend(
        d.facts
            .iter()
            .map(|(label, value)| fact(*label, value.clone())),
    );
    Paragraph::new(lines)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!("{} {}", t(kind), d.title)),
        )
        .render(facts, buf);
    let room = usize::from(history.height.saturating_sub(2));
    let skip = d.history.len().saturating_sub(room);
    let lines: Vec<Line<'_>> = if d.history.is_empty() {
        vec![Line::from(t(Text::NothingYet))]
    } else {
        d.history[skip..]
            .iter()
            .map(|h| {
                Line::from(
                    h.iter()
                        .map(|s| match s {
                            Seg::Text(x) => x.clone(),
                            Seg::Time(ts) => on_screen(ts, offset, lang),
                        })
                        .collect::<String>(),
                )
            })
            .collect()
    };
    Paragraph::new(lines)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(t(Text::History)),
        )
        .render(history, buf);
}

//! Detail views of a key, a staff member or a notebook: the facts as
//! label/value pairs and the history, newest last (the latest lines show
//! when it does not fit).

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use time::UtcOffset;

use super::clock::on_screen;
use super::model::{DetailView, HitKind, Label, Seg};
use crate::i18n::{Lang, Text};

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

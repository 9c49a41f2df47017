//! The home screen on screen: the plugged keys, the search box and the
//! hits, the panel with the keyboard marked in its title.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, Widget};

use super::{Focus, Home};
use crate::i18n::Text;
use crate::tui::model::HitKind;
use crate::tui::model::Label;
use crate::tui::screen::Ctx;

/// Draw the home screen.
pub fn render(home: &Home, ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
    let t = |x| ctx.lang.t(x);
    let keys_height = u16::try_from(ctx.plugged.len().max(1))
        .unwrap_or(u16::MAX)
        .saturating_add(3)
        .min(9);
    let [keys, search, results] = Layout::vertical([
        Constraint::Length(keys_height),
        Constraint::Length(3),
        Constraint::Min(3),
    ])
    .areas(area);

    render_keys(home, ctx, keys, buf);

    let query = if home.query.is_empty() {
        Span::styled(
            t(Text::SearchHint),
            Style::new().add_modifier(Modifier::DIM),
        )
    } else {
        Span::raw(home.query.clone())
    };
    let cursor = if home.focus == Focus::Search {
        "▏"
    } else {
        ""
    };
    Paragraph::new(Line::from(vec![query, Span::raw(cursor)]))
        .block(focus_block(t(Text::Search), home.focus == Focus::Search))
        .render(search, buf);

    render_results(home, ctx, results, buf);
}

/// A bordered block whose title is marked when it has the keyboard.
fn focus_block(title: &str, focused: bool) -> Block<'static> {
    let block = Block::default().borders(Borders::ALL);
    if focused {
        block.title(Span::styled(
            format!("» {title}"),
            Style::new().add_modifier(Modifier::BOLD),
        ))
    } else {
        block.title(title.to_owned())
    }
}

fn render_keys(home: &Home, ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
    let t = |x| ctx.lang.t(x);
    let title = format!("{} ({})", t(Text::PluggedKeys), ctx.plugged.len());
    let block = focus_block(&title, home.focus == Focus::Keys);
    if ctx.plugged.is_empty() {
        Paragraph::new(t(Text::NoKeysPlugged))
            .block(block)
            .render(area, buf);
        return;
    }
    let header = Row::new([
        t(Text::ColSerial),
        t(Text::ColModel),
        t(Text::ColFirmware),
        t(Text::ColState),
        t(Text::ColHolder),
    ])
    .style(Style::new().add_modifier(Modifier::BOLD));
    let rows = ctx.plugged.iter().enumerate().map(|(i, k)| {
        let on = home.focus == Focus::Keys && i == home.key_sel;
        let row = Row::new([
            format!("{}{}", if on { "›" } else { " " }, k.serial),
            k.model.clone(),
            k.firmware.clone(),
            t(k.state.text()).to_string(),
            k.holder.clone().unwrap_or_else(|| "–".into()),
        ]);
        if on {
            row.style(Style::new().add_modifier(Modifier::REVERSED))
        } else {
            row
        }
    });
    Table::new(
        rows,
        [
            Constraint::Length(10),
            Constraint::Length(16),
            Constraint::Length(8),
            Constraint::Length(16),
            Constraint::Min(10),
        ],
    )
    .header(header)
    .block(block)
    .render(area, buf);
}

fn render_results(home: &Home, ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
    let t = |x| ctx.lang.t(x);
    let block = focus_block(t(Text::Results), home.focus == Focus::Hits);
    if home.query.trim().is_empty() {
        block.render(area, buf);
        return;
    }
    if home.hits.is_empty() {
        Paragraph::new(t(Text::NoResults))
            .block(block)
            .render(area, buf);
        return;
    }
    let rows = home.hits.marked().map(|(selected, h)| {
        let kind = match h.kind {
            HitKind::Staff => Text::KindStaff,
            HitKind::Notebook => Text::KindNotebook,
            HitKind::Key => Text::KindKey,
        };
        let on = selected && home.focus == Focus::Hits;
        let marker = if on { "›" } else { " " };
        let row = Row::new([format!("{marker} {}", t(kind)), h.label.clone()]);
        if on {
            row.style(Style::new().add_modifier(Modifier::REVERSED))
        } else {
            row
        }
    });
    Table::new(rows, [Constraint::Length(12), Constraint::Min(20)])
        .block(block)
        .render(area, buf);
}

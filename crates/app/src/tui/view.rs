//! The screen as a pure function of [`App`]: a title line, the screen on
//! top of the stack (recovery, wizard, audit, detail or home) and a footer
//! with its keys. Readable without colour: selection and emphasis use
//! reverse video and bold, not hue alone.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Row, Table, Widget, Wrap};

use super::model::{HitKind, Label};
use super::state::{App, Focus};
use super::{audit, bulk, detail, recovery, wizard};
use crate::i18n::Text;

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = |x| self.lang.t(x);
        let [title, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(5),
            Constraint::Length(2),
        ])
        .areas(area);

        let mut head = vec![Span::styled(
            t(Text::AppTitle),
            Style::new().add_modifier(Modifier::BOLD),
        )];
        if self.demo {
            head.push(Span::raw("  "));
            head.push(Span::styled(
                t(Text::DemoBanner),
                Style::new().add_modifier(Modifier::REVERSED),
            ));
        }
        Line::from(head).render(title, buf);

        let keys: [Option<Text>; 2] = if let Some(r) = &self.recovery {
            recovery::render(r, self.lang, self.offset, body, buf);
            [Some(Text::FooterRecovery), Some(Text::FooterGlobal)]
        } else if let Some(w) = &self.wizard {
            let env = wizard::view::Env {
                lang: self.lang,
                plugged: &self.plugged,
                policy: self.policy,
                demo: self.demo,
            };
            wizard::view::render(w, &env, body, buf);
            [Some(Text::FooterGlobal), None]
        } else if let Some(b) = &self.bulk {
            bulk::render(b, self.lang, self.offset, &self.plugged, body, buf);
            let first = if b.phase == bulk::Phase::Running {
                Text::FooterBulkRunning
            } else {
                Text::FooterBulk
            };
            [Some(first), Some(Text::FooterGlobal)]
        } else if let Some(a) = &self.audit {
            audit::render(a, self.lang, body, buf);
            [Some(a.footer()), Some(Text::FooterGlobal)]
        } else if let Some(d) = &self.detail {
            detail::render(d, self.lang, self.offset, body, buf);
            let first = d.serial.map(|_| Text::FooterActions);
            [first, Some(Text::FooterDetail)]
        } else {
            render_home(self, body, buf);
            [Some(Text::FooterActions), Some(Text::FooterHome)]
        };

        let dim = Style::new().add_modifier(Modifier::DIM);
        if let Some(e) = &self.error {
            // An error takes the whole footer: its text says what to do.
            Paragraph::new(Span::styled(
                format!("{}: {}", t(Text::ErrorPrefix), e.show_one_line(self.lang)),
                Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
            ))
            .wrap(Wrap { trim: true })
            .render(footer, buf);
        } else {
            let [f1, f2] =
                Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(footer);
            Line::from(Span::styled(keys[0].map_or("", t), dim)).render(f1, buf);
            Line::from(Span::styled(keys[1].map_or("", t), dim)).render(f2, buf);
        }

        if self.help {
            render_help(self, area, buf);
        }
    }
}

fn render_home(app: &App, area: Rect, buf: &mut Buffer) {
    let t = |x| app.lang.t(x);
    let keys_height = u16::try_from(app.plugged.len().max(1))
        .unwrap_or(u16::MAX)
        .saturating_add(3)
        .min(9);
    let [keys, search, results] = Layout::vertical([
        Constraint::Length(keys_height),
        Constraint::Length(3),
        Constraint::Min(3),
    ])
    .areas(area);

    render_keys(app, keys, buf);

    let query = if app.query.is_empty() {
        Span::styled(
            t(Text::SearchHint),
            Style::new().add_modifier(Modifier::DIM),
        )
    } else {
        Span::raw(app.query.clone())
    };
    let cursor = if app.focus == Focus::Search {
        "▏"
    } else {
        ""
    };
    Paragraph::new(Line::from(vec![query, Span::raw(cursor)]))
        .block(focus_block(t(Text::Search), app.focus == Focus::Search))
        .render(search, buf);

    render_results(app, results, buf);
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

fn render_keys(app: &App, area: Rect, buf: &mut Buffer) {
    let t = |x| app.lang.t(x);
    let title = format!("{} ({})", t(Text::PluggedKeys), app.plugged.len());
    let block = focus_block(&title, app.focus == Focus::Keys);
    if app.plugged.is_empty() {
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
    let rows = app.plugged.iter().enumerate().map(|(i, k)| {
        let on = app.focus == Focus::Keys && i == app.key_sel;
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

fn render_results(app: &App, area: Rect, buf: &mut Buffer) {
    let t = |x| app.lang.t(x);
    let block = focus_block(t(Text::Results), app.focus == Focus::Hits);
    if app.query.trim().is_empty() {
        block.render(area, buf);
        return;
    }
    if app.hits.is_empty() {
        Paragraph::new(t(Text::NoResults))
            .block(block)
            .render(area, buf);
        return;
    }
    let rows = app.hits.iter().enumerate().map(|(i, h)| {
        let kind = match h.kind {
            HitKind::Staff => Text::KindStaff,
            HitKind::Notebook => Text::KindNotebook,
            HitKind::Key => Text::KindKey,
        };
        let on = i == app.selected && app.focus == Focus::Hits;
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

fn render_help(app: &App, area: Rect, buf: &mut Buffer) {
    let w = area.width.saturating_sub(4).min(76);
    let mut lines: Vec<Line<'_>> = app
        .lang
        .t(Text::HelpBody)
        .lines()
        .map(|l| Line::from(l.to_owned()))
        .collect();
    if app.demo {
        lines.push(Line::from(app.lang.t(Text::HelpDemo)));
    }
    // Room for the border and for lines that wrap on a narrow screen.
    let want = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(4);
    let h = area.height.saturating_sub(2).min(want);
    let popup = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    Clear.render(popup, buf);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(app.lang.t(Text::HelpTitle)),
        )
        .render(popup, buf);
}

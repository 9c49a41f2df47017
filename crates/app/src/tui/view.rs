//! The home screen as a pure function of [`App`]: keys plugged in now on top,
//! search box and matches below, a footer with the keys. Readable without
//! colour: selection and emphasis use reverse video and bold, not hue alone.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Row, Table, Widget, Wrap};

use super::state::{App, HitKind};
use crate::i18n::Text;

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = |x| self.lang.t(x);
        let keys_height = u16::try_from(self.plugged.len().max(1))
            .unwrap_or(u16::MAX)
            .saturating_add(3)
            .min(10);
        let [title, keys, search, results, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(keys_height),
            Constraint::Length(3),
            Constraint::Min(3),
            Constraint::Length(1),
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

        render_keys(self, keys, buf);

        let query = if self.query.is_empty() {
            Span::styled(
                t(Text::SearchHint),
                Style::new().add_modifier(Modifier::DIM),
            )
        } else {
            Span::raw(format!("{}▏", self.query))
        };
        Paragraph::new(Line::from(query))
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(t(Text::Search)),
            )
            .render(search, buf);

        render_results(self, results, buf);

        let mut foot = t(Text::FooterHome).to_string();
        if self.demo {
            foot = format!("{foot}  {}", t(Text::DemoKeys));
        }
        let footer_line = match &self.error {
            Some(e) => Line::from(Span::styled(
                format!("{}: {e}", t(Text::ErrorPrefix)),
                Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
            )),
            None => Line::from(Span::styled(foot, Style::new().add_modifier(Modifier::DIM))),
        };
        footer_line.render(footer, buf);

        if self.help {
            render_help(self, area, buf);
        }
    }
}

fn render_keys(app: &App, area: Rect, buf: &mut Buffer) {
    let t = |x| app.lang.t(x);
    let block = Block::default().borders(Borders::ALL).title(format!(
        "{} ({})",
        t(Text::PluggedKeys),
        app.plugged.len()
    ));
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
    let rows = app.plugged.iter().map(|k| {
        Row::new([
            k.serial.clone(),
            k.model.clone(),
            k.firmware.clone(),
            t(k.state.text()).to_string(),
            k.holder.clone().unwrap_or_else(|| "–".into()),
        ])
    });
    Table::new(
        rows,
        [
            Constraint::Length(10),
            Constraint::Length(20),
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
    let block = Block::default()
        .borders(Borders::ALL)
        .title(t(Text::Results));
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
        let marker = if i == app.selected { "›" } else { " " };
        let row = Row::new([format!("{marker} {}", t(kind)), h.label.clone()]);
        if i == app.selected {
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
    let w = area.width.saturating_sub(8).min(70);
    let h = 6;
    let popup = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + area.height.saturating_sub(h) / 2,
        width: w,
        height: h,
    };
    Clear.render(popup, buf);
    Paragraph::new(app.lang.t(Text::HelpBody))
        .wrap(Wrap { trim: true })
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(app.lang.t(Text::HelpTitle)),
        )
        .render(popup, buf);
}

#[cfg(test)]
mod tests {
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    use super::super::state::{Hit, InvState, KeyRow};
    use super::*;
    use crate::i18n::Lang;

    fn draw(app: &App) -> String {
        let mut term = Terminal::new(TestBackend::new(80, 24)).expect("test backend");
        term.draw(|f| f.render_widget(app, f.area())).expect("draw");
        let buf = term.backend().buffer().clone();
        let mut out = String::new();
        for y in 0..buf.area.height {
            let line: String = (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect();
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    fn sample(lang: Lang) -> App {
        let mut app = App::new(lang, true);
        app.plugged = vec![
            KeyRow {
                serial: "23456789".into(),
                model: "YubiKey 5 NFC".into(),
                firmware: "5.7.1".into(),
                state: InvState::InStock,
                holder: None,
            },
            KeyRow {
                serial: "18000042".into(),
                model: "YubiKey 5 NFC".into(),
                firmware: "5.4.3".into(),
                state: InvState::Issued,
                holder: Some("Müller, Anna (4711)".into()),
            },
        ];
        app.query = "mül".into();
        app.hits = vec![
            Hit {
                kind: HitKind::Staff,
                ref_id: 1,
                label: "Müller, Anna (4711) Amt 12".into(),
            },
            Hit {
                kind: HitKind::Notebook,
                ref_id: 1,
                label: "NB-0815 mz-nb-0815 – Müller, Anna".into(),
            },
        ];
        app
    }

    #[test]
    fn home_screen_german() {
        insta::assert_snapshot!(draw(&sample(Lang::De)));
    }

    #[test]
    fn home_screen_english() {
        insta::assert_snapshot!(draw(&sample(Lang::En)));
    }

    #[test]
    fn home_screen_no_keys_with_help() {
        let mut app = App::new(Lang::En, false);
        app.help = true;
        let screen = draw(&app);
        assert!(screen.contains("No key plugged in"), "{screen}");
        insta::assert_snapshot!(screen);
    }
}

//! The screen as a pure function of [`App`]: a title line, the counter's
//! site and profile, the screen on
//! top of the stack (and those beneath it, up from the topmost that covers
//! its area) and a footer with the top screen's keys, or the error. Readable
//! without colour: selection and emphasis use reverse video and bold, not
//! hue alone.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use super::screen::Screen;
use super::state::App;
use crate::i18n::Text;

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = |x| self.lang.t(x);
        let [title, counter, body, footer] = Layout::vertical([
            Constraint::Length(1),
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
        // Which office this counter serves and under which rules: the
        // same words as `keydesk status`.
        if let Some(status) = &self.counter {
            let text = format!(
                "{} · {}",
                crate::tui::status::site_label(status, self.lang),
                crate::tui::status::profile_label(status, self.lang)
            );
            Line::from(Span::styled(text, Style::new().add_modifier(Modifier::DIM)))
                .render(counter, buf);
        }

        let ctx = self.ctx();
        let screens: Vec<&dyn Screen> = self.stack.screens().collect();
        let from = screens.iter().rposition(|s| s.covers()).unwrap_or(0);
        for screen in screens.iter().skip(from) {
            screen.render(&ctx, body, buf);
        }
        let keys = self.stack.top().footer(&ctx);

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

//! The audit screen on screen: the menu, the file path of the selected
//! export or import, and the log (with the spinner, elapsed seconds and the
//! rows done while a job runs), or the dry run's change list under review.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, List, ListItem, Paragraph, Widget, Wrap};

use super::progress::{fill, progress_line};
use super::{review, Audit};
use crate::i18n::{Lang, Text};

/// A log entry: the text with its argument in the `{}` slot, or after it.
pub(super) fn log_line(text: &str, arg: &str) -> Line<'static> {
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
        Constraint::Length(u16::try_from(a.menu.len()).unwrap_or(7) + 2),
        Constraint::Length(3),
        Constraint::Min(3),
    ])
    .areas(area);
    let items: Vec<ListItem<'_>> = a
        .menu
        .marked()
        .map(|(selected, entry)| {
            let mark = if selected { "›" } else { " " };
            let item = ListItem::new(format!("{mark} {}", t(entry.text())));
            if selected {
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
    let path_line = if a.has_path() {
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

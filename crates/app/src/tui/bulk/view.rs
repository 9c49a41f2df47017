//! The bulk reset screen on screen: the keys waiting and the typed count
//! before the batch, then the gauge, each key's mark, what to do now and
//! the touch countdown; the keys plugged in on the bottom line.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::{Bulk, Phase};
use crate::i18n::{Lang, Text};
use crate::tui::model::Label;
use crate::tui::model::{KeyRow, Mark};
use crate::tui::problem::{Part, Problem};

fn known(text: Text, parts: Vec<Part>) -> Problem {
    Problem::Known(text, parts)
}

fn num(n: usize) -> Part {
    Part::Plain(n.to_string())
}

fn mark_text(m: Mark) -> Text {
    match m {
        Mark::Pending => Text::MarkPending,
        Mark::Done => Text::MarkDone,
        Mark::Failed => Text::MarkFailed,
    }
}

/// The keys plugged in now, on one line (the screen always shows them).
fn plugged_line(plugged: &[KeyRow], lang: Lang) -> Line<'static> {
    let t = |x| lang.t(x);
    let keys = if plugged.is_empty() {
        "–".to_owned()
    } else {
        plugged
            .iter()
            .map(|k| format!("{} ({})", k.serial, t(k.state.text())))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Line::from(vec![
        Span::styled(
            format!("{}: ", t(Text::PluggedKeys)),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Span::raw(keys),
    ])
}

/// "3 of 12 reset  [██████░░░░░░]": a bar that reads without colour.
fn progress_line(done: usize, total: usize, lang: Lang) -> Line<'static> {
    const WIDTH: usize = 30;
    let filled = (done.min(total) * WIDTH)
        .checked_div(total)
        .unwrap_or(WIDTH);
    Line::from(vec![
        Span::styled(
            known(Text::BulkProgress, vec![num(done), num(total)]).show(lang),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Span::raw(format!(
            "  [{}{}]",
            "█".repeat(filled),
            "░".repeat(WIDTH - filled)
        )),
    ])
}

/// Draw the screen.
pub fn render(
    b: &Bulk,
    lang: Lang,
    offset: time::UtcOffset,
    plugged: &[KeyRow],
    area: Rect,
    buf: &mut Buffer,
) {
    let t = |x| lang.t(x);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(t(Text::BulkTitle));
    let inner = block.inner(area);
    block.render(area, buf);
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let [inner, bottom] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(inner);
    plugged_line(plugged, lang).render(bottom, buf);

    let Some(view) = &b.batch else {
        let n = b.waiting.len();
        let mut head: Vec<Line<'_>> = Vec::new();
        match b.phase {
            Phase::Loading => head.push(Line::from(t(Text::BulkLoading))),
            _ if n == 0 => head.push(Line::from(t(Text::BulkNone))),
            _ => {
                let intro = if b.fido {
                    Text::BulkIntro
                } else {
                    Text::BulkIntroPiv
                };
                head.push(Line::from(known(intro, vec![num(n)]).show(lang)));
                let ask = if b.mismatch {
                    Text::BulkCountMismatch
                } else {
                    Text::BulkConfirm
                };
                head.push(Line::from(vec![
                    Span::styled(known(ask, vec![num(n)]).show(lang), bold),
                    Span::raw(" "),
                    Span::styled(
                        format!("{}▏", b.typed),
                        Style::new().add_modifier(Modifier::REVERSED),
                    ),
                ]));
            }
        }
        let [top, list] =
            Layout::vertical([Constraint::Length(4), Constraint::Min(1)]).areas(inner);
        Paragraph::new(head)
            .wrap(Wrap { trim: true })
            .render(top, buf);
        let lines: Vec<Line<'_>> = b
            .waiting
            .iter()
            .skip(b.scroll)
            .map(|w| {
                Line::from(format!(
                    "{:>10}  {:<16} {} {}",
                    w.serial,
                    t(w.state.text()),
                    t(Text::ColSince),
                    crate::tui::clock::on_screen(&w.since, offset, lang)
                ))
            })
            .collect();
        Paragraph::new(lines).render(list, buf);
        return;
    };

    let (done, total) = view.progress();
    let [how, gauge, note, list] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(6),
        Constraint::Min(1),
    ])
    .areas(inner);
    let how_text = if view.fido {
        Text::BulkHowTo
    } else {
        Text::BulkHowToPiv
    };
    Paragraph::new(t(how_text))
        .wrap(Wrap { trim: true })
        .render(how, buf);
    progress_line(done, total, lang).render(gauge, buf);
    let mut lines = vec![Line::from(Span::styled(view.note.show(lang), bold))];
    if let Some(cause) = &view.cause {
        lines.push(Line::from(cause.show(lang)));
    }
    if let Some(left) = b.touch.filter(|_| !view.finished) {
        lines.push(Line::from(Span::styled(
            format!("{} – {} s", t(Text::TouchNow), left.as_secs()),
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        )));
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .render(note, buf);
    let rows: Vec<Line<'_>> = view
        .keys
        .iter()
        .skip(b.scroll)
        .map(|(serial, mark)| {
            let style = match mark {
                Mark::Done => Style::new().add_modifier(Modifier::DIM),
                Mark::Failed => bold,
                Mark::Pending => Style::new(),
            };
            Line::from(Span::styled(
                format!("{serial:>10}  {}", t(mark_text(*mark))),
                style,
            ))
        })
        .collect();
    Paragraph::new(rows).render(list, buf);
}

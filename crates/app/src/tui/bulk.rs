//! The bulk reset screen (F4): wipe a pile of handed-back keys. It lists the
//! keys waiting for a reset, asks the technician to type how many there are
//! (a destructive step over many serials at once), then follows the batch
//! that keydesk-core runs as the keys are plugged in one at a time: a
//! progress gauge, each key's mark, what to do now, and the touch countdown.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::model::{BatchView, Cmd, KeyRow, Label, Mark, Msg, Waiting};
use super::problem::{Part, Problem};
use crate::i18n::{Lang, Text};

/// Where the screen is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Asking the worker for the keys waiting for a reset.
    Loading,
    /// Showing them; the technician types their number to start.
    Confirm,
    /// The batch runs.
    Running,
}

/// State of the bulk reset screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bulk {
    pub phase: Phase,
    /// FIDO2 is reset too (from the office profile).
    pub fido: bool,
    pub waiting: Vec<Waiting>,
    /// The confirmation typed so far (digits).
    pub typed: String,
    pub mismatch: bool,
    pub batch: Option<BatchView>,
    /// Touch countdown while a key blinks.
    pub touch: Option<Duration>,
    /// First list row shown.
    pub scroll: usize,
    pub closed: bool,
}

impl Default for Bulk {
    fn default() -> Self {
        Self::new()
    }
}

impl Bulk {
    /// Open the screen; the caller sends [`Cmd::ListWaiting`].
    #[must_use]
    pub fn new() -> Self {
        Self {
            phase: Phase::Loading,
            fido: true,
            waiting: Vec::new(),
            typed: String::new(),
            mismatch: false,
            batch: None,
            touch: None,
            scroll: 0,
            closed: false,
        }
    }

    /// Rows of the list (waiting keys, or the batch's keys once it runs).
    fn rows(&self) -> usize {
        self.batch
            .as_ref()
            .map_or(self.waiting.len(), |b| b.keys.len())
    }

    /// A message from the worker or the clock.
    pub fn update(&mut self, msg: &Msg) {
        match msg {
            Msg::Waiting { keys, fido } if self.phase == Phase::Loading => {
                self.waiting.clone_from(keys);
                self.fido = *fido;
                self.phase = Phase::Confirm;
            }
            Msg::Batch(view) if self.phase == Phase::Running => {
                if view.keys != self.batch.as_ref().map_or(Vec::new(), |b| b.keys.clone()) {
                    // A key finished: its touch is over.
                    self.touch = None;
                }
                self.batch = Some(view.clone());
            }
            Msg::Failed(_) if self.phase == Phase::Running && self.batch.is_none() => {
                // The batch could not start (shown in the footer): back to the list.
                self.phase = Phase::Confirm;
                self.typed.clear();
            }
            Msg::Touch { remaining, .. } if self.phase == Phase::Running => {
                self.touch = Some(*remaining);
            }
            Msg::Tick(dt) => {
                if let Some(t) = &mut self.touch {
                    *t = t.saturating_sub(*dt);
                }
            }
            _ => {}
        }
    }

    /// A key press.
    pub fn on_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        match key.code {
            KeyCode::Esc => {
                self.closed = true;
                if self.phase == Phase::Running {
                    return vec![Cmd::StopBatch];
                }
            }
            KeyCode::Up => self.scroll = self.scroll.saturating_sub(1),
            KeyCode::Down if self.scroll + 1 < self.rows() => self.scroll += 1,
            KeyCode::PageUp => self.scroll = self.scroll.saturating_sub(10),
            KeyCode::PageDown => {
                self.scroll = (self.scroll + 10).min(self.rows().saturating_sub(1));
            }
            // Typing ahead while the list loads is kept.
            KeyCode::Char(c) if self.phase != Phase::Running && c.is_ascii_digit() => {
                if self.typed.len() < 6 {
                    self.typed.push(c);
                }
                self.mismatch = false;
            }
            KeyCode::Backspace if self.phase != Phase::Running => {
                self.typed.pop();
                self.mismatch = false;
            }
            KeyCode::Enter if self.phase == Phase::Confirm && !self.waiting.is_empty() => {
                if self.typed == self.waiting.len().to_string() {
                    self.phase = Phase::Running;
                    self.scroll = 0;
                    return vec![Cmd::StartBatch(
                        self.waiting.iter().map(|w| w.serial).collect(),
                    )];
                }
                self.mismatch = true;
                self.typed.clear();
            }
            _ => {}
        }
        Vec::new()
    }
}

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
                    super::clock::on_screen(&w.since, offset, lang)
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

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent};

    use super::*;
    use crate::tui::model::KeyState;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::from(code)
    }

    fn waiting() -> Vec<Waiting> {
        [23_456_780, 18_000_042]
            .into_iter()
            .map(|serial| Waiting {
                serial,
                state: KeyState::Returned,
                since: "2026-11-20T08:00:00Z".into(),
            })
            .collect()
    }

    fn view(marks: [Mark; 2], note: Problem, finished: bool) -> BatchView {
        BatchView {
            fido: true,
            keys: vec![(23_456_780, marks[0]), (18_000_042, marks[1])],
            note,
            cause: None,
            finished,
        }
    }

    /// The two waiting keys listed and confirmed: the batch is starting.
    fn started() -> Bulk {
        let mut b = Bulk::new();
        b.update(&Msg::Waiting {
            keys: waiting(),
            fido: true,
        });
        b.on_key(key(KeyCode::Char('2')));
        b.on_key(key(KeyCode::Enter));
        b
    }

    #[test]
    fn the_batch_starts_only_when_the_number_of_keys_is_typed() {
        let mut b = Bulk::new();
        assert!(
            b.on_key(key(KeyCode::Enter)).is_empty(),
            "nothing listed yet"
        );
        b.update(&Msg::Waiting {
            keys: waiting(),
            fido: true,
        });
        assert_eq!(b.phase, Phase::Confirm);
        b.on_key(key(KeyCode::Char('3')));
        assert!(b.on_key(key(KeyCode::Enter)).is_empty());
        assert!(b.mismatch && b.typed.is_empty());
        b.on_key(key(KeyCode::Char('x')));
        assert!(b.typed.is_empty(), "only digits");
        b.on_key(key(KeyCode::Char('2')));
        assert!(!b.mismatch);
        assert_eq!(
            b.on_key(key(KeyCode::Enter)),
            vec![Cmd::StartBatch(vec![23_456_780, 18_000_042])]
        );
        assert_eq!(b.phase, Phase::Running);
    }

    #[test]
    fn progress_and_touch_follow_the_worker_and_esc_stops_the_batch() {
        let mut b = started();
        let plug = known(Text::BulkPlugNext, Vec::new());
        b.update(&Msg::Batch(view([Mark::Pending; 2], plug.clone(), false)));
        b.update(&Msg::Touch {
            serial: 23_456_780,
            remaining: Duration::from_secs(30),
        });
        b.update(&Msg::Tick(Duration::from_secs(4)));
        assert_eq!(b.touch, Some(Duration::from_secs(26)));
        let done = known(Text::BulkKeyDone, vec![Part::Plain("23456780".into())]);
        b.update(&Msg::Batch(view([Mark::Done, Mark::Pending], done, false)));
        assert_eq!(b.touch, None, "the touched key is done");
        assert_eq!(b.batch.as_ref().map(BatchView::progress), Some((1, 2)));
        assert_eq!(b.on_key(key(KeyCode::Esc)), vec![Cmd::StopBatch]);
        assert!(b.closed);
    }

    #[test]
    fn a_batch_that_cannot_start_goes_back_to_the_list() {
        let mut b = started();
        b.update(&Msg::Failed("gone".into()));
        assert_eq!(b.phase, Phase::Confirm);
        assert!(b.on_key(key(KeyCode::Esc)).is_empty(), "nothing to stop");
    }
}

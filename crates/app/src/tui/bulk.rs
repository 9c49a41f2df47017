//! The bulk reset screen (F4): wipe a pile of handed-back keys. It lists the
//! keys waiting for a reset, asks the technician to type how many there are
//! (a destructive step over many serials at once), then follows the batch
//! that keydesk-core runs as the keys are plugged in one at a time: a
//! progress gauge, each key's mark, what to do now, and the touch countdown.

use std::time::Duration;

mod view;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::model::{BatchView, Cmd, Msg, Waiting};
use super::screen::{Ctx, Outcome, Screen};
use crate::i18n::Text;

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
}

impl Default for Bulk {
    fn default() -> Self {
        Self::new()
    }
}

impl Bulk {
    /// The screen as it opens (and asks for the keys waiting, see [`Screen::opened`]).
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
}

impl Screen for Bulk {
    fn on_key(&mut self, key: KeyEvent, ctx: &Ctx<'_>) -> Outcome {
        match key.code {
            KeyCode::Esc if self.phase == Phase::Running => {
                return Outcome::Close(vec![Cmd::StopBatch]);
            }
            KeyCode::Esc => return Outcome::close(),
            KeyCode::F(7) if ctx.demo => {
                // Demo: replug the key plugged in (the batch sees it gone and back).
                return ctx
                    .plugged
                    .first()
                    .map(|k| Cmd::Replug(k.serial))
                    .into_iter()
                    .collect::<Vec<_>>()
                    .into();
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
                    )]
                    .into();
                }
                self.mismatch = true;
                self.typed.clear();
            }
            _ => {}
        }
        Outcome::stay()
    }

    fn wants(&self, msg: &Msg) -> bool {
        matches!(
            msg,
            Msg::Waiting { .. } | Msg::Batch(_) | Msg::Failed(_) | Msg::Touch { .. } | Msg::Tick(_)
        )
    }

    fn on_msg(&mut self, msg: &Msg, _ctx: &Ctx<'_>) -> Outcome {
        self.update(msg);
        Outcome::stay()
    }

    fn opened(&mut self, _ctx: &Ctx<'_>) -> Vec<Cmd> {
        vec![Cmd::ListWaiting]
    }

    fn render(&self, ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
        view::render(self, ctx.lang, ctx.offset, ctx.plugged, area, buf);
    }

    fn footer(&self, _ctx: &Ctx<'_>) -> [Option<Text>; 2] {
        let first = if self.phase == Phase::Running {
            Text::FooterBulkRunning
        } else {
            Text::FooterBulk
        };
        [Some(first), Some(Text::FooterGlobal)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::model::{KeyState, Mark};
    use crate::tui::problem::{Part, Problem};
    use crate::tui::testing::s;

    fn press(b: &mut Bulk, code: KeyCode) -> Outcome {
        b.on_key(KeyEvent::from(code), &Ctx::test(&[]))
    }

    fn known(text: Text, parts: Vec<Part>) -> Problem {
        Problem::Known(text, parts)
    }

    fn waiting() -> Vec<Waiting> {
        [23_456_780, 18_000_042]
            .into_iter()
            .map(|serial| Waiting {
                serial: s(serial),
                state: KeyState::Returned,
                since: "2026-11-20T08:00:00Z".into(),
            })
            .collect()
    }

    fn view(marks: [Mark; 2], note: Problem, finished: bool) -> BatchView {
        BatchView {
            fido: true,
            keys: vec![(s(23_456_780), marks[0]), (s(18_000_042), marks[1])],
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
        press(&mut b, KeyCode::Char('2'));
        press(&mut b, KeyCode::Enter);
        b
    }

    #[test]
    fn the_batch_starts_only_when_the_number_of_keys_is_typed() {
        let mut b = Bulk::new();
        assert!(
            press(&mut b, KeyCode::Enter).cmds().is_empty(),
            "nothing listed yet"
        );
        b.update(&Msg::Waiting {
            keys: waiting(),
            fido: true,
        });
        assert_eq!(b.phase, Phase::Confirm);
        press(&mut b, KeyCode::Char('3'));
        assert!(press(&mut b, KeyCode::Enter).cmds().is_empty());
        assert!(b.mismatch && b.typed.is_empty());
        press(&mut b, KeyCode::Char('x'));
        assert!(b.typed.is_empty(), "only digits");
        press(&mut b, KeyCode::Char('2'));
        assert!(!b.mismatch);
        assert_eq!(
            press(&mut b, KeyCode::Enter).cmds(),
            [Cmd::StartBatch(vec![s(23_456_780), s(18_000_042)])]
        );
        assert_eq!(b.phase, Phase::Running);
    }

    #[test]
    fn progress_and_touch_follow_the_worker_and_esc_stops_the_batch() {
        let mut b = started();
        let plug = known(Text::BulkPlugNext, Vec::new());
        b.update(&Msg::Batch(view([Mark::Pending; 2], plug.clone(), false)));
        b.update(&Msg::Touch {
            serial: s(23_456_780),
            remaining: Duration::from_secs(30),
        });
        b.update(&Msg::Tick(Duration::from_secs(4)));
        assert_eq!(b.touch, Some(Duration::from_secs(26)));
        let done = known(Text::BulkKeyDone, vec![Part::Plain("23456780".into())]);
        b.update(&Msg::Batch(view([Mark::Done, Mark::Pending], done, false)));
        assert_eq!(b.touch, None, "the touched key is done");
        assert_eq!(b.batch.as_ref().map(BatchView::progress), Some((1, 2)));
        let out = press(&mut b, KeyCode::Esc);
        assert!(out.closes());
        assert_eq!(out.cmds(), [Cmd::StopBatch]);
    }

    #[test]
    fn a_batch_that_cannot_start_goes_back_to_the_list() {
        let mut b = started();
        b.update(&Msg::Failed("gone".into()));
        assert_eq!(b.phase, Phase::Confirm);
        let out = press(&mut b, KeyCode::Esc);
        assert!(out.closes() && out.cmds().is_empty(), "nothing to stop");
    }
}

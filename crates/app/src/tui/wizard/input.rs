//! A wizard as a screen: keys step through the plan (search, choose, type
//! PINs or the serial, confirm), worker answers move the working step on,
//! and the wizard closes when the technician leaves it (dropping it wipes a
//! PIN letter or PIN still held).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::{Countdown, Step, Wizard};
use crate::i18n::Text;
use crate::tui::model::{Cmd, HitKind, Msg, Pins, Policy};
use crate::tui::problem::Problem;
use crate::tui::screen::{Ctx, Outcome, Screen};

impl Screen for Wizard {
    fn on_key(&mut self, key: KeyEvent, ctx: &Ctx<'_>) -> Outcome {
        let step = self.step();
        match (step, key.code) {
            (Step::Done, KeyCode::Enter | KeyCode::Esc) => {
                self.letter = None;
                Outcome::close()
            }
            (Step::Done, _) => Outcome::stay(),
            // After a partly done workflow, running it again would fail on what
            // already happened: Enter closes, like Esc.
            (Step::Working, KeyCode::Enter)
                if self.error.as_ref().is_some_and(Problem::partly_done) =>
            {
                Outcome::close()
            }
            (Step::Working, KeyCode::Enter) if self.error.is_some() => self.retry().into(),
            (Step::Working, KeyCode::Esc) if self.error.is_some() => Outcome::close(),
            (Step::Working, _) => Outcome::stay(),
            (_, KeyCode::Esc) => self.back(),
            (Step::Staff | Step::Notebook, _) => self.on_search_key(key).into(),
            (Step::PinEntry, _) => self.on_pin_key(key, ctx.policy).into(),
            (Step::TypeSerial, _) => self.on_serial_key(key).into(),
            (Step::Replug, KeyCode::Enter) => self.start_after_replug(ctx).into(),
            (Step::Replug, KeyCode::F(7)) if ctx.demo => vec![Cmd::Replug(self.serial)].into(),
            (Step::Confirm, KeyCode::Enter) => self.advance().into(),
            (
                Step::PinChoice | Step::Reason | Step::ReturnReset | Step::OldFate | Step::NewKey,
                _,
            ) => self.on_choice_key(key).into(),
            _ => Outcome::stay(),
        }
    }

    fn wants(&self, msg: &Msg) -> bool {
        match msg {
            Msg::SearchResults { query, .. } => *query == self.query,
            Msg::Plugged(_)
            | Msg::Tick(_)
            | Msg::Replugged(_)
            | Msg::Touch { .. }
            | Msg::Finished { .. }
            | Msg::CsrSaved { .. }
            | Msg::WizardFailed(_) => true,
            _ => false,
        }
    }

    fn on_msg(&mut self, msg: &Msg, ctx: &Ctx<'_>) -> Outcome {
        self.on_answer(msg, ctx).into()
    }

    fn opened(&mut self, ctx: &Ctx<'_>) -> Vec<Cmd> {
        self.offer_keys(ctx.plugged);
        Vec::new()
    }

    fn render(&self, ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
        super::view::render(self, ctx, area, buf);
    }

    fn footer(&self, _ctx: &Ctx<'_>) -> [Option<Text>; 2] {
        // The wizard's own keys are on its last line.
        [Some(Text::FooterGlobal), None]
    }
}

impl Wizard {
    /// A worker answer or the clock.
    fn on_answer(&mut self, msg: &Msg, ctx: &Ctx<'_>) -> Vec<Cmd> {
        match msg {
            Msg::Tick(dt) => {
                if let Some(c) = &mut self.countdown {
                    c.left = c.left.saturating_sub(*dt);
                }
                Vec::new()
            }
            Msg::SearchResults { query, hits } if *query == self.query => {
                let want = if self.step() == Step::Staff {
                    HitKind::Staff
                } else {
                    HitKind::Notebook
                };
                self.hits
                    .set(hits.iter().filter(|h| h.kind == want).cloned().collect());
                Vec::new()
            }
            Msg::Plugged(rows) => {
                self.offer_keys(rows);
                if self.step() != Step::Replug {
                    return Vec::new();
                }
                let here = rows.iter().any(|k| k.serial == self.serial);
                if !here {
                    self.seen_unplugged = true;
                    Vec::new()
                } else if self.seen_unplugged {
                    self.start_after_replug(ctx)
                } else {
                    Vec::new()
                }
            }
            Msg::Replugged(s) if *s == self.serial && self.step() == Step::Replug => {
                self.start_after_replug(ctx)
            }
            Msg::Touch { serial, remaining } if *serial == self.serial => {
                self.countdown = Some(Countdown {
                    what: Text::TouchNow,
                    left: *remaining,
                });
                Vec::new()
            }
            Msg::CsrSaved { serial, path } if *serial == self.serial => {
                self.csr = Some(path.clone());
                Vec::new()
            }
            Msg::Finished {
                serial,
                state,
                letter,
            } if *serial == self.serial && self.step() == Step::Working => {
                self.countdown = None;
                self.state_after = *state;
                self.letter.clone_from(letter);
                self.at = self.plan().len().saturating_sub(1);
                Vec::new()
            }
            Msg::WizardFailed(text) if self.step() == Step::Working => {
                self.countdown = None;
                self.error = Some(text.clone());
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn on_choice_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        match key.code {
            KeyCode::Up | KeyCode::Down => {
                if let Some(c) = self.choices.cursor(self.step()) {
                    if key.code == KeyCode::Up {
                        c.up();
                    } else {
                        c.down();
                    }
                }
            }
            KeyCode::Enter if self.pick() => return self.advance(),
            KeyCode::Enter => self.hint = Some(Text::HintPlugAnother),
            _ => {}
        }
        Vec::new()
    }

    fn on_search_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        match key.code {
            KeyCode::Up => self.hits.up(),
            KeyCode::Down => self.hits.down(),
            KeyCode::Enter => {
                let pick = self.hits.selected().cloned();
                match (self.step(), pick) {
                    (Step::Staff, Some(h)) => self.staff = Some(h),
                    (Step::Notebook, pick) => self.notebook = pick,
                    _ => {
                        self.hint = Some(Text::HintPickStaff);
                        return Vec::new();
                    }
                }
                return self.advance();
            }
            KeyCode::Backspace => {
                self.query.pop();
                return self.searched();
            }
            KeyCode::Char(c) => {
                self.query.push(c);
                return self.searched();
            }
            _ => {}
        }
        Vec::new()
    }

    fn searched(&mut self) -> Vec<Cmd> {
        self.hits.first();
        if self.step() == Step::Notebook && self.staff.is_some() {
            return self.notebook_choices();
        }
        if self.query.trim().is_empty() {
            self.hits.clear();
            Vec::new()
        } else {
            vec![Cmd::Search(self.query.clone())]
        }
    }

    fn on_pin_key(&mut self, key: KeyEvent, policy: Policy) -> Vec<Cmd> {
        let field = if self.pin_field == 0 {
            &mut self.pin
        } else {
            &mut self.pin_again
        };
        match key.code {
            KeyCode::Char(c) if c.is_ascii_digit() && field.len() < policy.pin_max => {
                field.push(c);
            }
            KeyCode::Char(_) => self.hint = Some(Text::HintDigitsOnly),
            KeyCode::Backspace => {
                field.pop();
            }
            KeyCode::Tab | KeyCode::Down | KeyCode::Up => self.pin_field ^= 1,
            KeyCode::Enter if self.pin_field == 0 => {
                if self.pin.len() < policy.pin_min {
                    self.hint = Some(Text::HintPinTooShort);
                } else {
                    self.hint = None;
                    self.pin_field = 1;
                }
            }
            KeyCode::Enter => {
                if self.pin.len() < policy.pin_min {
                    self.hint = Some(Text::HintPinTooShort);
                    self.pin_field = 0;
                } else if *self.pin != *self.pin_again {
                    self.hint = Some(Text::HintPinsDiffer);
                    self.pin_again.clear();
                } else {
                    self.pins = Some(Pins::Typed(keydesk_core::Secret::new(&self.pin)));
                    self.pin.clear();
                    self.pin_again.clear();
                    return self.advance();
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn on_serial_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        match key.code {
            KeyCode::Char(c) if c.is_ascii_digit() && self.typed.len() < 10 => self.typed.push(c),
            KeyCode::Backspace => {
                self.typed.pop();
            }
            KeyCode::Enter => {
                if self.typed == self.serial.to_string() {
                    self.typed.clear();
                    return self.advance();
                }
                self.hint = Some(Text::HintSerialMismatch);
                self.typed.clear();
            }
            _ => {}
        }
        Vec::new()
    }
}

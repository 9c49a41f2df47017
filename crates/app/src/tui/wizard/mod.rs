//! The guided workflows (enrol, reset, revoke, return, replace, lost), one
//! step per screen. A [`Wizard`] holds the key being worked on, what was
//! chosen so far and where it is in its plan; its update function turns
//! keys and worker answers into the next step and, at the working step, one
//! command for the worker. The workflows themselves live in keydesk-core.

mod enrol;
mod lost;
mod replace;
mod reset;
mod return_;
mod revoke;
pub mod view;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent};
use zeroize::Zeroizing;

use super::model::{
    Cmd, Fate, Hit, HitKind, KeyRow, KeyState, LetterView, Msg, Pins, Policy, RevokeReason,
};
use super::problem::Problem;
use crate::i18n::Text;

/// Which workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Enrol,
    Reset,
    Revoke,
    Return,
    Replace,
    Lost,
}

impl Flow {
    /// The wizard's title.
    #[must_use]
    pub fn text(self) -> Text {
        match self {
            Self::Enrol => Text::FlowEnrol,
            Self::Reset => Text::FlowReset,
            Self::Revoke => Text::FlowRevoke,
            Self::Return => Text::FlowReturn,
            Self::Replace => Text::FlowReplace,
            Self::Lost => Text::FlowLost,
        }
    }

    /// The letter that starts it from the home screen (the same in both languages).
    #[must_use]
    pub fn from_letter(c: char) -> Option<Self> {
        match c.to_ascii_uppercase() {
            'E' => Some(Self::Enrol),
            'R' => Some(Self::Reset),
            'V' => Some(Self::Revoke),
            'Z' => Some(Self::Return),
            'T' => Some(Self::Replace),
            'L' => Some(Self::Lost),
            _ => None,
        }
    }

    fn plan(self) -> &'static [Step] {
        match self {
            Self::Enrol => enrol::PLAN,
            Self::Reset => reset::PLAN,
            Self::Revoke => revoke::PLAN,
            Self::Return => return_::PLAN,
            Self::Replace => replace::PLAN,
            Self::Lost => lost::PLAN,
        }
    }
}

/// One screen of a wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Find the staff member (search as you type).
    Staff,
    /// Find the notebook (optional).
    Notebook,
    /// PIN letter or typed PINs.
    PinChoice,
    /// Masked PIN entry, twice.
    PinEntry,
    /// Why the key is revoked.
    Reason,
    /// Return: reset the key now or later.
    ReturnReset,
    /// Replace: what happens to the old key.
    OldFate,
    /// Replace/lost: the key handed out instead (one plugged in).
    NewKey,
    /// Type the serial to confirm a destructive step.
    TypeSerial,
    /// Look over everything, Enter to go.
    Confirm,
    /// Unplug and plug the key back in (FIDO2 reset window).
    Replug,
    /// The worker is at it.
    Working,
    /// The result (and for enrolments the PIN letter, shown once).
    Done,
}

impl Step {
    /// The step's name in the progress line.
    #[must_use]
    pub fn text(self) -> Text {
        match self {
            Self::Staff => Text::StepStaff,
            Self::Notebook => Text::StepNotebook,
            Self::PinChoice | Self::PinEntry => Text::StepPins,
            Self::Reason => Text::StepReason,
            Self::ReturnReset => Text::StepReturnReset,
            Self::OldFate => Text::StepOldFate,
            Self::NewKey => Text::StepNewKey,
            Self::TypeSerial | Self::Confirm => Text::StepConfirm,
            Self::Replug => Text::StepReplug,
            Self::Working => Text::StepWorking,
            Self::Done => Text::StepDone,
        }
    }
}

/// A countdown on screen (FIDO2 reset window, touch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Countdown {
    pub what: Text,
    pub left: Duration,
}

/// What the wizard's update needs from the rest of the app.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub plugged: &'a [KeyRow],
    pub policy: Policy,
    pub demo: bool,
}

/// The options of the old key's fate in a replacement.
pub const FATES: [Fate; 5] = [
    Fate::Returned,
    Fate::Revoked(RevokeReason::Lost),
    Fate::Revoked(RevokeReason::Stolen),
    Fate::Revoked(RevokeReason::Left),
    Fate::Revoked(RevokeReason::Defective),
];

/// One workflow in progress.
#[derive(Debug, Clone)]
pub struct Wizard {
    pub flow: Flow,
    pub serial: u32,
    pub at: usize,
    /// Search box and list cursor of the current step.
    pub query: String,
    pub hits: Vec<Hit>,
    pub choice: usize,
    pub staff: Option<Hit>,
    pub notebook: Option<Hit>,
    pub pins: Option<Pins>,
    pub pin: Zeroizing<String>,
    pub pin_again: Zeroizing<String>,
    /// Which PIN field has the cursor (0 or 1).
    pub pin_field: u8,
    pub reason: Option<RevokeReason>,
    pub reset_on_return: bool,
    pub fate: Option<Fate>,
    pub new_key: Option<u32>,
    pub typed: String,
    /// The key was seen unplugged during the replug step.
    pub seen_unplugged: bool,
    pub countdown: Option<Countdown>,
    /// A hint on the current step (bad input) or the failure of the work.
    pub error: Option<crate::tui::problem::Problem>,
    /// A named hint from the table (shown when `error` is empty).
    pub hint: Option<Text>,
    pub state_after: Option<KeyState>,
    /// Shown once; dropped (and wiped) when the wizard closes.
    pub letter: Option<Box<LetterView>>,
    /// Where the enrolment's CSR for the office CA was saved (or why not).
    pub csr: Option<Result<String, crate::tui::problem::Problem>>,
    /// Set when the technician leaves the wizard.
    pub closed: bool,
}

impl Wizard {
    /// A wizard for `flow` on the key `serial`.
    #[must_use]
    pub fn new(flow: Flow, serial: u32) -> Self {
        Self {
            flow,
            serial,
            at: 0,
            query: String::new(),
            hits: Vec::new(),
            choice: 0,
            staff: None,
            notebook: None,
            pins: None,
            pin: Zeroizing::new(String::with_capacity(16)),
            pin_again: Zeroizing::new(String::with_capacity(16)),
            pin_field: 0,
            reason: None,
            reset_on_return: true,
            fate: None,
            new_key: None,
            typed: String::new(),
            seen_unplugged: false,
            countdown: None,
            error: None,
            hint: None,
            state_after: None,
            letter: None,
            csr: None,
            closed: false,
        }
    }

    /// The steps of this wizard.
    #[must_use]
    pub fn plan(&self) -> &'static [Step] {
        self.flow.plan()
    }

    /// The step on screen.
    #[must_use]
    pub fn step(&self) -> Step {
        self.plan().get(self.at).copied().unwrap_or(Step::Done)
    }

    /// Whether a step is skipped with the choices made so far.
    fn skipped(&self, step: Step) -> bool {
        match step {
            Step::PinEntry => self.pins == Some(Pins::Letter),
            Step::Replug | Step::TypeSerial => self.flow == Flow::Return && !self.reset_on_return,
            Step::Confirm => self.flow == Flow::Return && self.reset_on_return,
            _ => false,
        }
    }

    /// Keys plugged in that can be handed out instead of this one.
    #[must_use]
    pub fn candidates<'a>(&self, plugged: &'a [KeyRow]) -> Vec<&'a KeyRow> {
        plugged.iter().filter(|k| k.serial != self.serial).collect()
    }

    fn command(&self) -> Option<Cmd> {
        match self.flow {
            Flow::Enrol => enrol::command(self),
            Flow::Reset => reset::command(self),
            Flow::Revoke => revoke::command(self),
            Flow::Return => return_::command(self),
            Flow::Replace => replace::command(self),
            Flow::Lost => lost::command(self),
        }
    }

    /// Go to the next step that applies; entering the working step sends the work.
    fn advance(&mut self) -> Vec<Cmd> {
        self.error = None;
        self.hint = None;
        self.choice = 0;
        self.query.clear();
        self.hits.clear();
        loop {
            self.at += 1;
            if !self.skipped(self.step()) {
                break;
            }
        }
        if self.step() == Step::Working {
            return self.command().into_iter().collect();
        }
        Vec::new()
    }

    /// Back one step (Esc); leaving the first step closes the wizard.
    fn back(&mut self) {
        self.error = None;
        self.hint = None;
        self.choice = 0;
        self.query.clear();
        self.hits.clear();
        loop {
            if self.at == 0 {
                self.closed = true;
                return;
            }
            self.at -= 1;
            if !self.skipped(self.step()) {
                break;
            }
        }
        if self.step() == Step::PinEntry {
            self.pins = None;
            self.pin.clear();
            self.pin_again.clear();
            self.pin_field = 0;
        }
    }

    /// The FIDO2 reset window for the key (10 s from firmware 5.7, else 5 s).
    fn reset_window(&self, ctx: &Ctx<'_>) -> Duration {
        let fw = ctx
            .plugged
            .iter()
            .find(|k| k.serial == self.serial)
            .map(|k| k.firmware.as_str())
            .unwrap_or("");
        let mut parts = fw.split('.').filter_map(|p| p.parse::<u32>().ok());
        let newer =
            matches!((parts.next(), parts.next()), (Some(maj), Some(min)) if (maj, min) >= (5, 7));
        Duration::from_secs(if newer { 10 } else { 5 })
    }

    /// The key is back in: start the work and count the reset window down.
    fn start_after_replug(&mut self, ctx: &Ctx<'_>) -> Vec<Cmd> {
        let window = self.reset_window(ctx);
        let cmds = self.advance();
        self.countdown = Some(Countdown {
            what: Text::ResetWindow,
            left: window,
        });
        cmds
    }

    /// Apply one message.
    pub fn update(&mut self, msg: &Msg, ctx: &Ctx<'_>) -> Vec<Cmd> {
        match msg {
            Msg::Key(key) => self.on_key(*key, ctx),
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
                self.hits = hits.iter().filter(|h| h.kind == want).cloned().collect();
                self.choice = self.choice.min(self.hits.len().saturating_sub(1));
                Vec::new()
            }
            Msg::Plugged(rows) if self.step() == Step::Replug => {
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

    fn on_key(&mut self, key: KeyEvent, ctx: &Ctx<'_>) -> Vec<Cmd> {
        let step = self.step();
        match (step, key.code) {
            (Step::Done, KeyCode::Enter | KeyCode::Esc) => {
                self.letter = None;
                self.closed = true;
                Vec::new()
            }
            (Step::Done, _) => Vec::new(),
            // After a partly done workflow, running it again would fail on what
            // already happened: Enter closes, like Esc.
            (Step::Working, KeyCode::Enter)
                if self.error.as_ref().is_some_and(Problem::partly_done) =>
            {
                self.closed = true;
                Vec::new()
            }
            (Step::Working, KeyCode::Enter) if self.error.is_some() => self.retry(),
            (Step::Working, KeyCode::Esc) if self.error.is_some() => {
                self.closed = true;
                Vec::new()
            }
            (Step::Working, _) => Vec::new(),
            (_, KeyCode::Esc) => {
                self.back();
                Vec::new()
            }
            (Step::Staff | Step::Notebook, _) => self.on_search_key(key),
            (Step::PinEntry, _) => self.on_pin_key(key, ctx.policy),
            (Step::TypeSerial, _) => self.on_serial_key(key),
            (Step::Replug, KeyCode::Enter) => self.start_after_replug(ctx),
            (Step::Replug, KeyCode::F(7)) if ctx.demo => vec![Cmd::Replug(self.serial)],
            (Step::Confirm, KeyCode::Enter) => self.advance(),
            (
                Step::PinChoice | Step::Reason | Step::ReturnReset | Step::OldFate | Step::NewKey,
                _,
            ) => self.on_choice_key(key, ctx),
            _ => Vec::new(),
        }
    }

    /// After a failure: back to the replug step where there is one, else run again.
    fn retry(&mut self) -> Vec<Cmd> {
        self.error = None;
        if let Some(i) = self.plan().iter().position(|s| *s == Step::Replug) {
            if !self.skipped(Step::Replug) {
                self.at = i;
                self.seen_unplugged = false;
                return Vec::new();
            }
        }
        self.command().into_iter().collect()
    }

    fn options(&self, ctx: &Ctx<'_>) -> usize {
        match self.step() {
            Step::PinChoice | Step::ReturnReset => 2,
            Step::Reason => RevokeReason::ALL.len(),
            Step::OldFate => FATES.len(),
            Step::NewKey => self.candidates(ctx.plugged).len(),
            _ => 0,
        }
    }

    fn on_choice_key(&mut self, key: KeyEvent, ctx: &Ctx<'_>) -> Vec<Cmd> {
        let n = self.options(ctx);
        match key.code {
            KeyCode::Up => self.choice = self.choice.saturating_sub(1),
            KeyCode::Down if self.choice + 1 < n => self.choice += 1,
            KeyCode::Enter if n > 0 => {
                let i = self.choice.min(n - 1);
                match self.step() {
                    Step::PinChoice => {
                        self.pins = (i == 0).then_some(Pins::Letter);
                    }
                    Step::ReturnReset => self.reset_on_return = i == 0,
                    Step::Reason => self.reason = RevokeReason::ALL.get(i).copied(),
                    Step::OldFate => self.fate = FATES.get(i).copied(),
                    Step::NewKey => {
                        self.new_key = self.candidates(ctx.plugged).get(i).map(|k| k.serial);
                    }
                    _ => {}
                }
                return self.advance();
            }
            KeyCode::Enter => self.hint = Some(Text::HintPlugAnother),
            _ => {}
        }
        Vec::new()
    }

    fn on_search_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        match key.code {
            KeyCode::Up => self.choice = self.choice.saturating_sub(1),
            KeyCode::Down if self.choice + 1 < self.hits.len() => self.choice += 1,
            KeyCode::Enter => {
                let pick = self.hits.get(self.choice).cloned();
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
        self.choice = 0;
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

#[cfg(test)]
pub(crate) mod testing;

//! The guided workflows (enrol, reset, revoke, return, replace, lost), one
//! step per screen. A [`Wizard`] holds the key being worked on, what was
//! chosen so far and where it is in its plan; as a
//! [`Screen`](super::screen::Screen) (see `input`) it turns keys and worker
//! answers into the next step and, at the working step, one command for the
//! worker. The workflows themselves live in keydesk-core.

pub mod choices;
mod enrol;
mod input;
mod lost;
mod replace;
mod reset;
mod return_;
mod revoke;
pub mod view;

use std::time::Duration;

use zeroize::Zeroizing;

use super::choice::Choice;
use super::model::{Cmd, Fate, Hit, KeyRow, KeyState, LetterView, Pins, RevokeReason, Serial};
use super::screen::{Ctx, Outcome};
use crate::i18n::Text;
use choices::Choices;

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

/// One workflow in progress.
#[derive(Debug, Clone)]
pub struct Wizard {
    pub flow: Flow,
    pub serial: Serial,
    pub at: usize,
    /// Search box and hits of the current step (staff or notebook).
    pub query: String,
    pub hits: Choice<Hit>,
    /// The options of the choice steps.
    pub choices: Choices,
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
    pub new_key: Option<Serial>,
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
}

impl Wizard {
    /// A wizard for `flow` on the key `serial`.
    #[must_use]
    pub fn new(flow: Flow, serial: Serial) -> Self {
        Self {
            flow,
            serial,
            at: 0,
            query: String::new(),
            hits: Choice::default(),
            choices: Choices::default(),
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
        self.choices.rewind();
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
        self.notebook_choices()
    }

    /// On the notebook step: ask for the notebooks to offer, the staff
    /// member's own first (all of theirs while nothing is typed).
    fn notebook_choices(&self) -> Vec<Cmd> {
        match (&self.staff, self.step()) {
            (Some(staff), Step::Notebook) => vec![Cmd::NotebookChoices {
                staff: staff.ref_id,
                query: self.query.clone(),
            }],
            _ => Vec::new(),
        }
    }

    /// Back one step (Esc); leaving the first step closes the wizard.
    fn back(&mut self) -> Outcome {
        self.error = None;
        self.hint = None;
        self.choices.rewind();
        self.query.clear();
        self.hits.clear();
        loop {
            if self.at == 0 {
                return Outcome::close();
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
        self.notebook_choices().into()
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
}

#[cfg(test)]
pub(crate) mod testing;

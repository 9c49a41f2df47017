//! The options of the wizard's choice steps, each a typed [`Choice`]: where
//! the PINs come from, why a key is revoked, whether a returned key is reset
//! now, what happens to the old key of a replacement, and which plugged key
//! is handed out instead. What Enter picks is kept in the wizard's own
//! fields (shown under "so far"); these are the lists and their cursors.

use super::{Step, Wizard};
use crate::i18n::Text;
use crate::tui::choice::{Choice, Cursor};
use crate::tui::model::{Fate, KeyRow, Pins, RevokeReason};

/// Where the new PINs come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinSource {
    /// Random PINs on a letter, shown once.
    Letter,
    /// Typed at the counter by the staff member.
    Typed,
}

impl PinSource {
    /// The option's text on the PIN step.
    #[must_use]
    pub fn text(self) -> Text {
        match self {
            Self::Letter => Text::PinOptLetterLong,
            Self::Typed => Text::PinOptTypedLong,
        }
    }
}

/// When a returned key is reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetWhen {
    /// Now, at the counter: it goes back to stock.
    Now,
    /// Later (marked returned, for a bulk reset).
    Later,
}

impl ResetWhen {
    /// The option's text.
    #[must_use]
    pub fn text(self) -> Text {
        match self {
            Self::Now => Text::ReturnResetNow,
            Self::Later => Text::ReturnResetLater,
        }
    }
}

/// The options of the old key's fate in a replacement.
pub const FATES: [Fate; 5] = [
    Fate::Returned,
    Fate::Revoked(RevokeReason::Lost),
    Fate::Revoked(RevokeReason::Stolen),
    Fate::Revoked(RevokeReason::Left),
    Fate::Revoked(RevokeReason::Defective),
];

/// The lists of the choice steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choices {
    pub pins: Choice<PinSource>,
    pub reason: Choice<RevokeReason>,
    pub reset: Choice<ResetWhen>,
    pub fate: Choice<Fate>,
    /// The plugged keys that can be handed out instead (kept in step with
    /// the keys plugged in).
    pub new_key: Choice<KeyRow>,
}

impl Default for Choices {
    fn default() -> Self {
        Self {
            pins: Choice::new([PinSource::Letter, PinSource::Typed]),
            reason: Choice::new(RevokeReason::ALL),
            reset: Choice::new([ResetWhen::Now, ResetWhen::Later]),
            fate: Choice::new(FATES),
            new_key: Choice::default(),
        }
    }
}

impl Choices {
    /// Every cursor back on its first option (a step was entered).
    pub fn rewind(&mut self) {
        self.pins.first();
        self.reason.first();
        self.reset.first();
        self.fate.first();
        self.new_key.first();
    }

    /// The list of `step`, if it is a choice step.
    pub fn cursor(&mut self, step: Step) -> Option<&mut dyn Cursor> {
        match step {
            Step::PinChoice => Some(&mut self.pins),
            Step::Reason => Some(&mut self.reason),
            Step::ReturnReset => Some(&mut self.reset),
            Step::OldFate => Some(&mut self.fate),
            Step::NewKey => Some(&mut self.new_key),
            _ => None,
        }
    }
}

impl Wizard {
    /// The keys plugged in changed: offer the ones that can be handed out.
    pub(super) fn offer_keys(&mut self, plugged: &[KeyRow]) {
        let keys = self.candidates(plugged).into_iter().cloned().collect();
        self.choices.new_key.set(keys);
    }

    /// Enter on a choice step: keep what is selected. False when there is
    /// nothing to pick (no other key plugged in).
    pub(super) fn pick(&mut self) -> bool {
        let c = &self.choices;
        match self.step() {
            Step::PinChoice => match c.pins.selected() {
                Some(PinSource::Letter) => self.pins = Some(Pins::Letter),
                // Typed on the next step.
                Some(PinSource::Typed) | None => self.pins = None,
            },
            Step::ReturnReset => {
                self.reset_on_return = c.reset.selected() != Some(&ResetWhen::Later);
            }
            Step::Reason => self.reason = c.reason.selected().copied(),
            Step::OldFate => self.fate = c.fate.selected().copied(),
            Step::NewKey => match c.new_key.selected() {
                Some(k) => self.new_key = Some(k.serial),
                None => return false,
            },
            _ => {}
        }
        true
    }
}

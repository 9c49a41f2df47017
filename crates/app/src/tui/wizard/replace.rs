//! Replace: the old key is returned or revoked, a new key (plugged in) is
//! enrolled for the same person and notebook.

use super::{Step, Wizard};
use crate::tui::model::Cmd;

pub(super) const PLAN: &[Step] = &[
    Step::OldFate,
    Step::NewKey,
    Step::PinChoice,
    Step::PinEntry,
    Step::Confirm,
    Step::Working,
    Step::Done,
];

pub(super) fn command(w: &Wizard) -> Option<Cmd> {
    Some(Cmd::Replace {
        old: w.serial,
        fate: w.fate?,
        new: w.new_key?,
        pins: w.pins.clone()?,
    })
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyCode;

    use super::super::testing::{ctx, press, rows};
    use super::super::{Flow, Step, Wizard};
    use crate::i18n::Text;
    use crate::tui::model::{Cmd, Fate, Pins, Reason};

    #[test]
    fn replace_picks_the_fate_and_a_plugged_new_key() {
        let rows = rows();
        let c = ctx(&rows);
        let mut w = Wizard::new(Flow::Replace, 18_000_042);
        press(&mut w, &c, &[KeyCode::Down, KeyCode::Down, KeyCode::Enter]);
        assert_eq!(w.fate, Some(Fate::Revoked(Reason::Stolen)));
        assert_eq!(w.candidates(&rows).len(), 2);
        press(&mut w, &c, &[KeyCode::Down, KeyCode::Enter]);
        assert_eq!(w.new_key, Some(23_456_781));
        let cmds = press(&mut w, &c, &[KeyCode::Enter, KeyCode::Enter]);
        assert_eq!(
            cmds,
            vec![Cmd::Replace {
                old: 18_000_042,
                fate: Fate::Revoked(Reason::Stolen),
                new: 23_456_781,
                pins: Pins::Letter
            }]
        );
    }

    #[test]
    fn without_another_key_plugged_in_it_says_so() {
        let rows = rows();
        let c = ctx(&rows[..1]);
        let mut w = Wizard::new(Flow::Replace, 23_456_780);
        press(&mut w, &c, &[KeyCode::Enter, KeyCode::Enter]);
        assert_eq!(w.step(), Step::NewKey);
        assert_eq!(w.hint, Some(Text::HintPlugAnother));
    }
}

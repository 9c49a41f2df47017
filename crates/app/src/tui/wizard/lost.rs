//! Lost: the key is revoked at once and a temporary key (plugged in) is lent
//! to the same person until the profile's loan period ends.

use super::{Step, Wizard};
use crate::tui::model::Cmd;

pub(super) const PLAN: &[Step] = &[
    Step::NewKey,
    Step::PinChoice,
    Step::PinEntry,
    Step::Confirm,
    Step::Working,
    Step::Done,
];

pub(super) fn command(w: &Wizard) -> Option<Cmd> {
    Some(Cmd::Lost {
        serial: w.serial,
        temporary: w.new_key?,
        pins: w.pins.clone()?,
    })
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyCode;

    use super::super::testing::{ctx, open, press, rows, s};
    use super::super::{Flow, Step};
    use crate::tui::model::{Cmd, Pins};

    #[test]
    fn lost_lends_a_plugged_key_that_is_not_the_lost_one() {
        let rows = rows();
        let c = ctx(&rows);
        // The lost key is not plugged in; both plugged keys are candidates.
        let mut w = open(Flow::Lost, s(18_000_042), &c);
        press(&mut w, &c, &[KeyCode::Enter]);
        assert_eq!(
            (w.step(), w.new_key),
            (Step::PinChoice, Some(s(23_456_780)))
        );
        let cmds = press(&mut w, &c, &[KeyCode::Enter, KeyCode::Enter]);
        assert_eq!(
            cmds,
            vec![Cmd::Lost {
                serial: s(18_000_042),
                temporary: s(23_456_780),
                pins: Pins::Letter
            }]
        );
        let mut own = open(Flow::Lost, s(23_456_780), &c);
        assert_eq!(
            own.candidates(&rows)
                .iter()
                .map(|k| k.serial)
                .collect::<Vec<_>>(),
            vec![s(23_456_781)]
        );
        press(&mut own, &c, &[KeyCode::Enter]);
        assert_eq!(own.new_key, Some(s(23_456_781)));
    }
}

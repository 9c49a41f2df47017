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

    use super::super::testing::{ctx, open, press, rows, s};
    use super::super::{Flow, Step};
    use crate::i18n::Text;
    use crate::tui::model::{Cmd, Fate, Msg, Pins, RevokeReason};

    #[test]
    fn replace_picks_the_fate_and_a_plugged_new_key() {
        let rows = rows();
        let c = ctx(&rows);
        let mut w = open(Flow::Replace, s(18_000_042), &c);
        press(&mut w, &c, &[KeyCode::Down, KeyCode::Down, KeyCode::Enter]);
        assert_eq!(w.fate, Some(Fate::Revoked(RevokeReason::Stolen)));
        assert_eq!(w.candidates(&rows).len(), 2);
        press(&mut w, &c, &[KeyCode::Down, KeyCode::Enter]);
        assert_eq!(w.new_key, Some(s(23_456_781)));
        let cmds = press(&mut w, &c, &[KeyCode::Enter, KeyCode::Enter]);
        assert_eq!(
            cmds,
            vec![Cmd::Replace {
                old: s(18_000_042),
                fate: Fate::Revoked(RevokeReason::Stolen),
                new: s(23_456_781),
                pins: Pins::Letter
            }]
        );
    }

    #[test]
    fn when_the_old_key_is_already_revoked_and_the_new_one_fails_enter_does_not_run_it_again() {
        let rows = rows();
        let c = ctx(&rows);
        let mut w = open(Flow::Replace, s(18_000_042), &c);
        press(&mut w, &c, &[KeyCode::Down, KeyCode::Down, KeyCode::Enter]);
        press(&mut w, &c, &[KeyCode::Down, KeyCode::Enter]);
        let cmds = press(&mut w, &c, &[KeyCode::Enter, KeyCode::Enter]);
        assert_eq!(cmds.len(), 1, "the replacement runs once");
        let partly = keydesk_core::CoreError::Usage("the new key failed".into()).after(
            keydesk_core::error::Done::Revoked {
                serial: keydesk_types::Serial::new(18_000_042).unwrap(),
                reason: keydesk_core::RevokeReason::Stolen,
            },
            keydesk_core::error::Next::EnrolNew {
                serial: keydesk_types::Serial::new(23_456_781).unwrap(),
                staff: keydesk_types::PersonnelNo::parse("4711").unwrap(),
            },
        );
        let problem = crate::tui::problem::Problem::from_core(&partly);
        assert!(problem.partly_done());
        w.update(&Msg::WizardFailed(problem), &c);
        let out = w.deliver(&super::super::testing::key(KeyCode::Enter), &c);
        assert!(
            out.cmds().is_empty() && out.closes(),
            "no second replacement: the old key is revoked already"
        );
    }

    #[test]
    fn without_another_key_plugged_in_it_says_so() {
        let rows = rows();
        let c = ctx(&rows[..1]);
        let mut w = open(Flow::Replace, s(23_456_780), &c);
        press(&mut w, &c, &[KeyCode::Enter, KeyCode::Enter]);
        assert_eq!(w.step(), Step::NewKey);
        assert_eq!(w.hint, Some(Text::HintPlugAnother));
    }
}

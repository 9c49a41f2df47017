//! Revoke: take a key out of service for a reason; the serial is typed to
//! confirm. Nothing is done to the key itself.

use super::{Step, Wizard};
use crate::tui::model::Cmd;

pub(super) const PLAN: &[Step] = &[Step::Reason, Step::TypeSerial, Step::Working, Step::Done];

pub(super) fn command(w: &Wizard) -> Option<Cmd> {
    Some(Cmd::Revoke(w.serial, w.reason?))
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyCode;

    use super::super::testing::{ctx, press, rows, s, type_str};
    use super::super::{Flow, Step, Wizard};
    use crate::tui::model::{Cmd, KeyState, Msg, RevokeReason};

    #[test]
    fn revoke_picks_a_reason_and_needs_the_serial() {
        let rows = rows();
        let c = ctx(&rows);
        let mut w = Wizard::new(Flow::Revoke, s(18_000_042));
        press(
            &mut w,
            &c,
            &[KeyCode::Down, KeyCode::Down, KeyCode::Down, KeyCode::Down],
        );
        assert_eq!(
            w.choices.reason.index(),
            3,
            "the cursor stops at the last reason"
        );
        press(&mut w, &c, &[KeyCode::Up, KeyCode::Enter]);
        assert_eq!(
            (w.step(), w.reason),
            (Step::TypeSerial, Some(RevokeReason::Left))
        );
        let cmds = type_str(&mut w, &c, "18000042");
        assert!(cmds.is_empty());
        assert_eq!(
            press(&mut w, &c, &[KeyCode::Enter]),
            vec![Cmd::Revoke(s(18_000_042), RevokeReason::Left)]
        );
        w.update(
            &Msg::Finished {
                serial: s(18_000_042),
                state: Some(KeyState::Revoked),
                letter: None,
            },
            &c,
        );
        assert_eq!(w.step(), Step::Done);
    }
}

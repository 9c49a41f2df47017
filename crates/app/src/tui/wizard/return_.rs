//! Return: the staff member hands the key back; it is reset now (the serial
//! typed to confirm, then replug and touch) and goes back to stock, or
//! marked returned to be reset later.

use super::{Step, Wizard};
use crate::tui::model::Cmd;

pub(super) const PLAN: &[Step] = &[
    Step::ReturnReset,
    Step::TypeSerial,
    Step::Confirm,
    Step::Replug,
    Step::Working,
    Step::Done,
];

#[allow(clippy::unnecessary_wraps)]
pub(super) fn command(w: &Wizard) -> Option<Cmd> {
    Some(Cmd::Return {
        serial: w.serial,
        reset: w.reset_on_return,
    })
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyCode;

    use super::super::testing::{ctx, press, rows, s, type_str};
    use super::super::{Flow, Step, Wizard};
    use crate::tui::model::{Cmd, Msg};

    #[test]
    fn return_with_reset_waits_for_the_replug() {
        let rows = rows();
        let c = ctx(&rows);
        let mut w = Wizard::new(Flow::Return, s(23_456_780));
        press(&mut w, &c, &[KeyCode::Enter]);
        assert_eq!(
            w.step(),
            Step::TypeSerial,
            "a reset is confirmed by the serial"
        );
        type_str(&mut w, &c, "23456780");
        press(&mut w, &c, &[KeyCode::Enter]);
        assert_eq!(w.step(), Step::Replug, "no second confirmation");
        press(&mut w, &c, &[KeyCode::Esc]);
        assert_eq!(
            w.step(),
            Step::TypeSerial,
            "Esc goes back over skipped steps"
        );
        type_str(&mut w, &c, "23456780");
        press(&mut w, &c, &[KeyCode::Enter]);
        assert_eq!(
            w.update(&Msg::Replugged(s(23_456_780)), &c),
            vec![Cmd::Return {
                serial: s(23_456_780),
                reset: true
            }]
        );
    }

    #[test]
    fn return_without_reset_skips_the_replug_both_ways() {
        let rows = rows();
        let c = ctx(&rows);
        let mut w = Wizard::new(Flow::Return, s(23_456_780));
        press(&mut w, &c, &[KeyCode::Down, KeyCode::Enter]);
        assert_eq!(w.step(), Step::Confirm, "nothing to type without a reset");
        assert_eq!(
            press(&mut w, &c, &[KeyCode::Enter]),
            vec![Cmd::Return {
                serial: s(23_456_780),
                reset: false
            }]
        );
        assert_eq!(w.step(), Step::Working, "no replug without reset");
        w.update(&Msg::WizardFailed("database locked".into()), &c);
        assert_eq!(
            press(&mut w, &c, &[KeyCode::Enter]),
            vec![Cmd::Return {
                serial: s(23_456_780),
                reset: false
            }],
            "retry runs again when there is no replug"
        );
    }
}

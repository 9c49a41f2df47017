//! Reset: wipe a key back to factory state. Destructive, so the serial is
//! typed to confirm; the FIDO2 part needs a fresh plug-in and a touch.

use super::{Step, Wizard};
use crate::tui::model::Cmd;

pub(super) const PLAN: &[Step] = &[Step::TypeSerial, Step::Replug, Step::Working, Step::Done];

#[allow(clippy::unnecessary_wraps)]
pub(super) fn command(w: &Wizard) -> Option<Cmd> {
    Some(Cmd::Reset(w.serial))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crossterm::event::KeyCode;

    use super::super::testing::{ctx, press, rows, s, type_str};
    use super::super::{Flow, Step, Wizard};
    use crate::i18n::Text;
    use crate::tui::model::{Cmd, KeyState, Msg};

    #[test]
    fn reset_needs_the_serial_typed_then_a_replug() {
        let rows = rows();
        let c = ctx(&rows);
        let mut w = Wizard::new(Flow::Reset, s(23_456_780));
        type_str(&mut w, &c, "23456781");
        assert!(press(&mut w, &c, &[KeyCode::Enter]).is_empty());
        assert_eq!(w.hint, Some(Text::HintSerialMismatch));
        assert_eq!(w.step(), Step::TypeSerial);
        type_str(&mut w, &c, "23456780");
        assert!(press(&mut w, &c, &[KeyCode::Enter]).is_empty());
        assert_eq!(w.step(), Step::Replug);
        // Demo: F7 asks the worker to replug the virtual key.
        assert_eq!(
            press(&mut w, &c, &[KeyCode::F(7)]),
            vec![Cmd::Replug(s(23_456_780))]
        );
        let cmds = w.update(&Msg::Replugged(s(23_456_780)), &c);
        assert_eq!(cmds, vec![Cmd::Reset(s(23_456_780))]);
        let cd = w.countdown.expect("window countdown");
        assert_eq!(
            (cd.what, cd.left),
            (Text::ResetWindow, Duration::from_secs(10))
        );
        w.update(&Msg::Tick(Duration::from_secs(3)), &c);
        assert_eq!(w.countdown.map(|c| c.left), Some(Duration::from_secs(7)));
        w.update(
            &Msg::Touch {
                serial: s(23_456_780),
                remaining: Duration::from_secs(29),
            },
            &c,
        );
        assert_eq!(w.countdown.map(|c| c.what), Some(Text::TouchNow));
        w.update(
            &Msg::Finished {
                serial: s(23_456_780),
                state: Some(KeyState::InStock),
                letter: None,
            },
            &c,
        );
        assert_eq!(
            (w.step(), w.state_after),
            (Step::Done, Some(KeyState::InStock))
        );
    }

    #[test]
    fn a_real_replug_is_seen_in_the_plugged_list_and_a_missed_window_retries() {
        let rows = rows();
        let c = ctx(&rows);
        let mut w = Wizard::new(Flow::Reset, s(23_456_781));
        type_str(&mut w, &c, "23456781");
        press(&mut w, &c, &[KeyCode::Enter]);
        assert!(
            w.update(&Msg::Plugged(rows.clone()), &c).is_empty(),
            "not yet pulled"
        );
        assert!(w.update(&Msg::Plugged(rows[..1].to_vec()), &c).is_empty());
        assert_eq!(
            w.update(&Msg::Plugged(rows.clone()), &c),
            vec![Cmd::Reset(s(23_456_781))]
        );
        assert_eq!(
            w.countdown.map(|c| c.left),
            Some(Duration::from_secs(5)),
            "5.4 keys allow 5 s"
        );
        w.update(
            &Msg::WizardFailed("the FIDO2 reset must start within 5 s".into()),
            &c,
        );
        assert!(w.countdown.is_none());
        assert!(press(&mut w, &c, &[KeyCode::Enter]).is_empty());
        assert_eq!(w.step(), Step::Replug, "retry asks for the replug again");
        assert_eq!(
            press(&mut w, &c, &[KeyCode::Enter]),
            vec![Cmd::Reset(s(23_456_781))]
        );
    }
}

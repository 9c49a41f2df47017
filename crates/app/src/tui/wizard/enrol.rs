//! Enrol: a key from stock is set up and issued to a staff member (and
//! notebook), with a PIN letter or PINs typed at the counter.

use super::{Step, Wizard};
use crate::tui::model::Cmd;

pub(super) const PLAN: &[Step] = &[
    Step::Staff,
    Step::Notebook,
    Step::PinChoice,
    Step::PinEntry,
    Step::Confirm,
    Step::Working,
    Step::Done,
];

pub(super) fn command(w: &Wizard) -> Option<Cmd> {
    Some(Cmd::Enrol {
        serial: w.serial,
        staff: w.staff.as_ref()?.ref_id,
        notebook: w.notebook.as_ref().map(|h| h.ref_id),
        pins: w.pins.clone()?,
    })
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyCode;
    use keydesk_core::Secret;

    use super::super::testing::{closes, ctx, hit, press, rows, s, type_str};
    use super::super::{Flow, Step, Wizard};
    use crate::i18n::Text;
    use crate::tui::model::{Cmd, HitKind, KeyState, LetterView, Msg, Pins};

    /// An enrolment of key 23456780 with Müller, Anna and NB-0815 picked, at
    /// the choice between a PIN letter and typed PINs.
    fn at_pin_choice() -> Wizard {
        let mut wizard = Wizard::new(Flow::Enrol, s(23_456_780));
        let w = &mut wizard;
        let rows = rows();
        let c = ctx(&rows);
        assert_eq!(
            type_str(w, &c, "mü"),
            vec![Cmd::Search("m".into()), Cmd::Search("mü".into())]
        );
        press(w, &c, &[KeyCode::Enter]);
        assert_eq!(w.step(), Step::Staff, "no staff picked yet");
        assert_eq!(w.hint, Some(Text::HintPickStaff));
        w.update(
            &Msg::SearchResults {
                query: "mü".into(),
                hits: vec![
                    hit(HitKind::Notebook, 9, "NB-0815"),
                    hit(HitKind::Staff, 1, "Müller, Anna (4711)"),
                ],
            },
            &c,
        );
        assert_eq!(w.hits.len(), 1, "only staff hits on the staff step");
        // Her own notebooks are asked for at once, before anything is typed.
        assert_eq!(
            press(w, &c, &[KeyCode::Enter]),
            vec![Cmd::NotebookChoices {
                staff: 1,
                query: String::new()
            }]
        );
        assert_eq!(w.step(), Step::Notebook);
        assert_eq!(
            type_str(w, &c, "nb"),
            vec![
                Cmd::NotebookChoices {
                    staff: 1,
                    query: "n".into()
                },
                Cmd::NotebookChoices {
                    staff: 1,
                    query: "nb".into()
                }
            ]
        );
        w.update(
            &Msg::SearchResults {
                query: "nb".into(),
                hits: vec![hit(HitKind::Notebook, 9, "NB-0815")],
            },
            &c,
        );
        press(w, &c, &[KeyCode::Enter]);
        assert_eq!(w.step(), Step::PinChoice);
        wizard
    }

    #[test]
    fn letter_enrolment_sends_one_command_and_shows_the_letter_once() {
        let rows = rows();
        let c = ctx(&rows);
        let mut w = at_pin_choice();
        assert!(press(&mut w, &c, &[KeyCode::Enter]).is_empty());
        assert_eq!(w.step(), Step::Confirm, "PIN entry is skipped for a letter");
        let cmds = press(&mut w, &c, &[KeyCode::Enter]);
        assert_eq!(
            cmds,
            vec![Cmd::Enrol {
                serial: s(23_456_780),
                staff: 1,
                notebook: Some(9),
                pins: Pins::Letter
            }]
        );
        assert_eq!(w.step(), Step::Working);
        assert!(press(&mut w, &c, &[KeyCode::Enter, KeyCode::Esc]).is_empty());
        assert_eq!(
            w.step(),
            Step::Working,
            "no leaving while the key is worked on"
        );
        for serial in [1, 23_456_780] {
            w.update(
                &Msg::CsrSaved {
                    serial: s(serial),
                    path: Ok(format!("/tmp/{serial}.csr.pem")),
                },
                &c,
            );
        }
        assert_eq!(
            w.csr,
            Some(Ok("/tmp/23456780.csr.pem".into())),
            "only this key's CSR"
        );
        w.update(
            &Msg::Finished {
                serial: s(23_456_780),
                state: Some(KeyState::Issued),
                letter: Some(Box::new(LetterView {
                    serial: s(23_456_780),
                    holder: "Müller, Anna".into(),
                    piv_pin: Secret::new("482913"),
                    piv_puk: Secret::new("19283746"),
                    fido_pin: None,
                })),
            },
            &c,
        );
        assert_eq!(w.step(), Step::Done);
        assert!(w.letter.is_some());
        assert!(
            closes(&mut w, &c, &[KeyCode::Enter]) && w.letter.is_none(),
            "the letter is gone once left"
        );
    }

    #[test]
    fn typed_pins_are_checked_against_the_policy_and_each_other() {
        let rows = rows();
        let c = ctx(&rows);
        let mut w = at_pin_choice();
        press(&mut w, &c, &[KeyCode::Down, KeyCode::Enter]);
        assert_eq!(w.step(), Step::PinEntry);
        type_str(&mut w, &c, "12a");
        assert_eq!(w.hint, Some(Text::HintDigitsOnly));
        press(&mut w, &c, &[KeyCode::Enter]);
        assert_eq!(w.hint, Some(Text::HintPinTooShort));
        type_str(&mut w, &c, "3456789");
        assert_eq!(w.pin.as_str(), "12345678", "at most 8 digits");
        press(&mut w, &c, &[KeyCode::Enter]);
        type_str(&mut w, &c, "12345679");
        press(&mut w, &c, &[KeyCode::Enter]);
        assert_eq!(w.hint, Some(Text::HintPinsDiffer));
        assert_eq!(w.step(), Step::PinEntry);
        type_str(&mut w, &c, "12345678");
        press(&mut w, &c, &[KeyCode::Enter]);
        assert_eq!(w.step(), Step::Confirm);
        assert!(
            w.pin.is_empty() && w.pin_again.is_empty(),
            "entry buffers wiped"
        );
        let cmds = press(&mut w, &c, &[KeyCode::Enter]);
        assert_eq!(
            cmds,
            vec![Cmd::Enrol {
                serial: s(23_456_780),
                staff: 1,
                notebook: Some(9),
                pins: Pins::Typed(Secret::new("12345678"))
            }]
        );
        assert!(
            !format!("{cmds:?}").contains("12345678"),
            "PINs never print"
        );
    }

    #[test]
    fn esc_goes_back_step_by_step_and_closes_at_the_start() {
        let rows = rows();
        let c = ctx(&rows);
        let mut w = at_pin_choice();
        assert_eq!(
            press(&mut w, &c, &[KeyCode::Esc]),
            vec![Cmd::NotebookChoices {
                staff: 1,
                query: String::new()
            }],
            "back on the notebook step, her notebooks are offered again"
        );
        assert_eq!(w.step(), Step::Notebook);
        // No notebook: Enter with nothing found goes on.
        press(&mut w, &c, &[KeyCode::Enter]);
        assert_eq!((w.step(), w.notebook.clone()), (Step::PinChoice, None));
        assert!(closes(
            &mut w,
            &c,
            &[KeyCode::Esc, KeyCode::Esc, KeyCode::Esc]
        ));
    }

    #[test]
    fn a_failure_explains_and_retry_sends_again() {
        let rows = rows();
        let c = ctx(&rows);
        let mut w = at_pin_choice();
        let first = press(&mut w, &c, &[KeyCode::Enter, KeyCode::Enter]);
        w.update(
            &Msg::WizardFailed("key 23456780 is not plugged in".into()),
            &c,
        );
        assert!(w
            .error
            .as_ref()
            .is_some_and(|e| e.show(crate::i18n::Lang::En).contains("not plugged")));
        let again = press(&mut w, &c, &[KeyCode::Enter]);
        assert_eq!(first, again);
        assert!(w.error.is_none());
    }
}

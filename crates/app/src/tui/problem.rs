//! Errors as the technician reads them: the common core, device and store
//! errors map to texts of the i18n table (German or English, switchable
//! while shown); everything else keeps the error's English `Display` text.
//! Import errors keep their line-numbered detail from the store.

use keydesk_core::CoreError;
use keydesk_device::DeviceError;
use keydesk_store::StoreError;

use super::service::inv_state;
use crate::i18n::{Lang, Text};

/// One value put into a text's `{}` slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Plain(String),
    /// A word from the table (a key state), shown in the screen's language.
    Word(Text),
}

/// An error to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A known error: a table text whose `{}` slots take `parts` in order.
    Known(Text, Vec<Part>),
    /// Anything else, as the error says it (English).
    Other(String),
}

impl From<String> for Problem {
    fn from(s: String) -> Self {
        Self::Other(s)
    }
}

impl From<&str> for Problem {
    fn from(s: &str) -> Self {
        Self::Other(s.to_owned())
    }
}

fn plain(x: impl ToString) -> Part {
    Part::Plain(x.to_string())
}

impl Problem {
    /// The problem in `lang`.
    #[must_use]
    pub fn show(&self, lang: Lang) -> String {
        match self {
            Self::Other(s) => s.clone(),
            Self::Known(text, parts) => {
                let mut out = String::new();
                let mut rest = lang.t(*text);
                for p in parts {
                    let Some((head, tail)) = rest.split_once("{}") else {
                        break;
                    };
                    out.push_str(head);
                    match p {
                        Part::Plain(s) => out.push_str(s),
                        Part::Word(t) => out.push_str(lang.t(*t)),
                    }
                    rest = tail;
                }
                out.push_str(rest);
                out
            }
        }
    }

    /// A device error, mapped where the table has a text for it.
    #[must_use]
    pub fn from_device(e: &DeviceError) -> Self {
        let known = |t, parts| Self::Known(t, parts);
        match e {
            DeviceError::WrongPin { tries_left } => {
                known(Text::ErrWrongPin, vec![plain(tries_left)])
            }
            DeviceError::PinBlocked => known(Text::ErrPinBlocked, vec![]),
            DeviceError::WrongPuk { tries_left } => {
                known(Text::ErrWrongPuk, vec![plain(tries_left)])
            }
            DeviceError::PukBlocked => known(Text::ErrPukBlocked, vec![]),
            DeviceError::NoKey => known(Text::ErrNoKey, vec![]),
            DeviceError::KeyNotFound { serial } => known(Text::ErrKeyNotFound, vec![plain(serial)]),
            DeviceError::KeyRemoved => known(Text::ErrKeyRemoved, vec![]),
            DeviceError::SeveralKeys { serial, count } => {
                known(Text::ErrSeveralKeys, vec![plain(count), plain(serial)])
            }
            DeviceError::DuplicateSerial { serial, count } => {
                known(Text::ErrSeveralKeys, vec![plain(count), plain(serial)])
            }
            DeviceError::TouchTimeout => known(Text::ErrTouchTimeout, vec![]),
            DeviceError::ResetWindowMissed { window_secs } => {
                known(Text::ErrResetWindow, vec![plain(window_secs)])
            }
            other => Self::Other(other.to_string()),
        }
    }

    /// A store error, mapped where the table has a text for it.
    #[must_use]
    pub fn from_store(e: &StoreError) -> Self {
        let known = |t, parts| Self::Known(t, parts);
        match e {
            StoreError::IllegalTransition {
                serial,
                current,
                wanted,
            } => known(
                Text::ErrWrongState,
                vec![
                    plain(serial),
                    Part::Word(inv_state(*current).text()),
                    Part::Word(inv_state(*wanted).text()),
                ],
            ),
            StoreError::UnknownKey(s) => known(Text::ErrUnknownKey, vec![plain(s)]),
            StoreError::UnknownStaff(p) => known(Text::ErrUnknownStaff, vec![plain(p)]),
            StoreError::UnknownNotebook(t) => known(Text::ErrUnknownNotebook, vec![plain(t)]),
            StoreError::Import(_) => known(Text::ErrImport, vec![plain(e)]),
            other => Self::Other(other.to_string()),
        }
    }

    /// A core error, mapped where the table has a text for it.
    #[must_use]
    pub fn from_core(e: &CoreError) -> Self {
        match e {
            CoreError::Device(d) => Self::from_device(d),
            CoreError::Store(s) => Self::from_store(s),
            CoreError::Unfinished { serial } => {
                Self::Known(Text::ErrUnfinished, vec![plain(serial)])
            }
            other => Self::Other(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use keydesk_store::{ImportIssue, KeyState, Serial};

    use super::*;

    fn both(p: &Problem) -> (String, String) {
        (p.show(Lang::De), p.show(Lang::En))
    }

    #[test]
    fn common_errors_read_in_both_languages() {
        let s = Serial::new(23_456_780).expect("serial");
        let cases: Vec<(CoreError, &str, &str)> = vec![
            (
                DeviceError::WrongPin { tries_left: 2 }.into(),
                "Falsche PIN: noch 2 Versuche",
                "Wrong PIN: 2 tries left",
            ),
            (
                DeviceError::PinBlocked.into(),
                "PIN ist gesperrt",
                "PIN is blocked",
            ),
            (
                DeviceError::KeyNotFound {
                    serial: keydesk_device::Serial(23_456_780),
                }
                .into(),
                "Schlüssel 23456780 ist nicht eingesteckt",
                "Key 23456780 is not plugged in",
            ),
            (DeviceError::KeyRemoved.into(), "abgezogen", "removed"),
            (
                DeviceError::SeveralKeys {
                    serial: keydesk_device::Serial(23_456_780),
                    count: 3,
                }
                .into(),
                "3 Schlüssel eingesteckt: alle außer 23456780",
                "3 keys are plugged in; unplug all but 23456780",
            ),
            (
                DeviceError::TouchTimeout.into(),
                "nicht rechtzeitig berührt",
                "not touched in time",
            ),
            (
                DeviceError::ResetWindowMissed { window_secs: 5 }.into(),
                "innerhalb von 5 s",
                "within 5 s",
            ),
            (
                StoreError::IllegalTransition {
                    serial: s,
                    current: KeyState::Revoked,
                    wanted: KeyState::Issued,
                }
                .into(),
                "Schlüssel 23456780 ist widerrufen",
                "Key 23456780 is revoked",
            ),
            (
                StoreError::UnknownStaff("4711".into()).into(),
                "Personalnummer 4711",
                "personnel number 4711",
            ),
            (
                StoreError::UnknownNotebook("NB-1".into()).into(),
                "Inventarnummer NB-1",
                "asset tag NB-1",
            ),
            (
                StoreError::UnknownKey(s).into(),
                "23456780 ist nicht im Bestand",
                "23456780 is not in the inventory",
            ),
            (CoreError::Unfinished { serial: 7 }, "Schlüssel 7", "key 7"),
        ];
        for (e, de, en) in cases {
            let (got_de, got_en) = both(&Problem::from_core(&e));
            assert!(got_de.contains(de), "{e:?}: {got_de}");
            assert!(got_en.contains(en), "{e:?}: {got_en}");
            assert!(
                !got_de.contains("{}") && !got_en.contains("{}"),
                "{got_de} / {got_en}"
            );
        }
    }

    #[test]
    fn import_errors_keep_their_lines_and_the_rest_stays_english() {
        let e = StoreError::Import(vec![ImportIssue {
            line: 3,
            message: "personnel number 778 has no name".into(),
        }]);
        let detail = e.to_string();
        let (de, en) = both(&Problem::from_store(&e));
        assert!(
            de.starts_with("Importdatei abgelehnt") && de.ends_with(&detail),
            "{de}"
        );
        assert!(en.contains(&detail) && detail.contains('3'), "{en}");
        let other = CoreError::Usage("that staff member is gone; search again".into());
        assert_eq!(
            both(&Problem::from_core(&other)),
            (other.to_string(), other.to_string())
        );
    }
}

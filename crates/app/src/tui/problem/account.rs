//! A recovery's account in the technician's words: one table text per line
//! of [`Account`], naming the TUI's own keys (Enter on the recovery screen,
//! E to enrol) where the CLI's English names `keydesk recover`.

use keydesk_core::Account;

use super::{plain, Part, Problem};
use crate::i18n::Text;
use crate::tui::model::Label;

impl Problem {
    /// One line of a recovery's account. Every variant has its own text:
    /// a line added to [`Account`] does not compile here until it has one.
    #[must_use]
    pub fn from_account(a: &Account) -> Self {
        let new = Self::new;
        let done = |reset: bool| {
            Part::Word(if reset {
                Text::AccountPartReset
            } else {
                Text::AccountPartUntouched
            })
        };
        match a {
            Account::UnknownOperation { workflow } => {
                new(Text::AccountUnknownOperation, vec![plain(workflow)])
            }
            Account::UnknownStep { serial, step } => {
                new(Text::AccountUnknownStep, vec![plain(serial), plain(step)])
            }
            Account::NotReconciled { detail } => {
                new(Text::AccountNotReconciled, vec![plain(detail)])
            }
            Account::PlugInAndRecover { serial } => new(Text::AccountPlugIn, vec![plain(serial)]),
            Account::EnrolmentComplete { serial } => {
                new(Text::AccountEnrolComplete, vec![plain(serial)])
            }
            Account::EnrolmentNotStarted { serial } => {
                new(Text::AccountEnrolNotStarted, vec![plain(serial)])
            }
            Account::PivReset { serial } => new(Text::AccountPivReset, vec![plain(serial)]),
            Account::OtpRestored { serial } => new(Text::AccountOtpRestored, vec![plain(serial)]),
            Account::FidoReset { serial } => new(Text::AccountFidoReset, vec![plain(serial)]),
            Account::FidoResetPending { serial, detail } => {
                new(Text::AccountFidoPending, vec![plain(serial), plain(detail)])
            }
            Account::ReplugAndRecover { serial } => new(Text::AccountReplug, vec![plain(serial)]),
            Account::NotInInventory { serial } => {
                new(Text::AccountNotInInventory, vec![plain(serial)])
            }
            Account::StaysInStock { serial } => new(Text::AccountStaysInStock, vec![plain(serial)]),
            Account::ResetFinished {
                serial,
                piv,
                fido,
                state,
            } => new(
                Text::AccountResetFinished,
                vec![
                    plain(serial),
                    done(*piv),
                    done(*fido),
                    Part::Word(state.text()),
                ],
            ),
        }
    }
}

//! One line of a recovery's account ([`Account`]): what recovery found and
//! did on a key, as facts. Recovery writes them; the error of a failed
//! enrolment ([`crate::error::Done::NotRolledBack`]) carries them; the CLI
//! prints their English `Display` and the TUI says them in its own words.

use keydesk_store::{KeyState, Serial};

/// One line of a recovery's account: a fact, not a sentence, so that the TUI
/// can say it in its own language and name its own keys. `Display` is the
/// English line of the CLI (which names `keydesk recover`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Account {
    /// The journal names an operation this version does not know; its entry
    /// was closed and nothing was changed.
    UnknownOperation { workflow: String },
    /// The journal names a step this version does not know (`step`, as
    /// stored); recovery treats it as possibly done.
    UnknownStep { serial: Serial, step: String },
    /// A device error stopped the reconciliation; `detail` is its English
    /// text (the error itself is not kept: it cannot be cloned).
    NotReconciled { detail: String },
    /// Plug the key in alone and run recovery again.
    PlugInAndRecover { serial: Serial },
    /// The enrolment had reached the inventory: nothing was left to do.
    EnrolmentComplete { serial: Serial },
    /// The enrolment stopped before anything on the key was changed.
    EnrolmentNotStarted { serial: Serial },
    /// The PIV application was reset to factory state.
    PivReset { serial: Serial },
    /// The OTP interface was switched back on, as it comes from the factory.
    OtpRestored { serial: Serial },
    /// FIDO2 was reset.
    FidoReset { serial: Serial },
    /// The FIDO2 reset could not be done now (reset window missed, several
    /// keys plugged, no touch); `detail` is the device error's English text.
    FidoResetPending { serial: Serial, detail: String },
    /// Unplug the key, plug it back in alone and run recovery at once (for
    /// the FIDO2 reset window).
    ReplugAndRecover { serial: Serial },
    /// The enrolment was rolled back; the key is not in the inventory and
    /// is to be enrolled again.
    NotInInventory { serial: Serial },
    /// The enrolment was rolled back; the key stays in stock and is to be
    /// enrolled again.
    StaysInStock { serial: Serial },
    /// An interrupted reset was finished: which applications the reset
    /// covered and the key's inventory state now.
    ResetFinished {
        serial: Serial,
        piv: bool,
        fido: bool,
        state: KeyState,
    },
}

impl std::fmt::Display for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let done = |reset: bool| if reset { "reset" } else { "untouched" };
        match self {
            Self::UnknownOperation { workflow } => {
                write!(f, "unknown operation {workflow:?}; closed without change")
            }
            Self::UnknownStep { serial, step } => write!(
                f,
                "key {serial}: the journal names step {step:?}, unknown to this version; it is treated as possibly done"
            ),
            Self::NotReconciled { detail } => {
                write!(f, "the key could not be reconciled: {detail}")
            }
            Self::PlugInAndRecover { serial } => write!(
                f,
                "plug in key {serial} alone and run `keydesk recover` again"
            ),
            Self::EnrolmentComplete { serial } => write!(
                f,
                "enrolment of key {serial} was complete in the inventory; nothing left to do"
            ),
            Self::EnrolmentNotStarted { serial } => write!(
                f,
                "enrolment of key {serial} stopped before anything was changed on the key"
            ),
            Self::PivReset { serial } => write!(
                f,
                "key {serial}: PIV reset to factory state (PIN, PUK, keys and certificate removed)"
            ),
            Self::OtpRestored { serial } => write!(
                f,
                "key {serial}: OTP interface switched back on (factory setting)"
            ),
            Self::FidoReset { serial } => {
                write!(f, "key {serial}: FIDO2 reset (PIN and credentials removed)")
            }
            Self::FidoResetPending { serial, detail } => write!(
                f,
                "key {serial}: the FIDO2 PIN may be set and still needs a reset: {detail}"
            ),
            Self::ReplugAndRecover { serial } => write!(
                f,
                "unplug key {serial}, plug it back in alone and run `keydesk recover` at once"
            ),
            Self::NotInInventory { serial } => {
                write!(f, "key {serial} is not in the inventory; enrol it again")
            }
            Self::StaysInStock { serial } => {
                write!(f, "key {serial} stays in stock; enrol it again")
            }
            Self::ResetFinished {
                serial,
                piv,
                fido,
                state,
            } => write!(
                f,
                "reset of key {serial} finished (PIV {}, FIDO2 {}); the key is {state}",
                done(*piv),
                done(*fido)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CLI prints these lines and scripts and tests look for them: the
    /// typed account must read exactly as the sentences did before.
    #[test]
    fn account_lines_read_as_the_cli_prints_them() {
        let serial = Serial::new(23_456_780).expect("serial");
        let cases = [
            (
                Account::UnknownOperation {
                    workflow: "revoke".into(),
                },
                "unknown operation \"revoke\"; closed without change",
            ),
            (
                Account::UnknownStep {
                    serial,
                    step: "piv.renamed".into(),
                },
                "key 23456780: the journal names step \"piv.renamed\", unknown to this version; it is treated as possibly done",
            ),
            (
                Account::NotReconciled {
                    detail: "no key is plugged in".into(),
                },
                "the key could not be reconciled: no key is plugged in",
            ),
            (
                Account::PlugInAndRecover { serial },
                "plug in key 23456780 alone and run `keydesk recover` again",
            ),
            (
                Account::EnrolmentComplete { serial },
                "enrolment of key 23456780 was complete in the inventory; nothing left to do",
            ),
            (
                Account::EnrolmentNotStarted { serial },
                "enrolment of key 23456780 stopped before anything was changed on the key",
            ),
            (
                Account::PivReset { serial },
                "key 23456780: PIV reset to factory state (PIN, PUK, keys and certificate removed)",
            ),
            (
                Account::OtpRestored { serial },
                "key 23456780: OTP interface switched back on (factory setting)",
            ),
            (
                Account::FidoReset { serial },
                "key 23456780: FIDO2 reset (PIN and credentials removed)",
            ),
            (
                Account::FidoResetPending {
                    serial,
                    detail: "touch timeout".into(),
                },
                "key 23456780: the FIDO2 PIN may be set and still needs a reset: touch timeout",
            ),
            (
                Account::ReplugAndRecover { serial },
                "unplug key 23456780, plug it back in alone and run `keydesk recover` at once",
            ),
            (
                Account::NotInInventory { serial },
                "key 23456780 is not in the inventory; enrol it again",
            ),
            (
                Account::StaysInStock { serial },
                "key 23456780 stays in stock; enrol it again",
            ),
            (
                Account::ResetFinished {
                    serial,
                    piv: true,
                    fido: false,
                    state: KeyState::InStock,
                },
                "reset of key 23456780 finished (PIV reset, FIDO2 untouched); the key is in_stock",
            ),
        ];
        for (account, line) in cases {
            assert_eq!(account.to_string(), line);
        }
    }
}

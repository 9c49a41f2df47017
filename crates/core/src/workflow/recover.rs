//! Recovery: an operation that a crash, a kill or a pulled key interrupted
//! is found in the journal at the next start and reconciled with the key:
//! finished where everything on the key is done, rolled back to factory state
//! where it is not, or left open with an account of what the technician must
//! do (plug the key in; replug it for a FIDO2 reset).

use keydesk_device::management::Management;
use keydesk_device::DeviceError;
use keydesk_store::{JournalEntry, JournalOutcome, KeyState, Serial};

use crate::desk::Desk;
use crate::env::runs_elsewhere;
use crate::error::{CoreError, Result};
use crate::journal::{Recorded, Run};
use crate::workflow::reset::ResetRequest;

/// How a recovery ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecoveryOutcome {
    /// Nothing had happened to the key; the entry is closed.
    NothingDone,
    /// The interrupted work is complete now.
    Finished,
    /// The key was put back into factory state; the inventory is unchanged.
    RolledBack,
    /// The key must be plugged in (or replugged) and recovery run again.
    NeedsKey,
}

/// What recovery found and did, for the technician.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryReport {
    pub journal_id: i64,
    pub serial: Option<Serial>,
    pub workflow: String,
    pub outcome: RecoveryOutcome,
    /// What was and was not done, line by line, ending with what to do next.
    pub account: Vec<Account>,
}

/// One line of a recovery's account: a fact, not a sentence, so that the TUI
/// can say it in its own language and name its own keys. `Display` is the
/// English line of the CLI (which names `keydesk recover`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Account {
    /// The journal names an operation this version does not know; its entry
    /// was closed and nothing was changed.
    UnknownOperation { workflow: String },
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

impl Desk {
    /// Unfinished operations (to show at start).
    ///
    /// # Errors
    /// Database errors.
    pub fn unfinished(&self) -> Result<Vec<JournalEntry>> {
        let here = &self.env.operator.workstation;
        Ok(self
            .store
            .journal_unfinished()?
            .into_iter()
            .filter(|e| !runs_elsewhere(&e.owner, here))
            .collect())
    }

    /// Operations running right now in another keydesk process on this
    /// workstation (another counter window): neither interrupted nor to be recovered.
    ///
    /// # Errors
    /// Database errors.
    pub fn running_elsewhere(&self) -> Result<Vec<JournalEntry>> {
        let here = &self.env.operator.workstation;
        Ok(self
            .store
            .journal_unfinished()?
            .into_iter()
            .filter(|e| runs_elsewhere(&e.owner, here))
            .collect())
    }

    /// Reconcile every unfinished operation, oldest first.
    ///
    /// # Errors
    /// Database errors; device trouble is reported per entry, not as an error.
    pub fn recover_all(&mut self) -> Result<Vec<RecoveryReport>> {
        // Never an operation another process is running now: only interrupted ones.
        let ids: Vec<i64> = self.unfinished()?.iter().map(|e| e.id).collect();
        ids.into_iter().map(|id| self.recover_entry(id)).collect()
    }

    /// Reconcile one open journal entry.
    pub(crate) fn recover_entry(&mut self, id: i64) -> Result<RecoveryReport> {
        let entry = self
            .store
            .journal_unfinished()?
            .into_iter()
            .find(|e| e.id == id)
            .ok_or(keydesk_store::StoreError::UnknownJournal(id))?;
        let recorded = Recorded::parse(entry.result.as_deref());
        let mut report = RecoveryReport {
            journal_id: id,
            serial: entry.serial,
            workflow: entry.workflow.clone(),
            outcome: RecoveryOutcome::NeedsKey,
            account: Vec::new(),
        };
        let Some(serial) = entry.serial else {
            self.close(id, JournalOutcome::Abandoned, "no key named")?;
            report.outcome = RecoveryOutcome::NothingDone;
            return Ok(report);
        };
        let result = match entry.workflow.as_str() {
            "enrol" => self.recover_enrol(serial, &entry, &recorded, &mut report),
            "reset" => self.recover_reset(serial, &entry, &recorded, &mut report),
            other => {
                report.account.push(Account::UnknownOperation {
                    workflow: other.to_owned(),
                });
                self.close(id, JournalOutcome::Abandoned, "unknown operation")?;
                Ok(RecoveryOutcome::NothingDone)
            }
        };
        match result {
            Ok(outcome) => report.outcome = outcome,
            Err(CoreError::Device(e)) => {
                report.account.push(Account::NotReconciled {
                    detail: e.to_string(),
                });
                report.account.push(Account::PlugInAndRecover { serial });
                report.outcome = RecoveryOutcome::NeedsKey;
            }
            Err(e) => return Err(e),
        }
        Ok(report)
    }

    fn close(&mut self, id: i64, outcome: JournalOutcome, reason: &str) -> Result<()> {
        let ctx = self.ctx();
        self.store.journal_close(&ctx, id, outcome, reason)?;
        Ok(())
    }

    fn recover_enrol(
        &mut self,
        serial: Serial,
        entry: &JournalEntry,
        rec: &Recorded,
        report: &mut RecoveryReport,
    ) -> Result<RecoveryOutcome> {
        // A key pulled while it was being identified may never have entered the
        // inventory; recovery must still close its entry, or every key command stays blocked.
        let state = self.store.get_key(serial)?.map(|k| k.state);
        if rec.touched("store") && state == Some(KeyState::Issued) {
            report.account.push(Account::EnrolmentComplete { serial });
            self.close(
                entry.id,
                JournalOutcome::Done,
                "recovered: enrolment was complete",
            )?;
            return Ok(RecoveryOutcome::Finished);
        }
        let touched_piv = rec.touched("piv.") && rec.begun.iter().any(|s| s != "piv.factory_check");
        let touched_fido = rec.touched("fido.");
        let touched_otp = rec.touched("otp.");
        if !touched_piv && !touched_fido && !touched_otp {
            report.account.push(Account::EnrolmentNotStarted { serial });
            self.close(
                entry.id,
                JournalOutcome::Failed,
                "recovered: nothing was done on the key",
            )?;
            return Ok(RecoveryOutcome::NothingDone);
        }
        // PINs chosen for this enrolment were never stored, so an interrupted
        // enrolment cannot be finished safely: the key goes back to factory state.
        let dev = serial;
        if touched_piv {
            self.device_piv_reset(serial)?;
            report.account.push(Account::PivReset { serial });
        }
        if touched_otp {
            let mut card = self.keys.open_card(dev)?;
            Management::open(card.as_mut())?.set_otp_usb(true)?;
            report.account.push(Account::OtpRestored { serial });
        }
        if touched_fido {
            match self.device_fido_reset(serial) {
                Ok(()) => report.account.push(Account::FidoReset { serial }),
                Err(CoreError::Device(
                    e @ (DeviceError::ResetWindowMissed { .. }
                    | DeviceError::SeveralKeys { .. }
                    | DeviceError::TouchTimeout),
                )) => {
                    report.account.push(Account::FidoResetPending {
                        serial,
                        detail: e.to_string(),
                    });
                    report.account.push(Account::ReplugAndRecover { serial });
                    return Ok(RecoveryOutcome::NeedsKey);
                }
                Err(e) => return Err(e),
            }
        }
        let ctx = self.ctx();
        let mut run_reason =
            String::from("recovered: interrupted enrolment rolled back to factory state");
        match state {
            Some(KeyState::InStock) => {}
            Some(other) => run_reason.push_str(&format!(" (inventory state {other})")),
            None => run_reason.push_str(" (the key is not in the inventory)"),
        }
        self.store
            .journal_close(&ctx, entry.id, JournalOutcome::Abandoned, &run_reason)?;
        report.account.push(match state {
            None => Account::NotInInventory { serial },
            Some(_) => Account::StaysInStock { serial },
        });
        Ok(RecoveryOutcome::RolledBack)
    }

    fn recover_reset(
        &mut self,
        serial: Serial,
        entry: &JournalEntry,
        rec: &Recorded,
        report: &mut RecoveryReport,
    ) -> Result<RecoveryOutcome> {
        let intent: serde_json::Value = serde_json::from_str(&entry.intent).unwrap_or_default();
        let fido_done = rec.begun.iter().any(|s| s == "fido.reset:done");
        let req = ResetRequest {
            serial,
            piv: intent["piv"].as_bool().unwrap_or(true),
            fido: intent["fido"].as_bool().unwrap_or(false) && !fido_done,
        };
        let back_to_stock = intent["from"].as_str() != Some("in_stock");
        // Resetting again is harmless: redo what may not have happened, then finish in the inventory.
        let mut run = Run::resume(entry.id, rec);
        let state = self.reset_steps(&mut run, req, back_to_stock)?;
        let ctx = self.ctx();
        run.close(
            &mut self.store,
            &ctx,
            JournalOutcome::Done,
            "recovered: reset finished",
        )?;
        report.account.push(Account::ResetFinished {
            serial,
            piv: req.piv,
            // What the interrupted reset covered, including a FIDO2 reset
            // that was done before the interruption.
            fido: intent["fido"].as_bool().unwrap_or(false),
            state,
        });
        Ok(RecoveryOutcome::Finished)
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

//! Recovery: an operation that a crash, a kill or a pulled key interrupted
//! is found in the journal at the next start and reconciled with the key:
//! finished where everything on the key is done, rolled back to factory state
//! where it is not, or left open with an account of what the technician must
//! do (plug the key in; replug it for a FIDO2 reset).

use keydesk_device::management::Management;
use keydesk_device::DeviceError;
use keydesk_store::{JournalEntry, JournalOutcome, KeyState, Serial};

use crate::account::Account;
use crate::desk::Desk;
use crate::env::runs_elsewhere;
use crate::error::{CoreError, Result};
use crate::journal::names::{Application, Phase, Step, Workflow};
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

impl Desk {
    /// Unfinished operations (to show at start).
    ///
    /// # Errors
    /// Database errors.
    pub fn unfinished(&self) -> Result<Vec<JournalEntry>> {
        let mut out = Vec::new();
        for e in self.store.journal_unfinished()? {
            if !self.live_elsewhere(&e)? {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// Operations running right now in another keydesk process on this
    /// workstation (another counter window): neither interrupted nor to be recovered.
    ///
    /// # Errors
    /// Database errors.
    pub fn running_elsewhere(&self) -> Result<Vec<JournalEntry>> {
        let mut out = Vec::new();
        for e in self.store.journal_unfinished()? {
            if self.live_elsewhere(&e)? {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// Whether another live keydesk process works on the entry now: one on
    /// this workstation (its process is alive), or, on a shared inventory,
    /// any counter that holds the key's claim (the server knows it is alive).
    fn live_elsewhere(&self, e: &JournalEntry) -> Result<bool> {
        if runs_elsewhere(&e.owner, &self.env.operator.workstation) {
            return Ok(true);
        }
        Ok(match e.serial {
            Some(serial) => self.store.claimed_elsewhere(serial)?.is_some(),
            None => false,
        })
    }

    /// Reconcile every unfinished operation, oldest first.
    ///
    /// # Errors
    /// Database errors; device trouble is reported per entry, not as an error.
    pub fn recover_all(&mut self) -> Result<Vec<RecoveryReport>> {
        self.bring_local_records()?;
        // Never an operation another process is running now: only interrupted ones.
        let ids: Vec<i64> = self.unfinished()?.iter().map(|e| e.id).collect();
        ids.into_iter().map(|id| self.recover_entry(id)).collect()
    }

    /// Records kept locally while the server was away: to the server now,
    /// so that recovery sees what the key did. An entry closed meanwhile
    /// (recovered by another counter, which took the begun step as possibly
    /// done) needs them no more.
    fn bring_local_records(&mut self) -> Result<()> {
        let Some(local) = self.local.clone() else {
            return Ok(());
        };
        let ctx = self.ctx();
        for p in local.pending()? {
            match self
                .store
                .journal_record(&ctx, p.entry, &p.step, &p.snapshot)
            {
                Ok(())
                | Err(
                    keydesk_store::StoreError::JournalClosed(_)
                    | keydesk_store::StoreError::UnknownJournal(_),
                ) => local.forget(p.entry)?,
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Records kept locally for this inventory, waiting for its server.
    ///
    /// # Errors
    /// When the local file cannot be read.
    pub fn kept_locally(&self) -> Result<Vec<crate::journal::local::Pending>> {
        self.local.as_ref().map_or(Ok(Vec::new()), |l| l.pending())
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
        let workflow = match Workflow::from_name(&entry.workflow) {
            Ok(workflow) => workflow,
            Err(unknown) => {
                report.account.push(Account::UnknownOperation {
                    workflow: unknown.0,
                });
                self.close(id, JournalOutcome::Abandoned, "unknown operation")?;
                report.outcome = RecoveryOutcome::NothingDone;
                return Ok(report);
            }
        };
        // A step this version cannot name may have done anything its
        // workflow does: said first, then treated as possibly done.
        for unknown in recorded.unknown() {
            report.account.push(Account::UnknownStep {
                serial,
                step: unknown.0.clone(),
            });
        }
        // The key's claim, for as long as recovery works on it: an entry a
        // live counter elsewhere still works on is refused here at once.
        let ctx = self.ctx();
        self.store.claim(&ctx, serial)?;
        let result = match workflow {
            Workflow::Enrol => self.recover_enrol(serial, &entry, &recorded, &mut report),
            Workflow::Reset => self.recover_reset(serial, &entry, &recorded, &mut report),
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
        // An entry left open stays this counter's until recovery runs again
        // here or the counter ends; a closed one frees the key.
        if report.outcome != RecoveryOutcome::NeedsKey {
            // As in Run::close: the claim dies with the session anyway; the
            // report of what recovery did must reach the technician.
            let _ = self.store.release(serial);
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
        if rec.has(Step::Store) && state == Some(KeyState::Issued) {
            report.account.push(Account::EnrolmentComplete { serial });
            self.close(
                entry.id,
                JournalOutcome::Done,
                "recovered: enrolment was complete",
            )?;
            return Ok(RecoveryOutcome::Finished);
        }
        // The factory check only reads the key; an unknown step may have
        // changed any application an enrolment sets up.
        let unknown = rec.unknown().next().is_some();
        let touched_piv = unknown || rec.changed(Application::Piv);
        let touched_fido = unknown || rec.changed(Application::Fido);
        let touched_otp = unknown || rec.changed(Application::Otp);
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
        let fido_done = rec.has(Step::FidoReset.at(Phase::Done));
        let req = ResetRequest {
            serial,
            piv: intent["piv"].as_bool().unwrap_or(true),
            fido: intent["fido"].as_bool().unwrap_or(false) && !fido_done,
        };
        let back_to_stock = intent["from"].as_str() != Some("in_stock");
        // Resetting again is harmless: redo what may not have happened, then finish in the inventory.
        let mut run = Run::resume(entry.id, serial, rec).keeping(self.local.clone());
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

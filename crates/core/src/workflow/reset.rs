//! Reset: wipe a key's PIV application and/or FIDO2 credentials back to
//! factory state, guided through the hardware's rules (FIDO2: only within
//! seconds of plug-in, touch needed, and only with one FIDO key plugged in).
//! A revoked or returned key then goes back to stock.

use keydesk_device::piv::Piv;
use keydesk_store::{JournalOutcome, KeyState, Serial, StoreError};
use serde_json::json;

use crate::desk::{Desk, Prompt};
use crate::error::{CoreError, Result};
use crate::journal::names::{Phase, Step, Workflow};
use crate::journal::Run;

/// What to reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResetRequest {
    pub serial: Serial,
    pub piv: bool,
    pub fido: bool,
}

/// What a reset did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetOutcome {
    pub serial: Serial,
    pub piv: bool,
    pub fido: bool,
    /// The key's state afterwards.
    pub state: KeyState,
}

impl Desk {
    /// Reset the FIDO2 application of `serial`: it must be the only FIDO key
    /// plugged in, plugged in moments ago, and touched when it blinks.
    pub(crate) fn device_fido_reset(&mut self, serial: Serial) -> Result<()> {
        let mut fido = self.keys.open_fido(serial, true)?;
        let prompt = self.prompt.clone();
        fido.set_keepalive_handler(Some(Box::new(
            move |k: &keydesk_device::fido::Keepalive| {
                prompt(Prompt::Touch {
                    serial,
                    remaining: k.remaining,
                });
            },
        )));
        fido.reset()?;
        Ok(())
    }

    /// Reset the PIV application of `serial` (PIN and PUK are blocked first).
    pub(crate) fn device_piv_reset(&mut self, serial: Serial) -> Result<()> {
        let mut card = self.keys.open_card(serial)?;
        Piv::open(card.as_mut())?.reset()?;
        Ok(())
    }

    /// Reset a key. Issued, suspended and lost keys must be revoked or
    /// returned first; revoked and returned keys go back to stock; keys in
    /// stock may be wiped again.
    ///
    /// # Errors
    /// Wrong state, `SeveralKeys`, `ResetWindowMissed`, `TouchTimeout`, device errors.
    pub fn reset(&mut self, req: ResetRequest) -> Result<ResetOutcome> {
        let state = self.key_state(req.serial)?;
        let back_to_stock = match state {
            KeyState::Revoked | KeyState::Returned | KeyState::Reset => true,
            KeyState::InStock => false,
            other => {
                return Err(StoreError::IllegalTransition {
                    serial: req.serial,
                    current: other,
                    wanted: KeyState::Reset,
                }
                .into())
            }
        };
        self.ensure_no_unfinished(req.serial)?;
        let ctx = self.ctx();
        let intent = json!({ "piv": req.piv, "fido": req.fido, "from": state.as_str() });
        let mut run = Run::begin(&mut self.store, &ctx, req.serial, Workflow::Reset, intent)?
            .keeping(self.local.clone());
        let result = self.reset_steps(&mut run, req, back_to_stock);
        match result {
            Ok(state) => {
                let ctx = self.ctx();
                run.close(&mut self.store, &ctx, JournalOutcome::Done, "reset")?;
                Ok(ResetOutcome {
                    serial: req.serial,
                    piv: req.piv,
                    fido: req.fido,
                    state,
                })
            }
            Err(e @ CoreError::ServerLost { .. }) => Err(e),
            Err(e) => {
                // A reset can always be repeated from the start, and the key
                // keeps its waiting state: the caller shows the error and the
                // technician tries again, so the attempt is closed as failed
                // rather than left for `recover` (which handles crashes, where
                // nobody saw an error). Should even that write fail, the entry
                // stays open and recovery finishes the reset later, so its
                // error is not reported over the original one.
                let ctx = self.ctx();
                let reason = format!("reset failed: {e}");
                let _ = run.close(&mut self.store, &ctx, JournalOutcome::Failed, &reason);
                Err(e)
            }
        }
    }

    /// The device and store steps of a reset, shared with recovery.
    pub(crate) fn reset_steps(
        &mut self,
        run: &mut Run,
        req: ResetRequest,
        back_to_stock: bool,
    ) -> Result<KeyState> {
        let ctx = self.ctx();
        // FIDO2 first: its window after plug-in is short.
        if req.fido {
            let serial = req.serial;
            run.mark(&mut self.store, &ctx, Step::FidoReset.at(Phase::Begin))?;
            self.device_fido_reset(serial)?;
            run.mark(&mut self.store, &ctx, Step::FidoReset.at(Phase::Done))?;
        }
        if req.piv {
            run.mark(&mut self.store, &ctx, Step::PivReset.at(Phase::Begin))?;
            self.device_piv_reset(req.serial)?;
            run.mark(&mut self.store, &ctx, Step::PivReset.at(Phase::Done))?;
        }
        let ctx = self.ctx();
        let mut state = self.key_state(req.serial)?;
        if back_to_stock {
            if state != KeyState::Reset {
                self.store.transition(
                    &ctx,
                    req.serial,
                    KeyState::Reset,
                    "reset to factory state",
                )?;
            }
            self.store.transition(
                &ctx,
                req.serial,
                KeyState::InStock,
                "back to stock after reset",
            )?;
            state = KeyState::InStock;
        }
        Ok(state)
    }
}

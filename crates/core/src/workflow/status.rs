//! Workflows that change a key's standing without touching the key itself:
//! revoke, suspend, reinstate, notes.

pub use keydesk_types::RevokeReason;
use keydesk_types::{KeyState, Serial};

use crate::desk::Desk;
use crate::error::Result;

impl Desk {
    /// Take a key out of service. Lost and stolen keys pass through `lost`
    /// first so the history shows the report, then are revoked at once and
    /// appear on the revoked export.
    ///
    /// # Errors
    /// Unknown key, or a state that cannot be revoked (in stock, already revoked...).
    pub fn revoke(&mut self, serial: Serial, reason: RevokeReason) -> Result<()> {
        let ctx = self.ctx();
        let current = self.key_state(serial)?;
        if matches!(reason, RevokeReason::Lost | RevokeReason::Stolen)
            && matches!(current, KeyState::Issued | KeyState::Suspended)
        {
            self.store
                .transition(&ctx, serial, KeyState::Lost, reason.as_str())?;
        }
        self.store
            .transition(&ctx, serial, KeyState::Revoked, reason.as_str())?;
        Ok(())
    }

    /// Block a key for a while (holder on leave); it keeps its holder.
    ///
    /// # Errors
    /// Unknown key or a key that is not issued.
    pub fn suspend(&mut self, serial: Serial, reason: &str) -> Result<()> {
        let ctx = self.ctx();
        self.store
            .transition(&ctx, serial, KeyState::Suspended, reason)?;
        Ok(())
    }

    /// Put a suspended key back into use.
    ///
    /// # Errors
    /// Unknown key or a key that is not suspended.
    pub fn reinstate(&mut self, serial: Serial, reason: &str) -> Result<()> {
        let ctx = self.ctx();
        let current = self.key_state(serial)?;
        if current != KeyState::Suspended {
            return Err(keydesk_store::StoreError::IllegalTransition {
                serial,
                current,
                wanted: KeyState::Issued,
            }
            .into());
        }
        self.store
            .transition(&ctx, serial, KeyState::Issued, reason)?;
        Ok(())
    }

    /// Replace the notes on a key.
    ///
    /// # Errors
    /// Unknown key.
    pub fn note(&mut self, serial: Serial, text: &str) -> Result<()> {
        let ctx = self.ctx();
        self.store.set_notes(&ctx, serial, text, "note")?;
        Ok(())
    }

    pub(crate) fn key_state(&self, serial: Serial) -> Result<KeyState> {
        Ok(self
            .store
            .get_key(serial)?
            .ok_or_else(|| {
                self.store
                    .explain(keydesk_store::StoreError::UnknownKey(serial))
            })?
            .state)
    }
}

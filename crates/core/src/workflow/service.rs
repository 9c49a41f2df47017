//! The workflows built from the others: return (hand back, reset, to stock),
//! replace (old key out, new key in for the same person and notebook), lost
//! (revoke and lend a temporary key until a date), expired loans, and the
//! import of the certificate the office CA issued for an enrolled key.

use keydesk_device::piv::Piv;
use keydesk_store::{Assignment, StoreError};
use keydesk_types::{KeyState, RevokeReason, Secret, Serial};

use crate::desk::Desk;
use crate::error::{CoreError, Done, Next, Result};
use crate::profile::FidoMode;
use crate::workflow::enrol::{EnrolOutcome, EnrolRequest, Secrets};
use crate::workflow::reset::{ResetOutcome, ResetRequest};

/// What happens to the old key in a replacement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OldKey {
    /// Handed back at the counter (it is reset and goes back to stock if plugged in).
    Returned,
    /// Revoked for this reason (it is not plugged in).
    Revoked(RevokeReason),
}

impl Desk {
    /// The open assignment of an issued key.
    fn holder_of(&self, serial: Serial) -> Result<Assignment> {
        self.store.current_assignment(serial)?.ok_or_else(|| {
            CoreError::from(StoreError::IllegalTransition {
                serial,
                current: self.key_state(serial).unwrap_or(KeyState::InStock),
                wanted: KeyState::Returned,
            })
        })
    }

    /// The staff member hands the key back: it is marked returned, and when
    /// `reset` is set it is wiped (per the profile) and goes back to stock.
    ///
    /// # Errors
    /// A key that is not issued, suspended or lost; reset errors (the key
    /// then stays returned and `reset` finishes it later).
    pub fn return_key(&mut self, serial: Serial, reset: bool) -> Result<Option<ResetOutcome>> {
        let ctx = self.ctx();
        self.store.transition(
            &ctx,
            serial,
            KeyState::Returned,
            "handed back at the counter",
        )?;
        if !reset {
            return Ok(None);
        }
        let fido = self.env.profile.fido.mode != FidoMode::Skip;
        self.reset(ResetRequest {
            serial,
            piv: true,
            fido,
        })
        .map(Some)
        .map_err(|e| e.after(Done::Returned { serial }, Next::ResetLater { serial }))
    }

    /// Replace a key: the old one is returned or revoked, the new one is
    /// enrolled for the same person and notebook.
    ///
    /// # Errors
    /// As [`Desk::revoke`], [`Desk::return_key`] and [`Desk::enrol`]; when the
    /// new key fails, the old key's new state stands and the error says so.
    pub fn replace(
        &mut self,
        old: Serial,
        old_key: OldKey,
        new: Serial,
        secrets: Secrets,
    ) -> Result<EnrolOutcome> {
        let holder = self.holder_of(old)?;
        let done = match old_key {
            OldKey::Returned => {
                self.return_key(old, false)?;
                Done::Returned { serial: old }
            }
            OldKey::Revoked(reason) => {
                self.revoke(old, reason)?;
                Done::Revoked {
                    serial: old,
                    reason,
                }
            }
        };
        let staff = holder.personnel_no.clone();
        let req = EnrolRequest {
            serial: new,
            staff: holder.personnel_no,
            notebook: holder.asset_tag,
            secrets,
            due: holder.due,
        };
        self.enrol(&req)
            .map_err(|e| e.after(done, Next::EnrolNew { serial: new, staff }))
    }

    /// A key was lost: revoke it at once (it appears on the revoked export)
    /// and lend `temporary` to the same person until `until` (inclusive;
    /// default: today plus the profile's temporary-key days).
    ///
    /// # Errors
    /// As [`Desk::revoke`] and [`Desk::enrol`].
    pub fn lost(
        &mut self,
        serial: Serial,
        temporary: Serial,
        until: Option<time::Date>,
        secrets: Secrets,
    ) -> Result<EnrolOutcome> {
        let holder = self.holder_of(serial)?;
        let today = self.env.clock.now().date();
        let until = until
            .unwrap_or(today + time::Duration::days(i64::from(self.env.profile.temporary_days)));
        if until < today {
            return Err(CoreError::Usage(format!(
                "the loan cannot end in the past ({until})"
            )));
        }
        self.revoke(serial, RevokeReason::Lost)?;
        let staff = holder.personnel_no.clone();
        let req = EnrolRequest {
            serial: temporary,
            staff: holder.personnel_no,
            notebook: holder.asset_tag,
            secrets,
            due: Some(until),
        };
        self.enrol(&req).map_err(|e| {
            e.after(
                Done::LostRevoked { serial },
                Next::EnrolTemporary {
                    serial: temporary,
                    staff,
                },
            )
        })
    }

    /// Temporary keys whose loan has run out (due before today).
    ///
    /// # Errors
    /// Database errors.
    pub fn expired_loans(&self) -> Result<Vec<Assignment>> {
        Ok(self.store.expired_loans(self.env.clock.now().date())?)
    }

    /// Put the certificate the office CA issued into the key's slot (it must
    /// certify the key generated at enrolment) and record it. The holder's
    /// PIN unlocks the PIN-protected management key.
    ///
    /// # Errors
    /// `CertificateKeyMismatch`, wrong PIN, a key that is not issued.
    pub fn import_certificate(&mut self, serial: Serial, der: &[u8], pin: &Secret) -> Result<()> {
        let state = self.key_state(serial)?;
        if !state.has_holder() {
            return Err(StoreError::IllegalTransition {
                serial,
                current: state,
                wanted: KeyState::Issued,
            }
            .into());
        }
        let slot = self.env.profile.piv.slot;
        let mut card = self.keys.open_card(serial)?;
        let mut p = Piv::open(card.as_mut())?;
        p.verify_pin(pin)?;
        p.authenticate_with_pin(pin)?;
        p.import_certificate(slot, der)?;
        let mut enrolment = self.store.enrolments(serial)?.pop().unwrap_or_default();
        enrolment.certificate_der = Some(der.to_vec());
        enrolment.certificate_pem = None;
        let ctx = self.ctx();
        self.store.record_enrolment(
            &ctx,
            serial,
            &enrolment,
            "certificate from the office CA imported",
        )?;
        Ok(())
    }
}

//! Enrolment: a key from stock (or an unknown key, added to stock first) is
//! set up under the office profile and issued to a staff member and their
//! notebook. Every device step is journalled before and after; on failure
//! the key is rolled back to factory state where possible, otherwise the
//! open journal entry tells `recover` what to do.
//!
//! [`Desk::enrol`] only orders the parts: what is settled before the
//! journal entry opens (preconditions, the key's identity, the PINs, the
//! trust anchors; `prepare`), the journalled steps (`steps`), and the
//! rollback when one of them fails.

mod prepare;
mod steps;

use keydesk_device::attestation::TrustAnchors;
use keydesk_store::JournalOutcome;
use keydesk_types::{AssetTag, PersonnelNo, Secret, Serial, Slot};

use crate::desk::Desk;
use crate::error::{CoreError, Done, Next, Result};
use crate::journal::names::Workflow;
use crate::journal::Run;
use crate::workflow::recover::RecoveryOutcome;
use prepare::Plan;

/// Where the new PINs come from.
#[derive(Debug, Clone)]
pub enum Secrets {
    /// Typed by the staff member at the counter.
    Typed {
        piv_pin: Secret,
        fido_pin: Option<Secret>,
    },
    /// Random, per the profile, returned once in [`EnrolOutcome::letter`] for the PIN letter.
    Letter,
}

/// What to enrol.
#[derive(Debug, Clone)]
pub struct EnrolRequest {
    pub serial: Serial,
    pub staff: PersonnelNo,
    pub notebook: Option<AssetTag>,
    pub secrets: Secrets,
    /// Last day of a temporary loan (after a loss), if any.
    pub due: Option<time::Date>,
}

/// The PINs to hand to the staff member once. Never stored, never logged.
#[derive(Debug, Clone)]
pub struct PinLetter {
    pub serial: Serial,
    pub holder: String,
    pub piv_pin: Secret,
    pub piv_puk: Secret,
    pub fido_pin: Option<Secret>,
}

/// What an enrolment did.
#[derive(Debug, Clone)]
pub struct EnrolOutcome {
    pub serial: Serial,
    pub model: String,
    pub firmware: String,
    pub slot: Slot,
    /// SHA-256 of the public key (SubjectPublicKeyInfo DER), hex.
    pub public_key_sha256: String,
    /// PEM certificate signing request for the office CA.
    pub csr_pem: String,
    pub aaguid: Option<String>,
    pub fido_pin_set: bool,
    pub otp_usb: bool,
    pub letter: Option<PinLetter>,
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

impl Desk {
    /// The attestation roots this desk trusts.
    pub(crate) fn trust_anchors(&self) -> Result<TrustAnchors> {
        Ok(self.env.trust.anchors().clone())
    }

    /// Refuse to start work on a key that has an unfinished operation.
    pub(crate) fn ensure_no_unfinished(&self, serial: Serial) -> Result<()> {
        self.refuse_if_claimed(serial)?;
        if self
            .store
            .journal_unfinished()?
            .iter()
            .any(|e| e.serial == Some(serial))
        {
            return Err(CoreError::Unfinished {
                serial: serial.get(),
            });
        }
        Ok(())
    }

    /// Enrol a key and issue it. See the module docs: everything that can
    /// be refused is refused before the journal entry opens; then the
    /// journalled steps run, and a failure among them rolls the key back.
    ///
    /// # Errors
    /// Unknown staff/notebook, a key not in stock, a key not in factory state,
    /// device errors (the key is rolled back where possible), store errors.
    pub fn enrol(&mut self, req: &EnrolRequest) -> Result<EnrolOutcome> {
        let (staff, known) = self.enrol_preconditions(req)?;
        let mut card = self.keys.open_card(req.serial)?;
        let info = self.identify(card.as_mut(), req.serial, known)?;
        let pins = self.choose_pins(&req.secrets)?;
        let anchors = self.trust_anchors()?;

        let ctx = self.ctx();
        let plan = Plan::new(
            req,
            &staff,
            info,
            &self.env.profile,
            anchors,
            self.env.clock.now(),
        );
        let mut run = Run::begin(
            &mut self.store,
            &ctx,
            req.serial,
            Workflow::Enrol,
            plan.intent(),
        )?
        .keeping(self.local.clone());
        run.fact("firmware", plan.info.version.to_string());
        run.fact("model", plan.info.model());

        let result = steps::Steps {
            store: &mut self.store,
            ctx: &ctx,
            run: &mut run,
            plan: &plan,
        }
        .run(card.as_mut(), self.keys.as_mut(), &pins);
        match result {
            Ok(mut outcome) => {
                run.close(&mut self.store, &ctx, JournalOutcome::Done, "enrolled")?;
                if matches!(req.secrets, Secrets::Letter) {
                    outcome.letter = Some(pins.letter(req.serial, &staff));
                }
                Ok(outcome)
            }
            // The server is gone: nothing to roll back against now; the
            // record is kept locally and `recover` finishes later.
            Err(err @ CoreError::ServerLost { .. }) => Err(err),
            Err(err) => {
                drop(card);
                Err(self.roll_back(run, req.serial, err))
            }
        }
    }

    /// Undo what may have happened on the key, now while it is likely still
    /// plugged in. If that is not possible, the open journal entry is
    /// resolved by `recover`, and the error says so.
    fn roll_back(&mut self, run: Run, serial: Serial, err: CoreError) -> CoreError {
        let id = run.id;
        drop(run);
        let next = Next::Recover { serial };
        match self.recover_entry(id) {
            Ok(r) if r.outcome != RecoveryOutcome::NeedsKey => err,
            Ok(r) => err.after(
                Done::NotRolledBack {
                    serial,
                    account: r.account,
                },
                next,
            ),
            Err(rollback) => err.after(
                Done::RollbackFailed {
                    serial,
                    why: Box::new(rollback),
                },
                next,
            ),
        }
    }
}

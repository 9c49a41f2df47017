//! What an enrolment settles before its journal entry opens: the
//! preconditions in the inventory, the plugged key's identity, the PINs,
//! and the [`Plan`] the journalled steps carry out. A refusal here leaves
//! nothing to recover.

use std::time::SystemTime;

use keydesk_device::attestation::TrustAnchors;
use keydesk_device::management::DeviceInfo;
use keydesk_device::{discovery, CardTransport, DeviceError, PinRefusal};
use keydesk_store::{NewKey, Staff, StoreError};
use keydesk_types::{Algorithm, AssetTag, PinPolicy, Secret, Serial, Slot, TouchPolicy};
use serde_json::{json, Value};

use super::{EnrolRequest, PinLetter, Secrets};
use crate::desk::Desk;
use crate::error::Result;
use crate::profile::{FidoMode, Profile};

/// The PINs an enrolment sets. Never stored, never logged.
#[derive(Debug)]
pub(super) struct Pins {
    pub piv_pin: Secret,
    pub piv_puk: Secret,
    pub fido_pin: Option<Secret>,
}

impl Pins {
    /// The letter handing these PINs to `staff`.
    pub fn letter(self, serial: Serial, staff: &Staff) -> PinLetter {
        let holder = format!(
            "{}, {} ({})",
            staff.data.surname,
            staff.data.given_name,
            staff.data.personnel_no.as_str()
        );
        PinLetter {
            serial,
            holder,
            piv_pin: self.piv_pin,
            piv_puk: self.piv_puk,
            fido_pin: self.fido_pin,
        }
    }
}

/// What the journalled steps do to the key, from the request, the profile
/// and the key as identified.
#[derive(Debug)]
pub(super) struct Plan<'a> {
    pub req: &'a EnrolRequest,
    pub info: DeviceInfo,
    pub profile: Profile,
    pub slot: Slot,
    pub algorithm: Algorithm,
    pub pin_policy: PinPolicy,
    pub touch_policy: TouchPolicy,
    pub anchors: TrustAnchors,
    /// The certificate's subject, the profile's template filled in.
    pub subject: String,
    /// The self-signed certificate's start.
    pub now: SystemTime,
}

impl<'a> Plan<'a> {
    pub fn new(
        req: &'a EnrolRequest,
        staff: &Staff,
        info: DeviceInfo,
        profile: &Profile,
        anchors: TrustAnchors,
        now: time::OffsetDateTime,
    ) -> Self {
        let subject = profile
            .piv
            .subject
            .replace("{personnel_no}", staff.data.personnel_no.as_str())
            .replace(
                "{name}",
                &format!("{} {}", staff.data.given_name, staff.data.surname),
            )
            .replace("{serial}", &req.serial.to_string());
        Self {
            req,
            info,
            profile: profile.clone(),
            slot: profile.piv.slot,
            algorithm: profile.piv.algorithm,
            pin_policy: profile.piv.pin_policy,
            touch_policy: profile.piv.touch_policy,
            anchors,
            subject,
            now: SystemTime::from(now),
        }
    }

    /// The key as the device layer names it.
    pub fn dev_serial(&self) -> Serial {
        self.req.serial
    }

    /// The intent written when the journal entry opens (never a secret).
    pub fn intent(&self) -> Value {
        let req = self.req;
        json!({
            "staff": req.staff.as_str(),
            "notebook": req.notebook.as_ref().map(AssetTag::as_str),
            "profile": self.profile.name,
            "pins": match req.secrets { Secrets::Typed { .. } => "typed", Secrets::Letter => "letter" },
            "due": req.due.map(keydesk_store::format_date),
        })
    }
}

impl Desk {
    /// Refuse an enrolment the inventory does not allow: unknown staff or
    /// notebook, a known key that is not in stock, an unfinished operation
    /// on the key. Gives the staff member, and whether the key is known.
    pub(super) fn enrol_preconditions(&self, req: &EnrolRequest) -> Result<(Staff, bool)> {
        // The same checks a face runs before it asks for PINs.
        self.check_enrol(req.serial, &req.staff, req.notebook.as_ref())?;
        let staff = self
            .store
            .get_staff(&req.staff)?
            .ok_or_else(|| StoreError::UnknownStaff(req.staff.as_str().into()))?;
        Ok((staff, self.store.get_key(req.serial)?.is_some()))
    }

    /// The plugged key must be the one asked for; a key the inventory does
    /// not know yet is added to stock.
    pub(super) fn identify(
        &mut self,
        card: &mut dyn CardTransport,
        serial: Serial,
        known: bool,
    ) -> Result<DeviceInfo> {
        let info = discovery::probe(card)?;
        if info.serial != Some(serial) {
            return Err(DeviceError::KeyNotFound { serial }.into());
        }
        if !known {
            let ctx = self.ctx();
            let key = NewKey {
                serial,
                model: info.model(),
                form_factor: format!("{:?}", info.form_factor),
                firmware: info.version.to_string(),
                batch: String::new(),
                // Stock of the counter where it turned up.
                site: self.site.clone(),
            };
            self.store
                .add_key(&ctx, &key, "unknown key added to stock at enrolment")?;
        }
        Ok(info)
    }

    /// The PINs to set: typed ones, or random ones for a PIN letter, and
    /// always a random PUK. A PIV PIN shorter than the profile allows is refused.
    pub(super) fn choose_pins(&mut self, secrets: &Secrets) -> Result<Pins> {
        let profile = &self.env.profile;
        let rng = self.env.rng.as_mut();
        let (piv_pin, fido_pin) = match secrets {
            Secrets::Typed { piv_pin, fido_pin } => (piv_pin.clone(), fido_pin.clone()),
            Secrets::Letter => {
                // The FIDO2 PIN is drawn first: the same seed gives the same letter.
                let fido = (profile.fido.mode != FidoMode::Skip)
                    .then(|| Secret::digits(rng, profile.fido.min_pin_length.max(6)));
                (Secret::digits(rng, profile.piv.pin_length), fido)
            }
        };
        let piv_puk = Secret::digits(rng, profile.piv.puk_length);
        if piv_pin.expose().chars().count() < profile.piv.pin_length.min(8) {
            return Err(DeviceError::PinPolicy {
                reason: PinRefusal::PivShorterThanProfile {
                    min: profile.piv.pin_length,
                },
            }
            .into());
        }
        Ok(Pins {
            piv_pin,
            piv_puk,
            fido_pin,
        })
    }
}

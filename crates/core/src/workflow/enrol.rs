//! Enrolment: a key from stock (or an unknown key, added to stock first) is
//! set up under the office profile and issued to a staff member and their
//! notebook. Every device step is journalled before and after; on failure
//! the key is rolled back to factory state where possible, otherwise the
//! open journal entry tells `recover` what to do.

use std::time::SystemTime;

use keydesk_device::attestation::{self, Expected, TrustAnchors};
use keydesk_device::management::Management;
use keydesk_device::piv::Piv;
use keydesk_device::{discovery, DeviceError};
use keydesk_store::{Enrolment, JournalOutcome, NewKey, StoreError};
use keydesk_types::{AssetTag, KeyState, PersonnelNo, Secret, Serial, Slot};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::desk::Desk;
use crate::error::{CoreError, Done, Next, Result};
use crate::journal::Run;
use crate::profile::FidoMode;

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

const DEFAULT_PIN: &str = "123456";
const DEFAULT_PUK: &str = "12345678";

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

    /// Enrol a key and issue it. See the module docs.
    ///
    /// # Errors
    /// Unknown staff/notebook, a key not in stock, a key not in factory state,
    /// device errors (the key is rolled back where possible), store errors.
    pub fn enrol(&mut self, req: &EnrolRequest) -> Result<EnrolOutcome> {
        let staff = self
            .store
            .get_staff(&req.staff)?
            .ok_or_else(|| StoreError::UnknownStaff(req.staff.as_str().into()))?;
        if let Some(tag) = &req.notebook {
            self.store
                .get_notebook(tag)?
                .ok_or_else(|| StoreError::UnknownNotebook(tag.as_str().into()))?;
        }
        let known = self.store.get_key(req.serial)?;
        if let Some(k) = &known {
            if k.state != KeyState::InStock {
                return Err(StoreError::IllegalTransition {
                    serial: req.serial,
                    current: k.state,
                    wanted: KeyState::Issued,
                }
                .into());
            }
        }
        self.ensure_no_unfinished(req.serial)?;
        let holder = format!(
            "{}, {} ({})",
            staff.data.surname,
            staff.data.given_name,
            staff.data.personnel_no.as_str()
        );

        let dev_serial = req.serial;
        let mut card = self.keys.open_card(dev_serial)?;
        let info = discovery::probe(card.as_mut())?;
        if info.serial != Some(dev_serial) {
            return Err(DeviceError::KeyNotFound { serial: dev_serial }.into());
        }
        if known.is_none() {
            let ctx = self.ctx();
            let key = NewKey {
                serial: req.serial,
                model: info.model(),
                form_factor: format!("{:?}", info.form_factor),
                firmware: info.version.to_string(),
                batch: String::new(),
            };
            self.store
                .add_key(&ctx, &key, "unknown key added to stock at enrolment")?;
        }

        let profile = self.env.profile.clone();
        let (piv_pin, fido_pin) = match &req.secrets {
            Secrets::Typed { piv_pin, fido_pin } => (piv_pin.clone(), fido_pin.clone()),
            Secrets::Letter => {
                let rng = self.env.rng.as_mut();
                let fido = (profile.fido.mode != FidoMode::Skip)
                    .then(|| Secret::digits(rng, profile.fido.min_pin_length.max(6)));
                (Secret::digits(rng, profile.piv.pin_length), fido)
            }
        };
        let piv_puk = Secret::digits(self.env.rng.as_mut(), profile.piv.puk_length);
        if piv_pin.expose().chars().count() < profile.piv.pin_length.min(8) {
            return Err(DeviceError::PinPolicy {
                reason: format!(
                    "the PIV PIN must have at least {} characters",
                    profile.piv.pin_length
                ),
            }
            .into());
        }

        let ctx = self.ctx();
        let intent = json!({
            "staff": req.staff.as_str(),
            "notebook": req.notebook.as_ref().map(AssetTag::as_str),
            "profile": profile.name,
            "pins": match req.secrets { Secrets::Typed { .. } => "typed", Secrets::Letter => "letter" },
            "due": req.due.map(keydesk_store::format_date),
        });
        let mut run = Run::begin(&mut self.store, &ctx, req.serial, "enrol", intent)?;
        run.fact("firmware", info.version.to_string());
        run.fact("model", info.model());

        let slot = profile.piv.slot;
        let algorithm = profile.piv.algorithm;
        let pin_policy = profile.piv.pin_policy;
        let touch_policy = profile.piv.touch_policy;
        let anchors = self.trust_anchors()?;
        let subject = profile
            .piv
            .subject
            .replace("{personnel_no}", staff.data.personnel_no.as_str())
            .replace(
                "{name}",
                &format!("{} {}", staff.data.given_name, staff.data.surname),
            )
            .replace("{serial}", &req.serial.to_string());
        let now = SystemTime::from(self.env.clock.now());

        let result = (|| -> Result<EnrolOutcome> {
            let store = &mut self.store;
            let (pin, puk) = (&piv_pin, &piv_puk);
            let default_pin = Secret::new(DEFAULT_PIN);
            let mut p = Piv::open(card.as_mut())?;
            run.step(store, &ctx, "piv.factory_check", || {
                p.authenticate_default().map_err(|e| match e {
                    DeviceError::ManagementKeyRejected => {
                        DeviceError::NotFactoryFresh { serial: dev_serial }
                    }
                    other => other,
                })?;
                p.verify_pin(&default_pin).map_err(|e| match e {
                    DeviceError::WrongPin { .. } | DeviceError::PinBlocked => {
                        DeviceError::NotFactoryFresh { serial: dev_serial }
                    }
                    other => other,
                })
            })?;
            run.step(store, &ctx, "piv.retries", || {
                p.set_retries(profile.piv.pin_retries, profile.piv.puk_retries)
            })?;
            run.step(store, &ctx, "piv.pin", || p.change_pin(&default_pin, pin))?;
            run.step(store, &ctx, "piv.puk", || {
                p.change_puk(&Secret::new(DEFAULT_PUK), puk)
            })?;
            run.step(store, &ctx, "piv.management_key", || {
                p.set_pin_protected_management_key(pin)
            })?;
            let public_key = run.step(store, &ctx, "piv.generate", || {
                p.generate_key(slot, algorithm, pin_policy, touch_policy)
            })?;
            let fingerprint = hex::encode(Sha256::digest(&public_key.spki_der));
            run.fact("public_key_sha256", fingerprint.clone());
            let attested = run.step(store, &ctx, "piv.attest", || {
                let leaf = p.attest(slot)?;
                let f9 = p.attestation_certificate()?;
                attestation::verify(
                    &leaf,
                    &f9,
                    &anchors,
                    &Expected {
                        serial: dev_serial,
                        firmware: info.version,
                        slot,
                        pin_policy,
                        touch_policy,
                        form_factor: Some(info.form_factor),
                        public_key: &public_key,
                    },
                )
            })?;
            let (csr, cert) = run.step(store, &ctx, "piv.certificate", || {
                p.verify_pin(pin)?;
                let csr = p.build_csr(slot, &public_key, &subject)?;
                let cert = p.build_self_signed(slot, &public_key, &subject, now, 30)?;
                p.put_certificate(slot, &cert)?;
                Ok((csr, cert))
            })?;
            let attestation_json = json!({
                "serial": attested.serial.map(Serial::get),
                "firmware": attested.firmware.map(|v| v.to_string()),
                "pin_policy": attested.pin_policy,
                "touch_policy": attested.touch_policy,
                "form_factor": attested.form_factor,
                "public_key_sha256": fingerprint,
                "attestation_der_sha256": hex::encode(Sha256::digest(&attested.certificate)),
                "root": {
                    "subject": attested.root.subject,
                    "sha256": attested.root.sha256,
                    "source": attested.root.source,
                },
            });

            let mut aaguid = None;
            let mut fido_pin_set = false;
            if profile.fido.mode != FidoMode::Skip {
                match self.keys.open_fido(dev_serial, false) {
                    Ok(mut fido) => {
                        aaguid = Some(fido.info().aaguid_string());
                        if let Some(fp) = &fido_pin {
                            run.step(store, &ctx, "fido.pin", || fido.set_pin(fp))?;
                            fido_pin_set = true;
                            if fido.supports_set_min_pin_length() {
                                let min =
                                    u8::try_from(profile.fido.min_pin_length).unwrap_or(u8::MAX);
                                run.step(store, &ctx, "fido.policy", || {
                                    fido.set_min_pin_length(
                                        Some(fp),
                                        min,
                                        profile.fido.force_pin_change,
                                    )
                                })?;
                            }
                        } else if profile.fido.mode == FidoMode::Required {
                            return Err(CoreError::Usage(
                                "the profile requires a FIDO2 PIN; give one or use a PIN letter"
                                    .into(),
                            ));
                        }
                    }
                    // Optional FIDO2 is skipped only when the key has none to offer; a
                    // pulled key or a failing FIDO2 interface stops the enrolment.
                    Err(
                        e @ (DeviceError::KeyNotFound { .. } | DeviceError::Unsupported { .. }),
                    ) if profile.fido.mode == FidoMode::Optional => {
                        log::warn!("key {}: FIDO2 skipped: {e}", req.serial);
                    }
                    Err(e) => return Err(e.into()),
                }
            }

            let otp_on = run.step(store, &ctx, "otp.usb", || {
                let mut m = Management::open(card.as_mut())?;
                m.set_otp_usb(profile.otp.enabled)?;
                Ok(profile.otp.enabled)
            })?;

            run.mark(store, &ctx, "store")?;
            let enrolment = Enrolment {
                firmware: info.version.to_string(),
                aaguid: aaguid.clone().unwrap_or_default(),
                slot: Some(slot),
                pubkey_sha256: fingerprint.clone(),
                attestation_json: attestation_json.to_string(),
                certificate_pem: Some(pem("CERTIFICATE", &cert)),
                certificate_der: Some(cert),
            };
            store.record_enrolment(&ctx, req.serial, &enrolment, "enrolment")?;
            store.issue(
                &ctx,
                req.serial,
                &req.staff,
                req.notebook.as_ref(),
                req.due,
                "enrolment",
            )?;
            Ok(EnrolOutcome {
                serial: req.serial,
                model: info.model(),
                firmware: info.version.to_string(),
                slot,
                public_key_sha256: fingerprint,
                csr_pem: pem("CERTIFICATE REQUEST", &csr),
                aaguid,
                fido_pin_set,
                otp_usb: otp_on,
                letter: None,
            })
        })();

        match result {
            Ok(mut outcome) => {
                run.close(&mut self.store, &ctx, JournalOutcome::Done, "enrolled")?;
                if matches!(req.secrets, Secrets::Letter) {
                    outcome.letter = Some(PinLetter {
                        serial: req.serial,
                        holder,
                        piv_pin,
                        piv_puk,
                        fido_pin,
                    });
                }
                Ok(outcome)
            }
            Err(err) => {
                drop(card);
                // Undo what may have happened on the key, now while it is likely still plugged in.
                // If that is not possible, the open journal entry is resolved by `recover`.
                let id = run.id;
                drop(run);
                let serial = req.serial;
                let next = Next::Recover { serial };
                match self.recover_entry(id) {
                    Ok(r) if r.outcome != crate::workflow::recover::RecoveryOutcome::NeedsKey => {
                        Err(err)
                    }
                    Ok(r) => Err(err.after(
                        Done::NotRolledBack {
                            serial,
                            account: r.account,
                        },
                        next,
                    )),
                    Err(rollback) => Err(err.after(
                        Done::RollbackFailed {
                            serial,
                            why: Box::new(rollback),
                        },
                        next,
                    )),
                }
            }
        }
    }
}

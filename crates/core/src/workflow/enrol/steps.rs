//! The journalled steps of an enrolment, in the order they run: the PIV
//! factory check, PIN, PUK and management key, key generation,
//! attestation, certificate and CSR; then FIDO2, OTP, and the record in
//! the inventory. Each device step is one [`Step`] of the journal, so that
//! recovery knows what may have happened on the key.

use keydesk_device::attestation::{self, Attested, Expected};
use keydesk_device::management::Management;
use keydesk_device::piv::{Piv, PublicKey};
use keydesk_device::source::KeySource;
use keydesk_device::{CardTransport, DeviceError};
use keydesk_store::{Ctx, Enrolment, Store};
use keydesk_types::{Secret, Serial};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::prepare::{Pins, Plan};
use super::{pem, EnrolOutcome};
use crate::error::{CoreError, Result};
use crate::journal::names::Step;
use crate::journal::Run;
use crate::profile::FidoMode;

const DEFAULT_PIN: &str = "123456";
const DEFAULT_PUK: &str = "12345678";

/// One enrolment under way: its plan, and the journal its steps write to.
pub(super) struct Steps<'a> {
    pub store: &'a mut Store,
    pub ctx: &'a Ctx,
    pub run: &'a mut Run,
    pub plan: &'a Plan<'a>,
}

/// What the PIV steps made.
struct PivDone {
    /// SHA-256 of the public key (SubjectPublicKeyInfo DER), hex.
    fingerprint: String,
    /// The verified attestation, as recorded in the inventory.
    attestation: Value,
    csr: Vec<u8>,
    certificate: Vec<u8>,
}

/// What the FIDO2 steps did.
#[derive(Default)]
struct FidoDone {
    aaguid: Option<String>,
    pin_set: bool,
}

impl Steps<'_> {
    /// Every step, in order; the first failure stops the enrolment.
    pub fn run(
        mut self,
        card: &mut dyn CardTransport,
        keys: &mut dyn KeySource,
        pins: &Pins,
    ) -> Result<EnrolOutcome> {
        let piv = self.piv(card, pins)?;
        let fido = self.fido(keys, pins)?;
        let otp_usb = self.otp(card)?;
        self.record(&piv, &fido)?;
        let plan = self.plan;
        Ok(EnrolOutcome {
            serial: plan.req.serial,
            model: plan.info.model(),
            firmware: plan.info.version.to_string(),
            slot: plan.slot,
            public_key_sha256: piv.fingerprint,
            csr_pem: pem("CERTIFICATE REQUEST", &piv.csr),
            aaguid: fido.aaguid,
            fido_pin_set: fido.pin_set,
            otp_usb,
            letter: None,
        })
    }

    /// One device step between its `:begin` and `:done`/`:failed` records.
    fn step<T>(
        &mut self,
        step: Step,
        f: impl FnOnce() -> std::result::Result<T, DeviceError>,
    ) -> Result<T> {
        self.run.step(self.store, self.ctx, step, f)
    }

    /// The PIV application, from the factory check to the certificate.
    fn piv(&mut self, card: &mut dyn CardTransport, pins: &Pins) -> Result<PivDone> {
        let (pin, puk) = (&pins.piv_pin, &pins.piv_puk);
        let mut p = Piv::open(card)?;
        self.factory_check(&mut p)?;
        self.piv_secrets(&mut p, pin, puk)?;
        let public_key = self.generate(&mut p)?;
        let fingerprint = hex::encode(Sha256::digest(&public_key.spki_der));
        self.run.fact("public_key_sha256", fingerprint.clone());
        let attested = self.attest(&mut p, &public_key)?;
        let (csr, certificate) = self.certificate(&mut p, pin, &public_key)?;
        Ok(PivDone {
            attestation: attestation_facts(&attested, &fingerprint),
            fingerprint,
            csr,
            certificate,
        })
    }

    /// Only a key with the factory management key and PIN is enrolled; any
    /// other is refused as not factory fresh.
    fn factory_check(&mut self, p: &mut Piv<'_>) -> Result<()> {
        let dev_serial = self.plan.dev_serial();
        let default_pin = Secret::new(DEFAULT_PIN);
        self.step(Step::PivFactoryCheck, || {
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
        })
    }

    /// Retry counters, the new PIN and PUK, and a PIN-protected management key.
    fn piv_secrets(&mut self, p: &mut Piv<'_>, pin: &Secret, puk: &Secret) -> Result<()> {
        let piv_profile = &self.plan.profile.piv;
        let (pin_retries, puk_retries) = (piv_profile.pin_retries, piv_profile.puk_retries);
        let default_pin = Secret::new(DEFAULT_PIN);
        self.step(Step::PivRetries, || p.set_retries(pin_retries, puk_retries))?;
        self.step(Step::PivPin, || p.change_pin(&default_pin, pin))?;
        self.step(Step::PivPuk, || {
            p.change_puk(&Secret::new(DEFAULT_PUK), puk)
        })?;
        self.step(Step::PivManagementKey, || {
            p.set_pin_protected_management_key(pin)
        })
    }

    /// The key pair in the profile's slot, with its policies.
    fn generate(&mut self, p: &mut Piv<'_>) -> Result<PublicKey> {
        let plan = self.plan;
        self.step(Step::PivGenerate, || {
            p.generate_key(
                plan.slot,
                plan.algorithm,
                plan.pin_policy,
                plan.touch_policy,
            )
        })
    }

    /// The slot's attestation, verified up to a trusted root and against
    /// the key in hand (serial, firmware, policies, form factor, public key).
    fn attest(&mut self, p: &mut Piv<'_>, public_key: &PublicKey) -> Result<Attested> {
        let plan = self.plan;
        self.step(Step::PivAttest, || {
            let leaf = p.attest(plan.slot)?;
            let f9 = p.attestation_certificate()?;
            attestation::verify(
                &leaf,
                &f9,
                &plan.anchors,
                &Expected {
                    serial: plan.dev_serial(),
                    firmware: plan.info.version,
                    slot: plan.slot,
                    pin_policy: plan.pin_policy,
                    touch_policy: plan.touch_policy,
                    form_factor: Some(plan.info.form_factor),
                    public_key,
                },
            )
        })
    }

    /// The CSR for the office CA, and a self-signed certificate in the slot
    /// until the CA's is imported. Gives (CSR, certificate), both DER.
    fn certificate(
        &mut self,
        p: &mut Piv<'_>,
        pin: &Secret,
        public_key: &PublicKey,
    ) -> Result<(Vec<u8>, Vec<u8>)> {
        let plan = self.plan;
        self.step(Step::PivCertificate, || {
            p.verify_pin(pin)?;
            let csr = p.build_csr(plan.slot, public_key, &plan.subject)?;
            let cert = p.build_self_signed(plan.slot, public_key, &plan.subject, plan.now, 30)?;
            p.put_certificate(plan.slot, &cert)?;
            Ok((csr, cert))
        })
    }

    /// The FIDO2 PIN and policy, as the profile's FIDO2 mode says.
    fn fido(&mut self, keys: &mut dyn KeySource, pins: &Pins) -> Result<FidoDone> {
        let plan = self.plan;
        let fido_profile = &plan.profile.fido;
        let mut done = FidoDone::default();
        if fido_profile.mode == FidoMode::Skip {
            return Ok(done);
        }
        match keys.open_fido(plan.dev_serial(), false) {
            Ok(mut fido) => {
                done.aaguid = Some(fido.info().aaguid_string());
                if let Some(fp) = &pins.fido_pin {
                    self.step(Step::FidoPin, || fido.set_pin(fp))?;
                    done.pin_set = true;
                    if fido.supports_set_min_pin_length() {
                        let min = u8::try_from(fido_profile.min_pin_length).unwrap_or(u8::MAX);
                        self.step(Step::FidoPolicy, || {
                            fido.set_min_pin_length(Some(fp), min, fido_profile.force_pin_change)
                        })?;
                    }
                } else if fido_profile.mode == FidoMode::Required {
                    return Err(CoreError::Usage(
                        "the profile requires a FIDO2 PIN; give one or use a PIN letter".into(),
                    ));
                }
            }
            // Optional FIDO2 is skipped only when the key has none to offer; a
            // pulled key or a failing FIDO2 interface stops the enrolment.
            Err(e @ (DeviceError::KeyNotFound { .. } | DeviceError::Unsupported { .. }))
                if fido_profile.mode == FidoMode::Optional =>
            {
                log::warn!("key {}: FIDO2 skipped: {e}", plan.req.serial);
            }
            Err(e) => return Err(e.into()),
        }
        Ok(done)
    }

    /// The OTP interface over USB on or off, as the profile says.
    fn otp(&mut self, card: &mut dyn CardTransport) -> Result<bool> {
        let enabled = self.plan.profile.otp.enabled;
        self.step(Step::OtpUsb, || {
            let mut m = Management::open(card)?;
            m.set_otp_usb(enabled)?;
            Ok(enabled)
        })
    }

    /// The enrolment and the issue to the staff member, in the inventory.
    fn record(&mut self, piv: &PivDone, fido: &FidoDone) -> Result<()> {
        let plan = self.plan;
        let req = plan.req;
        self.run.mark(self.store, self.ctx, Step::Store)?;
        let enrolment = Enrolment {
            firmware: plan.info.version.to_string(),
            aaguid: fido.aaguid.clone().unwrap_or_default(),
            slot: Some(plan.slot),
            pubkey_sha256: piv.fingerprint.clone(),
            attestation_json: piv.attestation.to_string(),
            certificate_pem: Some(pem("CERTIFICATE", &piv.certificate)),
            certificate_der: Some(piv.certificate.clone()),
        };
        self.store
            .record_enrolment(self.ctx, req.serial, &enrolment, "enrolment")?;
        self.store.issue(
            self.ctx,
            req.serial,
            &req.staff,
            req.notebook.as_ref(),
            req.due,
            "enrolment",
        )?;
        Ok(())
    }
}

/// The facts of a verified attestation, as the inventory records them.
fn attestation_facts(attested: &Attested, fingerprint: &str) -> Value {
    json!({
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
    })
}
